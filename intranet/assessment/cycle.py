"""The monthly cycle (003 篇二 四) and the yearly summary (五).

Month M of year Y:
- the self-assessment window opens on the 1st of M+1 and closes at the end of
  LANMU_ASSESSMENT_SELF_DUE_DAY (10th) of M+1; units see the computed figures
  pre-filled and may submit again until it closes;
- the unified assessment starts once the window has closed (so no
  self-assessment arrives after the assessor has weighed it) and is fixed by
  the end of LANMU_ASSESSMENT_UNIFIED_DUE_DAY (15th) of M+1; every figure the
  assessor sets differently from the self-assessment or the computed figure
  needs a reason;
- once fixed, the results are published (intranet page, optionally public) by
  LANMU_ASSESSMENT_PUBLISH_DUE_DAY of M+1 (default: its last day);
- the yearly summary of Y is due on LANMU_ASSESSMENT_YEAR_DUE (01-31) of Y+1.

Reminders before each date come from `sweep_assessment`, registered with the
scheduler's `register_sweep`."""
import calendar as pycal
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from .. import audit, clock
from ..extensions import db
from ..org import roles
from ..org.models import RoleAssignment, Unit, User
from ..reminders.engine import Notice
from . import scoring
from .models import (FIXED, OPEN, PUBLISHED, SCORE_FIELDS, AssessmentAdjustment,
                     AssessmentMonth, AssessmentScore, AssessmentYear)

SELF_ROLES = {roles.OFFICER, roles.LIAISON, roles.DEPT_HEAD, roles.LEADER, roles.PRINCIPAL}


class CycleError(Exception):
    """A step refused, with a Chinese message for the page."""


def next_month(year, month):
    return (year + 1, 1) if month == 12 else (year, month + 1)


def prev_month(year, month):
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _day_of_next_month(year, month, day):
    y, m = next_month(year, month)
    last = pycal.monthrange(y, m)[1]
    return date(y, m, min(day, last) if day else last)


@dataclass
class Dates:
    opens: datetime        # the self-assessment window opens
    self_due: datetime     # ... and closes (end of the day)
    unified_due: datetime  # the unified assessment fixed by (end of the day)
    publish_due: datetime  # results published by (end of the day)


def dates(year, month, config=None):
    c = config or current_app.config
    y, m = next_month(year, month)
    end = scoring.END_OF_DAY
    return Dates(opens=datetime(y, m, 1),
                 self_due=datetime.combine(_day_of_next_month(year, month, c["LANMU_ASSESSMENT_SELF_DUE_DAY"]), end),
                 unified_due=datetime.combine(_day_of_next_month(year, month, c["LANMU_ASSESSMENT_UNIFIED_DUE_DAY"]), end),
                 publish_due=datetime.combine(_day_of_next_month(year, month, c["LANMU_ASSESSMENT_PUBLISH_DUE_DAY"]), end))


def year_due(year, config=None):
    c = config or current_app.config
    mm, dd = (int(x) for x in c["LANMU_ASSESSMENT_YEAR_DUE"].split("-"))
    return datetime.combine(date(year + 1, mm, dd), scoring.END_OF_DAY)


# --- who may do what -------------------------------------------------------

def is_assessor(user, unit=None):
    """Sysadmin, or a holder of an assessor role (webmaster) in the unit or above."""
    if not user.is_authenticated:
        return False
    if user.is_sysadmin:
        return True
    wanted = set(current_app.config["LANMU_ASSESSMENT_ASSESSOR_ROLES"])
    held = {m.unit_id for m in user.memberships if m.role in wanted}
    if not held:
        return False
    if unit is None:
        return True
    return unit.id in held or any(a.id in held for a in unit.ancestors())


def may_self_assess(user, unit):
    return user.is_authenticated and any(m.unit_id == unit.id and m.role in SELF_ROLES for m in user.memberships)


