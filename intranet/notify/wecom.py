"""The WeCom (企业微信) channel, on ``wechatpy.enterprise.WeChatClient``.

What this adds to wechatpy 1.8.18 (see ENGINEERING.md, "Chosen dependencies"):

* **Configurable hosts.** wechatpy's ``API_BASE_URL`` is a class attribute and
  ``WeChatClient.fetch_access_token`` has ``https://qyapi.weixin.qq.com/cgi-bin/gettoken``
  written in. :class:`WeComClient` sets the base URL per instance from
  configuration and fetches the token from ``<base>gettoken``. The OAuth and
  QR-login page hosts are settings too. Tests point all three at a fake
  server; nothing in wechatpy is patched.
* **A timeout on every call**, the token fetch included (wechatpy's
  ``_fetch_access_token`` passes none, and its default timeout is None).
* **A bounded token refresh.** wechatpy answers 40001/40014/42001 by fetching
  a token and calling itself again, with no limit (wechatpy#629): a server
  that keeps saying "expired" loops for ever. Here wechatpy's own retry is
  off (``auto_retry=False``) and :meth:`WeComClient._request` refreshes at
  most once per call.
* **A shared token.** The token lives in a wechatpy ``SessionStorage``
  together with its expiry, so several processes share one token;
  :class:`CallbackSessionStorage` takes get/set callables (the app backs it
  with a database row), :class:`MemorySessionStorage` is the in-process one.
  wechatpy keeps the expiry on the client object instead, so a second
  process reading a stored token would treat it as never expiring.

Sending: :func:`send_text_card` sends one text card to any number of userids,
≤ 1000 per call, and returns an :class:`~intranet.notify.outcomes.Outcome` per
userid. It never raises for a delivery problem.

Sign-in (R-06): :func:`oauth_authorize_url` (inside the WeCom app),
:func:`qr_login_url` (PC browser, QR code), :func:`exchange_code` (code →
userid through ``/cgi-bin/auth/getuserinfo``).

Settings (``WeComConfig.from_mapping(app.config)``): ``WECOM_CORP_ID``,
``WECOM_SECRET``, ``WECOM_AGENT_ID``, and optionally ``WECOM_API_BASE_URL``,
``WECOM_OAUTH_AUTHORIZE_URL``, ``WECOM_QR_LOGIN_URL``, ``WECOM_TIMEOUT``
(seconds, or a (connect, read) pair), ``WECOM_TOKEN_MARGIN`` (seconds before
expiry at which a stored token is no longer used).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Callable, Protocol
from urllib.parse import urlencode, urlsplit

import requests
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from intranet.notify.outcomes import (
    REASON_API_ERROR,
    REASON_HTTP_ERROR,
    REASON_INVALID_USER,
    REASON_NETWORK,
    REASON_OK,
    REASON_RATE_LIMITED,
    REASON_TIMEOUT,
    REASON_TOKEN,
    REASON_UNEXPECTED,
    REASON_UNLICENSED_USER,
    Outcome,
    Status,
)

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://qyapi.weixin.qq.com/cgi-bin/"
DEFAULT_OAUTH_AUTHORIZE_URL = "https://open.weixin.qq.com/connect/oauth2/authorize"
DEFAULT_QR_LOGIN_URL = "https://login.work.weixin.qq.com/wwlogin/sso/login"
DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 10.0)  # connect, read
DEFAULT_TOKEN_MARGIN = 300

MAX_RECIPIENTS = 1000  # per message/send call
PER_USER_PER_MINUTE = 30  # per member, per app
PER_USER_PER_HOUR = 1000
RATE_LIMIT_RETRY_AFTER = 60.0  # "按分钟拦截则被屏蔽60秒"

TITLE_MAX_BYTES = 128
DESCRIPTION_MAX_BYTES = 512
BTNTXT_MAX_CHARS = 4

# errcodes that mean "this access token is no good": refresh once and retry
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# errcodes about getting a token at all (bad corpid/secret, missing ones)
CREDENTIAL_ERRCODES = frozenset({40001, 40013, 40014, 41001, 41002, 41004, 42001})
RATE_ERRCODES = frozenset({45009, 45033})  # api freq / concurrency out of limit
ALL_INVALID_ERRCODE = 81013
INVALID_CODE_ERRCODES = frozenset({40029, 41008})


# --------------------------------------------------------------------------
# configuration


@dataclass(frozen=True)
class WeComConfig:
    corp_id: str
    secret: str
    agent_id: int
    api_base_url: str = DEFAULT_API_BASE_URL
    oauth_authorize_url: str = DEFAULT_OAUTH_AUTHORIZE_URL
    qr_login_url: str = DEFAULT_QR_LOGIN_URL
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT
    token_margin: int = DEFAULT_TOKEN_MARGIN

    def __post_init__(self) -> None:
        if not self.api_base_url.endswith("/"):
            object.__setattr__(self, "api_base_url", self.api_base_url + "/")
        object.__setattr__(self, "agent_id", int(self.agent_id))

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> "WeComConfig | None":
        """From ``WECOM_*`` settings; None when WeCom is not configured."""
        corp_id, secret = config.get("WECOM_CORP_ID"), config.get("WECOM_SECRET")
        agent_id = config.get("WECOM_AGENT_ID")
        if not (corp_id and secret and agent_id):
            return None
        timeout = config.get("WECOM_TIMEOUT") or DEFAULT_TIMEOUT
        if isinstance(timeout, list):
            timeout = tuple(timeout)
        return cls(
            corp_id=corp_id,
            secret=secret,
            agent_id=int(agent_id),
            api_base_url=config.get("WECOM_API_BASE_URL") or DEFAULT_API_BASE_URL,
            oauth_authorize_url=config.get("WECOM_OAUTH_AUTHORIZE_URL") or DEFAULT_OAUTH_AUTHORIZE_URL,
            qr_login_url=config.get("WECOM_QR_LOGIN_URL") or DEFAULT_QR_LOGIN_URL,
            timeout=timeout,
            token_margin=int(config.get("WECOM_TOKEN_MARGIN", DEFAULT_TOKEN_MARGIN)),
        )


# --------------------------------------------------------------------------
# token storage


class CallbackSessionStorage(SessionStorage):
    """A wechatpy ``SessionStorage`` over two callables, with expiry.

    ``getter(key)`` returns ``(value, expires_at)`` or None; ``setter(key,
    value, expires_at)`` stores them, and ``setter(key, None, None)`` removes
    the key. ``expires_at`` is POSIX seconds (from ``clock``) or None for
    "no expiry". A stored value past its expiry reads as absent.
    """

    def __init__(
        self,
        getter: Callable[[str], tuple[str | None, float | None] | None],
        setter: Callable[[str, str | None, float | None], None],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._getter = getter
        self._setter = setter
        self._clock = clock

    def get(self, key, default=None):
        row = self._getter(key)
        if not row:
            return default
        value, expires_at = row
        if value is None or (expires_at is not None and self._clock() >= expires_at):
            return default
        return value

    def set(self, key, value, ttl=None):
        if value is None:
            return
        expires_at = None if ttl is None else self._clock() + ttl
        self._setter(key, value, expires_at)

    def delete(self, key):
        self._setter(key, None, None)

    def __getitem__(self, key):  # wechatpy's base forgets to return
        return self.get(key)


class MemorySessionStorage(CallbackSessionStorage):
    """In-process token storage (tests, single-process tools)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._lock = threading.Lock()
        super().__init__(self._load, self._save, clock=clock)

    def _load(self, key):
        with self._lock:
            return self._data.get(key)

    def _save(self, key, value, expires_at):
        with self._lock:
            if value is None:
                self._data.pop(key, None)
            else:
                self._data[key] = (value, expires_at)


