"""Documents' publication deadline (R-60) through the app's one working-day
calendar (R-61): the 2026 holidays and make-up days, the per-column setting,
the on-time/late record at publication, years without data."""
from datetime import date, datetime

import pytest

from intranet import clock
from intranet.audit.models import AuditEntry
from intranet.clock import set_now
from intranet.columntypes import get_type
from intranet.extensions import db
from intranet.items.models import DRAFT, PUBLISHED, Item
from intranet.signals import item_published
from intranet.workdays.models import WorkdayOverride
from intranet.workdays.service import calendar
from plugins.document import open_document_duties, record_publication, refresh_provisional_records
from plugins.document.models import DocumentPublication

from ..conftest import TEST_NOW, prefix, text_of
from .helpers import create_column_over_http, make_column, new_item_over_http, user


def _document(col, issue_date, title="关于印发管理办法的通知", status=DRAFT, published_at=None):
    item = Item(column_id=col.id, unit_id=col.unit_id, type="document", author_id=user("officer").id,
                title=title, body="<p>现将管理办法印发给你们，请认真贯彻执行。</p>", source="市办", status=status,
                first_published_at=published_at, published_at=published_at)
    item.extra = {"doc_number": "杭青俱办〔2026〕1号", "issuing_unit": "市推进办", "issue_date": issue_date,
                  "red_header_title": "市推进办文件"}
    db.session.add(item)
    db.session.commit()
    return item


def _publish(item, at):
    """What the publisher (review engine) does: publish and send the signal."""
    set_now(clock_app(), at)
    item.status, item.published_at = PUBLISHED, at
    item.first_published_at = item.first_published_at or at  # written once
    item_published.send(clock_app(), item=item, user=user("webmaster"))
    db.session.commit()


def clock_app():
    from flask import current_app
    return current_app._get_current_object()


@pytest.fixture
def normative(demo):
    return make_column("docs-normative", "document", settings={"doc_kind": "normative"})


@pytest.fixture
def issued_notices(demo):
    return make_column("docs-notices", "document", settings={"doc_kind": "notice"})


@pytest.mark.parametrize("issued, due", [
    ("2026-09-29", date(2026, 10, 8)),   # Tue: 09-30 (1), National Day 10-01..07, Thu 10-08 (2)
    ("2026-09-25", date(2026, 9, 29)),   # Mid-Autumn Friday itself: Mon 09-28, Tue 09-29
    ("2026-02-12", date(2026, 2, 14)),   # Thu: Fri 02-13, make-up Sat 02-14
    ("2026-02-13", date(2026, 2, 24)),   # Fri: make-up Sat 02-14, Spring Festival to 02-23, Tue 02-24
    ("2026-04-30", date(2026, 5, 7)),    # Thu: Labour Day 05-01..05, Wed 05-06, Thu 05-07
    ("2026-12-30", date(2027, 1, 1)),    # into 2027: no data -> provisional (tested below)
])
def test_r60_normative_document_due_two_working_days_after_issue(normative, issued, due):
    item = _document(normative, issued)
    d = get_type("document").deadline(item)
    assert (d.workdays, d.due_date) == (2, due)
    assert d.due_at == datetime.combine(due, datetime.min.time()).replace(hour=23, minute=59, second=59)
    assert d.provisional is (due.year == 2027)


@pytest.mark.parametrize("issued, due", [
    ("2026-09-18", date(2026, 9, 20)),   # Fri: the make-up Sunday 09-20 is the next working day
    ("2026-09-30", date(2026, 10, 8)),   # Wed before National Day
    ("2025-12-31", date(2026, 1, 4)),    # New Year: make-up Sunday 01-04
    ("2026-03-02", date(2026, 3, 3)),    # an ordinary Monday
])
def test_r60_notice_of_an_issued_document_due_the_next_working_day(issued_notices, issued, due):
    item = _document(issued_notices, issued)
    assert get_type("document").deadline(item).due_date == due
    [duty] = get_type("document").deadlines(item, calendar())
    assert duty.kind == "document_publish" and "印发后1个工作日内" in duty.label


def test_r60_explicit_working_days_setting_wins_over_the_kind(demo):
    col = make_column("docs-three", "document", settings={"doc_kind": "normative", "publish_within_workdays": 3})
    # Wed 09-30: 10-08, 10-09, make-up Sat 10-10.
    assert get_type("document").deadline(_document(col, "2026-09-30")).due_date == date(2026, 10, 10)


