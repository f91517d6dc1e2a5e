"""Review and publication tables (R-30..R-40).

Configuration: `review_chain` / `review_chain_step` (a chain per column and
importance; columns without one inherit from their parent column, and the
built-in default of chains.py applies at the top).

Running: a submission is a `review_run` (one per submission of one revision)
with its `review_step` rows; `review_step_candidate` says who may decide an
open step; the decision is written on the step row itself by one conditional
UPDATE (status 'open' -> decided), so two people deciding at once record
exactly one decision. `review_secrecy_record` keeps the secrecy reviewer's
decisions separately (R-33). `review_link` rows make each email decision link
single-use (R-35). `review_seen` is the revision each person last decided on,
the base of the diff they are shown (R-22).

Publishing: `review_publication` (+ `review_publication_file`) is the archive
(R-38): one immutable copy per publication, files copied to the archive
directory. `review_ledger` is the append-only ledger (R-37)."""
import json

from sqlalchemy import UniqueConstraint, event

from .. import clock
from ..extensions import db

# Step statuses
PENDING = "pending"      # not reached yet
OPEN = "open"            # waiting for a decision
APPROVED = "approved"
RETURNED = "returned"
REJECTED = "rejected"
SKIPPED = "skipped"
CANCELLED = "cancelled"  # the chain restarted (item edited) before this step was decided

STEP_STATUS_LABELS = {PENDING: "未开始", OPEN: "待审核", APPROVED: "已通过", RETURNED: "已退回",
                      REJECTED: "不予发布", SKIPPED: "已跳过", CANCELLED: "已作废（稿件已修改）"}

# Decisions
APPROVE = "approve"
APPROVE_COMMENT = "approve_comment"
RETURN = "return"
REJECT = "reject"
DECISION_LABELS = {APPROVE: "同意", APPROVE_COMMENT: "同意（附意见）", RETURN: "退回修改", REJECT: "不予发布"}
PUBLISH_DECISION_LABELS = {APPROVE: "同意发布", APPROVE_COMMENT: "同意发布（附意见）", RETURN: "退回修改",
                           REJECT: "不予发布"}

# Run statuses
RUN_ACTIVE = "active"
RUN_APPROVED = "approved"
RUN_RETURNED = "returned"
RUN_REJECTED = "rejected"
RUN_RESTARTED = "restarted"
RUN_STATUS_LABELS = {RUN_ACTIVE: "审核中", RUN_APPROVED: "审核通过", RUN_RETURNED: "退回修改",
                     RUN_REJECTED: "不予发布", RUN_RESTARTED: "稿件修改后重新审核"}

# Ledger actions
LEDGER_PUBLISH = "publish"
LEDGER_REPUBLISH = "republish"
LEDGER_WITHDRAW = "withdraw"
LEDGER_EXPIRE = "expire"
LEDGER_LABELS = {LEDGER_PUBLISH: "发布", LEDGER_REPUBLISH: "更新发布", LEDGER_WITHDRAW: "撤回",
                 LEDGER_EXPIRE: "过期下线"}


class ReviewChain(db.Model):
    """The review chain of one column for one importance level (R-31)."""
    __tablename__ = "review_chain"
    __table_args__ = (UniqueConstraint("column_id", "importance", name="uq_review_chain_column_importance"),)
    id = db.Column(db.Integer, primary_key=True)
    column_id = db.Column(db.Integer, db.ForeignKey("site_column.id"), nullable=False, index=True)
    importance = db.Column(db.String(16), nullable=False)
    updated_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))

    column = db.relationship("Column")
    steps = db.relationship("ChainStep", back_populates="chain", order_by="ChainStep.position",
                            cascade="all, delete-orphan")


