"""Scoring a month (R-90, 003 篇二 三): the settings, the update-frequency level
from a unit's publish dates, the volume points, and the month's computed
figures for every assessed unit from publish data (one query for the items).

How a month's publish dates map to weekly / half-monthly / monthly
(docs/assessment.md has the worked examples):

- The month is cut into weekly blocks starting on LANMU_ASSESSMENT_WEEK_STARTS
  (default days 1, 8, 15, 22: 1-7, 8-14, 15-21, 22-end, so the last block has
  7 to 10 days) and half-monthly blocks starting on LANMU_ASSESSMENT_HALF_STARTS
  (default 1-15 and 16-end). Blocks do not depend on weekdays, so every month
  has the same four weeks.
- With LANMU_ASSESSMENT_SKIP_HOLIDAY_BLOCKS (default on), a block without a
  single working day (e.g. 1-7 October) asks for nothing.
- weekly: at least one item first published in every weekly block that asks;
  half-monthly: in every half-monthly block that asks; monthly: at least one
  item in the month; otherwise none (0 points). The first level reached wins.
- Counted items: first published (R-40 `first_published_at`) in the month and
  still published or since expired; withdrawn items do not count.
"""
import calendar as pycal
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..items.models import EXPIRED, PUBLISHED, Item
from ..org.models import Unit
from ..sites.models import Column, Site

COUNTED_STATUSES = (PUBLISHED, EXPIRED)
LEVELS = ("weekly", "half_monthly", "monthly")


@dataclass
class Settings:
    leadership: dict = field(default_factory=dict)
    frequency: dict = field(default_factory=dict)
    week_starts: list = field(default_factory=list)
    half_starts: list = field(default_factory=list)
    skip_holiday_blocks: bool = True
    points_per_item: int = 6
    volume_cap: int | None = None
    fail_below: int = 60
    prizes: list = field(default_factory=list)

    @classmethod
    def from_config(cls, config=None):
        c = config or current_app.config
        return cls(leadership=dict(c["LANMU_ASSESSMENT_LEADERSHIP"]), frequency=dict(c["LANMU_ASSESSMENT_FREQUENCY"]),
                   week_starts=list(c["LANMU_ASSESSMENT_WEEK_STARTS"]), half_starts=list(c["LANMU_ASSESSMENT_HALF_STARTS"]),
                   skip_holiday_blocks=bool(c["LANMU_ASSESSMENT_SKIP_HOLIDAY_BLOCKS"]),
                   points_per_item=int(c["LANMU_ASSESSMENT_POINTS_PER_ITEM"]),
                   volume_cap=c["LANMU_ASSESSMENT_VOLUME_CAP"], fail_below=c["LANMU_ASSESSMENT_FAIL_BELOW"],
                   prizes=list(c["LANMU_ASSESSMENT_PRIZES"]))

    def as_dict(self):
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data):
        return cls(**data)

    def maximum(self, field_name):
        if field_name in self.leadership:
            return self.leadership[field_name]
        if field_name == "frequency":
            return max(self.frequency.values())
        return self.volume_cap  # volume: None when uncapped


def month_bounds(year, month):
    start = datetime(year, month, 1)
    end = datetime(year + (month == 12), month % 12 + 1, 1)
    return start, end


def blocks(year, month, starts):
    """[(first day, last day)] of the month for block start days."""
    last = pycal.monthrange(year, month)[1]
    days = sorted(d for d in starts if 1 <= d <= last) or [1]
    if days[0] != 1:
        days = [1] + days
    out = []
    for i, d in enumerate(days):
        end = (days[i + 1] - 1) if i + 1 < len(days) else last
        out.append((date(year, month, d), date(year, month, end)))
    return out


def _asks(block, calendar, skip_holidays):
    if not skip_holidays or calendar is None:
        return True
    d = block[0]
    while d <= block[1]:
        if calendar.is_workday(d):
            return True
        d += timedelta(days=1)
    return False


