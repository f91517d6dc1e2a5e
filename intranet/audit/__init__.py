"""Record and verify the audit trail. `record()` is the one function every
feature calls; it adds the entry to the current session (committed with the
change it describes)."""
import hashlib
import json

from flask import has_request_context, request
from flask_login import current_user

from .. import clock
from ..extensions import db
from .models import AuditEntry

GENESIS = "0" * 64


def _digest(prev_hash, at, user_id, ip, action, object_type, object_id, unit_id, detail):
    payload = json.dumps(
        [prev_hash, at.isoformat(), user_id, ip, action, object_type, object_id, unit_id, detail],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(action, obj=None, detail="", user=None, unit_id=None):
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    ip = request.remote_addr or "" if has_request_context() else ""
    object_type = obj.__tablename__ if obj is not None else ""
    object_id = getattr(obj, "id", None) if obj is not None else None
    if unit_id is None and obj is not None:
        unit_id = getattr(obj, "unit_id", None)
    if isinstance(detail, (dict, list)):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    # Serialise writers: the chain needs the latest hash. SQLite serialises
    # writers itself; on PostgreSQL a transaction-scoped advisory lock does.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(7201)"))
    last = db.session.execute(db.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    prev = last or GENESIS
    at = clock.now()
    uid = user.id if user is not None else None
    entry = AuditEntry(at=at, user_id=uid, ip=ip, action=action, object_type=object_type,
                       object_id=object_id, unit_id=unit_id, detail=detail or "", prev_hash=prev)
    entry.hash = _digest(prev, at, uid, ip, action, object_type, object_id, unit_id, entry.detail)
    db.session.add(entry)
    db.session.flush()
    return entry


def verify():
    """Return the id of the first entry whose chain is broken, or None."""
    prev = GENESIS
    for e in db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars():
        expected = _digest(prev, e.at, e.user_id, e.ip, e.action, e.object_type, e.object_id, e.unit_id, e.detail)
        if e.prev_hash != prev or e.hash != expected:
            return e.id
        prev = e.hash
    return None
