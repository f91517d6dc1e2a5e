"""The reply's review (R-71: 科室负责人 approves before the reply is given and
published). A simple one-step review of the mailbox's own, behind two
functions, so it can be switched to the review engine when that lands:

    submit_reply_for_review(message, reply_text, user, publish=True) -> Reply
    approve_reply(reply, user, comment="")                            -> Reply
    return_reply(reply, user, comment)                                -> Reply

With the review engine, `submit_reply_for_review` starts the engine's chain
for the reply (head, then 局领导 where configured) and the engine's completion
calls `approve_reply` (or `return_reply`); callers need not change.

Approver: a head (科室负责人) or leader of the handling unit -- or of its
nearest ancestor that has one -- and never the reply's author (four-eyes)."""
from intranet import clock
from intranet.extensions import db

from .models import ASSIGNED, IN_REVIEW, Event, Reply
from .permissions import can_approve, can_handle
from .service import MailboxError, _audit, _setting, publish_message, record_answer


def submit_reply_for_review(message, reply_text, user, publish=True):
    if message.status != ASSIGNED:
        raise MailboxError(f"该留言当前状态为“{message.status_label}”，不能提交答复")
    if not can_handle(user, message):
        raise MailboxError("您不是该留言承办单位的人员，不能提交答复")
    text = (reply_text or "").strip()
    if len(text) < 5:
        raise MailboxError("请填写答复内容（至少5个字）")
    now = clock.now()
    reply = Reply(message_id=message.id, unit_id=message.unit_id, author_id=user.id, text=text,
                  publish_requested=bool(publish) and not message.wants_privacy, status=Reply.SUBMITTED,
                  submitted_at=now)
    db.session.add(reply)
    message.replies.append(reply)
    message.status = IN_REVIEW
    db.session.add(Event(message_id=message.id, at=now, user_id=user.id, action="reply_submitted"))
    _audit("mailbox_reply_submitted", message, user=user)
    return reply


def _check_reviewable(reply, user):
    if reply.status != Reply.SUBMITTED or reply.message.status != IN_REVIEW:
        raise MailboxError("该答复已处理")
    if reply.author_id == user.id:
        raise MailboxError("不能审核自己起草的答复")
    if not can_approve(user, reply):
        raise MailboxError("只有承办单位的科室负责人（或分管领导）可以审核答复")


def approve_reply(reply, user, comment=""):
    """Approve: the sender sees the reply now; unless the sender asked for
    privacy (or the reply was marked not public) it is published with the
    question, masked. A reply given after the deadline is recorded late."""
    _check_reviewable(reply, user)
    message = reply.message
    now = clock.now()
    reply.status, reply.reviewer_id, reply.reviewed_at = Reply.APPROVED, user.id, now
    reply.review_comment = (comment or "").strip()
    late = record_answer(message, reply, user)
    db.session.add(Event(message_id=message.id, at=now, user_id=user.id, action="reply_approved",
                         note=reply.review_comment, late=late))
    _audit("mailbox_reply_approved", message, detail={"late": late}, user=user)
    if (reply.publish_requested and not message.wants_privacy
            and _setting(message.column, "publish_replies", "yes") == "yes"):
        publish_message(message, user)
    return reply


def return_reply(reply, user, comment):
    _check_reviewable(reply, user)
    if not (comment or "").strip():
        raise MailboxError("退回时请填写修改意见")
    message = reply.message
    now = clock.now()
    reply.status, reply.reviewer_id, reply.reviewed_at = Reply.RETURNED, user.id, now
    reply.review_comment = comment.strip()
    message.status = ASSIGNED
    db.session.add(Event(message_id=message.id, at=now, user_id=user.id, action="reply_returned",
                         note=comment.strip()))
    _audit("mailbox_reply_returned", message, user=user)
    return reply
