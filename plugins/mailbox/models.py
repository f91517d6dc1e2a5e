"""The public's messages (R-70..R-73) in the mailbox plugin's own tables.

mailbox_message  one message from the public, with its query code, the unit
                 handling it, its state, what was late, and -- once published --
                 the privacy-masked public copy of question and reply
mailbox_reply    a reply drafted by the handling unit; it goes through its review
                 chain before the sender (and, unless private, the public) sees it
mailbox_reply_step
                 one step of a reply's review chain (科室负责人, then 局领导 where
                 the column says so): who may decide it, the one decision
                 written on the row (who, when, decision, comment)
mailbox_reply_candidate
                 who may decide an open step (fixed when the step opens)
mailbox_reply_link
                 a signed single-use e-mail decision link (R-35 for replies):
                 bound to one person, one step and the reply text it showed
mailbox_event    the message's history: assigned, transferred, escalated,
                 reply submitted/approved/returned, published ... (staff only)
mailbox_note     internal notes (staff only, never shown to the sender or public)
"""
from sqlalchemy import UniqueConstraint

from intranet import clock
from intranet.extensions import db

RECEIVED = "received"        # waiting to be assigned to a department (分办)
ASSIGNED = "assigned"        # a department is handling it (办理中)
IN_REVIEW = "reply_review"   # a reply is in its review chain (答复审核中)
ANSWERED = "answered"        # the approved reply is given (已答复)
INVALID = "invalid"          # not accepted (不予受理: spam, abuse, not a message)

OPEN = (RECEIVED, ASSIGNED, IN_REVIEW)
STATUS_LABELS = {
    RECEIVED: "待分办",
    ASSIGNED: "办理中",
    IN_REVIEW: "答复审核中",
    ANSWERED: "已答复",
    INVALID: "不予受理",
}
# What the sender sees on the lookup page: no internal steps.
PUBLIC_STATUS_LABELS = {
    RECEIVED: "已收到，正在办理",
    ASSIGNED: "已收到，正在办理",
    IN_REVIEW: "已收到，正在办理",
    ANSWERED: "已答复",
    INVALID: "不予受理",
}

# The reply review chains a mailbox column can have (setting `reply_review`, review.py)
REPLY_CHAINS = {
    "head_leader": "科室负责人审核 → 局领导审核（上级单位分管领导）",
    "head_own_leader": "科室负责人审核 → 分管领导审核（承办单位分管领导）",
    "head": "仅科室负责人审核（一级审核）",
}

KINDS = {
    "consult": "在线咨询",
    "director": "局长信箱",
    "complaint": "投诉举报",
    "suggestion": "意见建议",
}


class Message(db.Model):
    __tablename__ = "mailbox_message"
    id = db.Column(db.Integer, primary_key=True)
    column_id = db.Column(db.Integer, db.ForeignKey("site_column.id"), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), nullable=False, index=True)  # handling unit
    kind = db.Column(db.String(16), nullable=False)
    query_code = db.Column(db.String(16), nullable=False, unique=True)
    captcha_nonce = db.Column(db.String(32), unique=True)  # a solved captcha works once

    sender_name = db.Column(db.String(100), nullable=False)
    sender_contact = db.Column(db.String(200), nullable=False)
    sender_address = db.Column(db.String(64), nullable=False, default="", index=True)  # for rate limiting
    subject = db.Column(db.String(200), nullable=False)
    text = db.Column(db.Text, nullable=False)
    wants_privacy = db.Column(db.Boolean, nullable=False, default=False)  # never public when set
    attachment_filename = db.Column(db.String(255))
    attachment_stored = db.Column(db.String(255))
    attachment_mime = db.Column(db.String(100))
    attachment_size = db.Column(db.Integer)

    status = db.Column(db.String(16), nullable=False, default=RECEIVED, index=True)
    received_at = db.Column(db.DateTime, nullable=False, index=True)
    assigned_at = db.Column(db.DateTime)            # first assignment to a department
    transfer_late = db.Column(db.Boolean)           # an assignment/transfer after the transfer deadline
    escalated_at = db.Column(db.DateTime)           # marked as needing escalation (逐级请示)
    escalation_note = db.Column(db.Text, default="")
    escalation_late = db.Column(db.Boolean)
    replied_at = db.Column(db.DateTime)             # the reply approved and given to the sender
    reply_due_date = db.Column(db.Date)             # the deadline that applied when it was answered
    reply_late = db.Column(db.Boolean, index=True)
    invalid_reason = db.Column(db.String(500), default="")

    is_public = db.Column(db.Boolean, nullable=False, default=False, index=True)
    public_at = db.Column(db.DateTime)
    public_name = db.Column(db.String(100), default="")
    public_subject = db.Column(db.String(200), default="")
    public_text = db.Column(db.Text, default="")
    public_reply = db.Column(db.Text, default="")
    faq_item_id = db.Column(db.Integer, db.ForeignKey("item.id", ondelete="SET NULL"))

    column = db.relationship("Column")
    unit = db.relationship("Unit")
    faq_item = db.relationship("Item")
    replies = db.relationship("Reply", back_populates="message", order_by="Reply.id", cascade="all, delete-orphan")
    events = db.relationship("Event", back_populates="message", order_by="Event.id", cascade="all, delete-orphan")
    notes = db.relationship("Note", back_populates="message", order_by="Note.id", cascade="all, delete-orphan")

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def public_status_label(self):
        return PUBLIC_STATUS_LABELS.get(self.status, "")

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)

    @property
    def is_open(self):
        return self.status in OPEN

    @property
    def approved_reply(self):
        for reply in reversed(self.replies):
            if reply.status == Reply.APPROVED:
                return reply
        return None

    @property
    def pending_reply(self):
        for reply in reversed(self.replies):
            if reply.status == Reply.SUBMITTED:
                return reply
        return None

    @property
    def formatted_code(self):
        c = self.query_code
        return "-".join(c[i:i + 4] for i in range(0, len(c), 4))


