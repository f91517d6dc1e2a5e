"""The API's request and response shapes, as pydantic models. The OpenAPI
document is generated from these (spec.py) and the views validate requests
and build responses with them, so the document cannot drift from the code.

Times: requests accept ISO 8601 date-times with or without an offset (without
one they are local time, LANMU_TIMEZONE); responses always carry the offset
(2026-11-23T10:00:00+08:00). Dates are ISO dates."""
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, Optional, TypeVar
from zoneinfo import ZoneInfo

from flask import current_app
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

MAX_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1900, 2100

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _tz():
    return ZoneInfo(current_app.config.get("LANMU_TIMEZONE") or "Asia/Shanghai")


def _local_datetime(value: datetime) -> datetime:
    """An aware time converted to local naive time (how the database keeps times)."""
    if value.tzinfo is not None:
        try:
            value = value.astimezone(_tz()).replace(tzinfo=None)
        except (OverflowError, ValueError):
            raise ValueError("日期时间超出范围") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"日期应在{MIN_YEAR}年至{MAX_YEAR}年之间")
    return value


def _in_range(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"日期应在{MIN_YEAR}年至{MAX_YEAR}年之间")
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能包含NUL字符")
    return value


LocalDateTime = Annotated[datetime, AfterValidator(_local_datetime)]
Day = Annotated[date, AfterValidator(_in_range)]


def Text(max_length, min_length=0, strip=True):  # noqa: N802  (a type factory)
    return Annotated[str, StringConstraints(strip_whitespace=strip, max_length=max_length, min_length=min_length),
                     AfterValidator(_no_nul)]


def aware(value):
    """Naive local time (database) -> aware time for responses."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=_tz()) if value.tzinfo is None else value
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- errors and pages ------------------------------------------------------------

class Finding(Out):
    """A content-check finding (R-50..R-52). Acknowledge warn-level ones by their `key`."""
    key: str
    where: str = Field(description="title / red_header_title / body / caption / attachment / classification")
    name: str = Field(description="the file name for caption and attachment findings")
    kind: str
    category: str
    category_label: str
    severity: Literal["block", "warn"]
    text: str
    message: str
    suggestion: Optional[str] = None
    acknowledged: bool


class Error(Out):
    code: str = Field(description="stable error code (docs/api.md)")
    message: str = Field(description="Chinese, for people")
    fields: dict[str, str] = Field(description="request field -> what is wrong with it")
    details: Optional[list[str]] = Field(None, description="e.g. the missing elements of an item")
    findings: Optional[list[Finding]] = Field(None, description="content-check findings to acknowledge")


T = TypeVar("T")


class Page(Out, Generic[T]):
    data: list[T]
    next: Optional[str] = Field(description="cursor of the next page (pass as `cursor`); null on the last page")


class ListQuery(Strict):
    limit: int = Field(20, ge=1, le=100, description="items per page (1..100)")
    cursor: Optional[Text(200)] = Field(None, description="the `next` value of the previous page")


# --- people, units, sites, columns -------------------------------------------------

class UserRef(Out):
    id: int
    username: str
    name: str


class UnitRef(Out):
    id: int
    code: str
    name: str


class Membership(Out):
    unit: UnitRef
    role: str
    role_label: str


class TokenInfo(Out):
    id: int
    name: str
    prefix: str
    scope: Literal["read", "write"]
    created_at: datetime
    expires_at: Optional[datetime]
    last_used_at: Optional[datetime]


class Me(Out):
    id: int
    username: str
    name: str
    is_sysadmin: bool
    memberships: list[Membership]
    token: TokenInfo


class SiteOut(Out):
    id: int
    code: str
    name: str
    domain: str
    description: str
    unit: UnitRef
    parent_site_id: Optional[int]
    url: str = Field(description="the public site's address")


class Choice(Out):
    value: str
    label: str


class FieldSpec(Out):
    """A type-specific field of a column's items (sent in `extra`)."""
    name: str
    label: str
    kind: Literal["text", "textarea", "date", "datetime", "url", "select", "int"]
    required: bool
    choices: list[Choice]
    help: str


