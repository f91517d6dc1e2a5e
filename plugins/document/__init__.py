"""Document columns (规范性文件 / 文件通知): issued documents with 文号, issuing
unit, issue date (印发日期) and red-header title (红头标题), body and attachments.

Publication deadline (R-60): N working days after the issue date, through the
one working-day calendar (intranet.workdays.service.calendar). N is a setting of
the column: 2 for normative documents (000 §6), 1 for notices of issued
documents (当日或次日, 003 篇二 12), or an explicit number.

Other features call:
- `deadline(item, cal=None)` -> DocumentDeadline (due date, provisional, published, late)
- `open_document_duties(cal=None)` -> [(item, Duty)] for unpublished documents (reminders sweep)
- `record_publication(item, published_at=None)` -> DocumentPublication: the publisher
  calls it, or simply sends `intranet.signals.item_published` (connected below).
- `refresh_provisional_records(cal=None)` after the admin entered a missing year.
"""
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import joinedload

from intranet import clock
from intranet.columntypes import ColumnType, Duty, ExtraField
from intranet.signals import item_published
from intranet.sites import update_rules

NORMATIVE, ISSUED_NOTICE = "normative", "notice"
DEFAULT_WORKDAYS = {NORMATIVE: 2, ISSUED_NOTICE: 1}
OPEN_STATUSES = ("draft", "in_review", "returned", "approved")


@dataclass
class DocumentDeadline:
    issue_date: date
    workdays: int
    due_date: date
    due_at: datetime
    provisional: bool
    published_at: datetime = None
    late: bool = None          # None while unpublished
    overdue: bool = False      # unpublished and past the due day

    @property
    def status_label(self):
        if self.published_at is not None:
            return "逾期发布" if self.late else "按时发布"
        return "已超过上网时限，尚未发布" if self.overdue else "待发布"


class DocumentType(ColumnType):
    id = "document"
    label = "文件"
    description = "规范性文件、文件通知：文号、发文单位、印发日期、红头标题，按工作日计算上网时限"
    extra_fields = [
        ExtraField("doc_number", "文号", required=True, help="例如：杭青俱办〔2026〕5号"),
        ExtraField("issuing_unit", "发文单位", required=True),
        ExtraField("issue_date", "印发日期", "date", required=True, help="上网时限从印发日期起按工作日计算"),
        ExtraField("red_header_title", "红头标题", required=True, help="例如：杭州市推进社区青少年俱乐部工作领导小组办公室文件"),
    ]
    settings_fields = [
        ExtraField("doc_kind", "文件类别", "select", default=NORMATIVE,
                   choices=[(NORMATIVE, "规范性文件（印发后2个工作日内上网）"),
                            (ISSUED_NOTICE, "文件通知（印发当日或次日上网）")]),
        ExtraField("publish_within_workdays", "上网时限（工作日）", "int",
                   help="留空按文件类别：规范性文件2个工作日，文件通知1个工作日"),
    ]
    required = ("title", "body", "source")
    default_rule = (update_rules.TIMELY, None, "")
    default_staleness = "notice"
    detail_template = "document/detail.html"
    view_template = "document/view_panel.html"

    def workdays_for(self, column):
        n = self.setting(column, "publish_within_workdays")
        if n is not None:
            return n
        return DEFAULT_WORKDAYS.get(self.setting(column, "doc_kind"), DEFAULT_WORKDAYS[NORMATIVE])

    def issue_date(self, item):
        raw = item.extra.get("issue_date")
        return date.fromisoformat(raw) if raw else None

    def validate(self, item, attachments):
        errors = super().validate(item, attachments)
        issued = self.issue_date(item)
        if issued and issued > clock.today():
            errors.append("印发日期不能晚于今天")
        return errors

    def deadline(self, item, cal=None):
        """The item's publication deadline, or None without an issue date."""
        record = _record_of(item) if item.first_published_at is not None else None  # only published ones have one
        if record is not None:
            due_at = datetime.combine(record.due_date, time(23, 59, 59))
            return DocumentDeadline(record.issue_date, record.workdays, record.due_date, due_at,
                                    record.provisional, record.published_at, record.late)
        issued = self.issue_date(item)
        if issued is None:
            return None
        from intranet.workdays.service import calendar
        cal = cal or calendar()
        n = self.workdays_for(item.column)
        due = cal.add_workdays(issued, n)
        result = DocumentDeadline(issued, n, due.date, due.end, due.provisional)
        if item.first_published_at is not None:
            result.published_at = item.first_published_at
            result.late = item.first_published_at.date() > due.date
        else:
            result.overdue = clock.today() > due.date
        return result

    def deadlines(self, item, calendar=None):
        if item.first_published_at is not None or item.status not in OPEN_STATUSES:
            return []
        d = self.deadline(item, calendar)
        if d is None:
            return []
        kind = "规范性文件" if d.workdays >= 2 else "文件"
        return [Duty("document_publish", d.due_at,
                     f"{kind}上网时限：印发后{d.workdays}个工作日内（{d.due_date.isoformat()}前）", d.provisional)]

    def metrics(self, column):
        from intranet.extensions import db
        from intranet.items.models import Item
        from .models import DocumentPublication
        rows = db.session.execute(db.select(DocumentPublication.late).join(Item)
                                  .filter(Item.column_id == column.id)).scalars().all()
        return {"published": len(rows), "on_time": rows.count(False), "late": rows.count(True)}


def _record_of(item):
    if item.id is None:
        return None
    from intranet.extensions import db
    from .models import DocumentPublication
    return db.session.execute(db.select(DocumentPublication).filter_by(item_id=item.id)).scalar()


