"""The public mailbox (R-70..R-73) over HTTP: the public form with its captcha
and rate limit, the query code, assignment and transfer within 3 working days,
the reply within 5 (late replies recorded late), the head's approval, the
masked publication, private messages never public, internal notes never
shown, the dashboard's ages."""
import html
import io
import re
from datetime import datetime, timedelta

import pytest
from flask import current_app

from intranet.clock import set_now
from intranet.extensions import db
from intranet.items.models import DRAFT, Item
from plugins.mailbox import service
from plugins.mailbox.models import ANSWERED, ASSIGNED, IN_REVIEW, RECEIVED, Message
from plugins.mailbox.privacy import mask_name, mask_text

from ..conftest import TEST_NOW, prefix, text_of
from .helpers import PDF_BYTES, column, unit

WORDS = {"加": lambda a, b: a + b, "减": lambda a, b: a - b, "乘以": lambda a, b: a * b}
SAMPLE = {"name": "王小明", "contact": "13912345678", "subject": "暑期活动券怎么领取",
          "text": "请问暑期快乐活动券什么时候领取？需要带什么材料？我的电话13912345678。"}


# -- helpers (also used by the contract test) ------------------------------

def solve(page_html):
    question = re.search(r'id="captcha-question">(\d+) (加|减|乘以) (\d+) 等于几？<', page_html)
    assert question, "no captcha question on the page"
    a, op, b = question.groups()
    token = re.search(r'name="captcha_token" type="hidden" value="([^"]+)"', page_html).group(1)
    return str(WORDS[op](int(a), int(b))), token


def write_over_http(client, col, data, answer=None, address="198.51.100.7", files=None):
    page = client.get(f"/s/youth/c/{col.slug}/write", environ_base={"REMOTE_ADDR": address})
    assert page.status_code == 200
    right, token = solve(page.get_data(as_text=True))
    form = {**data, "captcha_answer": right if answer is None else answer, "captcha_token": token}
    if files:
        form.update(files)
    return client.post(f"/s/youth/c/{col.slug}/write", data=form, environ_base={"REMOTE_ADDR": address},
                       content_type="multipart/form-data")


def query_code(resp):
    return re.search(r'id="query-code">([A-Z0-9-]+)<', resp.get_data(as_text=True)).group(1)


def assign_over_http(client, app, message, unit_code, note=""):
    resp = client.post(prefix(app) + f"/mailbox/{message.id}/route",
                       data={"unit_id": unit(unit_code).id, "note": note}, follow_redirects=True)
    assert resp.status_code == 200, text_of(resp)[:500]
    return resp


def reply_over_http(client, app, message, text, publish=True):
    data = {"text": text}
    if publish:
        data["publish"] = "y"
    return client.post(prefix(app) + f"/mailbox/{message.id}/reply", data=data, follow_redirects=True)


def approve_over_http(client, app, message, decision="approve", comment=""):
    return client.post(prefix(app) + f"/mailbox/{message.id}/review",
                       data={"decision": decision, "comment": comment}, follow_redirects=True)


# The demo consult column's default reply review chain for a message handled by
# 上城区: its 科室负责人, then 局领导 (the 分管领导 of its parent unit, 市办).
CHAIN = ("sc_head", "leader")


def approve_chain_over_http(login_as, app, message, people=CHAIN, comment=""):
    """Every step of the reply's review chain approves; returns the last page."""
    resp = None
    for who in people:
        resp = approve_over_http(login_as(who), app, message, comment=comment)
        assert "答复已" in text_of(resp) or "已同意" in text_of(resp), (who, text_of(resp)[-600:])
    return resp


def _message(subject):
    return db.session.execute(db.select(Message).filter_by(subject=subject)).scalar_one()


@pytest.fixture
def consult(demo):
    return column("consult")


def _received(col, at, subject="测试留言", private=False, name="张三", contact="13812345678", text=None):
    """A message received at a given time (tests about deadlines)."""
    set_now(current_app._get_current_object(), at)
    m = service.receive_message(col, name=name, contact=contact, subject=subject,
                                text=text or "请问俱乐部周末开放吗？电话13812345678。", wants_privacy=private,
                                address="203.0.113.5")
    db.session.commit()
    return m


