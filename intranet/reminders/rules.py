"""When is a column due? Pure functions over one column's aggregated publish
data (last publish, counts per week/month), so the sweep can evaluate every
column from a handful of set-based queries (R-11, R-12)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from ..sites import update_rules as r

END_OF_DAY = time(23, 59, 59)

# R-12 national inspection lines: (early warning after N days, stale after N days).
STALENESS_LINES = {
    "homepage": (10, 14),
    "news": (10, 14),
    "notice": (150, 182),     # about 5 and 6 months
    "personnel": (335, 365),  # about 11 months and 1 year
}
STALENESS_NAMES = {"homepage": "首页", "news": "动态要闻类栏目", "notice": "通知公告/政策文件类栏目",
                   "personnel": "人事/规划计划类栏目"}


@dataclass
class ColumnFacts:
    id: int
    created_at: datetime
    rule_kind: str
    rule_n: int | None
    rule_dates: str
    staleness_class: str
    last: datetime | None        # last first-publication in the column
    this_week: int = 0
    last_week: int = 0
    this_month: int = 0
    last_month: int = 0


@dataclass
class Finding:
    kind: str        # column_rule | column_stale | column_blank
    severity: str    # warn | overdue | veto
    period: str
    message: str
    due_at: datetime | None


def week_start(d):
    return d - timedelta(days=d.weekday())


def month_start(d):
    return d.replace(day=1)


def prev_month_start(d):
    first = month_start(d)
    return month_start(first - timedelta(days=1))


@lru_cache(maxsize=16)  # a sweep evaluates every column at the same `now`
def windows(now):
    """Boundaries used by the counts: this week, last week, this month, last month.
    The dict is shared between callers: read it, never change it."""
    today = now.date()
    ws = datetime.combine(week_start(today), time())
    ms = datetime.combine(month_start(today), time())
    return {"week": ws, "prev_week": ws - timedelta(days=7), "month": ms,
            "prev_month": datetime.combine(prev_month_start(today), time())}


def _fixed_dates(mmdd_list, year):
    out = []
    for mmdd in mmdd_list:
        m, d = (int(x) for x in mmdd.split("-"))
        try:
            out.append(date(year, m, d))
        except ValueError:  # 02-29 in a common year
            out.append(date(year, m, 28))
    return sorted(out)


def _deadline_occurrences(mmdd_list, today):
    """(previous-previous, previous, next) occurrences of the fixed dates around today."""
    dates = []
    for y in (today.year - 2, today.year - 1, today.year, today.year + 1):
        dates += _fixed_dates(mmdd_list, y)
    past = [d for d in dates if d < today]
    future = [d for d in dates if d >= today]
    return past[-2], past[-1], future[0]


@lru_cache(maxsize=256)  # many columns share their dates (01-10, 07-10), all at the sweep's day
def _occurrences(rule_dates, today):
    """_deadline_occurrences of a rule's dates text, or None when it has none."""
    dates = r.parse_dates(rule_dates)
    return _deadline_occurrences(dates, today) if dates else None


