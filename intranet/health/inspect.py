"""The inspection health view (R-93): the national inspection rules applied to
a site now or at any past date, from the reminders' set-based `column_facts`
and the R-12 lines of `reminders.rules` (one query for every column of every
site, whatever their number).

Lines (docs/assessment.md, "Inspection health"):
- homepage: days since anything on the site was published; at risk from the
  early-warning day (10), veto at the 2-week line (14);
- stale key columns: key columns (`is_key`) past their staleness line
  (news 2 weeks, notice/policy 6 months, personnel/planning 1 year, by the
  column's `staleness_class`); veto at LANMU_HEALTH_VETO_STALE_KEY (5);
- long-stale columns: every column past its line ("应更新但长期未更新");
  veto at LANMU_HEALTH_VETO_LONG_STALE (10);
- blank columns: no published item a week after creation; veto at
  LANMU_HEALTH_VETO_BLANK (5);
- messages unanswered beyond 3 months (R-73): veto at one; at risk from
  LANMU_HEALTH_UNANSWERED_WARN_DAYS; from the `unanswered_messages` provider;
- content-check findings on published items: at risk when any; from the
  `published_findings` provider (never a veto by itself).
A count line is "at risk" when the columns past the line plus the columns
about to cross it (inside the early-warning window, or new empty columns)
reach the line minus LANMU_HEALTH_RISK_MARGIN (2).

Past dates: publications after the date are ignored, columns created after it
are left out. The core keeps no withdrawal or archive dates, so an item
withdrawn since (or a column archived since) is treated as never published
(never there); the review engine's ledger can refine this later."""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..assessment.providers import provide
from ..extensions import db
from ..reminders.rules import STALENESS_LINES, STALENESS_NAMES, ColumnFacts, evaluate_staleness
from ..reminders.sweeps import column_facts, has_items_by_type, staleness_findings
from ..sites.models import Site

PASS, RISK, VETO, NO_DATA = "pass", "risk", "veto", "nodata"
STATE_LABELS = {PASS: "达标", RISK: "有风险", VETO: "单项否决", NO_DATA: "无数据"}
STATE_ORDER = {PASS: 0, NO_DATA: 0, RISK: 1, VETO: 2}
BLANK_GRACE = timedelta(days=7)  # as in reminders.rules.evaluate_staleness


@dataclass
class ColumnFinding:
    column_id: int
    name: str
    unit_id: int
    unit: str
    staleness_class: str
    is_key: bool
    last: datetime | None
    days: int | None
    state: str          # stale | warn | blank | new_blank
    message: str

    @property
    def class_label(self):
        return STALENESS_NAMES.get(self.staleness_class, "")


@dataclass
class Line:
    code: str
    label: str
    count: int | None
    line: int | None
    state: str
    text: str
    findings: list = field(default_factory=list)

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


@dataclass
class Health:
    site: object
    at: datetime
    homepage_last: datetime | None
    homepage_days: int | None
    lines: list
    columns: list          # every ColumnFinding
    messages: list | None  # unanswered beyond the veto age
    messages_warn: list | None
    checks: list | None

    @property
    def state(self):
        return max((ln.state for ln in self.lines), key=lambda s: STATE_ORDER[s], default=PASS)

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    def line(self, code):
        return next(ln for ln in self.lines if ln.code == code)


def as_of(day):
    """The moment a date is inspected at: its end, or now for today."""
    now = clock.now()
    if day is None or day >= now.date():
        return now
    return datetime.combine(day, time(23, 59, 59))


def _settings():
    c = current_app.config
    return {"stale_key": c["LANMU_HEALTH_VETO_STALE_KEY"], "long_stale": c["LANMU_HEALTH_VETO_LONG_STALE"],
            "blank": c["LANMU_HEALTH_VETO_BLANK"], "margin": c["LANMU_HEALTH_RISK_MARGIN"],
            "unanswered": c["LANMU_HEALTH_UNANSWERED_DAYS"], "unanswered_warn": c["LANMU_HEALTH_UNANSWERED_WARN_DAYS"]}


