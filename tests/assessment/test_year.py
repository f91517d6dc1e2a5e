"""R-90: the yearly summary (due by the end of January): totals, ranking with
the documented tie rule, prizes 1/2/3 for the top 6, failing units listed;
the Excel export and the printable page hold the same numbers as the screen."""
from datetime import datetime
from io import BytesIO

import openpyxl

from intranet.assessment import cycle
from intranet.assessment.models import FIXED, OPEN, AssessmentMonth, AssessmentScore, AssessmentYear
from intranet.clock import set_now
from intranet.extensions import db

from .helpers import login, make_unit, norm, sheet_rows, table_rows, url, user

# unit: (month 1 total, month 2 total, frequency points per month, items per month)
SCORES = {
    "U1": (100, 100, 30, 5),   # 200: rank 1, first prize
    "U2": (90, 90, 30, 5),     # 180, frequency 60: rank 2 (tie on total broken by frequency)
    "U3": (100, 80, 25, 5),    # 180, frequency 50: rank 3; second prizes: U2, U3
    "U4": (75, 75, 20, 4),     # 150, 40, 8 items
    "U5": (80, 70, 20, 4),     # 150, 40, 8 items: equal on all three with U4, both rank 4, third prize
    "U6": (70, 70, 20, 3),     # 140: rank 6, third prize
    "U7": (70, 69, 20, 3),     # 139: rank 7, no prize (average 69.5)
    "U8": (50, 50, 10, 1),     # 100: average 50 < 60: failing
}


def seed_year(year=2026, months=(1, 2), unfixed=(3,)):
    units = {code: make_unit(f"y-{code}", name=f"单位{code}") for code in SCORES}
    for i, mm in enumerate(list(months) + list(unfixed)):
        m = AssessmentMonth(year=year, month=mm, status=OPEN if mm in unfixed else FIXED,
                            fixed_at=None if mm in unfixed else datetime(year, mm + 1, 14))
        db.session.add(m)
        db.session.flush()
        for code, (t1, t2, freq, items) in SCORES.items():
            total = (t1, t2, 999)[min(i, 2)]
            db.session.add(AssessmentScore(month_id=m.id, unit_id=units[code].id, items=items, frequency=freq,
                                           leader_named=10, responsibility=5, problem_solving=5,
                                           dedicated_officer=10, volume=items * 6, total=total,
                                           unified_at=datetime(year, mm + 1, 12)))
    db.session.commit()
    return units


def test_r90_yearly_ranking_with_ties_prizes_and_failing_units(assess_app):
    seed_year()
    s = cycle.year_summary(2026)
    got = [(r["unit"], r["total"], r["rank"], r["prize"], r["failing"]) for r in s["rows"]]
    assert got == [
        ("单位U1", 200, 1, 1, False),
        ("单位U2", 180, 2, 2, False),
        ("单位U3", 180, 3, 2, False),
        ("单位U4", 150, 4, 3, False),
        ("单位U5", 150, 4, 3, False),
        ("单位U6", 140, 6, 3, False),
        ("单位U7", 139, 7, None, False),
        ("单位U8", 100, 8, None, True),
    ]
    assert s["months"] == [1, 2] and 3 in s["missing_months"]  # the open month does not count
    assert [r["unit"] for r in s["failing"]] == ["单位U8"]
    assert s["rows"][6]["average"] == 69.5


def test_r90_a_failing_unit_gets_no_prize_and_the_fail_line_is_a_setting(assess_app):
    seed_year()
    assess_app.config["LANMU_ASSESSMENT_FAIL_BELOW"] = 75  # U6 (70), U7 (69.5), U8 (50) below
    s = cycle.year_summary(2026)
    by = {r["unit"]: r for r in s["rows"]}
    assert (by["单位U4"]["failing"], by["单位U4"]["prize"]) == (False, 3)  # average exactly 75 passes
    assert (by["单位U6"]["failing"], by["单位U6"]["prize"]) == (True, None)
    assert [r["unit"] for r in s["failing"]] == ["单位U6", "单位U7", "单位U8"]
    assess_app.config["LANMU_ASSESSMENT_PRIZES"] = [1, 1, 1]
    s = cycle.year_summary(2026)
    assert [r["prize"] for r in s["rows"][:4]] == [1, 2, 3, None]


def test_r90_yearly_summary_page_excel_and_print_hold_the_same_numbers(assess_app, aclient):
    seed_year()
    set_now(assess_app, datetime(2027, 1, 20, 9))
    login(aclient, "webmaster")
    html = aclient.get(url(aclient, "/assessment/year/2026")).get_data(as_text=True)
    screen = table_rows(html, "ranking")
    assert screen[0][:9] == ["1", "单位U1", "200", "2", "100.0", "60", "10", "一等奖", ""]
    assert screen[7][:9] == ["8", "单位U8", "100", "2", "50.0", "20", "2", "", "不及格"]
    assert "单位U8（月均50.0分）" in html
    resp = aclient.get(url(aclient, "/assessment/year/2026/export.xlsx"))
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    wb = openpyxl.load_workbook(BytesIO(resp.data))
    assert wb.sheetnames == ["年度汇总", "限期整改"]
    assert wb["年度汇总"]["A1"].value == "2026年度网站信息更新考核汇总"
    assert norm(sheet_rows(wb["年度汇总"])) == norm(screen)
    assert norm(sheet_rows(wb["限期整改"])) == norm([["单位U8", "50.0", "100"]])
    printed = aclient.get(url(aclient, "/assessment/year/2026?print=1")).get_data(as_text=True)
    assert table_rows(printed, "ranking") == screen and "navbar" not in printed
    # Fixing keeps the ranking; the January reminder stops.
    aclient.post(url(aclient, "/assessment/year/2026/fix"))
    row = db.session.execute(db.select(AssessmentYear).filter_by(year=2026)).scalar_one()
    assert row.fixed_by.username == "webmaster" and [r["rank"] for r in row.data["rows"]] == [1, 2, 3, 4, 4, 6, 7, 8]
    from intranet.reminders.engine import run_sweep
    _, new = run_sweep(now=datetime(2027, 1, 29, 9))
    assert not [r for r in new if r.kind == "assessment_year"]
    # Only assessors see it.
    login(aclient, "sc_officer")
    assert aclient.get(url(aclient, "/assessment/year/2026")).status_code == 403
    assert aclient.get(url(aclient, "/assessment/year/2026/export.xlsx")).status_code == 403


def test_r90_month_results_excel_matches_the_screen(assess_app, aclient):
    seed_year()
    m = db.session.execute(db.select(AssessmentMonth).filter_by(year=2026, month=2)).scalar_one()
    set_now(assess_app, datetime(2026, 3, 16, 9))
    cycle.publish_month(m, user("webmaster"))
    db.session.commit()
    login(aclient, "xh_officer")
    screen = table_rows(aclient.get(url(aclient, "/assessment/2026/2/results")).get_data(as_text=True), "results")
    wb = openpyxl.load_workbook(BytesIO(aclient.get(url(aclient, "/assessment/2026/2/export.xlsx")).data))
    assert norm(sheet_rows(wb.active)) == norm(screen)
    # February: U1 100, U2 90, U3 80 ... ranked by the month's total
    assert [(r[0], r[1], r[10]) for r in screen[:3]] == [("1", "单位U1", "100"), ("2", "单位U2", "90"),
                                                          ("3", "单位U3", "80")]
