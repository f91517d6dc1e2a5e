"""Searching and exporting the audit trail (R-95): by person, unit, object,
action and period. System admins and site/security administrators only;
every export is itself recorded."""
import io
from datetime import datetime, time

from flask import Blueprint, render_template, request, send_file
from flask_login import login_required

from .. import audit, clock
from ..extensions import db
from ..org.models import Unit, User
from ..security.access import security_admin_required
from .models import AuditEntry

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50
EXPORT_MAX_ROWS = 100_000

OBJECT_TYPES = {
    "user_account": "人员", "unit": "单位", "site": "网站", "site_column": "栏目", "item": "信息",
    "security_incident": "安全事件", "security_letter_signature": "安全责任书", "duty_shift": "值班安排",
}


def _date(name):
    raw = (request.args.get(name) or "").strip()
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date() if raw else None
    except ValueError:
        return None


def _int(name):
    raw = (request.args.get(name) or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def filters_from_request():
    return {
        "person": (request.args.get("person") or "").strip()[:64],
        "unit_id": _int("unit_id"),
        "object_type": (request.args.get("object_type") or "").strip()[:32],
        "object_id": _int("object_id"),
        "action": (request.args.get("action") or "").strip()[:64],
        "ip": (request.args.get("ip") or "").strip()[:64],
        "date_from": _date("date_from"),
        "date_to": _date("date_to"),
    }


def search(f):
    """A select over audit entries matching the filters (newest first)."""
    stmt = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if f.get("person"):
        ids = db.select(User.id).filter(db.or_(User.username == f["person"], User.name.contains(f["person"])))
        stmt = stmt.filter(AuditEntry.user_id.in_(ids))
    if f.get("unit_id"):
        unit = db.session.get(Unit, f["unit_id"])
        ids = unit.descendant_ids() if unit is not None else {f["unit_id"]}
        stmt = stmt.filter(AuditEntry.unit_id.in_(ids))
    if f.get("object_type"):
        stmt = stmt.filter(AuditEntry.object_type == f["object_type"])
    if f.get("object_id"):
        stmt = stmt.filter(AuditEntry.object_id == f["object_id"])
    if f.get("action"):
        stmt = stmt.filter(AuditEntry.action == f["action"])
    if f.get("ip"):
        stmt = stmt.filter(AuditEntry.ip == f["ip"])
    if f.get("date_from"):
        stmt = stmt.filter(AuditEntry.at >= datetime.combine(f["date_from"], time.min))
    if f.get("date_to"):
        stmt = stmt.filter(AuditEntry.at <= datetime.combine(f["date_to"], time.max))
    return stmt


@bp.route("/")
@login_required
@security_admin_required
def index():
    f = filters_from_request()
    stmt = search(f)
    before = _int("before")
    if before:
        stmt = stmt.filter(AuditEntry.id < before)
    rows = db.session.execute(stmt.limit(PAGE_SIZE + 1)).scalars().all()
    units = db.session.execute(db.select(Unit).order_by(Unit.sort_order, Unit.id)).scalars().all()
    args = {k: v for k, v in request.args.items() if k != "before"}
    return render_template("audit/index.html", entries=rows[:PAGE_SIZE], has_more=len(rows) > PAGE_SIZE,
                           f=f, args=args, units=units, actions=audit.ACTION_LABELS, object_types=OBJECT_TYPES,
                           label=audit.label)


@bp.route("/export.xlsx")
@login_required
@security_admin_required
def export():
    from openpyxl import Workbook
    f = filters_from_request()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志")
    ws.append(["编号", "时间", "人员", "用户名", "地址", "操作", "对象类型", "对象编号", "单位编号", "详情", "哈希"])
    n = 0
    for e in db.session.execute(search(f).limit(EXPORT_MAX_ROWS)).scalars():
        ws.append([e.id, e.at, e.user.name if e.user else "", e.user.username if e.user else "", e.ip,
                   audit.label(e.action), OBJECT_TYPES.get(e.object_type, e.object_type), e.object_id, e.unit_id,
                   _cell(e.detail), e.hash])
        n += 1
    audit.record("audit_exported", detail={"filters": {k: v for k, v in f.items() if v}, "rows": n})
    db.session.commit()
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return send_file(out, as_attachment=True, download_name=f"audit-{clock.now():%Y%m%d-%H%M}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _cell(text):
    # Spreadsheet formula injection: a cell starting with = + - @ is shown as text.
    text = (text or "")[:30000]
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