class ColumnOut(Out):
    id: int
    site_id: int
    parent_id: Optional[int]
    name: str
    slug: str
    level: int
    type: str
    type_label: str
    has_items: bool
    unit: UnitRef
    rule_text: str
    staleness_class: str
    is_key: bool
    link_visible: bool
    requires_secrecy_review: bool
    can_draft: bool = Field(description="the token's person may draft items into it")
    required: list[str] = Field(description="core fields required before submission")
    extra_fields: list[FieldSpec]
    url: str


class ColumnQuery(ListQuery):
    site_id: Optional[Id] = None
    draftable: bool = Field(False, description="only columns the token's person may draft into")


# --- items ------------------------------------------------------------------------

Importance = Literal["normal", "important", "major"]
Classification = Literal["", "secret", "confidential", "top_secret", "internal"]
ExtraValue = Optional[int | Text(20000)]


class AttachmentUpload(Strict):
    filename: Text(255, 1)
    content_base64: Annotated[str, StringConstraints(max_length=70_000_000)] = Field(
        description="the file, base64-encoded (checked like any upload: type by content, size, no executables or macros)")
    caption: Text(300) = Field("", description="required for images (图片说明)")


class ItemFields(Strict):
    """The fields of an item. `body` is rich text (HTML), sanitised on save."""
    title: Text(300, 1)
    body: Text(500_000, strip=False) = ""
    source: Optional[Text(200)] = Field(None, description="信息来源; default: the column's unit")
    publish_at: Optional[LocalDateTime] = Field(None, description="scheduled publication (R-40); null: at once")
    created_date: Optional[Day] = None
    topic: Text(100) = ""
    genre: Text(100) = ""
    importance: Importance = "normal"
    classification: Classification = Field("", description="密级: a classified item can never be published (R-24)")
    expires_at: Optional[LocalDateTime] = None
    is_reprint: bool = False
    reprint_source_site: Text(200) = ""
    reprint_time: Optional[LocalDateTime] = None
    reprint_url: Text(500) = ""
    extra: dict[Annotated[str, StringConstraints(max_length=64)], ExtraValue] = Field(
        default_factory=dict, description="the column type's own fields (see the column's extra_fields)")


class ItemCreate(ItemFields):
    column_id: Id
    attachments: list[AttachmentUpload] = Field(default_factory=list, max_length=20)


class ItemMultipart(BaseModel):
    """multipart/form-data: `meta` is the JSON of an item (as for application/json),
    `files` the attachments, `captions` their captions in the same order."""
    meta: str = Field(json_schema_extra={"contentMediaType": "application/json"})
    files: list[bytes] = Field(default_factory=list, json_schema_extra={"items": {"type": "string",
                                                                                   "format": "binary"}})
    captions: list[str] = Field(default_factory=list)


class ItemUpdate(Strict):
    """Only the fields sent change; `null` clears an optional field."""
    title: Optional[Text(300, 1)] = None
    body: Optional[Text(500_000, strip=False)] = None
    source: Optional[Text(200)] = None
    publish_at: Optional[LocalDateTime] = None
    created_date: Optional[Day] = None
    topic: Optional[Text(100)] = None
    genre: Optional[Text(100)] = None
    importance: Optional[Importance] = None
    classification: Optional[Classification] = None
    expires_at: Optional[LocalDateTime] = None
    is_reprint: Optional[bool] = None
    reprint_source_site: Optional[Text(200)] = None
    reprint_time: Optional[LocalDateTime] = None
    reprint_url: Optional[Text(500)] = None
    extra: Optional[dict[Annotated[str, StringConstraints(max_length=64)], ExtraValue]] = None


class AttachmentAdd(Strict):
    attachments: list[AttachmentUpload] = Field(default_factory=list, max_length=20)


class AttachmentOut(Out):
    id: int
    filename: str
    mime: str
    size: int
    sha256: str
    is_image: bool
    caption: str
    created_at: datetime


