"""Assessment pages: the months, self-assessment, unified assessment, fixing
and publishing, the yearly summary, per-person statistics and reports, each
with its Excel export; and the public page of results published publicly.
Tables on screen are rendered from the same rows as the Excel sheets."""
import re
import unicodedata

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..org import roles
from ..org.models import Unit
from ..org.permissions import unit_scope
from . import cycle, excel, scoring, stats
from .models import (FIELD_LABELS, FIXED, LEADERSHIP_FIELDS, OPEN, PUBLISHED, SCORE_FIELDS, AssessmentMonth,
                     AssessmentYear)

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
public_bp = Blueprint("assessment_public", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(buf, name):
    return send_file(buf, mimetype=XLSX, as_attachment=True, download_name=name)


def _period_or_404(year, month=1):
    """Years and months the pages know (a URL can hold any number)."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        abort(404)


def _month_or_404(year, month, create=True):
    _period_or_404(year, month)
    return cycle.get_month(year, month, create=create)


def _can_see_results(m):
    return m is not None and (m.status == PUBLISHED or cycle.is_assessor(current_user))


def _figure(name):
    """A typed figure: an int, None when left empty, or the text itself when it
    is not a whole number (cycle refuses it with a message; the form keeps it)."""
    raw = unicodedata.normalize("NFKC", request.form.get(name) or "").strip()  # full-width digits too
    if raw == "":
        return None
    m = re.fullmatch(r"([+-]?)([0-9]+)", raw)
    if m is None:
        return raw
    # any number of digits is a number (too large, as the check says), never a ValueError
    value = int(m[2]) if len(m[2]) <= 100 else 10 ** 100
    return -value if m[1] == "-" else value


@bp.route("/")
@login_required
def index():
    now = clock.now()
    y, m = cycle.prev_month(now.year, now.month)
    months = []
    for _ in range(12):
        row = db.session.execute(select(AssessmentMonth).filter_by(year=y, month=m)).scalar()
        months.append({"year": y, "month": m, "row": row, "dates": cycle.dates(y, m)})
        y, m = cycle.prev_month(y, m)
    mine = [u for u in scoring.assessed_units() if cycle.may_self_assess(current_user, u)]
    return render_template("assessment/index.html", months=months, mine=mine, now=now,
                           assessor=cycle.is_assessor(current_user), year=months[0]["year"])


@bp.route("/<int:year>/<int:month>")
@login_required
def month(year, month):
    m = _month_or_404(year, month, create=False)
    assessor = cycle.is_assessor(current_user)
    now = clock.now()
    d = cycle.dates(year, month)
    if m is None and assessor and cycle.month_has_ended(year, month, now):
        m = _month_or_404(year, month)
        db.session.commit()
    scores = {}
    if m is not None and (assessor or m.status == PUBLISHED):
        if m.status == OPEN and cycle.month_has_ended(year, month, now):
            scores = cycle.refresh(m)
            db.session.commit()
        else:
            scores = {s.unit_id: s for s in m.scores}
    mine = [u for u in scoring.assessed_units() if cycle.may_self_assess(current_user, u)]
    if m is not None and m.status == PUBLISHED and not assessor:
        return redirect(url_for("assessment.results", year=year, month=month))
    if not assessor and not mine:
        abort(403, "考核结果尚未公布。")
    ordered = sorted(scores.values(), key=lambda s: (s.unit.sort_order, s.unit_id))
    return render_template("assessment/month.html", m=m, year=year, month=month, dates=d, now=now,
                           scores=ordered, assessor=assessor, mine=mine, ended=cycle.month_has_ended(year, month, now),
                           FIELD_LABELS=FIELD_LABELS, FIXED=FIXED, OPEN=OPEN, PUBLISHED=PUBLISHED)


@bp.route("/<int:year>/<int:month>/self/<int:unit_id>", methods=["GET", "POST"])
@login_required
def self_assess(year, month, unit_id):
    _period_or_404(year, month)
    unit = db.session.get(Unit, unit_id) or abort(404)
    if not cycle.may_self_assess(current_user, unit):
        abort(403, "只有本单位的信息员、科室负责人或领导可以填写自评。")
    now = clock.now()
    d = cycle.dates(year, month)
    if now < d.opens:
        flash(f"{year}年{month}月尚未结束，{d.opens:%m月%d日}起可以自评。", "warning")
        return redirect(url_for("assessment.index"))
    m = _month_or_404(year, month)
    scores = cycle.refresh(m) if m.status == OPEN else {s.unit_id: s for s in m.scores}
    score = scores.get(unit.id) or abort(404)
    settings = scoring.Settings.from_config()
    errors = []
    if request.method == "POST":
        values = {f: _figure(f) for f in SCORE_FIELDS}
        try:
            cycle.submit_self(m, unit, current_user, values, note=request.form.get("note", ""), now=now)
        except cycle.CycleError as exc:
            db.session.rollback()
            errors = [str(exc)]
        else:
            db.session.commit()
            flash("自评已提交。截止前可以修改后重新提交。", "success")
            return redirect(url_for("assessment.self_assess", year=year, month=month, unit_id=unit.id))
    else:
        db.session.commit()
    return render_template("assessment/self.html", m=m, unit=unit, score=score, dates=d, now=now, errors=errors,
                           settings=settings, FIELD_LABELS=FIELD_LABELS, LEADERSHIP_FIELDS=LEADERSHIP_FIELDS,
                           form=request.form if request.method == "POST" else None,
                           closed=now > d.self_due or m.status != OPEN)


@bp.route("/<int:year>/<int:month>/unified/<int:unit_id>", methods=["GET", "POST"])
@login_required
def unified(year, month, unit_id):
    _period_or_404(year, month)
    unit = db.session.get(Unit, unit_id) or abort(404)
    if not cycle.is_assessor(current_user, unit):
        abort(403, "只有考核人可以进行统一考核。")
    m = _month_or_404(year, month)
    now = clock.now()
    d = cycle.dates(year, month)
    scores = cycle.refresh(m) if m.status == OPEN and now >= d.opens else {s.unit_id: s for s in m.scores}
    score = scores.get(unit.id) or abort(404)
    settings = scoring.Settings.from_config()
    errors = []
    if request.method == "POST":
        values = {f: _figure(f) for f in SCORE_FIELDS}
        reasons = {f: request.form.get(f"reason_{f}", "") for f in SCORE_FIELDS}
        try:
            cycle.save_unified(m, unit, current_user, values, reasons, now=now)
        except cycle.CycleError as exc:
            db.session.rollback()
            errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"“{unit.name}”的统一考核已保存。", "success")
            return redirect(url_for("assessment.month", year=year, month=month))
    else:
        db.session.commit()
    return render_template("assessment/unified.html", m=m, unit=unit, score=score, dates=d, now=now, errors=errors,
                           settings=settings, FIELD_LABELS=FIELD_LABELS, LEADERSHIP_FIELDS=LEADERSHIP_FIELDS,
                           SCORE_FIELDS=SCORE_FIELDS, form=request.form if request.method == "POST" else None,
                           closed=m.status != OPEN or now <= d.self_due)


@bp.route("/<int:year>/<int:month>/fix", methods=["POST"])
@login_required
def fix(year, month):
    if not cycle.is_assessor(current_user):
        abort(403)
    m = _month_or_404(year, month)
    try:
        cycle.fix_month(m, current_user)
    except cycle.CycleError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(f"{m.label}考核结果已定稿。", "success")
    return redirect(url_for("assessment.month", year=year, month=month))


@bp.route("/<int:year>/<int:month>/publish", methods=["POST"])
@login_required
def publish(year, month):
    if not cycle.is_assessor(current_user):
        abort(403)
    m = _month_or_404(year, month)
    try:
        cycle.publish_month(m, current_user, public=request.form.get("public") == "1")
    except cycle.CycleError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(f"{m.label}考核结果已公布" + ("，并在公开网站公布。" if m.public else "。"), "success")
    return redirect(url_for("assessment.results", year=year, month=month))


@bp.route("/<int:year>/<int:month>/results")
@login_required
def results(year, month):
    m = _month_or_404(year, month, create=False)
    if not _can_see_results(m) or m.status == OPEN:
        abort(403, "考核结果尚未公布。")
    return render_template("assessment/results.html", m=m, header=excel.MONTH_HEADER, rows=excel.month_rows(m),
                           public=False)


@bp.route("/<int:year>/<int:month>/export.xlsx")
@login_required
def month_export(year, month):
    m = _month_or_404(year, month, create=False)
    if not _can_see_results(m):
        abort(403, "考核结果尚未公布。")
    return _xlsx(excel.month_workbook(m), f"考核结果-{m.period}.xlsx")


@bp.route("/year/<int:year>")
@login_required
def year(year):
    _period_or_404(year)
    if not cycle.is_assessor(current_user):
        abort(403, "只有考核人可以查看年度汇总。")
    summary = cycle.year_summary(year)
    fixed = db.session.execute(select(AssessmentYear).filter_by(year=year)).scalar()
    return render_template("assessment/year.html", s=summary, header=excel.YEAR_HEADER, rows=excel.year_rows(summary),
                           fixed=fixed, printing=request.args.get("print") == "1", prize_labels=excel.PRIZE_LABELS)


@bp.route("/year/<int:year>/fix", methods=["POST"])
@login_required
def year_fix(year):
    _period_or_404(year)
    if not cycle.is_assessor(current_user):
        abort(403)
    try:
        cycle.fix_year(year, current_user)
    except cycle.CycleError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(f"{year}年度考核汇总已确认。", "success")
    return redirect(url_for("assessment.year", year=year))


@bp.route("/year/<int:year>/export.xlsx")
@login_required
def year_export(year):
    _period_or_404(year)
    if not cycle.is_assessor(current_user):
        abort(403)
    return _xlsx(excel.year_workbook(cycle.year_summary(year)), f"年度考核汇总-{year}.xlsx")


def _statistics_roles():
    return {roles.WEBMASTER, roles.SITE_ADMIN, roles.DEPT_HEAD, roles.LEADER, roles.PRINCIPAL,
            *current_app.config["LANMU_ASSESSMENT_ASSESSOR_ROLES"]}


def _statistics_scope():
    """The units whose rows this person sees on the statistics and report pages
    (None: all): assessors, admins, heads and leaders, each for their units and
    the units below them; 403 for everyone else."""
    scope = unit_scope(current_user, _statistics_roles())
    if scope is not None and not scope:
        abort(403)
    return scope


def _scope_label(scope):
    """"上城区…及其下级单位" for a limited scope, "" for all units."""
    if scope is None:
        return ""
    held = _statistics_roles()
    names = sorted({m.unit.name for m in current_user.memberships if m.role in held})
    return "、".join(names) + "及其下级单位"


def _year_arg():
    y = request.args.get("year", type=int) or clock.today().year
    if not 2000 <= y <= 2100:
        abort(404)
    return y


@bp.route("/people")
@login_required
def people():
    scope = _statistics_scope()
    y = _year_arg()
    month = request.args.get("month", type=int)
    if month is not None and not 1 <= month <= 12:
        abort(404)
    st = stats.person_statistics(y, scope)
    replies = stats.reply_statistics(*stats.period_bounds(y), scope)
    return render_template("assessment/people.html", st=st, year=y, month=month, header=excel.PERSON_HEADER,
                           rows=excel.person_rows(st, month), reply_header=excel.REPLY_HEADER,
                           reply_rows=excel.reply_rows(replies), replies=replies, scope_label=_scope_label(scope))


@bp.route("/people/export.xlsx")
@login_required
def people_export():
    scope = _statistics_scope()
    y = _year_arg()
    st = stats.person_statistics(y, scope)
    return _xlsx(excel.people_workbook(st, stats.reply_statistics(*stats.period_bounds(y), scope)),
                 f"信息员统计-{y}.xlsx")


def _report_args():
    y = _year_arg()
    q = request.args.get("quarter", type=int)
    if q is not None and q not in stats.QUARTERS:
        abort(404)
    return y, q


@bp.route("/reports")
@login_required
def reports():
    scope = _statistics_scope()
    y, q = _report_args()
    rep = stats.report(y, q, scope=scope)
    return render_template("assessment/reports.html", rep=rep, year=y, quarter=q, unit_header=excel.UNIT_HEADER,
                           unit_rows=excel.unit_rows(rep), column_header=excel.COLUMN_HEADER,
                           column_rows=excel.column_rows(rep), charts=stats.chart_data(rep),
                           scope_label=_scope_label(scope))


@bp.route("/reports/export.xlsx")
@login_required
def reports_export():
    scope = _statistics_scope()
    y, q = _report_args()
    rep = stats.report(y, q, scope=scope)
    return _xlsx(excel.report_workbook(rep), f"发布情况报表-{rep['label']}.xlsx")


# --- the public page ---------------------------------------------------------

@public_bp.route("/kaohe/")
def public_index():
    months = db.session.execute(select(AssessmentMonth).where(
        AssessmentMonth.status == PUBLISHED, AssessmentMonth.public.is_(True))
        .order_by(AssessmentMonth.year.desc(), AssessmentMonth.month.desc())).scalars().all()
    return render_template("assessment/public_index.html", months=months)


@public_bp.route("/kaohe/<int:year>-<int:month>/")
def public_results(year, month):
    m = db.session.execute(select(AssessmentMonth).filter_by(year=year, month=month)).scalar()
    if m is None or m.status != PUBLISHED or not m.public:
        abort(404)
    header = [h for h in excel.MONTH_HEADER if h not in ("自评总分", "调整说明")]
    rows = [r[:len(header)] for r in excel.month_rows(m)]
    return render_template("assessment/results.html", m=m, header=header, rows=rows, public=True)