# -- the public form -----------------------------------------------------

def test_r70_public_form_gives_a_query_code_and_the_lookup_shows_the_status(consult, client):
    resp = write_over_http(client, consult, SAMPLE)
    assert resp.status_code == 200
    code = query_code(resp)
    message = _message(SAMPLE["subject"])
    assert message.query_code == code.replace("-", "") and message.status == RECEIVED
    assert message.unit_id == consult.unit_id and message.sender_address == "198.51.100.7"
    # Reply due: TEST_NOW is Mon 2026-11-23 -> 5 working days -> Mon 11-30.
    assert "2026-11-30" in text_of(resp)
    lookup = client.post(f"/s/youth/c/{consult.slug}/query", data={"code": code.lower()})
    assert "已收到，正在办理" in text_of(lookup) and "什么时候领取" in text_of(lookup)
    wrong = client.post(f"/s/youth/c/{consult.slug}/query", data={"code": "ABCD-EFGH-JKLM"})
    assert "查询码不正确" in text_of(wrong) and "什么时候领取" not in text_of(wrong)


def test_r70_missing_fields_are_named_and_what_was_typed_stays(consult, client):
    resp = write_over_http(client, consult, {**SAMPLE, "text": ""})
    body = html.unescape(resp.get_data(as_text=True))
    assert "请填写留言内容" in body
    assert 'value="王小明"' in body and 'value="暑期活动券怎么领取"' in body
    assert db.session.execute(db.select(Message).filter_by(subject=SAMPLE["subject"])).scalar() is None


def test_r70_captcha_refusal_keeps_what_was_typed(consult, client):
    resp = write_over_http(client, consult, SAMPLE, answer="99999")
    body = html.unescape(resp.get_data(as_text=True))
    assert "验证问题回答错误" in body
    assert 'value="王小明"' in body and 'value="13912345678"' in body and 'value="暑期活动券怎么领取"' in body
    assert "什么时候领取？需要带什么材料？" in body       # the textarea
    assert re.search(r'id="captcha_answer" name="captcha_answer" value=""', body)  # a new question, no answer
    assert db.session.execute(db.select(Message).filter_by(subject=SAMPLE["subject"])).scalar() is None
    # The new question, answered, goes through.
    right, token = solve(body)
    ok = client.post(f"/s/youth/c/{consult.slug}/write", data={**SAMPLE, "captcha_answer": right,
                                                               "captcha_token": token})
    assert "查询码" in text_of(ok)


def test_r70_a_solved_captcha_sends_one_message_only(consult, client):
    page = client.get(f"/s/youth/c/{consult.slug}/write").get_data(as_text=True)
    right, token = solve(page)
    form = {**SAMPLE, "captcha_answer": right, "captcha_token": token}
    assert "查询码" in text_of(client.post(f"/s/youth/c/{consult.slug}/write", data=form))
    again = client.post(f"/s/youth/c/{consult.slug}/write", data=form)
    assert "该验证问题已使用过" in text_of(again)
    assert db.session.execute(db.select(db.func.count(Message.id)).filter_by(subject=SAMPLE["subject"])).scalar() == 1


def test_r70_captcha_expires_after_thirty_minutes(consult, client, app):
    page = client.get(f"/s/youth/c/{consult.slug}/write").get_data(as_text=True)
    right, token = solve(page)
    set_now(app, TEST_NOW + timedelta(minutes=31))
    resp = client.post(f"/s/youth/c/{consult.slug}/write", data={**SAMPLE, "captcha_answer": right,
                                                                 "captcha_token": token})
    assert "验证码已过期" in text_of(resp)
    forged = client.post(f"/s/youth/c/{consult.slug}/write", data={**SAMPLE, "captcha_answer": "3",
                                                                   "captcha_token": "forged.token"})
    assert "验证码无效" in text_of(forged)


