"""Reminders (R-80..R-83): one row per duty, period, person and escalation
level. The unique dedupe key makes every sweep idempotent, and two schedulers
at once create each reminder once."""
from .. import clock
from ..extensions import db

LEVEL_LABELS = {0: "责任人", 1: "科室负责人", 2: "分管领导", 3: "上级主管单位"}
SEVERITY_LABELS = {"warn": "即将到期", "overdue": "已超期", "veto": "单项否决风险"}


class Sweep(db.Model):
    __tablename__ = "reminder_sweep"
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, index=True)          # the "now" it swept at
    started_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    finished_at = db.Column(db.DateTime)
    holder = db.Column(db.String(100), default="")
    duties = db.Column(db.Integer, nullable=False, default=0)
    created = db.Column(db.Integer, nullable=False, default=0)
    queries = db.Column(db.Integer, nullable=False, default=0)
    error = db.Column(db.Text, default="")


class Reminder(db.Model):
    __tablename__ = "reminder"
    id = db.Column(db.Integer, primary_key=True)
    dedupe_key = db.Column(db.String(255), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), nullable=False, index=True)
    sweep_id = db.Column(db.Integer, db.ForeignKey("reminder_sweep.id"), index=True)
    kind = db.Column(db.String(32), nullable=False, index=True)     # column_rule, column_stale, document, ...
    duty_key = db.Column(db.String(120), nullable=False, index=True)  # what the duty is about, e.g. column:12
    period = db.Column(db.String(32), nullable=False)                 # which occurrence, e.g. 2026-W48
    level = db.Column(db.Integer, nullable=False, default=0)          # escalation level
    severity = db.Column(db.String(16), nullable=False, default="warn")
    title = db.Column(db.String(300), nullable=False)
    text = db.Column(db.Text, default="")
    url = db.Column(db.String(500), default="")
    due_at = db.Column(db.DateTime)
    unit_id = db.Column(db.Integer, db.ForeignKey("unit.id"), index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    read_at = db.Column(db.DateTime)

    user = db.relationship("User")
    unit = db.relationship("Unit")

    @property
    def severity_label(self):
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def level_label(self):
        return LEVEL_LABELS.get(self.level, "")
