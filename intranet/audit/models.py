"""Audit trail (R-95): append-only, each entry chained to the previous one by a
SHA-256 hash so an edit or deletion in the database is detectable."""
from ..extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user_account.id"), index=True)
    ip = db.Column(db.String(64), default="")
    action = db.Column(db.String(64), nullable=False, index=True)
    object_type = db.Column(db.String(32), default="", index=True)
    object_id = db.Column(db.Integer, index=True)
    unit_id = db.Column(db.Integer, index=True)
    detail = db.Column(db.Text, default="")
    prev_hash = db.Column(db.String(64), nullable=False)
    hash = db.Column(db.String(64), nullable=False)

    user = db.relationship("User")
