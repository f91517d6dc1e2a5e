"""What happens to a message (R-70..R-73), independent of the pages.

Deadlines count working days from the day of receipt (接件之日起, 003 篇四 §15)
through the one working-day calendar: transfer within 3, reply within 5,
escalation marked within 5 (column settings). They are computed from
`received_at` each time (so a calendar correction applies at once); what was
late is recorded when it happens (`transfer_late`, `escalation_late`,
`reply_late` on the message and `late` on the event).

For the reminders sweep and reports:
- `open_message_duties(cal=None)`   -> [(message, Duty)], soonest first
- `overdue_messages(cal=None)`       -> [(message, [Duty...])] past due now
- `unanswered_longer_than(months=3)` -> open messages older than the veto line (R-73)
- `message_deadlines(message, cal)`  -> MessageDeadlines
- `age(message, cal)`                -> (calendar days, working days waited)
"""
import calendar as _pycalendar
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import joinedload

from intranet import audit, clock
from intranet.columntypes import Duty, get_type
from intranet.extensions import db
from intranet.items.models import DRAFT, Item
from intranet.items.service import record_revision
from intranet.workdays.calendar import Due

from .models import ANSWERED, ASSIGNED, IN_REVIEW, INVALID, OPEN, RECEIVED, Event, Message, Note
from .privacy import mask_name, mask_text

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 12
PUBLIC_PAGE_SIZE = 20
VETO_MONTHS = 3


def _audit(*args, **kwargs):
    """audit.record, except while the demo seeds its history (intranet.demo.seeding)."""
    from intranet.demo import is_seeding
    if not is_seeding():
        return audit.record(*args, **kwargs)
    return None


class MailboxError(Exception):
    """An action that is not allowed now; the message is Chinese, for the user."""


@dataclass
class MessageDeadlines:
    transfer: Due
    reply: Due
    escalation: Due
    veto: date  # unanswered beyond this day is a national inspection veto

    @property
    def provisional(self):
        return self.transfer.provisional or self.reply.provisional or self.escalation.provisional


def _calendar(cal):
    if cal is not None:
        return cal
    from intranet.workdays.service import calendar
    return calendar()


def _setting(column, name, default):
    from . import MailboxType
    ctype = get_type("mailbox")
    if not isinstance(ctype, MailboxType):
        ctype = MailboxType()
    value = ctype.setting(column, name)
    return default if value is None else value


def add_months(day, months):
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, _pycalendar.monthrange(year, month)[1]))


def message_deadlines(message, cal=None):
    cal = _calendar(cal)
    column = message.column
    start = message.received_at
    return MessageDeadlines(
        transfer=cal.add_workdays(start, _setting(column, "transfer_workdays", 3)),
        reply=cal.add_workdays(start, _setting(column, "reply_workdays", 5)),
        escalation=cal.add_workdays(start, _setting(column, "escalation_workdays", 5)),
        veto=add_months(start.date(), VETO_MONTHS),
    )


def age(message, cal=None, now=None):
    """(calendar days since receipt, WorkdayCount of working days waited)."""
    now = now or clock.now()
    end = message.replied_at or now
    return (end.date() - message.received_at.date()).days, _calendar(cal).workdays_between(message.received_at, end)


def duties(message, cal=None):
    """Open duties of a message with their due times."""
    if message.status not in OPEN:
        return []
    d = message_deadlines(message, cal)
    out = []
    if message.status == RECEIVED:
        out.append(Duty("message_transfer", d.transfer.end,
                        f"分办/转办期限：接件后{_setting(message.column, 'transfer_workdays', 3)}个工作日内"
                        f"（{d.transfer.date.isoformat()}前）", d.transfer.provisional))
    out.append(Duty("message_reply", d.reply.end,
                    f"答复期限：接件后{_setting(message.column, 'reply_workdays', 5)}个工作日内"
                    f"（{d.reply.date.isoformat()}前）", d.reply.provisional))
    out.append(Duty("message_veto", datetime.combine(d.veto, time(23, 59, 59)),
                    f"超过3个月未答复将被单项否决（{d.veto.isoformat()}）"))
    return out


# -- receiving -------------------------------------------------------------

def new_query_code():
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.execute(db.select(Message.id).filter_by(query_code=code)).scalar() is None:
            return code


