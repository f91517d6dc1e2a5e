"""Units (a tree of any depth, R-01), people, and the roles they hold per unit
(R-02)."""
from .. import clock

from flask_login import UserMixin
from sqlalchemy import UniqueConstraint

from ..extensions import db
from . import roles


class Unit(db.Model):
    __tablename__ = "unit"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    code = db.Column(db.String(64), unique=True, nullable=False)
    parent_id = db.Column(db.Integer, db.ForeignKey("unit.id"), index=True)
    kind = db.Column(db.String(32), nullable=False, default="department")
    contact_name = db.Column(db.String(100), default="")
    contact_phone = db.Column(db.String(50), default="")
    contact_email = db.Column(db.String(200), default="")
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)
    # set by the staleness sweep when all the unit's columns are long stale.
    portal_link_hidden = db.Column(db.Boolean, nullable=False, default=False)

    parent = db.relationship("Unit", remote_side=[id], backref=db.backref("children", order_by="Unit.sort_order"))

    KINDS = {
        "city": "市级单位",
        "district": "区县",
        "community": "社区/基层",
        "bureau": "局/委办",
        "department": "科室/部门",
        "enterprise": "企业",
    }

    def ancestors(self):
        """Parents from the nearest up to the root."""
        out, node, seen = [], self.parent, {self.id}
        while node is not None and node.id not in seen:
            out.append(node)
            seen.add(node.id)
            node = node.parent
        return out

    def path_name(self):
        return " / ".join(u.name for u in reversed([self, *self.ancestors()]))

    def descendant_ids(self):
        ids, frontier = {self.id}, [self]
        while frontier:
            node = frontier.pop()
            for child in node.children:
                if child.id not in ids:
                    ids.add(child.id)
                    frontier.append(child)
        return ids

    def __repr__(self):
        return f"<Unit {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), unique=True, nullable=False)
    name = db.Column(db.String(100), nullable=False)
    email = db.Column(db.String(200), default="")
    phone = db.Column(db.String(50), default="")
    wecom_userid = db.Column(db.String(64), unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    password_changed_at = db.Column(db.DateTime, nullable=False)
    must_change_password = db.Column(db.Boolean, nullable=False, default=False)
    failed_logins = db.Column(db.Integer, nullable=False, default=0)
    locked_until = db.Column(db.DateTime)
    active = db.Column(db.Boolean, nullable=False, default=True)
    successor_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    # Channels this person wants reminders on; the in-app inbox is always on.
    notify_wecom = db.Column(db.Boolean, nullable=False, default=True)
    notify_email = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    last_login_at = db.Column(db.DateTime)
    last_login_ip = db.Column(db.String(64))

    memberships = db.relationship("RoleAssignment", back_populates="user", cascade="all, delete-orphan")
    successor = db.relationship("User", remote_side=[id])

    @property
    def is_active(self):  # Flask-Login: disabled accounts cannot sign in
        return self.active

    @property
    def is_sysadmin(self):
        return any(m.role == roles.SYSADMIN for m in self.memberships)

    def has_role(self, role, unit=None):
        """True if the person holds `role` in `unit` (any unit when None)."""
        for m in self.memberships:
            if m.role == role and (unit is None or m.unit_id == unit.id):
                return True
        return False

    def units_with_role(self, role):
        return [m.unit for m in self.memberships if m.role == role]

    def unit_ids(self):
        return {m.unit_id for m in self.memberships}

    def role_labels(self):
        return [f"{m.unit.name}·{roles.LABELS.get(m.role, m.role)}" for m in self.memberships]

    def __repr__(self):
        return f"<User {self.username}>"


class RoleAssignment(db.Model):
    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "unit_id", "role", name="uq_role_assignment_user_unit_role"),)
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), nullable=False, index=True)
    role = db.Column(db.String(32), nullable=False)

    user = db.relationship("User", back_populates="memberships")
    unit = db.relationship("Unit")

    @property
    def label(self):
        return roles.LABELS.get(self.role, self.role)


class PasswordHistory(db.Model):
    """Previous password hashes, so the last N are never reused (R-04)."""
    __tablename__ = "password_history"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    password_hash = db.Column(db.String(255), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False)
