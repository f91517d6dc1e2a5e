"""The core's sweeps: columns by update rule and staleness line (R-11, R-12),
site homepages, units whose columns are all long stale (R-13), passwords about
to expire (R-04) and expired items (R-25). Each is a fixed number of set-based
queries, whatever the number of columns."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, func, select, update

from .. import audit
from ..bulk import named_rows
from ..columntypes import registry
from ..extensions import db
from ..items.models import PUBLISHED, Item
from ..org.models import Unit, User
from ..sites.models import Column, Site
from .engine import Notice
from .rules import STALENESS_LINES, ColumnFacts, evaluate_rule, evaluate_staleness, windows

PORTAL_HIDE_AFTER = timedelta(days=90)  # "超过3个月"


def column_facts(now, site_id=None):
    """One row of aggregated publish data per live column, in one query."""
    w = windows(now)
    published = and_(Item.status == PUBLISHED, Item.first_published_at.is_not(None))

    def count_between(a, b):
        return func.sum(case((and_(published, Item.first_published_at >= a, Item.first_published_at < b), 1),
                             else_=0))
    stmt = (select(Column.id, Column.site_id, Column.name, Column.unit_id, Column.type, Column.created_at,
                   Column.rule_kind, Column.rule_n, Column.rule_dates, Column.staleness_class, Column.is_key,
                   # bounded by `now` so the facts at a past date ignore later publications
                   func.max(case((and_(published, Item.first_published_at <= now), Item.first_published_at)))
                   .label("last"),
                   count_between(w["week"], now + timedelta(seconds=1)).label("this_week"),
                   count_between(w["prev_week"], w["week"]).label("last_week"),
                   count_between(w["month"], now + timedelta(seconds=1)).label("this_month"),
                   count_between(w["prev_month"], w["month"]).label("last_month"))
            .join(Site, Site.id == Column.site_id)
            .outerjoin(Item, Item.column_id == Column.id)
            .where(Column.archived.is_(False), Site.active.is_(True))
            .group_by(Column.id))
    if site_id is not None:
        stmt = stmt.where(Column.site_id == site_id)
    # named tuples, not Rows: the sweep reads ~30 fields of each of 10^5 columns (intranet/bulk.py)
    return named_rows(db.session.execute(stmt))


def sweep_column_facts(ctx):
    """column_facts at the sweep's time, queried once per sweep and shared by
    every sweep that needs it (columns, portal links, inspection health)."""
    return ctx.memo("column_facts", lambda: column_facts(ctx.now))


def has_items_by_type():
    """{type id: has_items} filled as types are met (a lookup per type, not per column)."""
    types = registry()

    class HasItems(dict):
        def __missing__(self, type_id):
            value = self[type_id] = types.get(type_id).has_items
            return value
    return HasItems()


def staleness_findings(rows, now):
    """{column id: R-12 Finding} of the `rows` of column_facts (types with
    items, a staleness class) that are blank, stale or about to be at `now`;
    a column absent has none. The rows go to the rule as they are (they have
    the fields it reads)."""
    has_items = has_items_by_type()
    out = {}
    for row in rows:
        if row.staleness_class in STALENESS_LINES and has_items[row.type]:
            finding = evaluate_staleness(row, now)
            if finding is not None:
                out[row.id] = finding
    return out


def sweep_staleness(ctx):
    """staleness_findings of sweep_column_facts at the sweep's time, evaluated
    once per sweep and shared by the columns sweep and the inspection health
    sweep (which must judge every column exactly as the reminders do)."""
    return ctx.memo("column_staleness", lambda: staleness_findings(sweep_column_facts(ctx), ctx.now))


def sweep_columns(ctx):
    has_items = has_items_by_type()
    stale = sweep_staleness(ctx)
    notices = []
    for row in sweep_column_facts(ctx):
        if not has_items[row.type]:
            continue
        # the row has every field the rule reads (counts are 0, never NULL: SUM over CASE ... ELSE 0)
        rule = evaluate_rule(row, ctx.now, ctx.calendar)
        staleness = stale.get(row.id)
        if rule is None and staleness is None:
            continue
        link = ctx.link("items.new", column=row.id)
        for finding in (rule, staleness):
            if finding is None:
                continue
            overdue_since = finding.due_at if finding.severity != "warn" else None
            if finding.kind == "column_blank":
                overdue_since = row.created_at + timedelta(days=7)
            notices.append(Notice(
                kind=finding.kind, key=f"column:{row.id}", period=finding.period, severity=finding.severity,
                title=f"栏目“{row.name}”{finding.message}", text=f"请及时向栏目“{row.name}”报送信息。", url=link,
                due_at=finding.due_at, unit_id=row.unit_id, overdue_since=overdue_since,
                urgent=finding.severity == "veto"))
    return notices


def sweep_homepages(ctx):
    """A site's homepage is fresh when anything on the site was published recently."""
    rows = db.session.execute(
        select(Site.id, Site.name, Site.unit_id, Site.created_at, func.max(Item.first_published_at))
        .join(Column, Column.site_id == Site.id).outerjoin(
            Item, and_(Item.column_id == Column.id, Item.status == PUBLISHED))
        .where(Site.active.is_(True)).group_by(Site.id)).all()
    notices = []
    for site_id, name, unit_id, created_at, last in rows:
        facts = ColumnFacts(id=site_id, created_at=created_at, rule_kind="timely", rule_n=None, rule_dates="",
                            staleness_class="homepage", last=last)
        finding = evaluate_staleness(facts, ctx.now)
        if finding is None:
            continue
        notices.append(Notice(
            kind="site_homepage", key=f"site:{site_id}", period=finding.period, severity=finding.severity,
            title=f"网站“{name}”首页{finding.message}", text="首页超过2周未更新属于单项否决指标，请尽快更新。",
            url=ctx.link("dashboard.index"), due_at=finding.due_at, unit_id=unit_id,
            overdue_since=finding.due_at if finding.severity != "warn" else None, urgent=finding.severity == "veto"))
    return notices