def normalise_code(text):
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def find_by_code(column, code):
    code = normalise_code(code)
    if not code:
        return None
    return db.session.execute(db.select(Message).filter_by(column_id=column.id, query_code=code)).scalar()


def submissions_since(address, since):
    return db.session.execute(db.select(db.func.count(Message.id)).filter(
        Message.sender_address == address, Message.received_at >= since)).scalar() or 0


def receive_message(column, *, name, contact, subject, text, wants_privacy=False, address="",
                    captcha_nonce=None, attachment=None, received_at=None, query_code=None):
    """Store a message from the public; returns it (the caller commits)."""
    now = received_at or clock.now()
    message = Message(column_id=column.id, unit_id=column.unit_id, kind=_setting(column, "kind", "consult"),
                      query_code=query_code or new_query_code(), captcha_nonce=captcha_nonce,
                      sender_name=name.strip(), sender_contact=contact.strip(), sender_address=address or "",
                      subject=subject.strip(), text=text.strip(), wants_privacy=bool(wants_privacy),
                      status=RECEIVED, received_at=now)
    if attachment:
        message.attachment_filename = attachment["filename"]
        message.attachment_stored = attachment["stored_name"]
        message.attachment_mime = attachment["mime"]
        message.attachment_size = attachment["size"]
    db.session.add(message)
    db.session.flush()
    db.session.add(Event(message_id=message.id, at=now, action="received", to_unit_id=column.unit_id))
    _audit("mailbox_received", message, detail={"column": column.id, "private": message.wants_privacy})
    return message


# -- handling --------------------------------------------------------------

def _late(due, when):
    return when.date() > due.date


def route_message(message, unit, user, note="", cal=None):
    """Assign a received message to a department (分办), or transfer an assigned
    one to another unit (转办). Late after the transfer deadline (R-71)."""
    if message.status not in (RECEIVED, ASSIGNED):
        raise MailboxError(f"该留言当前状态为“{message.status_label}”，不能分办或转办")
    if message.status == ASSIGNED and unit.id == message.unit_id:
        raise MailboxError("请选择其他承办单位")
    now = clock.now()
    late = _late(message_deadlines(message, cal).transfer, now)
    action = "assigned" if message.status == RECEIVED else "transferred"
    event = Event(message_id=message.id, at=now, user_id=user.id, action=action, from_unit_id=message.unit_id,
                  to_unit_id=unit.id, note=note or "", late=late)
    db.session.add(event)
    message.unit_id = unit.id
    message.unit = unit
    message.status = ASSIGNED
    message.assigned_at = message.assigned_at or now
    message.transfer_late = bool(message.transfer_late) or late
    _audit(f"mailbox_{action}", message, detail={"to_unit": unit.id, "late": late}, user=user)
    return event


def mark_escalation(message, user, note, cal=None):
    """Mark a message as needing escalation (逐级请示), within 5 working days (R-71)."""
    if message.status not in OPEN:
        raise MailboxError("该留言已办结，不能再标记")
    if not (note or "").strip():
        raise MailboxError("请填写需逐级请示的事项")
    now = clock.now()
    late = _late(message_deadlines(message, cal).escalation, now)
    message.escalated_at = message.escalated_at or now
    message.escalation_note = note.strip()
    message.escalation_late = bool(message.escalation_late) or late
    db.session.add(Event(message_id=message.id, at=now, user_id=user.id, action="escalated", note=note.strip(),
                         late=late))
    _audit("mailbox_escalated", message, detail={"late": late}, user=user)


def add_note(message, user, text):
    """An internal note: staff only, never public, never shown to the sender."""
    if not (text or "").strip():
        raise MailboxError("请填写备注内容")
    note = Note(message_id=message.id, author_id=user.id, at=clock.now(), text=text.strip())
    db.session.add(note)
    _audit("mailbox_note", message, user=user)
    return note


def mark_invalid(message, user, reason):
    if message.status not in (RECEIVED, ASSIGNED):
        raise MailboxError("该留言当前不能标记为不予受理")
    if not (reason or "").strip():
        raise MailboxError("请填写不予受理的理由（将告知来信人）")
    message.status = INVALID
    message.invalid_reason = reason.strip()
    db.session.add(Event(message_id=message.id, at=clock.now(), user_id=user.id, action="invalid",
                         note=reason.strip()))
    _audit("mailbox_invalid", message, detail={"reason": reason.strip()}, user=user)


