"""The background link check (R-52): never on the save path.

``run_link_check()`` does two things, each bounded per run:

1. scan: every item whose current revision has not been scanned yet (a
   ``check_item_scan`` row missing or naming an older revision) has its body's
   links written to ``check_item_link`` (with hidden / external flags), and
   each absolute http(s) URL gets a ``check_link`` row (the link cache);
2. check: the cached URLs that were never checked, or whose result is older
   than LANMU_LINK_CHECK_OK_DAYS (reachable) / LANMU_LINK_CHECK_DEAD_HOURS
   (dead), and that a live item still links to (links of published items
   first) are fetched with ``links.check_urls``: a per-link timeout
   (LANMU_LINK_CHECK_TIMEOUT), a bounded thread pool, and no private or
   loopback addresses unless LANMU_LINK_CHECK_ALLOW_PRIVATE. The database
   transaction is committed before the network is touched.

The scheduler runs it on every sweep (``sweep_links``, registered with
``register_sweep``; LANMU_LINK_CHECK_IN_SWEEP), so published items are
re-checked as their results age; ``flask --app wsgi checks links`` runs it by
hand. The sweep also returns a reminder for each published item with dead or
hidden links, to its author and unit, once a week.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, exists, func, or_, select

from .. import clock
from ..extensions import db
from ..items.models import PUBLISHED, REJECTED, WITHDRAWN, Item
from .links import check_urls, extract_links, is_external
from .models import CheckedLink, ItemLink, ItemLinkScan
from .service import _insert, allowed_domains, is_checkable, url_hash

DEAD_STATUSES_IGNORED = (REJECTED, WITHDRAWN)


def scan_changed_items(limit: int = 1000) -> int:
    """Record the links of up to ``limit`` items that changed since their last
    scan. Returns how many items were scanned. Commits."""
    rows = db.session.execute(
        select(Item.id, Item.revision_no, Item.body)
        .outerjoin(ItemLinkScan, ItemLinkScan.item_id == Item.id)
        .where(or_(ItemLinkScan.item_id.is_(None), ItemLinkScan.revision_no != Item.revision_no))
        .order_by(Item.id).limit(limit)).all()
    if not rows:
        return 0
    allowed = allowed_domains()
    now = clock.now()
    per_item = {item_id: (rev or 0, extract_links(body or "")) for item_id, rev, body in rows}
    urls = {}
    for _rev, links in per_item.values():
        for link in links:
            url = link.url.strip()
            if is_checkable(url):
                urls[url_hash(url)] = url
    if urls:
        ins = _insert(CheckedLink.__table__)
        values = [{"url_hash": h, "url": u, "first_seen_at": now, "reason": ""} for h, u in urls.items()]
        for start in range(0, len(values), 500):
            db.session.execute(ins.on_conflict_do_nothing(index_elements=["url_hash"]), values[start:start + 500])
    ids = {}
    hashes = list(urls)
    for start in range(0, len(hashes), 500):
        ids.update(db.session.execute(select(CheckedLink.url_hash, CheckedLink.id)
                                      .where(CheckedLink.url_hash.in_(hashes[start:start + 500]))).all())
    item_ids = list(per_item)
    db.session.execute(delete(ItemLink).where(ItemLink.item_id.in_(item_ids)))
    link_rows = []
    for item_id, (_rev, links) in per_item.items():
        for link in links:
            url = link.url.strip()
            link_rows.append({
                "item_id": item_id, "link_id": ids.get(url_hash(url)) if is_checkable(url) else None,
                "url": url, "tag": link.tag[:16], "anchor": (link.text or "")[:200],
                "hidden": link.hidden[:200] if link.hidden else None, "external": is_external(url, allowed)})
    if link_rows:
        db.session.execute(ItemLink.__table__.insert(), link_rows)
    db.session.execute(delete(ItemLinkScan).where(ItemLinkScan.item_id.in_(item_ids)))
    db.session.execute(ItemLinkScan.__table__.insert(), [
        {"item_id": item_id, "revision_no": rev, "scanned_at": now, "links": len(links)}
        for item_id, (rev, links) in per_item.items()])
    # links no item refers to any more (a day's grace for a concurrent scan)
    db.session.execute(delete(CheckedLink).where(
        ~exists().where(ItemLink.link_id == CheckedLink.id), CheckedLink.first_seen_at < now - timedelta(days=1)))
    db.session.commit()
    return len(per_item)


def due_links(limit: int, now=None) -> list[tuple[int, str]]:
    """(id, url) of cached links to (re)check now: never checked first, then
    those of published items, oldest result first."""
    cfg = current_app.config
    now = now or clock.now()
    ok_before = now - timedelta(days=cfg.get("LANMU_LINK_CHECK_OK_DAYS", 7))
    dead_before = now - timedelta(hours=cfg.get("LANMU_LINK_CHECK_DEAD_HOURS", 24))
    live = exists().where(ItemLink.link_id == CheckedLink.id, ItemLink.item_id == Item.id,
                          Item.status.not_in(DEAD_STATUSES_IGNORED))
    published = exists().where(ItemLink.link_id == CheckedLink.id, ItemLink.item_id == Item.id,
                               Item.status == PUBLISHED)
    stmt = (select(CheckedLink.id, CheckedLink.url)
            .where(live, or_(CheckedLink.checked_at.is_(None),
                             and_(CheckedLink.ok.is_(True), CheckedLink.checked_at < ok_before),
                             and_(CheckedLink.ok.is_not(True), CheckedLink.checked_at < dead_before)))
            .order_by(case((CheckedLink.checked_at.is_(None), 0), else_=1), case((published, 0), else_=1),
                      CheckedLink.checked_at, CheckedLink.id)
            .limit(limit))
    return [(i, u) for i, u in db.session.execute(stmt).all()]


def check_due_links(limit: int = 200, now=None) -> dict:
    """Fetch up to ``limit`` due links and store the results. Commits before
    going to the network and after. Returns {"checked": n, "dead": n}."""
    cfg = current_app.config
    todo = due_links(limit, now)
    db.session.commit()  # no transaction (and no SQLite lock) held across the network
    if not todo:
        return {"checked": 0, "dead": 0}
    results = check_urls([u for _i, u in todo], timeout=cfg.get("LANMU_LINK_CHECK_TIMEOUT", 5),
                         max_workers=cfg.get("LANMU_LINK_CHECK_WORKERS", 8),
                         allow_private=bool(cfg.get("LANMU_LINK_CHECK_ALLOW_PRIVATE", False)))
    at = clock.now()
    dead = 0
    for link_id, url in todo:
        status = results.get(url)
        if status is None:  # not a web link after all (check_urls skipped it)
            continue
        dead += 0 if status.ok else 1
        db.session.execute(CheckedLink.__table__.update().where(CheckedLink.id == link_id).values(
            ok=status.ok, status=status.status, reason=(status.reason or "")[:300], checked_at=at))
    db.session.commit()
    return {"checked": len(todo), "dead": dead}


def run_link_check(*, items: int | None = None, urls: int | None = None, now=None) -> dict:
    """One run of the background job: scan changed items, check due links."""
    cfg = current_app.config
    scanned = scan_changed_items(items or cfg.get("LANMU_LINK_CHECK_ITEMS_PER_RUN", 1000))
    result = check_due_links(urls or cfg.get("LANMU_LINK_CHECK_PER_RUN", 200), now)
    return {"scanned": scanned, **result}


def problem_items(site_id=None):
    """Per published item with a dead or hidden link: (id, title, unit_id,
    author_id, dead, hidden). One query."""
    dead = case((CheckedLink.ok.is_(False), 1), else_=0)
    hidden = case((ItemLink.hidden.is_not(None), 1), else_=0)
    stmt = (select(Item.id, Item.title, Item.unit_id, Item.author_id,
                   func.sum(dead).label("dead"), func.sum(hidden).label("hidden"))
            .join(ItemLink, ItemLink.item_id == Item.id)
            .outerjoin(CheckedLink, CheckedLink.id == ItemLink.link_id)
            .where(Item.status == PUBLISHED, or_(CheckedLink.ok.is_(False), ItemLink.hidden.is_not(None)))
            .group_by(Item.id, Item.title, Item.unit_id, Item.author_id)
            .order_by(Item.id))
    if site_id is not None:
        from ..sites.models import Column
        stmt = stmt.join(Column, Column.id == Item.column_id).where(Column.site_id == site_id)
    return db.session.execute(stmt).all()


def sweep_links(ctx):
    """The scheduler's sweep (R-52, R-80): run the link job, then remind the
    authors and units of published items with dead or hidden links (once a
    week per item; hidden links are urgent: a 暗链 on a public page is what a
    hacked site carries)."""
    from ..reminders.engine import Notice
    app = ctx.app
    if app.config.get("LANMU_LINK_CHECK_IN_SWEEP", True):
        try:
            run_link_check()
        except Exception:  # a link check must never stop the other reminders
            db.session.rollback()
            app.logger.exception("link check failed")
    year, week, _day = ctx.now.isocalendar()
    notices = []
    for item_id, title, unit_id, author_id, n_dead, n_hidden in problem_items():
        parts = []
        if n_hidden:
            parts.append(f"{n_hidden}个隐藏链接（暗链）")
        if n_dead:
            parts.append(f"{n_dead}个链接无法访问")
        notices.append(Notice(
            kind="item_links", key=f"item:{item_id}", period=f"{year}-W{week:02d}",
            severity="warn", title=f"已发布信息“{title}”中有" + "、".join(parts) + "，请尽快处理",
            url=ctx.link("items.view", item_id=item_id), unit_id=unit_id, users=[author_id],
            urgent=bool(n_hidden)))
    return notices
