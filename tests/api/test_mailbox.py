"""The public's messages through the API (R-71, R-72): assignment, transfer,
the reply and its review by the handling unit's head (never its author), with
the staff pages' permissions."""
from intranet.extensions import db
from plugins.mailbox import service
from plugins.mailbox.models import Message

from .conftest import body, column

SAMPLE = {"name": "王小明", "contact": "13912345678", "subject": "暑期活动券怎么领取",
          "text": "请问暑期快乐活动券什么时候领取？需要带什么材料？我的电话13912345678。"}


def _unit_id(code):
    from intranet.org.models import Unit
    return db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one().id


def _received(**overrides):
    message = service.receive_message(column("consult"), **{**SAMPLE, **overrides})
    db.session.commit()
    return message.id


def test_r71_assign_transfer_reply_and_head_approval(demo, api_as):
    message_id = _received()
    officer = api_as("officer")
    listed = body(officer.get("/messages?status=open&limit=100"))["data"]
    assert message_id in [m["id"] for m in listed]
    mine = [m for m in listed if m["id"] == message_id][0]
    assert mine["status"] == "received" and mine["deadlines"]["transfer"] == "2026-11-26"

    resp = officer.post(f"/messages/{message_id}/transfer", json={"unit_id": _unit_id("sc-office")})
    assert resp.status_code == 409 and body(resp)["code"] == "invalid_state"  # not assigned yet
    resp = officer.post(f"/messages/{message_id}/assign", json={"unit_id": _unit_id("hz-office"), "note": "请办理"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert body(resp)["status"] == "assigned" and body(resp)["events"][-1]["action"] == "assigned"
    resp = officer.post(f"/messages/{message_id}/transfer", json={"unit_id": _unit_id("sc-office"),
                                                                  "note": "属上城区事项"})
    assert resp.status_code == 200 and body(resp)["unit"]["code"] == "sc-office"
    assert body(resp)["events"][-1]["action"] == "transferred"

    handler = api_as("sc_officer")
    resp = handler.post(f"/messages/{message_id}/reply", json={"text": "您好，活动券将于12月1日起在各社区俱乐部发放。"})
    assert resp.status_code == 200 and body(resp)["status"] == "reply_review"
    # four-eyes: the reply's author may not approve it
    resp = handler.post(f"/messages/{message_id}/reply/review", json={"decision": "approve"})
    assert resp.status_code == 403 and body(resp)["code"] == "four_eyes"
    head = api_as("sc_head")
    resp = head.post(f"/messages/{message_id}/reply/review", json={"decision": "approve", "comment": "同意"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert body(resp)["status"] == "reply_review"  # then 局领导 (the parent unit's leader in charge)
    resp = api_as("leader").post(f"/messages/{message_id}/reply/review", json={"decision": "approve"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    out = body(resp)
    assert out["status"] == "answered" and out["reply_late"] is False and out["is_public"] is True
    assert out["replies"][0]["reviewer"]["username"] in ("sc_head", "leader")
    # answered: nothing more to route
    resp = officer.post(f"/messages/{message_id}/transfer", json={"unit_id": _unit_id("xh-office")})
    assert resp.status_code == 409


def test_reply_returned_by_the_head_needs_a_comment(demo, api_as):
    message_id = _received(subject="俱乐部开放时间")
    officer = api_as("officer")
    officer.post(f"/messages/{message_id}/assign", json={"unit_id": _unit_id("hz-office")})
    resp = officer.post(f"/messages/{message_id}/reply", json={"text": "好"})
    assert resp.status_code == 422 and "text" in body(resp)["fields"]
    officer.post(f"/messages/{message_id}/reply", json={"text": "俱乐部每周二至周日开放。", "publish": False})
    head = api_as("head")
    resp = head.post(f"/messages/{message_id}/reply/review", json={"decision": "return"})
    assert resp.status_code == 422 and "comment" in body(resp)["fields"]
    resp = head.post(f"/messages/{message_id}/reply/review", json={"decision": "return", "comment": "请写明开放时段。"})
    assert resp.status_code == 200 and body(resp)["status"] == "assigned"
    assert body(resp)["replies"][0]["status"] == "returned"


def test_other_units_and_read_tokens_are_refused(demo, api_as):
    message_id = _received(subject="活动场地")
    stranger = api_as("xh_officer")
    assert message_id not in [m["id"] for m in body(stranger.get("/messages?limit=100"))["data"]]
    assert stranger.get(f"/messages/{message_id}").status_code == 403
    resp = stranger.post(f"/messages/{message_id}/assign", json={"unit_id": _unit_id("xh-office")})
    assert resp.status_code == 403
    reader = api_as("officer", scope="read")
    resp = reader.post(f"/messages/{message_id}/assign", json={"unit_id": _unit_id("hz-office")})
    assert resp.status_code == 403 and body(resp)["code"] == "insufficient_scope"
    assert db.session.get(Message, message_id).status == "received"
    resp = api_as("officer").post(f"/messages/{message_id}/assign", json={"unit_id": 999999})
    assert resp.status_code == 422 and "unit_id" in body(resp)["fields"]