def assessor_ids():
    """People reminded of the assessor's dates: assessor roles held in a root unit."""
    wanted = list(current_app.config["LANMU_ASSESSMENT_ASSESSOR_ROLES"])
    rows = db.session.execute(select(RoleAssignment.user_id).join(Unit, Unit.id == RoleAssignment.unit_id)
                              .join(User, User.id == RoleAssignment.user_id)
                              .where(RoleAssignment.role.in_(wanted), Unit.parent_id.is_(None),
                                     User.active.is_(True))).scalars().all()
    return sorted(set(rows))


# --- the month ---------------------------------------------------------------

def get_month(year, month, create=True):
    m = db.session.execute(select(AssessmentMonth).filter_by(year=year, month=month)).scalar()
    if m is None and create:
        m = AssessmentMonth(year=year, month=month, status=OPEN, created_at=clock.now())
        db.session.add(m)
        db.session.flush()
    return m


def month_has_ended(year, month, now):
    return now >= dates(year, month).opens


def refresh(month_row):
    """Create or refresh every assessed unit's computed figures (not once fixed)."""
    if month_row.status != OPEN:
        return {s.unit_id: s for s in month_row.scores}
    units = scoring.assessed_units()
    figures = scoring.compute_month(month_row.year, month_row.month, units=units)
    existing = {s.unit_id: s for s in month_row.scores}
    now = clock.now()
    for u in units:
        s = existing.get(u.id)
        if s is None:
            s = AssessmentScore(month_id=month_row.id, unit_id=u.id)
            db.session.add(s)
            month_row.scores.append(s)
            existing[u.id] = s
        f = figures[u.id]
        s.items, s.frequency_level = f["items"], f["level"]
        s.computed_frequency, s.computed_volume = f["frequency"], f["volume"]
        s.detail_json = scoring.detail_json(f["detail"])
        s.computed_at = now
    db.session.flush()
    assessed = {u.id for u in units}
    return {uid: s for uid, s in existing.items() if uid in assessed or s.unified_at or s.self_submitted_at}


# The most points any figure may have when its setting sets no maximum (the
# volume is uncapped by default): a bound no real month reaches, far inside
# the integer columns, so a mistyped figure is refused with a message.
MAX_POINTS = 100_000


def _check_points(values, settings):
    """Chinese messages for the figures that cannot be saved. A value is an
    int, None (not filled in) or the text typed when it is not a whole number."""
    errors = []
    for name, value in values.items():
        if value is None:
            errors.append(f"请填写“{_label(name)}”")
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(f"“{_label(name)}”须填写整数")
            continue
        if value < 0:
            errors.append(f"“{_label(name)}”不能为负数")
        top = settings.maximum(name)
        top = MAX_POINTS if top is None else min(top, MAX_POINTS)
        if value > top:
            errors.append(f"“{_label(name)}”最多{top}分")
        if name == "frequency" and value not in (0, *settings.frequency.values()):
            allowed = "、".join(str(v) for v in sorted({0, *settings.frequency.values()}))
            errors.append(f"“信息更新频率”只能是{allowed}分")
    return errors


def _label(name):
    from .models import FIELD_LABELS
    return FIELD_LABELS.get(name, name)


def submit_self(month_row, unit, user, values, note="", now=None):
    """The unit's self-assessment; values: {field: int} for SCORE_FIELDS."""
    now = now or clock.now()
    d = dates(month_row.year, month_row.month)
    if now < d.opens:
        raise CycleError(f"{month_row.label}尚未结束，{d.opens:%m月%d日}起可以自评。")
    if now > d.self_due:
        raise CycleError(f"{month_row.label}的自评已于{d.self_due:%m月%d日}截止。")
    if month_row.status != OPEN:
        raise CycleError("本月考核已定稿，不能再提交自评。")
    settings = scoring.Settings.from_config()
    errors = _check_points(values, settings)
    if errors:
        raise CycleError("；".join(errors))
    scores = refresh(month_row)
    s = scores.get(unit.id)
    if s is None:
        raise CycleError("该单位不在考核范围内。")
    for name in SCORE_FIELDS:
        setattr(s, f"self_{name}", values[name])
    s.self_note = note or ""
    s.self_submitted_at, s.self_submitted_by_id = now, user.id
    audit.record("assessment_self", s, detail={"period": month_row.period, **values}, user=user, unit_id=unit.id)
    return s


