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
