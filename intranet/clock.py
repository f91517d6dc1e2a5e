"""The one place the system reads the time.

Datetimes are naive and in the site's local time zone (LANMU_TIMEZONE, default
Asia/Shanghai): working days, quiet hours and deadlines are all local notions.
Tests freeze or move the clock with `set_now(app, dt)`; nothing else calls
datetime.now()."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def _real_now(tz_name):
    return datetime.now(ZoneInfo(tz_name)).replace(tzinfo=None, microsecond=0)


def now():
    """Current local time (naive), honouring a frozen clock set by tests or CLI."""
    app = current_app._get_current_object()
    frozen = app.extensions.get("lanmu_clock")
    if frozen is not None:
        return frozen
    return _real_now(app.config["LANMU_TIMEZONE"])


def today():
    return now().date()


def set_now(app, dt):
    """Freeze the clock (dt) or unfreeze it (None)."""
    app.extensions["lanmu_clock"] = dt
