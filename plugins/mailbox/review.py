"""The reply's review (R-71, 003 财政地税 (十一): "经科室负责人、局领导审核后"):
a chain of steps per reply, set per mailbox column (setting `reply_review`):

    head_leader      科室负责人 of the handling unit, then 局领导: the leader in
                     charge (分管领导) of the handling unit's parent unit (of the
                     handling unit itself when it is the top of the tree) -- default
    head_own_leader  科室负责人, then the 分管领导 of the handling unit itself
                     (a district office that is its own 局)
    head             科室负责人 only (one step)

Each step names a role in a unit relative to the handling unit and is resolved
with the review engine's logic (`intranet.review.chains.unit_relative_to` and
`holders_up_the_tree`): the holders of the role in that unit, else in the
nearest ancestor unit that has one. The reply's author never decides a step
and nobody decides two steps of one reply (four-eyes, one person one step);
when the whole line has nobody else with the role, a more senior role of it
stands in (科室负责人 -> 分管领导 -> 主要领导; the step's note says so).
Who may decide is fixed when the step opens (`mailbox_reply_candidate`), and
they are told through `notify()` (inbox, WeCom and e-mail via the outbox); the
e-mail carries each person's signed single-use decision links (links.py).

A decision is one conditional UPDATE of the step (open -> decided): two
reviewers deciding at once record exactly one decision, the other gets
`AlreadyDecided`. Approve opens the next step, or -- after the last one --
gives the reply: the message is answered at that moment (the time that counts
for the 5-working-day deadline: the regulation counts the answer the public
gets, and the public gets it only now) and, unless private, published with the
question, masked. Return sends it back to the author with the comment (the
department revises and submits again: a new reply, a new chain); reject
discards the reply (the department must answer anew). The author is told of
every decision.

    submit_reply_for_review(message, reply_text, user, publish=True) -> Reply
    approve_reply(reply, user, comment="", *, step=None)              -> Reply
    return_reply(reply, user, comment, *, step=None)                  -> Reply
    reject_reply(reply, user, comment, *, step=None)                  -> Reply
    decide_reply(reply, user, decision, comment="", *, step=None, via=None) -> Reply

`step`, when given, is the step the reviewer saw: a decision on a page that
showed an earlier step is refused instead of deciding the next one."""
from sqlalchemy import exc as sa_exc

from intranet import clock
from intranet.extensions import db
from intranet.org import roles
from intranet.review import chains

from .models import (APPROVE, APPROVE_COMMENT, ASSIGNED, DECISION_LABELS, IN_REVIEW, REJECT, RETURN, STEP_APPROVED,
                     STEP_CANCELLED, STEP_OPEN, STEP_PENDING, STEP_REJECTED, STEP_RETURNED, Event, Reply,
                     ReplyCandidate, ReplyStep)
from .permissions import can_handle
from .service import MailboxError, _audit, _setting, publish_message, record_answer

DECISIONS = (APPROVE, APPROVE_COMMENT, RETURN, REJECT)

HEAD_LEADER, HEAD_OWN_LEADER, HEAD_ONLY = "head_leader", "head_own_leader", "head"
# (label, StepSpec): a role in a unit relative to the handling unit, as in the review engine's chains
_HEAD = ("科室负责人审核", chains.StepSpec(chains.DEPT_HEAD))
CHAINS = {
    HEAD_LEADER: [_HEAD, ("局领导审核", chains.StepSpec(chains.LEADER, unit_ref="parent"))],
    HEAD_OWN_LEADER: [_HEAD, ("分管领导审核", chains.StepSpec(chains.LEADER, unit_ref="own"))],
    HEAD_ONLY: [_HEAD],
}
# A more senior role of the unit line stands in when nobody else holds the step's role.
STAND_INS = {roles.DEPT_HEAD: (roles.LEADER, roles.PRINCIPAL), roles.LEADER: (roles.PRINCIPAL,)}
NOBODY = "没有符合条件的审核人（须由答复起草人和前一环节审核人以外的人员担任），请管理员配置角色"


class AlreadyDecided(MailboxError):
    """The step was decided by someone else (or the page showed an earlier step)."""


