"""ORM rows -> response models (schemas.py). One place, so every resource
shows a person, a unit, a step or an item the same way."""
from flask import url_for

from ..columntypes import get_type
from . import schemas as s
from .schemas import aware


def user_ref(user):
    return s.UserRef(id=user.id, username=user.username, name=user.name) if user is not None else None


def unit_ref(unit):
    return s.UnitRef(id=unit.id, code=unit.code, name=unit.name) if unit is not None else None


def site_out(site):
    return s.SiteOut(id=site.id, code=site.code, name=site.name, domain=site.domain or "",
                     description=site.description or "", unit=unit_ref(site.unit), parent_site_id=site.parent_site_id,
                     url=url_for("public.site_home", code=site.code, _external=True))


def field_spec(f):
    kind = f.kind if f.kind in ("text", "textarea", "date", "datetime", "url", "select", "int") else "text"
    return s.FieldSpec(name=f.name, label=f.label, kind=kind, required=bool(f.required),
                       choices=[s.Choice(value=str(v), label=str(lbl)) for v, lbl in (f.choices or [])],
                       help=f.help or "")


def column_out(col, can_draft):
    ctype = get_type(col.type)
    return s.ColumnOut(
        id=col.id, site_id=col.site_id, parent_id=col.parent_id, name=col.name, slug=col.slug, level=col.level,
        type=col.type, type_label=ctype.label or col.type, has_items=bool(ctype.has_items), unit=unit_ref(col.unit),
        rule_text=col.rule_text or "", staleness_class=col.staleness_class, is_key=bool(col.is_key),
        link_visible=bool(col.link_visible), requires_secrecy_review=bool(col.requires_secrecy_review),
        can_draft=can_draft, required=list(ctype.required), extra_fields=[field_spec(f) for f in ctype.extra_fields],
        url=url_for("public.column", code=col.site.code, slug=col.slug, _external=True))


def attachment_out(a):
    return s.AttachmentOut(id=a.id, filename=a.filename, mime=a.mime, size=a.size, sha256=a.sha256,
                           is_image=bool(a.is_image), caption=a.caption or "", created_at=aware(a.created_at))


def step_out(step):
    return s.StepOut(
        id=step.id, run_number=step.run.number, run_revision_no=step.run.revision_no, position=step.position, kind=step.kind, label=step.label,
        role=step.role, unit=unit_ref(step.unit), status=step.status, status_label=step.status_label,
        opened_at=aware(step.opened_at), decided_at=aware(step.decided_at), decided_by=user_ref(step.decided_by),
        decision=step.decision, decision_label=step.decision_label, comment=step.comment or "",
        revision_no=step.revision_no, via=step.via, note=step.note or "")


def run_out(run):
    return s.RunOut(number=run.number, status=run.status, status_label=run.status_label, revision_no=run.revision_no,
                    importance=run.importance, chain_source=run.chain_source or "",
                    submitted_by=user_ref(run.submitted_by), submitted_at=aware(run.submitted_at),
                    finished_at=aware(run.finished_at), steps=[step_out(st) for st in run.steps])


def public_url(item):
    return url_for("public.item", code=item.column.site.code, item_id=item.id, _external=True)


def item_out(item, user):
    from ..items.models import PUBLISHED
    from ..items.service import submission_errors
    from ..org.permissions import can_edit_item
    runs = item.review_runs
    return s.ItemOut(
        id=item.id, column_id=item.column_id, site_id=item.column.site_id, unit=unit_ref(item.unit), type=item.type,
        status=item.status, status_label=item.status_label, author=user_ref(item.author), title=item.title,
        body=item.body or "", source=item.source or "", publish_at=aware(item.publish_at),
        created_date=item.created_date, topic=item.topic or "", genre=item.genre or "",
        doc_number=item.doc_number or "", red_header_title=item.red_header_title or "", importance=item.importance,
        classification=item.classification or "", expires_at=aware(item.expires_at), is_reprint=bool(item.is_reprint),
        reprint_source_site=item.reprint_source_site or "", reprint_time=aware(item.reprint_time),
        reprint_url=item.reprint_url or "", extra=item.extra, revision_no=item.revision_no or 0,
        first_published_at=aware(item.first_published_at), published_at=aware(item.published_at),
        created_at=aware(item.created_at), updated_at=aware(item.updated_at),
        attachments=[attachment_out(a) for a in item.attachments], missing=submission_errors(item),
        can_edit=can_edit_item(user, item), review=run_out(runs[-1]) if runs else None,
        public_url=public_url(item) if item.status == PUBLISHED else None)


def item_brief(item):
    return s.ItemBrief(id=item.id, column_id=item.column_id, type=item.type, title=item.title, status=item.status,
                       status_label=item.status_label, revision_no=item.revision_no or 0,
                       updated_at=aware(item.updated_at))


