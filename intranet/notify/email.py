"""The email channel: Flask-Mail with an SMTP timeout and honest outcomes.

Flask-Mail 0.10 has no timeout (flask-mail#114): ``Connection.configure_host``
builds ``smtplib.SMTP(server, port)``, which blocks for ever on a server that
accepts the connection and never answers. :class:`TimeoutConnection` is a
subclass of Flask-Mail's ``Connection`` whose ``configure_host`` passes
``timeout=`` to smtplib (connect and every read/write); nothing global such
as ``socket.setdefaulttimeout`` is touched.

Two more Flask-Mail traits this module guards against:

* ``Connection.send`` throws away ``sendmail``'s result, so recipients that
  the server refused while it accepted others were silently lost. The
  smtplib object here records that result, and each refused address gets
  its own outcome.
* ``Connection.__exit__`` calls ``quit()``; if QUIT fails after the message
  was accepted, the error would replace success and the outbox would send
  the mail again. Here QUIT errors are ignored, and anything raised after
  the server accepted the message (a signal receiver, ``MAIL_MAX_EMAILS``
  reconnecting) does not turn "delivered" into a failure.

* Flask-Mail registers UTF-8 with *no* body encoding (``charset.add_charset(
  "utf-8", SHORTEST, None, ...)``, process-wide), so Chinese bodies go out as
  raw 8bit with lines as long as the HTML has them; SMTP allows 998 octets a
  line and 8bit only with 8BITMIME. :class:`_Base64Message` encodes the text
  and HTML parts in base64 instead (7bit-clean, wrapped at 76).

Also note: Flask-Mail sets ``MAIL_SUPPRESS_SEND`` to ``app.testing`` unless
configured, so a test app sends nothing unless it sets it to False; such a
"send" comes back DELIVERED with reason ``suppressed``.

Settings read from the app: Flask-Mail's ``MAIL_*`` plus ``MAIL_TIMEOUT``
(seconds, default :data:`DEFAULT_TIMEOUT`).
"""

from __future__ import annotations

import email.charset
import logging
import smtplib
import socket
from collections.abc import Iterable
from typing import Any, Callable

from flask import current_app, has_app_context
from email.mime.text import MIMEText
from flask_mail import Connection, Mail, Message

