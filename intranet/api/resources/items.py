"""Items: draft into a column (with attachments, JSON base64 or multipart),
update, attachments, content checks, submit for review, status and history.

Everything goes through the functions the web pages use: `items.service`
(create_item/update_item/record_revision: sanitising, revisions, audit),
`items.storage.store` (the upload checks of R-53), `review.engine.submit`
(required elements, R-24, content checks with acknowledgement, the chain)."""
import io
import re
from datetime import date, datetime
from types import SimpleNamespace

from flask import current_app
from werkzeug.datastructures import FileStorage

from ... import audit
from ...columntypes import get_type
from ...extensions import db
from ...items import storage
from ...items.models import DRAFT, EDITABLE, RETURNED, Attachment, Item
from ...items.service import CORE_FIELDS, create_item as service_create, record_revision, submission_errors
from ...items.service import update_item as service_update
from ...org.permissions import can_draft, can_edit_item, can_view_item
from ...review import engine
from ...signals import item_edited
from ...sites.models import Column
from .. import schemas as s
from ..errors import ApiError
from ..framework import current_person, keyset_page, validation_error
from ..present import finding_out, item_brief, item_out, run_out, user_ref
from ..schemas import aware
from . import api
from .common import conflict, forbidden, get_or_404

URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)
TEXT_LIMITS = {"doc_number": 100, "red_header_title": 300}  # stored in core columns of that size too


def item_or_404(item_id):
    item = get_or_404(Item, item_id, "信息")
    if not can_view_item(current_person(), item):
        raise forbidden("您无权查看该信息。")
    return item


# --- the form the item service expects -------------------------------------------------

class _Field:
    def __init__(self, data):
        self.data = data


def _form(values, extras, ctype):
    form = SimpleNamespace()
    for name in CORE_FIELDS:
        setattr(form, name, _Field(values.get(name)))
    for f in ctype.extra_fields:
        setattr(form, f"extra_{f.name}", _Field(extras.get(f.name)))
    return form


def _extras(ctype, raw, prefix):
    """The type's own fields from `extra`, as the edit form would give them."""
    known = {f.name: f for f in ctype.extra_fields}
    out, errors = {}, {}
    for key, value in (raw or {}).items():
        f = known.get(key)
        path = f"{prefix}extra.{key}"
        if f is None:
            errors[path] = f"该栏目类型没有此字段（可用：{'、'.join(known) or '无'}）"
            continue
        if value is None or value == "":
            out[key] = None
            continue
        try:
            out[key] = _extra_value(f, value)
        except ValueError as exc:
            errors[path] = str(exc)
    if errors:
        raise validation_error(errors)
    return out


def _extra_value(f, value):
    if f.kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 400:
            raise ValueError("应为0到400之间的整数")
        return value
    if not isinstance(value, str):
        raise ValueError("应为字符串")
    value = value.strip()
    if f.kind == "date":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError("应为日期，例如2026-11-23") from None
        if not s.MIN_YEAR <= day.year <= s.MAX_YEAR:
            raise ValueError(f"日期应在{s.MIN_YEAR}年至{s.MAX_YEAR}年之间")
        return day
    if f.kind == "datetime":
        try:
            return s._local_datetime(datetime.fromisoformat(value))
        except ValueError as exc:
            raise ValueError(str(exc) if "年" in str(exc) else "应为日期时间，例如2026-11-23T10:00") from None
    if f.kind == "select":
        values = [str(v) for v, _label in f.choices]
        if value not in values:
            raise ValueError(f"应为以下之一：{', '.join(values)}")
        return value
    if f.kind == "url":
        if len(value) > 500 or not URL.match(value):
            raise ValueError("应为http://或https://开头的网址（500字符以内）")
        return value
    limit = TEXT_LIMITS.get(f.name, 20000 if f.kind == "textarea" else 300)
    if len(value) > limit:
        raise ValueError(f"不能超过{limit}个字符")
    return value


