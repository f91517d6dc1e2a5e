"""Who may do what with the public's messages.

dispatcher  may draft into the mailbox column (its unit's information officers
            and liaisons, or a grant), heads and leaders of the column's unit,
            or an admin of it: sees every message of the column, assigns them
            to departments (分办), publishes answered ones.
handler     an information officer, liaison or head of the unit the message is
            assigned to: drafts the reply, transfers it, marks escalation.
approver    a head (科室负责人) -- or leader -- of the handling unit, never the
            reply's own author (four-eyes): approves or returns the reply."""
from intranet.org import roles
from intranet.org.permissions import can_draft, manages_unit

HANDLING_ROLES = {roles.OFFICER, roles.LIAISON, roles.DEPT_HEAD}
APPROVING_ROLES = {roles.DEPT_HEAD, roles.LEADER, roles.PRINCIPAL}
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
        or manages_unit(user, message.unit)


def can_route(user, message):
    """Assign (from the mailbox) or transfer (from the department)."""
    from .models import ASSIGNED, RECEIVED
    if message.status == RECEIVED:
        return is_dispatcher(user, message.column)
    if message.status == ASSIGNED:
        return can_handle(user, message) or is_dispatcher(user, message.column)
    return False


def approving_unit(unit):
    """The unit whose head approves replies of `unit`: the unit itself, or --
    when it has no head or leader -- its nearest ancestor that has one."""
    from intranet.extensions import db
    from intranet.org.models import RoleAssignment, User
    for candidate in (unit, *unit.ancestors()):
        has_head = db.session.execute(
            db.select(RoleAssignment.id).join(User).filter(
                RoleAssignment.unit_id == candidate.id, RoleAssignment.role.in_(APPROVING_ROLES),
                User.active.is_(True)).limit(1)).scalar()
        if has_head:
            return candidate
    return unit


def can_approve(user, reply):
    if not user.is_authenticated or reply.author_id == user.id:
        return False
    return bool(_roles_in(user, approving_unit(reply.unit).id) & APPROVING_ROLES)
