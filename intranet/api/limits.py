"""Rate limits of the API, with the `limits` library (as the login limits of
intranet/security/ratelimit.py) in the same storage (LANMU_RATELIMIT_STORAGE_URI:
memory, or Redis with several workers or nodes):

- per token: LANMU_API_RATE_LIMIT (default "120 per minute;3000 per hour");
  every request with a valid token counts;
- per address, failed authentication: LANMU_API_AUTH_FAIL_LIMIT (default
  "30 per 5 minutes"); a wrong or unknown token counts.

Beyond a limit the answer is 429 with code `rate_limited` and Retry-After."""
import time

from flask import current_app, g, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .errors import ApiError


def _parse(text):
    return [parse(x) for x in (text or "").split(";") if x.strip()]


def init_app(app):
    storage = storage_from_string(app.config["LANMU_RATELIMIT_STORAGE_URI"])
    app.extensions["lanmu_api_limits"] = {
        "limiter": MovingWindowRateLimiter(storage),
        "token": _parse(app.config.get("LANMU_API_RATE_LIMIT")),
        "auth_fail": _parse(app.config.get("LANMU_API_AUTH_FAIL_LIMIT")),
    }


def _state():
    return current_app.extensions["lanmu_api_limits"]


def _refuse(item, namespace, key, message):
    state = _state()
    reset, _remaining = state["limiter"].get_window_stats(item, namespace, key)[:2]
    retry = max(1, int(reset - time.time()))
    exc = ApiError(429, "rate_limited", message)
    exc.headers = {"Retry-After": str(retry), "X-RateLimit-Limit": str(item.amount),
                   "X-RateLimit-Remaining": "0"}
    return exc


def hit_failed_auth():
    """A wrong token: counted per address; beyond the limit the answer is 429
    (valid tokens from the same address keep working)."""
    state = _state()
    addr = request.remote_addr or ""
    for item in state["auth_fail"]:
        if not state["limiter"].hit(item, "api-auth-fail", addr):
            raise _refuse(item, "api-auth-fail", addr, "无效令牌尝试过于频繁，请稍后再试。")


def hit_token(token):
    state = _state()
    key = str(token.id)
    tightest = None
    for item in state["token"]:
        if not state["limiter"].hit(item, "api-token", key):
            raise _refuse(item, "api-token", key, f"该令牌请求过于频繁（{item.amount}次/{_per(item)}），请稍后再试。")
        remaining = state["limiter"].get_window_stats(item, "api-token", key)[1]
        if tightest is None or remaining < tightest[1]:
            tightest = (item, remaining)
    if tightest is not None:
        g.api_rate = (tightest[0].amount, tightest[1])


def _per(item):
    seconds = item.get_expiry()
    if seconds % 3600 == 0:
        return f"{seconds // 3600}小时" if seconds > 3600 else "小时"
    if seconds % 60 == 0:
        return f"{seconds // 60}分钟" if seconds > 60 else "分钟"
    return f"{seconds}秒"


def add_headers(response):
    rate = g.get("api_rate")
    if rate is not None:
        response.headers.setdefault("X-RateLimit-Limit", str(rate[0]))
        response.headers.setdefault("X-RateLimit-Remaining", str(max(0, rate[1])))
    return response
