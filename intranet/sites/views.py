"""Admin pages for sites and their column trees (R-10, R-11) and per-column
permissions (R-03)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit
from ..columntypes import registry
from ..extensions import db
from ..org.models import Unit, User
from ..org.permissions import admin_required, manages_unit
from ..org.views import unit_choices
from . import update_rules
from .forms import GrantForm, SiteForm, make_column_form
from .models import Column, ColumnGrant, Site

bp = Blueprint("sites", __name__, url_prefix="/sites")


def _site_or_404(site_id, manage=True):
    site = db.session.get(Site, site_id)
    if site is None:
        abort(404)
    if manage and not manages_unit(current_user, site.unit):
        abort(403)
    return site


def column_tree(site, include_archived=False):
    cols = [c for c in site.columns.order_by(Column.sort_order, Column.id) if include_archived or not c.archived]
    by_parent = {}
    ids = {c.id for c in cols}
    for c in cols:
        by_parent.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
    out = []

    def walk(pid, depth):
        for c in by_parent.get(pid, []):
            out.append((c, depth))
            walk(c.id, depth + 1)
    walk(None, 0)
    return out


@bp.route("/")
@login_required
@admin_required
def index():
    sites = [s for s in db.session.execute(db.select(Site).order_by(Site.id)).scalars()
             if manages_unit(current_user, s.unit)]
    return render_template("sites/index.html", sites=sites)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:site_id>/edit", methods=["GET", "POST"])
@login_required
@admin_required
def edit_site(site_id=None):
    site = _site_or_404(site_id) if site_id else None
    form = SiteForm(obj=site)
    form.unit_id.choices = unit_choices()
    if form.validate_on_submit():
        clash = db.session.execute(db.select(Site).filter_by(code=form.code.data)).scalar()
        unit = db.session.get(Unit, form.unit_id.data)
        if clash is not None and clash is not site:
            form.code.errors.append("该网站代码已被使用")
        elif unit is None or not manages_unit(current_user, unit):
            form.unit_id.errors.append("请选择您管理的单位")
        else:
            created = site is None
            if created:
                site = Site()
                db.session.add(site)
            form.populate_obj(site)
            db.session.flush()
            audit.record("site_created" if created else "site_updated", site, detail={"name": site.name})
            db.session.commit()
            flash(f"网站“{site.name}”已保存。", "success")
            return redirect(url_for("sites.columns", site_id=site.id))
    return render_template("sites/site_edit.html", form=form, site=site)


@bp.route("/<int:site_id>/columns")
@login_required
@admin_required
def columns(site_id):
    site = _site_or_404(site_id)
    show_archived = request.args.get("archived") == "1"
    return render_template("sites/columns.html", site=site, tree=column_tree(site, show_archived),
                           show_archived=show_archived, types=registry())


def _settings_type(column):
    """The type whose settings the column form shows: the submitted type, else the column's."""
    type_id = request.form.get("type") if request.method == "POST" else request.args.get("type")
    type_id = type_id or (column.type if column is not None else None)
    return registry().get(type_id) if type_id else (registry().all() or [None])[0]


def _column_form(site, column):
    ctype = _settings_type(column)
    form = make_column_form(ctype, obj=column)
    if request.method == "GET" and ctype is not None:
        for f in ctype.settings_fields:
            form[f"setting_{f.name}"].data = ctype.setting(column, f.name)
    tree = column_tree(site)
    excluded = set()
    if column is not None:
        excluded = {column.id} | {c.id for c, _ in tree if column in c.ancestors()}
    form.parent_id.choices = [(0, "（一级栏目）")] + [
        (c.id, "　" * d + c.name) for c, d in tree if c.id not in excluded]
    form.type.choices = registry().choices()
    if column is not None and not registry().is_registered(column.type):
        form.type.choices.append((column.type, registry().get(column.type).label))
    form.unit_id.choices = unit_choices(db.session.execute(db.select(Unit).order_by(Unit.sort_order, Unit.id))
                                        .scalars().all())
    if request.method == "GET":
        if column is not None:
            form.parent_id.data = column.parent_id or 0
        elif request.args.get("parent"):
            form.parent_id.data = request.args.get("parent", type=int)
    return form