def test_r70_rate_limit_per_address(make_app):
    app = make_app(LANMU_MAILBOX_MAX_PER_HOUR=2, LANMU_MAILBOX_MAX_PER_DAY=3)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        consult = column("consult")
        client = app.test_client()
        for i in range(2):
            assert "查询码" in text_of(write_over_http(client, consult, {**SAMPLE, "subject": f"第{i}封"}))
        refused = write_over_http(client, consult, {**SAMPLE, "subject": "第三封"})
        assert refused.status_code == 429
        body = html.unescape(refused.get_data(as_text=True))
        assert "提交过于频繁" in body and "每小时最多提交2封" in body and 'value="第三封"' in body
        assert db.session.execute(db.select(Message).filter_by(subject="第三封")).scalar() is None
        # Another address is not affected.
        other = write_over_http(client, consult, {**SAMPLE, "subject": "别处来信"}, address="198.51.100.99")
        assert "查询码" in text_of(other)
        # An hour later, one more from the first address; then the daily limit.
        set_now(app, TEST_NOW + timedelta(hours=1, minutes=1))
        assert "查询码" in text_of(write_over_http(client, consult, {**SAMPLE, "subject": "一小时后"}))
        day = write_over_http(client, consult, {**SAMPLE, "subject": "当天第四封"})
        set_now(app, TEST_NOW + timedelta(hours=3))
        day = write_over_http(client, consult, {**SAMPLE, "subject": "当天第四封"})
        assert day.status_code == 429 and "每天最多提交3封" in text_of(day)


def test_r70_optional_attachment_is_checked_and_kept_from_the_public(consult, client, login_as, demo):
    bad = write_over_http(client, consult, SAMPLE, files={"attachment": (io.BytesIO(b"MZ\x90\x00"), "a.exe")})
    assert "附件未能上传" in text_of(bad) and 'value="王小明"' in html.unescape(bad.get_data(as_text=True))
    ok = write_over_http(client, consult, SAMPLE, files={"attachment": (io.BytesIO(PDF_BYTES), "照片说明.pdf")})
    assert "查询码" in text_of(ok)
    message = _message(SAMPLE["subject"])
    assert message.attachment_filename == "照片说明.pdf"
    staff = login_as("officer")
    download = staff.get(prefix(demo) + f"/mailbox/{message.id}/attachment")
    assert download.status_code == 200 and download.data == PDF_BYTES


# -- assignment, transfer, reply, review ---------------------------------