class FourEyes(MailboxError):
    """The reply's author, or the decider of an earlier step, may not decide."""


# -- the chain -----------------------------------------------------------------

def chain_key(column):
    key = _setting(column, "reply_review", HEAD_LEADER)
    return key if key in CHAINS else HEAD_LEADER


def chain_labels(column):
    return [label for label, _spec in CHAINS[chain_key(column)]]


def step_unit(spec, handling_unit, column=None):
    """The unit a step points at for a reply of `handling_unit`. The 局领导 step's
    parent unit is the handling unit itself at the top of the tree."""
    unit = chains.unit_relative_to(spec.unit_ref, handling_unit, site=column.site if column is not None else None,
                                   named_unit_id=spec.unit_id)
    if unit is None and spec.unit_ref == "parent":
        unit = handling_unit
    return unit


def excluded_ids(reply):
    """Never the author; never someone who decided another step of this reply."""
    return {reply.author_id} | {s.decided_by_id for s in reply.steps if s.decided_by_id}


def resolve_reviewers(step, reply):
    """(people, note): who may decide `step` of `reply` now."""
    excluded = excluded_ids(reply)
    people = chains.holders_up_the_tree(step.role, step.unit, excluded)
    if people:
        return people, ""
    for role in STAND_INS.get(step.role, ()):
        people = chains.holders_up_the_tree(role, step.unit, excluded)
        if people:
            return people, f"无其他{roles.LABELS[step.role]}，由{roles.LABELS[role]}审核"
    return [], NOBODY


def is_candidate(step, user):
    return user is not None and user.is_authenticated and any(c.user_id == user.id for c in step.candidates)


def can_decide(user, reply):
    """May `user` decide the reply's open step now?"""
    if not user.is_authenticated or reply.status != Reply.SUBMITTED or reply.message.status != IN_REVIEW:
        return False
    step = reply.open_step
    return step is not None and user.id not in excluded_ids(reply) and is_candidate(step, user)


def _url(message):
    from intranet.review.mailer import build_url
    return build_url("mailbox_staff.view", external=True, message_id=message.id)


def _notify(users, subject, text, url, email=None):
    from intranet.demo import is_seeding
    from intranet.notify import notify
    if not is_seeding():  # the demo's seeded history is not an action anyone took
        notify(users, subject, text, url, email=email)


def _open_next(reply):
    """Open the next pending step; returns it, or None when none is left."""
    now = clock.now()
    for step in reply.steps:
        if step.status != STEP_PENDING:
            continue
        people, note = resolve_reviewers(step, reply)
        step.status, step.opened_at, step.note = STEP_OPEN, now, note
        for p in people:
            step.candidates.append(ReplyCandidate(user_id=p.id))
        db.session.flush()
        _ask(people, step)
        return step
    return None


def _ask(people, step, text=None):
    """Tell `people` the step waits for them: inbox and WeCom point at the
    message's page; the e-mail carries their own decision links (links.py)."""
    from intranet.demo import is_seeding
    reply = step.reply
    message = reply.message
    text = text or (f"{reply.author.name}起草了对留言“{message.subject}”（{message.column.name}）的答复，"
                    f"请审核（{step.label}）。答复期限：{reply_due(message)}。")
    people = [p for p in people if p.active]
    if not people or is_seeding():
        return
    _notify(people, f"【待审核答复】{message.subject}（{step.label}）", text, _url(message),
            email=_decision_mail(step, people, text))


def _decision_mail(step, people, text):
    """user -> (text, html) of the decision e-mail, with fresh links for each person."""
    from flask import current_app, render_template

    from intranet.review.mailer import build_url

    from . import links
    tokens = links.create_links_many(step, people)
    reply = step.reply
    ctx = dict(step=step, reply=reply, message=reply.message, intro=text, due=reply_due(reply.message),
               review_url=_url(reply.message), labels=links.ACTION_LABELS,
               expires_workdays=current_app.config.get("LANMU_REVIEW_LINK_WORKDAYS", 5))

    def mail(user):
        urls = {action: build_url("mailbox_staff.link", token=token, external=True)
                for action, token in tokens[user.id].items()}
        return (render_template("mailbox/mail/reply_step.txt", user=user, urls=urls, **ctx),
                render_template("mailbox/mail/reply_step.html", user=user, urls=urls, **ctx))
    return mail


