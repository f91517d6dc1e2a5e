"""My reminders (R-80..R-83): what the scheduler reminded the token's person of."""
from ...extensions import db
from ...reminders.models import Reminder
from .. import schemas as s
from ..framework import current_person, keyset_page
from ..present import reminder_out
from . import api


@api.route("/reminders", "GET", tag="reminders", summary="我的提醒（最新在前）", query=s.ReminderQuery,
           responses={200: s.Page[s.ReminderOut]})
def my_reminders(query):
    stmt = db.select(Reminder).filter(Reminder.user_id == current_person().id)
    if query.unread:
        stmt = stmt.filter(Reminder.read_at.is_(None))
    rows, nxt = keyset_page(stmt, query, [Reminder.id], order_desc=True, key_of=lambda r: (r.id,))
    return s.Page[s.ReminderOut](data=[reminder_out(r) for r in rows], next=nxt)
