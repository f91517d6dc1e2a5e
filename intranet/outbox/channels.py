"""Channel senders for the outbox: WeCom (wechatpy, via intranet.notify.wecom)
and e-mail (Flask-Mail, via intranet.notify.email). Each sender takes claimed
outbox rows (and the dispatch time) and returns {row id: Outcome}; it never raises for a delivery
problem."""
import json
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import clock
from ..extensions import db, mail
from .models import SENT, KeyValue, OutboxMessage

# WeCom's duplicate check: a resend of the same card within this window (after
# a worker died between WeCom's answer and our commit) is not shown twice.
DUPLICATE_CHECK_SECONDS = 1800


def _token_getter(key):
    row = db.session.get(KeyValue, f"wecom:{key}")
    if row is None or not row.value:
        return None
    data = json.loads(row.value)
    return data["v"], data["exp"]


def _token_setter(key, value, expires_at):
    row = db.session.get(KeyValue, f"wecom:{key}") or KeyValue(key=f"wecom:{key}")
    row.value = "" if value is None else json.dumps({"v": value, "exp": expires_at})
    db.session.add(row)
    db.session.flush()


def wecom_client(app=None, remember=False):
    """A WeCom client whose access token lives in the database, shared by every
    process (ENGINEERING.md). None when WeCom is not configured.

    remember=True: the token is read from the database once for this client
    (one dispatch batch makes up to hundreds of calls) rather than before
    every call; a refresh still goes through the database."""
    from ..notify.wecom import CallbackSessionStorage, WeComClient
    app = app or current_app._get_current_object()
    getter, setter = _token_getter, _token_setter
    if remember:
        read = {}

        def getter(key):
            if key not in read:
                read[key] = _token_getter(key)
            return read[key]

        def setter(key, value, expires_at):
            read.pop(key, None)
            _token_setter(key, value, expires_at)
    storage = CallbackSessionStorage(getter, setter, clock=time.time)
    return WeComClient.from_mapping(app.config, storage)


class DatabaseRateLimiter:
    """WeCom drops messages silently past 30 a minute per member (R-84): count
    what was sent to each member in the last minute and hour across every
    dispatcher, from the outbox itself."""

    def __init__(self, recipients, now=None, per_minute=30, per_hour=1000):
        now = now or clock.now()
        names = [r.lower() for r in recipients]

        def counts(since):
            return dict(db.session.execute(
                select(func.lower(OutboxMessage.recipient), func.count())
                .where(OutboxMessage.channel == "wecom", OutboxMessage.status == SENT,
                       OutboxMessage.sent_at >= since, func.lower(OutboxMessage.recipient).in_(names))
                .group_by(func.lower(OutboxMessage.recipient))).all())
        self.minute = counts(now - timedelta(minutes=1))
        self.hour = counts(now - timedelta(hours=1))
        self.per_minute, self.per_hour = per_minute, per_hour

    def acquire(self, userid):
        key = userid.lower()
        if self.minute.get(key, 0) >= self.per_minute:
            return 60.0
        if self.hour.get(key, 0) >= self.per_hour:
            return 3600.0
        self.minute[key] = self.minute.get(key, 0) + 1
        self.hour[key] = self.hour.get(key, 0) + 1
        return None

    def release(self, userid):
        key = userid.lower()
        self.minute[key] = max(0, self.minute.get(key, 0) - 1)
        self.hour[key] = max(0, self.hour.get(key, 0) - 1)


def send_wecom(rows, now=None):
    from ..notify.outcomes import REASON_TOKEN, Outcome, Status
    from ..notify.wecom import send_text_card
    client = wecom_client(remember=True)
    if client is None:
        return {r.id: Outcome(Status.TEMPORARY_FAILURE, REASON_TOKEN, "企业微信未配置") for r in rows}
    limiter = DatabaseRateLimiter([r.recipient for r in rows], now)
    # Rows with the same card go out in one call (≤ 1000 recipients each).
    groups = {}
    for r in rows:
        groups.setdefault((r.subject, r.text, r.url), []).append(r)
    results = {}
    for (subject, text, url), group in groups.items():
        outcomes = send_text_card(client, [r.recipient for r in group], subject, text, url or "", "查看详情",
                                  limiter=limiter, duplicate_check_interval=DUPLICATE_CHECK_SECONDS)
        for r in group:
            results[r.id] = outcomes[r.recipient]
    return results


def send_mail(rows, now=None):
    """Every claimed e-mail over one SMTP connection (send_many)."""
    from ..notify.email import OutgoingMail, send_many
    timeout = current_app.config.get("MAIL_TIMEOUT", 10)
    outcomes = send_many(mail, [OutgoingMail(r.recipient, r.subject, r.text, r.html or None) for r in rows],
                         timeout=timeout)
    return {r.id: outcome[r.recipient] for r, outcome in zip(rows, outcomes)}


def senders(app):
    return app.extensions.get("lanmu_senders") or {"wecom": send_wecom, "email": send_mail}