def record_answer(message, reply, user, cal=None):
    """The approved reply is given: the message is answered, late or on time."""
    now = clock.now()
    due = message_deadlines(message, cal).reply
    message.status = ANSWERED
    message.replied_at = now
    message.reply_due_date = due.date
    message.reply_late = _late(due, now)
    return message.reply_late


# -- publishing (R-72) -------------------------------------------------------

def publish_message(message, user=None):
    """Show question and reply on the public site, privacy masked. A message
    whose sender asked for privacy is never published."""
    if message.wants_privacy:
        raise MailboxError("来信人要求不公开，该留言不能公开")
    reply = message.approved_reply
    if message.status != ANSWERED or reply is None:
        raise MailboxError("只有已审核通过答复的留言才能公开")
    extra = (message.sender_name, message.sender_contact)
    message.public_name = mask_name(message.sender_name)
    message.public_subject = mask_text(message.subject, extra)
    message.public_text = mask_text(message.text, extra)
    message.public_reply = reply.text
    message.is_public = True
    message.public_at = message.public_at or clock.now()
    db.session.add(Event(message_id=message.id, at=clock.now(), user_id=user.id if user else None,
                         action="published"))
    _audit("mailbox_published", message, user=user)


def unpublish_message(message, user, reason=""):
    if not message.is_public:
        raise MailboxError("该留言未公开")
    message.is_public = False
    db.session.add(Event(message_id=message.id, at=clock.now(), user_id=user.id, action="unpublished",
                         note=reason or ""))
    _audit("mailbox_unpublished", message, detail={"reason": reason or ""}, user=user)


def public_messages_query(column):
    """Messages the public may see in a column: published, answered, and never
    one whose sender asked for privacy."""
    return (db.select(Message).filter(Message.column_id == column.id, Message.is_public.is_(True),
                                      Message.wants_privacy.is_(False), Message.status == ANSWERED))


def search_public_messages(site, words, limit):
    """The public search's "public_search" hook: public answered messages of the
    site's live columns whose published subject, question or answer contains
    every word, newest first."""
    from flask import url_for

    from intranet.sites.models import Column
    stmt = (db.select(Message).join(Column, Column.id == Message.column_id)
            .options(joinedload(Message.column))
            .filter(Column.site_id == site.id, Column.archived.is_(False), Message.is_public.is_(True),
                    Message.wants_privacy.is_(False), Message.status == ANSWERED))
    for word in words:
        stmt = stmt.filter(db.or_(Message.public_subject.contains(word, autoescape=True),
                                  Message.public_text.contains(word, autoescape=True),
                                  Message.public_reply.contains(word, autoescape=True)))
    rows = db.session.execute(stmt.order_by(Message.public_at.desc(), Message.id.desc()).limit(limit)).scalars()
    return [{"title": m.public_subject, "where": m.column.name, "at": m.public_at,
             "url": url_for("mailbox.detail", code=site.code, slug=m.column.slug, message_id=m.id)} for m in rows]


def public_messages(column, page=1):
    page = min(max(1, page or 1), 100_000)
    rows = db.session.execute(public_messages_query(column).order_by(Message.public_at.desc(), Message.id.desc())
                              .offset((page - 1) * PUBLIC_PAGE_SIZE).limit(PUBLIC_PAGE_SIZE + 1)).scalars().all()
    return rows[:PUBLIC_PAGE_SIZE], len(rows) > PUBLIC_PAGE_SIZE


def promote_to_faq(message, column, user):
    """Draft an item in a FAQ column from a published message (question and
    reply, masked); it goes through the FAQ column's own review."""
    from markupsafe import escape
    if not message.is_public:
        raise MailboxError("只有已公开的留言才能转为常见问题")
    if not get_type(column.type).has_items:
        raise MailboxError("请选择可以发布信息的栏目")

    def paragraphs(text):
        return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())

    item = Item(column_id=column.id, unit_id=column.unit_id, type=column.type, author_id=user.id,
                title=message.public_subject, source=message.column.unit.name, status=DRAFT,
                created_date=clock.today(),
                body=f"<p><strong>问：</strong></p>{paragraphs(message.public_text)}"
                     f"<p><strong>答：</strong></p>{paragraphs(message.public_reply)}")
    db.session.add(item)
    db.session.flush()
    record_revision(item, user, "由留言转为常见问题")
    message.faq_item_id = item.id
    db.session.add(Event(message_id=message.id, at=clock.now(), user_id=user.id, action="faq",
                         note=f"{column.name}：{item.title}"))
    _audit("mailbox_faq", message, detail={"item": item.id}, user=user)
    return item


