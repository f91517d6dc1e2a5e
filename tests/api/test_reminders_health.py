"""My reminders, and the inspection health view (R-93) as data per site at a
date, for the people who may see it on the intranet."""
from datetime import timedelta

from intranet.extensions import db
from intranet.health.inspect import as_of, inspect
from intranet.reminders.models import Reminder
from intranet.sites.models import Site

from ..conftest import TEST_NOW
from .conftest import body, user


def test_reminders_list_mine_only_newest_first(demo, api_as):
    officer, head = user("officer"), user("head")
    for i in range(3):
        db.session.add(Reminder(dedupe_key=f"t-{i}", user_id=officer.id, kind="column_stale", duty_key=f"column:{i}",
                                period="2026-W48", severity="overdue", title=f"栏目{i}超期未更新",
                                created_at=TEST_NOW + timedelta(minutes=i), read_at=TEST_NOW if i == 0 else None))
    db.session.add(Reminder(dedupe_key="t-head", user_id=head.id, kind="x", duty_key="x", period="p", title="别人的"))
    db.session.commit()
    api = api_as("officer", scope="read")
    rows = body(api.get("/reminders"))["data"]
    assert [r["title"] for r in rows] == ["栏目2超期未更新", "栏目1超期未更新", "栏目0超期未更新"]
    assert rows[0]["severity_label"] == "已超期"
    unread = body(api.get("/reminders?unread=true"))["data"]
    assert [r["title"] for r in unread] == ["栏目2超期未更新", "栏目1超期未更新"]
    page = body(api.get("/reminders?limit=2"))
    assert len(page["data"]) == 2 and page["next"]
    assert [r["title"] for r in body(api.get(f"/reminders?limit=2&cursor={page['next']}"))["data"]] == ["栏目0超期未更新"]


def test_r93_health_of_a_site_at_a_date(demo, api_as):
    site = db.session.execute(db.select(Site).filter_by(code="youth")).scalar_one()
    api = api_as("head", scope="read")
    resp = api.get(f"/health/sites/{site.id}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    now = body(resp)
    expected = inspect(site, as_of(None))
    assert now["state"] == expected.state
    assert [(ln["code"], ln["count"], ln["state"]) for ln in now["lines"]] == [
        (ln.code, ln.count, ln.state) for ln in expected.lines]
    past_day = (TEST_NOW - timedelta(days=40)).date()
    past = body(api.get(f"/health/sites/{site.id}?date={past_day.isoformat()}"))
    assert past["at"].startswith(past_day.isoformat() + "T23:59:59")
    past_expected = inspect(site, as_of(past_day))
    assert [(ln["code"], ln["count"]) for ln in past["lines"]] == [(ln.code, ln.count) for ln in past_expected.lines]
    stale = next(ln for ln in now["lines"] if ln["code"] == "long_stale")
    assert all("column_id" in f for f in stale["findings"])


def test_r93_health_is_for_admins_heads_and_leaders(demo, api_as):
    site = db.session.execute(db.select(Site).filter_by(code="youth")).scalar_one()
    resp = api_as("officer", scope="read").get(f"/health/sites/{site.id}")
    assert resp.status_code == 403 and body(resp)["code"] == "forbidden"
    assert api_as("webmaster", scope="read").get(f"/health/sites/{site.id}").status_code == 200
    resp = api_as("head").get(f"/health/sites/{site.id}?date=2026-02-30")
    assert resp.status_code == 422 and "date" in body(resp)["fields"]
    assert api_as("head").get("/health/sites/99999").status_code == 404