class ChainStep(db.Model):
    """One configured step: a kind, and the role in a unit relative to the item's unit."""
    __tablename__ = "review_chain_step"
    id = db.Column(db.Integer, primary_key=True)
    chain_id = db.Column(db.Integer, db.ForeignKey("review_chain.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    kind = db.Column(db.String(32), nullable=False)
    unit_ref = db.Column(db.String(16), nullable=False, default="own")  # own | parent | named | site
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"))           # for unit_ref == named
    role = db.Column(db.String(32), nullable=False)

    chain = db.relationship("ReviewChain", back_populates="steps")
    unit = db.relationship("Unit")


class ReviewRun(db.Model):
    """One submission of one revision through a chain."""
    __tablename__ = "review_run"
    __table_args__ = (UniqueConstraint("item_id", "number", name="uq_review_run_item_number"),)
    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    revision_no = db.Column(db.Integer, nullable=False)
    importance = db.Column(db.String(16), nullable=False)
    chain_source = db.Column(db.String(300), nullable=False, default="")
    status = db.Column(db.String(16), nullable=False, default=RUN_ACTIVE, index=True)
    submitted_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False)
    submitted_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    finished_at = db.Column(db.DateTime)

    item = db.relationship("Item", backref=db.backref("review_runs", order_by="ReviewRun.number",
                                                      cascade="all, delete-orphan"))
    submitted_by = db.relationship("User")
    steps = db.relationship("ReviewStep", back_populates="run", order_by="ReviewStep.position",
                            cascade="all, delete-orphan")

    @property
    def status_label(self):
        return RUN_STATUS_LABELS.get(self.status, self.status)


class ReviewStep(db.Model):
    """One step of one run. The decision is written here, once (status open -> decided)."""
    __tablename__ = "review_step"
    id = db.Column(db.Integer, primary_key=True)
    run_id = db.Column(db.Integer, db.ForeignKey("review_run.id"), nullable=False, index=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    kind = db.Column(db.String(32), nullable=False)
    label = db.Column(db.String(100), nullable=False)
    role = db.Column(db.String(32), nullable=False)
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"))
    status = db.Column(db.String(16), nullable=False, default=PENDING, index=True)
    note = db.Column(db.String(200), default="")
    opened_at = db.Column(db.DateTime)
    decided_at = db.Column(db.DateTime)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), index=True)
    decision = db.Column(db.String(16))
    comment = db.Column(db.Text, default="")
    revision_no = db.Column(db.Integer)       # the revision the decision was made on
    via = db.Column(db.String(8))             # web | email

    run = db.relationship("ReviewRun", back_populates="steps")
    item = db.relationship("Item")
    unit = db.relationship("Unit")
    decided_by = db.relationship("User")
    candidates = db.relationship("StepCandidate", back_populates="step", cascade="all, delete-orphan")
    links = db.relationship("DecisionLink", back_populates="step", cascade="all, delete-orphan")

    @property
    def status_label(self):
        return STEP_STATUS_LABELS.get(self.status, self.status)

    @property
    def decision_label(self):
        labels = PUBLISH_DECISION_LABELS if self.kind == "publish" else DECISION_LABELS
        return labels.get(self.decision, "") if self.decision else ""

    def candidate_users(self):
        return [c.user for c in self.candidates]


class StepCandidate(db.Model):
    """Who may decide an open step (resolved from role and unit when it opens)."""
    __tablename__ = "review_step_candidate"
    __table_args__ = (UniqueConstraint("step_id", "user_id", name="uq_review_step_candidate_step_user"),)
    id = db.Column(db.Integer, primary_key=True)
    step_id = db.Column(db.Integer, db.ForeignKey("review_step.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)

    step = db.relationship("ReviewStep", back_populates="candidates")
    user = db.relationship("User")


class DecisionLink(db.Model):
    """One emailed decision link (R-35): bound to person, step, revision and action; used once."""
    __tablename__ = "review_link"
    id = db.Column(db.Integer, primary_key=True)
    nonce = db.Column(db.String(32), nullable=False, unique=True)
    step_id = db.Column(db.Integer, db.ForeignKey("review_step.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    revision_no = db.Column(db.Integer, nullable=False)
    action = db.Column(db.String(16), nullable=False)  # approve | return | reject
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    expires_at = db.Column(db.DateTime, nullable=False)
    used_at = db.Column(db.DateTime)

    step = db.relationship("ReviewStep", back_populates="links")
    user = db.relationship("User")


class ReviewSeen(db.Model):
    """The revision a person last decided on, per item: the base of their diff (R-22)."""
    __tablename__ = "review_seen"
    __table_args__ = (UniqueConstraint("user_id", "item_id", name="uq_review_seen_user_item"),)
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id"), nullable=False, index=True)
    revision_no = db.Column(db.Integer, nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=clock.now)

    item = db.relationship("Item", backref=db.backref("review_seen", cascade="all, delete-orphan"))


class SecrecyRecord(db.Model):
    """The secrecy reviewer's decision, recorded separately (R-33, 一事一审)."""
    __tablename__ = "review_secrecy_record"
    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id"), nullable=False, index=True)
    run_id = db.Column(db.Integer, nullable=False)
    step_id = db.Column(db.Integer, db.ForeignKey("review_step.id"), nullable=False, index=True)
    revision_no = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(300), nullable=False)
    reviewer_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False)
    decision = db.Column(db.String(16), nullable=False)
    comment = db.Column(db.Text, default="")
    at = db.Column(db.DateTime, nullable=False)

    reviewer = db.relationship("User")
    step = db.relationship("ReviewStep", backref=db.backref("secrecy_records", cascade="all, delete-orphan"))

    @property
    def decision_label(self):
        return DECISION_LABELS.get(self.decision, self.decision)


class Publication(db.Model):
    """An archived published version (R-38). Never updated or deleted."""
    __tablename__ = "review_publication"
    __table_args__ = (UniqueConstraint("item_id", "number", name="uq_review_publication_item_number"),)
    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)          # 1 = first publication of the item
    revision_no = db.Column(db.Integer, nullable=False)
    run_id = db.Column(db.Integer, db.ForeignKey("review_run.id"))
    site_id = db.Column(db.Integer, db.ForeignKey("site.id"), nullable=False, index=True)
    column_id = db.Column(db.Integer, db.ForeignKey("site_column.id"), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), nullable=False, index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False)
    title = db.Column(db.String(300), nullable=False)
    snapshot_json = db.Column(db.Text, nullable=False)
    published_at = db.Column(db.DateTime, nullable=False, index=True)
    published_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))

    item = db.relationship("Item")
    run = db.relationship("ReviewRun")
    site = db.relationship("Site")
    column = db.relationship("Column")
    unit = db.relationship("Unit")
    author = db.relationship("User", foreign_keys=[author_id])
    published_by = db.relationship("User", foreign_keys=[published_by_id])
    files = db.relationship("PublicationFile", back_populates="publication", order_by="PublicationFile.id")

    @property
    def snapshot(self):
        return json.loads(self.snapshot_json)