class StepOut(Out):
    id: int
    run_number: int
    run_revision_no: int = Field(description="the revision under review: send it as `revision_no` when deciding")
    position: int
    kind: str
    label: str
    role: str
    unit: Optional[UnitRef]
    status: str
    status_label: str
    opened_at: Optional[datetime]
    decided_at: Optional[datetime]
    decided_by: Optional[UserRef]
    decision: Optional[str]
    decision_label: Optional[str]
    comment: str
    revision_no: Optional[int] = Field(description="the revision the decision was made on")
    via: Optional[str] = Field(description="web / email / api")
    note: str


class RunOut(Out):
    number: int
    status: str
    status_label: str
    revision_no: int
    importance: str
    chain_source: str
    submitted_by: UserRef
    submitted_at: datetime
    finished_at: Optional[datetime]
    steps: list[StepOut]


class ItemOut(Out):
    id: int
    column_id: int
    site_id: int
    unit: UnitRef
    type: str
    status: Literal["draft", "in_review", "returned", "rejected", "approved", "published", "withdrawn", "expired"]
    status_label: str
    author: UserRef
    title: str
    body: str
    source: str
    publish_at: Optional[datetime]
    created_date: Optional[date]
    topic: str
    genre: str
    doc_number: str
    red_header_title: str
    importance: str
    classification: str
    expires_at: Optional[datetime]
    is_reprint: bool
    reprint_source_site: str
    reprint_time: Optional[datetime]
    reprint_url: str
    extra: dict[str, Any]
    revision_no: int
    first_published_at: Optional[datetime]
    published_at: Optional[datetime]
    created_at: datetime
    updated_at: datetime
    attachments: list[AttachmentOut]
    missing: list[str] = Field(description="what submission still needs (R-20, R-23); empty when complete")
    can_edit: bool
    review: Optional[RunOut] = Field(description="the latest review run")
    public_url: Optional[str] = Field(description="the public page, while published")


class ItemBrief(Out):
    id: int
    column_id: int
    type: str
    title: str
    status: str
    status_label: str
    revision_no: int
    updated_at: datetime


class ItemQuery(ListQuery):
    status: Optional[Literal["draft", "in_review", "returned", "rejected", "approved", "published", "withdrawn",
                             "expired"]] = None
    column_id: Optional[Id] = None


class RevisionOut(Out):
    number: int
    author: UserRef
    created_at: datetime
    note: str


class HistoryOut(Out):
    item_id: int
    status: str
    status_label: str
    revisions: list[RevisionOut]
    runs: list[RunOut]


class Acknowledge(Strict):
    acknowledge: list[Text(1000)] = Field(
        default_factory=list, max_length=500,
        description="keys of the warn-level findings the person has checked (GET /items/{id}/checks)")


class ChecksOut(Out):
    item_id: int
    revision_no: int
    ok: bool = Field(description="no blocking finding")
    blocking: list[str]
    warnings: list[str]
    findings: list[Finding]


# --- review -----------------------------------------------------------------------

class ReviewTask(Out):
    step: StepOut
    item: ItemBrief
    author: UserRef
    is_publish_step: bool
    item_url: str = Field(description="GET this for the item itself")


class Decision(Acknowledge):
    decision: Literal["approve", "approve_comment", "return", "reject"]
    comment: Text(2000) = Field("", description="required to return or reject, and for approve_comment")
    revision_no: Id = Field(description="the revision you reviewed (the step's run revision); a newer one is refused")


class DecisionOut(Out):
    step: StepOut
    item: ItemBrief


class StepQuery(ListQuery):
    pass


# --- published --------------------------------------------------------------------

class SiteRef(Out):
    id: int
    code: str
    name: str


class ColumnRef(Out):
    id: int
    name: str
    slug: str


class PublicAttachment(Out):
    id: int
    filename: str
    mime: str
    size: int
    sha256: str
    is_image: bool
    caption: str
    url: str


class PublishedOut(Out):
    id: int
    site: SiteRef
    column: ColumnRef
    type: str
    title: str
    body: str
    source: str
    doc_number: str
    red_header_title: str
    extra: dict[str, Any]
    first_published_at: datetime
    published_at: datetime
    expires_at: Optional[datetime]
    url: str
    attachments: list[PublicAttachment]


class PublishedQuery(ListQuery):
    since: Optional[LocalDateTime] = Field(
        None, description="only items (re)published after this time: pass the latest `published_at` you saw")
    site_id: Optional[Id] = None
    column_id: Optional[Id] = None


