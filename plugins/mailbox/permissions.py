"""Who may do what with the public's messages.

dispatcher  may draft into the mailbox column (its unit's information officers
            and liaisons, or a grant), heads and leaders of the column's unit,
            or an admin of it: sees every message of the column, assigns them
            to departments (分办), publishes answered ones.
handler     an information officer, liaison or head of the unit the message is
            assigned to: drafts the reply, transfers it, marks escalation.
reviewer    a candidate of the open step of the reply's review chain (review.py:
            科室负责人, then 局领导 where the column says so), never the reply's
            own author nor the decider of another step: approves, returns or
            rejects the reply, and sees the message while it waits for them."""
from intranet.org import roles
from intranet.org.permissions import can_draft, manages_unit

HANDLING_ROLES = {roles.OFFICER, roles.LIAISON, roles.DEPT_HEAD}
OVERSEEING_ROLES = {roles.DEPT_HEAD, roles.LEADER, roles.PRINCIPAL}


def _roles_in(user, unit_id):
    return {m.role for m in user.memberships if m.unit_id == unit_id}


def is_dispatcher(user, column):
    if not user.is_authenticated:
        return False
    return (can_draft(user, column) or manages_unit(user, column.unit)
            or bool(_roles_in(user, column.unit_id) & OVERSEEING_ROLES))


def can_handle(user, message):
    if not user.is_authenticated:
        return False
    if _roles_in(user, message.unit_id) & HANDLING_ROLES:
        return True
    return message.unit_id == message.column.unit_id and is_dispatcher(user, message.column)


def can_view(user, message):
    if not user.is_authenticated:
        return False
    if is_dispatcher(user, message.column) or can_handle(user, message):
        return True
    unit_ids = {message.unit_id, *(u.id for u in message.unit.ancestors())}
    return any(m.unit_id in unit_ids and m.role in OVERSEEING_ROLES for m in user.memberships) \
        or manages_unit(user, message.unit) or is_reply_reviewer(user, message)


def can_route(user, message):
    """Assign (from the mailbox) or transfer (from the department)."""
    from .models import ASSIGNED, RECEIVED
    if message.status == RECEIVED:
        return is_dispatcher(user, message.column)
    if message.status == ASSIGNED:
        return can_handle(user, message) or is_dispatcher(user, message.column)
    return False


def is_reply_reviewer(user, message):
    """A candidate or decider of a step of one of the message's replies."""
    from .models import ReplyCandidate, ReplyStep
    from intranet.extensions import db
    return db.session.execute(
        db.select(ReplyStep.id).outerjoin(ReplyCandidate, ReplyCandidate.step_id == ReplyStep.id)
        .filter(ReplyStep.message_id == message.id,
                db.or_(ReplyCandidate.user_id == user.id, ReplyStep.decided_by_id == user.id)).limit(1)
    ).scalar() is not None


def can_approve(user, reply):
    """May `user` decide the reply's open review step now (review.can_decide)?"""
    from .review import can_decide
    return can_decide(user, reply)
