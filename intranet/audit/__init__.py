"""Record and verify the audit trail (R-95). `record()` is the one function every
feature calls; it adds the entry to the current session (committed with the
change it describes).

The trail is a hash chain: each entry's hash covers its content and the
previous entry's hash, so editing, inserting or deleting a row in the database
breaks the chain from that row on (`verify()`, `flask --app wsgi audit verify`).
Retention (`prune()`) deletes a prefix of the chain and appends a checkpoint
entry (action `audit_pruned`) carrying the hash of the last pruned entry, so
the shortened chain still verifies."""
import hashlib
import json
from datetime import timedelta

from flask import has_request_context, request
from flask_login import current_user

from .. import clock
from ..extensions import db
from .models import AuditEntry

GENESIS = "0" * 64
PRUNED = "audit_pruned"
RETENTION_FLOOR_DAYS = 60  # at least 60 days, whatever the setting says

# What people see for each action code (search page, export). Unknown codes show as they are.
ACTION_LABELS = {
    "login": "登录成功",
    "login_failed": "登录失败",
    "login_refused_disabled": "登录被拒（账号停用）",
    "login_refused_locked": "登录被拒（账号锁定）",
    "login_rate_limited": "登录被拒（尝试过于频繁）",
    "login_remembered": "登录（记住我）",
    "logout": "退出登录",
    "session_idle_timeout": "会话超时退出",
    "session_ended_by_admin": "会话被管理员结束",
    "concurrent_session": "同一账号多地址同时在线",
    "admin_network_refused": "办公网络外访问被拒",
    "password_changed": "修改密码",
    "user_created": "新增人员",
    "user_updated": "修改人员",
    "user_enabled": "启用账号",
    "user_disabled": "停用账号",
    "role_granted": "授予角色",
    "role_revoked": "撤销角色",
    "handover": "工作交接",
    "unit_created": "新增单位",
    "unit_updated": "修改单位",
    "site_created": "新增网站",
    "site_updated": "修改网站",
    "column_created": "新增栏目",
    "column_updated": "修改栏目",
    "column_moved": "调整栏目顺序",
    "column_archived": "停用栏目",
    "column_restored": "恢复栏目",
    "grant_added": "授予栏目权限",
    "grant_revoked": "撤销栏目权限",
    "item_created": "新建信息",
    "item_edited": "修改信息",
    "item_deleted": "删除草稿",
    "attachment_added": "上传附件",
    "attachment_removed": "删除附件",
    "caption_changed": "修改图片说明",
    "setting_changed": "修改设置",
    "audit_exported": "导出审计日志",
    "audit_pruned": "清理过期审计日志",
    "backup_created": "创建备份",
    "backup_restored": "恢复备份",
    "incident_registered": "登记安全事件",
    "incident_updated": "更新安全事件",
    "incident_reported": "安全事件已上报",
    "incident_item_linked": "安全事件关联信息",
    "incident_closed": "安全事件结案",
    "letter_template_changed": "修改安全责任书模板",
    "letter_signed": "签署安全责任书",
    "letter_voided": "安全责任书作废（人员调整）",
    "duty_created": "新增值班安排",
    "duty_updated": "修改值班安排",
    "duty_deleted": "删除值班安排",
}


def label(action):
    return ACTION_LABELS.get(action, action)


