"""Items through the API: drafting with attachments (JSON base64 and
multipart), the same upload checks as the web (R-53), validation errors that
name the field, permissions of the token's person (another unit is refused),
revisions and the restart of review on edit (R-22, R-34), submission refusals
(R-20, R-23, R-24, R-50)."""
import io

from intranet.extensions import db
from intranet.items.models import Item, Revision

from .conftest import ApiClient, b64, body, column, document_payload, make_token, png_bytes
from .test_flow import CHAIN, approve, push_document, submit


def test_r53_multipart_upload_with_image_caption(demo, api_as):
    import json
    api = api_as("officer")
    meta = {"column_id": column("news").id, "title": "社区青少年俱乐部开展冬季安全教育",
            "body": "<p>各社区青少年俱乐部开展冬季安全教育活动，讲解防火、防滑知识。</p>"}
    data = {"meta": json.dumps(meta, ensure_ascii=False),
            "files": [(io.BytesIO(png_bytes()), "现场.png"), (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "通知.pdf")],
            "captions": ["安全教育现场", ""]}
    resp = api.post("/items", data=data, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    out = body(resp)
    assert [(a["filename"], a["is_image"], a["caption"]) for a in out["attachments"]] == [
        ("现场.png", True, "安全教育现场"), ("通知.pdf", False, "")]
    assert out["source"] == column("news").unit.name  # the default, as on the web form


def test_r53_uploads_get_the_same_checks_as_the_web(demo, api_as):
    api = api_as("officer")
    exe = document_payload(attachments=[{"filename": "说明.pdf", "content_base64": b64(b"MZ\x90\x00" + b"\0" * 200)}])
    resp = api.post("/items", json=exe)
    assert resp.status_code == 422 and body(resp)["code"] == "upload_refused"
    assert "attachments.0" in body(resp)["fields"]
    no_caption = document_payload(attachments=[{"filename": "a.png", "content_base64": b64(png_bytes())}])
    resp = api.post("/items", json=no_caption)
    assert resp.status_code == 422 and body(resp)["fields"] == {"attachments.0.caption": "上传图片须填写图片说明"}
    bad = document_payload(attachments=[{"filename": "a.pdf", "content_base64": "not base64!"}])
    assert "attachments.0.content_base64" in body(api.post("/items", json=bad))["fields"]
    # nothing was saved by the refused requests
    assert db.session.execute(db.select(db.func.count(Item.id)).filter(
        Item.title == document_payload()["title"])).scalar() == 0


def test_validation_errors_name_the_field(demo, api_as):
    api = api_as("officer")
    resp = api.post("/items", json={"column_id": column("documents").id, "title": "", "importance": "urgent",
                                    "publish_at": "tomorrow", "extra": {"doc_number": "x" * 101, "colour": "red",
                                                                        "issue_date": "2026-13-01"},
                                    "surprise": 1})
    assert resp.status_code == 422
    out = body(resp)
    assert out["code"] == "validation_error" and out["message"]
    fields = out["fields"]
    for name in ("title", "importance", "publish_at", "surprise"):
        assert name in fields, (name, fields)
    assert fields["title"] == "不能为空"
    # type-specific fields are checked against the column type
    resp = api.post("/items", json={"column_id": column("documents").id, "title": "标题",
                                    "extra": {"doc_number": "x" * 101, "colour": "red", "issue_date": "2026-13-01"}})
    fields = body(resp)["fields"]
    assert set(fields) == {"extra.doc_number", "extra.colour", "extra.issue_date"}, fields
    resp = api.post("/items", data="{not json", content_type="application/json")
    assert resp.status_code == 400 and body(resp)["code"] == "invalid_json"
    resp = api.post("/items", data="title=x", content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415 and body(resp)["code"] == "unsupported_media_type"
    resp = api.get("/items?limit=1000")
    assert resp.status_code == 422 and "limit" in body(resp)["fields"]


def test_a_token_of_another_unit_is_refused(demo, api_as):
    """湖滨社区's officer may not draft into the city's 规范性文件, nor read the city's drafts."""
    _oa, created = push_document(api_as)
    other = api_as("hubin_officer")
    resp = other.post("/items", json=document_payload())
    assert resp.status_code == 403 and body(resp)["code"] == "forbidden"
    assert other.get(f"/items/{created['id']}").status_code == 403
    assert other.patch(f"/items/{created['id']}", json={"title": "改"}).status_code == 403
    assert other.post(f"/items/{created['id']}/submit", json={}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Item, created["id"]).title == document_payload()["title"]
    # their own unit's columns are theirs
    resp = other.post("/items", json={"column_id": column("activities").id, "title": "湖滨社区俱乐部活动",
                                      "body": "<p>湖滨社区青少年俱乐部组织了一次社区清洁志愿活动。</p>"})
    assert resp.status_code == 201, resp.get_data(as_text=True)


def test_r22_patch_makes_a_revision_and_r34_restarts_review(demo, api_as):
    oa, created = push_document(api_as)
    item_id = created["id"]
    resp = oa.patch(f"/items/{item_id}", json={"title": "关于印发《社区青少年俱乐部活动安全管理规定（修订）》的通知"})
    assert resp.status_code == 200 and body(resp)["revision_no"] == 3
    assert oa.patch(f"/items/{item_id}", json={}).status_code == 200  # nothing changed: no revision
    assert db.session.execute(db.select(db.func.count(Revision.id)).filter_by(item_id=item_id)).scalar() == 3
    assert submit(oa, item_id).status_code == 200
    assert approve(api_as(CHAIN[0]), item_id).status_code == 200
    resp = oa.patch(f"/items/{item_id}", json={"body": document_payload()["body"] + "<p>补充说明。</p>"})
    out = body(resp)
    assert out["status"] == "in_review" and out["review"]["number"] == 2
    assert [s["status"] for s in out["review"]["steps"]][0] == "open"  # from the first step again
    hist = body(oa.get(f"/items/{item_id}/history"))
    assert [r["status"] for r in hist["runs"]] == ["restarted", "active"]


def test_r20_incomplete_document_cannot_be_submitted(demo, api_as):
    payload = document_payload(attachments=[])
    payload["extra"] = {"doc_number": "杭青俱办〔2026〕13号"}
    oa, created = push_document(api_as, **{k: v for k, v in payload.items() if k != "column_id"})
    assert created["missing"]
    resp = oa.post(f"/items/{created['id']}/submit", json={})
    assert resp.status_code == 409 and body(resp)["code"] == "submission_incomplete"
    assert any("印发日期" in d for d in body(resp)["details"])
    assert body(oa.get(f"/items/{created['id']}"))["status"] == "draft"


def test_r24_classified_item_is_refused(demo, api_as):
    oa, created = push_document(api_as, classification="secret")
    resp = oa.post(f"/items/{created['id']}/submit", json={})
    assert resp.status_code == 409 and body(resp)["code"] == "classified"


def test_r50_warnings_must_be_acknowledged_by_key_and_blocks_refuse(demo, api_as):
    text = "<p>各俱乐部要做为表率，认真落实安全管理规定的各项要求，确保活动安全。</p>"
    oa, created = push_document(api_as, body=text)
    item_id = created["id"]
    checks = body(oa.get(f"/items/{item_id}/checks"))
    warn = [f for f in checks["findings"] if f["severity"] == "warn"]
    assert warn and warn[0]["text"] == "做为" and warn[0]["suggestion"] == "作为"
    resp = oa.post(f"/items/{item_id}/submit", json={})
    assert resp.status_code == 409 and body(resp)["code"] == "checks_need_acknowledgement"
    keys = [f["key"] for f in body(resp)["findings"]]
    assert warn[0]["key"] in keys
    resp = oa.post(f"/items/{item_id}/submit", json={"acknowledge": ["something else"]})
    assert resp.status_code == 409
    resp = oa.post(f"/items/{item_id}/submit", json={"acknowledge": keys})
    assert resp.status_code == 200 and body(resp)["status"] == "in_review"
    assert body(oa.get(f"/items/{item_id}/checks"))["findings"][0]["acknowledged"] is True

    blocked_text = "<p>俱乐部为残废人青少年提供无障碍活动场地，欢迎大家参加各项活动。</p>"
    _oa, blocked = push_document(api_as, body=blocked_text)
    resp = oa.post(f"/items/{blocked['id']}/submit", json={})
    assert resp.status_code == 409 and body(resp)["code"] == "content_refused"
    assert "残废人" in body(resp)["message"]


def test_attachments_added_and_removed_later(demo, api_as):
    oa, created = push_document(api_as, attachments=[])
    item_id = created["id"]
    resp = oa.post(f"/items/{item_id}/attachments",
                   json={"attachments": [{"filename": "附件一.pdf", "content_base64": b64(b"%PDF-1.4\n%%EOF\n")}]})
    assert resp.status_code == 200 and [a["filename"] for a in body(resp)["attachments"]] == ["附件一.pdf"]
    att_id = body(resp)["attachments"][0]["id"]
    resp = oa.post(f"/items/{item_id}/attachments", data={"files": [(io.BytesIO(png_bytes()), "图.png")],
                                                          "captions": ["活动现场"]},
                   content_type="multipart/form-data")
    assert resp.status_code == 200 and len(body(resp)["attachments"]) == 2
    resp = oa.delete(f"/items/{item_id}/attachments/{att_id}")
    assert resp.status_code == 200 and [a["filename"] for a in body(resp)["attachments"]] == ["图.png"]
    assert oa.delete(f"/items/{item_id}/attachments/{att_id}").status_code == 404
    notes = [r["note"] for r in body(oa.get(f"/items/{item_id}/history"))["revisions"]]
    assert notes[-3:] == ["上传附件：附件一.pdf", "上传附件：图.png", "删除附件：附件一.pdf"]


def test_list_my_items_paginated(demo, api_as):
    oa = api_as("officer")
    ids = [body(oa.post("/items", json=document_payload(title=f"文件{i}", attachments=[])))["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        resp = oa.get("/items", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        page = body(resp)
        assert len(page["data"]) <= 2
        seen += [i["id"] for i in page["data"]]
        cursor = page["next"]
        if not cursor:
            break
        assert len(seen) < 100, "the cursor does not advance"
    assert seen[:5] == sorted(ids, reverse=True)  # newest first, no repeats
    assert len(seen) == len(set(seen))
    other = ApiClient(demo, make_token("liaison"))
    assert not set(ids) & {i["id"] for i in body(other.get("/items?limit=100"))["data"]}  # mine only
