"""R-91 per-person statistics and R-92 quarterly/yearly reports per unit and
column, with the providers other branches fill (无数据 until then); the Excel
exports hold the same numbers as the screen."""
from datetime import date, datetime
from io import BytesIO

import openpyxl

from intranet.assessment import stats
from intranet.assessment.providers import provide, register_provider
from intranet.clock import set_now
from intranet.items.models import IN_REVIEW, RETURNED, WITHDRAWN

from .helpers import column, draft, login, norm, publish, sheet_rows, table_rows, unit, url, user


def seed_people():
    sc = column("sc-office", slug="sc-news")
    hz = column("hz-office", slug="hz-news")
    # officer (李信息): March: 3 created, 1 draft, 1 in review, 1 published; April: 1 published (created in March)
    draft(hz, datetime(2026, 3, 2))
    publish(hz, None, status=IN_REVIEW, created=datetime(2026, 3, 3))
    publish(hz, datetime(2026, 3, 10), created=datetime(2026, 3, 9))
    publish(hz, datetime(2026, 4, 2), created=datetime(2026, 3, 30))
    # sc_officer: March: 2 created, one returned, one published then withdrawn (still a publication)
    publish(sc, None, author="sc_officer", status=RETURNED, created=datetime(2026, 3, 5))
    publish(sc, datetime(2026, 3, 12), author="sc_officer", status=WITHDRAWN, created=datetime(2026, 3, 11))
    return sc, hz


def _without_review_provider(app):
    """These tests exercise the no-provider path and the provider plumbing; the
    review engine's real provider is tested in tests/review/test_review_stats.py."""
    app.extensions.get("lanmu_assessment_providers", {}).pop("review_counts", None)


def _without_plugin_providers(app):
    """These tests feed the reply and document figures through fake providers;
    the mailbox and document plugins' real ones are tested in tests/types/test_providers.py."""
    for name in ("reply_timeliness", "document_timeliness", "unanswered_messages"):
        app.extensions.get("lanmu_assessment_providers", {}).pop(name, None)


def test_r91_items_drafted_submitted_published_per_person_per_month_and_year(assess_app):
    _without_review_provider(assess_app)
    seed_people()
    officer, sc_officer = user("officer"), user("sc_officer")
    figs, has_review = stats.person_figures(datetime(2026, 3, 1), datetime(2026, 4, 1))
    assert not has_review
    assert figs[officer.id] == {"drafted": 4, "submitted": 3, "published": 1, "returned": None, "rejected": None}
    assert figs[sc_officer.id] == {"drafted": 2, "submitted": 2, "published": 1, "returned": None, "rejected": None}
    st = stats.person_statistics(2026)
    row = next(r for r in st["rows"] if r["user_id"] == officer.id)
    assert row["months"][3]["published"] == 1 and row["months"][4]["published"] == 1
    assert row["year"]["published"] == 2 + 4  # and the demo's four sample items (September-November)
    # the demo officer's sample items were published in the year too
    assert {r["username"] for r in st["rows"]} >= {"officer", "sc_officer", "xh_officer", "liaison", "hubin_officer"}


def test_r91_returned_and_rejected_come_from_the_review_provider(assess_app, aclient):
    _without_review_provider(assess_app)
    _without_plugin_providers(assess_app)
    seed_people()
    officer = user("officer")
    set_now(assess_app, datetime(2026, 12, 1, 9))
    login(aclient, "head")
    html = aclient.get(url(aclient, "/assessment/people?year=2026&month=3")).get_data(as_text=True)
    rows = {r[1]: r for r in table_rows(html, "people")}
    assert rows["officer"][3:] == ["4", "3", "1", "无数据", "无数据"]
    assert table_rows(html, "replies") == [["无数据", "无数据", "无数据", "无数据", "无数据", "无数据"]]

    calls = []

    def review_counts(start, end):
        calls.append((start, end))
        if start <= datetime(2026, 3, 15) < end:
            return [{"author_id": officer.id, "submitted": 5, "returned": 2, "rejected": 1}]
        return []
    register_provider(assess_app, "review_counts", review_counts)
    html = aclient.get(url(aclient, "/assessment/people?year=2026&month=3")).get_data(as_text=True)
    rows = {r[1]: r for r in table_rows(html, "people")}
    assert rows["officer"][3:] == ["4", "5", "1", "2", "1"]
    assert rows["sc_officer"][3:] == ["2", "0", "1", "0", "0"]
    assert (datetime(2026, 3, 1), datetime(2026, 4, 1)) in calls

    def replies(start, end):
        return [{"column_id": 1, "unit_id": unit("sc-office").id, "answered": 4, "on_time": 3, "late": 1,
                 "workdays_total": 10}]
    register_provider(assess_app, "reply_timeliness", replies)
    html = aclient.get(url(aclient, "/assessment/people?year=2026")).get_data(as_text=True)
    assert table_rows(html, "replies") == [[unit("sc-office").name, "4", "3", "1", "75.0", "2.5"]]
    screen_year = table_rows(html, "people")
    wb = openpyxl.load_workbook(BytesIO(aclient.get(url(aclient, "/assessment/people/export.xlsx?year=2026")).data))
    assert norm(sheet_rows(wb["全年"])) == norm(screen_year)
    html3 = aclient.get(url(aclient, "/assessment/people?year=2026&month=3")).get_data(as_text=True)
    assert norm(sheet_rows(wb["3月"])) == norm(table_rows(html3, "people"))
    assert norm(sheet_rows(wb["留言答复"])) == norm(table_rows(html, "replies"))
    # an information officer does not see everybody's statistics
    login(aclient, "sc_officer")
    assert aclient.get(url(aclient, "/assessment/people")).status_code == 403


