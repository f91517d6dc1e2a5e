"""Drafting items: required elements (R-20), reprints (R-21), revisions (R-22),
attachment-only items (R-23), uploads (R-53), sanitising (R-54)."""
import io

from intranet.extensions import db
from intranet.items.models import Item, Revision
from intranet.items.service import submission_errors
from intranet.sites.models import Column

from .conftest import prefix, text_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _column(slug="progress"):
    return db.session.execute(db.select(Column).filter_by(slug=slug)).scalar_one()


def _new(client, app, **fields):
    data = {"title": "标题", "body": "<p>正文说明了事情的经过和结果。</p>", "source": "市推进办",
            "importance": "normal", "classification": ""}
    data.update(fields)
    return client.post(prefix(app) + f"/items/new?column={_column().id}", data=data)


def _item(title):
    return db.session.execute(db.select(Item).filter_by(title=title)).scalar_one()


def test_r20_failed_save_keeps_what_was_typed(demo, login_as):
    client = login_as("officer")
    resp = _new(client, demo, title="", body="<p>我辛苦写的一段正文</p>", source="某某来源",
                reprint_url="不是网址")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "请填写标题" in page and "保存失败" in page and "原文链接格式不正确" in page
    assert "我辛苦写的一段正文" in page and "某某来源" in page


def test_r20_missing_required_elements_are_named_in_chinese(demo, login_as):
    client = login_as("officer")
    assert _new(client, demo, title="缺要素", body="", source="").status_code == 302
    errors = submission_errors(_item("缺要素"))
    assert "请填写信息来源" in errors and "请填写正文" in errors
    page = client.get(prefix(demo) + f"/items/{_item('缺要素').id}")
    assert "请填写信息来源" in text_of(page)


def test_r21_reprint_needs_source_site_time_and_link(demo, login_as):
    client = login_as("officer")
    assert _new(client, demo, title="转载稿", is_reprint="y").status_code == 302
    errors = submission_errors(_item("转载稿"))
    assert {"转载信息请填写来源网站", "转载信息请填写转载时间", "转载信息请填写原文链接"} <= set(errors)
    resp = client.post(prefix(demo) + f"/items/{_item('转载稿').id}/edit", data={
        "title": "转载稿", "body": "<p>正文说明了事情的经过和结果。</p>", "source": "浙江省人民政府",
        "importance": "normal", "classification": "", "is_reprint": "y",
        "reprint_source_site": "浙江省人民政府门户网站", "reprint_time": "2026-11-20T09:30",
        "reprint_url": "https://www.zj.gov.cn/art/2026/11/20/art_1.html"})
    assert resp.status_code == 302
    assert submission_errors(_item("转载稿")) == []


def test_r22_every_save_is_a_revision(demo, login_as):
    client = login_as("officer")
    _new(client, demo, title="版本测试")
    item = _item("版本测试")
    for n, body in enumerate(["<p>第二稿的正文内容。</p>", "<p>第三稿的正文内容。</p>"], start=2):
        resp = client.post(prefix(demo) + f"/items/{item.id}/edit", data={
            "title": "版本测试", "body": body, "source": "市推进办", "importance": "normal", "classification": ""})
        assert resp.status_code == 302
        db.session.refresh(item)
        assert item.revision_no == n
    revs = db.session.execute(db.select(Revision).filter_by(item_id=item.id).order_by(Revision.number)).scalars().all()
    assert [r.number for r in revs] == [1, 2, 3]
    assert "第二稿" in revs[1].data["body"] and "第三稿" in revs[2].data["body"]
    # Saving without a change records nothing new.
    client.post(prefix(demo) + f"/items/{item.id}/edit", data={
        "title": "版本测试", "body": "<p>第三稿的正文内容。</p>", "source": "市推进办", "importance": "normal",
        "classification": ""})
    db.session.refresh(item)
    assert item.revision_no == 3
    page = client.get(prefix(demo) + f"/items/{item.id}/revisions/2")
    assert "第二稿" in text_of(page)


