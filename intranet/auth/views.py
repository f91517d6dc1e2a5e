"""Sign in, sign out, change password (R-04)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .. import audit, clock
from ..extensions import db, login_manager
from ..org.models import User
from ..ui import local_path
from . import policy

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id):
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    from ..security.sessions import load_user_and_session
    return load_user_and_session(user_id)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])
    remember = BooleanField("记住我")


class PasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码"), Length(max=200)])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码"), Length(max=200)])
    confirm = PasswordField("确认新密码", validators=[DataRequired("请再次输入新密码"), Length(max=200)])


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.execute(db.select(User).filter_by(username=form.username.data.strip())).scalar()
        if user is None:
            audit.record("login_failed", detail={"username": form.username.data.strip()[:64]})
            db.session.commit()
            flash("用户名或密码错误。", "danger")
        elif not user.active:
            audit.record("login_refused_disabled", user, user=user)
            db.session.commit()
            flash("该账号已停用，请联系系统管理员。", "danger")
        elif policy.is_locked(user):
            minutes = max(1, int((user.locked_until - clock.now()).total_seconds() // 60) + 1)
            audit.record("login_refused_locked", user, user=user)
            db.session.commit()
            flash(f"密码连续输错次数过多，账号已锁定，请{minutes}分钟后再试。", "danger")
        elif not policy.check_password(user, form.password.data):
            policy.register_failure(user)
            audit.record("login_failed", user, user=user)
            db.session.commit()
            if policy.is_locked(user):
                flash("密码连续输错次数过多，账号已锁定"
                      f"{_lock_minutes()}分钟。", "danger")
            else:
                flash("用户名或密码错误。", "danger")
        else:
            policy.register_success(user)
            user.last_login_at = clock.now()
            user.last_login_ip = request.remote_addr
            audit.record("login", user, user=user)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            if policy.is_expired(user):
                flash("您的密码已过期（每3个月须更换一次），请先修改密码。", "warning")
                return redirect(url_for("auth.change_password"))
            left = policy.days_left(user)
            if left <= current_app.config["LANMU_PASSWORD_WARN_DAYS"]:
                flash(f"您的密码将在{left}天后过期，请及时修改。", "warning")
            return redirect(local_path(request.args.get("next")) or url_for("dashboard.index"))
    return render_template("auth/login.html", form=form)


def _lock_minutes():
    return current_app.config["LANMU_LOCKOUT_MINUTES"]


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record("logout", current_user, user=current_user)
    db.session.commit()
    logout_user()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        errors = []
        if not policy.check_password(current_user, form.current.data):
            errors.append("当前密码不正确")
        if form.new.data != form.confirm.data:
            errors.append("两次输入的新密码不一致")
        errors += policy.strength_errors(form.new.data, current_user.username)
        if not errors and policy.reused(current_user, form.new.data):
            errors.append(f"新密码不能与最近{current_app.config['LANMU_PASSWORD_HISTORY']}次使用过的密码相同")
        if errors:
            for e in errors:
                flash(e, "danger")
        else:
            policy.set_password(current_user, form.new.data)
            audit.record("password_changed", current_user)
            db.session.commit()
            flash("密码已修改。", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form)