def reply_due(message):
    from .service import message_deadlines
    return message_deadlines(message).reply.date.isoformat()


# -- submit --------------------------------------------------------------------

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
    for position, (label, spec) in enumerate(CHAINS[chain_key(message.column)], start=1):
        unit = step_unit(spec, message.unit, message.column)
        reply.steps.append(ReplyStep(message_id=message.id, position=position, kind=spec.kind, label=label,
                                     role=spec.role, unit_id=unit.id if unit else None, status=STEP_PENDING))
    message.status = IN_REVIEW
    db.session.flush()
    db.session.add(Event(message_id=message.id, at=now, user_id=user.id, action="reply_submitted",
                         note="审核流程：" + " → ".join(s.label for s in reply.steps)))
    _audit("mailbox_reply_submitted", message, detail={"steps": [s.label for s in reply.steps]}, user=user)
    _open_next(reply)
    return reply


# -- decide --------------------------------------------------------------------

def decide_reply(reply, user, decision, comment="", *, step=None, via=None):
    """Record one decision on the reply's open step (see the module docstring);
    `via`, when given ("email": a decision link), goes into the audit entry."""
    comment = (comment or "").strip()
    message = reply.message
    if reply.status != Reply.SUBMITTED or message.status != IN_REVIEW:
        raise AlreadyDecided("该答复已处理")
    current = reply.open_step
    if current is None:
        raise MailboxError("该答复没有待审核的环节")
    if step is not None and step.id != current.id:
        raise AlreadyDecided(f"该审核环节已处理，答复现在等待“{current.label}”。请刷新页面查看。")
    if reply.author_id == user.id:
        raise FourEyes("不能审核自己起草的答复（四眼原则）")
    if user.id in excluded_ids(reply):
        raise FourEyes("您已审核过该答复的上一环节，同一人只能审核一个环节")
    if not is_candidate(current, user):
        raise MailboxError(f"您不是“{current.label}”环节的审核人")
    if decision not in DECISIONS:
        raise MailboxError("请选择审核意见")
    if decision == RETURN and not comment:
        raise MailboxError("退回时请填写修改意见")
    if decision == REJECT and not comment:
        raise MailboxError("不予采用时请填写理由")
    if decision == APPROVE and comment:
        decision = APPROVE_COMMENT
    now = clock.now()
    new_status = {APPROVE: STEP_APPROVED, APPROVE_COMMENT: STEP_APPROVED, RETURN: STEP_RETURNED,
                  REJECT: STEP_REJECTED}[decision]
    try:
        # The audit entry first: on PostgreSQL it takes the audit lock, which
        # serialises this transaction with every other writer (as review/engine.py).
        _audit("mailbox_reply_decided", message, user=user,
               detail={"reply": reply.id, "step": current.label, "decision": decision, "comment": comment,
                       **({"via": via} if via else {})})
        won = db.session.execute(
            ReplyStep.__table__.update()
            .where(ReplyStep.id == current.id, ReplyStep.status == STEP_OPEN)
            .values(status=new_status, decided_by_id=user.id, decided_at=now, decision=decision,
                    comment=comment)).rowcount == 1
    except sa_exc.OperationalError:  # SQLite: another writer got there first
        won = False
    if not won:
        db.session.rollback()
        raise AlreadyDecided("该审核环节刚刚已由他人处理，您的意见未记录。请刷新页面查看。")
    db.session.refresh(current)
    if new_status == STEP_APPROVED:
        nxt = _open_next(reply)
        if nxt is not None:
            said = f"{current.label}：{DECISION_LABELS[decision]}" + (f"，{comment}" if comment else "")
            db.session.add(Event(message_id=message.id, at=now, user_id=user.id, action="reply_step_approved",
                                 note=f"{said}；转{nxt.label}"))
            _notify([reply.author], f"答复已通过{current.label}：{message.subject}",
                    f"{user.name}（{current.label}）同意了您起草的答复" + (f"：{comment}" if comment else "")
                    + f"。答复现由{nxt.label}审核。", _url(message))
        else:
            _give(reply, user, comment, now)
    else:
        _end(reply, user, current, new_status, comment, now)
    db.session.flush()
    return reply


