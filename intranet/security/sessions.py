"""Signed-in sessions (R-04): every sign-in gets a row with its address; a
second session of the same account from another address is flagged (audit
entry, a warning to the person in both sessions, the admins' session page);
idle sessions time out; sessions of disabled accounts and sessions ended by an
admin stop at the next request."""
import secrets
from datetime import timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user, user_loaded_from_cookie, user_logged_in, user_logged_out
from sqlalchemy import bindparam

from .. import audit, clock, versions
from ..auth import policy
from ..outbox.models import KeyValue
from ..extensions import db, read_listed_pages_in_autocommit
from .hardening import in_admin_area
from .models import UserSession

SID_KEY = "_lanmu_sid"


def idle_limit():
    return timedelta(minutes=int(current_app.config["LANMU_SESSION_IDLE_MINUTES"]))


def active_sessions(user_id=None, now=None):
    """Sessions not ended and not idle past the limit."""
    now = now or clock.now()
    stmt = db.select(UserSession).filter(UserSession.ended_at.is_(None),
                                         UserSession.last_seen_at >= now - idle_limit())
    if user_id is not None:
        stmt = stmt.filter(UserSession.user_id == user_id)
    return db.session.execute(stmt.order_by(UserSession.id)).scalars().all()


def _start(user, remembered=False):
    now = clock.now()
    ip = (request.remote_addr or "")[:64]
    # Close what has idled out without a sign-out, so it no longer counts as concurrent.
    db.session.execute(db.update(UserSession).filter(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None),
        UserSession.last_seen_at < now - idle_limit()).values(ended_at=now, end_reason="idle"))
    others = [s for s in active_sessions(user.id, now) if s.ip != ip]
    row = UserSession(sid=secrets.token_urlsafe(32), user_id=user.id, ip=ip,
                      user_agent=(request.user_agent.string or "")[:300], created_at=now, last_seen_at=now)
    db.session.add(row)
    if remembered:
        audit.record("login_remembered", user, user=user)
    if others:
        other_ips = sorted({s.ip for s in others})
        row.concurrent_with = "、".join(other_ips)[:300]
        row.warning_shown = False
        for s in others:
            s.concurrent_with = ip
            s.warning_shown = False
        audit.record("concurrent_session", user, user=user, detail={"ip": ip, "other_ips": other_ips})
    db.session.commit()
    session[SID_KEY] = row.sid
    return row


def _on_login(sender, user, **_):
    _start(user)


def _on_cookie_login(sender, user, **_):
    _start(user, remembered=True)


def _on_logout(sender, user, **_):
    sid = session.pop(SID_KEY, None)
    if sid:
        _end(sid, "logout")
        db.session.commit()


def _end(sid, reason):
    db.session.execute(db.update(UserSession).filter(UserSession.sid == sid, UserSession.ended_at.is_(None))
                       .values(ended_at=clock.now(), end_reason=reason))


user_logged_in.connect(_on_login)
user_loaded_from_cookie.connect(_on_cookie_login)
user_logged_out.connect(_on_logout)


def _sign_out(message, reason, action=None):
    sid = session.get(SID_KEY)
    if action:
        audit.record(action, current_user._get_current_object(), user=current_user._get_current_object())
    if sid:
        _end(sid, reason)
    db.session.commit()
    session.pop(SID_KEY, None)
    logout_user()
    flash(message, "warning")
    if request.method == "GET":
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("auth.login"))


_USER_AND_SESSION = None


def load_user_and_session(user_id):
    """The signed-in person and, in the back office, their session row and
    the intranet token, in one query (flask-login's user loader;
    check_session then uses the row)."""
    global _USER_AND_SESSION
    from ..org.models import User
    sid = session.get(SID_KEY)
    if not sid or not in_admin_area(request.path):
        return db.session.get(User, user_id)
    if _USER_AND_SESSION is None:  # built once: building it costs more than running it (issue 10)
        token = db.select(KeyValue.value).where(KeyValue.key == versions.INTRANET).scalar_subquery()
        _USER_AND_SESSION = (db.select(User, UserSession, token).select_from(User)
                             .outerjoin(UserSession, UserSession.sid == bindparam("sid"))
                             .filter(User.id == bindparam("user_id")))
    found = db.session.execute(_USER_AND_SESSION, {"sid": sid, "user_id": user_id}).first()
    if found is None:
        return None
    request.environ["lanmu.session_row"] = (sid, found[1])
    versions.seen(versions.INTRANET, found[2])
    return found[0]


def load_first():
    """Before the other back-office checks: the signed-in person, their
    session row and the intranet token in one query (the network check then
    reads its setting from the worker's memo under that token)."""
    if SID_KEY in session and in_admin_area(request.path) and request.endpoint not in (None, "static"):
        current_user._get_current_object()


