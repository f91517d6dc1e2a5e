"""Hand-over (R-03, 工作交接): disable a person and move their roles, column
grants and open duties to the successor in one transaction, logged."""
from flask import current_app

from .. import audit
from ..extensions import db
from ..items.models import DRAFT, RETURNED, Item
from ..signals import handing_over
from ..sites.models import ColumnGrant
from .models import RoleAssignment


def hand_over(old, new, by):
    if old.id == new.id:
        raise ValueError("接任人不能是本人")
    if not new.active:
        raise ValueError("接任人的账号已停用")
    moved = []
    held = {(m.unit_id, m.role) for m in new.memberships}
    n = 0
    for m in list(old.memberships):
        if (m.unit_id, m.role) not in held:
            db.session.add(RoleAssignment(user_id=new.id, unit_id=m.unit_id, role=m.role))
            held.add((m.unit_id, m.role))
            n += 1
    old.memberships.clear()  # delete-orphan removes the rows
    moved.append(f"角色{n}项")

    have = {(g.column_id, g.permission) for g in new.column_grants}
    n = 0
    for g in list(old.column_grants):
        if (g.column_id, g.permission) not in have:
            db.session.add(ColumnGrant(column_id=g.column_id, user_id=new.id, permission=g.permission,
                                       granted_by_id=by.id))
            have.add((g.column_id, g.permission))
            n += 1
        db.session.delete(g)
    moved.append(f"栏目权限{n}项")

    open_items = db.session.execute(
        db.select(Item).filter(Item.author_id == old.id, Item.status.in_([DRAFT, RETURNED]))
    ).scalars().all()
    for item in open_items:
        item.author_id = new.id
    moved.append(f"未完成稿件{len(open_items)}篇")

    for _receiver, result in handing_over.send(current_app._get_current_object(), old=old, new=new):
        if result:
            moved.append(result)

    old.active = False
    old.successor_id = new.id
    audit.record("handover", old, detail={"from": old.username, "to": new.username, "moved": moved}, user=by)
    db.session.flush()
    return moved
