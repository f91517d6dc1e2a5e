"""Publishing (R-40, R-25, R-24), withdrawal (R-39), approval forms (R-36),
ledger (R-37) and archive (R-38)."""
import hashlib
import io
import re
from datetime import datetime, timedelta

import openpyxl
import pytest

from intranet.clock import set_now
from intranet.extensions import db
from intranet.items import storage
from intranet.notify.inbox import InboxMessage
from intranet.review import engine
from intranet.review.archive import archived_path
from intranet.review.models import ImmutableRow, LedgerEntry, Publication

from ..conftest import TEST_NOW, prefix, text_of
from .conftest import (DEFAULT_CHAIN, as_user, create_item, edit_item, item, publish_new, run_chain, submit,
                       user)

PDF = b"%PDF-1.4\n% plan of the summer activities\n"


def _public_ok(app, item_id):
    return app.test_client().get(f"/s/youth/i/{item_id}.html").status_code == 200


def _ledger(item_id):
    return [e.action for e in db.session.execute(db.select(LedgerEntry).filter_by(item_id=item_id)
                                                 .order_by(LedgerEntry.id)).scalars()]


def test_r40_scheduled_item_waits_for_its_time(demo):
    at = TEST_NOW + timedelta(days=1, hours=2)
    item_id = publish_new(demo, publish_at=at.strftime("%Y-%m-%dT%H:%M"))
    it = item(item_id)
    assert it.status == "approved" and it.first_published_at is None and not _public_ok(demo, item_id)
    assert engine.publish_due(at - timedelta(minutes=1)) == {"published": [], "expired": []}
    assert not _public_ok(demo, item_id)
    set_now(demo, at + timedelta(seconds=30))
    assert engine.publish_due()["published"] == [item_id]
    it = item(item_id)
    assert it.status == "published" and it.first_published_at == at + timedelta(seconds=30)
    assert _public_ok(demo, item_id)
    entry = db.session.execute(db.select(LedgerEntry).filter_by(item_id=item_id)).scalar_one()
    assert entry.action == "publish" and entry.reason == "定时发布" and entry.user.username == "webmaster"
    assert engine.publish_due()["published"] == []  # idempotent


def test_r40_backdated_publish_time_is_not_taken_as_first_publication(demo):
    week_ago = TEST_NOW - timedelta(days=7)
    item_id = publish_new(demo, publish_at=week_ago.strftime("%Y-%m-%dT%H:%M"))
    it = item(item_id)
    assert it.status == "published" and it.first_published_at == TEST_NOW


def test_r40_first_publish_time_survives_withdraw_and_republish(demo):
    officer = as_user(demo, "officer")
    item_id = publish_new(demo, officer)
    first = item(item_id).first_published_at
    set_now(demo, TEST_NOW + timedelta(days=3))
    webmaster = as_user(demo, "webmaster")
    webmaster.post(prefix(demo) + f"/review/items/{item_id}/withdraw", data={"reason": "活动时间有误"})
    assert item(item_id).status == "withdrawn"
    resp = officer.post(prefix(demo) + f"/review/items/{item_id}/reopen", follow_redirects=True)
    assert item(item_id).status == "draft"
    edit_item(officer, item_id, title="全市青少年俱乐部暑期活动启动（更正）")
    submit(officer, item_id)
    set_now(demo, TEST_NOW + timedelta(days=4))
    run_chain(demo, item_id)
    it = item(item_id)
    assert it.status == "published"
    assert it.first_published_at == first and it.published_at == TEST_NOW + timedelta(days=4)
    assert _ledger(item_id) == ["publish", "withdraw", "republish"]
    pubs = db.session.execute(db.select(Publication).filter_by(item_id=item_id).order_by(Publication.number)
                              ).scalars().all()
    assert [p.title for p in pubs] == ["全市青少年俱乐部暑期活动启动", "全市青少年俱乐部暑期活动启动（更正）"]
    # The column was written once: an attempt to rewrite it is refused.
    with pytest.raises(ValueError):
        it.first_published_at = TEST_NOW - timedelta(days=10)
    db.session.rollback()
    assert item(item_id).first_published_at == first


def test_r40_published_item_cannot_be_deleted(demo):
    officer = as_user(demo, "officer")
    item_id = publish_new(demo, officer)
    as_user(demo, "webmaster").post(prefix(demo) + f"/review/items/{item_id}/withdraw", data={"reason": "重复"})
    officer.post(prefix(demo) + f"/review/items/{item_id}/reopen")
    resp = officer.post(prefix(demo) + f"/items/{item_id}/delete")
    assert resp.status_code == 403 and item(item_id) is not None


