"""The editor's server side (issue 11): the JSON image upload with its
required caption (R-20, 002 篇二; R-53), images in the body stored by their
public address and shown with their captions, Word's markup dropped on save
(R-54). The editor itself is exercised in Chromium by tests/browser."""
import io
import re

from intranet.extensions import db
from intranet.items.models import Item
from intranet.items.sanitize import sanitize_html
from intranet.sites.models import Column

from .conftest import prefix
from .review.conftest import run_chain

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _draft(client, app):
    col = db.session.execute(db.select(Column).filter_by(slug="news")).scalar_one()
    resp = client.post(prefix(app) + f"/items/new?column={col.id}", data={
        "title": "暑期活动启动", "body": "<p>今年暑期，各社区青少年俱乐部开展丰富多彩的活动。</p>", "source": "市推进办",
        "importance": "normal", "classification": ""})
    return int(re.search(r"/items/(\d+)/edit", resp.headers["Location"]).group(1))


def _upload(client, app, item_id, data, name="现场.png", caption="开营仪式现场"):
    form = {"file": (io.BytesIO(data), name)}
    if caption is not None:
        form["caption"] = caption
    return client.post(prefix(app) + f"/items/{item_id}/attachments/image", data=form,
                       content_type="multipart/form-data")


def test_r20_editor_image_upload_needs_a_caption_and_an_image(demo, login_as):
    client = login_as("officer")
    item_id = _draft(client, demo)
    resp = _upload(client, demo, item_id, PNG, caption="  ")
    assert resp.status_code == 400 and "图片说明" in resp.json["error"]
    resp = _upload(client, demo, item_id, PDF, name="通知.pdf")
    assert resp.status_code == 400 and "只能在正文中插入图片" in resp.json["error"]
    resp = _upload(client, demo, item_id, b"MZ\x90\x00" + b"\x00" * 60, name="a.png")
    assert resp.status_code == 400 and resp.json["error"].startswith("上传失败")
    resp = _upload(client, demo, item_id, PNG)
    assert resp.status_code == 200 and resp.json["ok"]
    item = db.session.get(Item, item_id)
    assert [(a.filename, a.caption, a.is_image) for a in item.attachments] == [("现场.png", "开营仪式现场", True)]
    assert resp.json["url"] == prefix(demo) + f"/items/{item_id}/attachments/{item.attachments[0].id}"
    assert item.revisions[-1].note == "插入图片：现场.png"


def test_r20_editor_image_upload_only_for_who_may_edit(demo, login_as):
    item_id = _draft(login_as("officer"), demo)
    resp = _upload(login_as("proof1"), demo, item_id, PNG)
    assert resp.status_code == 403


def test_r05_body_images_are_stored_by_their_public_address_and_shown_with_captions(demo, login_as, app):
    client = login_as("officer")
    item_id = _draft(client, demo)
    url = _upload(client, demo, item_id, PNG).json["url"]
    att_id = int(url.rsplit("/", 1)[1])
    body = f'<p>开营仪式。</p><p><img src="http://127.0.0.1:5000{url}" alt=""></p>'
    client.post(prefix(demo) + f"/items/{item_id}/edit", data={
        "title": "暑期活动启动", "body": body, "source": "市推进办", "importance": "normal", "classification": ""})
    db.session.expire_all()
    stored = db.session.get(Item, item_id).body
    assert f'src="/s/youth/i/{item_id}/files/{att_id}"' in stored and prefix(demo) not in stored
    # the editor gets the intranet address back (the public one does not answer before publication)
    page = client.get(prefix(demo) + f"/items/{item_id}/edit").get_data(as_text=True)
    assert f"{prefix(demo)}/items/{item_id}/attachments/{att_id}" in page
    view = client.get(prefix(demo) + f"/items/{item_id}").get_data(as_text=True)
    assert '<span class="body-caption">开营仪式现场</span>' in view
    assert view.count(f"/attachments/{att_id}") == 1  # not repeated in the image list under the body
    # published: the public page shows it with its caption, and nothing of the back office
    client.post(prefix(demo) + f"/review/items/{item_id}/submit", data={"checks_ack": "1"})
    run_chain(demo, item_id)
    public = app.test_client().get(f"/s/youth/i/{item_id}.html").get_data(as_text=True)
    assert f'src="/s/youth/i/{item_id}/files/{att_id}"' in public and 'alt="开营仪式现场"' in public
    assert '<span class="body-caption">开营仪式现场</span>' in public and prefix(demo) not in public
    assert app.test_client().get(f"/s/youth/i/{item_id}/files/{att_id}").status_code == 200


def test_r54_words_markup_is_dropped_on_save():
    word = ('<p class="MsoNormal" style="text-indent:2em;mso-char-indent-count:2.0">'
            '<span lang="EN-US" style="mso-bidi-font-family:宋体;color:red">正文</span><o:p></o:p></p>')
    clean = sanitize_html(word)
    assert "Mso" not in clean and "mso-" not in clean and "o:p" not in clean and "lang" not in clean
    assert "text-indent:2em" in clean.replace(" ", "") and "正文" in clean
    assert sanitize_html('<p class="lead MsoNormal">x</p>') == '<p class="lead">x</p>'