def test_r92_stale_days_count_the_days_past_the_line():
    created = datetime(2026, 1, 1)
    # news line 14 days; period 1-31 March; last publication 20 Feb: stale from 6 March (14 days) until
    # the publication on 20 March (stale 6..19 = 14 days), then fresh until 3 April.
    pubs = [datetime(2026, 2, 20, 9), datetime(2026, 3, 20, 9)]
    assert stats.stale_days(created, pubs, 14, date(2026, 3, 1), date(2026, 4, 1)) == 14
    # never published, created 10 March: stale from 24 March to 31 March = 8 days
    assert stats.stale_days(datetime(2026, 3, 10), [], 14, date(2026, 3, 1), date(2026, 4, 1)) == 8
    # created after the period: nothing
    assert stats.stale_days(datetime(2026, 5, 1), [], 14, date(2026, 3, 1), date(2026, 4, 1)) == 0
    # fresh all along
    weekly = [datetime(2026, 3, d) for d in (1, 8, 15, 22, 29)]
    assert stats.stale_days(created, [datetime(2026, 2, 25)] + weekly, 14, date(2026, 3, 1), date(2026, 4, 1)) == 0


def test_r92_quarterly_report_per_unit_and_column_with_charts_and_excel(assess_app, aclient):
    _without_plugin_providers(assess_app)
    a = column("sc-office", slug="a", created=datetime(2025, 12, 1))
    b = column("sc-office", slug="b", staleness="notice", created=datetime(2025, 12, 1))
    c = column("xh-office", slug="c", created=datetime(2025, 12, 1))
    for d in (datetime(2026, 1, 5), datetime(2026, 2, 3), datetime(2026, 3, 30)):
        publish(a, d)
    publish(b, datetime(2025, 12, 20))
    publish(c, datetime(2026, 2, 10))
    publish(c, datetime(2026, 4, 1))  # Q2
    set_now(assess_app, datetime(2026, 6, 1, 9))
    rep = stats.report(2026, 1)
    cols = {r["name"]: r for r in rep["columns"]}
    assert (cols["栏目a"]["published"], cols["栏目b"]["published"], cols["栏目c"]["published"]) == (3, 0, 1)
    # a (news, 14 days): last 2025-12-?? none -> created 12-01: stale from 12-15 up to 01-05 -> 4 days in Jan
    # (1..4), then 01-05 -> stale 01-19..02-02 (15), 02-03 -> stale 02-17..03-29 (41): 60
    assert cols["栏目a"]["stale_days"] == 4 + 15 + 41
    # b (notice, 182 days) published 12-20: stale from 2026-06-20: none in Q1
    assert cols["栏目b"]["stale_days"] == 0
    assert cols["栏目a"]["doc_rate"] is None and not rep["has_documents"]
    units = {u["unit"]: u for u in rep["units"]}
    sc_name = unit("sc-office").name
    assert units[sc_name]["published"] == 3 and units[sc_name]["by_month"] == {1: 1, 2: 1, 3: 1}

    register_provider(assess_app, "document_timeliness", lambda start, end: [
        {"column_id": a.id, "unit_id": a.unit_id, "published": 4, "on_time": 3, "late": 1}])
    login(aclient, "webmaster")
    html = aclient.get(url(aclient, "/assessment/reports?year=2026&quarter=1")).get_data(as_text=True)
    assert "vendor/echarts/echarts.min.js" in html and 'class="lanmu-chart"' in html and "<script>" not in html
    screen_units = table_rows(html, "report-units")
    screen_cols = table_rows(html, "report-columns")
    row_a = next(r for r in screen_cols if r[1] == "栏目a")
    assert row_a[3:] == ["3", "4", "75.0", "无数据", "无数据", "60"]
    wb = openpyxl.load_workbook(BytesIO(aclient.get(url(aclient, "/assessment/reports/export.xlsx?year=2026&quarter=1")).data))
    assert wb.sheetnames == ["按单位", "按栏目", "按月"]
    assert norm(sheet_rows(wb["按单位"])) == norm(screen_units)
    assert norm(sheet_rows(wb["按栏目"])) == norm(screen_cols)
    assert wb["按单位"]["A1"].value == "2026年第1季度信息发布与答复情况（按单位）"
    # the yearly report counts the second quarter too
    assert {r["name"]: r["published"] for r in stats.report(2026)["columns"]}["栏目c"] == 2
    assert provide("reply_timeliness", datetime(2026, 1, 1), datetime(2026, 4, 1)) is None


