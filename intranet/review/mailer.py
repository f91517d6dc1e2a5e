"""Email to reviewers when a step reaches them (R-35), sent with Flask-Mail.

Messages are built while the transaction that opened the step is running and
kept on the session (`session.info`); they are sent after that transaction
commits (a rolled-back step sends nothing). Flask-Mail has no SMTP timeout
(flask-mail#114): `_TimeoutConnection` passes LANMU_REVIEW_MAIL_TIMEOUT seconds
to smtplib. A mail that cannot be sent is logged; the step still waits on the
reviewer's dashboard. The reminders feature will later route this mail
through the durable outbox."""
import logging
import smtplib
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, url_for
from flask_mail import Connection, Message
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

log = logging.getLogger(__name__)
QUEUE_KEY = "lanmu_review_mail"


def build_url(endpoint, external=False, **values):
    """A URL for mail and inbox rows, also outside a request (LANMU_BASE_URL)."""
    base = current_app.config.get("LANMU_BASE_URL")
    if has_request_context() and not (external and base):
        return url_for(endpoint, _external=external, **values)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=external)


def queue_step_mail(step, user):
    """Build the decision mail for `user` on `step` (with fresh single-use links) and queue it."""
    from . import links
    if not user.email or not user.notify_email:
        return None
    item = step.item
    tokens = links.create_links(step, user)
    urls = {action: build_url("review.link", token=token, external=True) for action, token in tokens.items()}
    review_url = build_url("review.item", item_id=item.id, external=True)
    from .diff import plain_text
    summary = plain_text(item.body or "")[:300]
    ctx = dict(step=step, item=item, user=user, urls=urls, review_url=review_url, summary=summary,
               expires_workdays=current_app.config.get("LANMU_REVIEW_LINK_WORKDAYS", 5))
    msg = Message(subject=f"【待审核】{item.title}（{step.label}）", recipients=[user.email],
                  body=render_template("review/mail/step.txt", **ctx),
                  html=render_template("review/mail/step.html", **ctx))
    db.session.info.setdefault(QUEUE_KEY, []).append(msg)
    return msg


class _TimeoutConnection(Connection):
    def __init__(self, mail, timeout):
        super().__init__(mail)
        self.timeout = timeout

    def configure_host(self):
        m = self.mail
        cls = smtplib.SMTP_SSL if m.use_ssl else smtplib.SMTP
        host = cls(m.server, m.port, timeout=self.timeout)
        host.set_debuglevel(int(m.debug))
        if m.use_tls:
            host.starttls()
        if m.username and m.password:
            host.login(m.username, m.password)
        return host

    def __exit__(self, exc_type, exc_value, tb):
        if self.host is not None:
            try:
                self.host.quit()
            except (smtplib.SMTPException, OSError):
                pass


def send_messages(messages):
    """Send now over one connection; returns how many were sent. Never raises for SMTP trouble."""
    if not messages:
        return 0
    state = current_app.extensions["mail"]
    timeout = float(current_app.config.get("LANMU_REVIEW_MAIL_TIMEOUT", 10))
    sent = 0
    try:
        with _TimeoutConnection(state, timeout) as conn:
            for msg in messages:
                try:
                    conn.send(msg)
                    sent += 1
                except smtplib.SMTPRecipientsRefused as exc:
                    log.warning("review mail refused for %s: %s", msg.recipients, exc)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("review mail not sent (%d of %d sent): %s", sent, len(messages), exc)
    return sent


@event.listens_for(Session, "after_commit")
def _send_after_commit(session):
    messages = session.info.pop(QUEUE_KEY, None)
    if messages:
        send_messages(messages)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session):
    session.info.pop(QUEUE_KEY, None)
