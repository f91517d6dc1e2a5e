"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, ephemeral port.

It keeps every message it accepts as a parsed :class:`email.message.EmailMessage`
(``email.policy.default``, so headers come back decoded). It can be stopped
and started again on the same port (mail server down, then up), made to
accept connections but never answer (a hung server, for timeouts), and made
to refuse given addresses at RCPT TO with a chosen reply (550 for a bad
address, or a 4xx for a temporary refusal), or a sender at MAIL FROM.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

import pytest
from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server accepted it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]  # envelope recipients that were accepted
    message: EmailMessage
    raw: bytes

    @property
    def subject(self) -> str:
        """The Subject header, decoded (RFC 2047 undone)."""
        return str(self.message["subject"] or "")

    @property
    def sender(self) -> str:
        return str(self.message["from"] or "")

    @property
    def recipients(self) -> list[str]:
        """Addresses in To and Cc headers."""
        fields = [str(v) for h in ("to", "cc") for v in self.message.get_all(h, [])]
        return [addr for _name, addr in getaddresses(fields)]

    def _part(self, subtype: str) -> str | None:
        part = self.message.get_body(preferencelist=(subtype,))
        if part is None or part.get_content_subtype() != subtype:
            return None
        # Senders using policy.SMTP put CRLF inside base64 bodies too.
        return part.get_content().replace("\r\n", "\n")

    @property
    def text(self) -> str | None:
        """The text/plain body, decoded, line ends as \\n; or None."""
        return self._part("plain")

    @property
    def html(self) -> str | None:
        """The text/html body, decoded, line ends as \\n; or None."""
        return self._part("html")


class _Handler:
    def __init__(self, fake: "FakeSMTP") -> None:
        self.fake = fake

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        reply = self.fake._rejection_for(address, sender=True)
        if reply is not None:
            return reply
        with self.fake._lock:
            self.fake.peers.add(session.peer)  # one per SMTP connection
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        reply = self.fake._rejection_for(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):  # pragma: no cover - decode_data is off
            raw = raw.encode("utf-8")
        message = BytesParser(policy=policy.default).parsebytes(raw)
        self.fake._store(
            ReceivedMail(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=message,
                raw=raw,
            )
        )
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """aiosmtpd's Controller, able to bind port 0 and learn the port."""

    def _trigger_server(self):
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class FakeSMTP:
    """An aiosmtpd server capturing what it receives.

    ``start()`` / ``stop()`` (or use it as a context manager). After the first
    start the port is fixed, so ``stop()`` then ``start()`` is "down, then up".
    """

    def __init__(self, hostname: str = "127.0.0.1") -> None:
        self.host = hostname
        self._port = 0
        self._controller: _Controller | None = None
        self._stall_sock: socket.socket | None = None
        self._stall_timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._rejections: dict[str, str] = {}
        self._sender_rejections: dict[str, str] = {}
        self.messages: list[ReceivedMail] = []
        self.peers: set = set()  # (host, port) of each client connection that sent MAIL FROM

    # ------------------------------------------------------------------ life
    def start(self) -> "FakeSMTP":
        self._unstall()
        if self._controller is not None:
            return self
        controller = _Controller(_Handler(self), hostname=self.host, port=self._port)
        controller.start()
        self._port = controller.port
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until :meth:`start`."""
        self._unstall()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def stall(self, max_seconds: float = 30.0) -> None:
        """Accept TCP connections but never send the greeting (a hung server).

        After ``max_seconds`` the port is closed, so a client without a
        timeout fails (connection reset) instead of hanging the test run.
        """
        self.stop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(16)
        self._stall_sock = sock
        self._stall_timer = threading.Timer(max_seconds, self._unstall)
        self._stall_timer.daemon = True
        self._stall_timer.start()

    def _unstall(self) -> None:
        timer, self._stall_timer = self._stall_timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        sock, self._stall_sock = self._stall_sock, None
        if sock is not None:
            sock.close()

    def __enter__(self) -> "FakeSMTP":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("the fake SMTP server has not been started")
        return self._port

    def config(self, **overrides) -> dict:
        """Flask-Mail settings pointing at this server."""
        cfg = {
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            # Flask-Mail suppresses sending when app.testing is on, unless told not to.
            "MAIL_SUPPRESS_SEND": False,
        }
        cfg.update(overrides)
        return cfg

    # ------------------------------------------------------------ rejections
    def reject(self, address: str, reply: str = "550 5.1.1 <{addr}>: Recipient address rejected: User unknown") -> None:
        """Refuse ``address`` at RCPT TO with ``reply`` ("550 ..." or "450 ...")."""
        with self._lock:
            self._rejections[address.lower()] = reply

    def reject_sender(self, address: str, reply: str = "550 5.7.1 <{addr}>: Sender address rejected: Access denied") -> None:
        """Refuse ``address`` at MAIL FROM (a misconfigured sender)."""
        with self._lock:
            self._sender_rejections[address.lower()] = reply

    def accept(self, address: str) -> None:
        """Undo :meth:`reject` / :meth:`reject_sender` for ``address``."""
        with self._lock:
            self._rejections.pop(address.lower(), None)
            self._sender_rejections.pop(address.lower(), None)

    def _rejection_for(self, address: str, sender: bool = False) -> str | None:
        with self._lock:
            table = self._sender_rejections if sender else self._rejections
            reply = table.get(address.lower())
        return reply.format(addr=address) if reply else None

    # ------------------------------------------------------------ inspection
    def _store(self, mail: ReceivedMail) -> None:
        with self._arrived:
            self.messages.append(mail)
            self._arrived.notify_all()

    def received_by(self, address: str) -> list[ReceivedMail]:
        key = address.lower()
        with self._lock:
            return [m for m in self.messages if key in (r.lower() for r in m.rcpt_tos)]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """Wait until at least ``count`` messages arrived; return them all."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._arrived.wait(left)
            return list(self.messages)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.peers.clear()


@pytest.fixture
def smtp_server():
    """A started :class:`FakeSMTP`; import it into the test module to use it."""
    with FakeSMTP() as server:
        yield server


__all__ = ["FakeSMTP", "ReceivedMail", "smtp_server"]