def test_r71_from_the_public_form_to_the_published_reply(consult, client, login_as, demo):
    code = query_code(write_over_http(client, consult, SAMPLE))
    message = _message(SAMPLE["subject"])

    officer = login_as("officer")  # the mailbox's unit: dispatches
    page = officer.get(prefix(demo) + "/mailbox/")
    assert SAMPLE["subject"] in text_of(page) and "待分办" in text_of(page)
    assign_over_http(officer, demo, message, "sc-office", "请上城区答复")
    db.session.refresh(message)
    assert message.status == ASSIGNED and message.unit.code == "sc-office" and message.transfer_late is False

    # The handling unit's officer drafts the reply; it waits for the head.
    sc_officer = login_as("sc_officer")
    resp = reply_over_http(sc_officer, demo, message, "您好！暑期快乐活动券7月1日起在各区办领取，请携带户口簿。")
    assert "已提交科室负责人审核" in text_of(resp)
    db.session.refresh(message)
    assert message.status == IN_REVIEW
    lookup = client.post(f"/s/youth/c/{consult.slug}/query", data={"code": code})
    assert "正在办理" in text_of(lookup) and "户口簿" not in text_of(lookup)  # not given before approval
    assert "户口簿" not in text_of(client.get(f"/s/youth/c/{consult.slug}/"))

    # The author may not approve (four-eyes); the head does, then 局领导.
    refused = approve_over_http(sc_officer, demo, message)
    assert "不能审核自己起草的答复" in text_of(refused) and _message(SAMPLE["subject"]).status == IN_REVIEW
    resp = approve_over_http(login_as("sc_head"), demo, message, comment="同意")
    assert "已同意（科室负责人审核），答复已提交局领导审核" in text_of(resp)
    db.session.refresh(message)
    assert message.status == IN_REVIEW and not message.is_public
    assert "户口簿" not in text_of(client.post(f"/s/youth/c/{consult.slug}/query", data={"code": code}))
    resp = approve_over_http(login_as("leader"), demo, message, comment="同意")
    assert "答复已审核通过" in text_of(resp) and "已公开" in text_of(resp)
    db.session.refresh(message)
    assert message.status == ANSWERED and message.reply_late is False and message.is_public
    assert message.replied_at == TEST_NOW and message.reply_due_date.isoformat() == "2026-11-30"

    # The sender sees the reply; the public sees question and reply, masked.
    lookup = client.post(f"/s/youth/c/{consult.slug}/query", data={"code": code})
    assert "已答复" in text_of(lookup) and "户口簿" in text_of(lookup)
    listing = client.get(f"/s/youth/c/{consult.slug}/")
    assert SAMPLE["subject"] in text_of(listing) and "王**" in text_of(listing) and "王小明" not in text_of(listing)
    detail = client.get(f"/s/youth/c/{consult.slug}/m/{message.id}.html")
    page = text_of(detail)
    assert "户口簿" in page and "139****5678" in page
    assert "13912345678" not in page and "王小明" not in page
    # The site's search finds the published question and answer, linking to it (masked there too).
    found = client.get("/s/youth/search?q=户口簿 活动券").get_data(as_text=True)
    assert f"/s/youth/c/{consult.slug}/m/{message.id}.html" in found.split('id="extra-results"')[1]
    assert "王小明" not in found and "13912345678" not in found


def test_r71_transfer_within_three_working_days_on_time_and_late(consult, login_as, demo, app):
    # Received Tue 2026-09-29: transfer due Fri 10-09 (09-30, 10-08, 10-09).
    on_time = _received(consult, datetime(2026, 9, 29, 10, 0), "准时转办")
    late = _received(consult, datetime(2026, 9, 29, 11, 0), "逾期转办")
    officer = login_as("officer")
    set_now(app, datetime(2026, 9, 30, 9, 0))
    assign_over_http(officer, demo, on_time, "xh-office")
    assign_over_http(officer, demo, late, "xh-office")
    xh = login_as("xh_officer")
    set_now(app, datetime(2026, 10, 9, 17, 0))
    resp = assign_over_http(xh, demo, on_time, "sc-office", "属上城区职责")
    assert "已转办至" in text_of(resp) and "记为逾期" not in text_of(resp)
    set_now(app, datetime(2026, 10, 10, 9, 0))  # the make-up Saturday after the due day
    resp = assign_over_http(xh, demo, late, "sc-office", "属上城区职责")
    assert "记为逾期" in text_of(resp)
    db.session.refresh(on_time)
    db.session.refresh(late)
    assert on_time.transfer_late is False and late.transfer_late is True
    assert [e.late for e in late.events if e.action == "transferred"] == [True]
    assert on_time.unit.code == "sc-office"
    # The transferring unit no longer handles it.
    resp = xh.post(prefix(demo) + f"/mailbox/{on_time.id}/reply", data={"text": "这是答复内容，已经很长了。"})
    assert resp.status_code == 403 and _message("准时转办").pending_reply is None


def test_r71_a_received_message_past_its_transfer_deadline_is_flagged(consult, login_as, demo, app):
    _received(consult, datetime(2026, 9, 29, 10, 0), "久未分办")
    set_now(app, datetime(2026, 10, 10, 9, 0))
    page = login_as("officer").get(prefix(demo) + "/mailbox/")
    row = re.search(r"久未分办.*?</tr>", page.get_data(as_text=True), re.S).group(0)
    assert "2026-10-09" in row and "超期" in row       # transfer due 10-09, now 10-10
    assert "2026-10-12" in row                           # reply due: 5 working days


