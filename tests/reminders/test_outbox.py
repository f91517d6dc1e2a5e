"""The outbox delivers through a fake WeCom server and a real SMTP server over
real sockets (R-82, R-84): nothing is lost when either is down, nothing is
delivered twice, WeCom's limits are respected, a dead dispatcher's batch is
finished by another."""
from datetime import datetime, timedelta

import pytest

from intranet.clock import set_now
from intranet.extensions import db
from intranet.org.models import User
from intranet.outbox.models import FAILED, PENDING, SENDING, SENT, OutboxMessage
from intranet.outbox.service import claim, dispatch_once, enqueue
from intranet.reminders.engine import run_sweep
from tests.fakes import smtp_server, wecom_server  # noqa: F401

from ..conftest import prefix, text_of
from .helpers import make_column, one, quiet_demo_columns

NOW = datetime(2026, 11, 15, 10, 0)


@pytest.fixture
def live(make_app, wecom_server, smtp_server):  # noqa: F811
    app = make_app(**wecom_server.config(), **smtp_server.config())
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        wecom_server.add_users([u.wecom_userid for u in db.session.execute(db.select(User)).scalars()])
        quiet_demo_columns()
        set_now(app, NOW)
        yield app, wecom_server, smtp_server


def _sweep_something():
    make_column("o1", staleness="news", published=[datetime(2026, 11, 1, 9)])
    return run_sweep(now=NOW)


def _rows(**kw):
    return db.session.execute(db.select(OutboxMessage).filter_by(**kw)).scalars().all()


def test_r82_digest_delivered_by_wecom_text_card_and_email(live):
    app, wecom, smtp = live
    _sweep_something()
    counts = dispatch_once(now=NOW)
    assert counts["failed"] == 0 and counts["retry"] == 0 and counts["sent"] > 0
    cards = wecom.delivered_to("officer")
    assert len(cards) == 1 and "督办提醒" in cards[0].title and "栏目o1" in cards[0].text
    mails = smtp.received_by("officer@example.gov.cn")
    assert len(mails) == 1 and mails[0].subject.startswith("【督办提醒】")
    assert "栏目o1" in mails[0].text and "<table" in mails[0].html
    assert all(r.status == SENT for r in _rows())


def test_r84_wecom_down_then_up_delivers_all_once(live):
    app, wecom, smtp = live
    _sweep_something()
    wecom.down("refused")
    dispatch_once(now=NOW)
    pending = _rows(channel="wecom")
    assert pending and all(r.status == PENDING and r.attempts == 1 and r.next_attempt_at > NOW for r in pending)
    assert all(r.status == SENT for r in _rows(channel="email"))  # the other channel is not held up
    # Still down at the first retry: backoff grows.
    dispatch_once(now=NOW + timedelta(minutes=2))
    assert all(r.attempts == 2 and r.next_attempt_at >= NOW + timedelta(minutes=7) for r in _rows(channel="wecom"))
    wecom.up()
    dispatch_once(now=NOW + timedelta(minutes=8))
    dispatch_once(now=NOW + timedelta(minutes=30))
    assert all(r.status == SENT for r in _rows(channel="wecom"))
    for r in _rows(channel="wecom"):
        assert len(wecom.delivered_to(r.recipient)) == 1


def test_r84_smtp_down_then_up_delivers_all_once(live):
    app, wecom, smtp = live
    _sweep_something()
    smtp.stop()
    dispatch_once(now=NOW)
    assert all(r.status == PENDING and "network" in r.last_error or "timeout" in r.last_error
               for r in _rows(channel="email"))
    smtp.start()
    dispatch_once(now=NOW + timedelta(hours=1))
    assert all(r.status == SENT for r in _rows(channel="email"))
    for r in _rows(channel="email"):
        assert len(smtp.received_by(r.recipient)) == 1


def test_r84_unknown_wecom_user_fails_permanently_and_is_shown_to_admins(live, ):
    app, wecom, smtp = live
    wecom.remove_user("officer")
    _sweep_something()
    dispatch_once(now=NOW)
    failed = _rows(channel="wecom", status=FAILED)
    assert [r.recipient for r in failed] == ["officer"] and "invalid_user" in failed[0].last_error
    client = app.test_client()
    client.post(prefix(app) + "/login", data={"username": "admin", "password": "Lanmu@2026"})
    page = client.get(prefix(app) + "/reminders/outbox?status=failed")
    assert "invalid_user" in text_of(page) and "发送失败" in text_of(page)
    # Permanent failures are not retried.
    assert dispatch_once(now=NOW + timedelta(days=1)) == {"sent": 0, "failed": 0, "retry": 0}


def test_r84_dispatcher_killed_mid_batch_is_finished_by_another(live):
    app, wecom, smtp = live
    _sweep_something()
    dead = claim(now=NOW, lease_seconds=120)  # a worker claims the batch and dies
    assert dead and all(r.status == SENDING for r in _rows())
    assert dispatch_once(now=NOW + timedelta(seconds=60))["sent"] == 0  # the claim still holds
    dispatch_once(now=NOW + timedelta(seconds=121))
    assert all(r.status == SENT for r in _rows())
    assert len(wecom.delivered_to("officer")) == 1


