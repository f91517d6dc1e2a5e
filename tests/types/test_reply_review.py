"""The reply's review chain (R-71, 003 财政地税 (十一): 科室负责人, then 局领导) over
HTTP with the demo roles: the default two steps, the column's options, four-eyes
and one person one step, return and resubmit, reject, the answer time is the
final approval (late after the 5th working day), waiting steps remind their
reviewers (R-80), two reviewers deciding at once record one decision (R-34),
and the hand-over of a waiting step (R-03)."""
import threading
from datetime import datetime, timedelta

import pytest

from intranet import audit
from intranet.assessment.providers import provide
from intranet.audit.models import AuditEntry
from intranet.clock import set_now
from intranet.columntypes import get_type
from intranet.extensions import db
from intranet.notify.inbox import InboxMessage
from intranet.org import roles
from intranet.org.models import RoleAssignment, User
from intranet.outbox.models import OutboxMessage
from intranet.reminders.engine import run_sweep
from plugins.mailbox.models import ANSWERED, ASSIGNED, IN_REVIEW, Message, Reply, ReplyStep

from ..conftest import TEST_NOW, login, prefix, text_of
from .helpers import column, create_column_over_http, unit, user
from .test_mailbox import (SAMPLE, _received, approve_over_http, assign_over_http, query_code, reply_over_http,
                           write_over_http)

REPLY = "您好！暑期快乐活动券7月1日起在各区办领取，请携带户口簿。"


@pytest.fixture
def consult(demo):
    return column("consult")


def _fresh(message):
    db.session.expire_all()
    return db.session.get(Message, message.id)


def _steps(message):
    """[(label, unit code, status, decided by, candidates)] of the message's latest reply."""
    reply = _fresh(message).replies[-1]
    return [(s.label, s.unit.code, s.status, s.decided_by.username if s.decided_by else None,
             [c.user.username for c in s.candidates]) for s in reply.steps]


def _inbox(username, contains):
    rows = db.session.execute(db.select(InboxMessage).filter_by(user_id=user(username).id)).scalars().all()
    return [r for r in rows if contains in r.subject]


def _outbox(username, contains):
    rows = db.session.execute(db.select(OutboxMessage).filter_by(user_id=user(username).id)).scalars().all()
    return [r for r in rows if contains in r.subject]


def _lookup(client, col, code):
    return text_of(client.post(f"/s/youth/c/{col.slug}/query", data={"code": code}))


# -- the default chain: 科室负责人 of the handling unit, then 局领导 ----------------

