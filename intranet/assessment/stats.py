"""Per-person statistics (R-91) and quarterly/yearly reports per unit and
column (R-92), from the core's item table plus the providers of other
features (providers.py). Each figure a provider owns is None ("无数据") until
one is registered.

Per person, in a period [start, end):
- drafted: items the person created in the period (any status now);
- submitted: from the review engine's `review_counts` when provided; until
  then, items created in the period that have left the draft state (a lower
  bound: the core does not record when an item was submitted);
- published: items of theirs first published in the period (R-40), whatever
  happened to them later;
- returned / rejected: `review_counts` only.

Per column and unit, in a period: items first published (still published or
expired), documents on time (`document_timeliness`), replies on time and the
average working days to reply (`reply_timeliness`), and stale days: the days
of the period on which the column was past its R-12 staleness line (days since
its last publication, or since it was created when it had none, at least the
line).

Every function takes `scope`, the unit ids whose rows the viewer may see
(org.permissions.unit_scope; None: every unit): people of those units, their
columns, their handling of messages (分级负责: a unit head sees their unit
and the units below it)."""
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..items.models import DRAFT, Item
from ..org import roles
from ..org.models import RoleAssignment, Unit, User
from ..org.permissions import members_of
from ..reminders.rules import STALENESS_LINES
from ..sites.models import Column, Site
from .providers import provide
from .scoring import COUNTED_STATUSES, month_bounds

QUARTERS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}


def period_bounds(year, quarter=None):
    if quarter:
        first, last = QUARTERS[quarter]
        return month_bounds(year, first)[0], month_bounds(year, last)[1]
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


def period_label(year, quarter=None):
    return f"{year}年第{quarter}季度" if quarter else f"{year}年"


def _count_by(column, where):
    return dict(db.session.execute(select(column, func.count()).where(*where).group_by(column)).all())


def person_figures(start, end):
    """{user id: {"drafted", "submitted", "published", "returned", "rejected"}} in [start, end)."""
    drafted = _count_by(Item.author_id, [Item.created_at >= start, Item.created_at < end])
    left_draft = _count_by(Item.author_id, [Item.created_at >= start, Item.created_at < end, Item.status != DRAFT])
    published = _count_by(Item.author_id, [Item.first_published_at >= start, Item.first_published_at < end])
    review = provide("review_counts", start, end)
    review_by = {}
    for r in review or []:
        acc = review_by.setdefault(r["author_id"], {"submitted": 0, "returned": 0, "rejected": 0})
        for k in acc:
            acc[k] += r.get(k) or 0
    ids = set(drafted) | set(published) | set(review_by)
    out = {}
    for uid in ids:
        rv = review_by.get(uid, {"submitted": 0, "returned": 0, "rejected": 0})
        out[uid] = {"drafted": drafted.get(uid, 0),
                    "submitted": rv["submitted"] if review is not None else left_draft.get(uid, 0),
                    "published": published.get(uid, 0),
                    "returned": rv["returned"] if review is not None else None,
                    "rejected": rv["rejected"] if review is not None else None}
    return out, review is not None


def person_statistics(year, scope=None):
    """Rows per person (information officers and liaisons, and anyone who drafted
    in the year; with a scope, only people holding a role in its units): year
    totals and one figure set per month."""
    months = {}
    has_review = False
    for m in range(1, 13):
        months[m], has_review = person_figures(*month_bounds(year, m))
    year_figs, has_review = person_figures(*period_bounds(year))
    officer_ids = set(db.session.execute(select(RoleAssignment.user_id).where(
        RoleAssignment.role.in_([roles.OFFICER, roles.LIAISON]))).scalars())
    ids = officer_ids | set(year_figs)
    if scope is not None:
        ids &= set(db.session.execute(members_of(scope)).scalars())
    users = db.session.execute(select(User).where(User.id.in_(ids)).order_by(User.id)).scalars().all() if ids else []
    empty = {"drafted": 0, "submitted": 0, "published": 0, "returned": 0 if has_review else None,
             "rejected": 0 if has_review else None}
    rows = []
    for u in users:
        rows.append({"user": u, "user_id": u.id, "name": u.name, "username": u.username,
                     "units": "、".join(sorted({m.unit.name for m in u.memberships
                                               if m.role in (roles.OFFICER, roles.LIAISON)})),
                     "year": year_figs.get(u.id, dict(empty)),
                     "months": {m: months[m].get(u.id, dict(empty)) for m in range(1, 13)}})
    rows.sort(key=lambda r: (-r["year"]["published"], -r["year"]["drafted"], r["user_id"]))
    return {"year": year, "rows": rows, "has_review": has_review}


