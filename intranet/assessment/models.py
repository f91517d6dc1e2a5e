"""The monthly assessment of units (R-90, 003 篇二): one row per month, one
score per unit and month (computed figures, the unit's self-assessment, the
assessor's unified assessment), one adjustment row per figure the assessor set
differently with its reason, and the yearly summary once fixed."""
import json

from sqlalchemy import UniqueConstraint

from .. import clock
from ..extensions import db

OPEN = "open"            # collecting self-assessments / being assessed
FIXED = "fixed"          # the unified assessment is fixed (定稿)
PUBLISHED = "published"  # results published
STATUS_LABELS = {OPEN: "考核中", FIXED: "已定稿", PUBLISHED: "已公布"}

LEADERSHIP_FIELDS = ("leader_named", "responsibility", "problem_solving", "dedicated_officer")
SCORE_FIELDS = LEADERSHIP_FIELDS + ("frequency", "volume")
FIELD_LABELS = {
    "leader_named": "明确分管领导",
    "responsibility": "建立责任制并列入目标管理",
    "problem_solving": "及时解决信息发布中的困难和问题",
    "dedicated_officer": "有专人负责更新信息",
    "frequency": "信息更新频率",
    "volume": "信息发布量",
}
FREQUENCY_LABELS = {"weekly": "每周更新", "half_monthly": "每半月更新", "monthly": "每月更新", "none": "未更新"}


class AssessmentMonth(db.Model):
    __tablename__ = "assessment_month"
    __table_args__ = (UniqueConstraint("year", "month", name="uq_assessment_month_year_month"),)
    id = db.Column(db.Integer, primary_key=True)
    year = db.Column(db.Integer, nullable=False)
    month = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(16), nullable=False, default=OPEN)
    settings_json = db.Column(db.Text, nullable=False, default="{}")  # the point settings used when fixed
    fixed_at = db.Column(db.DateTime)
    fixed_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    published_at = db.Column(db.DateTime)
    published_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    public = db.Column(db.Boolean, nullable=False, default=False)  # also on the public site
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    fixed_by = db.relationship("User", foreign_keys=[fixed_by_id])
    published_by = db.relationship("User", foreign_keys=[published_by_id])
    scores = db.relationship("AssessmentScore", back_populates="month", cascade="all, delete-orphan")

    @property
    def period(self):
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self):
        return f"{self.year}年{self.month}月"

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def settings(self):
        return json.loads(self.settings_json or "{}")


class AssessmentScore(db.Model):
    __tablename__ = "assessment_score"
    __table_args__ = (UniqueConstraint("month_id", "unit_id", name="uq_assessment_score_month_unit"),)
    id = db.Column(db.Integer, primary_key=True)
    month_id = db.Column(db.Integer, db.ForeignKey("assessment_month.id"), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), nullable=False, index=True)

    # computed from publish data (refreshed until the month is fixed)
    items = db.Column(db.Integer, nullable=False, default=0)
    frequency_level = db.Column(db.String(16), nullable=False, default="none")
    detail_json = db.Column(db.Text, nullable=False, default="{}")  # the blocks and what fell in them
    computed_frequency = db.Column(db.Integer, nullable=False, default=0)
    computed_volume = db.Column(db.Integer, nullable=False, default=0)
    computed_at = db.Column(db.DateTime)

    # the unit's self-assessment (自评), by the 10th of the next month
    self_leader_named = db.Column(db.Integer)
    self_responsibility = db.Column(db.Integer)
    self_problem_solving = db.Column(db.Integer)
    self_dedicated_officer = db.Column(db.Integer)
    self_frequency = db.Column(db.Integer)
    self_volume = db.Column(db.Integer)
    self_note = db.Column(db.Text, default="")
    self_submitted_at = db.Column(db.DateTime)
    self_submitted_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))

    # the unified assessment (统一考核), fixed by the 15th
    leader_named = db.Column(db.Integer)
    responsibility = db.Column(db.Integer)
    problem_solving = db.Column(db.Integer)
    dedicated_officer = db.Column(db.Integer)
    frequency = db.Column(db.Integer)
    volume = db.Column(db.Integer)
    total = db.Column(db.Integer)
    unified_at = db.Column(db.DateTime)
    unified_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))

    month = db.relationship("AssessmentMonth", back_populates="scores")
    unit = db.relationship("Unit")
    self_submitted_by = db.relationship("User", foreign_keys=[self_submitted_by_id])
    unified_by = db.relationship("User", foreign_keys=[unified_by_id])
    adjustments = db.relationship("AssessmentAdjustment", back_populates="score", order_by="AssessmentAdjustment.id",
                                  cascade="all, delete-orphan")

    @property
    def detail(self):
        return json.loads(self.detail_json or "{}")

    def self_value(self, field):
        return getattr(self, f"self_{field}")

    def computed_value(self, field):
        return {"frequency": self.computed_frequency, "volume": self.computed_volume}.get(field)

    @property
    def self_total(self):
        if self.self_submitted_at is None:
            return None
        return sum(self.self_value(f) or 0 for f in SCORE_FIELDS)

    @property
    def leadership(self):
        if self.unified_at is None:
            return None
        return sum(getattr(self, f) or 0 for f in LEADERSHIP_FIELDS)

    @property
    def frequency_label(self):
        return FREQUENCY_LABELS.get(self.frequency_level, self.frequency_level)


class AssessmentAdjustment(db.Model):
    """One figure the assessor set differently from the unit's self-assessment
    or from the computed figure, with the reason (003 篇二 四.2)."""
    __tablename__ = "assessment_adjustment"
    id = db.Column(db.Integer, primary_key=True)
    score_id = db.Column(db.Integer, db.ForeignKey("assessment_score.id"), nullable=False, index=True)
    field = db.Column(db.String(32), nullable=False)
    self_value = db.Column(db.Integer)
    computed_value = db.Column(db.Integer)
    value = db.Column(db.Integer, nullable=False)
    reason = db.Column(db.Text, nullable=False)
    by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    at = db.Column(db.DateTime, nullable=False, default=clock.now)

    score = db.relationship("AssessmentScore", back_populates="adjustments")
    by = db.relationship("User")

    @property
    def label(self):
        return FIELD_LABELS.get(self.field, self.field)


class AssessmentYear(db.Model):
    """The yearly summary (年终综合), due by the end of January; fixing it keeps
    the ranking as it stood (data_json)."""
    __tablename__ = "assessment_year"
    id = db.Column(db.Integer, primary_key=True)
    year = db.Column(db.Integer, nullable=False, unique=True)
    fixed_at = db.Column(db.DateTime)
    fixed_by_id = db.Column(db.Integer, db.ForeignKey("user_account.id"))
    data_json = db.Column(db.Text, nullable=False, default="{}")

    fixed_by = db.relationship("User")

    @property
    def data(self):
        return json.loads(self.data_json or "{}")