def _count_state(count, soon, line, margin):
    if count >= line:
        return VETO
    if count + soon >= max(line - margin, 1):
        return RISK
    return PASS


def inspect_all(at, site_ids=None, facts=None, staleness=None):
    """{site id: Health} for the active sites at `at`, from one column_facts query
    (or the rows of one already made at `at`, given as `facts`, with their
    `reminders.sweeps.staleness_findings` at `at` as `staleness` when the
    caller has them: the scheduler's sweep evaluates them once for the
    columns' reminders and this view)."""
    sites = db.session.execute(select(Site).where(Site.active.is_(True)).order_by(Site.id)).scalars().all()
    if site_ids is not None:
        sites = [s for s in sites if s.id in set(site_ids)]
    rows_by_site = {}
    units = {}
    from ..org.models import Unit
    for uid, name in db.session.execute(select(Unit.id, Unit.name)).all():
        units[uid] = name
    if facts is None:
        facts = column_facts(at, site_id=sites[0].id if len(sites) == 1 else None)
    for row in facts:
        if row.created_at > at:
            continue
        rows_by_site.setdefault(row.site_id, []).append(row)
    if staleness is None:
        staleness = staleness_findings([row for rows in rows_by_site.values() for row in rows], at)
    has_items = has_items_by_type()
    cfg = _settings()
    messages = provide("unanswered_messages", at, at - timedelta(days=cfg["unanswered"]))
    messages_warn = provide("unanswered_messages", at, at - timedelta(days=cfg["unanswered_warn"]))
    checks = provide("published_findings", at)
    # each message or finding to its site in one pass (not one pass per site), in order
    site_of_column = {row.id: site_id for site_id, site_rows in rows_by_site.items() for row in site_rows}
    messages, messages_warn, checks = (_by_site(x, site_of_column) for x in (messages, messages_warn, checks))
    out = {}
    for site in sites:
        rows = rows_by_site.get(site.id, [])
        findings = []
        last_any = None
        for row in rows:
            last = row.last
            if last is not None and (last_any is None or last > last_any):
                last_any = last
            f = staleness.get(row.id)
            if f is None:
                # nothing past a line; a column not yet blank but still empty is shown as new
                if last is not None or row.staleness_class not in STALENESS_LINES or not has_items[row.type]:
                    continue
                state, message = "new_blank", "新建栏目，尚未发布信息（满7天仍无信息即为空白栏目）"
            elif f.kind == "column_blank":
                state, message = "blank", f.message
            elif f.severity in ("veto", "overdue"):
                state, message = "stale", f.message
            else:
                state, message = "warn", f.message
            findings.append(ColumnFinding(row.id, row.name, row.unit_id, units.get(row.unit_id, ""),
                                          row.staleness_class, bool(row.is_key), last,
                                          (at - last).days if last else None, state, message))
        out[site.id] = _health(site, at, last_any, findings, cfg, *(
            None if x is None else x.get(site.id, []) for x in (messages, messages_warn, checks)))
    return out


def _by_site(rows, site_of_column):
    """{site id: [row]} of provider rows (dicts with a column_id), order kept; None stays None."""
    if rows is None:
        return None
    out = {}
    for r in rows:
        site_id = site_of_column.get(r.get("column_id"))
        if site_id is not None:
            out.setdefault(site_id, []).append(r)
    return out