def _check_reprint(values, prefix=""):
    url = values.get("reprint_url") or ""
    if url and not URL.match(url):
        raise validation_error({f"{prefix}reprint_url": "原文链接格式不正确（http://或https://开头）"})


# --- attachments ---------------------------------------------------------------------------

def _store_uploads(item, user, uploads):
    """Check (R-53) and store each upload; returns the new Attachment rows."""
    added = []
    for up in uploads:
        data = up["data"]
        fs = data if isinstance(data, FileStorage) else FileStorage(io.BytesIO(data), filename=up["filename"])
        try:
            fields = storage.store(fs)
        except storage.UploadRefused as exc:
            raise ApiError(422, "upload_refused", f"附件“{up['filename'][:100]}”未通过检查：{exc}",
                           fields={up["field"]: str(exc)}) from None
        caption = (up["caption"] or "").strip()
        if fields["is_image"] and not caption:
            where = ("captions." + up["field"].split(".", 1)[1]) if up["field"].startswith("files.") \
                else f"{up['field']}.caption"
            raise validation_error({where: "上传图片须填写图片说明"})
        att = Attachment(item_id=item.id, caption=caption, uploaded_by_id=user.id, **fields)
        db.session.add(att)
        added.append(att)
    db.session.flush()
    db.session.refresh(item)
    for att in added:
        audit.record("attachment_added", item, detail={"filename": att.filename, "sha256": att.sha256,
                                                       "via": "api"})
    return added


def _note(added):
    names = "、".join(a.filename for a in added)
    return f"上传附件：{names}"[:200]


# --- routes ------------------------------------------------------------------------------------

@api.route("/items", "GET", tag="items", summary="我起草的信息", query=s.ItemQuery,
           responses={200: s.Page[s.ItemBrief]})
def list_items(query):
    user = current_person()
    stmt = db.select(Item).filter(Item.author_id == user.id)
    if query.status:
        stmt = stmt.filter(Item.status == query.status)
    if query.column_id:
        stmt = stmt.filter(Item.column_id == query.column_id)
    rows, nxt = keyset_page(stmt, query, [Item.id], order_desc=True, key_of=lambda r: (r.id,))
    return s.Page[s.ItemBrief](data=[item_brief(i) for i in rows], next=nxt)


@api.route("/items", "POST", tag="items", scope="write", summary="在栏目中起草信息（可带附件）",
           description="以 application/json 提交（附件用 `attachments[].content_base64`），或以 multipart/form-data "
                       "提交：`meta` 为同样的JSON，`files` 为附件（可多个），`captions` 为对应的图片说明。"
                       "附件与网页上传同样检查（按内容识别类型、大小、拒绝可执行文件与宏）。"
                       "信息保存为草稿，之后调用 submit 提交审核。",
           body=s.ItemCreate, multipart=s.ItemMultipart, responses={201: s.ItemOut}, errors=(404,))
def create_item(body, uploads):
    user = current_person()
    column = db.session.get(Column, body.column_id)
    if column is None or column.archived or not column.site.active:
        raise validation_error({"column_id": "栏目不存在"})
    ctype = get_type(column.type)
    if not ctype.has_items:
        raise validation_error({"column_id": "该栏目不发布信息（如互动留言栏目）"})
    if not can_draft(user, column):
        raise forbidden("您没有向该栏目报送信息的权限。")
    values = body.model_dump(exclude={"column_id", "attachments", "extra"})
    if values.get("source") is None:
        values["source"] = column.unit.name
    _check_reprint(values)
    extras = _extras(ctype, body.extra, "")
    item = service_create(column, user, _form(values, extras, ctype))
    if uploads:
        added = _store_uploads(item, user, uploads)
        record_revision(item, user, _note(added))
    db.session.commit()
    return item_out(item, user), 201


