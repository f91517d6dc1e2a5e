"""Admin pages for units, people, roles and hand-over (R-01..R-03)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, clock
from ..auth import policy
from ..extensions import db
from . import roles
from .forms import HandoverForm, RoleForm, UnitForm, UserForm
from .handover import hand_over
from .models import RoleAssignment, Unit, User
from .permissions import admin_required, manages_unit

bp = Blueprint("org", __name__, url_prefix="/org")


def _managed_units():
    units = db.session.execute(db.select(Unit).order_by(Unit.sort_order, Unit.id)).scalars().all()
    return [u for u in units if manages_unit(current_user, u)]


def _unit_tree(units):
    """Units in depth-first order with their depth, for indented lists and selects."""
    by_parent = {}
    ids = {u.id for u in units}
    for u in units:
        key = u.parent_id if u.parent_id in ids else None
        by_parent.setdefault(key, []).append(u)
    out = []

    def walk(parent_id, depth):
        for u in by_parent.get(parent_id, []):
            out.append((u, depth))
            walk(u.id, depth + 1)
    walk(None, 0)
    return out


def unit_choices(units=None, blank=None):
    tree = _unit_tree(units if units is not None else _managed_units())
    choices = [(u.id, "　" * depth + u.name) for u, depth in tree]
    return ([(0, blank)] if blank else []) + choices


def _get_or_404(model, ident):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


@bp.route("/units")
@login_required
@admin_required
def units():
    return render_template("org/units.html", tree=_unit_tree(_managed_units()), kinds=Unit.KINDS)


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@login_required
@admin_required
def edit_unit(unit_id=None):
    unit = _get_or_404(Unit, unit_id) if unit_id else None
    if unit is not None and not manages_unit(current_user, unit):
        abort(403)
    form = UnitForm(obj=unit)
    managed = _managed_units()
    form.parent_id.choices = unit_choices(
        [u for u in managed if unit is None or u.id not in unit.descendant_ids()],
        blank="（无上级：顶级单位）" if current_user.is_sysadmin else None)
    if request.method == "GET" and unit is not None:
        form.parent_id.data = unit.parent_id or 0
    if form.validate_on_submit():
        parent = db.session.get(Unit, form.parent_id.data) if form.parent_id.data else None
        clash = db.session.execute(db.select(Unit).filter_by(code=form.code.data)).scalar()
        if clash is not None and clash is not unit:
            form.code.errors.append("该单位编码已被使用")
        elif parent is None and not current_user.is_sysadmin:
            form.parent_id.errors.append("请选择上级单位")
        elif parent is not None and not manages_unit(current_user, parent):
            abort(403)
        else:
            created = unit is None
            if created:
                unit = Unit()
                db.session.add(unit)
            form.populate_obj(unit)
            unit.parent_id = parent.id if parent else None
            db.session.flush()
            audit.record("unit_created" if created else "unit_updated", unit, detail={"name": unit.name},
                         unit_id=unit.id)
            db.session.commit()
            flash(f"单位“{unit.name}”已保存。", "success")
            return redirect(url_for("org.units"))
    return render_template("org/unit_edit.html", form=form, unit=unit)


@bp.route("/users")
@login_required
@admin_required
def users():
    q = (request.args.get("q") or "").strip()
    managed_ids = {u.id for u in _managed_units()}
    stmt = db.select(User).order_by(User.active.desc(), User.username)
    if q:
        stmt = stmt.filter(db.or_(User.username.contains(q), User.name.contains(q)))
    people = [u for u in db.session.execute(stmt).scalars()
              if current_user.is_sysadmin or not u.memberships or u.unit_ids() & managed_ids]
    return render_template("org/users.html", people=people, q=q)


def _may_manage_user(user):
    if current_user.is_sysadmin:
        return True
    return all(manages_unit(current_user, m.unit) for m in user.memberships)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
@admin_required
def edit_user(user_id=None):
    user = _get_or_404(User, user_id) if user_id else None
    if user is not None and not _may_manage_user(user):
        abort(403)
    form = UserForm(obj=user)
    role_form = RoleForm(prefix="role")
    role_form.unit_id.choices = unit_choices()
    if form.validate_on_submit():
        errors = []
        clash = db.session.execute(db.select(User).filter_by(username=form.username.data)).scalar()
        if clash is not None and clash is not user:
            form.username.errors.append("该用户名已被使用")
            errors.append(1)
        wecom = (form.wecom_userid.data or "").strip() or None
        if wecom:
            other = db.session.execute(db.select(User).filter_by(wecom_userid=wecom)).scalar()
            if other is not None and other is not user:
                form.wecom_userid.errors.append("该企业微信账号已绑定其他用户")
                errors.append(1)
        if user is None and not form.password.data:
            form.password.errors.append("新建用户须设置初始密码")
            errors.append(1)
        if form.password.data:
            pw_errors = policy.strength_errors(form.password.data, form.username.data)
            form.password.errors.extend(pw_errors)
            errors.extend(pw_errors)
        if not errors:
            created = user is None
            if created:
                user = User(password_hash="", password_changed_at=clock.now())
                db.session.add(user)
            for name in ("username", "name", "email", "phone", "notify_wecom", "notify_email"):
                setattr(user, name, getattr(form, name).data)
            user.wecom_userid = wecom
            if form.password.data:
                db.session.flush()
                policy.set_password(user, form.password.data, force_change=True)
            db.session.flush()
            audit.record("user_created" if created else "user_updated", user,
                         detail={"username": user.username, "password_reset": bool(form.password.data)})
            db.session.commit()
            flash(f"用户“{user.name}”已保存。", "success")
            return redirect(url_for("org.edit_user", user_id=user.id))
    handover_form = None
    if user is not None and user.active:
        handover_form = HandoverForm(prefix="ho")
        handover_form.successor_id.choices = [
            (u.id, f"{u.name}（{u.username}）") for u in db.session.execute(
                db.select(User).filter(User.active.is_(True), User.id != user.id).order_by(User.username)).scalars()]
    return render_template("org/user_edit.html", form=form, user=user, role_form=role_form,
                           handover_form=handover_form)


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@login_required
@admin_required
def add_role(user_id):
    user = _get_or_404(User, user_id)
    form = RoleForm(prefix="role")
    form.unit_id.choices = unit_choices()
    if not form.validate_on_submit():
        flash("请选择单位和角色。", "danger")
        return redirect(url_for("org.edit_user", user_id=user.id))
    unit = _get_or_404(Unit, form.unit_id.data)
    if not manages_unit(current_user, unit) or (form.role.data == roles.SYSADMIN and not current_user.is_sysadmin):
        abort(403)
    if user.has_role(form.role.data, unit):
        flash("该用户已在此单位担任该角色。", "info")
    else:
        db.session.add(RoleAssignment(user_id=user.id, unit_id=unit.id, role=form.role.data))
        audit.record("role_granted", user, detail={"unit": unit.code, "role": form.role.data}, unit_id=unit.id)
        db.session.commit()
        flash(f"已授予“{unit.name}·{roles.LABELS[form.role.data]}”。", "success")
    return redirect(url_for("org.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/roles/<int:assignment_id>/delete", methods=["POST"])
@login_required
@admin_required
def remove_role(user_id, assignment_id):
    m = _get_or_404(RoleAssignment, assignment_id)
    if m.user_id != user_id:
        abort(404)
    if not manages_unit(current_user, m.unit):
        abort(403)
    audit.record("role_revoked", m.user, detail={"unit": m.unit.code, "role": m.role}, unit_id=m.unit_id)
    db.session.delete(m)
    db.session.commit()
    flash("已撤销该角色。", "success")
    return redirect(url_for("org.edit_user", user_id=user_id))


@bp.route("/users/<int:user_id>/handover", methods=["POST"])
@login_required
@admin_required
def handover(user_id):
    user = _get_or_404(User, user_id)
    if not _may_manage_user(user):
        abort(403)
    form = HandoverForm(prefix="ho")
    form.successor_id.choices = [(u.id, u.username) for u in db.session.execute(
        db.select(User).filter(User.active.is_(True), User.id != user.id)).scalars()]
    if not form.validate_on_submit():
        flash("请选择接任人。", "danger")
        return redirect(url_for("org.edit_user", user_id=user.id))
    successor = _get_or_404(User, form.successor_id.data)
    try:
        moved = hand_over(user, successor, current_user)
    except ValueError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("org.edit_user", user_id=user.id))
    db.session.commit()
    flash(f"已完成工作交接：{user.name} → {successor.name}（{'，'.join(moved)}），原账号已停用。", "success")
    return redirect(url_for("org.users"))


@bp.route("/users/<int:user_id>/toggle", methods=["POST"])
@login_required
@admin_required
def toggle_user(user_id):
    user = _get_or_404(User, user_id)
    if not _may_manage_user(user) or user.id == current_user.id:
        abort(403)
    user.active = not user.active
    if user.active:
        policy.register_success(user)  # re-enabling also lifts a lockout
    audit.record("user_enabled" if user.active else "user_disabled", user)
    db.session.commit()
    flash(f"账号“{user.username}”已{'启用' if user.active else '停用'}。", "success")
    return redirect(url_for("org.edit_user", user_id=user.id))
