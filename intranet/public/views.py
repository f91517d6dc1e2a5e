"""The public site (published, unexpired, unwithdrawn items only). The intranet
lives under LANMU_ADMIN_PREFIX and is never linked from here (R-05).

Pages are cached per worker (cache.py). Column pages read a page of ids from
ix_item_column_list and then those items (a deep page skips index entries,
not rows); "next page" links carry the last item's key (``after``), so
walking the pages costs the same on page 500 as on page 1."""
from datetime import datetime

from flask import Blueprint, abort, make_response, render_template, request, send_file
from sqlalchemy import bindparam, func, or_, select, tuple_
from sqlalchemy.orm import joinedload

from .. import clock
from ..columntypes import get_type
from ..extensions import db, read_in_autocommit
from ..items import storage
from ..items.models import PUBLISHED, Attachment, Item
from ..sites.models import Column, Site
from . import cache

bp = Blueprint("public", __name__)
PAGE_SIZE = 20


@bp.before_request
def _read_in_autocommit():
    """The public pages only read. On PostgreSQL their queries run in
    autocommit: no BEGIN before the first query and no ROLLBACK when the
    connection goes back to the pool, two round trips of the three or four a
    page costs. (The mailbox's public pages, which write, are another blueprint.)"""
    read_in_autocommit()


def _visible(stmt):
    """`stmt` limited to the items the public may see at the `now` parameter."""
    return stmt.where(Item.status == PUBLISHED,
                      or_(Item.expires_at.is_(None), Item.expires_at > bindparam("now", type_=Item.expires_at.type)))


def visible_items():
    """Items the public may see now."""
    return _visible(select(Item)).params(now=clock.now())


# The statements of the busiest pages, built once with parameters: building a
# select costs more than running it once SQLAlchemy has compiled it (issue 10).


_NEWEST_FIRST = (Item.first_published_at.desc(), Item.id.desc())
_PAGE_IDS = (_visible(select(Item.id)).where(Item.column_id.in_(bindparam("columns", expanding=True)))
             .order_by(*_NEWEST_FIRST))
_PAGE_BY_OFFSET = select(Item).where(Item.id.in_(
    _PAGE_IDS.offset(bindparam("offset")).limit(bindparam("limit")).scalar_subquery())).order_by(*_NEWEST_FIRST)
_PAGE_AFTER_KEY = select(Item).where(Item.id.in_(
    _PAGE_IDS.where(Item.first_published_at.is_not(None),
                    tuple_(Item.first_published_at, Item.id)
                    < tuple_(bindparam("after_at", type_=Item.first_published_at.type), bindparam("after_id")))
    .limit(bindparam("limit")).scalar_subquery())).order_by(*_NEWEST_FIRST)
_SITE_NEWEST = (_visible(select(Item)).where(
    Item.site_id == bindparam("site"),
    Item.column_id.not_in(select(Column.id).where(Column.site_id == bindparam("site"), Column.archived.is_(True))))
    .order_by(*_NEWEST_FIRST).limit(bindparam("limit")))
_ONE_ITEM = (_visible(select(Item)).where(Item.id == bindparam("item_id"))  # column and files with it: one query
             .options(joinedload(Item.column), joinedload(Item.attachments)))


def _site_or_404(code):
    """The active site (a cache.SiteInfo: id, code, name, unit.name ...), kept per worker until the
    public version token changes."""
    site = cache.site_info(code)
    if site is None:
        abort(404)
    return site


def _nav(site):
    """The site's top-level visible columns (id, slug, name), kept like the site."""
    return cache.nav_info(site)


@bp.route("/")
def home():
    sites = db.session.execute(db.select(Site).filter_by(active=True).order_by(Site.id)).scalars().all()
    if len(sites) == 1:
        return site_home(sites[0].code)
    return render_template("public/portal.html", sites=sites)


def latest_items(site, limit=10):
    """The site's newest visible items: the newest entries of the site's range
    of ix_item_site_list, skipping those of archived columns."""
    return db.session.execute(_SITE_NEWEST, {"now": clock.now(), "site": site.id, "limit": limit}).scalars().all()


@bp.route("/s/<code>/")
def site_home(code):
    site = _site_or_404(code)
    return render_template("public/home.html", site=site, nav=_nav(site), latest=latest_items(site))


def _column_or_404(site, slug):
    """The live column (a cache.ColumnInfo: name, slug, type, settings, children, and `ids`, the
    column and its live descendants: a parent column lists its children's items too), kept per
    worker until the public version token changes."""
    col = cache.column_info(site.id, slug)
    if col is None:
        abort(404)
    return col


def _column_ids(col):
    return col.ids


def _after(text):
    """The key of the last item of the previous page: '<first_published_at>_<id>', or None."""
    try:
        stamp, _sep, item_id = (text or "").rpartition("_")
        return datetime.strptime(stamp, "%Y%m%d%H%M%S%f"), int(item_id)
    except ValueError:
        return None


def _key_of(item):
    return f"{item.first_published_at:%Y%m%d%H%M%S%f}_{item.id}" if item.first_published_at else None


DEEP_PAGE = 5  # from this page on, a page asked for by number starts from the column's page keys