def _ending(same_user, ended_at, active, last_seen_at, created_at, now):
    """Why a session must end at this request ("ended", "account_disabled",
    "idle", "expired"), or None."""
    if not same_user or ended_at is not None:
        return "ended"
    if not active:
        return "account_disabled"
    if now - last_seen_at > idle_limit():
        return "idle"
    lifetime = current_app.config.get("PERMANENT_SESSION_LIFETIME")
    if lifetime and now - created_at > lifetime:
        return "expired"
    return None


def _touch_due(last_seen_at, now):
    return (now - last_seen_at).total_seconds() >= current_app.config["LANMU_SESSION_TOUCH_SECONDS"]


# -- kept pages (issue 10) --------------------------------------------------------

# The signed-in state a kept page needs, and the intranet token, in one read.
_STATE_SQL = ("SELECT (SELECT value FROM kv_store WHERE key = {}), s.user_id, s.ended_at, s.last_seen_at, "
              "s.created_at, s.warning_shown, s.concurrent_with, u.active, u.must_change_password, "
              "u.password_changed_at FROM user_session s JOIN user_account u ON u.id = s.user_id WHERE s.sid = {}")


def _as_datetime(value):
    """SQLite hands datetimes back as text."""
    from datetime import datetime
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def read_signed_in_state():
    """For a request to a kept page: the session's state, read on the
    worker's own autocommit connection without loading the person (g), and
    the intranet token (noted for versions.read)."""
    sid, user_id = session.get(SID_KEY), session.get("_user_id")
    if not sid or not user_id:
        return
    row = versions.READER.row(db.engine, _STATE_SQL, (versions.INTRANET, sid))
    if row is None:
        return
    versions.seen(versions.INTRANET, row[0])
    request.environ["lanmu.signed_in_state"] = (sid, str(user_id), row)


def serve_kept_page():
    """Before check_session: the kept page (intranet/versions.py) of a
    signed-in person whose session needs nothing done at this request -- not
    ended, not idle or past its lifetime, the account active, the password
    not expired, no warning to show, no last-seen time to write. Anything
    else goes the whole way (check_session, the view), which does it."""
    state = request.environ.pop("lanmu.signed_in_state", None)
    page = _kept_page(state) if state is not None else None
    if page is None:
        read_listed_pages_in_autocommit()  # (the whole way, from its first query)
    return page


def _kept_page(state):
    kept = versions.memo()
    if kept is None or session.get("_flashes"):
        return None
    sid, user_id, (_token, owner, ended_at, last_seen_at, created_at, warning_shown, concurrent_with, active,
                   must_change, changed_at) = state
    last_seen_at, now = _as_datetime(last_seen_at), clock.now()
    if (_ending(str(owner) == user_id, ended_at, active, last_seen_at, _as_datetime(created_at), now)
            or (concurrent_with and not warning_shown) or _touch_due(last_seen_at, now)
            or policy.password_expired(must_change, _as_datetime(changed_at))):
        return None
    page_key = current_app.extensions["lanmu_kept_pages"][request.endpoint]
    _token, body = kept.page(page_key(int(owner), sid))
    if body is None:
        return None
    return current_app.response_class(body, mimetype="text/html", headers={"X-Lanmu-Cache": "hit"})


def check_session():
    """Before each back-office request of a signed-in person."""
    if not in_admin_area(request.path) or request.endpoint in (None, "static"):
        return None
    if not current_user.is_authenticated:
        return None
    loaded = request.environ.pop("lanmu.session_row", None)  # (the user loader read it with the person)
    sid = session.get(SID_KEY)
    if not sid:  # a session from before this feature: start tracking it now
        _start(current_user._get_current_object())
        return None
    if loaded is not None and loaded[0] == sid:
        row = loaded[1]
    else:
        row = db.session.execute(db.select(UserSession).filter_by(sid=sid)).scalar()
    now = clock.now()
    reason = None if row is None else _ending(row.user_id == current_user.id, row.ended_at, current_user.active,
                                                row.last_seen_at, row.created_at, now)
    if row is None or reason == "ended":
        return _sign_out("您的登录已失效（已在其他地方退出或被管理员结束），请重新登录。", "ended")
    if reason == "account_disabled":
        return _sign_out("该账号已停用。", "account_disabled")
    if reason == "idle":
        return _sign_out(f"您已超过{current_app.config['LANMU_SESSION_IDLE_MINUTES']}分钟未操作，"
                         "为保障安全已自动退出，请重新登录。", "idle", action="session_idle_timeout")
    if reason == "expired":
        return _sign_out("登录时间已超过上限，请重新登录。", "expired")
    dirty = False
    if not row.warning_shown and row.concurrent_with:
        flash(f"安全提醒：您的账号同时在其他地址（{row.concurrent_with}）登录。"
              "如非本人操作，请立即修改密码并联系系统管理员。", "danger")
        row.warning_shown = True
        dirty = True
    if _touch_due(row.last_seen_at, now):
        row.last_seen_at = now
        dirty = True
    if dirty:
        db.session.commit()
    return None


def end_session(row, by):
    row.ended_at = clock.now()
    row.end_reason = "ended_by_admin"
    audit.record("session_ended_by_admin", row.user, user=by, detail={"ip": row.ip, "session": row.id})
