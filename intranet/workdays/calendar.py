"""Chinese working-day calendar for deadlines (R-60, R-61, R-71).

Pure Python: no Flask, no database. The app builds a ``WorkdayCalendar`` from
the admin override table and asks it for due dates.

Where a day's status comes from, in order of precedence:

1. ``override``  -- an admin-entered day (True = working day, e.g. a make-up
   Saturday; False = holiday). Wins over everything else.
2. ``library``   -- ``chinesecalendar``'s data (official holidays and 调休
   make-up working days) for the years it covers (1.11.0: 2004-2026).
3. ``confirmed`` -- a year the admin has declared complete
   (``complete_years``): they entered the State Council's notice for it as
   overrides, so every other day follows Monday-Friday and is not provisional.
4. ``fallback``  -- any other year: Monday-Friday are working days and the
   answer is *provisional* (the admin should be alerted, see
   ``fallback_years``).

Counting rule ("n working days after start")
--------------------------------------------
The start day itself never counts, whether or not it is a working day, and
its time of day is ignored (a document issued at 08:00 or at 23:00 on the
same day has the same due date). Walk forward from the day after start; the
n-th working day met is the due day, and the deadline is the *end* of that
day (``due_end``: 23:59:59, naive local time).

Example (2026 data): a normative document issued on Tuesday 2026-09-29 with
n=2: day 1 is Wed 09-30, 10-01..10-07 are the National Day holiday, day 2 is
Thu 10-08 -> due 2026-10-08, late from 2026-10-09 00:00.

``n == 0`` means "the start day itself": the due day is the start date, even
if that is a holiday, and no calendar data is consulted (never provisional).
Negative n is a programming error (``ValueError``).

All datetimes are naive local time (China has one time zone and no DST);
timezone-aware datetimes are refused with ``ValueError`` rather than silently
taking the date of some other zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import chinese_calendar

__all__ = [
    "DayInfo",
    "Due",
    "WorkdayCount",
    "WorkdayCalendar",
    "format_due_line",
]

_ONE_DAY = dt.timedelta(days=1)
_END_OF_DAY = dt.time(23, 59, 59)


@dataclass(frozen=True)
class DayInfo:
    is_workday: bool
    provisional: bool
    source: str  # 'override' | 'library' | 'confirmed' | 'fallback'


@dataclass(frozen=True)
class Due:
    """The due day of a deadline; the deadline is the end of that day."""

    date: dt.date
    provisional: bool

    @property
    def end(self) -> dt.datetime:
        """23:59:59 on the due day, naive local time."""
        return dt.datetime.combine(self.date, _END_OF_DAY)


@dataclass(frozen=True)
class WorkdayCount:
    count: int
    provisional: bool


def _as_date(value: dt.date | dt.datetime, what: str = "date") -> dt.date:
    # datetime is a subclass of date: test it first.
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            raise ValueError(
                f"{what} must be a naive local datetime, got an aware one: {value!r}"
            )
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"{what} must be a date or datetime, got {type(value).__name__}")


def _as_year(value: int | dt.date | dt.datetime) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _as_date(value).year


class WorkdayCalendar:
    """Working days with admin overrides on top of ``chinesecalendar``.

    ``overrides`` maps a day to True (working day) or False (holiday); it is
    copied, so build a new calendar when the override table changes.
    ``complete_years`` lists years the admin has entered in full (the State
    Council's notice for a year the library does not know): their
    non-overridden days follow Monday-Friday without being provisional.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        *,
        complete_years: Iterable[int] = (),
    ) -> None:
        self._overrides: dict[dt.date, bool] = {
            _as_date(day, "override key"): bool(is_workday)
            for day, is_workday in (overrides or {}).items()
        }
        self._complete_years = frozenset(complete_years)
        # date -> bool, or None when the library has no data for that date.
        self._library_memo: dict[dt.date, bool | None] = {}
        self._library_year_memo: dict[int, bool] = {}
        # the calendar never changes once built: deadlines from the same day are
        # computed once (a sweep asks for thousands that share their start days)
        self._add_memo: dict[tuple[dt.date, int], Due] = {}
        self._between_memo: dict[tuple[dt.date, dt.date], WorkdayCount] = {}

    # -- single days -------------------------------------------------------

    def _library_is_workday(self, day: dt.date) -> bool | None:
        try:
            return self._library_memo[day]
        except KeyError:
            pass
        try:
            result: bool | None = bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            result = None
        self._library_memo[day] = result
        return result

    def library_has_year(self, year: int) -> bool:
        """True if chinesecalendar has data for ``year``."""
        try:
            return self._library_year_memo[year]
        except KeyError:
            pass
        try:
            probe = dt.date(year, 7, 1)
        except ValueError:  # year outside 1..9999
            known = False
        else:
            known = self._library_is_workday(probe) is not None
        self._library_year_memo[year] = known
        return known

    def day_info(self, day: dt.date | dt.datetime) -> DayInfo:
        """Status of one day. Never raises for any date."""
        day = _as_date(day)
        if day in self._overrides:
            return DayInfo(self._overrides[day], False, "override")
        library = self._library_is_workday(day)
        if library is not None:
            return DayInfo(library, False, "library")
        weekday_rule = day.weekday() < 5
        if day.year in self._complete_years:
            return DayInfo(weekday_rule, False, "confirmed")
        return DayInfo(weekday_rule, True, "fallback")

    def is_workday(self, day: dt.date | dt.datetime) -> bool:
        return self.day_info(day).is_workday

    # -- deadlines ---------------------------------------------------------

    def add_workdays(self, start: dt.date | dt.datetime, n: int) -> Due:
        """The n-th working day after ``start`` (start itself never counts).

        ``provisional`` is True if any day examined (from the day after start
        up to and including the due day) came from the Monday-Friday fallback.
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = _as_date(start, "start")
        key = (day, n)
        memo = self._add_memo.get(key)
        if memo is not None:
            return memo
        provisional = False
        remaining = n
        while remaining:
            day += _ONE_DAY
            info = self.day_info(day)
            provisional = provisional or info.provisional
            if info.is_workday:
                remaining -= 1
        due = self._add_memo[key] = Due(day, provisional)
        return due

    def due_end(self, start: dt.date | dt.datetime, n: int) -> dt.datetime:
        """23:59:59 (naive local) on the day ``add_workdays(start, n)``."""
        return self.add_workdays(start, n).end

    def workdays_between(
        self, a: dt.date | dt.datetime, b: dt.date | dt.datetime
    ) -> WorkdayCount:
        """Working days d with a < d <= b (by calendar day; 0 if b <= a).

        E.g. how many working days a message received on ``a`` has waited by
        ``b``. ``provisional`` is True if any day in (a, b] came from the
        fallback. For n >= 1, ``workdays_between(s, add_workdays(s, n).date)``
        is n.
        """
        first = _as_date(a, "a")
        last = _as_date(b, "b")
        memo = self._between_memo.get((first, last))
        if memo is not None:
            return memo
        count = 0
        provisional = False
        day = first
        while day < last:
            day += _ONE_DAY
            info = self.day_info(day)
            provisional = provisional or info.provisional
            if info.is_workday:
                count += 1
        result = self._between_memo[(first, last)] = WorkdayCount(count, provisional)
        return result

    def is_late(
        self,
        issued: dt.date | dt.datetime,
        published: dt.date | dt.datetime,
        n: int,
    ) -> bool:
        """True if ``published`` falls after the due day of (issued, n).

        Compared by calendar day: anything on the due day, up to its last
        instant, is on time; anything on a later day is late -- including a
        Saturday right after a Friday due day, even though no working day
        has passed in between (so "waited <= n working days" is *not* the
        same as "on time"; use this function for R-60).
        """
        return _as_date(published, "published") > self.add_workdays(issued, n).date

    # -- data coverage -----------------------------------------------------

    def fallback_years(
        self,
        start: int | dt.date | dt.datetime,
        end: int | dt.date | dt.datetime,
    ) -> list[int]:
        """Years in [start, end] (inclusive) whose days fall back to Mon-Fri.

        A year is listed when the library has no data for it and the admin
        has not marked it complete. Overrides for single days do not remove a
        year from the list: its other days are still guesses.
        """
        first, last = _as_year(start), _as_year(end)
        return [
            year
            for year in range(first, last + 1)
            if year not in self._complete_years and not self.library_has_year(year)
        ]


def format_due_line(due: Due) -> str:
    """'2026-10-08', or '2030-01-03 provisional' (the CLI prints this)."""
    line = due.date.isoformat()
    return f"{line} provisional" if due.provisional else line