def test_r25_expired_item_leaves_the_site(demo):
    expires = TEST_NOW + timedelta(days=2)
    item_id = publish_new(demo, expires_at=expires.strftime("%Y-%m-%dT%H:%M"))
    assert _public_ok(demo, item_id)
    assert engine.publish_due(expires - timedelta(minutes=1))["expired"] == []
    set_now(demo, expires + timedelta(minutes=1))
    assert not _public_ok(demo, item_id)  # hidden at once by the public query
    assert engine.publish_due()["expired"] == [item_id]
    assert item(item_id).status == "expired"
    assert _ledger(item_id) == ["publish", "expire"]


def test_r39_withdraw_takes_the_item_off_at_once_and_notifies(demo):
    officer = as_user(demo, "officer")
    item_id = publish_new(demo, officer, title="湖滨社区科普活动报名通知")
    anon = demo.test_client()
    col = item(item_id).column
    assert "湖滨社区科普活动报名通知" in text_of(anon.get(f"/s/youth/c/{col.slug}/"))
    webmaster = as_user(demo, "webmaster")
    resp = webmaster.post(prefix(demo) + f"/review/items/{item_id}/withdraw", data={"reason": ""},
                          follow_redirects=True)
    assert "请填写撤回原因" in text_of(resp) and _public_ok(demo, item_id)
    resp = webmaster.post(prefix(demo) + f"/review/items/{item_id}/withdraw", data={"reason": "报名时间调整"},
                          follow_redirects=True)
    assert "信息已撤回" in text_of(resp)
    assert not _public_ok(demo, item_id)
    for url in ("/s/youth/", f"/s/youth/c/{col.slug}/", f"/s/youth/c/{col.slug}/rss.xml"):
        assert "湖滨社区科普活动报名通知" not in anon.get(url).get_data(as_text=True), url
    assert "没有找到相关信息" in text_of(anon.get("/s/youth/search?q=湖滨社区科普"))
    entry = db.session.execute(db.select(LedgerEntry).filter_by(item_id=item_id, action="withdraw")).scalar_one()
    assert entry.reason == "报名时间调整" and entry.user.username == "webmaster"
    # The responsible unit's officer and head are told, urgently.
    told = {m.user.username for m in db.session.execute(db.select(InboxMessage).filter_by(urgent=True)).scalars()}
    assert {"officer", "head"} <= told
    assert "报名时间调整" in text_of(officer.get(prefix(demo) + "/inbox/"))


def test_r39_only_webmaster_or_higher_office_may_withdraw(demo):
    item_id = publish_new(demo)
    for who in ("officer", "proof1", "leader", "sc_leader"):
        resp = as_user(demo, who).post(prefix(demo) + f"/review/items/{item_id}/withdraw",
                                       data={"reason": "试试"}, follow_redirects=True)
        assert "只有网站管理员或上级单位可以撤回信息" in text_of(resp), who
    assert item(item_id).status == "published"


def test_r39_higher_level_office_withdraws_a_district_item(demo):
    sc_officer = as_user(demo, "sc_officer")
    item_id = create_item(sc_officer, slug="activities", title="上城区俱乐部活动")
    submit(sc_officer, item_id)
    run_chain(demo, item_id, ("sc_proof", "proof1", "sc_head", "sc_secrecy", "sc_leader", "webmaster"))
    assert item(item_id).status == "published"
    # The city office's leader is the higher level of the district office.
    resp = as_user(demo, "leader").post(prefix(demo) + f"/review/items/{item_id}/withdraw",
                                        data={"reason": "表述不准确"}, follow_redirects=True)
    assert "信息已撤回" in text_of(resp) and item(item_id).status == "withdrawn"