def _health(site, at, last_any, findings, cfg, messages, messages_warn, checks):
    homepage = ColumnFacts(id=site.id, created_at=site.created_at, rule_kind="timely", rule_n=None, rule_dates="",
                           staleness_class="homepage", last=last_any)
    hf = evaluate_staleness(homepage, at)
    warn_days, line_days = STALENESS_LINES["homepage"]
    days = (at - last_any).days if last_any else ((at - site.created_at).days if site.created_at else None)
    if last_any is None:
        home_state = VETO if hf is not None else RISK
        home_text = "网站至今没有发布任何信息"
    else:
        home_state = VETO if days >= line_days else RISK if days >= warn_days else PASS
        home_text = f"首页已{days}天未更新（检查红线{line_days}天，{warn_days}天起预警）"
    stale = [f for f in findings if f.state == "stale"]
    warn = [f for f in findings if f.state == "warn"]
    blank = [f for f in findings if f.state == "blank"]
    new_blank = [f for f in findings if f.state == "new_blank"]
    stale_key = [f for f in stale if f.is_key]
    warn_key = [f for f in warn if f.is_key]
    m = cfg["margin"]
    lines = [
        Line("homepage", "首页更新", days, line_days, home_state, home_text),
        Line("stale_key", "重点栏目超期未更新", len(stale_key), cfg["stale_key"],
             _count_state(len(stale_key), len(warn_key), cfg["stale_key"], m),
             f"{len(stale_key)}个重点栏目超过检查红线未更新，{len(warn_key)}个即将超期（{cfg['stale_key']}个即单项否决）",
             stale_key + warn_key),
        Line("long_stale", "栏目长期未更新", len(stale), cfg["long_stale"],
             _count_state(len(stale), len(warn), cfg["long_stale"], m),
             f"{len(stale)}个栏目超过检查红线未更新，{len(warn)}个即将超期（{cfg['long_stale']}个即单项否决）",
             stale + warn),
        Line("blank", "空白栏目", len(blank), cfg["blank"], _count_state(len(blank), len(new_blank), cfg["blank"], m),
             f"{len(blank)}个空白栏目，{len(new_blank)}个新建栏目尚无信息（{cfg['blank']}个即单项否决）",
             blank + new_blank),
    ]
    if messages is None:
        lines.append(Line("messages", "留言超3个月未答复", None, 1, NO_DATA, "互动留言数据未接入（无数据）"))
    else:
        soon = [r for r in (messages_warn or []) if r["message_id"] not in {x["message_id"] for x in messages}]
        state = VETO if messages else RISK if soon else PASS
        lines.append(Line("messages", "留言超3个月未答复", len(messages), 1, state,
                          f"{len(messages)}条留言超过{cfg['unanswered']}天未答复，{len(soon)}条超过"
                          f"{cfg['unanswered_warn']}天", list(messages) + soon))
    if checks is None:
        lines.append(Line("checks", "已发布信息内容检查", None, None, NO_DATA, "内容检查数据未接入（无数据）"))
    else:
        lines.append(Line("checks", "已发布信息内容检查", len(checks), None, RISK if checks else PASS,
                          f"已发布信息中有{len(checks)}处内容检查问题", list(checks)))
    return Health(site=site, at=at, homepage_last=last_any, homepage_days=days, lines=lines, columns=findings,
                  messages=messages, messages_warn=messages_warn, checks=checks)


def inspect(site, at):
    return inspect_all(at, site_ids=[site.id])[site.id]


# --- reminders ----------------------------------------------------------------

def sweep_health(ctx):
    """Site-level notices for lines at risk or vetoed; one per site, line, state
    and ISO week (the columns themselves are reminded by the core's sweeps)."""
    from ..reminders.engine import Notice
    notices = []
    iso = ctx.now.isocalendar()
    week = f"{iso[0]}-W{iso[1]:02d}"
    from ..reminders.sweeps import sweep_column_facts, sweep_staleness
    for site_id, h in inspect_all(ctx.now, facts=sweep_column_facts(ctx), staleness=sweep_staleness(ctx)).items():
        for ln in h.lines:
            if ln.state not in (RISK, VETO) or ln.code == "homepage":
                continue  # the homepage has its own core sweep
            notices.append(Notice(
                kind="health_line", key=f"site:{site_id}:{ln.code}", period=f"{ln.state}-{week}",
                severity="veto" if ln.state == VETO else "warn",
                title=f"网站“{h.site.name}”{ln.label}：{STATE_LABELS[ln.state]}",
                text=ln.text, url=ctx.link("health.site", site_id=site_id), unit_id=h.site.unit_id,
                overdue_since=ctx.now if ln.state == VETO else None, urgent=ln.state == VETO))
    return notices