class PublicationFile(db.Model):
    """A file of an archived version, copied into the archive directory."""
    __tablename__ = "review_publication_file"
    id = db.Column(db.Integer, primary_key=True)
    publication_id = db.Column(db.Integer, db.ForeignKey("review_publication.id"), nullable=False, index=True)
    filename = db.Column(db.String(255), nullable=False)
    archived_name = db.Column(db.String(255), nullable=False)
    mime = db.Column(db.String(100), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    is_image = db.Column(db.Boolean, nullable=False, default=False)
    caption = db.Column(db.String(300), default="")

    publication = db.relationship("Publication", back_populates="files")


class LedgerEntry(db.Model):
    """One line of the publication ledger (R-37): publish, republish, withdraw, expire."""
    __tablename__ = "review_ledger"
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, index=True)
    action = db.Column(db.String(16), nullable=False, index=True)
    item_id = db.Column(db.Integer, db.ForeignKey("item.id"), nullable=False, index=True)
    publication_id = db.Column(db.Integer, db.ForeignKey("review_publication.id"))
    site_id = db.Column(db.Integer, db.ForeignKey("site.id"), nullable=False, index=True)
    column_id = db.Column(db.Integer, db.ForeignKey("site_column.id"), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), index=True)
    title = db.Column(db.String(300), nullable=False)
    revision_no = db.Column(db.Integer, nullable=False)
    reason = db.Column(db.Text, default="")

    item = db.relationship("Item")
    publication = db.relationship("Publication")
    site = db.relationship("Site")
    column = db.relationship("Column")
    unit = db.relationship("Unit")
    user = db.relationship("User")

    @property
    def action_label(self):
        return LEDGER_LABELS.get(self.action, self.action)


class ImmutableRow(RuntimeError):
    pass


def _refuse(what):
    def handler(_mapper, _connection, target):
        raise ImmutableRow(f"{what} is append-only (row {target.id})")
    return handler


for _cls, _what in ((Publication, "archive"), (PublicationFile, "archive file"), (LedgerEntry, "ledger")):
    event.listen(_cls, "before_update", _refuse(_what))
    event.listen(_cls, "before_delete", _refuse(_what))


def _first_publication_written_once(target, value, oldvalue, _initiator):
    """R-40: the first publish time is written once and never changed afterwards."""
    from sqlalchemy.orm.base import NEVER_SET, NO_VALUE
    if oldvalue not in (None, NO_VALUE, NEVER_SET) and value != oldvalue:
        raise ValueError(f"first_published_at of item {target.id} is {oldvalue} and cannot be rewritten (R-40)")
    return value


def _guard_first_publication():
    from ..items.models import Item
    event.listen(Item.first_published_at, "set", _first_publication_written_once, active_history=True)


_guard_first_publication()