def test_r60_column_setting_is_edited_on_the_column_form(demo, login_as):
    client = login_as("webmaster")
    col = create_column_over_http(client, demo, "document", "docs-form", settings={"doc_kind": "notice"})
    assert col.settings == {"doc_kind": "notice", "publish_within_workdays": None}
    page = client.get(prefix(demo) + f"/sites/{col.site_id}/columns/{col.id}/edit")
    assert "文件类别" in text_of(page) and "上网时限（工作日）" in text_of(page)
    assert get_type("document").workdays_for(col) == 1


def test_r60_publication_on_the_due_day_is_on_time_and_recorded(normative, login_as, demo):
    item = _document(normative, "2026-09-29")
    _publish(item, datetime(2026, 10, 8, 23, 0))
    record = db.session.execute(db.select(DocumentPublication).filter_by(item_id=item.id)).scalar_one()
    assert (record.due_date, record.late, record.provisional) == (date(2026, 10, 8), False, False)
    set_now(demo, TEST_NOW)
    page = login_as("officer").get(prefix(demo) + f"/items/{item.id}")
    panel = text_of(page)
    assert "上网时限" in panel and "2026-10-08" in panel and "按时发布" in panel
    assert get_type("document").metrics(normative) == {"published": 1, "on_time": 1, "late": 0}


def test_r60_late_publication_is_recorded_as_late(normative, login_as, demo):
    item = _document(normative, "2026-09-29")
    _publish(item, datetime(2026, 10, 9, 0, 0))
    record = db.session.execute(db.select(DocumentPublication).filter_by(item_id=item.id)).scalar_one()
    assert record.late is True and record.published_at == datetime(2026, 10, 9)
    audit = db.session.execute(db.select(AuditEntry).filter_by(action="document_publication_late",
                                                               object_id=item.id)).scalar_one()
    assert "2026-10-08" in audit.detail
    set_now(demo, TEST_NOW)
    assert "逾期发布" in text_of(login_as("officer").get(prefix(demo) + f"/items/{item.id}"))
    assert get_type("document").metrics(normative)["late"] == 1


def test_r60_r40_first_publication_record_stands(normative):
    item = _document(normative, "2026-09-29")
    _publish(item, datetime(2026, 9, 30, 10, 0))
    # Withdrawn and published again much later: still the first, on-time record.
    item.status = "withdrawn"
    db.session.commit()
    _publish(item, datetime(2026, 11, 20, 10, 0))
    rows = db.session.execute(db.select(DocumentPublication).filter_by(item_id=item.id)).scalars().all()
    assert len(rows) == 1 and rows[0].late is False and rows[0].published_at == datetime(2026, 9, 30, 10, 0)


def test_r60_other_types_are_not_recorded(demo):
    col = make_column("plain-news", "article")
    item = Item(column_id=col.id, unit_id=col.unit_id, type="article", author_id=user("officer").id, title="新闻")
    db.session.add(item)
    db.session.commit()
    _publish(item, TEST_NOW)
    assert record_publication(item) is None
    assert db.session.execute(db.select(DocumentPublication).filter_by(item_id=item.id)).scalar() is None


def test_r60_unpublished_document_past_its_due_day_shows_overdue(normative, login_as, demo):
    item = _document(normative, "2026-11-18")   # Wed: due Fri 11-20; TEST_NOW is Mon 11-23
    page = login_as("officer").get(prefix(demo) + f"/items/{item.id}")
    assert "已超过上网时限，尚未发布" in text_of(page)


def test_r60_open_document_duties_for_the_reminders_sweep(normative):
    late = _document(normative, "2026-11-18", title="早印发")
    soon = _document(normative, "2026-11-20", title="刚印发")
    done = _document(normative, "2026-11-19", title="已发布", status=PUBLISHED, published_at=TEST_NOW)
    duties = open_document_duties()
    ids = [item.id for item, _duty in duties]
    assert ids.index(late.id) < ids.index(soon.id) and done.id not in ids
    assert [d.due_at for i, d in duties if i.id == soon.id] == [datetime(2026, 11, 24, 23, 59, 59)]


def test_r60_issue_date_in_the_future_is_refused(normative, login_as, demo):
    item = _document(normative, "2026-11-24")
    assert "印发日期不能晚于今天" in get_type("document").validate(item, [])


# -- the admin's overrides and years without data ----------------------