class Reply(db.Model):
    """A reply and its review. `reviewer`, `reviewed_at` and `review_comment`
    are the decision that ended the review (the last step's approval, or the
    return or rejection); every step's decision is on its `steps` row."""
    __tablename__ = "mailbox_reply"
    SUBMITTED, APPROVED, RETURNED, REJECTED = "submitted", "approved", "returned", "rejected"
    LABELS = {SUBMITTED: "审核中", APPROVED: "已审核通过", RETURNED: "退回修改", REJECTED: "不予采用"}
    id = db.Column(db.Integer, primary_key=True)
    message_id = db.Column(db.Integer, db.ForeignKey("mailbox_message.id"), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), nullable=False)
    author_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False)
    text = db.Column(db.Text, nullable=False)
    publish_requested = db.Column(db.Boolean, nullable=False, default=True)
    status = db.Column(db.String(16), nullable=False, default=SUBMITTED)
    submitted_at = db.Column(db.DateTime, nullable=False)
    reviewer_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    reviewed_at = db.Column(db.DateTime)
    review_comment = db.Column(db.Text, default="")

    message = db.relationship("Message", back_populates="replies")
    unit = db.relationship("Unit")
    author = db.relationship("User", foreign_keys=[author_id])
    reviewer = db.relationship("User", foreign_keys=[reviewer_id])
    steps = db.relationship("ReplyStep", back_populates="reply", order_by="ReplyStep.position",
                            cascade="all, delete-orphan")

    @property
    def status_label(self):
        return self.LABELS.get(self.status, self.status)

    @property
    def open_step(self):
        return next((s for s in self.steps if s.status == STEP_OPEN), None)


# Reply review steps: the statuses and decisions of the review engine (intranet.review.models)
STEP_PENDING, STEP_OPEN, STEP_APPROVED, STEP_RETURNED, STEP_REJECTED, STEP_CANCELLED = (
    "pending", "open", "approved", "returned", "rejected", "cancelled")
STEP_LABELS = {STEP_PENDING: "未开始", STEP_OPEN: "待审核", STEP_APPROVED: "已同意", STEP_RETURNED: "已退回修改",
               STEP_REJECTED: "不予采用", STEP_CANCELLED: "未进行"}
APPROVE, APPROVE_COMMENT, RETURN, REJECT = "approve", "approve_comment", "return", "reject"
DECISION_LABELS = {APPROVE: "同意", APPROVE_COMMENT: "同意（附意见）", RETURN: "退回修改", REJECT: "不予采用"}