def adjustments_needed(score, values):
    """[(field, self value, computed value, new value)] that need a reason: the
    new figure differs from the self-assessment, or (frequency, volume) from
    the computed figure."""
    out = []
    submitted = score.self_submitted_at is not None
    for name in SCORE_FIELDS:
        new = values[name]
        own = score.self_value(name) if submitted else None
        computed = score.computed_value(name)
        if (submitted and new != own) or (computed is not None and new != computed):
            out.append((name, own, computed, new))
    return out


def save_unified(month_row, unit, user, values, reasons, now=None):
    """The assessor's figures for one unit; reasons: {field: text}."""
    now = now or clock.now()
    d = dates(month_row.year, month_row.month)
    if now <= d.self_due:
        raise CycleError(f"自评{d.self_due:%m月%d日}截止后才能进行统一考核。")
    if month_row.status != OPEN:
        raise CycleError("本月考核已定稿。")
    if not is_assessor(user, unit):
        raise CycleError("您不是该单位的考核人。")
    settings = scoring.Settings.from_config()
    errors = _check_points(values, settings)
    scores = refresh(month_row)
    s = scores.get(unit.id)
    if s is None:
        raise CycleError("该单位不在考核范围内。")
    needed = adjustments_needed(s, values)
    for name, _own, _computed, _new in needed:
        if not (reasons.get(name) or "").strip():
            errors.append(f"“{_label(name)}”与自评或系统计算不同，请填写调整理由")
    if errors:
        raise CycleError("；".join(errors))
    for name in SCORE_FIELDS:
        setattr(s, name, values[name])
    s.total = sum(values[n] for n in SCORE_FIELDS)
    s.unified_at, s.unified_by_id = now, user.id
    for a in list(s.adjustments):
        s.adjustments.remove(a)
    for name, own, computed, new in needed:
        s.adjustments.append(AssessmentAdjustment(field=name, self_value=own, computed_value=computed, value=new,
                                                  reason=reasons[name].strip(), by_id=user.id, at=now))
    audit.record("assessment_unified", s, detail={"period": month_row.period, **values,
                                                   "reasons": {n: reasons[n] for n, *_ in needed}},
                 user=user, unit_id=unit.id)
    return s


def fix_month(month_row, user, now=None):
    now = now or clock.now()
    d = dates(month_row.year, month_row.month)
    if month_row.status != OPEN:
        raise CycleError("本月考核已经定稿。")
    if now <= d.self_due:
        raise CycleError(f"自评{d.self_due:%m月%d日}截止后才能定稿。")
    if not is_assessor(user):
        raise CycleError("只有考核人可以定稿。")
    scores = refresh(month_row)
    missing = [s.unit.name for s in scores.values() if s.unified_at is None]
    if missing:
        raise CycleError("以下单位尚未完成统一考核：" + "、".join(missing))
    month_row.status, month_row.fixed_at, month_row.fixed_by_id = FIXED, now, user.id
    month_row.settings_json = json.dumps(scoring.Settings.from_config().as_dict(), ensure_ascii=False)
    audit.record("assessment_fixed", month_row, detail={"period": month_row.period, "late": now > d.unified_due},
                 user=user)
    return month_row


def publish_month(month_row, user, public=False, now=None):
    now = now or clock.now()
    if month_row.status == OPEN:
        raise CycleError("定稿后才能公布考核结果。")
    if not is_assessor(user):
        raise CycleError("只有考核人可以公布考核结果。")
    month_row.status, month_row.published_at, month_row.published_by_id = PUBLISHED, now, user.id
    month_row.public = bool(public)
    audit.record("assessment_published", month_row, detail={"period": month_row.period, "public": bool(public)},
                 user=user)
    return month_row


