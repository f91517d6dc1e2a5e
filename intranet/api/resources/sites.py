"""Sites and their columns (read only). Every token may read them (the public
site shows the same structure); `can_draft` says where the person may draft."""
from ...columntypes import get_type
from ...extensions import db
from ...org import permissions
from ...sites.models import Column, Site
from .. import schemas as s
from ..errors import ApiError
from ..framework import current_person, encode_cursor, keyset_page
from ..present import column_out, site_out
from . import api
from .common import get_or_404


def can_draft(user, column):
    """May draft items into it (a mailbox column takes no items)."""
    return permissions.can_draft(user, column) and bool(get_type(column.type).has_items)


def _site_or_404(site_id):
    site = get_or_404(Site, site_id, "网站")
    if not site.active:
        raise ApiError(404, "not_found", "网站不存在。")
    return site


@api.route("/sites", "GET", tag="sites", summary="网站列表", query=s.ListQuery, responses={200: s.Page[s.SiteOut]})
def list_sites(query):
    stmt = db.select(Site).filter(Site.active.is_(True))
    rows, nxt = keyset_page(stmt, query, [Site.id], key_of=lambda r: (r.id,))
    return s.Page[s.SiteOut](data=[site_out(r) for r in rows], next=nxt)


@api.route("/sites/<int:site_id>", "GET", tag="sites", summary="一个网站", responses={200: s.SiteOut})
def get_site(site_id):
    return site_out(_site_or_404(site_id))


@api.route("/columns", "GET", tag="sites", summary="栏目列表（可按网站、可报送筛选）",
           description="`draftable=true` 只列出令牌所属人员可以报送信息的栏目（OA系统推送文件时先查这里）。"
                       "每个栏目带有其类型的专有字段（extra_fields），创建信息时放在 `extra` 中。",
           query=s.ColumnQuery, responses={200: s.Page[s.ColumnOut]})
def list_columns(query):
    user = current_person()
    stmt = db.select(Column).join(Site).filter(Column.archived.is_(False), Site.active.is_(True))
    if query.site_id is not None:
        stmt = stmt.filter(Column.site_id == query.site_id)
    if not query.draftable:
        rows, nxt = keyset_page(stmt, query, [Column.id], key_of=lambda r: (r.id,))
        return s.Page[s.ColumnOut](data=[column_out(c, can_draft(user, c)) for c in rows], next=nxt)
    # Draftable columns: filtered in Python (grants and roles), walked in id order page by page.
    out, nxt, cursor_query = [], None, query
    while True:
        rows, more = keyset_page(stmt, cursor_query, [Column.id], key_of=lambda r: (r.id,))
        for c in rows:
            if can_draft(user, c):
                out.append(c)
                if len(out) == query.limit:
                    break
        if len(out) == query.limit:
            remaining = [c for c in rows if c.id > out[-1].id]
            nxt = encode_cursor([out[-1].id]) if (remaining or more) else None
            break
        if more is None:
            break
        cursor_query = s.ColumnQuery(limit=query.limit, cursor=more, site_id=query.site_id, draftable=True)
    return s.Page[s.ColumnOut](data=[column_out(c, True) for c in out], next=nxt)


@api.route("/columns/<int:column_id>", "GET", tag="sites", summary="一个栏目（含类型的专有字段）",
           responses={200: s.ColumnOut})
def get_column(column_id):
    col = get_or_404(Column, column_id, "栏目")
    if col.archived or not col.site.active:
        raise ApiError(404, "not_found", "栏目不存在。")
    return column_out(col, can_draft(current_person(), col))
