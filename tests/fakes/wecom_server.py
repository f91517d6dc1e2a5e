"""A fake WeCom (企业微信) server over real HTTP on 127.0.0.1.

It answers like ``qyapi.weixin.qq.com`` for the calls Lanmu makes, and like
the two sign-in pages (in-app OAuth and the PC QR login) for browser tests.
Point the channel at it through configuration (``api_base_url``,
``oauth_authorize_url``, ``qr_login_url``); nothing in wechatpy is patched.

Behaviour, and where it comes from (developer.work.weixin.qq.com):

``GET /cgi-bin/gettoken?corpid&corpsecret`` (path 91039)
    ``{"errcode":0,"errmsg":"ok","access_token":..,"expires_in":..}``.
    While a token is valid the same token is returned again (with its
    remaining lifetime); after expiry a new one is issued. Wrong corpid:
    40013; wrong secret: 40001; missing corpid/secret: 41002/41004.

``POST /cgi-bin/message/send?access_token`` (path 90236)
    text, textcard and markdown. Missing token 41001, unknown token 40014,
    expired token 42001. More than 1000 users in ``touser``: 40032 (global
    error codes, path 90313: "不合法的UserID列表长度 ... 发消息接口，最多指定
    1000人"); nothing is sent. Unknown users: errcode 0 and ``invaliduser``
    lists them ("如果部分接收人无权限或不存在，发送仍然执行，但会返回无效的部分");
    users without a licence likewise in ``unlicenseduser``; when every
    recipient is invalid: 81013 ("user & party & tag all invalid"), nothing
    sent. User ids are case-insensitive and come back lower-cased ("返回包中
    的userid，不区分大小写，统一转为小写"). ``enable_duplicate_check`` /
    ``duplicate_check_interval`` (default 1800 s) are honoured: the same
    request JSON within the interval is accepted and not delivered again.

Per-user rate limit (paths 90236 and 90454)
    "每应用对同一个成员不可超过30次/分钟，1000次/小时，超过部分会被丢弃不下发":
    at most 30 messages a minute and 1000 an hour per member from one app;
    the part over the limit is dropped. WeCom's documentation says the
    excess is *dropped*, i.e. the call succeeds partially and says nothing
    about it; 45009 ("api freq out of limit") is the code WeCom uses when a
    call itself is refused for frequency. The fake models both, chosen by
    ``rate_limit_mode``:

    ``"drop"`` (default, the documented behaviour): errcode 0; recipients
        within their limit get the message, the others are silently dropped
        (listed in :attr:`FakeWeCom.dropped`, never in the response). This is
        why the sender must throttle itself.
    ``"error"``: if any recipient is over the limit the whole call fails
        with 45009 and *nothing* is delivered to anyone. The call fails whole
        because an errcode != 0 answer carries no per-recipient report: a
        client could not tell who got a partial delivery, so retrying would
        duplicate.

    Windows are sliding (60 s and 3600 s) on the injected clock.

``GET /cgi-bin/auth/getuserinfo?access_token&code`` (path 91023/98177)
    A code from :meth:`FakeWeCom.issue_code` (or from the sign-in pages)
    → ``{"errcode":0,"errmsg":"ok","userid":..}``; for a non-member
    ``openid``. Codes are single use and expire after 5 minutes: 40029.

``GET /connect/oauth2/authorize`` and ``GET /wwlogin/sso/login``
    The in-app OAuth page (path 91022) and the PC QR login page (path 98152,
    ``login_type=CorpApp``). When a browser user is set
    (:meth:`FakeWeCom.set_browser_user`, i.e. "the person has scanned / is in
    the WeCom app") they redirect to ``redirect_uri?code=CODE&state=STATE``;
    otherwise they show a page asking to open WeCom / scan.

Outages: :meth:`FakeWeCom.down` with ``"refused"`` (the port is closed),
``"error"`` (HTTP 5xx) or ``"timeout"`` (the request is held until the
client gives up; ``process=True`` handles it first, so the work is done but
the answer is lost); :meth:`FakeWeCom.up` restores service on the same port.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.fakes.clock import FakeClock

MAX_RECIPIENTS = 1000
CODE_TTL = 300
SUPPORTED_MSGTYPES = ("text", "textcard", "markdown")


@dataclass(frozen=True)
class Delivered:
    """One message as one member received it."""

    userid: str
    msgtype: str
    content: dict
    agentid: int
    at: float
    msgid: str

    @property
    def title(self) -> str | None:
        return self.content.get("title")

    @property
    def text(self) -> str:
        """The visible text: content for text/markdown, description for cards."""
        return self.content.get("content") or self.content.get("description") or ""


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict
    body: Any
    at: float


@dataclass
class _User:
    userid: str
    licensed: bool = True


@dataclass
class _Code:
    userid: str | None
    openid: str | None
    expires_at: float


@dataclass
class _Outage:
    mode: str  # "error" | "timeout"
    status: int = 503
    process: bool = False
    release: threading.Event = field(default_factory=threading.Event)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request, client_address):  # pragma: no cover - noise only
        # Clients that time out close the socket before a held answer is
        # written: that is expected here, not worth a traceback.
        pass


class FakeWeCom:
    """A fake WeCom API on 127.0.0.1 (ephemeral port).

    Use as a context manager or call :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self,
        corp_id: str = "wwfakecorp0001",
        secret: str = "fake-secret-0123456789",
        agent_id: int = 1000002,
        *,
        clock: Callable[[], float] | None = None,
        token_ttl: int = 7200,
        rate_limit_mode: str = "drop",
        per_minute: int = 30,
        per_hour: int = 1000,
        stall_seconds: float = 30.0,
    ) -> None:
        if rate_limit_mode not in ("drop", "error"):
            raise ValueError("rate_limit_mode is 'drop' or 'error'")
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = int(agent_id)
        self.clock: Callable[[], float] = clock or FakeClock()
        self.token_ttl = token_ttl
        self.rate_limit_mode = rate_limit_mode
        self.per_minute = per_minute
        self.per_hour = per_hour
        self.stall_seconds = stall_seconds

        self._lock = threading.RLock()
        self._users: dict[str, _User] = {}
        self._tokens: dict[str, float] = {}  # token -> expires_at
        self._current_token: str | None = None
        self._codes: dict[str, _Code] = {}
        self._windows: dict[tuple[int, str], deque[float]] = {}
        self._recent_bodies: dict[str, float] = {}  # canonical JSON -> accepted at
        self._browser_user: str | None = None
        self._outage: _Outage | None = None

        self.messages: list[Delivered] = []
        self.dropped: list[Delivered] = []
        self.calls: list[Call] = []
        self.tokens_issued = 0

        self._httpd: _QuietServer | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # ------------------------------------------------------------------ life
    def start(self) -> "FakeWeCom":
        if self._httpd is not None:
            return self
        handler = type("_Handler", (_Handler,), {"fake": self})
        self._httpd = _QuietServer(("127.0.0.1", self._port or 0), handler)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-wecom:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release_held()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> "FakeWeCom":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the fake WeCom server has not been started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        """What goes in ``WECOM_API_BASE_URL`` (ends with a slash)."""
        return f"{self.base_url}/cgi-bin/"

    @property
    def oauth_authorize_url(self) -> str:
        return f"{self.base_url}/connect/oauth2/authorize"

    @property
    def qr_login_url(self) -> str:
        return f"{self.base_url}/wwlogin/sso/login"

    def config(self, **overrides: Any) -> dict:
        """Flask-style ``WECOM_*`` settings pointing at this server."""
        cfg = {
            "WECOM_CORP_ID": self.corp_id,
            "WECOM_SECRET": self.secret,
            "WECOM_AGENT_ID": self.agent_id,
            "WECOM_API_BASE_URL": self.api_base_url,
            "WECOM_OAUTH_AUTHORIZE_URL": self.oauth_authorize_url,
            "WECOM_QR_LOGIN_URL": self.qr_login_url,
        }
        cfg.update(overrides)
        return cfg

    # -------------------------------------------------------------- outages
    def down(self, mode: str = "refused", *, status: int = 503, process: bool = False) -> None:
        """Simulate an outage.

        ``"refused"``: stop listening (connection refused) until :meth:`up`.
        ``"error"``: answer every request with HTTP ``status``.
        ``"timeout"``: hold every request without answering until the client
        gives up (or :meth:`up`, or ``stall_seconds``); with ``process=True``
        the request is carried out first and only the answer is lost.
        """
        if mode == "refused":
            self._release_held()
            with self._lock:
                self._outage = None
            if self._httpd is not None:
                self._httpd.shutdown()
                self._httpd.server_close()
                self._httpd = None
                if self._thread is not None:
                    self._thread.join(timeout=5)
                self._thread = None
        elif mode in ("error", "timeout"):
            with self._lock:
                self._outage = _Outage(mode=mode, status=status, process=process)
        else:
            raise ValueError("mode is 'refused', 'error' or 'timeout'")

    def up(self) -> None:
        """End any outage; the server listens again on the same port."""
        self._release_held()
        with self._lock:
            self._outage = None
        self.start()

    def _release_held(self) -> None:
        with self._lock:
            outage = self._outage
        if outage is not None:
            outage.release.set()

    # ---------------------------------------------------------------- users
    def add_user(self, userid: str, *, licensed: bool = True) -> None:
        with self._lock:
            self._users[userid.lower()] = _User(userid=userid, licensed=licensed)

    def add_users(self, userids) -> None:
        for userid in userids:
            self.add_user(userid)

    def remove_user(self, userid: str) -> None:
        with self._lock:
            self._users.pop(userid.lower(), None)

    # --------------------------------------------------------------- tokens
    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (calls answer 42001)."""
        now = self.clock()
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = min(self._tokens[token], now)
            self._current_token = None

    def revoke_tokens(self) -> None:
        """Forget every token (calls answer 40014, as for a token never issued)."""
        with self._lock:
            self._tokens.clear()
            self._current_token = None

    # ---------------------------------------------------------------- OAuth
    def issue_code(self, userid: str | None = None, *, openid: str | None = None) -> str:
        """An OAuth code as WeCom hands it to ``redirect_uri`` after sign-in."""
        if (userid is None) == (openid is None):
            raise ValueError("give a member userid or a non-member openid")
        code = secrets.token_urlsafe(24)
        if userid is not None:
            with self._lock:
                user = self._users.get(userid.lower())
            userid = user.userid if user else userid
        with self._lock:
            self._codes[code] = _Code(userid=userid, openid=openid, expires_at=self.clock() + CODE_TTL)
        return code

    def set_browser_user(self, userid: str | None) -> None:
        """Who is signed in to WeCom on the browser side (None: nobody)."""
        with self._lock:
            self._browser_user = userid

    # ------------------------------------------------------------ inspection
    def delivered_to(self, userid: str) -> list[Delivered]:
        key = userid.lower()
        with self._lock:
            return [m for m in self.messages if m.userid.lower() == key]

    def dropped_for(self, userid: str) -> list[Delivered]:
        key = userid.lower()
        with self._lock:
            return [m for m in self.dropped if m.userid.lower() == key]

    def call_count(self, path: str | None = None) -> int:
        """API calls received (all paths, or one such as ``"/cgi-bin/message/send"``)."""
        with self._lock:
            return sum(1 for c in self.calls if path is None or c.path == path)

    def send_calls(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path == "/cgi-bin/message/send"]

    def reset_records(self) -> None:
        with self._lock:
            self.messages.clear()
            self.dropped.clear()
            self.calls.clear()

    # ------------------------------------------------------------- handling
    @staticmethod
    def _error(code: int, msg: str) -> dict:
        hint = secrets.token_hex(8)
        return {
            "errcode": code,
            "errmsg": f"{msg}, hint: [{hint}], from ip: 127.0.0.1, "
            f"more info at https://open.work.weixin.qq.com/devtool/query?e={code}",
        }

    def _check_token(self, query: dict) -> dict | None:
        token = query.get("access_token")
        if not token:
            return self._error(41001, "access_token missing")
        with self._lock:
            expires_at = self._tokens.get(token)
        if expires_at is None:
            return self._error(40014, "invalid access_token")
        if self.clock() >= expires_at:
            return self._error(42001, "access_token expired")
        return None

    def _gettoken(self, query: dict) -> dict:
        corpid, corpsecret = query.get("corpid"), query.get("corpsecret")
        if not corpid:
            return self._error(41002, "corpid missing")
        if corpid != self.corp_id:
            return self._error(40013, "invalid corpid")
        if not corpsecret:
            return self._error(41004, "corpsecret missing")
        if corpsecret != self.secret:
            return self._error(40001, "invalid credential")
        now = self.clock()
        with self._lock:
            token = self._current_token
            if token is None or self._tokens.get(token, 0) <= now:
                token = secrets.token_urlsafe(32)
                self._tokens[token] = now + self.token_ttl
                self._current_token = token
                self.tokens_issued += 1
            remaining = max(1, int(round(self._tokens[token] - now)))
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": remaining}

    def _within_limit(self, key: tuple[int, str], now: float, extra: int = 0) -> bool:
        window = self._windows.setdefault(key, deque())
        while window and window[0] <= now - 3600:
            window.popleft()
        last_minute = sum(1 for t in window if t > now - 60)
        return last_minute + extra < self.per_minute and len(window) + extra < self.per_hour

    def _message_send(self, query: dict, body: Any) -> dict:
        err = self._check_token(query)
        if err:
            return err
        if not isinstance(body, dict):
            return self._error(47001, "data format error")
        try:
            agentid = int(body.get("agentid"))
        except (TypeError, ValueError):
            agentid = None
        if agentid != self.agent_id:
            return self._error(40056, "invalid agentid")
        msgtype = body.get("msgtype")
        if msgtype not in SUPPORTED_MSGTYPES:
            return self._error(40008, "invalid message type")
        content = body.get(msgtype)
        if not isinstance(content, dict):
            return self._error(40063, "some parameters are empty")
        if msgtype in ("text", "markdown") and not content.get("content"):
            return self._error(44004, "empty content")
        if msgtype == "textcard" and not all(content.get(k) for k in ("title", "description", "url")):
            return self._error(40063, "some parameters are empty")

        touser = body.get("touser") or ""
        if isinstance(touser, list):  # WeCom wants "a|b"; a list is a client bug
            return self._error(40031, "invalid userid list")
        requested = [u for u in str(touser).split("|") if u.strip()]
        if not requested:
            return self._error(40035, "invalid parameter: touser & toparty & totag all empty")
        with self._lock:
            if requested == ["@all"]:
                requested = [u.userid for u in self._users.values()]
            if len(requested) > MAX_RECIPIENTS:
                return self._error(40032, "invalid userid list size")

            seen: set[str] = set()
            invalid: list[str] = []
            unlicensed: list[str] = []
            targets: list[_User] = []
            for raw in requested:
                key = raw.strip().lower()
                if key in seen:
                    continue
                seen.add(key)
                user = self._users.get(key)
                if user is None:
                    invalid.append(key)
                elif not user.licensed:
                    unlicensed.append(key)
                else:
                    targets.append(user)

            if not targets:
                resp = self._error(81013, "user & party & tag all invalid")
                if invalid:
                    resp["invaliduser"] = "|".join(invalid)
                if unlicensed:
                    resp["unlicenseduser"] = "|".join(unlicensed)
                return resp

            now = self.clock()
            msgid = secrets.token_urlsafe(32)

            canonical = None
            if body.get("enable_duplicate_check") in (1, "1", True):
                interval = int(body.get("duplicate_check_interval") or 1800)
                canonical = json.dumps(body, sort_keys=True, ensure_ascii=False)
                accepted_at = self._recent_bodies.get(canonical)
                if accepted_at is not None and now - accepted_at < interval:
                    return self._ok(msgid, invalid, unlicensed)

            over = [u for u in targets if not self._within_limit((agentid, u.userid.lower()), now)]
            if over and self.rate_limit_mode == "error":
                return self._error(45009, "api freq out of limit")
            if canonical is not None:  # only an accepted request counts as "sent before"
                self._recent_bodies[canonical] = now

            over_keys = {u.userid.lower() for u in over}
            for user in targets:
                record = Delivered(
                    userid=user.userid, msgtype=msgtype, content=dict(content),
                    agentid=agentid, at=now, msgid=msgid,
                )
                if user.userid.lower() in over_keys:
                    self.dropped.append(record)
                    continue
                self._windows[(agentid, user.userid.lower())].append(now)
                self.messages.append(record)
            return self._ok(msgid, invalid, unlicensed)

    @staticmethod
    def _ok(msgid: str, invalid: list[str], unlicensed: list[str]) -> dict:
        resp: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
        if invalid:
            resp["invaliduser"] = "|".join(invalid)
        if unlicensed:
            resp["unlicenseduser"] = "|".join(unlicensed)
        resp["msgid"] = msgid
        return resp

    def _getuserinfo(self, query: dict) -> dict:
        err = self._check_token(query)
        if err:
            return err
        code = query.get("code")
        if not code:
            return self._error(41008, "missing code")
        with self._lock:
            entry = self._codes.pop(code, None)  # single use
        if entry is None or self.clock() >= entry.expires_at:
            return self._error(40029, "invalid code")
        if entry.userid is not None:
            return {"errcode": 0, "errmsg": "ok", "userid": entry.userid}
        return {"errcode": 0, "errmsg": "ok", "openid": entry.openid}

    def _signin_page(self, path: str, query: dict) -> tuple[int, dict, str]:
        """(status, headers, html) for the OAuth page or the QR login page."""
        if query.get("appid") != self.corp_id:
            return 400, {}, "<html><body>参数错误：appid</body></html>"
        if path == "/wwlogin/sso/login":
            if query.get("login_type") != "CorpApp" or str(query.get("agentid")) != str(self.agent_id):
                return 400, {}, "<html><body>参数错误：login_type / agentid</body></html>"
        elif query.get("response_type") != "code":
            return 400, {}, "<html><body>参数错误：response_type</body></html>"
        redirect_uri = query.get("redirect_uri")
        if not redirect_uri:
            return 400, {}, "<html><body>参数错误：redirect_uri</body></html>"
        with self._lock:
            who = self._browser_user
        if who is None:
            if path == "/wwlogin/sso/login":
                return 200, {}, '<html><body><div id="qrcode">请使用企业微信扫描二维码登录</div></body></html>'
            return 200, {}, "<html><body>请在企业微信客户端打开链接</body></html>"
        code = self.issue_code(who)
        params = {"code": code, "state": query.get("state", "")}
        sep = "&" if urlsplit(redirect_uri).query else "?"
        return 302, {"Location": f"{redirect_uri}{sep}{urlencode(params)}"}, ""


class _Handler(BaseHTTPRequestHandler):
    fake: FakeWeCom  # set on the per-server subclass
    # One request per connection: when the fake goes "down" no pooled
    # keep-alive connection can keep talking to it.
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002 - silence the access log
        pass

    def _query(self) -> tuple[str, dict]:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        return parts.path, query

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return raw

    def _send(self, status: int, payload: Any, headers: dict | None = None, content_type: str | None = None) -> None:
        if isinstance(payload, (dict, list)):
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            content_type = content_type or "application/json; charset=UTF-8"
        else:
            data = str(payload).encode("utf-8")
            content_type = content_type or "text/html; charset=UTF-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        fake = self.fake
        path, query = self._query()
        body = self._read_body() if method == "POST" else None
        with fake._lock:
            fake.calls.append(Call(method=method, path=path, query=query, body=body, at=fake.clock()))
            outage = fake._outage

        if outage is not None and outage.mode == "error":
            self._send(outage.status, "<html><body>Service Unavailable</body></html>")
            return
        if outage is not None and outage.mode == "timeout":
            if outage.process:
                self._dispatch(method, path, query, body)  # computed, then never sent
            outage.release.wait(fake.stall_seconds)
            self.close_connection = True
            return

        status, headers, payload = self._dispatch(method, path, query, body)
        self._send(status, payload, headers)

    def _dispatch(self, method: str, path: str, query: dict, body: Any) -> tuple[int, dict, Any]:
        fake = self.fake
        if method == "GET" and path == "/cgi-bin/gettoken":
            return 200, {}, fake._gettoken(query)
        if method == "POST" and path == "/cgi-bin/message/send":
            return 200, {}, fake._message_send(query, body)
        if method == "GET" and path == "/cgi-bin/auth/getuserinfo":
            return 200, {}, fake._getuserinfo(query)
        if method == "GET" and path in ("/connect/oauth2/authorize", "/wwlogin/sso/login"):
            status, headers, html = fake._signin_page(path, query)
            return status, headers, html
        return 404, {}, "<html><body>404 Not Found</body></html>"

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")


@pytest.fixture
def wecom_server():
    """A started :class:`FakeWeCom` on a :class:`FakeClock` (``server.clock``).

    Import it into a test module (``from tests.fakes.wecom_server import
    wecom_server``) to use it; it is deliberately not in a conftest.
    """
    with FakeWeCom(clock=FakeClock()) as server:
        yield server


__all__ = ["Call", "Delivered", "FakeWeCom", "wecom_server", "MAX_RECIPIENTS"]
