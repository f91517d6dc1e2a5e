"""The column types' duties reach the reminders engine (R-80): documents near
or past their publication deadline (R-60), messages near or past their
transfer and reply deadlines and past the 3-month veto line (R-71, R-73),
友情链接 that no longer answer (R-52, checked over real HTTP); and the engine
counts working days with the admin's calendar (R-61)."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from datetime import date, datetime

from intranet.clock import set_now
from intranet.extensions import db
from intranet.items.models import Item
from intranet.reminders.engine import run_sweep, working_calendar
from intranet.workdays.models import WorkdayOverride
from plugins.mailbox import service

from .helpers import column, make_column, user


def _sweep(app, when):
    set_now(app, when)
    _sweep_row, new = run_sweep(now=when)
    return new


def _document(col, issue_date, title):
    item = Item(column_id=col.id, unit_id=col.unit_id, type="document", author_id=user("officer").id,
                title=title, body="<p>正文</p>", source="市办")
    item.extra = {"doc_number": "杭青俱办〔2026〕7号", "issuing_unit": "市推进办", "issue_date": issue_date,
                  "red_header_title": "市推进办文件"}
    db.session.add(item)
    db.session.commit()
    return item


def test_r80_r60_documents_are_reminded_before_and_after_their_deadline(demo):
    col = make_column("docs-sweep", "document")
    item = _document(col, "2026-11-19", "待发布的规范性文件")   # Thu: due Mon 11-23
    key = f"item:{item.id}"
    assert not [r for r in _sweep(demo, datetime(2026, 11, 19, 10)) if r.duty_key == key]   # 2 working days ahead
    warn = [r for r in _sweep(demo, datetime(2026, 11, 20, 10)) if r.duty_key == key]
    assert [(r.kind, r.severity, r.user.username, r.level) for r in warn] == \
        [("document_deadline", "warn", "officer", 0)]
    assert "2026-11-23" in warn[0].title
    overdue = [r for r in _sweep(demo, datetime(2026, 11, 24, 9)) if r.duty_key == key]
    assert [(r.severity, r.user.username) for r in overdue] == [("overdue", "officer")]
    # Idempotent: the same sweep again adds nothing.
    assert not [r for r in _sweep(demo, datetime(2026, 11, 24, 10)) if r.duty_key == key]


def test_r80_r71_messages_are_reminded_to_the_handling_unit(demo):
    consult = column("consult")
    set_now(demo, datetime(2026, 11, 16, 9))
    m = service.receive_message(consult, name="张三", contact="13812345678", subject="久未处理的留言",
                                text="请问什么时候开放？", address="203.0.113.9")
    db.session.commit()
    key = f"message:{m.id}"
    # Mon 11-16: transfer due Thu 11-19, reply due Mon 11-23.
    new = [r for r in _sweep(demo, datetime(2026, 11, 20, 9)) if r.duty_key == key]
    assert {(r.kind, r.severity) for r in new} == {("message_transfer", "overdue"), ("message_reply", "warn")}
    assert {r.user.username for r in new} == {"officer"}          # the mailbox's unit: hz-office officers
    service.route_message(m, m.unit, user("officer"))  # assigned within hz-office itself
    db.session.commit()
    new = [r for r in _sweep(demo, datetime(2026, 11, 24, 9)) if r.duty_key == key]
    assert [(r.kind, r.severity) for r in new] == [("message_reply", "overdue")]


def test_r80_r73_message_past_three_months_is_an_urgent_veto(demo):
    consult = column("consult")
    set_now(demo, datetime(2026, 8, 10, 9))
    m = service.receive_message(consult, name="李四", contact="13912345678", subject="三个月没人理",
                                text="请问什么时候开放？", address="203.0.113.9")
    db.session.commit()
    new = [r for r in _sweep(demo, datetime(2026, 11, 11, 9)) if r.duty_key == f"message:{m.id}"]
    assert "veto" in {r.severity for r in new if r.kind == "message_veto"}
    assert "超过3个月未答复" in [r for r in new if r.kind == "message_veto"][0].title


def test_r61_reminders_and_review_links_count_with_the_admins_calendar(demo):
    db.session.add(WorkdayOverride(date=date(2026, 11, 24), is_workday=False, note="测试"))
    db.session.commit()
    assert working_calendar().is_workday(date(2026, 11, 24)) is False
    assert demo.extensions["lanmu_workday_calendar"]().is_workday(date(2026, 11, 24)) is False


class _Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, *_args):
        pass


def test_r52_r80_links_are_checked_over_http_by_the_sweep_and_dead_ones_reminded(make_app):
    from intranet.demo import load_demo
    from plugins.links.models import LinkCheck
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    app = make_app(LANMU_LINK_CHECK_ALLOW_PRIVATE=True, LANMU_LINK_CHECK_TIMEOUT=2)
    try:
        with app.app_context():
            load_demo()
            for c in db.session.execute(db.select(type(column("links")))).scalars():
                c.archived = c.slug != "links-t"  # only this test's column is live
            col = make_column("links-t", "links")
            good, dead = (Item(column_id=col.id, unit_id=col.unit_id, type="links", author_id=user("officer").id,
                               title=title, status="published", first_published_at=datetime(2026, 11, 1))
                          for title in ("能打开的网站", "打不开的网站"))
            good.extra, dead.extra = {"url": f"{base}/ok"}, {"url": f"{base}/gone"}
            db.session.add_all([good, dead])
            db.session.commit()
            new = _sweep(app, datetime(2026, 11, 23, 9))
            checks = {c.item_id: c for c in db.session.execute(db.select(LinkCheck)).scalars()}
            assert set(checks) == {good.id, dead.id}  # the archived demo links were not fetched
            assert (checks[good.id].ok, checks[dead.id].ok, checks[dead.id].status_code) == (True, False, 404)
            reminders = [r for r in new if r.kind == "links_dead"]
            assert [(r.duty_key, r.user.username) for r in reminders] == [(f"item:{dead.id}", "officer")]
            assert "打不开的网站" in reminders[0].title
            # Not due again within a day: no new fetch; the weekly reminder is not repeated.
            checked_at = checks[dead.id].checked_at
            assert not [r for r in _sweep(app, datetime(2026, 11, 23, 15)) if r.kind == "links_dead"]
            db.session.expire_all()
            assert db.session.get(LinkCheck, checks[dead.id].id).checked_at == checked_at
    finally:
        server.shutdown()
