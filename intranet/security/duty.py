"""Duty roster (R-99): who watches the sites on holidays, during major events
and sensitive periods. `on_duty(now)` gives the people on duty now, primary
before backup; `alert_recipients(now)` puts them ahead of the security
administrators, so the day's alerts (incidents, veto risks, withdrawals) reach
the person on duty first."""
from .. import clock
from ..extensions import db
from ..org import roles
from ..org.models import RoleAssignment, User
from .models import DutyShift


def shifts_at(now):
    return db.session.execute(
        db.select(DutyShift).filter(DutyShift.starts_at <= now, DutyShift.ends_at > now)
        .order_by(DutyShift.starts_at, DutyShift.id)).scalars().all()


def on_duty(now=None):
    """Active users on duty at `now`: each shift's primary first, then the backups; no duplicates."""
    now = now or clock.now()
    shifts = shifts_at(now)
    people = [s.user for s in shifts] + [s.backup_user for s in shifts if s.backup_user is not None]
    out, seen = [], set()
    for u in people:
        if u.active and u.id not in seen:
            seen.add(u.id)
            out.append(u)
    return out


def security_admins():
    """Active site administrators (网站专管员) first, then system administrators."""
    rows = db.session.execute(
        db.select(User, RoleAssignment.role).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .filter(User.active.is_(True), RoleAssignment.role.in_([roles.SITE_ADMIN, roles.SYSADMIN]))
        .order_by(User.id)).all()
    rank = {roles.SITE_ADMIN: 0, roles.SYSADMIN: 1}
    out, seen = [], set()
    for user, _role in sorted(rows, key=lambda r: (rank[r[1]], r[0].id)):
        if user.id not in seen:
            seen.add(user.id)
            out.append(user)
    return out


def alert_recipients(now=None):
    """Who gets a security alert, in order: the people on duty, then the site
    administrators and system administrators."""
    out = on_duty(now)
    seen = {u.id for u in out}
    for u in security_admins():
        if u.id not in seen:
            seen.add(u.id)
            out.append(u)
    return out


def overlaps(starts_at, ends_at, exclude_id=None):
    stmt = db.select(DutyShift).filter(DutyShift.starts_at < ends_at, DutyShift.ends_at > starts_at)
    if exclude_id:
        stmt = stmt.filter(DutyShift.id != exclude_id)
    return db.session.execute(stmt.order_by(DutyShift.starts_at)).scalars().all()
