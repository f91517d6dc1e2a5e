"""Admin page for the working-day calendar (R-61): the override table, pasting
the State Council's yearly notice, marking a year complete, and a due-date
calculator."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, clock
from ..extensions import db
from ..org.permissions import sysadmin_required
from .forms import CalcForm, NoticeForm, OverrideForm
from .models import WorkdayOverride, WorkdayYear
from .notice import parse_notice
from .service import calendar, invalidate

bp = Blueprint("workdays", __name__, url_prefix="/workdays")


def _coverage(cal, years):
    out = []
    complete = {y.year: y for y in db.session.execute(db.select(WorkdayYear)).scalars()}
    for year in years:
        if year in complete and complete[year].complete:
            state, label = "complete", "已录入完整（管理员确认）"
        elif cal.library_has_year(year):
            state, label = "library", "内置日历数据"
        else:
            state, label = "fallback", "无数据：按周一至周五暂定计算"
        out.append({"year": year, "state": state, "label": label})
    return out


def _save_day(day, is_workday, note):
    row = db.session.execute(db.select(WorkdayOverride).filter_by(date=day)).scalar()
    if row is None:
        row = WorkdayOverride(date=day, is_workday=is_workday, note=note or "", created_by_id=current_user.id,
                              created_at=clock.now())
        db.session.add(row)
    else:
        row.is_workday, row.note = is_workday, note or row.note
    return row


def _set_complete(year, complete):
    row = db.session.get(WorkdayYear, year)
    if row is None:
        row = WorkdayYear(year=year)
        db.session.add(row)
    row.complete, row.updated_by_id, row.updated_at = complete, current_user.id, clock.now()


@bp.route("/", methods=["GET"])
@login_required
@sysadmin_required
def index():
    year = request.args.get("year", type=int) or clock.today().year
    if not 1900 <= year <= 2200:
        year = clock.today().year
    cal = calendar()
    rows = db.session.execute(
        db.select(WorkdayOverride).filter(WorkdayOverride.date.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(WorkdayOverride.date)).scalars().all()
    calc = CalcForm(request.args)
    result = None
    if request.args and calc.validate() and calc.start.data and calc.n.data is not None:
        result = cal.add_workdays(calc.start.data, calc.n.data)
    this_year = clock.today().year
    notice_form = NoticeForm(formdata=None, year=year)
    return render_template("workdays/index.html", year=year, rows=rows, form=OverrideForm(formdata=None),
                           notice_form=notice_form, calc=calc, result=result, preview=None,
                           coverage=_coverage(cal, range(this_year - 1, this_year + 3)))


@bp.route("/days", methods=["POST"])
@login_required
@sysadmin_required
def add_day():
    form = OverrideForm()
    if not form.validate_on_submit():
        flash("请填写正确的日期。", "danger")
        return redirect(url_for("workdays.index"))
    row = _save_day(form.date.data, form.kind.data == "work", form.note.data)
    db.session.flush()
    audit.record("workday_override_set", row, detail={"date": row.date.isoformat(), "is_workday": row.is_workday,
                                                      "note": row.note})
    db.session.commit()
    invalidate()
    flash(f"已设置 {row.date.isoformat()} 为{'工作日' if row.is_workday else '非工作日'}。", "success")
    return redirect(url_for("workdays.index", year=row.date.year))


@bp.route("/days/<int:row_id>/delete", methods=["POST"])
@login_required
@sysadmin_required
def delete_day(row_id):
    row = db.session.get(WorkdayOverride, row_id)
    if row is None:
        abort(404)
    year = row.date.year
    audit.record("workday_override_removed", row, detail={"date": row.date.isoformat()})
    db.session.delete(row)
    db.session.commit()
    invalidate()
    flash("已删除。", "success")
    return redirect(url_for("workdays.index", year=year))


@bp.route("/notice", methods=["POST"])
@login_required
@sysadmin_required
def notice():
    form = NoticeForm()
    cal = calendar()
    if not form.validate_on_submit():
        flash("请填写年份并粘贴放假安排。", "danger")
        return redirect(url_for("workdays.index"))
    days, skipped = parse_notice(form.text.data, form.year.data)
    if request.form.get("action") != "save" or not days:
        if not days:
            flash("没有识别出任何日期，请检查粘贴的内容。", "warning")
        this_year = clock.today().year
        return render_template("workdays/index.html", year=form.year.data, rows=[], form=OverrideForm(formdata=None),
                               notice_form=form, calc=CalcForm(formdata=None), result=None,
                               preview=sorted(days.items()), skipped=skipped,
                               coverage=_coverage(cal, range(this_year - 1, this_year + 3)))
    for day, (is_workday, note) in days.items():
        _save_day(day, is_workday, note)
    if form.complete.data:
        _set_complete(form.year.data, True)
    audit.record("workday_notice_imported", None, detail={"year": form.year.data, "days": len(days),
                                                         "complete": bool(form.complete.data)})
    db.session.commit()
    invalidate()
    flash(f"已导入{form.year.data}年放假安排：{len(days)}天"
          + ("，并确认该年度已录入完整。" if form.complete.data else "。"), "success")
    return redirect(url_for("workdays.index", year=form.year.data))


@bp.route("/years/<int:year>/complete", methods=["POST"])
@login_required
@sysadmin_required
def toggle_complete(year):
    if not 1900 <= year <= 2200:
        abort(404)
    row = db.session.get(WorkdayYear, year)
    complete = not (row is not None and row.complete)
    _set_complete(year, complete)
    audit.record("workday_year_complete" if complete else "workday_year_incomplete", None, detail={"year": year})
    db.session.commit()
    invalidate()
    flash(f"{year}年已{'确认录入完整' if complete else '取消完整确认'}。", "success")
    return redirect(url_for("workdays.index", year=year))


def init_app(app):
    """Register the admin page, the CLI and the admins' banner for years without data."""
    app.register_blueprint(bp, url_prefix=app.config["LANMU_ADMIN_PREFIX"].rstrip("/") + bp.url_prefix)
    from .service import calendar
    app.extensions["lanmu_workday_calendar"] = calendar  # the review links' expiry asks this one calendar
    from .cli import workdays_cli
    app.cli.add_command(workdays_cli)

    @app.context_processor
    def workday_banner():
        from .service import years_without_data
        if (current_user and current_user.is_authenticated and current_user.is_sysadmin
                and request.endpoint and not request.endpoint.startswith("public")):
            return {"workday_years_missing": years_without_data()}
        return {"workday_years_missing": []}