def reply_statistics(start, end, scope=None):
    """Per handling unit (in the scope): answered, on time, late, average working days; None without a provider."""
    rows = provide("reply_timeliness", start, end)
    if rows is None:
        return None
    if scope is not None:
        rows = [r for r in rows if r["unit_id"] in scope]
    per_unit = {}
    for r in rows:
        acc = per_unit.setdefault(r["unit_id"], {"answered": 0, "on_time": 0, "late": 0, "workdays_total": 0})
        for k in acc:
            acc[k] += r.get(k) or 0
    units = {u.id: u for u in db.session.execute(select(Unit).where(Unit.id.in_(list(per_unit)))).scalars()} \
        if per_unit else {}
    out = []
    for uid, acc in per_unit.items():
        out.append({"unit_id": uid, "unit": units[uid].name if uid in units else str(uid), **acc,
                    "on_time_rate": _rate(acc["on_time"], acc["answered"]),
                    "average_workdays": round(acc["workdays_total"] / acc["answered"], 1) if acc["answered"] else None})
    out.sort(key=lambda r: r["unit"])
    return out


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def stale_days(created_at, publishes, line_days, start, end):
    """Days d in [start, end) (dates) on which the column was past its line:
    (d - last publication up to d, or creation) >= line_days. Columns created
    after d do not count on d."""
    total = 0
    pubs = sorted(p.date() for p in publishes)
    created = created_at.date()
    d = max(start, created)
    i = 0
    last = None
    while i < len(pubs) and pubs[i] <= d:
        last = pubs[i]
        i += 1
    while d < end:
        while i < len(pubs) and pubs[i] <= d:
            last = pubs[i]
            i += 1
        ref = last or created
        nxt = pubs[i] if i < len(pubs) else end
        seg_end = min(nxt, end)  # days d .. seg_end-1 share `ref`
        first_stale = ref + timedelta(days=line_days)
        a = max(d, first_stale)
        if a < seg_end:
            total += (seg_end - a).days
        d = seg_end
    return total