def sweep_portal_links(ctx):
    """R-13: hide the portal link of units whose columns have all been stale for
    more than 3 months; restore it once they publish again. Logged and shown."""
    has_items = has_items_by_type()
    line = ctx.now - PORTAL_HIDE_AFTER
    per_unit = {}
    for row in sweep_column_facts(ctx):
        if not has_items[row.type]:
            continue
        fresh = row.last is not None and row.last >= line
        old_enough = row.created_at < line
        state = per_unit.setdefault(row.unit_id, {"fresh": False, "old": True})
        state["fresh"] |= fresh
        state["old"] &= old_enough
    hide = [u for u, s in per_unit.items() if not s["fresh"] and s["old"]]
    restore = [u for u, s in per_unit.items() if s["fresh"]]
    notices = []
    newly_hidden = db.session.execute(select(Unit).where(Unit.id.in_(hide), Unit.portal_link_hidden.is_(False))).scalars().all()
    newly_restored = db.session.execute(select(Unit).where(Unit.id.in_(restore), Unit.portal_link_hidden.is_(True))).scalars().all()
    if newly_hidden:
        db.session.execute(update(Unit).where(Unit.id.in_([u.id for u in newly_hidden])).values(portal_link_hidden=True))
    if newly_restored:
        db.session.execute(update(Unit).where(Unit.id.in_([u.id for u in newly_restored])).values(portal_link_hidden=False))
    for unit in newly_hidden:
        audit.record("portal_link_hidden", unit, detail={"reason": "所有栏目超过3个月未更新"}, unit_id=unit.id)
        notices.append(Notice(
            kind="portal_link", key=f"unit:{unit.id}", period=f"hidden-{ctx.now:%Y-%m-%d}", severity="veto",
            title=f"“{unit.name}”所有栏目超过3个月未更新，已暂停其在门户首页的链接",
            text="发布新信息后链接将自动恢复。", url=ctx.link("dashboard.index"), unit_id=unit.id,
            overdue_since=ctx.now, urgent=True))
    for unit in newly_restored:
        audit.record("portal_link_restored", unit, detail={"reason": "已发布新信息"}, unit_id=unit.id)
    return notices


def sweep_passwords(ctx):
    cfg = current_app.config
    max_age = timedelta(days=cfg["LANMU_PASSWORD_MAX_AGE_DAYS"])
    warn = timedelta(days=cfg["LANMU_PASSWORD_WARN_DAYS"])
    rows = db.session.execute(select(User.id, User.password_changed_at).where(
        User.active.is_(True), User.password_changed_at <= ctx.now - max_age + warn)).all()
    notices = []
    for user_id, changed in rows:
        expires = changed + max_age
        expired = expires <= ctx.now
        notices.append(Notice(
            kind="password", key=f"user:{user_id}", period=f"{changed:%Y-%m-%d}",
            severity="overdue" if expired else "warn",
            title="您的登录密码已过期，请登录后修改" if expired else f"您的登录密码将于{expires:%m月%d日}过期，请及时修改",
            url=ctx.link("auth.change_password"), due_at=expires, users=[user_id]))
    return notices


def sweep_expired_items(ctx):
    """R-25: published items past their expiry date must be cleaned up."""
    rows = db.session.execute(select(Item.id, Item.title, Item.unit_id, Item.author_id, Item.expires_at).where(
        Item.status == PUBLISHED, Item.expires_at.is_not(None), Item.expires_at <= ctx.now)).all()
    return [Notice(kind="item_expired", key=f"item:{i}", period=f"{exp:%Y-%m-%d}", severity="warn",
                   title=f"信息“{title}”已过有效期，已不在网站显示，请确认是否清理或更新",
                   url=ctx.link("items.view", item_id=i), due_at=exp, unit_id=unit_id, users=[author_id])
            for i, title, unit_id, author_id, exp in rows]


CORE_SWEEPS = [sweep_columns, sweep_homepages, sweep_portal_links, sweep_passwords, sweep_expired_items]