def finding_out(f, acknowledged_keys):
    return s.Finding(key=f.key, where=f.where, name=f.name or "", kind=f.kind, category=f.category,
                     category_label=f.category_label, severity=f.severity, text=f.text, message=f.message,
                     suggestion=f.suggestion, acknowledged=f.key in acknowledged_keys)


def published_out(item):
    site = item.column.site
    return s.PublishedOut(
        id=item.id, site=s.SiteRef(id=site.id, code=site.code, name=site.name),
        column=s.ColumnRef(id=item.column.id, name=item.column.name, slug=item.column.slug), type=item.type,
        title=item.title, body=item.body or "", source=item.source or "", doc_number=item.doc_number or "",
        red_header_title=item.red_header_title or "", extra=item.extra,
        first_published_at=aware(item.first_published_at), published_at=aware(item.published_at),
        expires_at=aware(item.expires_at), url=public_url(item),
        attachments=[s.PublicAttachment(id=a.id, filename=a.filename, mime=a.mime, size=a.size, sha256=a.sha256,
                                        is_image=bool(a.is_image), caption=a.caption or "",
                                        url=url_for("public.attachment", code=site.code, item_id=item.id,
                                                    attachment_id=a.id, _external=True))
                     for a in item.attachments])


def reply_out(r):
    return s.ReplyOut(id=r.id, unit=unit_ref(r.unit), author=user_ref(r.author), text=r.text,
                      publish_requested=bool(r.publish_requested), status=r.status, status_label=r.status_label,
                      submitted_at=aware(r.submitted_at), reviewer=user_ref(r.reviewer),
                      reviewed_at=aware(r.reviewed_at), review_comment=r.review_comment or "")


def event_out(e):
    return s.EventOut(at=aware(e.at), action=e.action, label=e.label, user=user_ref(e.user),
                      from_unit=unit_ref(e.from_unit), to_unit=unit_ref(e.to_unit), note=e.note or "", late=e.late)


def message_out(m, cal, full=False):
    from plugins.mailbox import service
    d = service.message_deadlines(m, cal)
    days, waited = service.age(m, cal)
    pending = m.pending_reply
    return s.MessageOut(
        id=m.id, column_id=m.column_id, site_id=m.column.site_id, kind=m.kind, kind_label=m.kind_label,
        status=m.status, status_label=m.status_label, unit=unit_ref(m.unit), subject=m.subject, text=m.text,
        sender_name=m.sender_name, sender_contact=m.sender_contact, wants_privacy=bool(m.wants_privacy),
        has_attachment=bool(m.attachment_stored), received_at=aware(m.received_at),
        assigned_at=aware(m.assigned_at), replied_at=aware(m.replied_at), transfer_late=m.transfer_late,
        reply_late=m.reply_late, escalated_at=aware(m.escalated_at), is_public=bool(m.is_public),
        deadlines=s.Deadlines(transfer=d.transfer.date, reply=d.reply.date, escalation=d.escalation.date,
                              veto=d.veto, provisional=bool(d.provisional)),
        age_days=days, waited_workdays=waited.count, pending_reply=reply_out(pending) if pending else None,
        replies=[reply_out(r) for r in m.replies] if full else None,
        events=[event_out(e) for e in m.events] if full else None)


def reminder_out(r):
    return s.ReminderOut(id=r.id, kind=r.kind, title=r.title, text=r.text or "", url=r.url or "",
                         severity=r.severity, severity_label=r.severity_label, level=r.level,
                         level_label=r.level_label, due_at=aware(r.due_at), created_at=aware(r.created_at),
                         read_at=aware(r.read_at), unit=unit_ref(r.unit))


def _line_finding(f):
    if isinstance(f, dict):
        return s.LineFinding(column_id=f.get("column_id"), unit_id=f.get("unit_id"), message_id=f.get("message_id"),
                             received_at=aware(f.get("received_at")), subject=f.get("subject"),
                             item_id=f.get("item_id"), severity=f.get("severity"),
                             text=f.get("text") if isinstance(f.get("text"), str) else None)
    return s.LineFinding(column_id=f.column_id, column=f.name, unit_id=f.unit_id, unit=f.unit, state=f.state,
                         is_key=f.is_key, last_published_at=aware(f.last), days=f.days, text=f.message)


def health_out(h):
    site = h.site
    return s.HealthOut(
        site=s.SiteRef(id=site.id, code=site.code, name=site.name), at=aware(h.at), state=h.state,
        state_label=h.state_label, homepage_last=aware(h.homepage_last), homepage_days=h.homepage_days,
        lines=[s.HealthLine(code=ln.code, label=ln.label, count=ln.count, line=ln.line, state=ln.state,
                            state_label=ln.state_label, text=ln.text,
                            findings=[_line_finding(f) for f in ln.findings]) for ln in h.lines])