def evaluate_rule(c, now, calendar):
    """The update-rule finding for one column at `now`, or None. `c` is a
    ColumnFacts or anything with its fields (a row of the sweep's column_facts)."""
    today = now.date()
    kind, n = c.rule_kind, c.rule_n or 1
    w = windows(now)
    if kind == r.EVERY_N_WORKDAYS:
        since = (c.last or c.created_at).date()
        due = calendar.add_workdays(since, n)
        due_at = datetime.combine(due.date, END_OF_DAY)
        if now > due_at:
            return Finding("column_rule", "overdue", f"since-{since}", f"已超过{n}个工作日未更新", due_at)
        warn = calendar.add_workdays(since, max(n - 1, 0))
        if today > warn.date or (n == 1 and today == due.date):
            return Finding("column_rule", "warn", f"since-{since}", f"须在{due.date:%m月%d日}前更新（每{n}个工作日）", due_at)
        return None
    if kind == r.PER_WEEK:
        prev_start = w["prev_week"]
        if c.created_at <= prev_start and c.last_week < n:
            iso = prev_start.isocalendar()
            return Finding("column_rule", "overdue", f"{iso[0]}-W{iso[1]:02d}",
                           f"上周仅更新{c.last_week}次，未达到每周至少{n}次", w["week"])
        if today.weekday() >= 3 and c.this_week < n:
            iso = today.isocalendar()
            due_at = datetime.combine(week_start(today) + timedelta(days=6), END_OF_DAY)
            return Finding("column_rule", "warn", f"{iso[0]}-W{iso[1]:02d}",
                           f"本周已更新{c.this_week}次，须达到每周至少{n}次", due_at)
        return None
    if kind == r.PER_MONTH:
        if c.created_at <= w["prev_month"] and c.last_month < n:
            return Finding("column_rule", "overdue", f"{w['prev_month']:%Y-%m}",
                           f"上月仅更新{c.last_month}条，未达到每月至少{n}条", w["month"])
        if today.day >= 20 and c.this_month < n:
            next_month = (month_start(today) + timedelta(days=32)).replace(day=1)
            return Finding("column_rule", "warn", f"{today:%Y-%m}",
                           f"本月已更新{c.this_month}条，须达到每月至少{n}条",
                           datetime.combine(next_month - timedelta(days=1), END_OF_DAY))
        return None
    if kind == r.YEARLY:
        since = c.last or c.created_at
        due_at = since + timedelta(days=365)
        if now > due_at:
            return Finding("column_rule", "overdue", f"since-{since:%Y-%m-%d}", "已超过一年未更新", due_at)
        if now > since + timedelta(days=335):
            return Finding("column_rule", "warn", f"since-{since:%Y-%m-%d}", f"须在{due_at:%Y年%m月%d日}前完成年度更新", due_at)
        return None
    if kind in (r.YEARLY_BEFORE, r.FIXED_DATES):
        occurrences = _occurrences(c.rule_dates or "", today)
        if occurrences is None:
            return None
        before_prev, prev, nxt = occurrences
        last = (c.last.date() if c.last else None)
        created = c.created_at.date()
        if created <= before_prev and (last is None or last <= before_prev):
            return Finding("column_rule", "overdue", f"{prev}", f"未在{prev:%Y年%m月%d日}前按要求更新",
                           datetime.combine(prev, END_OF_DAY))
        lead = 14 if kind == r.YEARLY_BEFORE else 7
        if (nxt - today).days <= lead and (last is None or last <= prev):
            return Finding("column_rule", "warn", f"{nxt}", f"须在{nxt:%Y年%m月%d日}前更新",
                           datetime.combine(nxt, END_OF_DAY))
        return None
    return None  # timely: only the staleness lines apply


def evaluate_staleness(c, now):
    """The R-12 finding for one column (blank, stale, or about to be), or None.
    `c` needs staleness_class, created_at and last (a ColumnFacts or a row)."""
    if c.staleness_class not in STALENESS_LINES:
        return None
    warn_days, stale_days = STALENESS_LINES[c.staleness_class]
    name = STALENESS_NAMES[c.staleness_class]
    if c.last is None:
        if now - c.created_at >= timedelta(days=7):
            return Finding("column_blank", "veto", "blank", "栏目至今没有发布任何信息（空白栏目）", None)
        return None
    age = (now - c.last).days
    if age < warn_days:
        return None
    due_at = c.last + timedelta(days=stale_days)
    if age >= stale_days:
        return Finding("column_stale", "veto" if c.staleness_class in ("homepage", "news") else "overdue",
                       f"since-{c.last:%Y-%m-%d}", f"已{age}天未更新，超过{name}{stale_days}天的检查红线", due_at)
    return Finding("column_stale", "warn", f"since-{c.last:%Y-%m-%d}",
                   f"已{age}天未更新，将于{due_at:%m月%d日}超过{name}的检查红线", due_at)
