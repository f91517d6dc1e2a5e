"""R-90: the monthly cycle with its dates (self-assessment by the 10th with the
computed figures pre-filled, unified assessment with a reason per adjustment
fixed by the 15th, publication on the intranet and optionally in public) and
the reminders before each date (R-80)."""
from datetime import datetime

import pytest

from intranet.assessment import cycle
from intranet.assessment.models import FIXED, PUBLISHED, AssessmentAdjustment, AssessmentScore
from intranet.clock import set_now
from intranet.extensions import db
from intranet.reminders.engine import run_sweep
from intranet.reminders.models import Reminder

from .helpers import column, login, publish, table_rows, unit, url, user

FULL = {"leader_named": 10, "responsibility": 5, "problem_solving": 5, "dedicated_officer": 10}


@pytest.fixture
def march(assess_app):
    """上城 weekly with 5 items, 西湖 half-monthly with 2, 拱墅 nothing, in March 2026."""
    sc, xh = column("sc-office"), column("xh-office")
    for d in (3, 10, 17, 24, 25):
        publish(sc, datetime(2026, 3, d, 9))
    publish(xh, datetime(2026, 3, 2, 9))
    publish(xh, datetime(2026, 3, 20, 9))
    return assess_app


def form(values, **reasons):
    data = {k: str(v) for k, v in values.items()}
    data.update({f"reason_{k}": v for k, v in reasons.items()})
    return data


def test_r90_self_assessment_window_opens_after_the_month_and_closes_on_the_10th(march, aclient):
    login(aclient, "sc_officer")
    page = url(aclient, f"/assessment/2026/3/self/{unit('sc-office').id}")
    set_now(march, datetime(2026, 3, 31, 18))
    resp = aclient.get(page)
    assert resp.status_code == 302  # the month has not ended
    set_now(march, datetime(2026, 4, 2, 9))
    html = aclient.get(page).get_data(as_text=True)
    # computed figures pre-filled: weekly = 30, 5 items x 6 = 30
    assert 'name="frequency" value="30"' in html and 'name="volume" value="30"' in html
    assert "发布5条，每周更新" in html
    resp = aclient.post(page, data=form({**FULL, "frequency": 30, "volume": 30}, note="按时更新"))
    assert resp.status_code == 302
    s = db.session.execute(db.select(AssessmentScore).filter_by(unit_id=unit("sc-office").id)).scalar_one()
    assert (s.self_total, s.self_submitted_by.username) == (90, "sc_officer")
    # Points above a sub-item's maximum are refused.
    html = aclient.post(page, data=form({**FULL, "leader_named": 12, "frequency": 30, "volume": 30})).get_data(as_text=True)
    assert "最多10分" in html
    # Still open at the last second of the 10th, closed after it.
    set_now(march, datetime(2026, 4, 10, 23, 59, 59))
    assert aclient.post(page, data=form({**FULL, "frequency": 30, "volume": 36})).status_code == 302
    db.session.expire_all()
    assert db.session.get(AssessmentScore, s.id).self_volume == 36
    set_now(march, datetime(2026, 4, 11, 0, 0, 1))
    html = aclient.post(page, data=form({**FULL, "frequency": 30, "volume": 30})).get_data(as_text=True)
    assert "自评已于04月10日截止" in html
    db.session.expire_all()
    assert db.session.get(AssessmentScore, s.id).self_volume == 36
    # Another unit's officer may not self-assess for 上城.
    login(aclient, "xh_officer")
    assert aclient.get(page).status_code == 403


