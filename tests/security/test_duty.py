"""R-99 duty roster: who watches the sites on holidays, major events and
sensitive periods; `on_duty(now)` and `alert_recipients(now)` put that person first."""
from datetime import datetime, timedelta

from intranet.extensions import db
from intranet.security import duty
from intranet.security.models import DutyShift

from ..conftest import TEST_NOW, text_of
from .helpers import P, table_text, user


def _add(client, app, **overrides):
    data = {"kind": "holiday", "title": "2026年元旦", "starts_at": "2026-12-31T18:00", "ends_at": "2027-01-03T08:00",
            "user_id": user("webmaster").id, "backup_user_id": user("siteadmin").id, "phone": "0571-1",
            **overrides}
    return client.post(f"{P(app)}/security/duty/new", data=data)


def test_r99_on_duty_person_hears_alerts_first(demo, login_as):
    client = login_as("siteadmin")
    assert _add(client, demo).status_code == 302
    assert _add(client, demo, kind="sensitive", title="敏感时期", starts_at="2027-01-02T00:00",
                ends_at="2027-01-05T00:00", user_id=user("head").id, backup_user_id=0).status_code == 302
    assert duty.on_duty(TEST_NOW) == []
    assert [u.username for u in duty.alert_recipients(TEST_NOW)] == ["siteadmin", "admin"]
    new_year = datetime(2027, 1, 1, 12, 0)
    assert [u.username for u in duty.on_duty(new_year)] == ["webmaster", "siteadmin"]
    assert [u.username for u in duty.alert_recipients(new_year)] == ["webmaster", "siteadmin", "admin"]
    both = datetime(2027, 1, 2, 12, 0)
    assert [u.username for u in duty.on_duty(both)] == ["webmaster", "head", "siteadmin"]
    assert [u.username for u in duty.on_duty(datetime(2027, 1, 4))] == ["head"]
    assert duty.on_duty(datetime(2027, 1, 5)) == []  # the end is exclusive


def test_r99_roster_page_for_everyone_managed_by_security_admins(demo, login_as):
    client = login_as("admin")
    _add(client, demo, title="进博会期间", kind="major_event", starts_at=(TEST_NOW - timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M"), ends_at=(TEST_NOW + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    client = login_as("officer")
    page = client.get(f"{P(demo)}/security/duty/")
    assert "王网管" in table_text(page, "on-duty") and "进博会期间" in table_text(page, "duty-upcoming")
    assert _add(client, demo).status_code == 403
    shift = db.session.execute(db.select(DutyShift)).scalar_one()
    assert client.post(f"{P(demo)}/security/duty/{shift.id}/delete").status_code == 403
    client = login_as("siteadmin")
    resp = _add(client, demo, ends_at="2026-12-30T00:00")
    assert "结束时间须晚于开始时间" in text_of(resp)
    resp = _add(client, demo, backup_user_id=user("webmaster").id)
    assert "备岗人不能与值班人相同" in text_of(resp)
    client.post(f"{P(demo)}/security/duty/{shift.id}/delete")
    assert db.session.execute(db.select(DutyShift)).scalar() is None


def test_r99_a_disabled_person_is_skipped(demo, login_as):
    client = login_as("admin")
    _add(client, demo, starts_at="2026-11-23T00:00", ends_at="2026-11-24T00:00")
    user("webmaster").active = False
    db.session.commit()
    assert [u.username for u in duty.on_duty(TEST_NOW)] == ["siteadmin"]
