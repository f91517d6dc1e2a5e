"""Who may see review records, the ledger and the archive.

Inspectors (系统管理员, 网站专管员, 网站管理员, 领导, 科室负责人, 保密审查员) see
the ledger, approval forms and archive of their units and the units below
them; a system admin sees everything. One publication's approval form and
archived version are also open to its author and to anyone who may see the
item's review (the item page links to them)."""
from ..org import roles
from ..org.permissions import can_view_item

INSPECT_ROLES = {roles.SITE_ADMIN, roles.WEBMASTER, roles.LEADER, roles.PRINCIPAL, roles.DEPT_HEAD,
                 roles.SECRECY_REVIEWER}


def inspect_scope(user):
    """None = every unit; otherwise the set of unit ids this person may inspect (maybe empty)."""
    if not user.is_authenticated:
        return set()
    if user.is_sysadmin:
        return None
    ids = set()
    for m in user.memberships:
        if m.role in INSPECT_ROLES:
            ids |= m.unit.descendant_ids()
    return ids


def can_inspect(user, unit_id=None):
    scope = inspect_scope(user)
    if scope is None:
        return True
    return bool(scope) if unit_id is None else unit_id in scope


def can_see_item_review(user, item):
    if not user.is_authenticated:
        return False
    if can_view_item(user, item) or can_inspect(user, item.unit_id):
        return True
    from .models import StepCandidate, ReviewStep
    from ..extensions import db
    return db.session.execute(
        db.select(StepCandidate.id).join(ReviewStep).filter(ReviewStep.item_id == item.id,
                                                            StepCandidate.user_id == user.id).limit(1)
    ).scalar() is not None


def can_see_publication(user, pub):
    """One publication's approval form (page and export) and archived version (R-36, R-38)."""
    if not user.is_authenticated:
        return False
    return can_inspect(user, pub.unit_id) or pub.author_id == user.id or can_see_item_review(user, pub.item)
