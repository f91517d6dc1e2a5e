"""The app's one working-day calendar (R-61). Every deadline in Lanmu asks
`calendar()`; nothing builds its own.

`calendar()` returns a `WorkdayCalendar` built from the admin's override table
(`WorkdayOverride`) and complete years (`WorkdayYear`). It is built once per
request (kept in the WSGI environ) and rebuilt on every call outside a request
(CLI, scheduler sweeps: call it once per sweep and pass it around).

Years the library does not know and the admin has not entered fall back to
Monday-Friday; results that used the fallback are flagged `provisional`, and
`years_without_data()` lists the years the admins should fill in (shown to them
as a banner on every intranet page, and available to the reminders sweep)."""
from flask import has_request_context, request

from .. import clock
from ..extensions import db
from .calendar import WorkdayCalendar
from .models import WorkdayOverride, WorkdayYear

_ENVIRON_KEY = "lanmu.workday_calendar"


def build_calendar():
    """A fresh calendar from the database (no caching)."""
    overrides = dict(db.session.execute(db.select(WorkdayOverride.date, WorkdayOverride.is_workday)).all())
    complete = db.session.execute(db.select(WorkdayYear.year).filter(WorkdayYear.complete.is_(True))).scalars()
    return WorkdayCalendar(overrides, complete_years=list(complete))


def calendar():
    """The working-day calendar; cached for the current request."""
    if has_request_context():
        cached = request.environ.get(_ENVIRON_KEY)
        if cached is None:
            cached = request.environ[_ENVIRON_KEY] = build_calendar()
        return cached
    return build_calendar()


def invalidate():
    """Forget the cached calendar (after the override table changed)."""
    if has_request_context():
        request.environ.pop(_ENVIRON_KEY, None)


def years_without_data(cal=None, ahead=1):
    """Years from this year to `ahead` years on whose deadlines would be
    provisional: the library has no data and the admin has not entered them."""
    cal = cal or calendar()
    this_year = clock.today().year
    return cal.fallback_years(this_year, this_year + ahead)


def due(start, n, cal=None):
    """`Due` (date, provisional) of n working days after start."""
    return (cal or calendar()).add_workdays(start, n)
