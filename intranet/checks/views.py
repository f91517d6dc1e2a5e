"""Pages of the content checks: lexicon administration (R-50: list, filter,
add, edit, disable, import from text or Excel, export), the one-click masking
and the unsaved-text preview of the editor's panel (R-51), and the site-wide
link report (R-52)."""
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from .. import clock
from ..extensions import db
from ..items.models import Item
from ..org.permissions import admin_required, can_edit_item, can_view_item, manages_unit
from ..sites.models import Column, Site
from ..ui import id_arg, local_path, page_arg
from . import service
from .forms import LexiconImportForm, LexiconWordForm
from .lexicon import (CATEGORY_LABELS, SEVERITY_LABELS, export_lexicon_text, export_lexicon_xlsx,
                      parse_lexicon_text, parse_lexicon_xlsx)
from .models import CheckedLink, ItemLink, LexiconWord

bp = Blueprint("checks", __name__, url_prefix="/checks")

PER_PAGE = 100


# --- who manages which lexicon ---------------------------------------------------

def manageable_sites(user):
    sites = db.session.execute(select(Site).order_by(Site.id)).scalars().all()
    return [s for s in sites if manages_unit(user, s.unit)]


def can_manage_global(user):
    """The global lexicon: system admins, and webmasters / site admins of a
    top-level unit (they answer for every site below)."""
    if not user.is_authenticated:
        return False
    if user.is_sysadmin:
        return True
    from ..org import roles
    return any(m.role in (roles.WEBMASTER, roles.SITE_ADMIN) and m.unit.parent_id is None
               for m in user.memberships)


def _scope_choices(user):
    choices = [(0, "全局（所有网站）")] if can_manage_global(user) else []
    return choices + [(s.id, s.name) for s in manageable_sites(user)]


def _require_scope(site_id):
    if site_id:
        site = db.session.get(Site, site_id)
        if site is None or not manages_unit(current_user, site.unit):
            abort(403, "您无权管理该网站的词库。")
    elif not can_manage_global(current_user):
        abort(403, "只有系统管理员或上级网站管理员可以管理全局词库。")


def _seed():
    if service.ensure_starter_lexicon(current_user):
        db.session.commit()
        flash("已载入系统自带的基础词库（常见错别字和不规范用语），可在此基础上增删修改。", "info")


# --- lexicon pages ------------------------------------------------------------------

@bp.route("/lexicon")
@login_required
@admin_required
def lexicon():
    _seed()
    scopes = _scope_choices(current_user)
    visible = [sid for sid, _label in scopes]
    args = request.args
    q = (args.get("q") or "").strip()
    category = args.get("category") or ""
    severity = args.get("severity") or ""
    enabled = args.get("enabled") or ""
    scope = args.get("scope", type=int)
    page = page_arg()
    stmt = select(LexiconWord).where(LexiconWord.scope.in_(visible or [-1]))
    if scope is not None and scope in visible:
        stmt = stmt.where(LexiconWord.scope == scope)
    if q:
        stmt = stmt.where(or_(LexiconWord.word.contains(q, autoescape=True),
                              LexiconWord.suggestion.contains(q, autoescape=True)))
    if category in CATEGORY_LABELS:
        stmt = stmt.where(LexiconWord.category == category)
    if severity in SEVERITY_LABELS:
        stmt = stmt.where(LexiconWord.severity == severity)
    if enabled in ("1", "0"):
        stmt = stmt.where(LexiconWord.enabled.is_(enabled == "1"))
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar()
    rows = db.session.execute(stmt.order_by(LexiconWord.scope, LexiconWord.category, LexiconWord.word)
                              .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).scalars().all()
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    return render_template("checks/lexicon_list.html", rows=rows, total=total, page=page, pages=pages,
                           q=q, category=category, severity=severity, enabled=enabled, scope=scope,
                           scopes=scopes, categories=CATEGORY_LABELS, severities=SEVERITY_LABELS,
                           lexicon_version=service.lexicon_version())


def _word_form(row=None):
    form = LexiconWordForm(obj=row)
    form.site_id.choices = _scope_choices(current_user)
    if request.method == "GET" and row is not None:
        form.site_id.data = row.site_id or 0
        form.suggestion.data = row.suggestion or ""
    return form


@bp.route("/lexicon/new", methods=["GET", "POST"])
@bp.route("/lexicon/<int:word_id>/edit", methods=["GET", "POST"])
@login_required
@admin_required
def edit_word(word_id=None):
    _seed()
    row = None
    if word_id is not None:
        row = db.session.get(LexiconWord, word_id)
        if row is None:
            abort(404)
        _require_scope(row.site_id)
    form = _word_form(row)
    if not form.site_id.choices:
        abort(403, "您没有可以管理的词库。")
    if form.validate_on_submit():
        site_id = form.site_id.data or None
        _require_scope(site_id)
        try:
            service.save_word(row, current_user, word=form.word.data, category=form.category.data,
                              severity=form.severity_value(), suggestion=form.suggestion.data,
                              enabled=form.enabled.data, site_id=site_id, note=form.note.data)
        except ValueError as exc:
            form.word.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"词条“{form.word.data.strip()}”已保存，内容检查即时生效。", "success")
            return redirect(url_for("checks.lexicon", scope=site_id or 0))
    elif request.method == "POST":
        flash("保存失败，请按提示修改。", "danger")
    return render_template("checks/lexicon_form.html", form=form, row=row)