def report(year, quarter=None, site_id=None, scope=None):
    """Publish counts, on-time rates and stale days per column and per unit
    (with a scope: the columns its units answer for)."""
    start, end = period_bounds(year, quarter)
    today = clock.today()
    stop = min(end.date(), today + timedelta(days=1))
    cols_stmt = (select(Column).join(Site, Site.id == Column.site_id)
                 .where(Column.archived.is_(False), Site.active.is_(True), Column.created_at < end)
                 .order_by(Column.site_id, Column.sort_order, Column.id))
    if site_id:
        cols_stmt = cols_stmt.where(Column.site_id == site_id)
    if scope is not None:
        cols_stmt = cols_stmt.where(Column.unit_id.in_(list(scope) or [-1]))
    columns = db.session.execute(cols_stmt).scalars().all()
    col_ids = [c.id for c in columns]
    counted = _count_by(Item.column_id, [Item.status.in_(COUNTED_STATUSES), Item.first_published_at >= start,
                                         Item.first_published_at < end]) if col_ids else {}
    monthly = {}
    for col_id, at in db.session.execute(select(Item.column_id, Item.first_published_at).where(
            Item.status.in_(COUNTED_STATUSES), Item.first_published_at >= start, Item.first_published_at < end)).all():
        monthly.setdefault(col_id, {}).setdefault(at.month, 0)
        monthly[col_id][at.month] += 1
    # publications up to the end of the period, for stale days: one query
    history = {}
    for col_id, at in db.session.execute(select(Item.column_id, Item.first_published_at).where(
            Item.status.in_(COUNTED_STATUSES), Item.first_published_at.is_not(None),
            Item.first_published_at < end)).all():
        history.setdefault(col_id, []).append(at)
    docs = _by_column(provide("document_timeliness", start, end))
    replies = _by_column(provide("reply_timeliness", start, end))
    col_rows = []
    for c in columns:
        line = STALENESS_LINES.get(c.staleness_class)
        sd = stale_days(c.created_at, history.get(c.id, []), line[1], start.date(), stop) if line else None
        d = docs.get(c.id) if docs is not None else None
        r = replies.get(c.id) if replies is not None else None
        col_rows.append({
            "column": c, "column_id": c.id, "name": c.name, "site": c.site.name, "unit_id": c.unit_id,
            "unit": c.unit.name, "published": counted.get(c.id, 0), "by_month": monthly.get(c.id, {}),
            "stale_days": sd,
            "doc_published": d["published"] if d else None, "doc_on_time": d["on_time"] if d else None,
            "doc_rate": _rate(d["on_time"], d["published"]) if d else None,
            "answered": r["answered"] if r else None, "reply_on_time": r["on_time"] if r else None,
            "reply_rate": _rate(r["on_time"], r["answered"]) if r else None,
        })
    unit_rows = {}
    for row in col_rows:
        u = unit_rows.setdefault(row["unit_id"], {"unit_id": row["unit_id"], "unit": row["unit"], "columns": 0,
                                                  "published": 0, "stale_days": 0, "by_month": {},
                                                  "doc_published": None, "doc_on_time": None,
                                                  "answered": None, "reply_on_time": None})
        u["columns"] += 1
        u["published"] += row["published"]
        u["stale_days"] += row["stale_days"] or 0
        for m, n in row["by_month"].items():
            u["by_month"][m] = u["by_month"].get(m, 0) + n
        for k in ("doc_published", "doc_on_time", "answered", "reply_on_time"):
            if row[k] is not None:
                u[k] = (u[k] or 0) + row[k]
    for u in unit_rows.values():
        u["doc_rate"] = _rate(u["doc_on_time"], u["doc_published"]) if u["doc_published"] is not None else None
        u["reply_rate"] = _rate(u["reply_on_time"], u["answered"]) if u["answered"] is not None else None
    first_m, last_m = (QUARTERS[quarter] if quarter else (1, 12))
    return {"year": year, "quarter": quarter, "label": period_label(year, quarter), "start": start, "end": end,
            "months": list(range(first_m, last_m + 1)), "columns": col_rows,
            "units": sorted(unit_rows.values(), key=lambda u: (-u["published"], u["unit"])),
            "has_documents": docs is not None, "has_replies": replies is not None,
            "replies": reply_statistics(start, end, scope)}


def _by_column(rows):
    if rows is None:
        return None
    out = {}
    for r in rows:
        acc = out.setdefault(r["column_id"], {"published": 0, "on_time": 0, "late": 0, "answered": 0})
        for k in ("published", "on_time", "late", "answered"):
            acc[k] += r.get(k) or 0
    return out


def chart_data(rep):
    """The ECharts options for a report, as plain data (rendered by static JS)."""
    units = rep["units"]
    return {
        # horizontal bars: unit names are long; the largest on top
        "units": {"title": {"text": "各单位发布信息数", "left": "center"},
                  "tooltip": {}, "grid": {"containLabel": True, "left": 10, "right": 30, "top": 40},
                  "yAxis": {"type": "category", "data": [u["unit"] for u in reversed(units)],
                            "axisLabel": {"width": 220, "overflow": "truncate"}},
                  "xAxis": {"type": "value", "minInterval": 1},
                  "series": [{"type": "bar", "name": "发布数", "data": [u["published"] for u in reversed(units)],
                              "label": {"show": True, "position": "right"}}]},
        "months": {"title": {"text": "按月发布信息数", "left": "center"}, "tooltip": {"trigger": "axis"},
                   "legend": {"top": 28, "type": "scroll"}, "grid": {"top": 70, "containLabel": True},
                   "xAxis": {"type": "category", "data": [f"{m}月" for m in rep["months"]]},
                   "yAxis": {"type": "value", "minInterval": 1},
                   "series": [{"type": "line", "name": u["unit"],
                               "data": [u["by_month"].get(m, 0) for m in rep["months"]]} for u in units]},
    }


def today_date():
    return clock.today()


def as_date(value):
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else None
