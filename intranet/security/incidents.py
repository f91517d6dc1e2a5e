"""Incident register (R-97): defacement, intrusion, data leak, outage, virus.
Each incident must be reported to the supervising authority within 24 hours
of discovery (000 附件2 §4, LANMU_INCIDENT_REPORT_HOURS); `incidents_due(now)`
is what the scheduler asks for reminders and escalation."""
from datetime import timedelta

from flask import current_app

from .. import audit, clock
from ..extensions import db
from ..items.models import WITHDRAWN, Item
from .models import INCIDENT_KINDS, Incident, IncidentAction


def report_deadline(discovered_at):
    return discovered_at + timedelta(hours=int(current_app.config["LANMU_INCIDENT_REPORT_HOURS"]))


def register(kind, title, description, discovered_at, user, site_id=None, unit_id=None):
    if kind not in INCIDENT_KINDS:
        raise ValueError("未知的事件类型")
    now = clock.now()
    if discovered_at > now:
        raise ValueError("发现时间不能晚于现在")
    inc = Incident(kind=kind, title=title, description=description, discovered_at=discovered_at,
                   report_due_at=report_deadline(discovered_at), registered_at=now, registered_by_id=user.id,
                   site_id=site_id, unit_id=unit_id, status="open")
    db.session.add(inc)
    db.session.flush()
    add_action(inc, "registered", f"登记{inc.kind_label}事件：{title}", user)
    audit.record("incident_registered", inc, user=user, detail={"kind": kind, "title": title,
                                                                "report_due_at": inc.report_due_at})
    return inc


def add_action(incident, kind, text, user, at=None):
    action = IncidentAction(incident_id=incident.id, kind=kind, text=text, user_id=user.id if user else None,
                            at=at or clock.now())
    db.session.add(action)
    incident.actions.append(action)
    return action


def mark_reported(incident, user, reported_to, text="", at=None):
    if incident.status != "open":
        raise ValueError("该事件已上报或已结案")
    at = at or clock.now()
    if at > clock.now():
        raise ValueError("上报时间不能晚于现在")
    incident.reported_at = at
    incident.reported_by_id = user.id
    incident.reported_to = reported_to
    incident.status = "reported"
    late = at > incident.report_due_at
    add_action(incident, "reported", f"已向{reported_to}报告" + ("（超过24小时时限）" if late else "") +
               (f"：{text}" if text else ""), user, at=at)
    audit.record("incident_reported", incident, user=user, detail={"to": reported_to, "at": at, "late": late})


def close(incident, user, text, dismissed=False):
    if incident.status in ("closed", "dismissed"):
        raise ValueError("该事件已结案")
    if not dismissed and incident.status != "reported":
        raise ValueError("事件须先向监管部门报告后才能结案；如属误报，请选择“认定误报”")
    incident.status = "dismissed" if dismissed else "closed"
    incident.closed_at = clock.now()
    add_action(incident, "dismissed" if dismissed else "closed", text, user)
    audit.record("incident_closed", incident, user=user, detail={"dismissed": dismissed, "text": text})


def link_item(incident, item, user):
    """Link a withdrawn item the incident caused (e.g. a defaced page taken down)."""
    if item.status != WITHDRAWN:
        raise ValueError("只能关联已撤回的信息")
    if item in incident.items:
        return False
    incident.items.append(item)
    add_action(incident, "item_linked", f"关联撤回信息：{item.title}（编号{item.id}）", user)
    audit.record("incident_item_linked", incident, user=user, detail={"item_id": item.id, "title": item.title})
    return True


def withdrawn_candidates(limit=50):
    return db.session.execute(db.select(Item).filter(Item.status == WITHDRAWN)
                              .order_by(Item.updated_at.desc()).limit(limit)).scalars().all()


def incidents_due(now=None, warn_hours=None):
    """Incidents not yet reported whose 24-hour deadline is within `warn_hours`
    (LANMU_INCIDENT_WARN_HOURS, default 6) or already past, earliest deadline
    first. For the scheduler's reminders (R-80) and escalation (R-81): each
    incident's `overdue(now)` tells which; `alert_recipients(now)` in
    security.duty says who hears first."""
    now = now or clock.now()
    if warn_hours is None:
        warn_hours = current_app.config["LANMU_INCIDENT_WARN_HOURS"]
    return db.session.execute(
        db.select(Incident).filter(Incident.status == "open", Incident.reported_at.is_(None),
                                   Incident.report_due_at <= now + timedelta(hours=warn_hours))
        .order_by(Incident.report_due_at, Incident.id)).scalars().all()
