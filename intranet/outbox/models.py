"""The durable outbox (R-84): every message to deliver is a row; dispatchers on
any node claim rows, deliver them, and retry with backoff. A row whose claim
expired (its worker died) is claimed again: delivery is at least once, and the
dedupe key makes repeats harmless on our side."""
from .. import clock
from ..extensions import db

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
STATUS_LABELS = {PENDING: "待发送", SENDING: "发送中", SENT: "已发送", FAILED: "发送失败", CANCELLED: "已取消"}
CHANNEL_LABELS = {"wecom": "企业微信", "email": "邮件"}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (db.Index("ix_outbox_message_due", "status", "next_attempt_at"),)
    id = db.Column(db.Integer, primary_key=True)
    dedupe_key = db.Column(db.String(200), nullable=False, unique=True)
    channel = db.Column(db.String(16), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), index=True)
    recipient = db.Column(db.String(200), nullable=False)  # WeCom userid or e-mail address at enqueue time
    subject = db.Column(db.String(300), nullable=False)
    text = db.Column(db.Text, nullable=False)
    html = db.Column(db.Text, default="")
    url = db.Column(db.String(500), default="")
    urgent = db.Column(db.Boolean, nullable=False, default=False)
    status = db.Column(db.String(16), nullable=False, default=PENDING)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=False)
    claim_token = db.Column(db.String(64), index=True)
    claimed_until = db.Column(db.DateTime)
    last_error = db.Column(db.String(500), default="")
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    sent_at = db.Column(db.DateTime, index=True)

    user = db.relationship("User")

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)


class KeyValue(db.Model):
    """Small shared state for several processes: the WeCom access token, leases."""
    __tablename__ = "kv_store"
    key = db.Column(db.String(200), primary_key=True)
    value = db.Column(db.Text, nullable=False, default="")
    expires_at = db.Column(db.DateTime)
