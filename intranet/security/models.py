"""Tables of security operations: settings editable by admins, signed-in
sessions (R-04), incidents (R-97), responsibility letters (R-98) and the duty
roster (R-99)."""
import json

from .. import clock
from ..extensions import db


class SecuritySetting(db.Model):
    """A setting an admin may change on a page (audit retention, office
    networks). The value is JSON; app.config holds the default."""
    __tablename__ = "security_setting"
    key = db.Column(db.String(64), primary_key=True)
    value_json = db.Column(db.Text, nullable=False, default="null")
    updated_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))

    @property
    def value(self):
        return json.loads(self.value_json)


class UserSession(db.Model):
    """One sign-in: where from, when last seen, when it ended (R-04)."""
    __tablename__ = "user_session"
    id = db.Column(db.Integer, primary_key=True)
    sid = db.Column(db.String(64), unique=True, nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    ip = db.Column(db.String(64), nullable=False, default="")
    user_agent = db.Column(db.String(300), default="")
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    last_seen_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    ended_at = db.Column(db.DateTime, index=True)
    end_reason = db.Column(db.String(32), default="")  # logout, idle, expired, ended_by_admin, account_disabled
    # Concurrent sign-in from another address: the other session's address, and
    # whether the person has seen the warning in this session yet.
    concurrent_with = db.Column(db.String(300), default="")
    warning_shown = db.Column(db.Boolean, nullable=False, default=True)

    user = db.relationship("User")

    @property
    def active(self):
        return self.ended_at is None


INCIDENT_KINDS = {
    "defacement": "网页篡改",
    "intrusion": "非法入侵",
    "leak": "信息泄露",
    "outage": "网站中断",
    "virus": "病毒/恶意代码",
}
INCIDENT_STATUS = {"open": "待报告", "reported": "已报告", "closed": "已结案", "dismissed": "误报"}
ACTION_KINDS = {
    "registered": "登记",
    "note": "处置记录",
    "contained": "已控制",
    "restored": "已恢复",
    "reported": "已上报",
    "item_linked": "关联撤回信息",
    "closed": "结案",
    "dismissed": "认定误报",
}


class Incident(db.Model):
    """A security incident (R-97): reported to the supervising authority within
    24 hours of discovery (000 附件2 §4)."""
    __tablename__ = "security_incident"
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(16), nullable=False, index=True)
    title = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    site_id = db.Column(db.Integer, db.ForeignKey("site.id"))
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), index=True)
    discovered_at = db.Column(db.DateTime, nullable=False)
    report_due_at = db.Column(db.DateTime, nullable=False, index=True)
    registered_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    registered_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False)
    status = db.Column(db.String(16), nullable=False, default="open", index=True)
    reported_at = db.Column(db.DateTime)
    reported_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    reported_to = db.Column(db.String(200), default="")
    closed_at = db.Column(db.DateTime)

    site = db.relationship("Site")
    unit = db.relationship("Unit")
    registered_by = db.relationship("User", foreign_keys=[registered_by_id])
    reported_by = db.relationship("User", foreign_keys=[reported_by_id])
    actions = db.relationship("IncidentAction", back_populates="incident", order_by="IncidentAction.id",
                              cascade="all, delete-orphan")
    items = db.relationship("Item", secondary="security_incident_item", order_by="Item.id")

    @property
    def kind_label(self):
        return INCIDENT_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self):
        return INCIDENT_STATUS.get(self.status, self.status)

    @property
    def awaiting_report(self):
        return self.reported_at is None and self.status == "open"

    def overdue(self, now):
        return self.awaiting_report and now >= self.report_due_at


class IncidentAction(db.Model):
    """One entry of an incident's timeline."""
    __tablename__ = "security_incident_action"
    id = db.Column(db.Integer, primary_key=True)
    incident_id = db.Column(db.Integer, db.ForeignKey("security_incident.id"), nullable=False, index=True)
    at = db.Column(db.DateTime, nullable=False, default=clock.now)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    kind = db.Column(db.String(16), nullable=False)
    text = db.Column(db.Text, nullable=False, default="")

    incident = db.relationship("Incident", back_populates="actions")
    user = db.relationship("User")

    @property
    def kind_label(self):
        return ACTION_KINDS.get(self.kind, self.kind)


incident_item = db.Table(
    "security_incident_item",
    db.Column("incident_id", db.Integer, db.ForeignKey("security_incident.id"), primary_key=True),
    db.Column("item_id", db.Integer, db.ForeignKey("item.id"), primary_key=True),
)


class LetterTemplate(db.Model):
    """A version of the responsibility letter text (R-98). Edits add a version;
    signatures point at the version they signed."""
    __tablename__ = "security_letter_template"
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200), nullable=False)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))

    created_by = db.relationship("User")


class LetterSignature(db.Model):
    """A unit head's recorded acknowledgement of the letter for one year."""
    __tablename__ = "security_letter_signature"
    id = db.Column(db.Integer, primary_key=True)
    year = db.Column(db.Integer, nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    template_id = db.Column(db.Integer, db.ForeignKey("security_letter_template.id"), nullable=False)
    text_sha256 = db.Column(db.String(64), nullable=False)
    signed_at = db.Column(db.DateTime, nullable=False)
    ip = db.Column(db.String(64), default="")
    role = db.Column(db.String(32), nullable=False)
    voided_at = db.Column(db.DateTime)
    void_reason = db.Column(db.String(200), default="")

    unit = db.relationship("Unit")
    user = db.relationship("User")
    template = db.relationship("LetterTemplate")


DUTY_KINDS = {"holiday": "节假日", "major_event": "重大活动", "sensitive": "敏感时期", "routine": "日常值守"}


class DutyShift(db.Model):
    """Who watches the sites during a period (R-99). The on-duty person gets the
    day's alerts first; the backup after them."""
    __tablename__ = "duty_shift"
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(16), nullable=False, default="holiday")
    title = db.Column(db.String(200), nullable=False)
    starts_at = db.Column(db.DateTime, nullable=False, index=True)
    ends_at = db.Column(db.DateTime, nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    backup_user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    phone = db.Column(db.String(50), default="")
    note = db.Column(db.String(500), default="")
    created_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    user = db.relationship("User", foreign_keys=[user_id])
    backup_user = db.relationship("User", foreign_keys=[backup_user_id])

    @property
    def kind_label(self):
        return DUTY_KINDS.get(self.kind, self.kind)