def test_r92_unit_heads_see_only_their_units_rows_and_the_site_wide_admins_everything(assess_app, aclient):
    """分级负责 (R-01) on the statistics and report pages and their exports: 上城区's head sees 上城区 and the
    units below it (湖滨社区), not 市办 or 西湖区; 市办's head, the webmaster and the system admin see all."""
    _without_review_provider(assess_app)
    _without_plugin_providers(assess_app)
    make = [("sc-office", "sc-a"), ("sc-hubin", "hubin-a"), ("xh-office", "xh-a"), ("hz-office", "hz-a")]
    cols = {code: column(code, slug=slug, created=datetime(2025, 12, 1)) for code, slug in make}
    authors = {"sc-office": "sc_officer", "sc-hubin": "hubin_officer", "xh-office": "xh_officer",
               "hz-office": "officer"}
    for code, col in cols.items():
        publish(col, datetime(2026, 2, 3), author=authors[code])
    register_provider(assess_app, "reply_timeliness", lambda start, end: [
        {"column_id": cols[code].id, "unit_id": unit(code).id, "answered": 2, "on_time": 2, "late": 0,
         "workdays_total": 4} for code in ("sc-office", "xh-office")])
    set_now(assess_app, datetime(2026, 6, 1, 9))
    names = {code: unit(code).name for code in cols}
    district = {names["sc-office"], names["sc-hubin"]}

    def seen(who):
        login(aclient, who)
        report = aclient.get(url(aclient, "/assessment/reports?year=2026&quarter=1"))
        people = aclient.get(url(aclient, "/assessment/people?year=2026"))
        assert report.status_code == people.status_code == 200, who
        html, people_html = report.get_data(as_text=True), people.get_data(as_text=True)
        units = {r[0] for r in table_rows(html, "report-units")}
        columns = {r[2] for r in table_rows(html, "report-columns")}
        persons = {r[1] for r in table_rows(people_html, "people")}
        replies = {r[0] for r in table_rows(people_html, "replies")}
        wb = openpyxl.load_workbook(BytesIO(aclient.get(url(aclient, "/assessment/reports/export.xlsx?year=2026&quarter=1")).data))
        assert norm(sheet_rows(wb["按单位"])) == norm(table_rows(html, "report-units")), who
        assert norm(sheet_rows(wb["按栏目"])) == norm(table_rows(html, "report-columns")), who
        wb = openpyxl.load_workbook(BytesIO(aclient.get(url(aclient, "/assessment/people/export.xlsx?year=2026")).data))
        assert norm(sheet_rows(wb["全年"])) == norm(table_rows(people_html, "people")), who
        assert norm(sheet_rows(wb["留言答复"])) == norm(table_rows(people_html, "replies")), who
        return units, columns, persons, replies, html

    units, columns, persons, replies, html = seen("sc_head")
    assert units == columns == district
    assert {"sc_officer", "hubin_officer"} <= persons and not persons & {"officer", "liaison", "xh_officer"}
    assert replies == {names["sc-office"]}
    assert "统计范围：" + names["sc-office"] + "及其下级单位" in html
    for who in ("head", "webmaster", "admin"):
        units, columns, persons, replies, html = seen(who)
        assert units >= set(names.values()) and columns >= set(names.values()), who
        assert {"officer", "sc_officer", "xh_officer", "hubin_officer"} <= persons, who
        assert replies == {names["sc-office"], names["xh-office"]}, who
        assert "统计范围" not in html, who
    assert stats.report(2026, 1, scope=set())["units"] == []  # nothing in an empty scope
