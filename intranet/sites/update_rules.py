"""Update rules a column can carry (R-11), as data: a kind, a number and a list
of month-day dates. The reminders sweep computes due dates from these; here we
only validate and describe them."""
import re

TIMELY = "timely"                # 及时更新: no cycle; staleness lines still apply
EVERY_N_WORKDAYS = "every_n_workdays"  # e.g. homepage: every 5 working days
PER_WEEK = "per_week"            # at least N updates per week
PER_MONTH = "per_month"          # at least N items per month
YEARLY = "yearly"                # once a year
YEARLY_BEFORE = "yearly_before"  # once a year, before a date (MM-DD)
FIXED_DATES = "fixed_dates"      # on fixed dates each year (MM-DD list)

LABELS = {
    TIMELY: "及时更新",
    EVERY_N_WORKDAYS: "每N个工作日至少更新一次",
    PER_WEEK: "每周至少更新N次",
    PER_MONTH: "每月至少更新N条",
    YEARLY: "每年更新",
    YEARLY_BEFORE: "每年在指定日期前更新",
    FIXED_DATES: "每年在固定日期更新",
}

NEEDS_N = {EVERY_N_WORKDAYS, PER_WEEK, PER_MONTH}
NEEDS_DATES = {YEARLY_BEFORE, FIXED_DATES}
_DATE = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def parse_dates(text):
    """'01-10, 07-10' -> ['01-10', '07-10']; raises ValueError with a Chinese message."""
    parts = [p.strip() for p in re.split(r"[,，;；\s]+", text or "") if p.strip()]
    for p in parts:
        if not _DATE.match(p):
            raise ValueError(f"日期“{p}”格式不正确，应为 月-日，例如 07-10")
    return parts


def validate(kind, n, dates_text):
    """Return a list of Chinese error messages (empty when the rule is valid)."""
    errors = []
    if kind not in LABELS:
        return ["请选择更新要求"]
    if kind in NEEDS_N and (n is None or n < 1):
        errors.append("该更新要求需要填写大于0的次数或天数")
    if kind in NEEDS_DATES:
        try:
            dates = parse_dates(dates_text)
        except ValueError as exc:
            errors.append(str(exc))
        else:
            if not dates:
                errors.append("该更新要求需要填写日期（月-日）")
            elif kind == YEARLY_BEFORE and len(dates) != 1:
                errors.append("“每年在指定日期前更新”只能填写一个日期")
    return errors


def describe(kind, n=None, dates_text=""):
    if kind == EVERY_N_WORKDAYS:
        return f"每{n}个工作日至少更新一次"
    if kind == PER_WEEK:
        return "每周至少更新一次" if n == 1 else f"每周至少更新{n}次"
    if kind == PER_MONTH:
        return f"每月至少更新{n}条"
    if kind == YEARLY_BEFORE:
        return f"每年{_cn_date(dates_text)}前更新"
    if kind == FIXED_DATES:
        return "每年" + "、".join(_cn_date(d) for d in parse_dates(dates_text)) + "更新"
    return LABELS.get(kind, kind)


def _cn_date(mmdd):
    m, d = mmdd.strip().split("-")
    return f"{int(m)}月{int(d)}日"
