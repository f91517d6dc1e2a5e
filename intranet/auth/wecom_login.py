"""WeCom sign-in (R-06): inside the WeCom app (OAuth, silent) and on a PC
browser (QR code). The WeCom userid maps to a person's `wecom_userid`; the
usual checks (disabled, locked, expired password) apply as for a password."""
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_login import login_user

from .. import audit, clock
from ..extensions import db
from ..org.models import User
from . import policy

bp = Blueprint("wecom_login", __name__, url_prefix="/login/wecom")


def _config():
    from ..notify.wecom import WeComConfig
    cfg = WeComConfig.from_mapping(current_app.config)
    if cfg is None:
        abort(404)
    return cfg


@bp.route("/")
def start():
    """Redirect to WeCom: OAuth inside the WeCom app, the QR page elsewhere."""
    from ..notify.wecom import oauth_authorize_url, qr_login_url
    cfg = _config()
    state = secrets.token_urlsafe(24).replace("-", "").replace("_", "")[:32]
    session["wecom_state"] = state
    callback = url_for("wecom_login.callback", _external=True)
    in_app = "wxwork" in (request.user_agent.string or "").lower()
    return redirect(oauth_authorize_url(cfg, callback, state) if in_app else qr_login_url(cfg, callback, state))


@bp.route("/callback")
def callback():
    from ..notify.wecom import InvalidCode, WeComUnavailable, exchange_code
    from ..outbox.channels import wecom_client
    _config()  # 404 when WeCom is not configured, like the start page
    expected = session.pop("wecom_state", None)
    if not expected or request.args.get("state") != expected:
        flash("企业微信登录已失效（页面过期或在其他窗口发起），请重新扫码登录。", "danger")
        return redirect(url_for("auth.login"))
    try:
        identity = exchange_code(wecom_client(), request.args.get("code", ""))
        db.session.commit()  # the access token may have been refreshed into shared storage
    except InvalidCode:
        flash("企业微信登录码无效或已过期，请重新扫码。", "danger")
        return redirect(url_for("auth.login"))
    except WeComUnavailable:
        flash("暂时无法连接企业微信，请稍后再试或使用密码登录。", "danger")
        return redirect(url_for("auth.login"))
    user = None
    if identity.is_member:
        user = db.session.execute(db.select(User).filter(
            db.func.lower(User.wecom_userid) == identity.userid.lower())).scalar()
    if user is None:
        audit.record("login_failed_wecom", detail={"wecom_userid": identity.userid or ""})
        db.session.commit()
        flash("该企业微信账号未绑定本系统用户，请联系管理员绑定或使用密码登录。", "danger")
        return redirect(url_for("auth.login"))
    if not user.active:
        flash("该账号已停用，请联系系统管理员。", "danger")
        return redirect(url_for("auth.login"))
    if policy.is_locked(user):
        flash("账号已锁定，请稍后再试。", "danger")
        return redirect(url_for("auth.login"))
    policy.register_success(user)
    user.last_login_at, user.last_login_ip = clock.now(), request.remote_addr
    audit.record("login", user, detail={"method": "wecom"}, user=user)
    db.session.commit()
    login_user(user)
    if policy.is_expired(user):
        flash("您的密码已过期，请先修改密码。", "warning")
        return redirect(url_for("auth.change_password"))
    return redirect(url_for("dashboard.index"))