def results(month_row):
    """Scores of a month in ranking order (total desc, then frequency, then items)."""
    rows = [s for s in month_row.scores if s.unified_at is not None]
    rows.sort(key=lambda s: (-(s.total or 0), -(s.frequency or 0), -s.items, s.unit.sort_order, s.unit_id))
    ranked, prev_key, rank = [], None, 0
    for i, s in enumerate(rows, 1):
        key = (s.total, s.frequency, s.items)
        if key != prev_key:
            rank, prev_key = i, key
        ranked.append((rank, s))
    return ranked


# --- the year ----------------------------------------------------------------

def year_summary(year):
    """Totals per unit over the year's fixed months, ranking, prizes, failing.

    Ranking: total points (sum of the fixed months) descending; ties broken by
    the update-frequency points, then by the number of published items; units
    equal on all three share the rank (1, 2, 2, 4) and the prize of that rank,
    even when that awards more prizes than LANMU_ASSESSMENT_PRIZES counts.
    Prizes go by rank: rank 1 first prize, ranks 2-3 second, 4-6 third (with
    the default 1/2/3). A failing unit (average monthly score below
    LANMU_ASSESSMENT_FAIL_BELOW) gets no prize, and its prize is not passed on.
    """
    settings = scoring.Settings.from_config()
    months = db.session.execute(select(AssessmentMonth).where(
        AssessmentMonth.year == year, AssessmentMonth.status.in_([FIXED, PUBLISHED]))
        .order_by(AssessmentMonth.month)).scalars().all()
    per_unit = {}
    for m in months:
        for s in m.scores:
            if s.unified_at is None:
                continue
            row = per_unit.setdefault(s.unit_id, {"unit_id": s.unit_id, "unit": s.unit.name, "total": 0,
                                                  "frequency": 0, "items": 0, "months": 0, "leadership": 0,
                                                  "volume": 0, "by_month": {}})
            row["total"] += s.total or 0
            row["frequency"] += s.frequency or 0
            row["volume"] += s.volume or 0
            row["leadership"] += s.leadership or 0
            row["items"] += s.items
            row["months"] += 1
            row["by_month"][m.month] = s.total
    rows = sorted(per_unit.values(), key=lambda r: (-r["total"], -r["frequency"], -r["items"], r["unit_id"]))
    prize_of_rank = {}
    position = 1
    for prize, count in enumerate(settings.prizes, 1):
        for _ in range(count):
            prize_of_rank[position] = prize
            position += 1
    prev_key, rank = None, 0
    for i, r in enumerate(rows, 1):
        key = (r["total"], r["frequency"], r["items"])
        if key != prev_key:
            rank, prev_key = i, key
        r["rank"] = rank
        r["average"] = round(r["total"] / r["months"], 1) if r["months"] else 0
        r["failing"] = r["average"] < settings.fail_below
        r["prize"] = None if r["failing"] else prize_of_rank.get(rank)
    fixed_months = [m.month for m in months]
    return {"year": year, "rows": rows, "months": fixed_months,
            "missing_months": [mm for mm in range(1, 13) if mm not in fixed_months],
            "failing": [r for r in rows if r["failing"]], "fail_below": settings.fail_below,
            "due": year_due(year)}