def test_r71_two_step_reply_review_over_http(consult, client, login_as, demo, app):
    public = demo.test_client()
    code = query_code(write_over_http(public, consult, SAMPLE))
    m = db.session.execute(db.select(Message).filter_by(subject=SAMPLE["subject"])).scalar_one()
    assign_over_http(login_as("officer"), demo, m, "sc-office")

    sc_officer = login_as("sc_officer")
    assert "科室负责人审核 → 局领导审核" in text_of(sc_officer.get(prefix(demo) + f"/mailbox/{m.id}"))
    assert "已提交科室负责人审核" in text_of(reply_over_http(sc_officer, demo, m, REPLY))
    # The head of 上城区 first; 局领导 is the leader in charge of its parent unit (市办).
    assert _steps(m) == [("科室负责人审核", "sc-office", "open", None, ["sc_head"]),
                         ("局领导审核", "hz-office", "pending", None, [])]
    assert _inbox("sc_head", "【待审核答复】") and _outbox("sc_head", "【待审核答复】")
    assert not _inbox("leader", "【待审核答复】")

    # 局领导 cannot decide the head's step.
    resp = approve_over_http(login_as("leader"), demo, m)
    assert "您不是“科室负责人审核”环节的审核人" in text_of(resp)
    assert _steps(m)[0][2] == "open"

    set_now(app, TEST_NOW + timedelta(hours=1))
    head_page = login_as("sc_head").get(prefix(demo) + f"/mailbox/{m.id}").get_data(as_text=True)
    assert "审核答复（科室负责人审核）" in head_page and 'name="step_id"' in head_page
    resp = approve_over_http(login_as("sc_head"), demo, m, comment="同意，请局领导审定")
    assert "已同意（科室负责人审核），答复已提交局领导审核" in text_of(resp)
    m = _fresh(m)
    assert m.status == IN_REVIEW and m.replied_at is None and not m.is_public
    first = m.replies[-1].steps[0]
    assert (first.decided_by.username, first.decided_at, first.decision, first.comment) == \
        ("sc_head", TEST_NOW + timedelta(hours=1), "approve_comment", "同意，请局领导审定")
    assert _steps(m)[1] == ("局领导审核", "hz-office", "open", None, ["leader"])
    assert _inbox("leader", "【待审核答复】") and _outbox("leader", "【待审核答复】")
    assert _inbox("sc_officer", "答复已通过科室负责人审核")
    assert "户口簿" not in _lookup(public, consult, code) and "户口簿" not in text_of(public.get("/s/youth/c/consult/"))

    set_now(app, TEST_NOW + timedelta(hours=3))
    leader = login_as("leader")
    page = text_of(leader.get(prefix(demo) + f"/mailbox/{m.id}"))
    assert "审核答复（局领导审核）" in page and "同意，请局领导审定" in page and "高科长（上城）" in page
    resp = approve_over_http(leader, demo, m)
    assert "答复已审核通过" in text_of(resp) and "已公开" in text_of(resp)
    m = _fresh(m)
    reply = m.replies[-1]
    assert m.status == ANSWERED and m.is_public and m.reply_late is False
    assert m.replied_at == TEST_NOW + timedelta(hours=3)           # the final approval gives the reply
    assert (reply.status, reply.reviewer.username, reply.reviewed_at) == \
        (Reply.APPROVED, "leader", TEST_NOW + timedelta(hours=3))
    assert [(s.status, s.decided_by.username) for s in reply.steps] == [("approved", "sc_head"),
                                                                         ("approved", "leader")]
    assert _inbox("sc_officer", "答复已审核通过")
    assert "户口簿" in _lookup(public, consult, code)
    detail = text_of(public.get(f"/s/youth/c/consult/m/{m.id}.html"))
    assert "户口簿" in detail and "王小明" not in detail and "13912345678" not in detail


# -- the column's setting ----------------------------------------------------------

@pytest.mark.parametrize("setting, people, labels", [
    ("head", ["sc_head"], ["科室负责人审核"]),
    ("head_own_leader", ["sc_head", "sc_leader"], ["科室负责人审核", "分管领导审核"]),
])
def test_r71_the_reply_review_chain_is_a_setting_of_the_column(setting, people, labels, login_as, demo):
    col = create_column_over_http(login_as("webmaster"), demo, "mailbox", f"mb-{setting.replace('_', '-')}",
                                  settings={"reply_review": setting})
    assert get_type("mailbox").setting(col, "reply_review") == setting
    public = demo.test_client()
    subject = f"审核流程设置{setting}"
    write_over_http(public, col, {**SAMPLE, "subject": subject})
    m = db.session.execute(db.select(Message).filter_by(subject=subject)).scalar_one()
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    reply_over_http(login_as("sc_officer"), demo, m, REPLY)
    assert [s[0] for s in _steps(m)] == labels
    for who in people[:-1]:
        assert "已同意" in text_of(approve_over_http(login_as(who), demo, m))
        assert _fresh(m).status == IN_REVIEW
    assert "答复已审核通过" in text_of(approve_over_http(login_as(people[-1]), demo, m))
    assert _fresh(m).status == ANSWERED
    assert [s[3] for s in _steps(m)] == people
    assert not [r for r in _inbox("leader", "【待审核答复】") if subject in r.subject]   # 局领导 never asked


# -- four-eyes, one person one step, stand-ins ------------------------------------

def test_r71_four_eyes_the_author_never_approves_their_reply(consult, login_as, demo):
    m = _received(consult, TEST_NOW, "科长亲自起草的答复")
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    sc_head = login_as("sc_head")
    reply_over_http(sc_head, demo, m, "您好，这是科长亲自起草的答复。")
    # Nobody else heads 上城区: the nearest unit up the tree that has a head asks its head.
    assert _steps(m)[0] == ("科室负责人审核", "sc-office", "open", None, ["head"])
    page = sc_head.get(prefix(demo) + f"/mailbox/{m.id}").get_data(as_text=True)
    assert 'id="review-form"' not in page
    refused = approve_over_http(sc_head, demo, m)
    assert "不能审核自己起草的答复" in text_of(refused)
    assert _steps(m)[0][2:4] == ("open", None) and _fresh(m).status == IN_REVIEW
    approve_over_http(login_as("head"), demo, m)
    approve_over_http(login_as("leader"), demo, m)
    assert _fresh(m).status == ANSWERED
    assert [s[3] for s in _steps(m)] == ["head", "leader"]


