"""Links columns (友情链接): external links, each an item with a URL (http/https)
and an optional description. No body.

Reachability: `check_links(checker)` is the hook; `sweep_link_reachability`
(the plugin's `sweeps`) calls it on each scheduler sweep for the links that are
due, with the content checks' `check_urls`. It hands the URLs of every published link to `checker` -- a
callable taking a list of URLs and returning {url: result}; a result is a bool
or an object with `.ok` (and optionally `.reason`, `.status`), e.g.
`functools.partial(intranet.checks.links.check_urls, timeout=5)` once the
content-checks work lands -- and stores the outcome per link (`LinkCheck`).
`dead_links()` lists links whose last check failed. The hook never fetches a
URL itself."""
from urllib.parse import urlsplit

from intranet import clock
from intranet.columntypes import ColumnType, ExtraField
from intranet.sites import update_rules


def safe_http_url(url):
    url = (url or "").strip()
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


class LinksType(ColumnType):
    id = "links"
    label = "友情链接"
    description = "外部网站链接，定期检查能否访问"
    extra_fields = [
        ExtraField("url", "链接地址", "url", required=True, help="以 http:// 或 https:// 开头的网址"),
        ExtraField("link_description", "链接说明"),
    ]
    required = ("title",)
    body_required = False
    default_rule = (update_rules.TIMELY, None, "")
    default_staleness = "none"
    list_template = "links/list.html"
    detail_template = "links/detail.html"
    view_template = "links/view_panel.html"

    def validate(self, item, attachments):
        errors = super().validate(item, attachments)
        url = item.extra.get("url")
        if url and not safe_http_url(url):
            errors.append("链接地址须以 http:// 或 https:// 开头")
        return errors

    def href(self, item):
        return safe_http_url(item.extra.get("url"))

    def last_check(self, item):
        from intranet.extensions import db
        from .models import LinkCheck
        return db.session.execute(db.select(LinkCheck).filter_by(item_id=item.id)).scalar() if item.id else None

    def metrics(self, column):
        from intranet.extensions import db
        from intranet.items.models import PUBLISHED, Item
        from .models import LinkCheck
        total = db.session.execute(db.select(db.func.count(Item.id)).filter(
            Item.column_id == column.id, Item.status == PUBLISHED)).scalar()
        dead = db.session.execute(db.select(db.func.count(LinkCheck.id)).join(Item).filter(
            Item.column_id == column.id, Item.status == PUBLISHED, LinkCheck.ok.is_(False))).scalar()
        return {"links": total or 0, "dead_links": dead or 0}


def _outcome(result):
    """(ok, status, reason) from a checker's result (bool or object with .ok)."""
    if isinstance(result, bool):
        return result, None, "正常" if result else "无法访问"
    ok = bool(getattr(result, "ok", False))
    status = getattr(result, "status", None)
    reason = getattr(result, "reason", "") or ("正常" if ok else "无法访问")
    return ok, status if isinstance(status, int) else None, str(reason)[:200]


def check_links(checker, column_ids=None, item_ids=None):
    """Check every published link (optionally only in `column_ids`, or only the
    items `item_ids`) with `checker(urls) -> {url: result}` and store the
    outcomes. Returns the list of LinkCheck rows that failed. Adds to the
    session; the caller commits.

    A URL the checker did not answer for is left as it was (not marked dead)."""
    from intranet.extensions import db
    from intranet.items.models import PUBLISHED, Item
    from .models import LinkCheck
    stmt = db.select(Item).filter(Item.type == "links", Item.status == PUBLISHED)
    if column_ids is not None:
        stmt = stmt.filter(Item.column_id.in_(list(column_ids)))
    if item_ids is not None:
        stmt = stmt.filter(Item.id.in_(list(item_ids)))
    items = db.session.execute(stmt).scalars().all()
    by_url = {}
    for item in items:
        url = safe_http_url(item.extra.get("url"))
        if url:
            by_url.setdefault(url, []).append(item)
    if not by_url:
        return []
    results = checker(sorted(by_url)) or {}
    existing = {c.item_id: c for c in db.session.execute(
        db.select(LinkCheck).filter(LinkCheck.item_id.in_([i.id for i in items]))).scalars()}
    now = clock.now()
    failed = []
    for url, url_items in by_url.items():
        if url not in results:
            continue
        ok, status, reason = _outcome(results[url])
        for item in url_items:
            row = existing.get(item.id)
            if row is None:
                row = LinkCheck(item_id=item.id, url=url, ok=ok, failures=0)
                db.session.add(row)
            row.url, row.ok, row.status_code, row.reason, row.checked_at = url, ok, status, reason, now
            if ok:
                row.failures, row.first_failed_at = 0, None
            else:
                row.failures = (row.failures or 0) + 1
                row.first_failed_at = row.first_failed_at or now
                failed.append(row)
    db.session.flush()
    return failed


