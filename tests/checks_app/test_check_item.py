"""The service the review engine calls: check_item (R-24, R-50..R-52) and the
acknowledgement of warn-level findings."""
import io

from werkzeug.datastructures import MultiDict

from intranet.checks import service
from intranet.checks.models import CheckAcknowledgement
from intranet.extensions import db
from intranet.org.models import User

from ..checks.test_checks_uploads import PDF
from ..conftest import prefix, text_of
from .conftest import edit_item, new_item


def _user(username):
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def _upload(client, app, item, data, name, caption=""):
    return client.post(prefix(app) + f"/items/{item.id}/attachments",
                       data={"file": (io.BytesIO(data), name), "caption": caption},
                       content_type="multipart/form-data", follow_redirects=True)


def test_r24_markings_in_attachment_names_block_and_are_named(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "会议通知", "<p>定于下周召开工作会议。</p>")
    for name in ("机密★1年 会议纪要.pdf", "内部资料-参会名单.pdf", "保守国家秘密宣传材料.pdf"):
        resp = _upload(client, demo, item, PDF, name)
        assert f"已上传“{name}”" in text_of(resp)
    db.session.refresh(item)
    report = service.check_item(item)
    assert report.blocking == [
        "附件名称“机密★1年 会议纪要.pdf”：检测到密级标志“机密★1年”，涉密或内部信息不得在网站公开发布。",
        "附件名称“内部资料-参会名单.pdf”：检测到密级标志“内部资料”，涉密或内部信息不得在网站公开发布。",
    ]   # an article about 保守国家秘密 is not a marking
    assert not report.ok
    page = text_of(client.get(prefix(demo) + f"/items/{item.id}/edit"))
    assert "附件名称“机密★1年 会议纪要.pdf”" in page


def test_r24_markings_in_title_body_and_the_classification_field(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "【内部】关于安排值班的通知", "<h2>秘密★6个月</h2><p>请各单位做好保密工作。</p>",
                    classification="secret")
    places = [(f.where, f.category, f.text) for f in service.check_item(item).block_findings]
    assert places == [("title", "marking", "【内部】"), ("body", "marking", "秘密★6个月"),
                      ("classification", "classification", "秘密")]
    assert "密级：信息标有密级“秘密”，涉密信息一律不得上网发布。" in service.check_item(item).blocking


def test_r50_blocking_messages_name_each_word_and_count_repeats(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "活动通知", "<p>此处插入正文。</p><p>此处插入图片说明。</p>"
                                            "<p>严厉打击某赌博网站，再接再励。</p>")
    client = login_as("admin")
    resp = client.post(prefix(demo) + "/checks/lexicon/new", data={
        "word": "某赌博网站", "category": "sensitive", "severity": "block", "site_id": "0", "enabled": "y"})
    assert resp.status_code == 302
    report = service.check_item(item)
    assert report.blocking == ["正文：含有禁用语“此处插入”，须修改后才能提交。（共2处）",
                               "正文：含有敏感词“某赌博网站”，须修改后才能提交。"]
    assert report.warnings == ["正文：“再接再励”疑为错别字，应为“再接再厉”。"]


def test_r50_warnings_need_an_acknowledgement_recorded_per_revision(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "工作总结", "<p>我们要再接再励，联系电话13812345678。</p>")
    officer = _user("officer")
    report = service.check_item(item)
    assert report.ok and report.needs_acknowledgement
    assert [f.text for f in report.unacknowledged] == ["再接再励", "13812345678"]
    # publishing with unconfirmed warnings is refused, naming them
    publish = service.check_item(item, for_publish=True)
    assert not publish.ok
    assert any("尚未确认的提示" in m and "再接再励" in m for m in publish.blocking)

    ack = service.acknowledge(item, officer, report.unacknowledged)
    db.session.commit()
    row = db.session.get(CheckAcknowledgement, ack.id)
    assert (row.item_id, row.revision_no, row.user_id, row.context) == (item.id, item.revision_no, officer.id, "submit")
    assert row.at is not None
    assert [(f["where"], f["category"], f["text"], f["suggestion"]) for f in row.findings] == [
        ("body", "typo", "再接再励", "再接再厉"), ("body", "mobile", "13812345678", "138****5678")]
    again = service.check_item(item)
    assert not again.needs_acknowledgement and again.warnings   # still shown, no longer pending
    assert service.check_item(item, for_publish=True).ok

    # a new revision with a new warning: only the new one is pending, the
    # confirmation was for the revision the person saw
    edit_item(client, demo, item, body="<p>我们要再接再励，一股作气，联系电话13812345678。</p>")
    pending = service.check_item(item).unacknowledged
    assert [f.text for f in pending] == ["再接再励", "一股作气", "13812345678"]
    assert not service.check_item(item, for_publish=True).ok


def test_r50_publish_acknowledgement_can_be_switched_off(make_app):
    app = make_app(LANMU_CHECKS_PUBLISH_REQUIRES_ACK=False)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        client = app.test_client()
        client.post(prefix(app) + "/login", data={"username": "officer", "password": "Lanmu@2026"})
        item = new_item(client, app, "工作总结", "<p>我们要再接再励。</p>")
        report = service.check_item(item, for_publish=True)
        assert report.ok and report.needs_acknowledgement


def test_r50_acknowledge_from_form_covers_exactly_what_was_shown(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "工作总结", "<p>我们要再接再励，做为表率。</p>")
    officer = _user("officer")
    report = service.check_item(item)
    keys = [f.key for f in report.unacknowledged]
    # the partial renders the findings, their keys and the box
    from flask import render_template_string
    html = render_template_string('{% include "checks/_acknowledge.html" %}', report=report)
    assert 'name="checks_ack"' in html and html.count('name="checks_ack_key"') == 2
    assert not service.acknowledge_from_form(item, officer, report, MultiDict({"checks_ack_key": keys}))
    partial = MultiDict([("checks_ack", "1"), ("checks_ack_key", keys[0])])
    assert not service.acknowledge_from_form(item, officer, report, partial)   # one was not shown
    assert db.session.execute(db.select(db.func.count()).select_from(CheckAcknowledgement)).scalar() == 0
    full = MultiDict([("checks_ack", "1")] + [("checks_ack_key", k) for k in keys])
    assert service.acknowledge_from_form(item, officer, report, full, context="publish")
    assert not service.check_item(item).needs_acknowledgement


def test_r52_hidden_and_external_links_are_findings_of_the_item(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "友情链接", '<p>详见<a href="https://www.zj.gov.cn/a.html">浙江省政府</a>和'
                                            '<a href="https://shop.example.com/">某商城</a>。</p>'
                                            '<div style="display:none"><a href="http://casino.example/">娱乐</a></div>')
    report = service.check_item(item)
    assert [(f.category, f.severity, f.text) for f in report.findings if f.kind == "link"] == [
        ("external_link", "warn", "https://shop.example.com/"),
        ("hidden_link", "block", "http://casino.example/"),
        ("external_link", "warn", "http://casino.example/")]
    assert "正文：发现隐藏链接（暗链）“http://casino.example/”（display:none），须删除后才能发布。" in report.blocking
    # saving never fetched a link: no link has been checked yet
    assert {l.state for l in report.links} == {"尚未检查"}