def fix_year(year, user, now=None):
    now = now or clock.now()
    if not is_assessor(user):
        raise CycleError("只有考核人可以确认年度汇总。")
    summary = year_summary(year)
    if not summary["months"]:
        raise CycleError(f"{year}年还没有已定稿的月度考核。")
    row = db.session.execute(select(AssessmentYear).filter_by(year=year)).scalar()
    if row is None:
        row = AssessmentYear(year=year)
        db.session.add(row)
    data = dict(summary, due=summary["due"].isoformat())
    data["failing"] = [r["unit_id"] for r in summary["failing"]]
    row.data_json = json.dumps(data, ensure_ascii=False, default=str)
    row.fixed_at, row.fixed_by_id = now, user.id
    db.session.flush()
    audit.record("assessment_year_fixed", row, detail={"year": year, "months": summary["months"]}, user=user)
    return row


# --- reminders (R-80) ---------------------------------------------------------

def sweep_assessment(ctx):
    """Reminders before each date of the cycle: self-assessment (units that
    have not submitted), unified assessment and publication (assessors),
    yearly summary (assessors). A fixed number of queries."""
    c = ctx.app.config
    lead = timedelta(days=c["LANMU_ASSESSMENT_REMIND_DAYS"])
    now = ctx.now
    today = now.date()

    def within(due):  # from N days before the due day (by date) on
        return today >= (due - lead).date()

    year, month = prev_month(now.year, now.month)
    d = dates(year, month)
    period = f"{year:04d}-{month:02d}"
    label = f"{year}年{month}月"
    link = ctx.link("assessment.month", year=year, month=month)
    row = db.session.execute(select(AssessmentMonth).filter_by(year=year, month=month)).scalar()
    status = row.status if row else OPEN
    notices = []
    if within(d.self_due) and now <= d.self_due and status == OPEN:
        submitted = set()
        if row is not None:
            submitted = set(db.session.execute(select(AssessmentScore.unit_id).where(
                AssessmentScore.month_id == row.id, AssessmentScore.self_submitted_at.is_not(None))).scalars())
        for u in scoring.assessed_units():
            if u.id in submitted:
                continue
            notices.append(Notice(
                kind="assessment_self", key=f"assessment:{period}:unit:{u.id}", period=period, severity="warn",
                title=f"请于{d.self_due:%m月%d日}前完成{label}网站信息更新考核自评",
                text="系统已按发布数据预填更新频率和发布量，请核对并填写领导重视程度后提交。",
                url=ctx.link("assessment.self_assess", year=year, month=month, unit_id=u.id),
                due_at=d.self_due, unit_id=u.id))
    assessors = assessor_ids()
    if assessors and status == OPEN and within(d.unified_due):
        late = now > d.unified_due
        notices.append(Notice(
            kind="assessment_unified", key=f"assessment:{period}", period=period,
            severity="overdue" if late else "warn",
            title=(f"{label}考核结果应于{d.unified_due:%m月%d日}前定稿，现已逾期" if late
                   else f"请于{d.unified_due:%m月%d日}前完成{label}统一考核并定稿"),
            url=link, due_at=d.unified_due, users=assessors))
    if assessors and status == FIXED and within(d.publish_due):
        late = now > d.publish_due
        notices.append(Notice(
            kind="assessment_publish", key=f"assessment:{period}", period=period,
            severity="overdue" if late else "warn",
            title=f"{label}考核结果已定稿，请于{d.publish_due:%m月%d日}前公布", url=link, due_at=d.publish_due,
            users=assessors))
    ydue = year_due(now.year - 1)
    if assessors and today <= (ydue + timedelta(days=31)).date() and within(ydue):
        fixed = db.session.execute(select(AssessmentYear.id).where(AssessmentYear.year == now.year - 1,
                                                                   AssessmentYear.fixed_at.is_not(None))).scalar()
        if fixed is None:
            late = now > ydue
            notices.append(Notice(
                kind="assessment_year", key=f"assessment:year:{now.year - 1}", period=str(now.year - 1),
                severity="overdue" if late else "warn",
                title=f"{now.year - 1}年度考核汇总应于{ydue:%m月%d日}前完成" + ("，现已逾期" if late else ""),
                url=ctx.link("assessment.year", year=now.year - 1), due_at=ydue, users=assessors))
    return notices