def test_r61_admin_override_moves_a_document_deadline_everywhere(normative, login_as, demo):
    item = _document(normative, "2026-09-29")
    admin = login_as("admin")
    resp = admin.post(prefix(demo) + "/workdays/days", data={"date": "2026-10-08", "kind": "off", "note": "临时调整"},
                      follow_redirects=True)
    assert "已设置 2026-10-08 为非工作日" in text_of(resp)
    assert db.session.execute(db.select(WorkdayOverride).filter_by(date=date(2026, 10, 8))).scalar_one().note == "临时调整"
    page = admin.get(prefix(demo) + f"/items/{item.id}")
    assert "2026-10-09" in text_of(page)      # was 10-08
    assert get_type("document").deadline(item).due_date == date(2026, 10, 9)


def test_r61_document_in_a_year_without_data_is_provisional_and_nothing_crashes(normative, login_as, demo):
    set_now(demo, datetime(2027, 3, 11, 9, 0))
    item = _document(normative, "2027-03-10")   # Wed: Thu 03-11, Fri 03-12 by Monday-Friday
    d = get_type("document").deadline(item)
    assert (d.due_date, d.provisional) == (date(2027, 3, 12), True)
    assert get_type("document").deadlines(item, calendar())[0].provisional is True
    officer = user("officer")
    officer.password_changed_at = datetime(2027, 3, 1)
    db.session.commit()
    page = login_as("officer").get(prefix(demo) + f"/items/{item.id}")
    assert page.status_code == 200 and "暂定" in text_of(page) and "2027-03-12" in text_of(page)
    _publish(item, datetime(2027, 3, 12, 18, 0))
    record = db.session.execute(db.select(DocumentPublication).filter_by(item_id=item.id)).scalar_one()
    assert record.provisional is True and record.late is False


def test_r61_provisional_records_are_recomputed_once_the_year_is_entered(normative, login_as, demo):
    set_now(demo, datetime(2027, 3, 15, 9, 0))
    item = _document(normative, "2027-03-10")
    _publish(item, datetime(2027, 3, 15, 9, 0))        # Mon 03-15: late by Monday-Friday (due 03-12)
    record = db.session.execute(db.select(DocumentPublication).filter_by(item_id=item.id)).scalar_one()
    assert (record.late, record.provisional) == (True, True)
    # The admin enters the (hypothetical) 2027 notice: 03-11 and 03-12 are holidays, the year is complete.
    set_now(demo, TEST_NOW)
    resp = login_as("admin").post(prefix(demo) + "/workdays/notice", follow_redirects=True, data={
        "year": 2027, "text": "2027-03-11~2027-03-12 休 假设的假期", "complete": "y", "action": "save"})
    assert "已导入2027年放假安排：2天" in text_of(resp)
    assert refresh_provisional_records() == 1
    db.session.commit()
    db.session.refresh(record)
    # Thu 03-11 and Fri 03-12 off: Mon 03-15 (1), Tue 03-16 (2).
    assert (record.due_date, record.late, record.provisional) == (date(2027, 3, 16), False, False)


def test_r60_document_published_through_the_review_chain_is_recorded(demo, login_as):
    """The real path: the officer drafts, the chain approves, the review engine
    publishes and sends item_published, the document plugin records it."""
    from .helpers import forget_cached_user, new_item_over_http, publish_through_review
    forget_cached_user(demo)
    docs = make_column("docs-flow", "document", settings={"doc_kind": "normative"})
    set_now(demo, datetime(2026, 9, 29, 9, 0))
    officer = login_as("officer")
    form = {"title": "经审核发布的规范性文件", "body": "<p>现将管理办法印发给你们，请认真贯彻执行。</p>", "source": "市办",
            "extra_doc_number": "杭青俱办〔2026〕4号", "extra_issuing_unit": "市推进办",
            "extra_issue_date": "2026-09-29", "extra_red_header_title": "市推进办文件"}
    on_time = new_item_over_http(officer, demo, docs, form)
    late = new_item_over_http(officer, demo, docs, {**form, "title": "审核拖延的规范性文件"})
    set_now(demo, datetime(2026, 10, 8, 16, 0))       # the due day (2 working days across National Day)
    assert publish_through_review(demo, on_time.id).status == PUBLISHED
    set_now(demo, datetime(2026, 10, 9, 9, 0))        # the day after
    assert publish_through_review(demo, late.id).status == PUBLISHED
    records = {r.item_id: r for r in db.session.execute(db.select(DocumentPublication)).scalars()}
    assert (records[on_time.id].late, records[on_time.id].published_at) == (False, datetime(2026, 10, 8, 16, 0))
    assert (records[late.id].late, records[late.id].due_date) == (True, date(2026, 10, 8))
    set_now(demo, TEST_NOW)
    assert "逾期发布" in text_of(login_as("officer").get(prefix(demo) + f"/items/{late.id}"))
