"""Review decisions through the API follow the web's rules (review.engine):
four-eyes (R-34), only the step's candidates decide, on the revision they
reviewed, once; returning needs a comment and sends the item back."""
from intranet.extensions import db
from intranet.review.models import ReviewStep

from .conftest import ApiClient, body, make_token
from .test_flow import CHAIN, approve, my_step_for, push_document, submit


def _submitted(api_as):
    oa, created = push_document(api_as)
    assert submit(oa, created["id"]).status_code == 200
    return oa, created["id"]


def _open_step(item_id):
    db.session.expire_all()
    return db.session.execute(db.select(ReviewStep).filter_by(item_id=item_id, status="open")).scalar_one()


def test_r34_four_eyes_the_author_cannot_decide(demo, api_as):
    oa, item_id = _submitted(api_as)
    step = _open_step(item_id)
    resp = oa.post(f"/review/steps/{step.id}/decide", json={"decision": "approve", "revision_no": step.run.revision_no})
    assert resp.status_code == 403 and body(resp)["code"] == "four_eyes"
    assert _open_step(item_id).id == step.id  # still open, nothing recorded


def test_r34_four_eyes_whoever_saved_a_revision_cannot_decide(demo, api_as):
    """The liaison edits the officer's document in review: the chain restarts and
    the liaison, now an author of it, may not decide any step."""
    from intranet.org import roles
    from intranet.org.models import RoleAssignment, Unit
    oa, item_id = _submitted(api_as)
    unit = db.session.execute(db.select(Unit).filter_by(code="hz-office")).scalar_one()
    liaison = api_as("liaison")
    # the liaison is also a proof-reader, so the first step would be theirs -- but not for this item
    db.session.add(RoleAssignment(user_id=body(liaison.get("/me"))["id"], unit_id=unit.id, role=roles.PROOFREADER))
    db.session.commit()
    resp = liaison.patch(f"/items/{item_id}", json={"source": "市领导小组办公室（联络员补充）"})
    assert resp.status_code == 200
    step = _open_step(item_id)
    assert "liaison" not in [c.user.username for c in step.candidates]
    resp = liaison.post(f"/review/steps/{step.id}/decide",
                        json={"decision": "approve", "revision_no": step.run.revision_no})
    assert resp.status_code == 403 and body(resp)["code"] == "four_eyes"


def test_only_the_steps_candidates_decide(demo, api_as):
    _oa, item_id = _submitted(api_as)
    step = _open_step(item_id)
    leader = api_as("leader")
    assert my_step_for(leader, item_id) is None  # not in the leader's list
    resp = leader.post(f"/review/steps/{step.id}/decide", json={"decision": "approve",
                                                                "revision_no": step.run.revision_no})
    assert resp.status_code == 403 and body(resp)["code"] == "not_your_step"
    proof = api_as("proof1")
    task = my_step_for(proof, item_id)
    assert task["step"]["id"] == step.id and task["is_publish_step"] is False
    assert body(proof.get(f"/review/steps/{step.id}"))["step"]["status"] == "open"


def test_decision_on_a_stale_revision_is_refused(demo, api_as):
    oa, item_id = _submitted(api_as)
    step = _open_step(item_id)
    old = step.run.revision_no
    oa.patch(f"/items/{item_id}", json={"topic": "安全管理"})  # a new revision: the chain restarts
    resp = api_as("proof1").post(f"/review/steps/{step.id}/decide", json={"decision": "approve", "revision_no": old})
    assert resp.status_code == 409 and body(resp)["code"] == "stale_revision"
    new = _open_step(item_id)
    resp = api_as("proof1").post(f"/review/steps/{new.id}/decide", json={"decision": "approve", "revision_no": old})
    assert resp.status_code == 409 and body(resp)["code"] == "stale_revision"