def test_r38_archive_keeps_the_published_version_and_files_after_withdrawal(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer, body="<p>附件为暑期活动安排表，请各社区按表组织报名。</p>")
    officer.post(prefix(demo) + f"/items/{item_id}/attachments",
                 data={"file": (io.BytesIO(PDF), "安排表.pdf"), "caption": ""}, content_type="multipart/form-data")
    submit(officer, item_id)
    run_chain(demo, item_id)
    pub = db.session.execute(db.select(Publication).filter_by(item_id=item_id)).scalar_one()
    assert [f.filename for f in pub.files] == ["安排表.pdf"]
    as_user(demo, "webmaster").post(prefix(demo) + f"/review/items/{item_id}/withdraw", data={"reason": "过时"})
    # Even the upload store losing the file does not lose the archive.
    att = item(item_id).attachments[0]
    storage.path_of(att).unlink()
    inspector = as_user(demo, "leader")
    page = inspector.get(prefix(demo) + f"/review/archive/{pub.id}")
    assert page.status_code == 200 and "附件为暑期活动安排表" in text_of(page) and "已撤回" in text_of(page)
    assert "撤回" in text_of(page) and "过时" in text_of(page)
    resp = inspector.get(prefix(demo) + f"/review/archive/{pub.id}/files/{pub.files[0].id}")
    assert resp.status_code == 200 and resp.data == PDF
    assert hashlib.sha256(archived_path(pub.files[0]).read_bytes()).hexdigest() == pub.files[0].sha256
    listing = inspector.get(prefix(demo) + "/review/archive")
    assert "全市青少年俱乐部暑期活动启动" in text_of(listing)
    # The officer (not an inspector) cannot browse the archive.
    assert officer.get(prefix(demo) + "/review/archive").status_code == 403


def test_r38_archive_rows_are_immutable(demo):
    item_id = publish_new(demo)
    pub = db.session.execute(db.select(Publication).filter_by(item_id=item_id)).scalar_one()
    pub.title = "改过的标题"
    with pytest.raises(ImmutableRow):
        db.session.flush()
    db.session.rollback()
    entry = db.session.execute(db.select(LedgerEntry).filter_by(item_id=item_id)).scalar_one()
    db.session.delete(entry)
    with pytest.raises(ImmutableRow):
        db.session.flush()
    db.session.rollback()


