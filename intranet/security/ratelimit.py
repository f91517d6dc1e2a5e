"""Login rate limiting per address and per account (on top of the per-account
lockout of R-04). Failed attempts are counted with the `limits` library (the
engine of Flask-Limiter) in per-app storage: memory by default, Redis when
LANMU_RATELIMIT_STORAGE_URI says so (needed with several workers or nodes).
Successful sign-ins are not counted; once a limit is reached every attempt
from that address or on that account is refused until the window passes."""
from flask import abort, current_app, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .. import audit
from ..extensions import db

LOGIN_ENDPOINT = "auth.login"


def init_app(app):
    storage = storage_from_string(app.config["LANMU_RATELIMIT_STORAGE_URI"])
    app.extensions["lanmu_login_limits"] = {
        "limiter": MovingWindowRateLimiter(storage),
        "address": [parse(x) for x in app.config["LANMU_LOGIN_LIMIT_PER_ADDRESS"].split(";") if x.strip()],
        "account": [parse(x) for x in app.config["LANMU_LOGIN_LIMIT_PER_ACCOUNT"].split(";") if x.strip()],
    }


def _keys():
    account = (request.form.get("username") or "").strip().lower()[:64]
    return [("address", "login-address", request.remote_addr or ""), ("account", "login-account", account)]


def _is_login_post():
    return request.endpoint == LOGIN_ENDPOINT and request.method == "POST" and \
        current_app.config.get("LANMU_LOGIN_RATE_LIMIT", True)


def before_login():
    if not _is_login_post():
        return None
    state = current_app.extensions["lanmu_login_limits"]
    for kind, namespace, key in _keys():
        if not key:
            continue
        for item in state[kind]:
            if not state["limiter"].test(item, namespace, key):
                from ..org.models import User
                username = (request.form.get("username") or "").strip()[:64]
                user = db.session.execute(db.select(User).filter_by(username=username)).scalar() \
                    if kind == "account" else None
                audit.record("login_rate_limited", user, user=user,
                             detail={"by": kind, "username": (request.form.get("username") or "")[:64],
                                     "limit": str(item)})
                db.session.commit()
                minutes = max(1, item.get_expiry() // 60)
                abort(429, f"登录尝试过于频繁（{'同一地址' if kind == 'address' else '同一账号'}），"
                           f"请{minutes}分钟后再试。")
    return None


def after_login(response):
    if _is_login_post() and response.status_code != 302:
        state = current_app.extensions["lanmu_login_limits"]
        for kind, namespace, key in _keys():
            if key:
                for item in state[kind]:
                    state["limiter"].hit(item, namespace, key)
    return response
