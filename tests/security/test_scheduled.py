"""The scheduler's security duties: incident reports within 24 hours (R-97),
unsigned responsibility letters (R-98), the people on duty hearing first
(R-99), the daily backup (R-96)."""
from datetime import datetime, timedelta

from intranet.clock import set_now
from intranet.extensions import db
from intranet.org.models import User
from intranet.reminders.engine import run_sweep
from intranet.security import incidents
from intranet.security.models import DutyShift

from ..conftest import TEST_NOW


def _user(name):
    return db.session.execute(db.select(User).filter_by(username=name)).scalar_one()


def _shift(user, start, hours=24):
    db.session.add(DutyShift(kind="holiday", title="国庆值班", starts_at=start, ends_at=start + timedelta(hours=hours),
                             user_id=user.id))
    db.session.commit()


def test_r97_unreported_incident_reminds_before_and_after_24_hours_on_duty_first(demo):
    found = datetime(2026, 10, 2, 8, 0)
    _shift(_user("head"), datetime(2026, 10, 2, 0, 0), hours=72)
    inc = incidents.register("defacement", "首页被篡改", "首页出现非法链接", found, _user("siteadmin"))
    db.session.commit()
    _, new = run_sweep(now=found + timedelta(hours=10))
    assert not [r for r in new if r.kind == "incident_report"]
    _, new = run_sweep(now=found + timedelta(hours=20))
    warned = [r for r in new if r.kind == "incident_report"]
    assert {r.user.username for r in warned} >= {"head", "siteadmin"} and all(r.severity == "warn" for r in warned)
    _, new = run_sweep(now=found + timedelta(hours=25))
    assert {r.severity for r in new if r.kind == "incident_report"} == {"veto"}
    incidents.mark_reported(inc, _user("siteadmin"), "市委网信办", at=found + timedelta(hours=26))
    db.session.commit()
    _, new = run_sweep(now=found + timedelta(hours=30))
    assert not [r for r in new if r.kind == "incident_report"]


def test_r98_unsigned_letters_are_reminded_weekly_to_the_unit_heads(demo):
    _, new = run_sweep(now=datetime(2026, 2, 2, 9))
    reminded = {(r.unit.code, r.user.username) for r in new if r.kind == "letter_unsigned"}
    assert ("hz-office", "principal") in reminded
    _, again = run_sweep(now=datetime(2026, 2, 3, 9))  # same week: nothing new
    assert not [r for r in again if r.kind == "letter_unsigned"]
    _, next_week = run_sweep(now=datetime(2026, 2, 9, 9))
    assert [r for r in next_week if r.kind == "letter_unsigned"]


def test_r99_people_on_duty_hear_of_veto_findings(demo):
    from tests.reminders.helpers import make_column, quiet_demo_columns
    quiet_demo_columns()
    make_column("duty-veto", unit="sc-hubin", staleness="news", published=[datetime(2026, 11, 1, 9)])
    _shift(_user("principal"), datetime(2026, 11, 15, 0, 0))
    _, new = run_sweep(now=datetime(2026, 11, 15, 10))
    assert "principal" in {r.user.username for r in new if r.severity == "veto"}


def test_r96_daily_backup_is_a_scheduler_task_and_keeps_n(make_app, tmp_path):
    app = make_app(LANMU_BACKUP_DIR=str(tmp_path / "backups"), LANMU_BACKUP_KEEP=2)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        fn, seconds, cron = app.extensions["lanmu_scheduler_tasks"]["backup"]
        assert cron == {"hour": 2, "minute": 30}
        for day in range(3):
            set_now(app, TEST_NOW + timedelta(days=day))
            fn()
        archives = sorted(p.name for p in (tmp_path / "backups").glob("*.tar.gz"))
        assert len(archives) == 2
