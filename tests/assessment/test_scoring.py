"""R-90: a month's update-frequency level and volume points from publish data
(003 篇二 三), with hand-checked expected points."""
from datetime import date, datetime

import pytest

from intranet.assessment import scoring
from intranet.assessment.scoring import Settings, frequency
from intranet.items.models import EXPIRED, IN_REVIEW, WITHDRAWN
from intranet.workdays import WorkdayCalendar

from .helpers import column, draft, publish, unit


def settings(**kw):
    s = Settings(leadership={"leader_named": 10, "responsibility": 5, "problem_solving": 5, "dedicated_officer": 10},
                 frequency={"weekly": 30, "half_monthly": 20, "monthly": 10}, week_starts=[1, 8, 15, 22],
                 half_starts=[1, 16], skip_holiday_blocks=True, points_per_item=6, volume_cap=None)
    for k, v in kw.items():
        setattr(s, k, v)
    return s


def days(month, *ds, year=2026):
    return [date(year, month, d) for d in ds]


@pytest.mark.parametrize("dates, level, points", [
    (days(3, 3, 10, 17, 24), "weekly", 30),           # one in each of 1-7, 8-14, 15-21, 22-31
    (days(3, 1, 8, 15, 22), "weekly", 30),            # the first day of each block
    (days(3, 7, 14, 21, 31), "weekly", 30),           # the last day of each block
    (days(3, 2, 9, 16), "half_monthly", 20),          # nothing in 22-31: not weekly; both halves
    (days(3, 15, 16), "half_monthly", 20),            # 15 closes the first half, 16 opens the second
    (days(3, 14, 15), "monthly", 10),                 # both in the first half
    (days(3, 2, 9), "monthly", 10),
    (days(3, 31), "monthly", 10),
    ([], "none", 0),
    (days(3, 3, 10, 17) + days(4, 24), "half_monthly", 20),  # another month's date does not count
])
def test_r90_frequency_level_from_a_months_publish_dates(dates, level, points):
    got_level, got_points, detail = frequency(dates, 2026, 3, settings())
    assert (got_level, got_points) == (level, points)
    assert [(b["from"][8:], b["to"][8:]) for b in detail["weeks"]] == [("01", "07"), ("08", "14"), ("15", "21"),
                                                                        ("22", "31")]
    assert [(b["from"][8:], b["to"][8:]) for b in detail["halves"]] == [("01", "15"), ("16", "31")]


def test_r90_weekly_blocks_without_a_working_day_ask_for_nothing():
    cal = WorkdayCalendar()
    # October 2026: 1-7 is the National Day holiday; the other three weeks are covered.
    oct_dates = days(10, 9, 16, 23)
    assert frequency(oct_dates, 2026, 10, settings(), cal)[:2] == ("weekly", 30)
    assert frequency(oct_dates, 2026, 10, settings(skip_holiday_blocks=False), cal)[:2] == ("half_monthly", 20)
    # February 2026: 15-21 is the Spring Festival; 28 days, last block 22-28.
    feb = days(2, 2, 10, 24)
    level, points, detail = frequency(feb, 2026, 2, settings(), cal)
    assert (level, points) == ("weekly", 30)
    assert [b["asks"] for b in detail["weeks"]] == [True, True, False, True]
    # Without a calendar every block asks.
    assert frequency(feb, 2026, 2, settings())[:2] == ("half_monthly", 20)


def test_r90_volume_points_with_and_without_a_cap():
    assert scoring.volume_points(7, settings()) == 42
    assert scoring.volume_points(7, settings(volume_cap=40)) == 40
    assert scoring.volume_points(3, settings(points_per_item=5, volume_cap=40)) == 15


def test_r90_frequency_points_are_settings():
    s = settings(frequency={"weekly": 25, "half_monthly": 15, "monthly": 5}, week_starts=[1, 11, 21])
    # three blocks: 1-10, 11-20, 21-31
    assert frequency(days(3, 10, 11, 31), 2026, 3, s)[:2] == ("weekly", 25)
    assert frequency(days(3, 10, 11), 2026, 3, s)[:2] == ("monthly", 5)


def test_r90_month_scores_from_seeded_publish_data(assess_app):
    sc, xh = column("sc-office"), column("xh-office")
    hubin = column("sc-hubin")
    # 上城: 3, 10, 17, 24 March plus one by its community (rolls up to 上城): weekly, 5 items.
    for d in (3, 10, 17, 24):
        publish(sc, datetime(2026, 3, d, 9))
    publish(hubin, datetime(2026, 3, 25, 16))
    publish(sc, datetime(2026, 2, 28, 23, 59))     # February: not counted
    publish(sc, datetime(2026, 4, 1, 0, 0))        # April: not counted
    draft(sc, datetime(2026, 3, 5))                # never published
    publish(sc, None, status=IN_REVIEW)            # in review
    # 西湖: 2 and 20 March, one more withdrawn (does not count), one published then expired (counts).
    publish(xh, datetime(2026, 3, 2, 10))
    publish(xh, datetime(2026, 3, 20, 10))
    publish(xh, datetime(2026, 3, 21, 10), status=WITHDRAWN)
    publish(xh, datetime(2026, 3, 9, 10), status=EXPIRED)
    # 拱墅: nothing.
    got = scoring.compute_month(2026, 3)
    sc_id, xh_id, gs_id = unit("sc-office").id, unit("xh-office").id, unit("gs-office").id
    assert set(got) == {sc_id, xh_id, gs_id}
    assert {k: (v["items"], v["level"], v["frequency"], v["volume"]) for k, v in got.items()} == {
        sc_id: (5, "weekly", 30, 30),
        xh_id: (3, "half_monthly", 20, 18),   # 2, 9 | 20: both halves, nothing 22-31
        gs_id: (0, "none", 0, 0),
    }
    assess_app.config["LANMU_ASSESSMENT_VOLUME_CAP"] = 24
    assess_app.config["LANMU_ASSESSMENT_POINTS_PER_ITEM"] = 5
    got = scoring.compute_month(2026, 3)
    assert (got[sc_id]["volume"], got[xh_id]["volume"]) == (24, 15)


def test_r90_default_assessed_units_are_those_responsible_for_live_columns(make_app):
    from intranet.demo import load_demo
    app = make_app()
    with app.app_context():
        load_demo()
        assert [u.code for u in scoring.assessed_units()] == ["hz-office", "sc-office"]
        column("xh-office")
        assert [u.code for u in scoring.assessed_units()] == ["hz-office", "sc-office", "xh-office"]