def test_r90_unified_assessment_needs_a_reason_per_adjustment_then_fixes_and_publishes(march, aclient):
    sc, xh, gs = unit("sc-office"), unit("xh-office"), unit("gs-office")
    set_now(march, datetime(2026, 4, 5, 9))
    m = cycle.get_month(2026, 3)
    cycle.submit_self(m, sc, user("sc_officer"), {**FULL, "frequency": 30, "volume": 30})
    cycle.submit_self(m, xh, user("xh_officer"), {**FULL, "frequency": 30, "volume": 12})  # claims weekly
    db.session.commit()
    login(aclient, "webmaster")
    page = url(aclient, f"/assessment/2026/3/unified/{xh.id}")
    set_now(march, datetime(2026, 4, 10, 20))
    html = aclient.post(page, data=form({**FULL, "frequency": 20, "volume": 12})).get_data(as_text=True)
    assert "自评04月10日截止后才能进行统一考核" in html
    set_now(march, datetime(2026, 4, 13, 9))
    # Frequency 20 (the computed level) differs from the self-assessed 30: a reason is required.
    html = aclient.post(page, data=form({**FULL, "frequency": 20, "volume": 12})).get_data(as_text=True)
    assert "“信息更新频率”与自评或系统计算不同，请填写调整理由" in html
    # Frequency must be one of the levels' points.
    html = aclient.post(page, data=form({**FULL, "frequency": 25, "volume": 12}, frequency="x")).get_data(as_text=True)
    assert "只能是0、10、20、30分" in html
    resp = aclient.post(page, data=form({**FULL, "dedicated_officer": 0, "frequency": 20, "volume": 12},
                                        frequency="22-31日无更新，按每半月计", dedicated_officer="未落实专人"))
    assert resp.status_code == 302
    s = db.session.execute(db.select(AssessmentScore).filter_by(unit_id=xh.id)).scalar_one()
    assert (s.total, s.leadership) == (20 + 20 + 12, 20)
    assert sorted((a.field, a.self_value, a.computed_value, a.value) for a in s.adjustments) == [
        ("dedicated_officer", 10, None, 0), ("frequency", 30, 20, 20)]
    # Fixing before every unit is assessed is refused, naming the missing ones.
    resp = aclient.post(url(aclient, "/assessment/2026/3/fix"), follow_redirects=True)
    assert "以下单位尚未完成统一考核" in resp.get_data(as_text=True) and gs.name in resp.get_data(as_text=True)
    # 上城 as self-assessed (no reasons needed); 拱墅 did not self-assess: computed 0 + 0, leadership entered.
    assert aclient.post(url(aclient, f"/assessment/2026/3/unified/{sc.id}"),
                        data=form({**FULL, "frequency": 30, "volume": 30})).status_code == 302
    assert aclient.post(url(aclient, f"/assessment/2026/3/unified/{gs.id}"),
                        data=form({**FULL, "problem_solving": 0, "frequency": 0, "volume": 0})).status_code == 302
    assert not db.session.execute(db.select(AssessmentAdjustment).join(AssessmentScore)
                                  .filter(AssessmentScore.unit_id.in_([sc.id, gs.id]))).scalars().all()
    # Officers see nothing before publication.
    login(aclient, "sc_officer")
    assert aclient.get(url(aclient, "/assessment/2026/3/results")).status_code == 403
    login(aclient, "webmaster")
    set_now(march, datetime(2026, 4, 15, 17))
    aclient.post(url(aclient, "/assessment/2026/3/fix"))
    m = cycle.get_month(2026, 3, create=False)
    db.session.refresh(m)
    assert m.status == FIXED and m.fixed_at <= cycle.dates(2026, 3).unified_due
    # Fixed: no more changes.
    html = aclient.post(url(aclient, f"/assessment/2026/3/unified/{gs.id}"),
                        data=form({**FULL, "frequency": 0, "volume": 0})).get_data(as_text=True)
    assert "本月考核已定稿" in html
    assert aclient.get("/kaohe/2026-3/").status_code == 404
    aclient.post(url(aclient, "/assessment/2026/3/publish"), data={"public": "1"})
    db.session.refresh(m)
    assert m.status == PUBLISHED and m.public
    # Intranet page: ranking by total (上城 90, 西湖 52, 拱墅 25).
    login(aclient, "sc_officer")
    rows = table_rows(aclient.get(url(aclient, "/assessment/2026/3/results")).get_data(as_text=True), "results")
    assert [(r[0], r[1], r[10]) for r in rows] == [("1", sc.name, "90"), ("2", xh.name, "52"), ("3", gs.name, "25")]
    assert "22-31日无更新" in rows[1][12]
    # Public page: the same scores, no internal notes.
    public = aclient.get("/kaohe/2026-3/").get_data(as_text=True)
    prow = table_rows(public, "results")
    assert [r[:11] for r in prow] == [r[:11] for r in rows] and "22-31日无更新" not in public
    assert "2026年3月" in aclient.get("/kaohe/").get_data(as_text=True)


