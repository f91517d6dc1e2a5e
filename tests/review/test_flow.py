"""R-30..R-34 over HTTP as the demo roles: the full default chain (三审三校),
return and resubmit, four-eyes refusals, editing in review restarts the chain."""
from intranet.extensions import db
from intranet.items.models import IN_REVIEW, PUBLISHED, REJECTED, RETURNED
from intranet.review.models import CANCELLED, RUN_RESTARTED, ReviewRun, ReviewStep, SecrecyRecord

from ..conftest import prefix, text_of
from .conftest import as_user, candidates, create_item, decide, edit_item, item, open_step, submit


def _public(app, item_id):
    return app.test_client().get(f"/s/youth/i/{item_id}.html")


def test_r30_r31_r32_r33_full_default_chain_with_return_and_resubmit(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    resp = submit(officer, item_id)
    assert "已提交审核" in text_of(resp)
    assert item(item_id).status == IN_REVIEW
    # the first proof-read waits for the proof-readers, never for the author.
    assert candidates(item_id) == ["proof1", "proof2"]
    assert _public(demo, item_id).status_code == 404  # nothing public before the chain

    resp = decide(as_user(demo, "proof1"), item_id, "approve")
    assert "已记录审核意见" in text_of(resp)
    # Two proof-reads by two people: the second one waits for the other proof-reader.
    assert candidates(item_id) == ["proof2"]
    decide(as_user(demo, "proof2"), item_id, "approve_comment", "已核对人名和数字")
    assert candidates(item_id) == ["head"]
    head = as_user(demo, "head")
    resp = decide(head, item_id, "return", "第二段请补充活动时间和地点")
    assert item(item_id).status == RETURNED

    # The author sees the comment on the item page and in the inbox.
    page = officer.get(prefix(demo) + f"/items/{item_id}")
    assert "第二段请补充活动时间和地点" in text_of(page)
    inbox = officer.get(prefix(demo) + "/inbox/")
    assert "退回修改" in text_of(inbox) and "第二段请补充活动时间和地点" in text_of(inbox)

    edit_item(officer, item_id, body="<p>今年暑期，全市各社区青少年俱乐部将开展丰富多彩的活动。</p>"
                                     "<p>活动包括科普、体育和阅读三大类，7月10日起在各社区活动室举行。</p>")
    submit(officer, item_id)
    assert item(item_id).status == IN_REVIEW
    # The resubmission starts again from the first step.
    assert open_step(item_id).position == 1
    decide(as_user(demo, "proof1"), item_id)
    decide(as_user(demo, "proof2"), item_id)
    # the head sees what changed since the revision he returned.
    page = head.get(prefix(demo) + f"/review/items/{item_id}")
    assert "您上次审核的第" in text_of(page)
    assert "<ins>，7月10日起在各社区活动室举行</ins>" in page.get_data(as_text=True)
    decide(head, item_id, "approve")
    # the secrecy review is a step of its own, recorded separately.
    assert open_step(item_id).kind == "secrecy" and candidates(item_id) == ["secrecy"]
    decide(as_user(demo, "secrecy"), item_id, "approve_comment", "不涉及国家秘密和工作秘密")
    rec = db.session.execute(db.select(SecrecyRecord).filter_by(item_id=item_id)).scalar_one()
    assert rec.comment == "不涉及国家秘密和工作秘密" and rec.reviewer.username == "secrecy"
    assert candidates(item_id) == ["leader"]
    decide(as_user(demo, "leader"), item_id, "approve")
    assert candidates(item_id) == ["webmaster"] and open_step(item_id).kind == "publish"
    assert _public(demo, item_id).status_code == 404
    decide(as_user(demo, "webmaster"), item_id, "approve")

    it = item(item_id)
    assert it.status == PUBLISHED and it.first_published_at is not None
    assert _public(demo, item_id).status_code == 200
    runs = db.session.execute(db.select(ReviewRun).filter_by(item_id=item_id).order_by(ReviewRun.number)).scalars().all()
    assert [r.status for r in runs] == ["returned", "approved"]
    assert [s.decided_by.username for s in runs[1].steps] == ["proof1", "proof2", "head", "secrecy", "leader",
                                                              "webmaster"]


def test_r34_author_can_never_decide_own_item(demo):
    # The head drafts an item (granted drafting rights): he can never decide any of its steps.
    head = as_user(demo, "head")
    from intranet.sites.models import ColumnGrant
    from .conftest import column, user
    db.session.add(ColumnGrant(column_id=column("news").id, user_id=user("head").id, permission="draft"))
    db.session.commit()
    item_id = create_item(head, title="科室负责人自己撰写的信息")
    submit(head, item_id)
    decide(as_user(demo, "proof1"), item_id)
    decide(as_user(demo, "proof2"), item_id)
    step = open_step(item_id)
    # He holds the role, but is the author: the step went up to the nearest other head (none) -> nobody,
    # and his own decision is refused with the four-eyes message.
    assert "head" not in candidates(item_id)
    resp = decide(head, item_id, "approve", step=step)
    assert "四眼原则" in text_of(resp)
    assert open_step(item_id).id == step.id and open_step(item_id).decided_by_id is None


def test_r32_proofreader_cannot_be_author(demo):
    from intranet.sites.models import ColumnGrant
    from .conftest import column, user
    db.session.add(ColumnGrant(column_id=column("news").id, user_id=user("proof1").id, permission="draft"))
    db.session.commit()
    proof1 = as_user(demo, "proof1")
    item_id = create_item(proof1, title="校对员撰写的信息")
    submit(proof1, item_id)
    assert candidates(item_id) == ["proof2"]
    resp = decide(proof1, item_id, "approve")
    assert "四眼原则" in text_of(resp)
    assert open_step(item_id).decided_by_id is None


def test_r34_someone_not_on_the_step_is_refused(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    resp = decide(as_user(demo, "leader"), item_id, "approve")
    assert "不是该审核环节的审核人" in text_of(resp)
    assert open_step(item_id).position == 1


def test_r34_r39_people_without_standing_get_403_with_the_reason(demo):
    # Refusals of the person (not of the item's state) answer 403, so the authorisation matrix can see them.
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    resp = as_user(demo, "proof1").post(prefix(demo) + f"/review/items/{item_id}/submit")
    assert resp.status_code == 403 and "没有提交该信息的权限" in text_of(resp)
    submit(officer, item_id)
    step = open_step(item_id)
    for who, reason in (("officer", "四眼原则"), ("leader", "不是该审核环节的审核人")):
        resp = as_user(demo, who).post(prefix(demo) + f"/review/steps/{step.id}/decide",
                                       data={"decision": "approve", "revision_no": step.run.revision_no})
        assert resp.status_code == 403 and reason in text_of(resp), who
    resp = as_user(demo, "proof1").post(prefix(demo) + f"/review/items/{item_id}/withdraw", data={"reason": "试试"})
    assert resp.status_code == 403 and "只有网站管理员或上级单位可以撤回信息" in text_of(resp)
    assert open_step(item_id).id == step.id and item(item_id).status == IN_REVIEW
    # A refusal because of the item's state stays a message on the item's page.
    resp = officer.post(prefix(demo) + f"/review/items/{item_id}/submit")
    assert resp.status_code == 302


def test_r34_comment_required_for_return_and_reject(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    proof1 = as_user(demo, "proof1")
    for decision in ("return", "reject", "approve_comment"):
        resp = decide(proof1, item_id, decision, "")
        assert "请填写意见" in text_of(resp)
    assert open_step(item_id).position == 1


def test_r34_reject_is_final(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    decide(as_user(demo, "proof1"), item_id, "reject", "与本栏目定位不符")
    assert item(item_id).status == REJECTED
    resp = submit(officer, item_id)
    assert "不能提交审核" in text_of(resp)
    assert officer.get(prefix(demo) + f"/items/{item_id}/edit").status_code == 403


def test_r34_editing_after_submission_restarts_the_chain(demo, mailbox):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    decide(as_user(demo, "proof1"), item_id)
    decide(as_user(demo, "proof2"), item_id)
    head_step = open_step(item_id)
    assert head_step.kind == "dept_head"
    edit_item(officer, item_id, title="全市青少年俱乐部暑期活动启动（修改）")
    it = item(item_id)
    assert it.status == IN_REVIEW
    old = db.session.get(ReviewStep, head_step.id)
    assert old.status == CANCELLED and old.run.status == RUN_RESTARTED
    new = open_step(item_id)
    assert new.position == 1 and new.run.revision_no == it.revision_no and new.run_id != old.run_id
    assert candidates(item_id) == ["proof1", "proof2"]
    # The head's old form (old revision) is refused.
    resp = decide(as_user(demo, "head"), item_id, "approve", step=old)
    assert "已重新开始" in text_of(resp)


def test_r34_attachment_change_in_review_restarts_the_chain(demo):
    import io
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    decide(as_user(demo, "proof1"), item_id)
    before = open_step(item_id)
    officer.post(prefix(demo) + f"/items/{item_id}/attachments",
                 data={"file": (io.BytesIO(b"%PDF-1.4 test"), "plan.pdf"), "caption": ""},
                 content_type="multipart/form-data")
    after = open_step(item_id)
    assert after.run_id != before.run_id and after.position == 1


def test_r24_classified_item_cannot_be_submitted(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer, classification="secret")
    resp = submit(officer, item_id)
    assert "涉密信息一律不得上网发布" in text_of(resp)
    assert item(item_id).status == "draft"
    item_id = create_item(officer, title="秘密★1年 关于俱乐部经费的通知")
    resp = submit(officer, item_id)
    assert "密级标志" in text_of(resp)


def test_r24_classified_never_published_whatever_the_chain_says(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    for who in ("proof1", "proof2", "head", "secrecy", "leader"):
        decide(as_user(demo, who), item_id)
    # The classification appears after the chain ran (e.g. set directly in the database).
    it = item(item_id)
    it.classification = "internal"
    db.session.commit()
    resp = decide(as_user(demo, "webmaster"), item_id, "approve")
    assert "涉密信息一律不得上网发布" in text_of(resp)
    assert item(item_id).status == IN_REVIEW and _public(demo, item_id).status_code == 404


def test_r20_incomplete_item_cannot_be_submitted(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer, source="")
    resp = submit(officer, item_id)
    assert "请填写信息来源" in text_of(resp)
    assert item(item_id).status == "draft"
