"""Who may do what (R-01..R-03). Column permissions: an explicit grant, or a
drafting role (信息员/信息联络员) in the column's responsible unit. Admins
(system admin, or webmaster/site admin of the site's unit or an ancestor) manage
everything below them."""
from functools import wraps

from flask import abort
from flask_login import current_user

from . import roles


ADMIN_ROLES = (roles.SYSADMIN, roles.WEBMASTER, roles.SITE_ADMIN)


def _admin_units(user):
    return {m.unit_id for m in user.memberships if m.role in ADMIN_ROLES}


def is_admin(user):
    return user.is_authenticated and (user.is_sysadmin or bool(_admin_units(user)))


def manages_unit(user, unit):
    """Sysadmin, or webmaster/site admin of `unit` or one of its ancestors."""
    if not user.is_authenticated:
        return False
    if user.is_sysadmin:
        return True
    admin_units = _admin_units(user)
    return unit.id in admin_units or any(u.id in admin_units for u in unit.ancestors())


def _granted(user, column, permission):
    return any(g.user_id == user.id and g.permission == permission for g in column.grants)


def unit_scope(user, held_roles):
    """The units whose rows a person sees on organisation-wide pages (statistics,
    the outbox) through one of `held_roles` (分级负责, R-01): None for every unit
    (a system admin, or someone holding such a role in every root unit); else
    the ids of the units where they hold one of the roles and of every unit
    below them -- an empty set when they hold none."""
    if not user.is_authenticated:
        return set()
    if user.is_sysadmin:
        return None
    held = {m.unit for m in user.memberships if m.role in held_roles}
    if not held:
        return set()
    from ..extensions import db
    from .models import Unit
    roots = set(db.session.execute(db.select(Unit.id).where(Unit.parent_id.is_(None))).scalars())
    if roots <= {u.id for u in held}:
        return None
    ids = set()
    for unit in held:
        ids |= unit.descendant_ids()
    return ids


def admin_scope(user):
    """unit_scope for the admin pages: the units a system admin, webmaster or site admin manages."""
    return unit_scope(user, ADMIN_ROLES)


def members_of(unit_ids):
    """A select of the ids of the people holding any role in these units (for `IN`)."""
    from ..extensions import db
    from .models import RoleAssignment
    return db.select(RoleAssignment.user_id).where(RoleAssignment.unit_id.in_(list(unit_ids) or [-1]))


def can_draft(user, column):
    if not user.is_authenticated or column.archived:
        return False
    if _granted(user, column, "draft"):
        return True
    return any(m.unit_id == column.unit_id and m.role in roles.DRAFTING_ROLES for m in user.memberships)


def can_review(user, column):
    return user.is_authenticated and _granted(user, column, "review")


def can_publish(user, column):
    if not user.is_authenticated:
        return False
    return _granted(user, column, "publish") or any(
        m.role == roles.WEBMASTER and (m.unit_id == column.site.unit_id or m.unit_id in
                                       {u.id for u in column.site.unit.ancestors()})
        for m in user.memberships)


def can_manage_column(user, column):
    return manages_unit(user, column.site.unit)


def can_edit_item(user, item):
    """Author, or anyone who may draft into the item's column, while it is editable."""
    from ..items.models import EDITABLE
    if item.status not in EDITABLE:
        return False
    return item.author_id == user.id or can_draft(user, item.column)


def can_view_item(user, item):
    if not user.is_authenticated:
        return False
    if item.author_id == user.id or can_draft(user, item.column) or can_review(user, item.column):
        return True
    if manages_unit(user, item.unit):
        return True
    # Reviewers in the item's unit or above (科室负责人, 领导, 保密审查员 ...) see its items.
    review_roles = {roles.DEPT_HEAD, roles.LEADER, roles.PRINCIPAL, roles.SECRECY_REVIEWER, roles.PROOFREADER}
    unit_ids = {item.unit_id, *(u.id for u in item.unit.ancestors())}
    return any(m.role in review_roles and m.unit_id in unit_ids for m in user.memberships)


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_admin(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def sysadmin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not (current_user.is_authenticated and current_user.is_sysadmin):
            abort(403)
        return view(*args, **kwargs)
    return wrapper