class ReplyStep(db.Model):
    """One step of a reply's review chain. The decision is written on the row by
    one conditional UPDATE (status 'open' -> decided): two reviewers deciding at
    once record exactly one decision."""
    __tablename__ = "mailbox_reply_step"
    __table_args__ = (UniqueConstraint("reply_id", "position", name="uq_mailbox_reply_step_position"),)
    id = db.Column(db.Integer, primary_key=True)
    reply_id = db.Column(db.Integer, db.ForeignKey("mailbox_reply.id"), nullable=False, index=True)
    message_id = db.Column(db.Integer, db.ForeignKey("mailbox_message.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    kind = db.Column(db.String(16), nullable=False)       # dept_head | leader (intranet.review.chains kinds)
    label = db.Column(db.String(64), nullable=False)      # 科室负责人审核, 局领导审核 ...
    role = db.Column(db.String(32), nullable=False)       # the role asked (a more senior one stands in, see review.py)
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"))  # the unit the step points at
    status = db.Column(db.String(16), nullable=False, default=STEP_PENDING, index=True)
    opened_at = db.Column(db.DateTime)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    decided_at = db.Column(db.DateTime)
    decision = db.Column(db.String(16))
    comment = db.Column(db.Text, default="")
    note = db.Column(db.String(300), default="")          # e.g. nobody to ask; who stood in

    reply = db.relationship("Reply", back_populates="steps")
    unit = db.relationship("Unit")
    decided_by = db.relationship("User")
    candidates = db.relationship("ReplyCandidate", back_populates="step", order_by="ReplyCandidate.user_id",
                                 cascade="all, delete-orphan")

    @property
    def status_label(self):
        return STEP_LABELS.get(self.status, self.status)

    @property
    def decision_label(self):
        return DECISION_LABELS.get(self.decision, "")


class ReplyCandidate(db.Model):
    """Who may decide an open reply review step."""
    __tablename__ = "mailbox_reply_candidate"
    __table_args__ = (UniqueConstraint("step_id", "user_id", name="uq_mailbox_reply_candidate_step_user"),)
    id = db.Column(db.Integer, primary_key=True)
    step_id = db.Column(db.Integer, db.ForeignKey("mailbox_reply_step.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)

    step = db.relationship("ReplyStep", back_populates="candidates")
    user = db.relationship("User")


class ReplyLink(db.Model):
    """One e-mailed decision link on a reply review step (links.py): bound to
    one person, one step, the reply's text (its SHA-256) and one action; used once."""
    __tablename__ = "mailbox_reply_link"
    id = db.Column(db.Integer, primary_key=True)
    nonce = db.Column(db.String(32), nullable=False, unique=True)
    step_id = db.Column(db.Integer, db.ForeignKey("mailbox_reply_step.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    text_sha256 = db.Column(db.String(64), nullable=False)
    action = db.Column(db.String(16), nullable=False)  # approve | return | reject
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    expires_at = db.Column(db.DateTime, nullable=False)
    used_at = db.Column(db.DateTime)

    step = db.relationship("ReplyStep")
    user = db.relationship("User")


class Event(db.Model):
    __tablename__ = "mailbox_event"
    LABELS = {
        "received": "收到来信", "assigned": "分办", "transferred": "转办", "escalated": "标记需逐级请示",
        "reply_submitted": "提交答复审核", "reply_step_approved": "答复审核环节同意",
        "reply_approved": "答复审核通过", "reply_returned": "答复退回修改", "reply_rejected": "答复不予采用",
        "published": "公开", "unpublished": "取消公开", "invalid": "不予受理", "faq": "转为常见问题",
    }
    id = db.Column(db.Integer, primary_key=True)
    message_id = db.Column(db.Integer, db.ForeignKey("mailbox_message.id"), nullable=False, index=True)
    at = db.Column(db.DateTime, nullable=False, default=clock.now)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    action = db.Column(db.String(32), nullable=False)
    from_unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"))
    to_unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"))
    note = db.Column(db.Text, default="")
    late = db.Column(db.Boolean)

    message = db.relationship("Message", back_populates="events")
    user = db.relationship("User")
    from_unit = db.relationship("Unit", foreign_keys=[from_unit_id])
    to_unit = db.relationship("Unit", foreign_keys=[to_unit_id])

    @property
    def label(self):
        return self.LABELS.get(self.action, self.action)


class Note(db.Model):
    """An internal note: staff only, never shown to the sender or the public."""
    __tablename__ = "mailbox_note"
    id = db.Column(db.Integer, primary_key=True)
    message_id = db.Column(db.Integer, db.ForeignKey("mailbox_message.id"), nullable=False, index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=clock.now)
    text = db.Column(db.Text, nullable=False)

    message = db.relationship("Message", back_populates="notes")
    author = db.relationship("User")