def test_a_step_is_decided_once(demo, api_as):
    _oa, item_id = _submitted(api_as)
    step = _open_step(item_id)
    proof1, proof2 = api_as("proof1"), api_as("proof2")
    payload = {"decision": "approve", "revision_no": step.run.revision_no}
    assert proof1.post(f"/review/steps/{step.id}/decide", json=payload).status_code == 200
    resp = proof2.post(f"/review/steps/{step.id}/decide", json=payload)
    assert resp.status_code in (403, 409)
    assert body(resp)["code"] in ("already_decided", "not_your_step")
    resp = proof1.post(f"/review/steps/{step.id}/decide", json=payload)
    assert resp.status_code == 409 and body(resp)["code"] == "already_decided"


def test_return_needs_a_comment_and_sends_the_item_back(demo, api_as):
    oa, item_id = _submitted(api_as)
    approve(api_as("proof1"), item_id)
    step = _open_step(item_id)
    proof2 = api_as("proof2")
    resp = proof2.post(f"/review/steps/{step.id}/decide", json={"decision": "return", "revision_no": step.run.revision_no})
    assert resp.status_code == 422 and "comment" in body(resp)["fields"]
    resp = proof2.post(f"/review/steps/{step.id}/decide",
                       json={"decision": "return", "comment": "第二段请补充适用范围。", "revision_no": step.run.revision_no})
    assert resp.status_code == 200 and body(resp)["item"]["status"] == "returned"
    item = body(oa.get(f"/items/{item_id}"))
    assert item["status"] == "returned"
    returned = [s for s in item["review"]["steps"] if s["status"] == "returned"][0]
    assert returned["comment"] == "第二段请补充适用范围。" and returned["decided_by"]["username"] == "proof2"
    # corrected and submitted again: a new run
    oa.patch(f"/items/{item_id}", json={"body": item["body"] + "<p>本规定适用于全市社区青少年俱乐部。</p>"})
    assert submit(oa, item_id).status_code == 200


def test_reject_ends_the_run(demo, api_as):
    _oa, item_id = _submitted(api_as)
    step = _open_step(item_id)
    resp = api_as("proof1").post(f"/review/steps/{step.id}/decide",
                                 json={"decision": "reject", "comment": "内容不宜公开。", "revision_no": step.run.revision_no})
    assert body(resp)["item"]["status"] == "rejected"


def test_read_token_cannot_decide_and_strangers_do_not_see_steps(demo, api_as):
    _oa, item_id = _submitted(api_as)
    step = _open_step(item_id)
    reader = ApiClient(demo, make_token("proof1", scope="read"))
    assert my_step_for(reader, item_id) is not None  # reading is fine
    resp = reader.post(f"/review/steps/{step.id}/decide", json={"decision": "approve",
                                                                "revision_no": step.run.revision_no})
    assert resp.status_code == 403 and body(resp)["code"] == "insufficient_scope"
    stranger = api_as("hubin_officer")
    assert stranger.get(f"/review/steps/{step.id}").status_code == 404


def test_whole_chain_then_publish_step_checks_content_again(demo, api_as):
    """A word added to the lexicon after submission: the webmaster must acknowledge it to publish (R-50)."""
    from intranet.checks.service import save_word
    from .conftest import user
    oa, item_id = _submitted(api_as)
    for who in CHAIN[:-1]:
        assert approve(api_as(who), item_id).status_code == 200
    save_word(None, user("admin"), word="安全管理规定", category="nonstandard", severity="warn",
              suggestion="安全管理办法", enabled=True, site_id=None)
    db.session.commit()
    webmaster = api_as("webmaster")
    task = my_step_for(webmaster, item_id)
    assert task["is_publish_step"] is True
    resp = webmaster.post(f"/review/steps/{task['step']['id']}/decide",
                          json={"decision": "approve", "revision_no": task["step"]["run_revision_no"]})
    assert resp.status_code == 409 and body(resp)["code"] == "checks_need_acknowledgement"
    assert body(oa.get(f"/items/{item_id}"))["status"] == "in_review"
    keys = [f["key"] for f in body(resp)["findings"]]
    resp = webmaster.post(f"/review/steps/{task['step']['id']}/decide",
                          json={"decision": "approve", "revision_no": task["step"]["run_revision_no"],
                                "acknowledge": keys})
    assert resp.status_code == 200 and body(resp)["item"]["status"] == "published"