def test_r71_late_reply_is_recorded_as_late(consult, login_as, demo, app):
    # Received Tue 2026-09-29 10:00: reply due Mon 10-12 (09-30, 10-08, 10-09, Sat 10-10, 10-12).
    on_time = _received(consult, datetime(2026, 9, 29, 10, 0), "按时答复的留言")
    late = _received(consult, datetime(2026, 9, 29, 10, 5), "逾期答复的留言")
    officer = login_as("officer")
    for m in (on_time, late):
        assign_over_http(officer, demo, m, "sc-office")
    sc_officer = login_as("sc_officer")
    for m in (on_time, late):
        reply_over_http(sc_officer, demo, m, "您好，周末上午九点到十一点开放。")
    set_now(app, datetime(2026, 10, 12, 22, 0))
    approve_chain_over_http(login_as, demo, on_time)
    approve_over_http(login_as("sc_head"), demo, late)
    set_now(app, datetime(2026, 10, 13, 8, 30))
    resp = approve_over_http(login_as("leader"), demo, late)
    assert "已记为逾期答复" in text_of(resp)
    head = login_as("sc_head")
    db.session.refresh(on_time)
    db.session.refresh(late)
    assert (on_time.reply_late, late.reply_late) == (False, True)
    assert late.reply_due_date.isoformat() == "2026-10-12"
    assert [e.late for e in late.events if e.action == "reply_approved"] == [True]
    page = head.get(prefix(demo) + f"/mailbox/{late.id}")
    assert 'id="reply-late"' in page.get_data(as_text=True)
    metrics = service.column_metrics(consult)
    assert metrics["answered_late"] >= 1 and metrics["answered_on_time"] >= 1


def test_r71_reply_review_is_four_eyes_and_can_be_returned(consult, login_as, demo):
    m = _received(consult, TEST_NOW, "四眼原则")
    assign_over_http(login_as("officer"), demo, m, "hz-office")
    head = login_as("head")  # the head of hz-office drafts the reply himself ...
    reply_over_http(head, demo, m, "您好，这是科长亲自起草的答复。")
    resp = approve_over_http(head, demo, m)
    assert "不能审核自己起草的答复" in text_of(resp)
    db.session.refresh(m)
    assert m.status == IN_REVIEW
    # ... so another approver (the leader of the unit) decides; returning needs a comment.
    leader = login_as("leader")
    assert "请填写修改意见" in text_of(approve_over_http(leader, demo, m, "return", ""))
    resp = approve_over_http(leader, demo, m, "return", "请补充开放时间")
    assert "已退回修改" in text_of(resp)
    db.session.refresh(m)
    assert m.status == ASSIGNED and m.replies[-1].review_comment == "请补充开放时间"


def test_r71_only_the_handling_unit_replies(consult, login_as, demo):
    m = _received(consult, TEST_NOW, "归上城区办理")
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    xh = login_as("xh_officer")
    assert xh.get(prefix(demo) + f"/mailbox/{m.id}").status_code == 403
    assert xh.post(prefix(demo) + f"/mailbox/{m.id}/reply", data={"text": "不是我们的答复内容"}).status_code == 403
    assert _message("归上城区办理").replies == []


def test_r71_escalation_is_marked_within_five_working_days(consult, login_as, demo, app):
    m = _received(consult, datetime(2026, 9, 29, 10, 0), "需请示的留言")
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    set_now(app, datetime(2026, 10, 13, 9, 0))  # escalation due 10-12
    resp = login_as("sc_officer").post(prefix(demo) + f"/mailbox/{m.id}/escalate",
                                       data={"note": "涉及市级政策，需请示市办"}, follow_redirects=True)
    assert "已标记为需逐级请示" in text_of(resp)
    db.session.refresh(m)
    assert m.escalated_at == datetime(2026, 10, 13, 9, 0) and m.escalation_late is True


def test_r71_r61_deadlines_in_a_year_without_data_are_provisional(consult, login_as, demo, app):
    m = _received(consult, datetime(2027, 6, 1, 10, 0), "明年的留言")
    set_now(app, TEST_NOW)  # (the demo passwords would have expired by June 2027)
    d = service.message_deadlines(m)
    assert d.reply.date.isoformat() == "2027-06-08" and d.provisional
    page = login_as("officer").get(prefix(demo) + f"/mailbox/{m.id}")
    assert page.status_code == 200 and "暂定" in text_of(page)


