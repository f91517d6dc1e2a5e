"""Security pages: incidents (R-97), responsibility letters (R-98), the duty
roster (R-99), signed-in sessions (R-04) and security settings (R-05, R-95)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, clock
from ..extensions import db
from ..items.models import Item
from ..org import permissions
from ..org.models import Unit, User
from ..sites.models import Site
from . import duty as duty_mod
from . import incidents as inc_mod
from . import letters as letters_mod
from . import sessions as sessions_mod
from . import settings as settings_mod
from .access import incident_staff_required, is_security_admin, security_admin_required
from .forms import (DutyForm, IncidentActionForm, IncidentCloseForm, IncidentForm, IncidentLinkForm,
                    IncidentReportForm, LetterSignForm, LetterTemplateForm, SettingsForm)
from .hardening import address_allowed, parse_networks
from .models import DutyShift, Incident, LetterSignature, UserSession

bp = Blueprint("security", __name__, url_prefix="/security")


def _get_or_404(model, ident):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


# ---------------------------------------------------------------- incidents

@bp.route("/incidents/")
@login_required
@incident_staff_required
def incidents():
    status = request.args.get("status") or ""
    stmt = db.select(Incident).order_by(Incident.id.desc())
    if status in ("open", "reported", "closed", "dismissed"):
        stmt = stmt.filter(Incident.status == status)
    rows = db.session.execute(stmt.limit(500)).scalars().all()
    return render_template("security/incidents.html", incidents=rows, status=status, now=clock.now(),
                           due=inc_mod.incidents_due(clock.now()))


def _incident_form():
    form = IncidentForm()
    form.site_id.choices = [(0, "（不涉及具体网站）")] + [
        (s.id, s.name) for s in db.session.execute(db.select(Site).order_by(Site.id)).scalars()]
    form.unit_id.choices = [(0, "（未指定）")] + [
        (u.id, u.name) for u in db.session.execute(db.select(Unit).order_by(Unit.sort_order, Unit.id)).scalars()]
    return form


@bp.route("/incidents/new", methods=["GET", "POST"])
@login_required
@incident_staff_required
def new_incident():
    form = _incident_form()
    if request.method == "GET":
        form.discovered_at.data = clock.now()
    if form.validate_on_submit():
        try:
            inc = inc_mod.register(form.kind.data, form.title.data.strip(), form.description.data or "",
                                   form.discovered_at.data, current_user,
                                   site_id=form.site_id.data or None, unit_id=form.unit_id.data or None)
        except ValueError as exc:
            form.discovered_at.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"安全事件已登记，须在{inc.report_due_at:%Y-%m-%d %H:%M}前向监管部门报告。", "warning")
            return redirect(url_for("security.incident", incident_id=inc.id))
    return render_template("security/incident_new.html", form=form)


@bp.route("/incidents/<int:incident_id>")
@login_required
@incident_staff_required
def incident(incident_id):
    inc = _get_or_404(Incident, incident_id)
    return render_template("security/incident.html", inc=inc, now=clock.now(),
                           action_form=IncidentActionForm(prefix="a"), report_form=IncidentReportForm(prefix="r"),
                           close_form=IncidentCloseForm(prefix="c"), link_form=IncidentLinkForm(prefix="l"),
                           candidates=[i for i in inc_mod.withdrawn_candidates() if i not in inc.items])


@bp.route("/incidents/<int:incident_id>/actions", methods=["POST"])
@login_required
@incident_staff_required
def incident_action(incident_id):
    inc = _get_or_404(Incident, incident_id)
    form = IncidentActionForm(prefix="a")
    if form.validate_on_submit():
        inc_mod.add_action(inc, form.kind.data, form.text.data.strip(), current_user)
        audit.record("incident_updated", inc, detail={"kind": form.kind.data, "text": form.text.data[:500]})
        db.session.commit()
        flash("处置记录已添加。", "success")
    else:
        flash("请填写处置记录内容。", "danger")
    return redirect(url_for("security.incident", incident_id=inc.id))


@bp.route("/incidents/<int:incident_id>/report", methods=["POST"])
@login_required
@incident_staff_required
def incident_report(incident_id):
    inc = _get_or_404(Incident, incident_id)
    form = IncidentReportForm(prefix="r")
    if form.validate_on_submit():
        try:
            inc_mod.mark_reported(inc, current_user, form.reported_to.data.strip(), (form.text.data or "").strip(),
                                  at=form.reported_at.data)
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("已记录向监管部门报告。", "success")
    else:
        flash("请填写报告的监管部门。", "danger")
    return redirect(url_for("security.incident", incident_id=inc.id))


@bp.route("/incidents/<int:incident_id>/link", methods=["POST"])
@login_required
@incident_staff_required
def incident_link(incident_id):
    inc = _get_or_404(Incident, incident_id)
    form = IncidentLinkForm(prefix="l")
    item = db.session.get(Item, form.item_id.data) if form.validate_on_submit() else None
    if item is None:
        flash("找不到该信息，请检查编号。", "danger")
    else:
        try:
            linked = inc_mod.link_item(inc, item, current_user)
        except ValueError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("已关联撤回信息。" if linked else "该信息已关联。", "success")
    return redirect(url_for("security.incident", incident_id=inc.id))


@bp.route("/incidents/<int:incident_id>/close", methods=["POST"])
@login_required
@incident_staff_required
def incident_close(incident_id):
    inc = _get_or_404(Incident, incident_id)
    form = IncidentCloseForm(prefix="c")
    if form.validate_on_submit():
        try:
            inc_mod.close(inc, current_user, form.text.data.strip(), dismissed=form.dismissed.data)
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("事件已结案。", "success")
    else:
        flash("请填写结案说明。", "danger")
    return redirect(url_for("security.incident", incident_id=inc.id))


# ------------------------------------------------------------------ letters

def _year():
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else clock.today().year


@bp.route("/letters/")
@login_required
def letters():
    year = _year()
    mine = letters_mod.units_to_sign(current_user, year)
    overview = letters_mod.status(year) if permissions.is_admin(current_user) else None
    return render_template("security/letters.html", year=year, mine=mine, overview=overview,
                           can_edit_template=is_security_admin(current_user))


@bp.route("/letters/<int:unit_id>/sign", methods=["GET", "POST"])
@login_required
def sign_letter(unit_id):
    unit = _get_or_404(Unit, unit_id)
    year = clock.today().year
    people, _role = letters_mod.heads(unit)
    if current_user.id not in {u.id for u in people}:
        abort(403, "只有本单位负责人可以签署安全责任书。")
    form = LetterSignForm()
    if form.validate_on_submit():
        try:
            letters_mod.sign(unit, current_user, year)
        except ValueError as exc:
            flash(str(exc), "warning")
        else:
            db.session.commit()
            flash(f"已签署{year}年度《{letters_mod.current_template().title}》。", "success")
        return redirect(url_for("security.letters"))
    return render_template("security/letter_sign.html", unit=unit, year=year, form=form,
                           template=letters_mod.current_template())


@bp.route("/letters/signatures/<int:signature_id>")
@login_required
def letter_signature(signature_id):
    sig = _get_or_404(LetterSignature, signature_id)
    if not (sig.user_id == current_user.id or permissions.is_admin(current_user)):
        abort(403)
    return render_template("security/letter_view.html", sig=sig)


@bp.route("/letters/template", methods=["GET", "POST"])
@login_required
@security_admin_required
def letter_template():
    tpl = letters_mod.current_template()
    form = LetterTemplateForm(obj=tpl)
    if form.validate_on_submit():
        saved = letters_mod.save_template(form.title.data.strip(), form.body.data.replace("\r\n", "\n").strip(),
                                          current_user)
        db.session.commit()
        flash("责任书模板已保存为新版本（已签署的责任书保留其签署时的文本）。" if saved else "内容没有变化。", "success")
        return redirect(url_for("security.letters"))
    return render_template("security/letter_template.html", form=form)


# ---------------------------------------------------------------- duty roster

@bp.route("/duty/")
@login_required
def duty():
    now = clock.now()
    upcoming = db.session.execute(db.select(DutyShift).filter(DutyShift.ends_at > now)
                                  .order_by(DutyShift.starts_at).limit(200)).scalars().all()
    past = db.session.execute(db.select(DutyShift).filter(DutyShift.ends_at <= now)
                              .order_by(DutyShift.starts_at.desc()).limit(20)).scalars().all()
    return render_template("security/duty.html", upcoming=upcoming, past=past, now=now,
                           on_duty=duty_mod.on_duty(now), can_manage=is_security_admin(current_user))


def _duty_form(shift=None):
    form = DutyForm(obj=shift)
    people = [(u.id, f"{u.name}（{u.username}）") for u in db.session.execute(
        db.select(User).filter(User.active.is_(True)).order_by(User.username)).scalars()]
    form.user_id.choices = people
    form.backup_user_id.choices = [(0, "（无）")] + people
    return form


@bp.route("/duty/new", methods=["GET", "POST"])
@bp.route("/duty/<int:shift_id>/edit", methods=["GET", "POST"])
@login_required
@security_admin_required
def edit_duty(shift_id=None):
    shift = _get_or_404(DutyShift, shift_id) if shift_id else None
    form = _duty_form(shift)
    if request.method == "GET" and shift is not None:
        form.backup_user_id.data = shift.backup_user_id or 0
    if form.validate_on_submit():
        if form.ends_at.data <= form.starts_at.data:
            form.ends_at.errors.append("结束时间须晚于开始时间")
        elif form.backup_user_id.data and form.backup_user_id.data == form.user_id.data:
            form.backup_user_id.errors.append("备岗人不能与值班人相同")
        else:
            created = shift is None
            if created:
                shift = DutyShift(created_by_id=current_user.id)
                db.session.add(shift)
            for name in ("kind", "title", "starts_at", "ends_at", "user_id", "phone", "note"):
                setattr(shift, name, getattr(form, name).data)
            shift.backup_user_id = form.backup_user_id.data or None
            db.session.flush()
            audit.record("duty_created" if created else "duty_updated", shift,
                         detail={"title": shift.title, "user_id": shift.user_id, "from": shift.starts_at,
                                 "to": shift.ends_at})
            clash = [s for s in duty_mod.overlaps(shift.starts_at, shift.ends_at, shift.id)]
            db.session.commit()
            if clash:
                flash("提示：与已有值班安排时间重叠（" + "、".join(s.title for s in clash[:3]) + "），"
                      "重叠时段内各值班人都会收到提醒。", "info")
            flash("值班安排已保存。", "success")
            return redirect(url_for("security.duty"))
    return render_template("security/duty_edit.html", form=form, shift=shift)


@bp.route("/duty/<int:shift_id>/delete", methods=["POST"])
@login_required
@security_admin_required
def delete_duty(shift_id):
    shift = _get_or_404(DutyShift, shift_id)
    audit.record("duty_deleted", shift, detail={"title": shift.title, "user_id": shift.user_id})
    db.session.delete(shift)
    db.session.commit()
    flash("值班安排已删除。", "success")
    return redirect(url_for("security.duty"))


# ---------------------------------------------------------------- sessions

@bp.route("/sessions")
@login_required
@security_admin_required
def sessions():
    active = sessions_mod.active_sessions()
    flagged = db.session.execute(db.select(UserSession).filter(UserSession.concurrent_with != "")
                                 .order_by(UserSession.id.desc()).limit(100)).scalars().all()
    return render_template("security/sessions.html", active=active, flagged=flagged)


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@login_required
@security_admin_required
def end_session(session_id):
    row = _get_or_404(UserSession, session_id)
    if row.ended_at is None:
        sessions_mod.end_session(row, current_user)
        db.session.commit()
        flash(f"已结束{row.user.name}来自{row.ip}的会话。", "success")
    return redirect(url_for("security.sessions"))


# ---------------------------------------------------------------- settings

@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    if not current_user.is_sysadmin:
        abort(403, "仅系统管理员可以修改安全设置。")
    form = SettingsForm()
    if request.method == "GET":
        form.audit_retention_days.data = settings_mod.get("audit_retention_days")
        form.admin_networks.data = "\n".join(settings_mod.get("admin_networks") or [])
    if form.validate_on_submit():
        networks = [line.strip() for line in (form.admin_networks.data or "").splitlines() if line.strip()]
        try:
            parse_networks(tuple(networks))
        except ValueError as exc:
            form.admin_networks.errors.append(f"网段格式不正确：{exc}")
        else:
            if networks and not address_allowed(request.remote_addr, networks):
                form.admin_networks.errors.append(
                    f"您当前的地址 {request.remote_addr} 不在所填网段内，保存后您将无法访问后台，请先加入该地址")
            else:
                changed = settings_mod.put("audit_retention_days", form.audit_retention_days.data or None, current_user)
                changed |= settings_mod.put("admin_networks", networks, current_user)
                db.session.commit()
                flash("安全设置已保存。" if changed else "设置没有变化。", "success")
                return redirect(url_for("security.settings"))
    return render_template("security/settings.html", form=form, remote_addr=request.remote_addr,
                           floor=settings_mod.AUDIT_RETENTION_FLOOR_DAYS)