# --- mailbox ----------------------------------------------------------------------

MessageStatus = Literal["received", "assigned", "reply_review", "answered", "invalid"]


class Deadlines(Out):
    transfer: date
    reply: date
    escalation: date
    veto: date
    provisional: bool


class ReplyOut(Out):
    id: int
    unit: UnitRef
    author: UserRef
    text: str
    publish_requested: bool
    status: Literal["submitted", "approved", "returned"]
    status_label: str
    submitted_at: datetime
    reviewer: Optional[UserRef]
    reviewed_at: Optional[datetime]
    review_comment: str


class EventOut(Out):
    at: datetime
    action: str
    label: str
    user: Optional[UserRef]
    from_unit: Optional[UnitRef]
    to_unit: Optional[UnitRef]
    note: str
    late: Optional[bool]


class MessageOut(Out):
    id: int
    column_id: int
    site_id: int
    kind: str
    kind_label: str
    status: MessageStatus
    status_label: str
    unit: UnitRef = Field(description="the unit handling it")
    subject: str
    text: str
    sender_name: str
    sender_contact: str
    wants_privacy: bool
    has_attachment: bool
    received_at: datetime
    assigned_at: Optional[datetime]
    replied_at: Optional[datetime]
    transfer_late: Optional[bool]
    reply_late: Optional[bool]
    escalated_at: Optional[datetime]
    is_public: bool
    deadlines: Deadlines
    age_days: int
    waited_workdays: int
    pending_reply: Optional[ReplyOut]
    replies: Optional[list[ReplyOut]] = Field(None, description="with GET /messages/{id} only")
    events: Optional[list[EventOut]] = Field(None, description="with GET /messages/{id} only")


class MessageQuery(ListQuery):
    status: Optional[Literal["open", "received", "assigned", "reply_review", "answered", "invalid"]] = Field(
        None, description="open: received, assigned or reply in review")


class Route(Strict):
    unit_id: Id = Field(description="the department (assign) or unit (transfer) that will handle it")
    note: Text(500) = ""


class ReplyIn(Strict):
    text: Text(20000, 5)
    publish: bool = Field(True, description="publish question and answer (masked) once approved (R-72)")


class ReplyReview(Strict):
    decision: Literal["approve", "return"]
    comment: Text(2000) = ""


# --- reminders and health -----------------------------------------------------------

class ReminderOut(Out):
    id: int
    kind: str
    title: str
    text: str
    url: str
    severity: str
    severity_label: str
    level: int
    level_label: str
    due_at: Optional[datetime]
    created_at: datetime
    read_at: Optional[datetime]
    unit: Optional[UnitRef]


class ReminderQuery(ListQuery):
    unread: bool = Field(False, description="only reminders not yet read")


class LineFinding(Out):
    """One thing behind a line: a column (stale, blank ...), a message, or a content finding."""
    column_id: Optional[int] = None
    column: Optional[str] = None
    unit_id: Optional[int] = None
    unit: Optional[str] = None
    state: Optional[str] = None
    is_key: Optional[bool] = None
    last_published_at: Optional[datetime] = None
    days: Optional[int] = None
    message_id: Optional[int] = None
    received_at: Optional[datetime] = None
    subject: Optional[str] = None
    item_id: Optional[int] = None
    severity: Optional[str] = None
    text: Optional[str] = None


class HealthLine(Out):
    code: Literal["homepage", "stale_key", "long_stale", "blank", "messages", "checks"]
    label: str
    count: Optional[int]
    line: Optional[int] = Field(description="the veto line (count at which the site fails)")
    state: Literal["pass", "risk", "veto", "nodata"]
    state_label: str
    text: str
    findings: list[LineFinding]


class HealthOut(Out):
    site: SiteRef
    at: datetime
    state: Literal["pass", "risk", "veto", "nodata"]
    state_label: str
    homepage_last: Optional[datetime]
    homepage_days: Optional[int]
    lines: list[HealthLine]


class HealthQuery(Strict):
    date: Optional[Day] = Field(None, description="inspect at the end of this day; default: now")