def test_r71_one_person_decides_one_step_and_a_senior_role_stands_in(consult, login_as, demo):
    # 市办's own head drafts: no other head in the line, so its 分管领导 stands in for the
    # first step; he may not decide the second, so the 主要领导 stands in for 局领导.
    m = _received(consult, TEST_NOW, "市办科长起草")
    assign_over_http(login_as("officer"), demo, m, "hz-office")
    reply_over_http(login_as("head"), demo, m, "您好，这是市办科长起草的答复。")
    assert _steps(m)[0][4] == ["leader"]
    assert "由分管领导审核" in _fresh(m).replies[-1].steps[0].note
    approve_over_http(login_as("leader"), demo, m)
    assert _steps(m)[1][2:] == ("open", None, ["principal"])
    refused = approve_over_http(login_as("leader"), demo, m)
    assert "同一人只能审核一个环节" in text_of(refused)
    assert "答复已审核通过" in text_of(approve_over_http(login_as("principal"), demo, m))

    # `head` also holds 分管领导 in 市办: he decides the first step, never the second as well.
    db.session.add(RoleAssignment(user_id=user("head").id, unit_id=unit("hz-office").id, role=roles.LEADER))
    db.session.commit()
    m2 = _received(consult, TEST_NOW, "一人一环节")
    assign_over_http(login_as("officer"), demo, m2, "hz-office")
    reply_over_http(login_as("officer"), demo, m2, "您好，这是信息员起草的答复。")
    assert _steps(m2)[0][4] == ["head"]
    approve_over_http(login_as("head"), demo, m2)
    assert _steps(m2)[1][4] == ["leader"]                     # not head, although he is 分管领导 too
    refused = approve_over_http(login_as("head"), demo, m2)
    assert "同一人只能审核一个环节" in text_of(refused)
    assert _steps(m2)[1][2] == "open" and _fresh(m2).status == IN_REVIEW
    assert "答复已审核通过" in text_of(approve_over_http(login_as("leader"), demo, m2))


# -- return, resubmit, reject ------------------------------------------------------

def test_r71_return_to_the_author_with_a_comment_and_resubmit(consult, login_as, demo):
    public = demo.test_client()
    code = query_code(write_over_http(public, consult, SAMPLE))
    m = db.session.execute(db.select(Message).filter_by(subject=SAMPLE["subject"])).scalar_one()
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    reply_over_http(login_as("sc_officer"), demo, m, "第一稿：活动券7月1日起领取。")
    approve_over_http(login_as("sc_head"), demo, m)
    leader = login_as("leader")
    assert "退回时请填写修改意见" in text_of(approve_over_http(leader, demo, m, "return", ""))
    assert _steps(m)[1][2] == "open"
    resp = approve_over_http(leader, demo, m, "return", "请写明领取地点")
    assert "答复已退回修改" in text_of(resp)
    m = _fresh(m)
    first = m.replies[-1]
    assert m.status == ASSIGNED and first.status == Reply.RETURNED and first.review_comment == "请写明领取地点"
    assert [(s.status, s.decided_by.username, s.comment) for s in first.steps] == \
        [("approved", "sc_head", ""), ("returned", "leader", "请写明领取地点")]
    notice = _inbox("sc_officer", "答复被退回修改")
    assert notice and "请写明领取地点" in notice[0].text
    assert "第一稿" not in _lookup(public, consult, code)

    # The author revises the returned text and submits again: the chain starts from the first step.
    sc_officer = login_as("sc_officer")
    page = sc_officer.get(prefix(demo) + f"/mailbox/{m.id}").get_data(as_text=True)
    assert "第一稿：活动券7月1日起领取。</textarea>" in page
    reply_over_http(sc_officer, demo, m, "第二稿：活动券7月1日起在各区办服务大厅领取。")
    assert _steps(m) == [("科室负责人审核", "sc-office", "open", None, ["sc_head"]),
                         ("局领导审核", "hz-office", "pending", None, [])]
    approve_over_http(login_as("sc_head"), demo, m)
    approve_over_http(login_as("leader"), demo, m)
    m = _fresh(m)
    assert m.status == ANSWERED and len(m.replies) == 2 and m.public_reply.startswith("第二稿")
    assert "服务大厅" in _lookup(public, consult, code) and "第一稿" not in _lookup(public, consult, code)
    assert [e.note for e in m.events if e.action == "reply_returned"] == ["局领导审核：请写明领取地点"]


