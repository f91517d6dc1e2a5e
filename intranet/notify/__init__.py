"""Notifications. `notify(users, subject, text, url, urgent=False)` is the one
function every feature calls to tell people something: it writes an in-app
inbox row per person (inbox.py) and queues WeCom and e-mail delivery in the
outbox. The channel clients live here too: WeCom (wecom.py) and e-mail
(email.py), each returning an Outcome per recipient (outcomes.py)."""
from .inbox import notify  # noqa: F401