from intranet.notify.outcomes import (
    REASON_ADDRESS_REJECTED,
    REASON_MESSAGE_REJECTED,
    REASON_NETWORK,
    REASON_OK,
    REASON_SENDER_REJECTED,
    REASON_SMTP_ERROR,
    REASON_SUPPRESSED,
    REASON_TIMEOUT,
    REASON_UNEXPECTED,
    Outcome,
    Status,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0


class _RecordingSMTPMixin:
    """Reports sendmail's result (the refused recipients) to a callback."""

    _on_sent: Callable[[dict], None] | None = None

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        refused = super().sendmail(from_addr, to_addrs, msg, mail_options, rcpt_options)
        if self._on_sent is not None:
            self._on_sent(dict(refused))
        return refused


class _SMTP(_RecordingSMTPMixin, smtplib.SMTP):
    pass


class _SMTP_SSL(_RecordingSMTPMixin, smtplib.SMTP_SSL):  # noqa: N801
    pass


class TimeoutConnection(Connection):
    """Flask-Mail's ``Connection`` with an SMTP timeout.

    ``mail_state`` is what Flask-Mail keeps in ``app.extensions["mail"]``.
    After a send, :attr:`sent` tells whether the server accepted the message
    and :attr:`refused` maps refused recipients to ``(code, message)``.
    """

    def __init__(self, mail_state: Any, timeout: float) -> None:
        super().__init__(mail_state)
        self.timeout = timeout
        self.sent = False
        self.refused: dict[str, tuple[int, bytes]] = {}

    def _record(self, refused: dict) -> None:
        self.sent = True
        self.refused = refused

    def configure_host(self) -> smtplib.SMTP:
        # Same steps as Flask-Mail's configure_host, with timeout= added.
        cls = _SMTP_SSL if self.mail.use_ssl else _SMTP
        host = cls(self.mail.server, self.mail.port, timeout=self.timeout)
        host._on_sent = self._record
        try:
            host.set_debuglevel(int(self.mail.debug))
            if self.mail.use_tls:
                host.starttls()
            if self.mail.username and self.mail.password:
                host.login(self.mail.username, self.mail.password)
        except BaseException:
            host.close()
            raise
        return host

    def __exit__(self, exc_type, exc_value, tb) -> None:
        if self.host is None:
            return
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            self.host.close()


class _Base64Message(Message):
    """Flask-Mail's Message with base64 text parts instead of raw 8bit."""

    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMEText:
        charset = email.charset.Charset(self.charset or "utf-8")
        charset.body_encoding = email.charset.BASE64  # this part only, not the registry
        return MIMEText(text or "", _subtype=subtype, _charset=charset)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _for_code(code: int | None, reason_5xx: str, reason_other: str, detail: str) -> Outcome:
    if code is not None and 500 <= code < 600:
        return Outcome(Status.PERMANENT_FAILURE, reason_5xx, detail, code)
    return Outcome(Status.TEMPORARY_FAILURE, reason_other, detail, code)


def _classify_exception(exc: BaseException) -> Outcome:
    """One outcome for every recipient, from an exception of the whole send."""
    if isinstance(exc, smtplib.SMTPSenderRefused):
        # The server refuses our MAIL FROM: the recipient's address is fine,
        # our configuration is not. Retry (and let the admin see it) rather
        # than call the person's address bad.
        return Outcome(Status.TEMPORARY_FAILURE, REASON_SENDER_REJECTED,
                       _text(exc.smtp_error), exc.smtp_code)
    if isinstance(exc, smtplib.SMTPDataError):
        return _for_code(exc.smtp_code, REASON_MESSAGE_REJECTED, REASON_SMTP_ERROR,
                         _text(exc.smtp_error))
    if isinstance(exc, smtplib.SMTPResponseException):
        # connect / HELO / AUTH errors: the server or our credentials, not the address
        return Outcome(Status.TEMPORARY_FAILURE, REASON_SMTP_ERROR, _text(exc.smtp_error), exc.smtp_code)
    if isinstance(exc, (TimeoutError, socket.timeout)) or "timed out" in str(exc):
        return Outcome(Status.TEMPORARY_FAILURE, REASON_TIMEOUT, str(exc))
    if isinstance(exc, (smtplib.SMTPException, OSError)):
        return Outcome(Status.TEMPORARY_FAILURE, REASON_NETWORK, f"{type(exc).__name__}: {exc}")
    return Outcome(Status.TEMPORARY_FAILURE, REASON_UNEXPECTED, f"{type(exc).__name__}: {exc}")


def send_email(
    mail: Mail,
    sender: str | tuple[str, str] | None,
    to: str | Iterable[str],
    subject: str,
    text: str,
    html: str | None = None,
    *,
    timeout: float | None = None,
    reply_to: str | None = None,
) -> dict[str, Outcome]:
    """Send one message (plain text, optionally with an HTML alternative).

    ``mail`` is the app's ``flask_mail.Mail``; ``sender`` ``None`` uses
    ``MAIL_DEFAULT_SENDER``; ``to`` is one address or several (each gets an
    outcome; for reminders send one message per person). Runs inside the
    app's context (one is pushed if none is active). Never raises for a
    delivery problem: returns ``{address: Outcome}``.
    """
    return send_many(mail, [OutgoingMail(to, subject, text, html, reply_to)], sender=sender, timeout=timeout)[0]


class OutgoingMail:
    """One message for :func:`send_many`."""

    __slots__ = ("to", "subject", "text", "html", "reply_to")

    def __init__(self, to: str | Iterable[str], subject: str, text: str,
                 html: str | None = None, reply_to: str | None = None) -> None:
        self.to, self.subject, self.text, self.html, self.reply_to = to, subject, text, html, reply_to


def send_many(
    mail: Mail,
    messages: Iterable[OutgoingMail],
    *,
    sender: str | tuple[str, str] | None = None,
    timeout: float | None = None,
) -> list[dict[str, Outcome]]:
    """Send several messages over one SMTP connection; ``{address: Outcome}``
    per message, in order. Opening a connection per message would cost a
    TCP handshake, EHLO (and STARTTLS/AUTH) each time: the outbox sends a
    whole claimed batch here.

    A message the server refuses (an address, the content) does not stop the
    others: smtplib resets the transaction and the connection goes on. If the
    connection breaks mid-batch it is opened again once for that message; if
    the server cannot be reached, every remaining message gets that outcome
    at once rather than waiting out the timeout again.
    """
    messages = list(messages)
    if not messages:
        return []
    app = getattr(mail, "app", None)
    if app is None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not has_app_context():
        with app.app_context():
            return send_many(mail, messages, sender=sender, timeout=timeout)

    state = app.extensions["mail"]
    if timeout is None:
        timeout = float(app.config.get("MAIL_TIMEOUT", DEFAULT_TIMEOUT))
    results: list[dict[str, Outcome]] = []
    connection: TimeoutConnection | None = None
    unreachable: Outcome | None = None
    try:
        for spec in messages:
            recipients = [spec.to] if isinstance(spec.to, str) else list(dict.fromkeys(spec.to))
            if not recipients:
                results.append({})
                continue
            if unreachable is not None:
                results.append({addr: unreachable for addr in recipients})
                continue
            message = _Base64Message(subject=spec.subject, recipients=recipients, body=spec.text,
                                     html=spec.html, sender=sender, reply_to=spec.reply_to)
            step = None
            for _attempt in (1, 2):
                if connection is None:
                    connection, failure = _open(state, timeout)
                    if failure is not None:
                        unreachable = failure
                        log.warning("mail server unreachable: %s", failure.detail)
                        outcomes = {addr: failure for addr in recipients}
                        break
                outcomes, step = _send_on(connection, message, recipients)
                if step != _OK:
                    _close(connection)  # dropped or timed out: a fresh connection for what follows
                    connection = None
                if step != _RETRY:
                    break
            if step == _RETRY:  # failed on a fresh connection too: the server is in trouble
                unreachable = next(iter(outcomes.values()))
            results.append(outcomes)
    finally:
        if connection is not None:
            _close(connection)
    return results


def _open(state: Any, timeout: float) -> tuple[TimeoutConnection | None, Outcome | None]:
    connection = TimeoutConnection(state, timeout)
    try:
        connection.__enter__()
    except Exception as exc:  # noqa: BLE001 - turned into an outcome, never lost
        outcome = _classify_exception(exc)
        if outcome.reason == REASON_UNEXPECTED:
            log.exception("connecting to the mail server failed unexpectedly")
        return None, outcome
    return connection, None


def _close(connection: TimeoutConnection) -> None:
    connection.__exit__(None, None, None)


_OK, _RETRY, _REPLACE = "ok", "retry", "replace"


def _send_on(connection: TimeoutConnection, message: Message,
             recipients: list[str]) -> tuple[dict[str, Outcome], str]:
    """Send one message on an open connection: (outcomes, what next): _OK,
    _RETRY (not sent, the connection broke: try once more on a new one) or
    _REPLACE (sent, but the connection is no longer usable)."""
    connection.sent, connection.refused = False, {}
    message_id = message.msgId
    try:
        connection.send(message)
    except smtplib.SMTPRecipientsRefused as exc:
        # Every recipient refused at RCPT TO; smtplib has reset the transaction.
        return {
            addr: _for_code(code, REASON_ADDRESS_REJECTED, REASON_SMTP_ERROR, _text(msg))
            for addr, (code, msg) in _match_refused(recipients, exc.recipients).items()
        }, _OK
    except Exception as exc:  # noqa: BLE001 - turned into an outcome, never lost
        if not connection.sent:
            outcome = _classify_exception(exc)
            if outcome.reason == REASON_UNEXPECTED:
                log.exception("sending mail to %s failed unexpectedly", recipients)
            else:
                log.warning("mail to %s not sent: %s", recipients, outcome.detail)
            broken = isinstance(exc, (smtplib.SMTPServerDisconnected, OSError)) or outcome.reason in (
                REASON_NETWORK, REASON_TIMEOUT)
            if broken and isinstance(exc, smtplib.SMTPServerDisconnected):
                outcome = Outcome(Status.TEMPORARY_FAILURE, REASON_NETWORK, f"{type(exc).__name__}: {exc}")
            return {addr: outcome for addr in recipients}, (_RETRY if broken else _OK)
        # Accepted, then something failed (MAIL_MAX_EMAILS reconnecting, a
        # signal receiver): the message is delivered; start a new connection.
        log.warning("mail to %s was accepted, then: %r", recipients, exc)
        return _accepted(connection, recipients, message_id), _REPLACE

    if connection.host is None and not connection.sent:
        # MAIL_SUPPRESS_SEND (Flask-Mail's default when app.testing)
        return {addr: Outcome(Status.DELIVERED, REASON_SUPPRESSED, message_id=message_id)
                for addr in recipients}, _OK
    return _accepted(connection, recipients, message_id), _OK


def _accepted(connection: TimeoutConnection, recipients: list[str], message_id: str) -> dict[str, Outcome]:
    refused = _match_refused(recipients, connection.refused)
    results: dict[str, Outcome] = {}
    for addr in recipients:
        if addr in refused:
            code, msg = refused[addr]
            results[addr] = _for_code(code, REASON_ADDRESS_REJECTED, REASON_SMTP_ERROR, _text(msg))
        else:
            results[addr] = Outcome(Status.DELIVERED, REASON_OK, message_id=message_id)
    return results


def _match_refused(recipients: list[str], refused: dict) -> dict[str, tuple[int, Any]]:
    """Map smtplib's refused dict (keyed by the address as sent) back to ours."""
    by_lower = {addr.lower(): addr for addr in recipients}
    out: dict[str, tuple[int, Any]] = {}
    for addr, value in refused.items():
        out[by_lower.get(addr.lower(), addr)] = value
    return out