def test_r71_reject_discards_the_reply_and_the_department_answers_anew(consult, login_as, demo):
    m = _received(consult, TEST_NOW, "不予采用的答复")
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    reply_over_http(login_as("sc_officer"), demo, m, "这份答复答非所问。")
    head = login_as("sc_head")
    assert "不予采用时请填写理由" in text_of(approve_over_http(head, demo, m, "reject", ""))
    assert "答复已不予采用" in text_of(approve_over_http(head, demo, m, "reject", "答非所问，请重新答复"))
    m = _fresh(m)
    assert m.status == ASSIGNED and m.replies[-1].status == Reply.REJECTED
    assert [s[2] for s in _steps(m)] == ["rejected", "cancelled"]
    assert _inbox("sc_officer", "答复被不予采用")
    page = login_as("sc_officer").get(prefix(demo) + f"/mailbox/{m.id}").get_data(as_text=True)
    assert "这份答复答非所问。</textarea>" not in page and 'id="reply-form"' in page


# -- the answer time is the final approval ----------------------------------------

def test_r71_a_reply_whose_final_approval_is_after_the_fifth_working_day_is_late(consult, login_as, demo, app):
    # Received Tue 2026-09-29 10:00: reply due Mon 10-12 (09-30, 10-08, 10-09, Sat 10-10, 10-12).
    on_time = _received(consult, datetime(2026, 9, 29, 10, 0), "局领导当天审定")
    late = _received(consult, datetime(2026, 9, 29, 10, 5), "局领导次日审定")
    for m in (on_time, late):
        assign_over_http(login_as("officer"), demo, m, "sc-office")
        reply_over_http(login_as("sc_officer"), demo, m, "您好，周末上午九点到十一点开放。")
    set_now(app, datetime(2026, 10, 12, 15, 0))
    for m in (on_time, late):  # the head approves both within the deadline
        approve_over_http(login_as("sc_head"), demo, m)
    set_now(app, datetime(2026, 10, 12, 23, 0))
    assert "已记为逾期答复" not in text_of(approve_over_http(login_as("leader"), demo, on_time))
    set_now(app, datetime(2026, 10, 13, 9, 0))
    assert "已记为逾期答复" in text_of(approve_over_http(login_as("leader"), demo, late))
    on_time, late = _fresh(on_time), _fresh(late)
    assert (on_time.reply_late, on_time.replied_at) == (False, datetime(2026, 10, 12, 23, 0))
    assert (late.reply_late, late.replied_at) == (True, datetime(2026, 10, 13, 9, 0))
    assert late.reply_due_date.isoformat() == "2026-10-12"
    assert [e.late for e in late.events if e.action == "reply_approved"] == [True]
    assert [e.late for e in late.events if e.action == "reply_step_approved"] == [None]
    rows = provide("reply_timeliness", datetime(2026, 10, 1), datetime(2026, 11, 1))
    assert [(r["answered"], r["on_time"], r["late"]) for r in rows] == [(2, 1, 1)]


# -- reminders of waiting steps (R-80) ---------------------------------------------

def _sweep(app, when, message):
    """The new reminders of `message`'s reply review steps from a sweep at `when`."""
    set_now(app, when)
    _row, new = run_sweep(now=when)
    keys = {f"reply_step:{s.id}" for r in _fresh(message).replies for s in r.steps}
    return [(r.kind, r.user.username, r.level) for r in new if r.duty_key in keys]


