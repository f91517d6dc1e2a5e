"""The rendered-page cache of the public site (issue 10).

Each worker process keeps the public pages it rendered (home pages, column
pages, item pages, RSS: GET, status 200, no cookie set) in memory, keyed by
path and query string, least recently used first out past
LANMU_PUBLIC_CACHE_MB. Nothing is shared between processes except one row:
``kv_store['public:version']``, a random token.

* Every transaction that changes what a public page can show writes a new
  token in the same transaction (so a rolled-back change invalidates
  nothing): an item published, withdrawn, expired or edited while published
  (the review engine's ``item_published`` / ``item_withdrawn`` signals, and
  any flush that touches an item that is or was published), a site, column
  or unit added, changed or deleted, a mailbox message made public or
  changed while public.
* Every request to a cached endpoint reads the token (one primary-key
  query). A worker that sees a token other than the one its pages were made
  under drops them all, so a publish or withdraw is visible at the next
  request on every worker and every node.
* Items leave the site by themselves when their expiry time passes (R-25),
  with no transaction to announce it: the worker remembers the earliest
  expiry time of a visible item (one query on ``ix_item_expires_at`` when it
  starts a new token) and drops its pages once the clock passes it.

The choice: a shared store (Redis) would avoid rendering a page once per
worker, but Lanmu must run with nothing but its database; one primary-key
read per request keeps invalidation exact across workers and nodes, and a
page is rendered at most once per worker and token. LANMU_PUBLIC_CACHE =
False turns it off.
"""
from flask import current_app, g, request
from sqlalchemy import event, func, inspect as sa_inspect, select
from sqlalchemy.orm import joinedload

from .. import clock, versions
from ..versions import PageCache
from ..extensions import db

KEY = "public:version"
CACHED_ENDPOINTS = frozenset({"public.home", "public.site_home", "public.column", "public.item", "public.rss"})
# Tables whose rows, when changed, can change a public page; "item" and
# "mailbox_message" only while (or when ceasing to be) public.
ALWAYS = frozenset({"site", "site_column", "unit"})


# -- invalidation -----------------------------------------------------------

def mark_changed(session=None):
    """Note that public pages change with this transaction (written at commit)."""
    (session or db.session()).info["lanmu_public_changed"] = True


def bump(session=None):
    """Write a new version token in the session's transaction now."""
    return versions.bump(session or db.session(), KEY)


def _is_public_item(obj):
    from ..items.models import PUBLISHED
    history = sa_inspect(obj).attrs.status.history
    return obj.status == PUBLISHED or PUBLISHED in (history.deleted or ())


def _is_public_message(obj):
    history = sa_inspect(obj).attrs.is_public.history
    return bool(obj.is_public) or True in (history.deleted or ())


def affects_public_pages(obj):
    table = getattr(obj, "__tablename__", None)
    if table in ALWAYS:
        return True
    if table == "item":
        return _is_public_item(obj)
    if table == "mailbox_message":
        return _is_public_message(obj)
    return False


def _after_flush(session, _flush_context):
    if session.info.get("lanmu_public_changed"):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        try:
            changed = affects_public_pages(obj)
        except Exception:  # noqa: BLE001 - when in doubt, the pages are stale
            changed = True
        if changed:
            session.info["lanmu_public_changed"] = True
            return


def _before_commit(session):
    session.flush()
    if session.info.pop("lanmu_public_changed", False):
        bump(session)


def _forget(session, *_args):
    session.info.pop("lanmu_public_changed", None)


def _on_item_signal(sender, item=None, **_kwargs):
    mark_changed()


_listening = False


def _listen():
    """Session events for every session (the scoped session's class), once."""
    global _listening
    if _listening:
        return
    from sqlalchemy.orm import Session
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_rollback", _forget)
    event.listen(Session, "after_soft_rollback", _forget)
    from ..signals import item_published, item_withdrawn
    item_published.connect(_on_item_signal)
    item_withdrawn.connect(_on_item_signal)
    _listening = True


# -- what every public page needs of its site, per token ----------------------

class UnitInfo:
    __slots__ = ("id", "name")

    def __init__(self, id, name):  # noqa: A002
        self.id, self.name = id, name


class SiteInfo:
    """A site as public pages use it, kept from one request to the next."""
    __slots__ = ("id", "code", "name", "domain", "description", "unit_id", "unit", "parent_site_id", "active",
                 "created_at")

    def __init__(self, site):
        for name in self.__slots__:
            if name != "unit":
                setattr(self, name, getattr(site, name))
        self.unit = UnitInfo(site.unit.id, site.unit.name)


class NavInfo:
    """A top-level column in the site's navigation, with its address."""
    __slots__ = ("id", "slug", "name", "url")

    def __init__(self, column, site_code):
        from flask import url_for
        self.id, self.slug, self.name = column.id, column.slug, column.name
        self.url = url_for("public.column", code=site_code, slug=column.slug)