@api.route("/items/<int:item_id>", "GET", tag="items", summary="一条信息：内容、状态、附件、缺少的要素、审核进度",
           responses={200: s.ItemOut})
def get_item(item_id):
    return item_out(item_or_404(item_id), current_person())


def _editable(item, user):
    if not can_edit_item(user, item):
        if item.status not in EDITABLE:
            raise conflict("invalid_state", f"该信息当前状态为“{item.status_label}”，不能修改。")
        raise forbidden("您没有修改该信息的权限。")


@api.route("/items/<int:item_id>", "PATCH", tag="items", scope="write", summary="修改信息（只改提交的字段）",
           description="每次有变化的保存都成为一个新版本（R-22）；审核中的信息修改后审核流程从第一步重新开始（R-34）。",
           body=s.ItemUpdate, responses={200: s.ItemOut})
def update_item(item_id, body):
    user = current_person()
    item = item_or_404(item_id)
    _editable(item, user)
    ctype = get_type(item.type)
    sent = body.model_fields_set
    values = {name: getattr(item, name) for name in CORE_FIELDS}
    errors = {}
    for name in sent - {"extra"}:
        value = getattr(body, name)
        if value is None:
            if name in ("title", "importance", "classification", "is_reprint"):
                errors[name] = "不能为null"
                continue
            if name in ("body", "source", "topic", "genre", "reprint_source_site", "reprint_url"):
                value = ""
        values[name] = value
    if errors:
        raise validation_error(errors)
    _check_reprint(values)
    extras = {f.name: f.from_json(item.extra.get(f.name)) for f in ctype.extra_fields}
    if "extra" in sent and body.extra is not None:
        extras.update(_extras(ctype, body.extra, ""))
    service_update(item, user, _form(values, extras, ctype))
    db.session.commit()
    return item_out(item, user)


@api.route("/items/<int:item_id>/attachments", "POST", tag="items", scope="write", summary="给信息添加附件",
           description="JSON（`attachments[].content_base64`）或 multipart/form-data（`files`、`captions`，"
                       "此时 `meta` 可为 `{\"attachments\": []}`）。保存为一个新版本。",
           body=s.AttachmentAdd, multipart=s.ItemMultipart, responses={200: s.ItemOut})
def add_attachments(item_id, body, uploads):
    user = current_person()
    item = item_or_404(item_id)
    _editable(item, user)
    if not uploads:
        raise validation_error({"attachments": "请至少上传一个附件"})
    added = _store_uploads(item, user, uploads)
    record_revision(item, user, _note(added))
    item_edited.send(current_app._get_current_object(), item=item, user=user)
    db.session.commit()
    return item_out(item, user)


@api.route("/items/<int:item_id>/attachments/<int:attachment_id>", "DELETE", tag="items", scope="write",
           summary="删除信息的一个附件", responses={200: s.ItemOut})
def delete_attachment(item_id, attachment_id):
    user = current_person()
    item = item_or_404(item_id)
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.item_id != item.id:
        raise ApiError(404, "not_found", "附件不存在。")
    _editable(item, user)
    name = att.filename
    db.session.delete(att)
    db.session.flush()
    db.session.refresh(item)
    record_revision(item, user, f"删除附件：{name}"[:200])
    audit.record("attachment_removed", item, detail={"filename": name, "via": "api"})
    item_edited.send(current_app._get_current_object(), item=item, user=user)
    db.session.commit()
    return item_out(item, user)


@api.route("/items/<int:item_id>/checks", "GET", tag="items", summary="内容检查结果（敏感词、错别字、个人信息、链接、密级标志）",
           description="提交审核和发布前都会检查：阻止级（block）须修改；提示级（warn）须确认，"
                       "在 submit/decide 的 `acknowledge` 中提交其 `key`（R-50）。",
           responses={200: s.ChecksOut})