@bp.route("/<int:site_id>/columns/new", methods=["GET", "POST"])
@bp.route("/<int:site_id>/columns/<int:column_id>/edit", methods=["GET", "POST"])
@login_required
@admin_required
def edit_column(site_id, column_id=None):
    site = _site_or_404(site_id)
    column = None
    if column_id:
        column = db.session.get(Column, column_id)
        if column is None or column.site_id != site.id:
            abort(404)
    form = _column_form(site, column)
    if form.validate_on_submit():
        rule_errors = update_rules.validate(form.rule_kind.data, form.rule_n.data, form.rule_dates.data)
        clash = db.session.execute(db.select(Column).filter_by(site_id=site.id, slug=form.slug.data)).scalar()
        if clash is not None and clash is not column:
            form.slug.errors.append("本网站已有相同代码的栏目")
        elif rule_errors:
            form.rule_kind.errors.extend(rule_errors)
        else:
            created = column is None
            if created:
                column = Column(site_id=site.id)
                db.session.add(column)
            form.populate_obj(column)
            column.parent_id = form.parent_id.data or None
            column.rule_n = form.rule_n.data if form.rule_kind.data in update_rules.NEEDS_N else None
            column.rule_dates = ", ".join(update_rules.parse_dates(form.rule_dates.data)) \
                if form.rule_kind.data in update_rules.NEEDS_DATES else ""
            column.sort_order = form.sort_order.data or 0
            ctype = registry().get(column.type)
            if ctype.settings_fields:
                settings = column.settings
                for f in ctype.settings_fields:
                    if f"setting_{f.name}" in form:
                        settings[f.name] = f.to_json(form[f"setting_{f.name}"].data)
                column.settings = settings
            db.session.flush()
            audit.record("column_created" if created else "column_updated", column,
                         detail={"name": column.name, "type": column.type, "rule": column.rule_text})
            db.session.commit()
            flash(f"栏目“{column.name}”已保存。", "success")
            return redirect(url_for("sites.columns", site_id=site.id))
    elif request.method == "GET" and column is None:
        # Defaults of the chosen type so a new column starts with the regulation's rule.
        ctype = registry().get(request.args.get("type") or (form.type.choices[0][0] if form.type.choices else ""))
        form.rule_kind.data, form.rule_n.data, form.rule_dates.data = ctype.default_rule
        form.staleness_class.data = ctype.default_staleness
    return render_template("sites/column_edit.html", form=form, site=site, column=column,
                           settings_fields=[n for n in form._fields if n.startswith("setting_")])


@bp.route("/<int:site_id>/columns/<int:column_id>/move", methods=["POST"])
@login_required
@admin_required
def move_column(site_id, column_id):
    site = _site_or_404(site_id)
    column = db.session.get(Column, column_id)
    if column is None or column.site_id != site.id:
        abort(404)
    siblings = [c for c, _ in column_tree(site) if c.parent_id == column.parent_id]
    idx = siblings.index(column)
    step = -1 if request.form.get("direction") == "up" else 1
    if 0 <= idx + step < len(siblings):
        siblings[idx], siblings[idx + step] = siblings[idx + step], siblings[idx]
        for order, c in enumerate(siblings):
            c.sort_order = order
        audit.record("column_moved", column, detail={"direction": request.form.get("direction")})
        db.session.commit()
    return redirect(url_for("sites.columns", site_id=site.id))


@bp.route("/<int:site_id>/columns/<int:column_id>/archive", methods=["POST"])
@login_required
@admin_required
def archive_column(site_id, column_id):
    site = _site_or_404(site_id)
    column = db.session.get(Column, column_id)
    if column is None or column.site_id != site.id:
        abort(404)
    column.archived = not column.archived
    audit.record("column_archived" if column.archived else "column_restored", column)
    db.session.commit()
    flash(f"栏目“{column.name}”已{'归档停用' if column.archived else '恢复'}。", "success")
    return redirect(url_for("sites.columns", site_id=site.id))


@bp.route("/<int:site_id>/columns/<int:column_id>/grants", methods=["GET", "POST"])
@login_required
@admin_required
def grants(site_id, column_id):
    site = _site_or_404(site_id)
    column = db.session.get(Column, column_id)
    if column is None or column.site_id != site.id:
        abort(404)
    form = GrantForm()
    form.user_id.choices = [(u.id, f"{u.name}（{u.username}）") for u in db.session.execute(
        db.select(User).filter(User.active.is_(True)).order_by(User.username)).scalars()]
    if form.validate_on_submit():
        exists = db.session.execute(db.select(ColumnGrant).filter_by(
            column_id=column.id, user_id=form.user_id.data, permission=form.permission.data)).scalar()
        if exists:
            flash("该人员已有此权限。", "info")
        else:
            g = ColumnGrant(column_id=column.id, user_id=form.user_id.data, permission=form.permission.data,
                            granted_by_id=current_user.id)
            db.session.add(g)
            db.session.flush()
            audit.record("grant_added", column, detail={"user_id": g.user_id, "permission": g.permission})
            db.session.commit()
            flash("权限已授予。", "success")
        return redirect(url_for("sites.grants", site_id=site.id, column_id=column.id))
    return render_template("sites/grants.html", site=site, column=column, form=form, labels=ColumnGrant.LABELS)


@bp.route("/<int:site_id>/columns/<int:column_id>/grants/<int:grant_id>/delete", methods=["POST"])
@login_required
@admin_required
def revoke_grant(site_id, column_id, grant_id):
    site = _site_or_404(site_id)
    g = db.session.get(ColumnGrant, grant_id)
    if g is None or g.column_id != column_id or g.column.site_id != site.id:
        abort(404)
    audit.record("grant_revoked", g.column, detail={"user_id": g.user_id, "permission": g.permission})
    db.session.delete(g)
    db.session.commit()
    flash("权限已撤销。", "success")
    return redirect(url_for("sites.grants", site_id=site.id, column_id=column_id))