def test_r71_sla_queries_for_the_reminders_sweep(consult, app):
    received = _received(consult, datetime(2026, 9, 29, 10, 0), "待分办留言")
    set_now(app, datetime(2026, 10, 9, 12, 0))
    pairs = [(m.subject, d.kind, d.due_at) for m, d in service.open_message_duties() if m.id == received.id]
    assert pairs == [("待分办留言", "message_transfer", datetime(2026, 10, 9, 23, 59, 59)),
                     ("待分办留言", "message_reply", datetime(2026, 10, 12, 23, 59, 59)),
                     ("待分办留言", "message_veto", datetime(2026, 12, 29, 23, 59, 59))]
    assert received.id not in [m.id for m, _ in service.overdue_messages()]
    set_now(app, datetime(2026, 10, 10, 0, 0, 1))
    overdue = {m.id: [d.kind for d in duties] for m, duties in service.overdue_messages()}
    assert overdue[received.id] == ["message_transfer"]


# -- publication, privacy, notes, FAQ -------------------------------------

def test_r72_private_messages_never_appear_publicly(consult, client, login_as, demo):
    resp = write_over_http(client, consult, {**SAMPLE, "subject": "隐私来信", "privacy": "y"})
    code = query_code(resp)
    assert "不会在网站上公开" in text_of(resp)
    m = _message("隐私来信")
    assert m.wants_privacy
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    page = login_as("sc_officer").get(prefix(demo) + f"/mailbox/{m.id}")
    assert 'name="publish"' not in page.get_data(as_text=True)
    # Even a forged "publish" in the form is ignored for a private message.
    reply_over_http(login_as("sc_officer"), demo, m, "您好，您反映的情况已核实处理。", publish=True)
    approve_chain_over_http(login_as, demo, m)
    db.session.refresh(m)
    assert m.status == ANSWERED and not m.is_public
    refused = login_as("officer").post(prefix(demo) + f"/mailbox/{m.id}/publish", follow_redirects=True)
    assert "来信人要求不公开" in text_of(refused)
    db.session.refresh(m)
    assert not m.is_public
    with pytest.raises(service.MailboxError):
        service.publish_message(m)
    # Even if the flag were set by mistake, the public pages never show it.
    m.is_public, m.public_subject = True, "隐私来信"
    db.session.commit()
    assert "隐私来信" not in text_of(client.get(f"/s/youth/c/{consult.slug}/"))
    assert client.get(f"/s/youth/c/{consult.slug}/m/{m.id}.html").status_code == 404
    assert "隐私来信" not in text_of(client.get("/s/youth/"))
    searched = client.get("/s/youth/search?q=隐私来信").get_data(as_text=True)
    assert 'id="extra-results"' not in searched and f"/m/{m.id}.html" not in searched
    # The sender still gets the reply with the query code.
    assert "已核实处理" in text_of(client.post(f"/s/youth/c/{consult.slug}/query", data={"code": code}))


def test_r72_internal_notes_are_never_shown_to_the_sender_or_the_public(consult, client, login_as, demo):
    code = query_code(write_over_http(client, consult, SAMPLE))
    m = _message(SAMPLE["subject"])
    officer = login_as("officer")
    officer.post(prefix(demo) + f"/mailbox/{m.id}/notes", data={"text": "内部：此人多次来信，注意口径"})
    assert "此人多次来信" in text_of(officer.get(prefix(demo) + f"/mailbox/{m.id}"))
    assign_over_http(officer, demo, m, "sc-office", "内部分办说明不公开")
    reply_over_http(login_as("sc_officer"), demo, m, "您好！活动券7月1日起领取。")
    approve_chain_over_http(login_as, demo, m)
    for page in (client.post(f"/s/youth/c/{consult.slug}/query", data={"code": code}),
                 client.get(f"/s/youth/c/{consult.slug}/m/{m.id}.html"), client.get(f"/s/youth/c/{consult.slug}/")):
        assert page.status_code == 200
        assert "此人多次来信" not in text_of(page) and "内部分办说明" not in text_of(page)