def test_r23_attachment_only_item_is_rejected(demo, login_as):
    client = login_as("officer")
    _new(client, demo, title="只有附件", body="<p> </p>")
    item = _item("只有附件")
    resp = client.post(prefix(demo) + f"/items/{item.id}/attachments",
                       data={"file": (io.BytesIO(PDF), "通知.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 302
    assert any("不能只发布附件" in e for e in submission_errors(item))
    # A trivial body with a file is rejected too.
    item.body = "<p>见附件</p>"
    assert any("不能只发布附件" in e for e in submission_errors(item))


def test_r20_image_needs_a_caption(demo, login_as):
    client = login_as("officer")
    _new(client, demo, title="图片稿")
    item = _item("图片稿")
    url = prefix(demo) + f"/items/{item.id}/attachments"
    resp = client.post(url, data={"file": (io.BytesIO(PNG), "活动.png")}, content_type="multipart/form-data",
                       follow_redirects=True)
    assert "上传图片须填写图片说明" in text_of(resp)
    assert not item.attachments
    resp = client.post(url, data={"file": (io.BytesIO(PNG), "活动.png"), "caption": "青少年参加科普活动"},
                       content_type="multipart/form-data")
    db.session.refresh(item)
    assert [a.caption for a in item.images] == ["青少年参加科普活动"]
    assert item.revision_no == 2  # the upload is a revision too


def _docx_with_macro():
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'content-types"><Override PartName="/word/vbaProject.bin" ContentType="application/'
                    'vnd.ms-office.vbaProject"/></Types>')
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return out.getvalue()


def test_r53_renamed_executable_is_refused(demo, login_as):
    client = login_as("officer")
    _new(client, demo, title="上传测试")
    item = _item("上传测试")
    url = prefix(demo) + f"/items/{item.id}/attachments"
    for payload, name, message in [
        (b"MZ\x90\x00" + b"\x00" * 60, "年度报告.pdf", "可执行"),
        (_docx_with_macro(), "表格.docx", "宏"),
        (b"\x00\x01binary", "数据.xyz", "无法识别"),
        (PDF, "名单.docx", "不符"),
    ]:
        resp = client.post(url, data={"file": (io.BytesIO(payload), name)}, content_type="multipart/form-data",
                           follow_redirects=True)
        assert message in text_of(resp), name
    db.session.refresh(item)
    assert item.attachments == []


def test_r53_oversized_upload_gets_a_clear_message(make_app):
    app = make_app(LANMU_UPLOAD_MAX_BYTES=1000)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        client = app.test_client()
        client.post(prefix(app) + "/login", data={"username": "officer", "password": "Lanmu@2026"})
        _new(client, app, title="大文件")
        item = _item("大文件")
        resp = client.post(prefix(app) + f"/items/{item.id}/attachments",
                           data={"file": (io.BytesIO(PDF + b"0" * 2000), "大.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
        assert "超过大小限制" in text_of(resp)


def test_r53_request_over_the_global_limit_is_a_chinese_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=2000)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        client = app.test_client()
        client.post(prefix(app) + "/login", data={"username": "officer", "password": "Lanmu@2026"})
        _new(client, app, title="大请求")
        item = _item("大请求")
        resp = client.post(prefix(app) + f"/items/{item.id}/attachments",
                           data={"file": (io.BytesIO(b"0" * 5000), "big.pdf")}, content_type="multipart/form-data")
        assert resp.status_code == 413 and "文件过大" in text_of(resp)


def test_r53_filenames_are_sanitised(demo, login_as):
    client = login_as("officer")
    _new(client, demo, title="文件名")
    item = _item("文件名")
    client.post(prefix(demo) + f"/items/{item.id}/attachments",
                data={"file": (io.BytesIO(PDF), "../../etc/通知<script>.pdf")}, content_type="multipart/form-data")
    db.session.refresh(item)
    assert item.attachments[0].filename == "通知_script_.pdf"
    resp = client.get(prefix(demo) + f"/items/{item.id}/attachments/{item.attachments[0].id}")
    assert resp.status_code == 200 and resp.data == PDF


def test_r54_body_is_sanitised_on_save(demo, login_as):
    client = login_as("officer")
    _new(client, demo, title="净化", body='<p onclick="steal()">正文<script>alert(1)</script>'
                                          '<a href="javascript:alert(2)">链接</a><img src=x onerror=alert(3)>'
                                          '<strong>加粗</strong></p>')
    body = _item("净化").body
    for bad in ("<script", "onclick", "javascript:", "onerror", "alert(1)"):
        assert bad not in body, bad
    assert "<strong>加粗</strong>" in body and "正文" in body


def test_r54_title_is_escaped_on_pages(demo, login_as):
    client = login_as("officer")
    _new(client, demo, title="<script>alert('t')</script>标题")
    item = _item("<script>alert('t')</script>标题")
    page = client.get(prefix(demo) + f"/items/{item.id}").get_data(as_text=True)
    assert "<script>alert('t')</script>" not in page and "&lt;script&gt;" in page


def test_r25_expiry_hides_item_from_public_site(demo, client):
    from datetime import timedelta

    from intranet.clock import now
    item = db.session.execute(db.select(Item).filter_by(title="全市社区青少年俱乐部建设推进会召开")).scalar_one()
    assert client.get(f"/s/youth/i/{item.id}.html").status_code == 200
    item.expires_at = now() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/s/youth/i/{item.id}.html").status_code == 404
    assert item.title not in text_of(client.get("/s/youth/"))
