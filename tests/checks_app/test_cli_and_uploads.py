"""R-50..R-51 on the command line (`flask --app wsgi check FILE`: one JSON
object per finding, then a summary line; the DB lexicon if there is one,
else the starter lexicon) and R-53 uploads over HTTP (renamed executables,
scripts and macro files refused)."""
import io
import json

import pytest

from intranet import create_app
from intranet.checks.runner import CLI_KEYS
from intranet.extensions import db
from intranet.items.models import Attachment

from ..checks.test_checks_uploads import ELF, EXE, PDF, ole_bytes, ooxml, png_bytes
from ..conftest import prefix, text_of
from .conftest import new_item

HTML = ("<h1>关于开展暑期活动的通知</h1>\n<p>各社区要再接再励。联系人：王老师，13812345678。</p>\n"
        "<p>附：获奖学生身份证号11010519491231002X。</p>\n")


def _lines(output):
    return [json.loads(line) for line in output.strip().splitlines()]


def test_r50_cli_check_prints_one_json_object_per_finding_then_a_summary(app, tmp_path):
    path = tmp_path / "通知.html"
    path.write_text(HTML, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["check", str(path)])
    assert result.exit_code == 1, result.output            # a blocking finding (the ID number)
    lines = _lines(result.output)
    findings, summary = lines[:-1], lines[-1]
    assert all(tuple(f) == CLI_KEYS for f in findings)
    assert [(f["kind"], f["category"], f["severity"], f["text"], f["suggestion"]) for f in findings] == [
        ("lexicon", "typo", "warn", "再接再励", "再接再厉"),
        ("personal_data", "mobile", "warn", "13812345678", "138****5678"),
        ("personal_data", "id_card", "block", "11010519491231002X", "11*************02X")]
    # offsets index the plain text of the HTML
    from intranet.checks.runner import plain_text
    text = plain_text(HTML)
    assert all(text[f["start"]:f["end"]] == f["text"] for f in findings)
    assert summary == {"summary": {"total": 3, "block": 1, "warn": 2,
                                   "by_kind": {"lexicon": 1, "personal_data": 2}}}


def test_r50_cli_check_exit_status_clean_and_unreadable(app, tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("今天天气很好。\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["check", str(clean)])
    assert result.exit_code == 0 and _lines(result.output) == [
        {"summary": {"total": 0, "block": 0, "warn": 0, "by_kind": {}}}]
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("再接再励".encode("gb18030"))
    result = app.test_cli_runner().invoke(args=["check", str(gbk)])
    assert result.exit_code == 2 and _lines(result.output) == [{"error": "文件不是UTF-8编码"}]


def test_r50_cli_check_uses_the_database_lexicon(demo, login_as, tmp_path):
    client = login_as("admin")
    client.post(prefix(demo) + "/checks/lexicon/import", content_type="multipart/form-data",
                data={"file": (io.BytesIO("暑期活动,禁用语,阻止\n".encode()), "x.txt"), "site_id": "0"})
    path = tmp_path / "a.txt"
    path.write_text("关于开展暑期活动的通知", encoding="utf-8")
    result = demo.test_cli_runner().invoke(args=["check", str(path)])
    assert result.exit_code == 1
    assert [(f["category"], f["text"]) for f in _lines(result.output)[:-1]] == [("banned", "暑期活动")]


def test_r50_cli_check_without_a_database_uses_the_starter_lexicon(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}",
                      "LANMU_UPLOAD_DIR": str(tmp_path / "uploads")})
    path = tmp_path / "a.txt"
    path.write_text("我们要再接再励。", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["check", str(path)])
    assert result.exit_code == 0, result.output
    assert [(f["text"], f["suggestion"]) for f in _lines(result.output)[:-1]] == [("再接再励", "再接再厉")]


@pytest.mark.parametrize("payload, name, message", [
    (EXE, "年度工作报告.pdf", "可执行程序"),
    (EXE, "活动照片.jpg", "可执行程序"),
    (ELF, "说明.txt", "可执行程序"),
    (b"#!/bin/sh\nrm -rf /\n", "安装说明.txt", "可执行程序或脚本"),
    (PDF, "报名表.exe", "扩展名.exe属于可执行"),
    (ooxml(vba=True), "统计表.docx", "含有宏"),
    (ooxml(), "统计表.docm", "含有宏"),
    (ole_bytes(with_macros=True), "通知.doc", "含有宏"),
    (PDF, "名单.docx", "不符"),
])
def test_r53_renamed_executables_and_macro_files_are_refused_over_http(demo, login_as, payload, name, message):
    client = login_as("officer")
    item = new_item(client, demo, "上传检查", "<p>正文说明了事情的经过。</p>")
    resp = client.post(prefix(demo) + f"/items/{item.id}/attachments",
                       data={"file": (io.BytesIO(payload), name), "caption": "说明"},
                       content_type="multipart/form-data", follow_redirects=True)
    page = text_of(resp)
    assert "上传失败" in page and message in page, page[:400]
    assert db.session.execute(db.select(Attachment).filter_by(item_id=item.id)).scalars().all() == []


def test_r53_real_files_are_accepted_with_their_type_from_the_content(demo, login_as):
    client = login_as("officer")
    item = new_item(client, demo, "上传检查", "<p>正文说明了事情的经过。</p>")
    for payload, name in [(PDF, "通知.pdf"), (png_bytes(), "活动.png"), (ooxml(), "报名表.docx"),
                          (ole_bytes(), "旧版文件.doc")]:
        resp = client.post(prefix(demo) + f"/items/{item.id}/attachments",
                           data={"file": (io.BytesIO(payload), name), "caption": "活动现场"},
                           content_type="multipart/form-data", follow_redirects=True)
        assert f"已上传“{name}”" in text_of(resp)
    rows = db.session.execute(db.select(Attachment).filter_by(item_id=item.id).order_by(Attachment.id)).scalars()
    assert [(a.filename, a.mime, a.is_image) for a in rows] == [
        ("通知.pdf", "application/pdf", False), ("活动.png", "image/png", True),
        ("报名表.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
        ("旧版文件.doc", "application/msword", False)]


def test_r53_allowed_types_are_a_setting(make_app):
    app = make_app(LANMU_UPLOAD_ALLOWED_TYPES=["pdf"])
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        client = app.test_client()
        client.post(prefix(app) + "/login", data={"username": "officer", "password": "Lanmu@2026"})
        item = new_item(client, app, "只收PDF", "<p>正文说明了事情的经过。</p>")
        resp = client.post(prefix(app) + f"/items/{item.id}/attachments",
                           data={"file": (io.BytesIO(png_bytes()), "图.png"), "caption": "图"},
                           content_type="multipart/form-data", follow_redirects=True)
        assert "不允许上传PNG图片" in text_of(resp)