def frequency(dates, year, month, settings, calendar=None):
    """(level, points, detail) for the publish dates (date objects) of one unit."""
    dates = sorted({d for d in dates if d.year == year and d.month == month})
    detail = {}
    for name, starts in (("weeks", settings.week_starts), ("halves", settings.half_starts)):
        detail[name] = [{"from": a.isoformat(), "to": b.isoformat(), "asks": _asks((a, b), calendar,
                                                                                    settings.skip_holiday_blocks),
                         "count": sum(1 for d in dates if a <= d <= b)} for a, b in blocks(year, month, starts)]
    detail["dates"] = [d.isoformat() for d in dates]

    def met(name):
        asking = [b for b in detail[name] if b["asks"]]
        return bool(asking) and all(b["count"] > 0 for b in asking)

    if dates and met("weeks"):
        level = "weekly"
    elif dates and met("halves"):
        level = "half_monthly"
    elif dates:
        level = "monthly"
    else:
        level = "none"
    return level, settings.frequency.get(level, 0), detail


def volume_points(items, settings):
    points = items * settings.points_per_item
    if settings.volume_cap is not None:
        points = min(points, int(settings.volume_cap))
    return points


def assessed_units():
    """Units assessed, in tree order: LANMU_ASSESSMENT_UNITS (codes) or every
    active unit responsible for a live column of an active site."""
    codes = current_app.config.get("LANMU_ASSESSMENT_UNITS")
    if codes:
        stmt = select(Unit).where(Unit.code.in_(list(codes)), Unit.active.is_(True))
    else:
        responsible = (select(Column.unit_id).join(Site, Site.id == Column.site_id)
                       .where(Column.archived.is_(False), Site.active.is_(True)))
        stmt = select(Unit).where(Unit.id.in_(responsible), Unit.active.is_(True))
    return db.session.execute(stmt.order_by(Unit.sort_order, Unit.id)).scalars().all()


def unit_resolver(assessed_ids):
    """unit id -> the assessed unit it counts for: itself, else its nearest
    assessed ancestor, else None (one query for the tree)."""
    parents = dict(db.session.execute(select(Unit.id, Unit.parent_id)).all())
    cache = {}

    def resolve(unit_id):
        if unit_id in cache:
            return cache[unit_id]
        node, seen = unit_id, set()
        while node is not None and node not in seen and node not in assessed_ids:
            seen.add(node)
            node = parents.get(node)
        cache[unit_id] = node if node in assessed_ids else None
        return cache[unit_id]
    return resolve


def publish_dates(start, end, assessed_ids):
    """{assessed unit id: [first-publication datetimes in [start, end)]}."""
    resolve = unit_resolver(set(assessed_ids))
    rows = db.session.execute(select(Item.unit_id, Item.first_published_at).where(
        Item.status.in_(COUNTED_STATUSES), Item.first_published_at >= start, Item.first_published_at < end)).all()
    out = {uid: [] for uid in assessed_ids}
    for unit_id, at in rows:
        target = resolve(unit_id)
        if target is not None:
            out[target].append(at)
    return out


def compute_month(year, month, settings=None, calendar=None, units=None):
    """{unit id: {"items", "level", "frequency", "volume", "detail"}} from publish data."""
    settings = settings or Settings.from_config()
    if calendar is None:
        from ..reminders.engine import working_calendar
        calendar = working_calendar()
    units = units if units is not None else assessed_units()
    start, end = month_bounds(year, month)
    by_unit = publish_dates(start, end, [u.id for u in units])
    out = {}
    for u in units:
        stamps = by_unit.get(u.id, [])
        level, points, detail = frequency([s.date() for s in stamps], year, month, settings, calendar)
        out[u.id] = {"items": len(stamps), "level": level, "frequency": points,
                     "volume": volume_points(len(stamps), settings), "detail": detail}
    return out


def detail_json(detail):
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)


END_OF_DAY = time(23, 59, 59)