def test_r72_unpublish_and_promote_to_faq(consult, client, login_as, demo):
    write_over_http(client, consult, SAMPLE)
    m = _message(SAMPLE["subject"])
    officer = login_as("officer")
    assign_over_http(officer, demo, m, "sc-office")
    reply_over_http(login_as("sc_officer"), demo, m, "您好！活动券7月1日起领取。")
    approve_chain_over_http(login_as, demo, m)
    officer = login_as("officer")
    faq = column("faq")
    resp = officer.post(prefix(demo) + f"/mailbox/{m.id}/faq", data={"column_id": faq.id})
    assert resp.status_code == 302
    item = db.session.execute(db.select(Item).filter_by(column_id=faq.id, title=SAMPLE["subject"])).scalar_one()
    assert item.status == DRAFT and "活动券7月1日起领取" in item.body
    assert "13912345678" not in item.body and "139****5678" in item.body
    db.session.refresh(m)
    assert m.faq_item_id == item.id
    resp = officer.post(prefix(demo) + f"/mailbox/{m.id}/unpublish", data={"reason": "内容已过时"},
                        follow_redirects=True)
    assert "已取消公开" in text_of(resp)
    assert client.get(f"/s/youth/c/{consult.slug}/m/{m.id}.html").status_code == 404


def test_r72_masking_of_personal_data():
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧***" and mask_name("") == "匿名"
    text = "我叫张三，手机13812345678，身份证330106199001011234，邮箱zhangsan@example.cn，座机0571-88776655，卡号6222021234567890"
    masked = mask_text(text, extra=("张三", "13812345678"))
    for secret in ("张三", "13812345678", "330106199001011234", "zhangsan@", "88776655", "6222021234567890"):
        assert secret not in masked
    assert "138****5678" in masked and "33*************234" in masked and "z***@example.cn" in masked
    assert "0571-****6655" in masked and "6222********7890" in masked


# -- the age of every open message ----------------------------------------

def test_r73_dashboard_and_list_show_the_age_of_open_messages(consult, login_as, demo, app):
    old = _received(consult, datetime(2026, 8, 10, 9, 0), "三个多月前的留言")
    set_now(app, TEST_NOW)
    page = login_as("officer").get(prefix(demo) + "/")
    body = page.get_data(as_text=True)
    panel = re.search(r'id="open-messages">(.*?)</ul>', body, re.S).group(1)
    assert "三个多月前的留言" in panel and "已等待105天" in panel and "超3个月未答复" in panel
    assert [m.id for m in service.unanswered_longer_than()] == [old.id]
    listing = login_as("officer").get(prefix(demo) + "/mailbox/")
    row = re.search(r"三个多月前的留言.*?</tr>", listing.get_data(as_text=True), re.S).group(0)
    assert "105天" in row and "超3个月" in row
    # Someone with no part in the mailbox sees no panel.
    assert 'id="open-messages"' not in login_as("hubin_officer").get(prefix(demo) + "/").get_data(as_text=True)


def test_r70_demo_messages_in_every_state(consult, client):
    states = {m.query_code: m for m in db.session.execute(db.select(Message)).scalars()}
    assert {m.status for m in states.values()} >= {RECEIVED, ASSIGNED, IN_REVIEW, ANSWERED}
    assert states["DEMQLATE2345"].reply_late is True and states["DEMQANSW2345"].reply_late is False
    private = states["DEMQPRIV2345"]
    assert private.status == ANSWERED and not private.is_public
    listing = text_of(client.get(f"/s/youth/c/{consult.slug}/"))
    assert "如何申请建立社区青少年俱乐部" in listing and "反映俱乐部辅导员的问题" not in listing
    assert "13800001111" not in text_of(client.get(f"/s/youth/c/consult/m/{states['DEMQANSW2345'].id}.html"))
