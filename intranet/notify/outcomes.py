"""What a delivery attempt on a channel came to, for one recipient.

Both channels (:mod:`intranet.notify.wecom`, :mod:`intranet.notify.email`)
return ``{recipient: Outcome}``; they never raise for a delivery problem. The
outbox decides from :attr:`Outcome.status` alone:

``DELIVERED``          the channel accepted it for this recipient: mark sent.
``PERMANENT_FAILURE``  this recipient cannot be reached this way (unknown
                       WeCom user, 5xx for the mail address): stop, report
                       to the admin (R-84).
``RATE_LIMITED``       the channel refused for frequency: retry after
                       :attr:`Outcome.retry_after` seconds.
``TEMPORARY_FAILURE``  network, timeout, 5xx from the server, 4xx SMTP, or
                       a configuration problem: retry with backoff.

:attr:`Outcome.reason` is a short slug for logs and the admin page (see the
``REASON_*`` names below); :attr:`Outcome.detail` is the server's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(str, Enum):
    DELIVERED = "delivered"
    PERMANENT_FAILURE = "permanent_failure"
    RATE_LIMITED = "rate_limited"
    TEMPORARY_FAILURE = "temporary_failure"


# reasons
REASON_OK = "ok"
REASON_SUPPRESSED = "suppressed"  # Flask-Mail MAIL_SUPPRESS_SEND: accepted, not sent
REASON_INVALID_USER = "invalid_user"  # WeCom invaliduser / 81013
REASON_UNLICENSED_USER = "unlicensed_user"  # WeCom unlicenseduser
REASON_ADDRESS_REJECTED = "address_rejected"  # SMTP RCPT refused
REASON_MESSAGE_REJECTED = "message_rejected"  # SMTP DATA refused
REASON_SENDER_REJECTED = "sender_rejected"  # SMTP MAIL FROM refused (configuration)
REASON_RATE_LIMITED = "rate_limited"
REASON_NETWORK = "network"  # refused, reset, DNS, disconnected
REASON_TIMEOUT = "timeout"
REASON_HTTP_ERROR = "http_error"  # non-2xx from WeCom, or an answer that is not JSON
REASON_API_ERROR = "api_error"  # an errcode we have no better word for
REASON_TOKEN = "token"  # could not get a valid access token (bad secret, ...)
REASON_SMTP_ERROR = "smtp_error"
REASON_UNEXPECTED = "unexpected"  # a bug on our side; logged with traceback


@dataclass(frozen=True)
class Outcome:
    status: Status
    reason: str = REASON_OK
    detail: str = ""
    code: int | None = None  # WeCom errcode, HTTP status or SMTP reply code
    retry_after: float | None = None  # seconds, for RATE_LIMITED
    message_id: str | None = None  # WeCom msgid / Message-ID header

    @property
    def delivered(self) -> bool:
        return self.status is Status.DELIVERED

    @property
    def permanent(self) -> bool:
        return self.status is Status.PERMANENT_FAILURE

    @property
    def retryable(self) -> bool:
        return self.status in (Status.RATE_LIMITED, Status.TEMPORARY_FAILURE)