def test_r84_wecom_calls_batch_up_to_1000_recipients(live):
    app, wecom, smtp = live
    users = []
    for i in range(1500):
        users.append(User(username=f"bulk{i}", name=f"批量{i}", wecom_userid=f"bulk{i}", password_hash="x",
                          password_changed_at=NOW, notify_email=False))
    db.session.add_all(users)
    db.session.commit()
    wecom.add_users([u.wecom_userid for u in users])
    for u in users:
        enqueue(u, "系统维护通知", "今晚22点系统维护。", url="http://localhost/intranet/", dedupe_key="maint")
    db.session.commit()
    _sweep_something()  # digests (one card each) queued after the notice
    wecom.reset_records()
    while dispatch_once(now=NOW)["sent"]:  # batches of 200: each claimed card is completed up to 1000
        pass
    notice_calls = [c for c in wecom.send_calls() if "系统维护通知" in str(c.body)]
    assert len(notice_calls) == 2
    assert sorted(len(wecom.delivered_to(u.wecom_userid)) for u in users) == [1] * 1500
    assert all(r.status == SENT for r in _rows(channel="wecom"))


def test_r84_at_most_30_messages_a_minute_per_person(live):
    app, wecom, smtp = live
    officer = one(User, username="officer")
    officer.notify_email = False
    db.session.commit()
    for i in range(31):
        enqueue(officer, f"第{i}条", "内容", url="http://localhost/")
    db.session.commit()
    counts = dispatch_once(now=NOW)
    assert counts == {"sent": 30, "failed": 0, "retry": 1}
    assert len(wecom.delivered_to("officer")) == 30 and not wecom.dropped_for("officer")
    wecom.clock.advance(61)
    dispatch_once(now=NOW + timedelta(seconds=61))
    assert len(wecom.delivered_to("officer")) == 31 and not wecom.dropped_for("officer")


def test_r84_expired_wecom_token_is_refreshed_from_shared_storage(live):
    app, wecom, smtp = live
    officer = one(User, username="officer")
    enqueue(officer, "一", "内容", url="http://localhost/")
    db.session.commit()
    dispatch_once(now=NOW)
    assert wecom.tokens_issued == 1
    enqueue(officer, "二", "内容", url="http://localhost/")
    db.session.commit()
    dispatch_once(now=NOW)
    assert wecom.tokens_issued == 1  # the stored token was reused by the next dispatch
    wecom.expire_tokens()
    enqueue(officer, "三", "内容", url="http://localhost/")
    db.session.commit()
    dispatch_once(now=NOW)
    assert wecom.tokens_issued == 2 and len(wecom.delivered_to("officer")) == 3


def test_r82_admin_sends_a_test_message_per_channel(live):
    app, wecom, smtp = live
    client = app.test_client()
    client.post(prefix(app) + "/login", data={"username": "admin", "password": "Lanmu@2026"})
    resp = client.post(prefix(app) + "/reminders/outbox/test", data={"channel": "wecom"}, follow_redirects=True)
    assert "发送成功1条" in text_of(resp)
    assert len(wecom.delivered_to("admin")) == 1 and not smtp.received_by("admin@example.gov.cn")
    resp = client.post(prefix(app) + "/reminders/outbox/test", data={"channel": "email"}, follow_redirects=True)
    assert "发送成功1条" in text_of(resp)
    assert len(smtp.received_by("admin@example.gov.cn")) == 1


def test_r82_reminders_page_lists_my_reminders(live):
    app, wecom, smtp = live
    _sweep_something()
    client = app.test_client()
    client.post(prefix(app) + "/login", data={"username": "officer", "password": "Lanmu@2026"})
    page = client.get(prefix(app) + "/reminders/")
    assert "栏目o1" in text_of(page)


def test_r84_outbox_page_shows_a_unit_admin_only_the_messages_of_their_units(demo, login_as):
    """分级负责 (R-01) on 发送队列: a webmaster of 上城区 sees, counts and requeues the messages for the
    people of 上城区 and the units below it (湖滨社区); the site-wide webmaster and the system admin see
    every message, also those to an address that is no person."""
    from intranet.org import roles
    from intranet.org.models import RoleAssignment, Unit
    from intranet.outbox.service import enqueue_address
    people = {name: one(User, username=name) for name in ("officer", "xh_officer", "sc_officer", "hubin_officer",
                                                          "sc_leader")}
    db.session.add(RoleAssignment(user_id=people["sc_leader"].id, unit_id=one(Unit, code="sc-office").id,
                                  role=roles.WEBMASTER))
    for name, person in people.items():
        enqueue(person, f"队列范围-{name}", "内容", channels=["email"])
    enqueue_address("supervisor@example.gov.cn", "队列范围-上级联系人", "内容", dedupe_key="scope-test")
    failed = one(OutboxMessage, subject="队列范围-officer")
    failed.status, failed.attempts, failed.last_error = FAILED, 8, "投递失败"
    db.session.commit()
    outbox = prefix(demo) + "/reminders/outbox"

    def subjects(client, query=""):
        html = client.get(outbox + query).get_data(as_text=True)
        return {s for s in ("officer", "xh_officer", "sc_officer", "hubin_officer", "sc_leader", "上级联系人")
                if f"队列范围-{s}<" in html or f"队列范围-{s} " in html}, html

    client = login_as("sc_leader")
    seen, html = subjects(client)
    assert seen == {"sc_officer", "hubin_officer", "sc_leader"}
    mine = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.channel == "email",
                                                             OutboxMessage.status == PENDING,
                                                             OutboxMessage.user_id.in_([
                                                                 people[n].id for n in seen]))).scalars().all()
    assert f'id="stat-email-pending">{len(mine)}<' in html
    assert client.post(f"{outbox}/{failed.id}/retry").status_code == 404  # 市办's officer: not theirs
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == FAILED
    assert "投递失败" not in subjects(client, "?status=failed")[1]
    for who in ("webmaster", "admin"):
        client = login_as(who)
        assert subjects(client)[0] == {"officer", "xh_officer", "sc_officer", "hubin_officer", "sc_leader",
                                       "上级联系人"}, who
    assert client.post(f"{outbox}/{failed.id}/retry").status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == PENDING
