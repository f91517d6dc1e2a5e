"""Bad input (3): path traversal and oversized input on uploads and downloads.
Nothing is written or read outside the upload directory, limits answer with a
Chinese message or 413, never 500 (R-53)."""
from io import BytesIO
from pathlib import Path

from intranet.extensions import db
from intranet.items.models import Attachment

from ..conftest import login, text_of
from .helpers import P, PNG, attachment_of, client_from, new_item, publish, upload

PDF = b"%PDF-1.4\n%test\n"


def _files(root):
    return {p for p in Path(root).rglob("*") if p.is_file()}


def test_upload_file_names_cannot_escape_the_upload_directory(demo, login_as, tmp_path):
    client = login_as("officer")
    item_id = new_item(client)
    root = Path(demo.config["LANMU_UPLOAD_DIR"]).resolve()
    before = _files(tmp_path)
    names = ["../../../../tmp/evil.png", "..\\..\\..\\evil.png", "/etc/passwd.png", "C:\\Windows\\evil.png",
             "....//....//evil.png", "%2e%2e%2fevil.png", "evil.png\u202egnp.exe", "\x01\x1fevil.png", ".png",
             "a" * 400 + ".png", "..", "con.png"]
    for i, name in enumerate(names):
        resp = upload(client, item_id, PNG + bytes([i]), name, caption="说明")
        assert resp.status_code == 302, name
    atts = db.session.execute(db.select(Attachment).filter_by(item_id=item_id)).scalars().all()
    assert len(atts) >= 8  # the rest are refused with a message (executable or unknown extension)
    for att in atts:
        assert "/" not in att.filename and "\\" not in att.filename and len(att.filename) <= 120
        assert (root / att.stored_name).resolve().is_relative_to(root)
    new = _files(tmp_path) - before
    assert new and all(p.resolve().is_relative_to(root) for p in new)
    assert not Path("/tmp/evil.png").exists()


def test_download_routes_refuse_traversal(demo, login_as):
    client = login_as("officer")
    item_id = new_item(client)
    upload(client, item_id)
    att = attachment_of(item_id)
    for url in (f"{P(demo)}/items/{item_id}/attachments/..%2f..%2f..%2fetc%2fpasswd",
                f"{P(demo)}/items/{item_id}/attachments/{att.id}/..%2f..%2fconfig.py",
                "/static/../../intranet/config.py", "/static/..%2f..%2fintranet%2fconfig.py",
                "/static/%2e%2e/%2e%2e/etc/passwd", "/bootstrap/static/../../../../etc/passwd",
                "/s/youth/i/1/files/..%2f..%2fetc%2fpasswd", f"{P(demo)}/items/{item_id}/attachments/-1"):
        resp = client.get(url)
        assert resp.status_code in (404, 405, 308), (url, resp.status_code)
        assert b"root:" not in resp.data and b"SECRET_KEY" not in resp.data


def test_a_tampered_stored_name_is_never_served(demo, login_as):
    client = login_as("officer")
    item_id = new_item(client)
    upload(client, item_id)
    publish(item_id)
    att = attachment_of(item_id)
    for evil in ("../../../../../../etc/passwd", "/etc/passwd", "..", ""):
        att.stored_name = evil
        db.session.commit()
        assert client.get(f"{P(demo)}/items/{item_id}/attachments/{att.id}").status_code == 404, evil
        assert client.get(f"/s/youth/i/{item_id}/files/{att.id}").status_code == 404, evil


def test_missing_file_on_disk_is_a_404(demo, login_as):
    client = login_as("officer")
    item_id = new_item(client)
    upload(client, item_id, PDF, "a.pdf", "")
    att = attachment_of(item_id)
    (Path(demo.config["LANMU_UPLOAD_DIR"]) / att.stored_name).unlink()
    assert client.get(f"{P(demo)}/items/{item_id}/attachments/{att.id}").status_code == 404


def test_oversized_uploads_and_requests(make_app):
    app = make_app(MAX_CONTENT_LENGTH=20_000, LANMU_UPLOAD_MAX_BYTES=5_000)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        client = client_from(app)
        login(client, "officer")
        item_id = new_item(client)
        resp = client.post(f"{P(app)}/items/{item_id}/attachments", follow_redirects=True,
                           data={"file": (BytesIO(PDF + b"x" * 8_000), "big.pdf")}, content_type="multipart/form-data")
        assert resp.status_code == 200 and "超过大小限制" in text_of(resp)
        resp = client.post(f"{P(app)}/items/{item_id}/attachments",
                           data={"file": (BytesIO(PDF + b"x" * 50_000), "huge.pdf")}, content_type="multipart/form-data")
        assert resp.status_code == 413 and "文件过大" in text_of(resp)
        resp = client.post(f"{P(app)}/items/{item_id}/attachments",
                           data={"file": (BytesIO(b""), "empty.pdf")}, content_type="multipart/form-data",
                           follow_redirects=True)
        assert "文件为空" in text_of(resp) or "请选择" in text_of(resp)
        assert not db.session.execute(db.select(Attachment).filter_by(item_id=item_id)).scalars().all()
        resp = client.post(f"{P(app)}/items/{item_id}/edit", data={"title": "x" * 19_000})
        assert resp.status_code == 200 and "标题不能超过300字" in text_of(resp)
        resp = client.post(f"{P(app)}/items/{item_id}/edit", data={f"f{i}": "x" for i in range(1500)})
        assert resp.status_code < 500  # extra fields are ignored; missing ones keep the item's values


def test_overlong_text_fields_are_refused_with_a_message(demo, login_as):
    client = login_as("officer")
    resp = client.post(f"{P(demo)}/items/{new_item(client)}/edit", data={
        "title": "标" * 301, "body": "<p>" + "正" * 500_001 + "</p>", "source": "源" * 201, "importance": "normal",
        "classification": ""})
    page = text_of(resp)
    assert resp.status_code == 200 and "标题不能超过300字" in page and "正文过长" in page