def test_r71_r80_a_waiting_reply_step_reminds_its_reviewers(consult, login_as, demo, app):
    m = _received(consult, TEST_NOW, "等待审核的答复")                  # Mon 11-23 10:00
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    reply_over_http(login_as("sc_officer"), demo, m, REPLY)           # step 1 opens Mon 10:00
    assert _sweep(demo, datetime(2026, 11, 24, 9, 59), m) == []          # LANMU_REVIEW_REMIND_WORKDAYS = 1
    assert _sweep(demo, datetime(2026, 11, 24, 10, 1), m) == [("reply_review_waiting", "sc_head", 0)]
    assert _sweep(demo, datetime(2026, 11, 24, 12, 0), m) == []          # once per step and opening
    digest = _outbox("sc_head", "【督办提醒】")                       # one digest per person and channel
    assert digest and all("等待审核（科室负责人审核）1个工作日" in row.text for row in digest)
    set_now(demo, datetime(2026, 11, 24, 14, 0))
    approve_over_http(login_as("sc_head"), demo, m)                   # step 2 opens Tue 14:00
    assert _sweep(demo, datetime(2026, 11, 25, 13, 0), m) == []
    assert _sweep(demo, datetime(2026, 11, 25, 14, 1), m) == [("reply_review_waiting", "leader", 0)]
    set_now(demo, datetime(2026, 11, 25, 15, 0))
    approve_over_http(login_as("leader"), demo, m)
    assert _sweep(demo, datetime(2026, 11, 27, 10, 0), m) == []          # decided: nobody is reminded


def test_r71_r80_a_step_with_nobody_to_ask_is_asked_again_once_someone_has_the_role(consult, login_as, demo):
    db.session.execute(db.delete(RoleAssignment).where(
        RoleAssignment.role.in_([roles.DEPT_HEAD, roles.LEADER, roles.PRINCIPAL])))
    db.session.commit()
    db.session.expire_all()
    m = _received(consult, TEST_NOW, "无人审核的答复")
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    reply_over_http(login_as("sc_officer"), demo, m, REPLY)
    assert _steps(m)[0][2:] == ("open", None, [])
    assert "没有符合条件的审核人" in text_of(login_as("sc_officer").get(prefix(demo) + f"/mailbox/{m.id}"))
    # Overdue with nobody to ask: the handling unit hears of it.
    assert _sweep(demo, datetime(2026, 11, 24, 10, 1), m) == [("reply_review_waiting", "sc_officer", 0)]
    # The admin gives 上城区 a head again: the next sweep asks him (and reminds him: it has waited long).
    db.session.add(RoleAssignment(user_id=user("sc_head").id, unit_id=unit("sc-office").id, role=roles.DEPT_HEAD))
    db.session.commit()
    assert _sweep(demo, datetime(2026, 11, 24, 11, 0), m) == [("reply_review_waiting", "sc_head", 0)]
    assert _steps(m)[0][4] == ["sc_head"] and _inbox("sc_head", "【待审核答复】无人审核的答复")
    assert "已同意" in text_of(approve_over_http(login_as("sc_head"), demo, m))


def test_r80_the_reply_step_sweep_is_set_based(consult, login_as, demo, app):
    from intranet.reminders.engine import SweepContext, _QueryCounter, working_calendar
    from plugins.mailbox.deadline_sweep import sweep_waiting_reply_steps

    def count():
        ctx = SweepContext(now=datetime(2026, 11, 30, 10), calendar=working_calendar(), app=demo)
        with _QueryCounter(db.engine) as counter:
            notices = sweep_waiting_reply_steps(ctx)
        return len(notices), counter.count

    def waiting(subject):
        set_now(app, TEST_NOW)
        m = _received(consult, TEST_NOW, subject)
        assign_over_http(login_as("officer"), demo, m, "sc-office")
        reply_over_http(login_as("sc_officer"), demo, m, REPLY)

    waiting("等待一")
    base = count()
    for i in range(4):
        waiting(f"等待{i + 2}")
    more = count()
    demo_waiting = base[0] - 1
    assert (base[0], more[0]) == (demo_waiting + 1, demo_waiting + 5) and more[1] == base[1] <= 3


# -- two reviewers at once (R-34) ---------------------------------------------------