def item_checks(item_id):
    from ...checks.service import check_item
    item = item_or_404(item_id)
    report = check_item(item)
    return s.ChecksOut(item_id=item.id, revision_no=item.revision_no or 0, ok=report.ok,
                       blocking=list(report.blocking), warnings=list(report.warnings),
                       findings=[finding_out(f, report.acknowledged_keys) for f in report.findings])


def acknowledgement_form(item, keys, *, for_publish):
    """The form `engine.content_check` reads, after checking (as the web page's
    tick box does) that every unconfirmed warning was acknowledged by key.
    Refuses with `content_refused` / `checks_need_acknowledgement`."""
    from ...checks.service import ACK_FIELD, ACK_KEY_FIELD, check_item
    report = check_item(item)
    if not report.ok:
        prefix = "内容检查未通过，不能发布：" if for_publish else "内容检查未通过，请修改后再提交："
        raise conflict("content_refused", prefix + "；".join(report.blocking), details=list(report.blocking),
                       findings=[finding_out(f, report.acknowledged_keys).model_dump(mode="json")
                                 for f in report.block_findings])
    pending = report.unacknowledged
    if not pending:
        return {}
    missing = [f for f in pending if f.key not in set(keys)]
    if missing:
        raise conflict("checks_need_acknowledgement",
                       f"内容检查有{len(missing)}处提示需要确认：请逐项核对后，把它们的key放在acknowledge中重新提交。",
                       findings=[finding_out(f, report.acknowledged_keys).model_dump(mode="json") for f in missing])
    return {ACK_FIELD: "y", ACK_KEY_FIELD: [f.key for f in pending]}


REFUSALS = {  # ReviewRefused subclasses -> (HTTP status, stable code)
    "decided": (409, "already_decided"),
    "stale": (409, "stale_revision"),
    "four_eyes": (403, "four_eyes"),
    "foreign": (403, "not_your_step"),
    "classified": (409, "classified"),
    "content": (409, "content_refused"),
}


def refusal(exc):
    status, code = REFUSALS.get(exc.code, (409, "review_refused"))
    return ApiError(status, code, exc.message)


@api.route("/items/<int:item_id>/submit", "POST", tag="items", scope="write", summary="提交审核",
           description="检查必备要素（R-20、R-23）、密级（R-24）和内容（R-50..R-52），然后按栏目的审核流程开始审核"
                       "（先审后发，R-30）。提示级的内容检查结果须在 `acknowledge` 中逐项确认。",
           body=s.Acknowledge, body_required=False, responses={200: s.ItemOut})
def submit(item_id, body):
    user = current_person()
    item = item_or_404(item_id)
    if item.status not in (DRAFT, RETURNED):
        raise conflict("invalid_state", f"该信息当前状态为“{item.status_label}”，不能提交审核。")
    if not can_edit_item(user, item):
        raise forbidden("您没有提交该信息的权限。")
    missing = submission_errors(item)
    if missing:
        raise conflict("submission_incomplete", "提交审核前还需补充：" + "；".join(missing), details=missing)
    reasons = engine.classified_reasons(item)
    if reasons:
        raise conflict("classified", "涉密信息一律不得上网发布，不能提交审核：" + "；".join(reasons), details=reasons)
    form = acknowledgement_form(item, body.acknowledge, for_publish=False)
    try:
        engine.submit(item, user, form)
    except engine.ReviewRefused as exc:
        raise refusal(exc) from None
    db.session.commit()
    return item_out(item, user)


@api.route("/items/<int:item_id>/history", "GET", tag="items", summary="版本与审核历史",
           responses={200: s.HistoryOut})
def history(item_id):
    item = item_or_404(item_id)
    return s.HistoryOut(item_id=item.id, status=item.status, status_label=item.status_label,
                        revisions=[s.RevisionOut(number=r.number, author=user_ref(r.author),
                                                 created_at=aware(r.created_at), note=r.note or "")
                                   for r in item.revisions],
                        runs=[run_out(r) for r in item.review_runs])
