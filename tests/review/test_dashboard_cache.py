"""The dashboard kept per worker under the intranet token (issue 10,
intranet/versions.py): served again until something it can show changes,
on any worker (two apps here: two worker processes sharing one database);
the sign-in checks (R-04, R-05) still run on every request; what it says
about time follows the clock."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from intranet import versions
from intranet.clock import set_now
from intranet.extensions import db
from intranet.items.models import DRAFT, Item
from intranet.security import settings
from intranet.security.models import UserSession

from ..conftest import TEST_NOW, login, prefix, text_of
from ..security.helpers import client_from
from .conftest import as_user, create_item, kv_token, user


def _dash(client):
    resp = client.get(prefix(client.application) + "/")
    assert resp.status_code == 200, resp.status_code
    return resp


def _kept(client):
    """GET three times: the third answer is the kept page (the first after
    signing in makes the session's form token, which is not kept)."""
    _dash(client)
    _dash(client)
    resp = _dash(client)
    assert resp.headers.get("X-Lanmu-Cache") == "hit"
    return resp


@pytest.fixture
def demo_with(make_app):
    """make(**settings): an app with these settings and the demo data, its context pushed."""
    contexts = []

    def make(**settings):
        from intranet.demo import load_demo
        app = make_app(**settings)
        ctx = app.app_context()
        ctx.push()
        contexts.append(ctx)
        load_demo()
        return app
    yield make
    for ctx in reversed(contexts):
        ctx.pop()


def _officer_with_kept_dashboard(app):
    officer = client_from(app, "10.0.0.1")
    login(officer, "officer")
    _kept(officer)
    return officer


def _token():
    return kv_token(versions.INTRANET)


def test_the_dashboard_is_kept_per_person_until_something_changes(demo):
    officer, proof1 = as_user(demo, "officer"), as_user(demo, "proof1")
    first = _dash(officer)
    assert first.headers.get("X-Lanmu-Cache") != "hit"
    again = _kept(officer)
    assert again.data == _dash(officer).data
    # Back-office headers are on the kept page too.
    assert again.headers["Cache-Control"] == "no-store" and again.headers["X-Frame-Options"] == "DENY"
    # Each person gets their own page, never another's.
    theirs = _kept(proof1).get_data(as_text=True)
    assert user("proof1").name in theirs and user("officer").name not in theirs
    # A new draft (saved in another window) is on the very next page.
    create_item(as_user(demo, "officer"), title="刚刚保存的草稿")
    resp = _dash(officer)
    assert resp.headers.get("X-Lanmu-Cache") != "hit" and "刚刚保存的草稿" in resp.get_data(as_text=True)


def test_a_change_made_on_another_worker_is_shown_at_once(demo, worker2):
    here, there = as_user(demo, "officer"), as_user(worker2, "officer")
    _kept(here)
    with worker2.app_context():
        create_item(there, title="另一进程保存的草稿")
    resp = _dash(here)
    assert resp.headers.get("X-Lanmu-Cache") != "hit" and "另一进程保存的草稿" in resp.get_data(as_text=True)


def test_writes_that_bypass_the_orm_count_and_quiet_tables_and_rollbacks_do_not(demo):
    officer = as_user(demo, "officer")
    create_item(officer, title="直接改状态的草稿")
    before = _token()
    # A rolled-back write changes nothing.
    db.session.execute(update(Item).where(Item.title == "直接改状态的草稿").values(title="回滚的标题"))
    db.session.rollback()
    assert _token() == before
    # The session row's last-seen time is written as people click: it changes nothing.
    db.session.execute(update(UserSession).values(last_seen_at=TEST_NOW))
    db.session.commit()
    assert _token() == before
    # A bulk UPDATE (no ORM flush) does.
    db.session.execute(update(Item).where(Item.title == "直接改状态的草稿").values(status=DRAFT, title="批量改过的标题"))
    db.session.commit()
    assert _token() != before
    assert "批量改过的标题" in _dash(officer).get_data(as_text=True)


def test_r04_an_ended_session_is_refused_though_its_dashboard_is_kept(demo):
    officer, admin = client_from(demo, "10.0.0.1"), client_from(demo, "10.0.0.2")
    login(officer, "officer")
    login(admin, "admin")
    _kept(officer)
    row = db.session.execute(db.select(UserSession).filter_by(user_id=user("officer").id)).scalar_one()
    admin.post(f"{prefix(demo)}/security/sessions/{row.id}/end")
    resp = officer.get(prefix(demo) + "/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    # Signed in again: a new session, a new page (the old one is never served to it).
    login(officer, "officer")
    _kept(officer)
    admin.post(f"{prefix(demo)}/org/users/{user('officer').id}/toggle")
    assert officer.get(prefix(demo) + "/").status_code == 302


def test_r04_an_idle_session_times_out_though_its_dashboard_is_kept(demo_with):
    app = demo_with(LANMU_SESSION_IDLE_MINUTES=30)
    officer = _officer_with_kept_dashboard(app)
    set_now(app, TEST_NOW + timedelta(minutes=31))
    resp = officer.get(prefix(app) + "/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_r04_the_concurrent_session_warning_shows_on_a_kept_dashboard(demo):
    first, second = client_from(demo, "10.0.0.1"), client_from(demo, "10.0.0.2")
    login(first, "officer")
    _kept(first)
    login(second, "officer")
    page = _dash(first)
    assert page.headers.get("X-Lanmu-Cache") != "hit"
    assert "同时在其他地址（10.0.0.2）登录" in text_of(page)
    assert "其他地址" not in text_of(_dash(first))  # shown once


def test_r05_a_new_office_network_applies_at_the_next_request_on_every_worker(demo, worker2):
    here = client_from(demo, "10.0.0.1")
    login(here, "officer")
    _kept(here)
    with worker2.app_context():
        settings.put("admin_networks", ["192.168.0.0/16"])
        db.session.commit()
    resp = here.get(prefix(demo) + "/")
    assert resp.status_code == 403 and "办公网络" in text_of(resp)


def test_r73_what_the_kept_dashboard_says_about_time_follows_the_clock(demo):
    officer = as_user(demo, "officer")
    _kept(officer)
    set_now(demo, TEST_NOW + timedelta(seconds=demo.config["LANMU_INTRANET_CACHE_SECONDS"] - 5))
    assert _dash(officer).headers.get("X-Lanmu-Cache") == "hit"
    set_now(demo, TEST_NOW + timedelta(seconds=demo.config["LANMU_INTRANET_CACHE_SECONDS"] + 1))
    assert _dash(officer).headers.get("X-Lanmu-Cache") != "hit"  # rendered again at the new time


def test_the_kept_dashboard_can_be_switched_off(demo_with):
    officer = as_user(demo_with(LANMU_INTRANET_CACHE=False), "officer")
    _dash(officer)
    assert "X-Lanmu-Cache" not in _dash(officer).headers


@pytest.mark.parametrize("statement, counts", [
    ("SELECT * FROM item", False),
    ('INSERT INTO item (id) VALUES (1)', True),
    ('UPDATE "site_column" SET name = 1', True),
    ("DELETE FROM review_step WHERE id = 1", True),
    ("INSERT OR REPLACE INTO kv_store (key, value) VALUES (1, 2)", False),
    ("UPDATE user_session SET last_seen_at = 1", False),
    ("INSERT INTO audit_entry (id) VALUES (1)", False),
    ("WITH x AS (SELECT 1) UPDATE item SET title = 1", True),
])
def test_which_statements_change_the_intranet_token(statement, counts):
    assert versions.counts_as_write(statement) is counts


def test_r04_the_session_is_still_marked_active_while_the_dashboard_is_kept(demo_with):
    app = demo_with(LANMU_SESSION_TOUCH_SECONDS=10)
    officer = _officer_with_kept_dashboard(app)
    set_now(app, TEST_NOW + timedelta(seconds=15))
    _dash(officer)
    db.session.expire_all()
    row = db.session.execute(db.select(UserSession).filter_by(user_id=user("officer").id)).scalar_one()
    assert row.last_seen_at == TEST_NOW + timedelta(seconds=15)
    assert _dash(officer).headers.get("X-Lanmu-Cache") == "hit"


def test_r04_an_expired_password_must_be_changed_though_the_dashboard_is_kept(demo):
    officer = as_user(demo, "officer")
    _kept(officer)
    changed = user("officer").password_changed_at
    set_now(demo, changed + timedelta(days=demo.config["LANMU_PASSWORD_MAX_AGE_DAYS"], seconds=1))
    resp = officer.get(prefix(demo) + "/")
    assert resp.status_code == 302 and "password" in resp.headers["Location"]
