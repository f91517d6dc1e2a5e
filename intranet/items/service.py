"""Saving items: sanitise, write the fields, record a revision (R-22)."""
import json

from flask import current_app

from .. import audit, clock
from ..columntypes import get_type
from ..extensions import db
from .models import Item, Revision
from .bodyimages import to_storage
from .sanitize import sanitize_html

CORE_FIELDS = ("title", "body", "source", "publish_at", "created_date", "topic", "genre", "importance",
               "classification", "expires_at", "is_reprint", "reprint_source_site", "reprint_time", "reprint_url")


def apply_form(item, form, ctype):
    for name in CORE_FIELDS:
        setattr(item, name, getattr(form, name).data)
    item.title = (item.title or "").strip()
    # images the editor placed are stored by their public address (bodyimages.py)
    item.body = to_storage(sanitize_html(item.body or ""), item)
    if not item.is_reprint:
        item.reprint_source_site, item.reprint_time, item.reprint_url = "", None, ""
    extra = item.extra
    for f in ctype.extra_fields:
        extra[f.name] = f.to_json(getattr(form, f"extra_{f.name}").data)
    item.extra = extra
    # Documents keep their number and red-header title as core fields (ledger, search).
    if "doc_number" in extra:
        item.doc_number = extra.get("doc_number") or ""
    if "red_header_title" in extra:
        item.red_header_title = extra.get("red_header_title") or ""


def fill_form(form, item, ctype):
    extra = item.extra
    for f in ctype.extra_fields:
        getattr(form, f"extra_{f.name}").data = f.from_json(extra.get(f.name))


def record_revision(item, user, note=""):
    item.revision_no = (item.revision_no or 0) + 1
    item.updated_at = clock.now()
    db.session.flush()
    rev = Revision(item_id=item.id, number=item.revision_no, author_id=user.id, note=note,
                   data_json=json.dumps(item.snapshot(), ensure_ascii=False, sort_keys=True))
    db.session.add(rev)
    return rev


def create_item(column, user, form):
    ctype = get_type(column.type)
    item = Item(column_id=column.id, unit_id=column.unit_id, type=column.type, author_id=user.id, title="")
    apply_form(item, form, ctype)
    db.session.add(item)
    db.session.flush()
    record_revision(item, user, "创建")
    audit.record("item_created", item, detail={"title": item.title})
    return item


def update_item(item, user, form):
    from ..signals import item_edited
    ctype = get_type(item.type)
    before = item.snapshot()
    apply_form(item, form, ctype)
    if item.snapshot() == before:
        return None
    rev = record_revision(item, user, "修改")
    audit.record("item_edited", item, detail={"revision": rev.number})
    item_edited.send(current_app._get_current_object(), item=item, user=user)
    return rev


def submission_errors(item):
    """Chinese messages for missing required elements; empty when complete."""
    return get_type(item.type).validate(item, list(item.attachments))
