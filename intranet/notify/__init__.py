"""Notifications. `notify(users, subject, text, url, urgent=False)` is the one
function every feature calls to tell people something; today it writes an
in-app inbox row per person (inbox.py), the channels feature adds WeCom and
email delivery behind it (wecom.py, email.py)."""
from .inbox import notify  # noqa: F401