def test_r90_fixing_waits_for_the_self_assessment_window(march):
    set_now(march, datetime(2026, 4, 9, 9))
    m = cycle.get_month(2026, 3)
    with pytest.raises(cycle.CycleError, match="截止后才能定稿"):
        cycle.fix_month(m, user("webmaster"))
    with pytest.raises(cycle.CycleError, match="不是该单位的考核人"):
        set_now(march, datetime(2026, 4, 12, 9))
        cycle.save_unified(m, unit("sc-office"), user("sc_officer"), {**FULL, "frequency": 30, "volume": 30}, {})


def _sweep(app, when):
    set_now(app, when)
    return run_sweep(now=when)


def _kinds(new, username=None, kind_prefix="assessment"):
    return sorted((r.kind, r.user.username, r.severity) for r in new
                  if r.kind.startswith(kind_prefix) and (username is None or r.user.username == username))


def test_r90_reminders_before_each_date_of_the_cycle(march):
    sc = unit("sc-office")
    _, new = _sweep(march, datetime(2026, 4, 6, 23))  # more than 3 days before the 10th
    assert _kinds(new) == []
    m = cycle.get_month(2026, 3)
    set_now(march, datetime(2026, 4, 6, 23, 30))
    cycle.submit_self(m, sc, user("sc_officer"), {**FULL, "frequency": 30, "volume": 30})
    db.session.commit()
    _, new = _sweep(march, datetime(2026, 4, 7, 8))
    # 上城 has submitted; 西湖's officer and, for 拱墅 without an officer, the city office's head are reminded.
    assert _kinds(new) == [("assessment_self", "head", "warn"), ("assessment_self", "xh_officer", "warn")]
    assert "04月10日前完成2026年3月" in [r for r in new if r.user.username == "xh_officer"][0].title
    _, new = _sweep(march, datetime(2026, 4, 9, 9))
    assert _kinds(new) == []  # once per duty and period
    _, new = _sweep(march, datetime(2026, 4, 11, 23))
    assert _kinds(new) == []  # window closed; unified not yet within 3 days of the 15th
    _, new = _sweep(march, datetime(2026, 4, 12, 8))
    assert _kinds(new) == [("assessment_unified", "webmaster", "warn")]
    _, new = _sweep(march, datetime(2026, 4, 16, 9))
    assert _kinds(new) == [("assessment_unified", "webmaster", "overdue")]
    # Fix: then the publication reminder near the end of April.
    set_now(march, datetime(2026, 4, 16, 10))
    for u in (unit("sc-office"), unit("xh-office"), unit("gs-office")):
        s = cycle.refresh(m)[u.id]
        cycle.save_unified(m, u, user("webmaster"), {**FULL, "frequency": s.computed_frequency,
                                                     "volume": s.computed_volume}, {})
    cycle.fix_month(m, user("webmaster"))
    db.session.commit()
    _, new = _sweep(march, datetime(2026, 4, 20, 9))
    assert _kinds(new) == []
    _, new = _sweep(march, datetime(2026, 4, 26, 23))
    assert _kinds(new) == []
    _, new = _sweep(march, datetime(2026, 4, 27, 8))
    assert _kinds(new) == [("assessment_publish", "webmaster", "warn")]
    # The yearly summary of 2026, due 2027-01-31.
    _, new = _sweep(march, datetime(2027, 1, 27, 23))
    assert ("assessment_year", "webmaster", "warn") not in _kinds(new)
    _, new = _sweep(march, datetime(2027, 1, 28, 8))
    assert ("assessment_year", "webmaster", "warn") in _kinds(new)
    _, new = _sweep(march, datetime(2027, 2, 1, 9))
    assert ("assessment_year", "webmaster", "overdue") in _kinds(new)
    assert db.session.execute(db.select(db.func.count()).select_from(Reminder)
                              .filter(Reminder.kind == "assessment_year")).scalar() == 2


