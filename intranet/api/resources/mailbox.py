"""The public's messages (R-70..R-73), as the staff pages handle them: the list
a person may see, assignment to a department (分办) and transfer to another
unit (转办) through `plugins.mailbox.service.route_message`, the reply through
`plugins.mailbox.review` (drafted by the handling unit, approved by its head,
never by its author), with the same permission rules (plugins/mailbox/permissions.py)."""
from ...extensions import db
from ...org.models import Unit
from .. import schemas as s
from ..errors import ApiError
from ..framework import current_person, keyset_page, validation_error
from ..present import message_out
from . import api
from .common import conflict, forbidden


def _mailbox():
    from plugins.mailbox import models, permissions, review, service, staff
    return models, permissions, review, service, staff


def _calendar():
    from ...workdays.service import calendar
    return calendar()


def _message_or_404(message_id):
    models, permissions, *_ = _mailbox()
    message = db.session.get(models.Message, message_id)
    if message is None:
        raise ApiError(404, "not_found", "留言不存在。")
    if not permissions.can_view(current_person(), message):
        raise forbidden("您无权查看该留言。")
    return message


def _refused(exc):
    return conflict("mailbox_refused", str(exc))


@api.route("/messages", "GET", tag="mailbox", summary="我可以看到的留言", query=s.MessageQuery,
           responses={200: s.Page[s.MessageOut]})
def list_messages(query):
    models, _permissions, _review, _service, staff = _mailbox()
    stmt = staff.visible_messages_query(current_person())
    if query.status == "open":
        stmt = stmt.filter(models.Message.status.in_(models.OPEN))
    elif query.status:
        stmt = stmt.filter(models.Message.status == query.status)
    rows, nxt = keyset_page(stmt, query, [models.Message.id], key_of=lambda r: (r.id,))
    cal = _calendar()
    return s.Page[s.MessageOut](data=[message_out(m, cal) for m in rows], next=nxt)


@api.route("/messages/<int:message_id>", "GET", tag="mailbox", summary="一条留言：办理期限、答复、办理记录",
           responses={200: s.MessageOut})
def get_message(message_id):
    return message_out(_message_or_404(message_id), _calendar(), full=True)


def _route(message_id, body, expected_status, verb):
    models, permissions, _review, service, _staff = _mailbox()
    user = current_person()
    message = _message_or_404(message_id)
    if message.status != expected_status:
        raise conflict("invalid_state", f"该留言当前状态为“{message.status_label}”，不能{verb}。")
    if not permissions.can_route(user, message):
        raise forbidden(f"您无权{verb}该留言。")
    unit = db.session.get(Unit, body.unit_id)
    if unit is None or not unit.active:
        raise validation_error({"unit_id": "单位不存在或已停用"})
    try:
        service.route_message(message, unit, user, body.note or "")
    except service.MailboxError as exc:
        raise _refused(exc) from None
    db.session.commit()
    return message_out(message, _calendar(), full=True)


@api.route("/messages/<int:message_id>/assign", "POST", tag="mailbox", scope="write", summary="分办（交给承办部门）",
           description="待分办的留言交给承办部门；超过转交期限的记为逾期（R-71）。",
           body=s.Route, responses={200: s.MessageOut}, errors=(409,))
def assign_message(message_id, body):
    models, *_ = _mailbox()
    return _route(message_id, body, models.RECEIVED, "分办")


@api.route("/messages/<int:message_id>/transfer", "POST", tag="mailbox", scope="write", summary="转办（交给其他单位）",
           description="办理中的留言转给其他单位办理；超过转交期限的记为逾期（R-71）。",
           body=s.Route, responses={200: s.MessageOut}, errors=(409,))
def transfer_message(message_id, body):
    models, *_ = _mailbox()
    return _route(message_id, body, models.ASSIGNED, "转办")


@api.route("/messages/<int:message_id>/reply", "POST", tag="mailbox", scope="write", summary="提交答复（送科室负责人审核）",
           body=s.ReplyIn, responses={200: s.MessageOut}, errors=(409,))
def reply_message(message_id, body):
    _models, permissions, review, service, _staff = _mailbox()
    user = current_person()
    message = _message_or_404(message_id)
    if not permissions.can_handle(user, message):
        raise forbidden("您不是该留言承办单位的人员，不能提交答复。")
    try:
        review.submit_reply_for_review(message, body.text, user, publish=body.publish)
    except service.MailboxError as exc:
        raise _refused(exc) from None
    db.session.commit()
    return message_out(message, _calendar(), full=True)


@api.route("/messages/<int:message_id>/reply/review", "POST", tag="mailbox", scope="write",
           summary="审核答复（同意或退回）",
           description="承办单位的科室负责人（或领导）审核待审核的答复；不能审核自己起草的答复。"
                       "同意后答复即告知来信人，除非来信人要求不公开，问答（隐去个人信息）在网站公开（R-72）。",
           body=s.ReplyReview, responses={200: s.MessageOut}, errors=(409,))
def review_reply(message_id, body):
    _models, permissions, review, service, _staff = _mailbox()
    user = current_person()
    message = _message_or_404(message_id)
    pending = message.pending_reply
    if pending is None:
        raise conflict("invalid_state", "没有待审核的答复。")
    if pending.author_id == user.id:
        raise ApiError(403, "four_eyes", "不能审核自己起草的答复（四眼原则）。")
    if not permissions.can_approve(user, pending):
        raise forbidden("只有承办单位的科室负责人（或分管领导）可以审核答复。")
    if body.decision == "return" and not body.comment:
        raise validation_error({"comment": "退回时请填写修改意见"})
    try:
        if body.decision == "return":
            review.return_reply(pending, user, body.comment)
        else:
            review.approve_reply(pending, user, body.comment)
    except service.MailboxError as exc:
        raise _refused(exc) from None
    db.session.commit()
    return message_out(message, _calendar(), full=True)
