"""Settings an admin changes on a page (stored in `security_setting`), with
app.config as the default. Every change is written to the audit trail."""
import json

from flask import current_app

from .. import audit, clock
from ..extensions import db
from .models import SecuritySetting

# key -> config name holding the default
DEFAULTS = {
    "audit_retention_days": "LANMU_AUDIT_RETENTION_DAYS",
    "admin_networks": "LANMU_ADMIN_NETWORKS",
}

AUDIT_RETENTION_FLOOR_DAYS = 60  # kept at least 60 days


def get(key):
    row = db.session.get(SecuritySetting, key)
    if row is not None:
        return row.value
    return current_app.config.get(DEFAULTS[key])


def put(key, value, user=None):
    """Store a setting and audit the change (old and new value). The caller commits."""
    if key not in DEFAULTS:
        raise KeyError(key)
    old = get(key)
    if old == value:
        return False
    row = db.session.get(SecuritySetting, key)
    if row is None:
        row = SecuritySetting(key=key)
        db.session.add(row)
    row.value_json = json.dumps(value, ensure_ascii=False)
    row.updated_at = clock.now()
    row.updated_by_id = user.id if user is not None else None
    audit.record("setting_changed", detail={"key": key, "old": old, "new": value}, user=user)
    return True


def audit_retention_days():
    """Days the audit trail is kept (None: forever); never below the floor."""
    days = get("audit_retention_days")
    if days in (None, "", 0):
        return None
    return max(int(days), AUDIT_RETENTION_FLOOR_DAYS)