def _type():
    from intranet.columntypes import get_type
    ctype = get_type("document")
    return ctype if isinstance(ctype, DocumentType) else DocumentType()


def deadline(item, cal=None):
    return _type().deadline(item, cal)


def record_publication(item, published_at=None, cal=None):
    """Record the first publication of a document, on time or late (R-60).

    Idempotent: the first record stands (a re-publication after withdrawal
    does not change it, R-40). Returns the record, or None for other types or
    a document without an issue date. Adds to the session; the caller commits."""
    if item.type != "document":
        return None
    existing = _record_of(item)
    if existing is not None:
        return existing
    ctype = _type()
    issued = ctype.issue_date(item)
    if issued is None:
        return None
    from intranet.extensions import db
    from intranet.workdays.service import calendar
    from .models import DocumentPublication
    cal = cal or calendar()
    n = ctype.workdays_for(item.column)
    due = cal.add_workdays(issued, n)
    at = published_at or item.first_published_at or clock.now()
    record = DocumentPublication(item_id=item.id, issue_date=issued, workdays=n, due_date=due.date,
                                 provisional=due.provisional, published_at=at, late=cal.is_late(issued, at, n),
                                 recorded_at=clock.now())
    db.session.add(record)
    db.session.flush()
    from intranet import audit
    from intranet.demo import is_seeding
    if is_seeding():  # the demo's seeded history is not an action anyone took
        return record
    audit.record("document_publication_late" if record.late else "document_publication_on_time", item,
                 detail={"issue_date": issued.isoformat(), "due_date": due.date.isoformat(),
                         "published_at": at.isoformat(), "provisional": due.provisional})
    return record


def open_document_duties(cal=None):
    """(item, Duty) for every unpublished document with an issue date, soonest first.

    One query; the due dates are computed with one calendar."""
    from intranet.extensions import db
    from intranet.items.models import Item
    from intranet.workdays.service import calendar
    cal = cal or calendar()
    ctype = _type()
    items = db.session.execute(db.select(Item).options(joinedload(Item.column)).filter(
        Item.type == "document", Item.status.in_(OPEN_STATUSES), Item.first_published_at.is_(None))).scalars().all()
    out = [(item, duty) for item in items for duty in ctype.deadlines(item, cal)]
    return sorted(out, key=lambda pair: pair[1].due_at)


def refresh_provisional_records(cal=None):
    """Recompute records whose due date was provisional, once the admin has
    entered the missing year. Returns how many changed; the caller commits."""
    from intranet.extensions import db
    from intranet.workdays.service import calendar
    from .models import DocumentPublication
    cal = cal or calendar()
    changed = 0
    for rec in db.session.execute(db.select(DocumentPublication).filter_by(provisional=True)).scalars():
        due = cal.add_workdays(rec.issue_date, rec.workdays)
        late = cal.is_late(rec.issue_date, rec.published_at, rec.workdays)
        if (due.date, due.provisional, late) != (rec.due_date, rec.provisional, rec.late):
            rec.due_date, rec.provisional, rec.late = due.date, due.provisional, late
            changed += 1
    return changed


def _on_item_published(sender, item=None, **_kwargs):
    registry = sender.extensions.get("lanmu_column_types") if sender is not None else None
    if item is not None and registry is not None and registry.is_registered("document"):
        record_publication(item)


item_published.connect(_on_item_published)


def sweep_document_deadlines(ctx):
    """Reminders sweep (R-80): documents whose publication deadline is today or
    the next working day (warn) or past (overdue), to the author first, then
    up the unit (intranet.reminders). A fixed number of queries."""
    from intranet.reminders.engine import Notice
    notices = []
    for item, duty in open_document_duties(ctx.calendar):
        overdue = ctx.now > duty.due_at
        if not overdue and ctx.calendar.workdays_between(ctx.now, duty.due_at).count > 1:
            continue
        due_day = duty.due_at.date().isoformat()
        notices.append(Notice(
            kind="document_deadline", key=f"item:{item.id}", period=due_day,
            severity="overdue" if overdue else "warn",
            title=f"文件“{item.title}”{'已超过' if overdue else '即将到达'}上网时限（{due_day}）"
                  + ("（暂定）" if duty.provisional else ""),
            text=duty.label + "。请尽快完成审核并发布。", url=ctx.link("items.view", item_id=item.id),
            due_at=duty.due_at, unit_id=item.unit_id, users=[item.author_id],
            overdue_since=duty.due_at if overdue else None))
    return notices


sweeps = [sweep_document_deadlines]


def document_timeliness(start, end):
    """Assessment provider (R-60 in R-92 reports): documents first published in
    [start, end), per column and its responsible unit. One query."""
    from sqlalchemy import case, func, select

    from intranet.extensions import db
    from intranet.items.models import Item
    from intranet.sites.models import Column
    from .models import DocumentPublication
    late = func.sum(case((DocumentPublication.late.is_(True), 1), else_=0))
    rows = db.session.execute(
        select(Item.column_id, Column.unit_id, func.count(DocumentPublication.id), late)
        .join(Item, Item.id == DocumentPublication.item_id).join(Column, Column.id == Item.column_id)
        .where(DocumentPublication.published_at >= start, DocumentPublication.published_at < end)
        .group_by(Item.column_id, Column.unit_id)).all()
    return [{"column_id": column_id, "unit_id": unit_id, "published": n, "on_time": n - (n_late or 0),
             "late": n_late or 0} for column_id, unit_id, n, n_late in rows]


assessment_providers = {"document_timeliness": document_timeliness}


def register(registry):
    registry.register(DocumentType)