# -- queries for dashboards, reminders and inspection ----------------------

def open_messages_query():
    return db.select(Message).options(joinedload(Message.column)).filter(Message.status.in_(OPEN))


def open_message_duties(cal=None):
    """(message, Duty) for every open message, soonest first (one query)."""
    cal = _calendar(cal)
    messages = db.session.execute(open_messages_query()).scalars().all()
    pairs = [(m, d) for m in messages for d in duties(m, cal)]
    return sorted(pairs, key=lambda pair: pair[1].due_at)


def overdue_messages(cal=None, now=None):
    """(message, [overdue Duty]) for open messages past a deadline now."""
    now = now or clock.now()
    cal = _calendar(cal)
    out = []
    for m in db.session.execute(open_messages_query().order_by(Message.received_at)).scalars():
        late = [d for d in duties(m, cal) if d.due_at < now]
        if late:
            out.append((m, late))
    return out


def unanswered_longer_than(months=VETO_MONTHS, now=None):
    """Open messages received more than `months` months ago (R-73 veto line)."""
    now = now or clock.now()
    line = add_months(now.date(), -months)
    return db.session.execute(open_messages_query().filter(Message.received_at < datetime.combine(line, time()))
                              .order_by(Message.received_at)).scalars().all()


def column_metrics(column):
    counts = dict(db.session.execute(db.select(Message.status, db.func.count(Message.id))
                                     .filter(Message.column_id == column.id).group_by(Message.status)).all())
    late = db.session.execute(db.select(db.func.count(Message.id)).filter(
        Message.column_id == column.id, Message.reply_late.is_(True))).scalar() or 0
    answered = counts.get(ANSWERED, 0)
    oldest = db.session.execute(db.select(db.func.min(Message.received_at)).filter(
        Message.column_id == column.id, Message.status.in_(OPEN))).scalar()
    return {
        "received": sum(counts.values()),
        "open": sum(counts.get(s, 0) for s in OPEN),
        "answered": answered,
        "answered_late": late,
        "answered_on_time": answered - late,
        "invalid": counts.get(INVALID, 0),
        "oldest_open_days": (clock.now().date() - oldest.date()).days if oldest else None,
        "in_review": counts.get(IN_REVIEW, 0),
    }


# -- providers for assessment and the inspection health view (R-92, R-93) ----

def reply_timeliness(start, end, cal=None):
    """Messages answered in [start, end), per column and handling unit: answered,
    on time, late, and the working days from receipt to reply summed."""
    cal = _calendar(cal)
    rows = db.session.execute(db.select(Message.column_id, Message.unit_id, Message.received_at, Message.replied_at,
                                        Message.reply_late)
                              .filter(Message.status == ANSWERED, Message.replied_at >= start,
                                      Message.replied_at < end)).all()
    out = {}
    for column_id, unit_id, received_at, replied_at, late in rows:
        row = out.setdefault((column_id, unit_id), {"column_id": column_id, "unit_id": unit_id, "answered": 0,
                                                    "on_time": 0, "late": 0, "workdays_total": 0})
        row["answered"] += 1
        row["late" if late else "on_time"] += 1
        row["workdays_total"] += cal.workdays_between(received_at, replied_at).count
    return list(out.values())


def unanswered_messages(at, received_before, site_id=None):
    """Valid messages received before `received_before` with no reply at `at` (R-73)."""
    from flask import url_for
    from intranet.sites.models import Column
    stmt = (db.select(Message).filter(Message.status != INVALID, Message.received_at < received_before,
                                      Message.received_at <= at,
                                      db.or_(Message.replied_at.is_(None), Message.replied_at > at))
            .order_by(Message.received_at))
    if site_id is not None:
        stmt = stmt.join(Column, Column.id == Message.column_id).filter(Column.site_id == site_id)
    out = []
    for m in db.session.execute(stmt).scalars():
        row = {"message_id": m.id, "column_id": m.column_id, "unit_id": m.unit_id, "received_at": m.received_at,
               "subject": m.subject}
        try:
            row["url"] = url_for("mailbox_staff.view", message_id=m.id)
        except RuntimeError:  # no request or app context able to build URLs
            pass
        out.append(row)
    return out
