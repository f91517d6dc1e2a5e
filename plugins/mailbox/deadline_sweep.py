"""Reminders sweep for the public's messages (R-80, R-71, R-73): transfer and
reply deadlines coming due (today or the next working day: warn) or past
(overdue), and open messages past the 3-month veto line (veto, urgent). The
handling unit's officers are reminded first, then its head and leader
(intranet.reminders). A fixed number of queries, whatever the number of
messages."""
from .service import open_message_duties

_WHAT = {"message_transfer": "分办/转办", "message_reply": "答复"}


def sweep_message_deadlines(ctx):
    from intranet.reminders.engine import Notice
    notices = []
    for message, duty in open_message_duties(ctx.calendar):
        overdue = ctx.now > duty.due_at
        url = ctx.link("mailbox_staff.view", message_id=message.id)
        if duty.kind == "message_veto":
            if overdue:
                notices.append(Notice(
                    kind="message_veto", key=f"message:{message.id}", period=duty.due_at.date().isoformat(),
                    severity="veto", title=f"留言“{message.subject}”超过3个月未答复（单项否决）",
                    text=duty.label, url=url, due_at=duty.due_at, unit_id=message.unit_id,
                    overdue_since=duty.due_at, urgent=True))
            continue
        if not overdue and ctx.calendar.workdays_between(ctx.now, duty.due_at).count > 1:
            continue
        due_day = duty.due_at.date().isoformat()
        notices.append(Notice(
            kind=duty.kind, key=f"message:{message.id}", period=due_day, severity="overdue" if overdue else "warn",
            title=f"留言“{message.subject}”{'已超过' if overdue else '即将到达'}{_WHAT[duty.kind]}期限（{due_day}）"
                  + ("（暂定）" if duty.provisional else ""),
            text=duty.label, url=url, due_at=duty.due_at, unit_id=message.unit_id,
            overdue_since=duty.due_at if overdue else None))
    return notices


def sweep_waiting_reply_steps(ctx):
    """Reply review steps open for longer than LANMU_REVIEW_REMIND_WORKDAYS
    working days (R-80) remind their reviewers, once per step and opening; the
    reminders engine escalates to the step unit's head and leader after its
    grace period. Three queries, whatever the number of steps. A step that
    found nobody to ask is first asked again (an admin may have given the role
    since); if still nobody, its unit is reminded (officers, else the head)."""
    from datetime import datetime

    from flask import current_app
    from sqlalchemy import select

    from intranet.extensions import db
    from intranet.reminders.engine import Notice

    from .models import STEP_OPEN, Message, ReplyCandidate, ReplyStep
    from .review import staff_unstaffed_steps

    staff_unstaffed_steps()  # a step that found nobody asks again (roles may have been given since)
    limit = current_app.config.get("LANMU_REVIEW_REMIND_WORKDAYS", 1)
    steps = db.session.execute(
        select(ReplyStep.id, ReplyStep.message_id, ReplyStep.label, ReplyStep.unit_id, ReplyStep.opened_at,
               Message.subject)
        .join(Message, Message.id == ReplyStep.message_id)
        .where(ReplyStep.status == STEP_OPEN, ReplyStep.opened_at.is_not(None),
               ReplyStep.opened_at < ctx.now)).all()
    if not steps:
        return []
    candidates = {}
    for step_id, user_id in db.session.execute(select(ReplyCandidate.step_id, ReplyCandidate.user_id).where(
            ReplyCandidate.step_id.in_([s.id for s in steps])).order_by(ReplyCandidate.user_id)).all():
        candidates.setdefault(step_id, []).append(user_id)
    notices = []
    for s in steps:
        due = ctx.calendar.add_workdays(s.opened_at, limit)
        due_at = datetime.combine(due.date, s.opened_at.time())
        if ctx.now < due_at:
            continue
        waited = ctx.calendar.workdays_between(s.opened_at, ctx.now).count
        notices.append(Notice(
            kind="reply_review_waiting", key=f"reply_step:{s.id}", period=f"opened-{s.opened_at:%Y%m%d%H%M}",
            severity="overdue", title=f"留言“{s.subject}”的答复已等待审核（{s.label}）{waited}个工作日",
            text="答复审核通过后才告知来信人，答复时间以审核通过时间为准，请尽快审核。",
            url=ctx.link("mailbox_staff.view", message_id=s.message_id), due_at=due_at, unit_id=s.unit_id,
            users=candidates.get(s.id, []), overdue_since=due_at))
    return notices
