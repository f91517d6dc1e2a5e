"""The document and mailbox plugins' figures for the assessment reports (R-92)
and the inspection health view (R-93), through intranet.assessment.providers."""
from datetime import datetime, timedelta

from intranet.assessment.providers import provide
from intranet.clock import set_now
from intranet.extensions import db
from intranet.health.inspect import inspect
from intranet.workdays.service import calendar
from plugins.mailbox import service
from plugins.mailbox.models import ANSWERED, Message

from ..conftest import TEST_NOW, prefix
from .helpers import column, site, unit, user


def _table(html, table_id):
    from ..assessment.helpers import table_rows
    return table_rows(html, table_id)


def test_r92_r60_document_timeliness_per_column(demo):
    docs = column("documents")
    rows = provide("document_timeliness", datetime(2026, 9, 1), datetime(2026, 12, 1))
    assert [r for r in rows if r["column_id"] == docs.id] == [
        {"column_id": docs.id, "unit_id": docs.unit_id, "published": 2, "on_time": 1, "late": 1}]
    # By first publication: October alone holds neither (09-30 and 11-04).
    assert not [r for r in provide("document_timeliness", datetime(2026, 10, 1), datetime(2026, 11, 1))
                if r["column_id"] == docs.id]


def test_r92_r71_reply_timeliness_per_column_and_handling_unit(demo, login_as):
    consult = column("consult")
    answered = db.session.execute(db.select(Message).filter_by(column_id=consult.id, status=ANSWERED)).scalars().all()
    cal = calendar()
    expected = {"column_id": consult.id, "unit_id": unit("sc-office").id, "answered": len(answered),
                "on_time": sum(1 for m in answered if not m.reply_late),
                "late": sum(1 for m in answered if m.reply_late),
                "workdays_total": sum(cal.workdays_between(m.received_at, m.replied_at).count for m in answered)}
    assert len(answered) == 3 and expected["late"] == 1
    assert provide("reply_timeliness", datetime(2026, 1, 1), datetime(2027, 1, 1)) == [expected]
    # The per-person statistics page shows them (no longer 无数据).
    page = login_as("head").get(prefix(demo) + "/assessment/people?year=2026").get_data(as_text=True)
    [row] = _table(page, "replies")
    assert row[0] == unit("sc-office").name and row[1:4] == ["3", "2", "1"]


def test_r93_r73_unanswered_messages_feed_the_veto_line(demo):
    consult = column("consult")
    set_now(demo, datetime(2026, 8, 10, 9))
    old = service.receive_message(consult, name="李四", contact="13912345678", subject="三个多月未答复",
                                  text="请问什么时候开放？", address="203.0.113.9")
    spam = service.receive_message(consult, name="广告", contact="x", subject="不予受理的留言", text="广告内容",
                                   address="203.0.113.9")
    service.mark_invalid(spam, user("officer"), "广告")
    db.session.commit()
    set_now(demo, TEST_NOW)
    rows = provide("unanswered_messages", TEST_NOW, TEST_NOW - timedelta(days=90), site_id=site().id)
    assert [r["message_id"] for r in rows] == [old.id]
    assert rows[0]["unit_id"] == consult.unit_id and rows[0]["subject"] == "三个多月未答复"
    assert provide("unanswered_messages", TEST_NOW, TEST_NOW - timedelta(days=90), site_id=site().id + 999) == []
    # A message answered later was still unanswered at an earlier time.
    late = db.session.execute(db.select(Message).filter_by(query_code="DEMQLATE2345")).scalar_one()
    before_reply = late.replied_at - timedelta(hours=1)
    ids = [r["message_id"] for r in provide("unanswered_messages", before_reply, before_reply)]
    assert late.id in ids
    health = inspect(site(), TEST_NOW)
    assert (health.line("messages").count, health.line("messages").state) == (1, "veto")