def _give(reply, user, comment, now):
    """The last step approved: the reply is given (and published unless private)."""
    message = reply.message
    reply.status, reply.reviewer_id, reply.reviewed_at, reply.review_comment = Reply.APPROVED, user.id, now, comment
    late = record_answer(message, reply, user)
    db.session.add(Event(message_id=message.id, at=now, user_id=user.id, action="reply_approved",
                         note=comment, late=late))
    _audit("mailbox_reply_approved", message, detail={"late": late, "steps": len(reply.steps)}, user=user)
    if (reply.publish_requested and not message.wants_privacy
            and _setting(message.column, "publish_replies", "yes") == "yes"):
        publish_message(message, user)
    _notify([reply.author], f"答复已审核通过：{message.subject}",
            f"您起草的答复已审核通过（{user.name}），已告知来信人" + ("并公开" if message.is_public else "")
            + ("；已超过答复期限，记为逾期答复。" if late else "。"), _url(message))


def _end(reply, user, step, status, comment, now):
    """Returned or rejected: the chain ends, the department answers again."""
    message = reply.message
    for later in reply.steps:
        if later.status == STEP_PENDING:
            later.status = STEP_CANCELLED
    returned = status == STEP_RETURNED
    reply.status = Reply.RETURNED if returned else Reply.REJECTED
    reply.reviewer_id, reply.reviewed_at, reply.review_comment = user.id, now, comment
    message.status = ASSIGNED
    action = "reply_returned" if returned else "reply_rejected"
    db.session.add(Event(message_id=message.id, at=now, user_id=user.id, action=action,
                         note=f"{step.label}：{comment}"))
    _audit(f"mailbox_{action}", message, detail={"step": step.label}, user=user)
    what = "退回修改" if returned else "不予采用"
    _notify([reply.author], f"答复被{what}：{message.subject}",
            f"{user.name}（{step.label}）：{comment}" + ("。请修改后重新提交审核。" if returned else "。请重新答复。"),
            _url(message))


def approve_reply(reply, user, comment="", *, step=None):
    """Approve the reply's open step (the last approval gives the reply)."""
    return decide_reply(reply, user, APPROVE, comment, step=step)


def return_reply(reply, user, comment, *, step=None):
    return decide_reply(reply, user, RETURN, comment, step=step)


def reject_reply(reply, user, comment, *, step=None):
    return decide_reply(reply, user, REJECT, comment, step=step)


def staff_unstaffed_steps():
    """Open steps that found nobody to ask when they opened (no role holder in
    the line): ask again, now that an admin may have given someone the role.
    Called by the reminders sweep; one query when there are none."""
    steps = db.session.execute(
        db.select(ReplyStep).filter(ReplyStep.status == STEP_OPEN, ~ReplyStep.candidates.any())).scalars().all()
    staffed = []
    for step in steps:
        people, note = resolve_reviewers(step, step.reply)
        if not people:
            continue
        step.note = note
        for p in people:
            step.candidates.append(ReplyCandidate(user_id=p.id))
        _ask(people, step)
        staffed.append(step)
    db.session.flush()
    return staffed


# -- hand-over (R-03) ------------------------------------------------------------

def hand_over_reply_steps(sender, old, new, **_):
    """Open reply review steps that waited for `old` now wait for `new` (unless
    `new` wrote the reply or decided another of its steps)."""
    rows = db.session.execute(
        db.select(ReplyCandidate).join(ReplyStep).filter(ReplyCandidate.user_id == old.id,
                                                         ReplyStep.status == STEP_OPEN)).scalars().all()
    moved = 0
    for cand in rows:
        step = cand.step
        reply = step.reply
        step.candidates.remove(cand)
        if new.id not in excluded_ids(reply) and not any(c.user_id == new.id for c in step.candidates):
            step.candidates.append(ReplyCandidate(user_id=new.id))
            moved += 1
            _ask([new], step, f"{old.name}的待审核答复已交接给您，请审核（{step.label}）。")
    db.session.flush()
    return f"待审核答复{moved}个" if rows else None
