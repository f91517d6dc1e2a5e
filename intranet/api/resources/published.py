"""Published items: what the public site shows now (published, not expired),
for supervising units and portals that pull. Ordered by the latest
publication time (`published_at`, then id) with keyset pagination; `since`
returns only items (re)published after a time, so a client that remembers the
largest `published_at` it saw pulls only what is new or republished."""
from ...extensions import db
from ...items.models import Item
from ...public.views import visible_items
from ...sites.models import Column, Site
from .. import schemas as s
from ..errors import ApiError
from ..framework import keyset_page
from ..present import published_out
from . import api


def _visible():
    return (visible_items().join(Column, Column.id == Item.column_id).join(Site, Site.id == Column.site_id)
            .filter(Column.archived.is_(False), Site.active.is_(True)))


@api.route("/published", "GET", tag="published", summary="已发布信息（分页、增量拉取）",
           description="按最近发布时间（published_at）升序，游标分页（keyset）。增量拉取：记下已取到的最大 published_at，"
                       "下次以 `since` 传入；或一直沿 `next` 翻页。撤回或过期的信息不再出现。",
           query=s.PublishedQuery, responses={200: s.Page[s.PublishedOut]})
def list_published(query):
    stmt = _visible()
    if query.since is not None:
        stmt = stmt.filter(Item.published_at > query.since)
    if query.site_id is not None:
        stmt = stmt.filter(Column.site_id == query.site_id)
    if query.column_id is not None:
        stmt = stmt.filter(Item.column_id == query.column_id)
    rows, nxt = keyset_page(stmt, query, [Item.published_at, Item.id], key_of=lambda r: (r.published_at, r.id))
    return s.Page[s.PublishedOut](data=[published_out(i) for i in rows], next=nxt)


@api.route("/published/<int:item_id>", "GET", tag="published", summary="一条已发布信息",
           responses={200: s.PublishedOut})
def get_published(item_id):
    item = db.session.execute(_visible().filter(Item.id == item_id)).scalar()
    if item is None:
        raise ApiError(404, "not_found", "该信息不存在或未在网站上发布。")
    return published_out(item)
