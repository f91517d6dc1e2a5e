"""R-50/R-51 in the editor: the 内容检查 panel shows findings with their
positions highlighted and the suggestion offered; 一键脱敏 masks personal data
as a new revision; the unsaved text can be re-checked; no inline scripts."""
import re

from intranet.checks import service
from intranet.extensions import db
from intranet.items.models import PUBLISHED, Revision

from ..conftest import prefix, text_of
from .conftest import new_item

BODY = ("<p>各社区青少年俱乐部要再接再励，做为全市的示范。</p>"
        "<p>报名请联系王老师，手机13812345678，或发邮件至 wanglaoshi@example.cn。</p>"
        "<p>获奖学生李明，身份证号11010519491231002X，奖金打入银行卡6222021234567890128。</p>")


def _panel(html):
    start = html.index('id="check-panel"')
    return html[start:]


def test_r50_editor_panel_highlights_findings_in_real_sentences(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "关于做为试点单位的通知", BODY)
    html = client.get(prefix(demo) + f"/items/{item.id}/edit").get_data(as_text=True)
    panel = _panel(html)
    # the words are marked where they are, with the severity as class and the message as title
    marks = re.findall(r'<mark class="check-(\w+)" id="([\w-]+)" title="([^"]*)" data-findings="[\d ]+">([^<]*)</mark>',
                       panel)
    marked = {(sev, text) for sev, _id, _title, text in marks}
    assert {("warn", "再接再励"), ("warn", "做为"), ("warn", "13812345678"),
            ("warn", "wanglaoshi@example.cn"), ("block", "11010519491231002X"),
            ("block", "6222021234567890128")} <= marked
    # the text around the marks is the plain text of the body
    body_text = re.search(r'id="check-body-text">(.*?)</div>', panel, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", body_text).startswith("各社区青少年俱乐部要再接再励，做为全市的示范。\n报名请联系王老师")
    # the title is highlighted too
    title_text = re.search(r'id="check-title-text">(.*?)</div>', panel, re.S).group(1)
    assert re.search(r'关于<mark class="check-warn"[^>]*>做为</mark>试点单位的通知', title_text)
    # the suggestion is offered, and each finding links to its mark
    page = text_of(client.get(prefix(demo) + f"/items/{item.id}/edit"))
    assert "“再接再励”疑为错别字，应为“再接再厉”" in page
    assert '<code class="check-suggestion">再接再厉</code>' in panel
    assert '<code class="check-suggestion">138****5678</code>' in panel
    ids = {mark_id for _sev, mark_id, _t, _x in marks}
    jumps = set(re.findall(r'<a href="#([\w-]+)" class="check-jump">', panel))
    assert jumps and jumps <= ids
    # blocking findings are listed by name, with where they are
    assert "正文：疑似身份证号码“11010519491231002X”，公开发布前应脱敏为“11*************02X”。" in page
    assert "正文：疑似银行卡号“6222021234567890128”" in page


def test_r50_the_item_page_shows_the_panel_read_only(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "通知", BODY)
    client = login_as("head")   # a reviewer of the unit may view, not edit
    html = client.get(prefix(demo) + f"/items/{item.id}").get_data(as_text=True)
    assert 'id="check-panel"' in html and "再接再励</mark>" in html
    assert 'id="check-mask"' not in html


def test_r51_one_click_masking_creates_a_revision_and_keeps_the_rest(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "获奖名单（联系电话13812345678）", BODY, topic="表彰", genre="公示")
    assert 'id="check-mask"' in client.get(prefix(demo) + f"/items/{item.id}/edit").get_data(as_text=True)
    before_rev = item.revision_no
    resp = client.post(prefix(demo) + f"/checks/items/{item.id}/mask", follow_redirects=True)
    assert "已对5处个人信息脱敏" in text_of(resp)
    db.session.refresh(item)
    assert item.revision_no == before_rev + 1
    rev = db.session.execute(db.select(Revision).filter_by(item_id=item.id, number=item.revision_no)).scalar_one()
    assert rev.note == "一键脱敏"
    assert item.title == "获奖名单（联系电话138****5678）"
    assert ("<p>报名请联系王老师，手机138****5678，或发邮件至 w***@example.cn。</p>"
            "<p>获奖学生李明，身份证号11*************02X，奖金打入银行卡6222***********0128。</p>") in item.body
    assert "再接再励" in item.body                       # not personal data: left as written
    assert (item.topic, item.genre, item.source) == ("表彰", "公示", "市推进办")
    # the earlier revision keeps what was there
    first = db.session.execute(db.select(Revision).filter_by(item_id=item.id, number=before_rev)).scalar_one()
    assert "13812345678" in first.data["body"]
    # nothing left to mask
    report = service.check_item(item)
    assert report.personal_data == []
    assert not any("身份证" in m for m in report.blocking)
    resp = client.post(prefix(demo) + f"/checks/items/{item.id}/mask", follow_redirects=True)
    assert "没有需要脱敏的个人信息" in text_of(resp)
    db.session.refresh(item)
    assert item.revision_no == before_rev + 1


def test_r51_masking_needs_an_editable_item_and_a_post(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "名单", BODY)
    assert client.get(prefix(demo) + f"/checks/items/{item.id}/mask").status_code == 405
    item.status = PUBLISHED
    db.session.commit()
    assert client.post(prefix(demo) + f"/checks/items/{item.id}/mask").status_code == 403
    db.session.refresh(item)
    assert "13812345678" in item.body
    other = login_as("head")   # may view (a reviewer of the unit), may not edit
    item.status = "draft"
    db.session.commit()
    assert other.post(prefix(demo) + f"/checks/items/{item.id}/mask").status_code == 403


def test_r50_unsaved_text_is_checked_without_saving(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "通知", "<p>正文说明了事情的经过。</p>")
    rev = item.revision_no
    resp = client.post(prefix(demo) + f"/checks/items/{item.id}/preview",
                       data={"title": "通知", "body": "<p>大家要一股作气完成任务。</p>"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "尚未保存" in html and re.search(r'<mark class="check-warn"[^>]*>一股作气</mark>', html)
    assert "一鼓作气" in html
    db.session.refresh(item)
    assert item.revision_no == rev and "一股作气" not in item.body


def test_r50_panel_uses_no_inline_script(demo, login_as):
    """A CSP without inline scripts is coming: every <script> has a src, no
    on* handler attributes, and the panel's script is a static file."""
    client = login_as("officer")
    item = new_item(client, demo, "通知", BODY)
    html = client.get(prefix(demo) + f"/items/{item.id}/edit").get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert any("js/checks.js" in s for s in scripts)
    assert all("src=" in s for s in scripts), scripts
    assert not re.search(r"\son[a-z]+\s*=", _panel(html))
    assert client.get("/static/js/checks.js").status_code == 200


def test_r50_the_lexicon_is_compiled_once_for_many_checks(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "通知", BODY)
    client.get(prefix(demo) + f"/items/{item.id}/edit")
    builds = service._cache().builds
    for _ in range(3):
        client.get(prefix(demo) + f"/items/{item.id}/edit")
        client.get(prefix(demo) + f"/items/{item.id}")
    assert service._cache().builds == builds