@bp.route("/lexicon/<int:word_id>/toggle", methods=["POST"])
@login_required
@admin_required
def toggle_word(word_id):
    row = db.session.get(LexiconWord, word_id)
    if row is None:
        abort(404)
    _require_scope(row.site_id)
    service.set_enabled(row, not row.enabled, current_user)
    db.session.commit()
    flash(f"词条“{row.word}”已{'启用' if row.enabled else '停用'}。", "success")
    return redirect(local_path(request.form.get("next")) or url_for("checks.lexicon"))


@bp.route("/lexicon/import", methods=["GET", "POST"])
@login_required
@admin_required
def import_lexicon():
    _seed()
    form = LexiconImportForm()
    form.site_id.choices = _scope_choices(current_user)
    if not form.site_id.choices:
        abort(403, "您没有可以管理的词库。")
    outcome = None
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            flash("请选择要导入的词库文件。", "danger")
        else:
            site_id = form.site_id.data or None
            _require_scope(site_id)
            data = upload.read()
            name = upload.filename.lower()
            if name.endswith(".xlsx"):
                parsed = parse_lexicon_xlsx(data, default_category=form.default_category.data)
            elif name.endswith((".txt", ".csv", ".tsv", ".text")) or "." not in name:
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = None
                    flash("文件不是UTF-8编码，请用“另存为”选择UTF-8编码后再导入。", "danger")
                parsed = parse_lexicon_text(text, default_category=form.default_category.data) if text is not None else None
            else:
                parsed = None
                flash("只能导入文本文件（.txt/.csv）或 Excel 文件（.xlsx）。", "danger")
            if parsed is not None:
                outcome = service.import_words(parsed.entries, site_id=site_id, user=current_user,
                                               errors=parsed.errors)
                db.session.commit()
                level = "warning" if outcome.errors else "success"
                flash(f"导入完成：新增{outcome.added}条，更新{outcome.updated}条，未变{outcome.unchanged}条"
                      + (f"，有{len(outcome.errors)}行未导入（见下方）" if outcome.errors else "") + "。", level)
    elif request.method == "POST":
        flash("导入失败，请检查所选文件和范围。", "danger")
    return render_template("checks/lexicon_import.html", form=form, outcome=outcome)


@bp.route("/lexicon/export")
@login_required
@admin_required
def export_lexicon():
    scope = id_arg("scope") or 0
    _require_scope(scope or None)
    entries = service.words_in_scope(scope or None)
    fmt = request.args.get("format", "txt")
    site = db.session.get(Site, scope) if scope else None
    stem = f"词库-{site.code if site else '全局'}-{clock.now():%Y%m%d}"
    if fmt == "xlsx":
        return send_file(io.BytesIO(export_lexicon_xlsx(entries)), as_attachment=True,
                         download_name=stem + ".xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return send_file(io.BytesIO(export_lexicon_text(entries).encode("utf-8")), as_attachment=True,
                     download_name=stem + ".txt", mimetype="text/plain; charset=utf-8")


# --- the editor's panel -----------------------------------------------------------------

def _item_or_404(item_id):
    item = db.session.get(Item, item_id)
    if item is None:
        abort(404)
    if not can_view_item(current_user, item):
        abort(403)
    return item


@bp.route("/items/<int:item_id>/mask", methods=["POST"])
@login_required
def mask(item_id):
    """一键脱敏 (R-51): mask every personal-data finding of the saved draft as
    a new revision."""
    item = _item_or_404(item_id)
    if not can_edit_item(current_user, item):
        abort(403, f"该信息当前状态为“{item.status_label}”，不能修改。")
    rev, count = service.mask_item(item, current_user)
    if rev is None:
        flash("没有需要脱敏的个人信息。", "info")
    else:
        db.session.commit()
        flash(f"已对{count}处个人信息脱敏，保存为第{rev.number}版。", "success")
    return redirect(local_path(request.form.get("next")) or url_for("items.edit", item_id=item.id))