def page_keys(column_ids, size=PAGE_SIZE):
    """The key (first_published_at, id) of the last item of every page of
    these columns' list, in page order: one pass over the column's entries of
    ix_item_column_list, kept per worker until the public version token
    changes (publish, withdraw, expiry). None when an item has no
    publication time (it could not be paged by key)."""
    def load():
        n = func.row_number().over(order_by=(Item.first_published_at.desc(), Item.id.desc()))
        numbered = (visible_items().with_only_columns(Item.first_published_at, Item.id, n.label("n"))
                    .filter(Item.column_id.in_(column_ids)).subquery())
        rows = db.session.execute(select(numbered.c.first_published_at, numbered.c.id)
                                  .where(numbered.c.n % size == 0).order_by(numbered.c.n)).all()
        if any(stamp is None for stamp, _id in rows):
            return None
        return [(stamp, item_id) for stamp, item_id in rows]
    st = cache.state()
    key = ("page_keys", tuple(column_ids), size)
    return st.remember(key, load) if st is not None else load()


def list_page(column_ids, page, after=None, size=PAGE_SIZE):
    """(items, has_next) of a column list page, newest first. With `after` (the
    key of the previous page's last item) the page starts right after it
    (keyset). Otherwise a deep page starts from the previous page's last key in
    page_keys (so ?page=500 costs what page 1 does); a near one is found by
    offset over the index."""
    if after is None and page >= DEEP_PAGE:
        keys = page_keys(column_ids, size)
        if keys is not None:
            if page - 2 >= len(keys):
                return [], False  # past the last page
            after = keys[page - 2]
    params = {"now": clock.now(), "columns": list(column_ids), "limit": size + 1}
    if after is not None:
        stmt = _PAGE_AFTER_KEY
        params.update(after_at=after[0], after_id=after[1])
    else:
        stmt = _PAGE_BY_OFFSET
        params["offset"] = (page - 1) * size
    items = db.session.execute(stmt, params).scalars().all()
    return items[:size], len(items) > size


@bp.route("/s/<code>/c/<slug>/")
def column(code, slug):
    site = _site_or_404(code)
    col = _column_or_404(site, slug)
    page = min(max(1, request.args.get("page", 1, type=int)), 100_000)  # a huge page number must not reach the DB
    after = _after(request.args.get("after")) if page > 1 else None
    items, has_next = list_page(_column_ids(col), page, after)
    next_url = None
    if has_next:
        key = _key_of(items[-1])
        next_url = f"?page={page + 1}" + (f"&after={key}" if key else "")
    ctype = get_type(col.type)
    return render_template(ctype.list_template, site=site, nav=_nav(site), column=col, ctype=ctype,
                           items=items, page=page, has_next=has_next, next_url=next_url)


@bp.route("/s/<code>/c/<slug>/rss.xml")
def rss(code, slug):
    """RSS 2.0 of a column's newest published items."""
    site = _site_or_404(code)
    col = _column_or_404(site, slug)
    items = db.session.execute(
        visible_items().filter(Item.column_id.in_(_column_ids(col)))
        .order_by(Item.first_published_at.desc(), Item.id.desc()).limit(PAGE_SIZE)).scalars().all()
    resp = make_response(render_template("public/rss.xml", site=site, column=col, items=items))
    resp.mimetype = "application/rss+xml"
    return resp


@bp.route("/s/<code>/search")
def search(code):
    """The search box: published items of this site whose title or text contains
    the words; on the first page also what column types add through their
    "public_search" hook (the mailbox: answered messages made public)."""
    site = _site_or_404(code)
    q = (request.args.get("q") or "").strip()[:50]
    page = min(max(1, request.args.get("page", 1, type=int)), 100_000)
    items, extra = [], []
    if q:
        words = q.split()[:5]
        stmt = visible_items().join(Column).filter(Item.site_id == site.id, Column.archived.is_(False))
        for word in words:
            stmt = stmt.filter(or_(Item.title.contains(word, autoescape=True), Item.body.contains(word, autoescape=True)))
        items = db.session.execute(stmt.order_by(Item.first_published_at.desc(), Item.id.desc())
                                   .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars().all()
        if page == 1:
            from ..columntypes import registry
            for hook in registry().hooks("public_search"):
                extra += hook(site, words, PAGE_SIZE)  # [{"title", "url", "where", "at"}], newest first
    return render_template("public/search.html", site=site, nav=_nav(site), q=q, items=items[:PAGE_SIZE],
                           page=page, has_next=len(items) > PAGE_SIZE, extra=extra)


def _public_item_or_404(code, item_id):
    site = _site_or_404(code)
    item = db.session.execute(_ONE_ITEM, {"now": clock.now(), "item_id": item_id}).unique().scalars().first()
    if item is None or item.column.site_id != site.id or item.column.archived:
        abort(404)
    return site, item


@bp.route("/s/<code>/i/<int:item_id>.html")
def item(code, item_id):
    site, item = _public_item_or_404(code, item_id)
    ctype = get_type(item.type)
    return render_template(ctype.detail_template, site=site, nav=_nav(site), column=item.column, item=item,
                           ctype=ctype)


@bp.route("/s/<code>/i/<int:item_id>/files/<int:attachment_id>")
def attachment(code, item_id, attachment_id):
    _site, item = _public_item_or_404(code, item_id)
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.item_id != item.id:
        abort(404)
    path = storage.path_of(att)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=att.mime, as_attachment=not att.is_image, download_name=att.filename)