class ColumnInfo:
    """A column as its public page uses it (name, slug, type, settings, live
    children ...), kept from one request to the next; `ids` is the column and
    its unarchived descendants, whose items its page lists."""
    __slots__ = ("id", "site_id", "parent_id", "name", "slug", "type", "unit_id", "description", "archived",
                 "link_visible", "sort_order", "settings_json", "children", "ids")

    def __init__(self, column, children=()):
        for name in self.__slots__[:-2]:
            setattr(self, name, getattr(column, name))
        self.children, self.ids = list(children), [column.id]

    @property
    def settings(self):
        import json
        return json.loads(self.settings_json or "{}")


class PublicState(versions.TokenMemo):
    """One worker's public-site state for one app: the token it last saw, the
    sites and navigations read under it, and the rendered pages (when
    LANMU_PUBLIC_CACHE is on)."""

    def __init__(self, pages=None):
        super().__init__()
        self.pages = pages
        self.next_expiry = None

    def refresh(self):
        """The token for this request (read once per request); on a new token,
        or past the next expiry, everything kept is dropped."""
        token = versions.read(KEY)
        now = clock.now()
        if token != self.token or (self.next_expiry is not None and now >= self.next_expiry):
            next_expiry = _next_expiry(now)
            with self.lock:
                self.token, self.next_expiry = token, next_expiry
                self.values = {}
            if self.pages is not None:
                self.pages.reset(token, next_expiry)
        return token


def state(app=None):
    return (app or current_app).extensions.get("lanmu_public_state")


def site_info(code):
    """The active site with this code (a SiteInfo), or None. Read once per token and worker."""
    def load():
        from ..sites.models import Site
        site = db.session.execute(select(Site).options(joinedload(Site.unit))
                                  .filter_by(code=code, active=True)).scalar()
        return SiteInfo(site) if site is not None else None
    st = state()
    return st.remember(("site", code), load) if st is not None else load()


def nav_info(site):
    """The site's top-level visible columns (NavInfo), in order. Read once per token and worker."""
    site_id = site.id

    def load():
        from ..sites.models import Column
        return [NavInfo(c, site.code) for c in db.session.execute(
            select(Column).filter_by(site_id=site_id, parent_id=None, archived=False, link_visible=True)
            .order_by(Column.sort_order, Column.id)).scalars()]
    st = state()
    return st.remember(("nav", site_id), load) if st is not None else load()


def column_info(site_id, slug):
    """The live column `slug` of the site (a ColumnInfo with its children and
    the ids its page lists), or None. Read once per token and worker: the
    column, then one query per level of its subtree."""
    def load():
        from ..sites.models import Column
        col = db.session.execute(select(Column).filter_by(site_id=site_id, slug=slug, archived=False)).scalar()
        if col is None:
            return None
        info = ColumnInfo(col, [ColumnInfo(child) for child in col.children])
        frontier = [child.id for child in col.children if not child.archived]
        info.ids.extend(frontier)
        while frontier:
            rows = db.session.execute(select(Column.id, Column.archived).filter(Column.parent_id.in_(frontier))).all()
            frontier = [cid for cid, archived in rows if not archived and cid not in info.ids]
            info.ids.extend(frontier)
        return info
    st = state()
    return st.remember(("column", site_id, slug), load) if st is not None else load()


# -- serving pages ------------------------------------------------------------

def _next_expiry(now):
    from ..items.models import PUBLISHED, Item
    return db.session.execute(select(func.min(Item.expires_at)).where(
        Item.status == PUBLISHED, Item.expires_at.is_not(None), Item.expires_at > now)).scalar()


def _key():
    if request.query_string:
        return request.path + "?" + request.query_string.decode("latin-1")
    return request.path


def serve_cached():
    """before_request: the cached page of a cacheable public request, or None."""
    if request.endpoint not in CACHED_ENDPOINTS or request.method not in ("GET", "HEAD"):
        return None
    st = state()
    if st is None or st.pages is None:
        return None
    token = st.refresh()
    g.lanmu_cache_token = token
    page = st.pages.get(_key())
    if page is None:
        return None
    body, mimetype = page
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["X-Lanmu-Cache"] = "hit"
    return response


def store(response):
    """after_request: keep a freshly rendered cacheable page."""
    token = g.pop("lanmu_cache_token", None)
    if token is None:
        return response
    st = state()
    if (st is None or st.pages is None or response.status_code != 200 or response.direct_passthrough
            or "X-Lanmu-Cache" in response.headers or response.headers.get("Set-Cookie")):
        return response
    from flask import session
    if session.modified:
        return response
    st.pages.put(token, _key(), response.get_data(), response.mimetype)
    response.headers["X-Lanmu-Cache"] = "miss"
    return response


def init_app(app):
    """Invalidation always (a cache elsewhere must learn of changes); the
    per-worker site memo always; the rendered pages when LANMU_PUBLIC_CACHE is on."""
    _listen()
    pages = None
    if app.config.get("LANMU_PUBLIC_CACHE", True):
        pages = PageCache(int(app.config.get("LANMU_PUBLIC_CACHE_MB", 16)) * 1024 * 1024)
        app.before_request(serve_cached)
        app.after_request(store)
    app.extensions["lanmu_public_state"] = PublicState(pages)