@bp.route("/items/<int:item_id>/preview", methods=["POST"])
@login_required
def preview(item_id):
    """The panel for text typed but not saved (the editor's 重新检查 button):
    nothing is written."""
    item = _item_or_404(item_id)
    if not can_edit_item(current_user, item):
        abort(403)
    form = request.form
    from ..items.sanitize import sanitize_html
    report = service.check_content(
        title=form.get("title", item.title), body=sanitize_html(form.get("body", item.body) or ""),
        site_id=item.column.site_id, red_header_title=item.red_header_title or "",
        attachments=[(a.filename, a.caption or "", a.is_image) for a in item.attachments],
        classification=form.get("classification", item.classification) or "", item_id=item.id,
        revision_no=item.revision_no, acknowledged_keys=service.acknowledged_keys(item))
    ctx = panel_context(item, report=report, unsaved=True)
    return render_template("checks/_panel_body.html", chk=ctx, item=item)


def panel_context(item, report=None, unsaved=False):
    """What the content-check panel renders (a Jinja global as
    ``content_check_panel(item)``). Never lets a failing check break the page."""
    from .highlight import highlight
    try:
        if report is None:
            report = service.check_item(item)
    except Exception:  # the editor must open even if a check has a bug
        current_app.logger.exception("content check failed for item %s", getattr(item, "id", None))
        db.session.rollback()
        return None
    body_findings = report.at("body")
    title_findings = report.at("title")
    body_html, body_anchors = highlight(report.plain_body, [f.finding for f in body_findings], id_prefix="chk-b")
    title_html, title_anchors = highlight(report.title, [f.finding for f in title_findings], id_prefix="chk-t")
    anchors = {}
    for i, f in enumerate(body_findings):
        if i in body_anchors:
            anchors[id(f)] = body_anchors[i]
    for i, f in enumerate(title_findings):
        if i in title_anchors:
            anchors[id(f)] = title_anchors[i]
    rows = [(f, anchors.get(id(f))) for f in report.findings]
    # which occurrence of its text each finding is, in its place's text: the
    # editor finds the same occurrence in its own text to highlight it in place
    sources = {"body": report.plain_body, "title": report.title}
    occurrences = [sources[f.where][:max(f.start, 0)].count(f.text) if f.where in sources and f.text else 0
                   for f in report.findings]
    return {"report": report, "rows": rows, "occurrences": occurrences, "body_html": body_html, "title_html": title_html,
            "can_edit": can_edit_item(current_user, item), "unsaved": unsaved,
            "masking": [f for f in report.personal_data]}


# --- the link report ------------------------------------------------------------------

PROBLEMS = {"dead": "无法访问", "hidden": "隐藏链接（暗链）", "external": "外部链接", "pending": "尚未检查"}


@bp.route("/links")
@login_required
@admin_required
def links_report():
    sites = manageable_sites(current_user)
    site_ids = [s.id for s in sites]
    site_id = request.args.get("site", type=int)
    problem = request.args.get("problem") or "problems"
    status = request.args.get("status") or ""
    page = page_arg()
    stmt = (select(ItemLink, Item, Column, CheckedLink)
            .join(Item, Item.id == ItemLink.item_id)
            .join(Column, Column.id == Item.column_id)
            .outerjoin(CheckedLink, CheckedLink.id == ItemLink.link_id)
            .where(Column.site_id.in_(site_ids or [-1])))
    if site_id in site_ids:
        stmt = stmt.where(Column.site_id == site_id)
    if status:
        stmt = stmt.where(Item.status == status)
    conditions = {
        "dead": CheckedLink.ok.is_(False),
        "hidden": ItemLink.hidden.is_not(None),
        "external": ItemLink.external.is_(True),
        "pending": (ItemLink.link_id.is_not(None)) & (CheckedLink.checked_at.is_(None)),
    }
    if problem in conditions:
        stmt = stmt.where(conditions[problem])
    elif problem == "problems":
        stmt = stmt.where(or_(conditions["dead"], conditions["hidden"], conditions["external"]))
    counts = {}
    base = (select(func.count()).select_from(ItemLink).join(Item, Item.id == ItemLink.item_id)
            .join(Column, Column.id == Item.column_id).outerjoin(CheckedLink, CheckedLink.id == ItemLink.link_id)
            .where(Column.site_id.in_(site_ids or [-1])))
    if site_id in site_ids:
        base = base.where(Column.site_id == site_id)
    if status:
        base = base.where(Item.status == status)
    for key, cond in conditions.items():
        counts[key] = db.session.execute(base.where(cond)).scalar()
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar()
    rows = db.session.execute(stmt.order_by(Column.site_id, Column.sort_order, Column.id, Item.id, ItemLink.id)
                              .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    from ..items.models import STATUS_LABELS
    last_check = db.session.execute(select(func.max(CheckedLink.checked_at))).scalar()
    return render_template("checks/links_report.html", rows=rows, sites=sites, site_id=site_id,
                           problem=problem, problems=PROBLEMS, status=status, statuses=STATUS_LABELS,
                           counts=counts, total=total, page=page,
                           pages=max(1, (total + PER_PAGE - 1) // PER_PAGE), last_check=last_check)