def dead_links(column_ids=None):
    """Published links (in live columns) whose last check failed, oldest failure first."""
    from intranet.extensions import db
    from intranet.items.models import PUBLISHED, Item
    from intranet.sites.models import Column
    from .models import LinkCheck
    from sqlalchemy.orm import contains_eager
    stmt = (db.select(LinkCheck).join(LinkCheck.item).join(Column, Column.id == Item.column_id)
            .options(contains_eager(LinkCheck.item))  # the item comes with the row: no query per link
            .filter(Item.status == PUBLISHED, LinkCheck.ok.is_(False), Column.archived.is_(False))
            .order_by(LinkCheck.first_failed_at))
    if column_ids is not None:
        stmt = stmt.filter(Item.column_id.in_(list(column_ids)))
    return db.session.execute(stmt).scalars().all()


def due_link_items(now, ok_days=7, dead_hours=24):
    """Ids of published links in live columns never checked, or whose result is
    older than `ok_days` (reachable) or `dead_hours` (dead). One query."""
    from datetime import timedelta

    from intranet.extensions import db
    from intranet.items.models import PUBLISHED, Item
    from intranet.sites.models import Column
    from .models import LinkCheck
    return db.session.execute(
        db.select(Item.id).join(Column, Column.id == Item.column_id)
        .outerjoin(LinkCheck, LinkCheck.item_id == Item.id)
        .filter(Item.type == "links", Item.status == PUBLISHED, Column.archived.is_(False),
                db.or_(LinkCheck.id.is_(None),
                       db.and_(LinkCheck.ok.is_(True), LinkCheck.checked_at < now - timedelta(days=ok_days)),
                       db.and_(LinkCheck.ok.is_(False), LinkCheck.checked_at < now - timedelta(hours=dead_hours))))
    ).scalars().all()


def sweep_link_reachability(ctx):
    """The scheduler's sweep (R-52, R-80) for 友情链接: check the links that are
    due with the content checks' checker (intranet.checks.links.check_urls: a
    timeout per link, a bounded pool, no private addresses unless allowed --
    the LANMU_LINK_CHECK_* settings of the body-link job), then remind the
    link's author (then up the unit) of each dead link once a week. The database transaction
    is committed before the network is touched; a failing check never stops
    the other reminders."""
    from functools import partial

    from intranet.extensions import db
    from intranet.reminders.engine import Notice
    app, cfg = ctx.app, ctx.app.config
    if cfg.get("LANMU_LINK_CHECK_IN_SWEEP", True):
        try:
            due = due_link_items(ctx.now, cfg.get("LANMU_LINK_CHECK_OK_DAYS", 7),
                                 cfg.get("LANMU_LINK_CHECK_DEAD_HOURS", 24))
            if due:
                from intranet.checks.links import check_urls
                db.session.commit()
                check_links(partial(check_urls, timeout=cfg.get("LANMU_LINK_CHECK_TIMEOUT", 5),
                                    max_workers=cfg.get("LANMU_LINK_CHECK_WORKERS", 8),
                                    allow_private=bool(cfg.get("LANMU_LINK_CHECK_ALLOW_PRIVATE", False))),
                            item_ids=due)
                db.session.commit()
        except Exception:  # noqa: BLE001
            db.session.rollback()
            app.logger.exception("links reachability check failed")
    year, week, _day = ctx.now.isocalendar()
    return [Notice(kind="links_dead", key=f"item:{row.item_id}", period=f"{year}-W{week:02d}", severity="warn",
                   title=f"友情链接“{row.item.title}”无法访问（{row.reason}），请核实网址或撤下",
                   text=f"链接地址：{row.url}；已连续{row.failures}次检查失败。",
                   url=ctx.link("items.view", item_id=row.item_id), unit_id=row.item.unit_id,
                   users=[row.item.author_id]) for row in dead_links()]


sweeps = [sweep_link_reachability]


def register(registry):
    registry.register(LinksType)
