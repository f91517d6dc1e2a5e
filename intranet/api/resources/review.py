"""Review steps: the open steps waiting for the token's person, and decisions
through `review.engine.decide` -- the same rules as the web and the e-mail
links: only a candidate of the open step decides, never the author or anyone
who saved a revision (four-eyes, R-34), on the revision they reviewed, and the
publish step runs the content checks again (R-50)."""
from ...extensions import db
from ...org.permissions import can_view_item
from ...review import chains, engine
from ...review.models import OPEN, ReviewStep, StepCandidate
from .. import schemas as s
from ..errors import ApiError
from ..framework import current_person, keyset_page, validation_error
from ..present import item_brief, step_out, user_ref
from . import api
from .common import get_or_404
from .items import acknowledgement_form, refusal


def _task(step):
    from flask import url_for
    item = step.item
    return s.ReviewTask(step=step_out(step), item=item_brief(item), author=user_ref(item.author),
                        is_publish_step=step.kind == chains.PUBLISH,
                        item_url=url_for("api.get_item", item_id=item.id, _external=True))


def _step_or_404(step_id):
    step = get_or_404(ReviewStep, step_id, "审核环节")
    user = current_person()
    if not (engine.is_candidate(step, user) or step.decided_by_id == user.id or can_view_item(user, step.item)):
        raise ApiError(404, "not_found", "审核环节不存在。")
    return step


@api.route("/review/steps", "GET", tag="review", summary="等待我审核的环节", query=s.StepQuery,
           responses={200: s.Page[s.ReviewTask]})
def my_steps(query):
    user = current_person()
    stmt = (db.select(ReviewStep).join(StepCandidate, StepCandidate.step_id == ReviewStep.id)
            .filter(StepCandidate.user_id == user.id, ReviewStep.status == OPEN))
    rows, nxt = keyset_page(stmt, query, [ReviewStep.id], key_of=lambda r: (r.id,))
    return s.Page[s.ReviewTask](data=[_task(st) for st in rows], next=nxt)


@api.route("/review/steps/<int:step_id>", "GET", tag="review", summary="一个审核环节",
           responses={200: s.ReviewTask})
def get_step(step_id):
    return _task(_step_or_404(step_id))


@api.route("/review/steps/<int:step_id>/decide", "POST", tag="review", scope="write", summary="审核决定",
           description="decision：approve（同意）、approve_comment（同意并附意见）、return（退回修改）、reject（不予发布）；"
                       "退回、不予发布和附意见时须填写comment。`revision_no` 为所审核的版本（环节所属审核轮次的版本），"
                       "稿件已修改则拒绝（stale_revision）。作者和修改过稿件的人不能审核（four_eyes，R-34）。"
                       "发布环节同意时再次进行内容检查，提示级结果须在 `acknowledge` 中确认。",
           body=s.Decision, responses={200: s.DecisionOut}, errors=(409,))
def decide(step_id, body):
    user = current_person()
    step = _step_or_404(step_id)
    item = step.item
    if body.decision in (engine.APPROVE_COMMENT, engine.RETURN, engine.REJECT) and not body.comment:
        raise validation_error({"comment": "退回修改、不予发布或附意见同意时请填写意见"})
    form = {}
    publishing = step.kind == chains.PUBLISH and body.decision in (engine.APPROVE, engine.APPROVE_COMMENT)
    if (publishing and step.status == OPEN and engine.is_candidate(step, user)
            and user.id not in engine.authors_of(item) and item.revision_no == step.run.revision_no
            and body.revision_no == step.run.revision_no and not engine.classified_reasons(item)):
        form = acknowledgement_form(item, body.acknowledge, for_publish=True)
    try:
        engine.decide(step, user, body.decision, body.comment, seen_revision=body.revision_no, via="api", form=form)
    except engine.ReviewRefused as exc:
        raise refusal(exc) from None
    db.session.commit()
    db.session.refresh(step)
    return s.DecisionOut(step=step_out(step), item=item_brief(step.item))