# --------------------------------------------------------------------------
# the client


class WeComClient(WeChatClient):
    """``wechatpy.enterprise.WeChatClient`` with a configurable base URL,
    timeouts, token expiry kept in the storage, and one token refresh per call.
    """

    def __init__(
        self,
        config: WeComConfig,
        session: SessionStorage | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._clock = clock
        self.API_BASE_URL = config.api_base_url  # shadows the class attribute
        super().__init__(
            config.corp_id,
            config.secret,
            session=session if session is not None else MemorySessionStorage(clock=clock),
            timeout=config.timeout,
            auto_retry=False,  # wechatpy's retry is unbounded; ours is in _request
        )

    @classmethod
    def from_mapping(
        cls,
        config: Mapping[str, Any],
        session: SessionStorage | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> "WeComClient | None":
        wecom = WeComConfig.from_mapping(config)
        return None if wecom is None else cls(wecom, session, clock=clock)

    @property
    def agent_id(self) -> int:
        return self.config.agent_id

    # -- token --------------------------------------------------------------
    @property
    def access_token(self) -> str:
        """The stored token while it is valid, else a fresh one."""
        token = self.session.get(self.access_token_key)
        if token:
            return token
        return self.fetch_access_token()["access_token"]

    def fetch_access_token(self) -> dict:
        """``GET <base>gettoken`` (wechatpy's own has the host written in)."""
        res = self._http.get(
            url=f"{self.API_BASE_URL}gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
            timeout=self.timeout,
        )
        if res.status_code >= 400:
            raise WeChatClientException(None, f"HTTP {res.status_code} from gettoken",
                                        client=self, request=res.request, response=res)
        try:
            result = res.json()
        except ValueError:
            raise WeChatClientException(None, "gettoken answered with something that is not JSON",
                                        client=self, request=res.request, response=res) from None
        errcode = int(result.get("errcode") or 0)
        if errcode or not result.get("access_token"):
            raise WeChatClientException(errcode or None, result.get("errmsg", "no access_token"),
                                        client=self, request=res.request, response=res)
        expires_in = int(result.get("expires_in") or 7200)
        margin = min(self.config.token_margin, expires_in // 2)
        self.session.set(self.access_token_key, result["access_token"], expires_in - margin)
        self.expires_at = int(self._clock()) + expires_in
        return result

    def _refresh_token(self, stale: str) -> str:
        current = self.session.get(self.access_token_key)
        if current and current != stale:
            return current  # another process already refreshed it
        self.session.delete(self.access_token_key)
        return self.fetch_access_token()["access_token"]

    def _request(self, method, url_or_endpoint, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        params = kwargs.get("params")
        if isinstance(params, dict) and "access_token" in params:
            # the caller chose the token: no refresh behind their back
            return super()._request(method, url_or_endpoint, **kwargs)
        token = self.access_token
        try:
            return super()._request(method, url_or_endpoint, **_with_token(kwargs, token))
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRCODES:
                raise
            log.info("WeCom says the access token is no good (%s); refreshing once", exc.errcode)
        token = self._refresh_token(stale=token)
        return super()._request(method, url_or_endpoint, **_with_token(kwargs, token))


def _with_token(kwargs: dict, token: str) -> dict:
    out = dict(kwargs)
    params = kwargs.get("params")
    out["params"] = dict(params) if isinstance(params, dict) else {}
    out["params"]["access_token"] = token
    return out


# --------------------------------------------------------------------------
# per-member rate limit on our side


class RateLimiter(Protocol):
    """Decides whether one more message may go to a member now.

    ``acquire`` returns None and counts the message, or the seconds to wait.
    ``release`` uncounts a message that never reached WeCom.
    """

    def acquire(self, userid: str) -> float | None: ...

    def release(self, userid: str) -> None: ...


class PerUserRateLimiter:
    """In-process guard for WeCom's 30 a minute / 1000 an hour per member.

    Past the limit WeCom drops messages without saying so, so the sender has
    to count. This one counts in memory (one process); with several
    dispatchers, give :func:`send_text_card` a limiter backed by the database.
    """

    def __init__(
        self,
        per_minute: int = PER_USER_PER_MINUTE,
        per_hour: int = PER_USER_PER_HOUR,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.per_minute = per_minute
        self.per_hour = per_hour
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, userid: str) -> float | None:
        now = self._clock()
        with self._lock:
            window = self._sent.setdefault(userid.lower(), deque())
            while window and window[0] <= now - 3600:
                window.popleft()
            minute = [t for t in window if t > now - 60]
            if len(minute) >= self.per_minute:
                return minute[len(minute) - self.per_minute] + 60 - now
            if len(window) >= self.per_hour:
                return window[len(window) - self.per_hour] + 3600 - now
            window.append(now)
            return None

    def release(self, userid: str) -> None:
        with self._lock:
            window = self._sent.get(userid.lower())
            if window:
                window.pop()


# --------------------------------------------------------------------------
# sending


def _truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut to ``max_bytes`` of UTF-8 on a character boundary, marking the cut.

    WeCom truncates by bytes itself and may split a Chinese character.
    """
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", "ignore") + "…"


def text_card(title: str, description: str, url: str, btntxt: str = "详情") -> dict:
    """The ``msg`` part of a ``message/send`` body for a text card."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"a text card needs an http(s) link, not {url!r}")
    return {
        "msgtype": "textcard",
        "textcard": {
            "title": _truncate_utf8(title, TITLE_MAX_BYTES),
            "description": _truncate_utf8(description, DESCRIPTION_MAX_BYTES),
            "url": url,
            "btntxt": (btntxt or "详情")[:BTNTXT_MAX_CHARS],
        },
    }


def send_text_card(
    client: WeComClient,
    userids: Iterable[str],
    title: str,
    description: str,
    url: str,
    btntxt: str = "详情",
    *,
    limiter: RateLimiter | None = None,
    duplicate_check_interval: int | None = None,
) -> dict[str, Outcome]:
    """Send one text card (title, description, deep link, button text).

    Recipients are WeCom userids (case-insensitive, as WeCom treats them),
    sent ≤ 1000 per call. Returns ``{userid: Outcome}`` for every userid
    given. ``limiter`` (see :class:`PerUserRateLimiter`) holds back members
    who had their 30 messages this minute: they come back RATE_LIMITED
    without a call. ``duplicate_check_interval`` (seconds) turns on WeCom's
    duplicate check, so resending the very same request after a lost answer
    is not delivered twice.
    """
    msg = text_card(title, description, url, btntxt)
    if duplicate_check_interval:
        msg["enable_duplicate_check"] = 1
        msg["duplicate_check_interval"] = int(duplicate_check_interval)
    return send_message(client, userids, msg, limiter=limiter)


def send_message(
    client: WeComClient,
    userids: Iterable[str],
    msg: dict,
    *,
    limiter: RateLimiter | None = None,
) -> dict[str, Outcome]:
    """Send any ``message/send`` body (``msg`` holds msgtype and its part)."""
    given = [u for u in userids if u and u.strip()]
    canonical: dict[str, str] = {}  # lower -> first spelling given
    for userid in given:
        canonical.setdefault(userid.lower(), userid)

    results: dict[str, Outcome] = {}
    to_send: list[str] = []
    for userid in canonical.values():
        wait = limiter.acquire(userid) if limiter is not None else None
        if wait is not None:
            results[userid] = Outcome(Status.RATE_LIMITED, REASON_RATE_LIMITED,
                                      "held back: WeCom allows 30 messages a minute per member",
                                      retry_after=max(wait, 1.0))
        else:
            to_send.append(userid)

    for start in range(0, len(to_send), MAX_RECIPIENTS):
        batch = to_send[start : start + MAX_RECIPIENTS]
        outcomes = _send_batch(client, batch, msg)
        for userid, outcome in outcomes.items():
            if limiter is not None and not outcome.delivered and outcome.reason != REASON_TIMEOUT:
                limiter.release(userid)  # WeCom did not count it (a timeout may have)
        results.update(outcomes)

    # every spelling the caller gave gets the outcome of its member
    return {userid: results[canonical[userid.lower()]] for userid in given}


def _send_batch(client: WeComClient, batch: list[str], msg: dict) -> dict[str, Outcome]:
    def everyone(outcome: Outcome) -> dict[str, Outcome]:
        return {userid: outcome for userid in batch}

    try:
        result = client.message.send(client.agent_id, batch, msg=msg)
    except WeChatClientException as exc:
        return _from_error(batch, exc)
    except requests.Timeout as exc:
        return everyone(Outcome(Status.TEMPORARY_FAILURE, REASON_TIMEOUT, str(exc)))
    except requests.RequestException as exc:
        return everyone(Outcome(Status.TEMPORARY_FAILURE, REASON_NETWORK, f"{type(exc).__name__}: {exc}"))
    except Exception as exc:  # noqa: BLE001 - an outcome, never an escaped exception
        log.exception("sending a WeCom message failed unexpectedly")
        return everyone(Outcome(Status.TEMPORARY_FAILURE, REASON_UNEXPECTED, f"{type(exc).__name__}: {exc}"))

    if not isinstance(result, dict):
        status = getattr(result, "status_code", None)
        return everyone(Outcome(Status.TEMPORARY_FAILURE, REASON_HTTP_ERROR,
                                "message/send answered with something that is not JSON", status))
    msgid = result.get("msgid")
    invalid = _split_ids(result.get("invaliduser"))
    unlicensed = _split_ids(result.get("unlicenseduser"))
    outcomes: dict[str, Outcome] = {}
    for userid in batch:
        key = userid.lower()
        if key in invalid:
            outcomes[userid] = Outcome(Status.PERMANENT_FAILURE, REASON_INVALID_USER,
                                       "not a member, or outside the app's visible range", 0)
        elif key in unlicensed:
            outcomes[userid] = Outcome(Status.PERMANENT_FAILURE, REASON_UNLICENSED_USER,
                                       "member has no licence (基础接口许可) for this app", 0)
        else:
            outcomes[userid] = Outcome(Status.DELIVERED, REASON_OK, message_id=msgid)
    return outcomes


def _split_ids(value: Any) -> set[str]:
    if not value:
        return set()
    return {part.strip().lower() for part in str(value).split("|") if part.strip()}


def _from_error(batch: list[str], exc: WeChatClientException) -> dict[str, Outcome]:
    code, detail = exc.errcode, str(exc.errmsg or "")
    if code is None:  # HTTP error status (or gettoken's non-JSON answer)
        status = getattr(exc.response, "status_code", None)
        outcome = Outcome(Status.TEMPORARY_FAILURE, REASON_HTTP_ERROR, detail or f"HTTP {status}", status)
        return {userid: outcome for userid in batch}
    if code == ALL_INVALID_ERRCODE:
        body = _json_or_empty(exc.response)
        unlicensed = _split_ids(body.get("unlicenseduser"))
        return {
            userid: (
                Outcome(Status.PERMANENT_FAILURE, REASON_UNLICENSED_USER, detail, code)
                if userid.lower() in unlicensed
                else Outcome(Status.PERMANENT_FAILURE, REASON_INVALID_USER, detail, code)
            )
            for userid in batch
        }
    if code in RATE_ERRCODES:
        outcome = Outcome(Status.RATE_LIMITED, REASON_RATE_LIMITED, detail, code,
                          retry_after=RATE_LIMIT_RETRY_AFTER)
    elif code in CREDENTIAL_ERRCODES:
        outcome = Outcome(Status.TEMPORARY_FAILURE, REASON_TOKEN, detail, code)
    else:
        # -1 (busy) and anything else: retry with backoff; the admin page shows the code
        outcome = Outcome(Status.TEMPORARY_FAILURE, REASON_API_ERROR, detail, code)
    log.warning("WeCom message/send failed for %d recipient(s): %s %s", len(batch), code, detail)
    return {userid: outcome for userid in batch}


def _json_or_empty(response: Any) -> dict:
    try:
        body = response.json()
    except Exception:  # noqa: BLE001
        return {}
    return body if isinstance(body, dict) else {}


# --------------------------------------------------------------------------
# sign-in

_STATE_RE = re.compile(r"^[A-Za-z0-9]{0,128}$")


def _check_state(state: str) -> None:
    # WeCom: "企业可以填写a-zA-Z0-9的参数值，长度不可超过128个字节"
    if not _STATE_RE.match(state):
        raise ValueError("state must be at most 128 characters of a-zA-Z0-9")


def oauth_authorize_url(config: WeComConfig, redirect_uri: str, state: str) -> str:
    """The link that signs a person in from inside the WeCom app.

    WeCom redirects to ``redirect_uri?code=CODE&state=STATE`` (scope
    ``snsapi_base``: silent, gives the userid). ``state`` is the caller's
    CSRF value: keep it in the session and compare on return.
    """
    _check_state(state)
    query = urlencode({
        "appid": config.corp_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": "snsapi_base",
        "state": state,
        "agentid": config.agent_id,
    })
    return f"{config.oauth_authorize_url}?{query}#wechat_redirect"


def qr_login_url(config: WeComConfig, redirect_uri: str, state: str, lang: str | None = "zh") -> str:
    """The PC browser sign-in page with a QR code (企业微信 Web 登录, CorpApp).

    After the scan WeCom redirects to ``redirect_uri?code=CODE&state=STATE``;
    the code is exchanged like the OAuth one (:func:`exchange_code`).
    """
    _check_state(state)
    params: dict[str, Any] = {
        "login_type": "CorpApp",
        "appid": config.corp_id,
        "agentid": config.agent_id,
        "redirect_uri": redirect_uri,
        "state": state,
    }
    if lang:
        params["lang"] = lang
    return f"{config.qr_login_url}?{urlencode(params)}"


@dataclass(frozen=True)
class WeComIdentity:
    """Who a sign-in code belongs to."""

    userid: str | None  # a member of the corp
    openid: str | None = None  # not a member: no account here
    external_userid: str | None = None

    @property
    def is_member(self) -> bool:
        return bool(self.userid)


class WeComError(Exception):
    def __init__(self, message: str, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


class InvalidCode(WeComError):
    """The code is unknown, used already, or older than 5 minutes: sign in again."""


class WeComUnavailable(WeComError):
    """WeCom could not be asked (network, timeout, 5xx, token): try later."""


def exchange_code(client: WeComClient, code: str) -> WeComIdentity:
    """``GET /cgi-bin/auth/getuserinfo``: the identity behind a sign-in code."""
    if not code:
        raise InvalidCode("no code", None)
    try:
        result = client.get("auth/getuserinfo", params={"code": code})
    except WeChatClientException as exc:
        if exc.errcode in INVALID_CODE_ERRCODES:
            raise InvalidCode(str(exc.errmsg), exc.errcode) from exc
        raise WeComUnavailable(str(exc.errmsg or exc), exc.errcode) from exc
    except requests.RequestException as exc:
        raise WeComUnavailable(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(result, dict):
        raise WeComUnavailable("auth/getuserinfo answered with something that is not JSON")
    return WeComIdentity(
        userid=result.get("userid") or result.get("UserId"),
        openid=result.get("openid") or result.get("OpenId"),
        external_userid=result.get("external_userid"),
    )