def test_r36_approval_form_shows_every_step_and_prints_on_a4(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    from .conftest import decide
    decide(as_user(demo, "proof1"), item_id, "approve_comment", "人名已核对")
    run_chain(demo, item_id, DEFAULT_CHAIN[1:])
    pub = db.session.execute(db.select(Publication).filter_by(item_id=item_id)).scalar_one()
    page = as_user(demo, "leader").get(prefix(demo) + f"/review/forms/{pub.id}")
    html, text = page.get_data(as_text=True), text_of(page)
    assert "信息发布审批表" in text and "@page { size: A4" in html and "@media print" in html
    steps_table = html.split('id="form-steps"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", steps_table, re.S)[1:]
    assert len(rows) == 6
    for row, (label, name) in zip(rows, [("第一次校对", "周校对"), ("第二次校对", "吴校对"), ("科室负责人初审", "郑科长"),
                                         ("保密审查", "孙保密"), ("分管领导签发", "钱分管"), ("网站管理员发布", "王网管")]):
        assert label in row and name in row and "2026-11-23 10:00" in row
    assert "人名已核对" in steps_table
    assert "孙保密" in html.split('id="form-secrecy"')[1]
    assert "李信息" in text and "最新动态" in text


def test_r36_approval_forms_export_to_excel_with_the_same_numbers(demo):
    a = publish_new(demo, title="第一篇")
    b = publish_new(demo, title="第二篇")
    pubs = db.session.execute(db.select(Publication).filter(Publication.item_id.in_([a, b]))
                              .order_by(Publication.id)).scalars().all()
    client = as_user(demo, "webmaster")
    resp = client.get(prefix(demo) + f"/review/forms.xlsx?ids={pubs[0].id},{pubs[1].id}")
    assert resp.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    ws = wb["信息发布审批表"]
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "发布编号" and len(body) == 12
    assert sorted({r[1] for r in body}) == ["第一篇", "第二篇"]
    people = [r[header.index("审核人")] for r in body if r[1] == "第一篇"]
    assert people == ["周校对", "吴校对", "郑科长", "孙保密", "钱分管", "王网管"]
    assert len(list(wb["保密审查记录"].iter_rows(values_only=True))) == 3
    one = openpyxl.load_workbook(io.BytesIO(client.get(prefix(demo) + f"/review/forms.xlsx?ids={pubs[0].id}").data))
    assert len(list(one.active.iter_rows(values_only=True))) == 7


def test_r36_the_author_and_the_items_viewers_export_its_approval_form(demo):
    """The 导出Excel of an approval form works for everyone who may see that form: inspectors, the
    item's author and the people who may see the item's review (its reviewers among them); others
    get 404 for it, and an export without ids stays the inspectors'."""
    item_id = publish_new(demo, title="作者导出审批表")
    pub = db.session.execute(db.select(Publication).filter_by(item_id=item_id)).scalar_one()
    export = prefix(demo) + f"/review/forms.xlsx?ids={pub.id}"
    for who in ("officer", "proof1", "liaison", "head"):  # author, a reviewer, a drafter of the column, inspector
        client = as_user(demo, who)
        assert client.get(prefix(demo) + f"/review/forms/{pub.id}").status_code == 200, who
        resp = client.get(export)
        assert resp.status_code == 200, who
        rows = list(openpyxl.load_workbook(io.BytesIO(resp.data))["信息发布审批表"].iter_rows(values_only=True))
        assert {r[1] for r in rows[1:]} == {"作者导出审批表"}, who
    outsider = as_user(demo, "sc_head")  # heads 上城区, below 市办: not this item's
    assert outsider.get(prefix(demo) + f"/review/forms/{pub.id}").status_code == 403
    assert outsider.get(export).status_code == 404
    officer = as_user(demo, "officer")
    assert officer.get(prefix(demo) + "/review/forms.xlsx").status_code == 403  # every form in scope: inspectors
    assert officer.get(prefix(demo) + "/review/forms.xlsx?ids=").status_code == 404  # no form named


def test_r37_ledger_lists_publish_and_withdraw_filterable_and_exports_the_same(demo):
    a = publish_new(demo, title="最新动态一")
    set_now(demo, TEST_NOW + timedelta(days=2))
    sc = as_user(demo, "sc_officer")
    b = create_item(sc, slug="activities", title="上城区活动二")
    submit(sc, b)
    run_chain(demo, b, ("sc_proof", "proof1", "sc_head", "sc_secrecy", "sc_leader", "webmaster"))
    set_now(demo, TEST_NOW + timedelta(days=3))
    as_user(demo, "webmaster").post(prefix(demo) + f"/review/items/{a}/withdraw", data={"reason": "内容过时"})
    client = as_user(demo, "webmaster")
    page = client.get(prefix(demo) + "/review/ledger")
    assert "共3条" in text_of(page)
    assert text_of(page).count("最新动态一") == 2 and "内容过时" in text_of(page)
    sc_unit = item(b).unit_id
    filtered = client.get(prefix(demo) + f"/review/ledger?unit={sc_unit}")
    assert "共1条" in text_of(filtered) and "上城区活动二" in text_of(filtered)
    by_person = client.get(prefix(demo) + f"/review/ledger?user={user('webmaster').id}&action=withdraw")
    assert "共1条" in text_of(by_person)
    period = client.get(prefix(demo) + "/review/ledger?start=2026-11-25&end=2026-11-25")
    assert "共1条" in text_of(period) and "上城区活动二" in text_of(period)
    col = item(a).column_id
    by_column = client.get(prefix(demo) + f"/review/ledger?column={col}")
    assert "共2条" in text_of(by_column)
    for query, n in (("", 3), (f"?unit={sc_unit}", 1), (f"?column={col}", 2), ("?start=2026-11-26", 1)):
        resp = client.get(prefix(demo) + "/review/ledger.xlsx" + query)
        rows = list(openpyxl.load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
        assert len(rows) - 1 == n, query
    rows = list(openpyxl.load_workbook(io.BytesIO(client.get(prefix(demo) + "/review/ledger.xlsx").data))
                .active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["撤回", "发布", "发布"]
    assert rows[1][8] == "内容过时" and rows[1][6] == "王网管"
    # A district inspector sees only their own district.
    district = as_user(demo, "sc_leader").get(prefix(demo) + "/review/ledger")
    assert "共1条" in text_of(district) and "最新动态一" not in text_of(district)
    assert as_user(demo, "officer").get(prefix(demo) + "/review/ledger").status_code == 403


def test_r38_test_apps_archive_into_their_own_temporary_folder(make_app, tmp_path):
    """The shared test settings keep the archive (and backups) in the test's folder: a test that
    publishes never writes into the repository's instance/ folder, the default archive."""
    from pathlib import Path

    from intranet.backup import backup_dir
    from intranet.demo import load_demo
    from intranet.items.models import Item
    from intranet.review.archive import archive_dir, archive_item
    repo_instance = (Path(__file__).resolve().parents[2] / "instance").resolve()
    app = make_app()
    with app.app_context():
        load_demo()
        it = next(i for i in db.session.execute(db.select(Item).order_by(Item.id)).scalars() if i.attachments)
        pub = archive_item(it, None, None, TEST_NOW)
        written = [archived_path(f) for f in pub.files]
        folders = [archive_dir(), backup_dir()]
        db.session.rollback()
    assert written and all(p.is_file() for p in written)
    for p in [*written, *folders]:
        assert p.resolve().is_relative_to(tmp_path.resolve()), p
        assert not p.resolve().is_relative_to(repo_instance), p
