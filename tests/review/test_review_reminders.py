"""R-80: a review step waiting longer than a working day reminds its reviewers,
each with a fresh e-mail of decision links (R-35), counted in working days."""
from datetime import datetime, timedelta

from intranet.clock import set_now
from intranet.extensions import db
from intranet.outbox.service import dispatch_once
from intranet.reminders.engine import run_sweep
from intranet.reminders.models import Reminder

from .conftest import as_user, create_item, open_step, submit


def test_r80_waiting_review_step_reminds_with_fresh_decision_links(demo, mailbox):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)  # opened on Monday 2026-11-23 10:00 (the test clock)
    step = open_step(item_id)
    assert mailbox.links("proof1")  # the first mail
    def decision_mails():
        return [m for m in mailbox.to("proof1@example.gov.cn") if "待审核" in str(m["Subject"])]
    first = len(decision_mails())

    _, new = run_sweep(now=datetime(2026, 11, 24, 9, 0))  # less than one working day
    assert not [r for r in new if r.kind == "review_waiting"]
    when = datetime(2026, 11, 24, 10, 30)
    set_now(demo, when)
    _, new = run_sweep(now=when)
    waiting = [r for r in new if r.kind == "review_waiting"]
    assert {r.user.username for r in waiting} == {c.user.username for c in step.candidates}
    dispatch_once(now=when)
    assert len(decision_mails()) == first + 1
    assert any("督办提醒" in str(m["Subject"]) for m in mailbox.to("proof1@example.gov.cn"))  # and the digest
    # The fresh link decides the step.
    url = mailbox.links("proof1")["approve"]
    anonymous = demo.test_client()
    page = anonymous.get(url)
    assert page.status_code == 200
    token = url.rsplit("/", 1)[1]
    resp = anonymous.post(url, data={"comment": ""})
    assert resp.status_code in (200, 302)
    db.session.expire_all()
    assert open_step(item_id).id != step.id
    # Sweeping again sends no more for that step.
    _, again = run_sweep(now=when + timedelta(minutes=5))
    assert not [r for r in again if r.kind == "review_waiting" and r.duty_key == f"step:{step.id}"]
    assert token


def test_r80_waiting_is_counted_in_working_days(demo, mailbox):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    set_now(demo, datetime(2026, 9, 30, 16, 0))  # the eve of the National Day holiday
    submit(officer, item_id)
    _, new = run_sweep(now=datetime(2026, 10, 6, 17, 0))  # a week later, all holidays
    assert not [r for r in new if r.kind == "review_waiting"]
    _, new = run_sweep(now=datetime(2026, 10, 8, 16, 30))
    assert [r for r in new if r.kind == "review_waiting"]
    assert db.session.query(Reminder).filter_by(kind="review_waiting").count() >= 1


def test_r40_scheduler_runs_publish_due(demo):
    tasks = demo.extensions["lanmu_scheduler_tasks"]
    fn, seconds, cron = tasks["publish-due"]
    assert seconds == 60 and cron is None
