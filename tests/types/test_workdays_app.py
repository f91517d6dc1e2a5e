"""The app's working-day calendar (R-61): built from the admin's override table,
one per request, the admin page (single days, pasting the State Council's
notice, completing a year), the admins' banner for years without data, and
the `flask --app wsgi workdays due DATE N` command."""
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import chinese_calendar
import pytest

from intranet.clock import set_now
from intranet.extensions import db
from intranet.workdays import service
from intranet.workdays.models import WorkdayOverride, WorkdayYear
from intranet.workdays.notice import parse_notice

from ..conftest import TEST_NOW, prefix, text_of

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。"""


def test_r61_the_2026_notice_parses_to_the_library_calendar():
    days, skipped = parse_notice(NOTICE_2026, 2026)
    assert len(days) == 39 and len(skipped) == 3   # title, preamble, closing line
    for day, (is_workday, note) in days.items():
        assert chinese_calendar.is_workday(day) is is_workday, (day, note)
    assert days[date(2026, 2, 28)] == (True, "春节调休上班")
    assert days[date(2026, 10, 7)] == (False, "国庆节")


def test_r61_plain_lines_ranges_and_year_end_spans():
    days, skipped = parse_notice("2027-01-01~2027-01-03 休 元旦\n2027-02-06 班\n2027-13-01 休\n"
                                 "元旦：12月31日（周五）至1月2日（周日）放假，共3天。", 2027)
    assert days[date(2027, 1, 2)] == (False, "元旦") and days[date(2027, 2, 6)] == (True, "")
    assert days[date(2027, 12, 31)] == (False, "元旦") and days[date(2028, 1, 2)] == (False, "元旦")
    assert any("2027-13-01" in s for s in skipped)


def test_r61_calendar_is_built_from_the_override_table(app):
    assert service.calendar().is_workday(date(2026, 10, 8)) is True
    db.session.add(WorkdayOverride(date=date(2026, 10, 8), is_workday=False, note="测试"))
    db.session.add(WorkdayYear(year=2027, complete=True))
    db.session.commit()
    cal = service.calendar()
    assert cal.day_info(date(2026, 10, 8)).source == "override" and not cal.is_workday(date(2026, 10, 8))
    assert cal.day_info(date(2027, 3, 1)).source == "confirmed"
    assert service.due(date(2026, 9, 29), 2).date == date(2026, 10, 9)


def test_r61_calendar_is_cached_for_one_request_only(app):
    with app.test_request_context("/"):
        first = service.calendar()
        assert service.calendar() is first
        service.invalidate()
        assert service.calendar() is not first
    with app.test_request_context("/"):
        assert service.calendar() is not first
    assert service.calendar() is not service.calendar()  # outside a request: fresh each time


def test_r61_admin_pastes_the_notice_preview_then_save(demo, login_as):
    admin = login_as("admin")
    text = NOTICE_2026.replace("2026", "2028")  # pretend 2028 was announced with the same dates
    preview = admin.post(prefix(demo) + "/workdays/notice", data={"year": 2028, "text": text, "action": "preview"})
    assert "识别结果（39天，尚未保存）" in text_of(preview) and "未识别的行" in text_of(preview)
    assert db.session.execute(db.select(db.func.count(WorkdayOverride.id))).scalar() == 0
    saved = admin.post(prefix(demo) + "/workdays/notice", data={"year": 2028, "text": text, "complete": "y",
                                                              "action": "save"}, follow_redirects=True)
    assert "已导入2028年放假安排：39天，并确认该年度已录入完整" in text_of(saved)
    cal = service.build_calendar()
    assert cal.is_workday(date(2028, 10, 10)) and not cal.is_workday(date(2028, 10, 2))
    assert cal.fallback_years(2028, 2028) == []
    assert cal.add_workdays(date(2028, 9, 29), 2).provisional is False
    page = admin.get(prefix(demo) + "/workdays/?year=2028")
    assert "2028-02-28" in text_of(page) and "春节调休上班" in text_of(page)


def test_r61_admin_page_is_for_system_admins_only(demo, login_as):
    assert login_as("officer").get(prefix(demo) + "/workdays/").status_code == 403
    assert login_as("officer").post(prefix(demo) + "/workdays/days", data={"date": "2026-10-08",
                                                                           "kind": "off"}).status_code == 403
    assert db.session.execute(db.select(WorkdayOverride)).scalar() is None
    page = login_as("admin").get(prefix(demo) + "/workdays/")
    assert page.status_code == 200 and "数据覆盖" in text_of(page)


def test_r61_admin_page_calculator_and_delete(demo, login_as):
    admin = login_as("admin")
    for bad in ("start=9999-12-31&n=5", "start=2026-01-01&n=99999999", "year=99999", "start=x&n=y"):
        page = admin.get(prefix(demo) + "/workdays/?" + bad)
        assert page.status_code == 200 and 'id="calc-result"' not in page.get_data(as_text=True), bad
    page = admin.get(prefix(demo) + "/workdays/?start=2026-12-30&n=2")
    assert "2027-01-01" in text_of(page) and "暂定" in text_of(page)
    admin.post(prefix(demo) + "/workdays/days", data={"date": "2026-12-31", "kind": "off", "note": "假设"})
    row = db.session.execute(db.select(WorkdayOverride)).scalar_one()
    assert "2027-01-04" in text_of(admin.get(prefix(demo) + "/workdays/?start=2026-12-30&n=2"))
    admin.post(prefix(demo) + f"/workdays/days/{row.id}/delete")
    assert db.session.execute(db.select(WorkdayOverride)).scalar() is None


def test_r61_admins_are_warned_of_years_without_data(demo, login_as):
    # TEST_NOW is in 2026: next year's deadlines (2027) have no data yet.
    admin_page = login_as("admin").get(prefix(demo) + "/")
    assert 'id="workday-banner"' in admin_page.get_data(as_text=True) and "2027" in text_of(admin_page)
    assert 'id="workday-banner"' not in login_as("officer").get(prefix(demo) + "/").get_data(as_text=True)
    assert 'id="workday-banner"' not in login_as("admin").get("/s/youth/").get_data(as_text=True)
    assert service.years_without_data() == [2027]
    login_as("admin").post(prefix(demo) + "/workdays/years/2027/complete")
    assert db.session.get(WorkdayYear, 2027).complete is True
    assert 'id="workday-banner"' not in login_as("admin").get(prefix(demo) + "/").get_data(as_text=True)


def test_r61_banner_follows_the_clock_into_a_year_without_data(demo, login_as):
    set_now(demo, TEST_NOW.replace(year=2026, month=1, day=5))
    assert service.years_without_data() == [2027]
    set_now(demo, TEST_NOW.replace(year=2030))
    assert service.years_without_data() == [2030, 2031]


# -- the CLI ---------------------------------------------------------------

@pytest.mark.parametrize("args, line", [
    (["2026-09-29", "2"], "2026-10-08"),           # across National Day
    (["2026-09-18", "1"], "2026-09-20"),           # make-up Sunday
    (["2026-02-13", "5"], "2026-02-27"),           # across Spring Festival
    (["2026-12-30", "2"], "2027-01-01 provisional"),
    (["2030-01-04", "1"], "2030-01-07 provisional"),
    (["2026-10-01", "0"], "2026-10-01"),
])
def test_r61_cli_workdays_due(app, args, line):
    result = app.test_cli_runner().invoke(args=["workdays", "due", *args])
    assert result.exit_code == 0, result.output
    assert result.output == line + "\n"


def test_r61_cli_uses_the_override_table(app):
    db.session.add(WorkdayOverride(date=date(2026, 10, 8), is_workday=False, note=""))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["workdays", "due", "2026-09-29", "2"])
    assert result.output == "2026-10-09\n"


@pytest.mark.parametrize("args", [["2026-13-01", "2"], ["2026-10-01", "-1"], ["2026-10-01", "x"], ["2026-10-01"],
                                  ["9999-12-30", "5"]])
def test_r61_cli_refuses_bad_input(app, args):
    result = app.test_cli_runner().invoke(args=["workdays", "due", *args])
    assert result.exit_code != 0


def test_r61_cli_years(app):
    result = app.test_cli_runner().invoke(args=["workdays", "years"])
    assert "2027" in result.output


def test_r61_cli_as_a_real_command_on_a_migrated_database(tmp_path):
    """`flask --app wsgi workdays due DATE N` in a fresh process on a database built by the migrations."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "LANMU_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "LANMU_INSTANCE_PATH": str(tmp_path), "LANMU_SECRET_KEY": "cli-test"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    upgrade = subprocess.run(flask + ["db", "upgrade"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert upgrade.returncode == 0, upgrade.stderr
    for args, line in ((["2026-09-29", "2"], "2026-10-08"), (["2026-12-30", "2"], "2027-01-01 provisional")):
        done = subprocess.run(flask + ["workdays", "due", *args], cwd=root, env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout == line + "\n"