def _line_up(monkeypatch, parties=2):
    barrier = threading.Barrier(parties, timeout=10)
    real = audit.record

    def record(action, *args, **kwargs):
        if action == "mailbox_reply_decided":
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return real(action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", record)


@pytest.mark.parametrize("decisions", [("approve", "approve"), ("return", "approve")])
def test_r71_r34_two_reviewers_deciding_one_step_at_once_record_one_decision(decisions, consult, login_as, demo,
                                                                              monkeypatch):
    # 上城区 has a second 科室负责人: both are asked at the first step.
    db.session.add(RoleAssignment(user_id=user("sc_proof").id, unit_id=unit("sc-office").id, role=roles.DEPT_HEAD))
    db.session.commit()
    m = _received(consult, TEST_NOW, "两位科长同时审核")
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    reply_over_http(login_as("sc_officer"), demo, m, REPLY)
    step = _fresh(m).replies[-1].steps[0]
    assert sorted(c.user.username for c in step.candidates) == ["sc_head", "sc_proof"]
    step_id = step.id
    clients = {}
    for name in ("sc_head", "sc_proof"):
        c = demo.test_client()
        assert login(c, name).status_code == 302
        clients[name] = c
    _line_up(monkeypatch)
    url = prefix(demo) + f"/mailbox/{m.id}/review"
    results, errors = {}, []

    def go(name, decision):
        try:
            results[name] = clients[name].post(url, data={"decision": decision, "comment": "意见",
                                                          "step_id": step_id}, follow_redirects=True)
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(name, d)) for name, d in zip(("sc_head", "sc_proof"), decisions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors

    db.session.expire_all()
    decided = db.session.get(ReplyStep, step_id)
    winner = decided.decided_by.username
    loser = "sc_proof" if winner == "sc_head" else "sc_head"
    assert "刚刚已由他人处理" in text_of(results[loser])
    assert "刚刚已由他人处理" not in text_of(results[winner])
    n = db.session.execute(db.select(db.func.count(AuditEntry.id))
                           .filter_by(action="mailbox_reply_decided")).scalar()
    assert n == 1
    m = _fresh(m)
    if decided.status == "approved":
        assert m.status == IN_REVIEW and _steps(m)[1][2:] == ("open", None, ["leader"])
        assert len(_inbox("leader", "【待审核答复】两位科长同时审核")) == 1
    else:
        assert decided.status == "returned" and m.status == ASSIGNED
        assert [s[2] for s in _steps(m)] == ["returned", "cancelled"]
    # The loser's page is stale now: sending it again decides nothing.
    again = clients[loser].post(url, data={"decision": "approve", "comment": "", "step_id": step_id},
                                follow_redirects=True)
    assert "已处理" in text_of(again) or "没有待审核的答复" in text_of(again)
    assert db.session.execute(db.select(db.func.count(AuditEntry.id))
                              .filter_by(action="mailbox_reply_decided")).scalar() == 1
    assert audit.verify() is None


# -- hand-over (R-03) ---------------------------------------------------------------

def test_r71_r03_a_waiting_reply_step_goes_to_the_successor(consult, login_as, demo):
    from intranet.org.handover import hand_over
    m = _received(consult, TEST_NOW, "交接中的答复")
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    reply_over_http(login_as("sc_officer"), demo, m, REPLY)
    successor = User(username="sc_head2", name="新科长（上城）", email="sc_head2@example.gov.cn", password_hash="x",
                     password_changed_at=TEST_NOW)
    db.session.add(successor)
    db.session.flush()
    moved = hand_over(user("sc_head"), successor, user("admin"))
    db.session.commit()
    assert "待审核答复1个" in moved
    assert _steps(m)[0][4] == ["sc_head2"]
    assert _inbox("sc_head2", "【待审核答复】交接中的答复")


# -- the demo ---------------------------------------------------------------------------

def test_r71_demo_replies_went_through_the_chain(consult):
    by_code = {m.query_code: m for m in db.session.execute(db.select(Message)).scalars()}
    waiting = by_code["DEMQREVW2345"]
    assert waiting.status == IN_REVIEW
    assert _steps(waiting) == [("科室负责人审核", "sc-office", "approved", "sc_head", ["sc_head"]),
                               ("局领导审核", "hz-office", "open", None, ["leader"])]
    answered = by_code["DEMQANSW2345"]
    assert [s[3] for s in _steps(answered)] == ["sc_head", "leader"]
    assert answered.replied_at == answered.replies[-1].steps[-1].decided_at