def test_r90_cycle_dates_are_settings(assess_app):
    d = cycle.dates(2026, 12)
    assert (d.opens, d.self_due, d.unified_due, d.publish_due) == (
        datetime(2027, 1, 1), datetime(2027, 1, 10, 23, 59, 59), datetime(2027, 1, 15, 23, 59, 59),
        datetime(2027, 1, 31, 23, 59, 59))
    assess_app.config.update(LANMU_ASSESSMENT_SELF_DUE_DAY=8, LANMU_ASSESSMENT_UNIFIED_DUE_DAY=12,
                             LANMU_ASSESSMENT_PUBLISH_DUE_DAY=20)
    d = cycle.dates(2026, 1)
    assert (d.self_due.day, d.unified_due.day, d.publish_due.day) == (8, 12, 20)
    assert cycle.year_due(2026) == datetime(2027, 1, 31, 23, 59, 59)


def test_r90_oversized_or_malformed_figures_are_refused_with_a_message_and_kept_in_the_form(march, aclient):
    """A figure beyond any month (more than 100000 points, or more than the integer columns hold) or
    not a whole number is refused with a Chinese message, the typed values stay in the form, and
    nothing is saved (it used to reach the database: a 500)."""
    sc, xh = unit("sc-office"), unit("xh-office")
    set_now(march, datetime(2026, 4, 2, 9))
    login(aclient, "sc_officer")
    page = url(aclient, f"/assessment/2026/3/self/{sc.id}")
    for volume, message in (("100001", "“信息发布量”最多100000分"),
                            ("99999999999999999999999", "“信息发布量”最多100000分"),
                            ("9" * 5000, "“信息发布量”最多100000分"),
                            ("-99999999999999999999999", "“信息发布量”不能为负数"),
                            ("1e5", "“信息发布量”须填写整数")):
        resp = aclient.post(page, data={**form({**FULL, "frequency": 30, "volume": volume}), "note": "我的说明"})
        assert resp.status_code == 200, (volume[:30], resp.status_code)
        html = resp.get_data(as_text=True)
        assert message in html, volume[:30]
        assert f'name="volume" value="{volume}"' in html and "我的说明" in html
    assert not db.session.execute(db.select(AssessmentScore).filter(
        AssessmentScore.unit_id == sc.id, AssessmentScore.self_submitted_at.is_not(None))).scalars().all()
    # Full-width digits typed with a Chinese input method are numbers; 100000 points is still allowed.
    resp = aclient.post(page, data=form({**FULL, "frequency": "３０", "volume": 100000}))
    assert resp.status_code == 302
    s = db.session.execute(db.select(AssessmentScore).filter_by(unit_id=sc.id)).scalar_one()
    assert (s.self_frequency, s.self_volume) == (30, 100000)

    login(aclient, "webmaster")
    set_now(march, datetime(2026, 4, 13, 9))
    page = url(aclient, f"/assessment/2026/3/unified/{xh.id}")
    resp = aclient.post(page, data=form({**FULL, "frequency": 20, "volume": "2147483648"}, volume="多报了"))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "“信息发布量”最多100000分" in html and 'name="volume" value="2147483648"' in html and "多报了" in html
    assert not db.session.execute(db.select(AssessmentScore).filter(
        AssessmentScore.unit_id == xh.id, AssessmentScore.unified_at.is_not(None))).scalars().all()