def _digest(prev_hash, at, user_id, ip, action, object_type, object_id, unit_id, detail):
    payload = json.dumps(
        [prev_hash, at.isoformat(), user_id, ip, action, object_type, object_id, unit_id, detail],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_chain():
    """Serialise writers: the chain needs the latest hash. SQLite serialises
    writers itself; on PostgreSQL a transaction-scoped advisory lock does."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(7201)"))


def record(action, obj=None, detail="", user=None, unit_id=None):
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    ip = (request.remote_addr or "") if has_request_context() else ""
    object_type = obj.__tablename__ if obj is not None else ""
    object_id = getattr(obj, "id", None) if obj is not None else None
    if unit_id is None and obj is not None:
        unit_id = getattr(obj, "unit_id", None)
    if isinstance(detail, (dict, list)):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    _lock_chain()
    last = db.session.execute(db.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    prev = last or GENESIS
    at = clock.now()
    uid = user.id if user is not None else None
    entry = AuditEntry(at=at, user_id=uid, ip=ip[:64], action=action, object_type=object_type,
                       object_id=object_id, unit_id=unit_id, detail=detail or "", prev_hash=prev)
    entry.hash = _digest(prev, at, uid, entry.ip, action, object_type, object_id, unit_id, entry.detail)
    db.session.add(entry)
    db.session.flush()
    return entry


def _latest_checkpoint_hash():
    detail = db.session.execute(
        db.select(AuditEntry.detail).filter(AuditEntry.action == PRUNED).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar()
    if not detail:
        return None
    try:
        return json.loads(detail).get("last_hash")
    except (ValueError, AttributeError):
        return None


def verify_report(batch=5000):
    """Walk the chain. Returns a dict: ok, checked, broken_id (first broken
    entry or None), reason (Chinese), last_id, last_hash."""
    starts = {GENESIS}
    checkpoint = _latest_checkpoint_hash()
    if checkpoint:
        starts.add(checkpoint)
    cols = (AuditEntry.id, AuditEntry.at, AuditEntry.user_id, AuditEntry.ip, AuditEntry.action,
            AuditEntry.object_type, AuditEntry.object_id, AuditEntry.unit_id, AuditEntry.detail,
            AuditEntry.prev_hash, AuditEntry.hash)
    prev = None
    checked = 0
    last_id = None
    rows = db.session.execute(db.select(*cols).order_by(AuditEntry.id).execution_options(yield_per=batch))
    for (eid, at, uid, ip, action, otype, oid, unit_id, detail, prev_hash, hash_) in rows:
        if prev is None:
            if prev_hash not in starts:
                return _broken(eid, checked, "第一条记录的前序哈希既不是链首也不是清理检查点：其前面的记录被删除")
        elif prev_hash != prev:
            return _broken(eid, checked, "前序哈希与上一条记录不一致：其前面的记录被删除、插入或修改")
        if hash_ != _digest(prev_hash, at, uid, ip, action, otype, oid, unit_id, detail):
            return _broken(eid, checked, "记录内容与其哈希不符：该记录被修改")
        prev = hash_
        last_id = eid
        checked += 1
    return {"ok": True, "checked": checked, "broken_id": None, "reason": "", "last_id": last_id, "last_hash": prev}


def _broken(eid, checked, reason):
    return {"ok": False, "checked": checked, "broken_id": eid, "reason": reason, "last_id": None, "last_hash": None}


def verify():
    """Return the id of the first entry whose chain is broken, or None."""
    return verify_report()["broken_id"]


def prune(now=None, days=None, user=None):
    """Delete entries older than the retention period (the setting, or `days`;
    never fewer than 60 days; None means keep forever) and append a checkpoint
    entry. Only a prefix of the chain is deleted: it stops at the first entry
    that is still within the period. Returns the number of entries deleted.
    The caller commits."""
    if days is None:
        from ..security import settings
        days = settings.audit_retention_days()
    if not days:
        return 0
    days = max(int(days), RETENTION_FLOOR_DAYS)
    now = now or clock.now()
    cutoff = now - timedelta(days=days)
    _lock_chain()
    first_kept = db.session.execute(
        db.select(db.func.min(AuditEntry.id)).filter(AuditEntry.at >= cutoff)).scalar()
    stmt = db.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    if first_kept is not None:
        stmt = stmt.filter(AuditEntry.id < first_kept)
    last = db.session.execute(stmt).first()
    if last is None:
        return 0
    through_id, last_hash = last
    count = db.session.execute(
        db.select(db.func.count(AuditEntry.id)).filter(AuditEntry.id <= through_id)).scalar()
    db.session.execute(db.delete(AuditEntry).filter(AuditEntry.id <= through_id))
    record(PRUNED, detail={"through_id": through_id, "last_hash": last_hash, "count": count,
                           "cutoff": cutoff.isoformat(), "days": days}, user=user)
    return count
