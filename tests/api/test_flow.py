"""The issue's story: an OA system pushes an issued document (with its PDF)
through the API, the demo reviewers take it through the review chain with
their own tokens, and it appears on the public site (R-30, R-34, R-60)."""
from urllib.parse import urlsplit

from intranet.extensions import db
from intranet.items.models import Item

from .conftest import body, document_payload

CHAIN = ("proof1", "proof2", "head", "secrecy", "leader", "webmaster")


def submit(client, item_id):
    """Submit, confirming the content checks' warnings the API lists (as a person ticks the box)."""
    resp = client.post(f"/items/{item_id}/submit", json={})
    if resp.status_code == 409 and body(resp)["code"] == "checks_need_acknowledgement":
        keys = [f["key"] for f in body(resp)["findings"]]
        resp = client.post(f"/items/{item_id}/submit", json={"acknowledge": keys})
    return resp


def my_step_for(client, item_id):
    resp = client.get("/review/steps?limit=100")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    tasks = [t for t in body(resp)["data"] if t["item"]["id"] == item_id]
    return tasks[0] if tasks else None


def approve(client, item_id, comment=""):
    task = my_step_for(client, item_id)
    assert task is not None, "no open step for this reviewer"
    payload = {"decision": "approve", "comment": comment, "revision_no": task["step"]["run_revision_no"]}
    resp = client.post(f"/review/steps/{task['step']['id']}/decide", json=payload)
    if resp.status_code == 409 and body(resp)["code"] == "checks_need_acknowledgement":
        payload["acknowledge"] = [f["key"] for f in body(resp)["findings"]]
        resp = client.post(f"/review/steps/{task['step']['id']}/decide", json=payload)
    return resp


def push_document(api_as, **overrides):
    oa = api_as("officer")
    resp = oa.post("/items", json=document_payload(**overrides))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return oa, body(resp)


def test_r30_document_pushed_by_oa_is_reviewed_through_the_api_and_published(demo, api_as):
    oa, created = push_document(api_as)
    assert created["status"] == "draft"
    assert created["type"] == "document"
    assert created["extra"]["doc_number"] == "杭青俱办〔2026〕12号"
    assert created["doc_number"] == "杭青俱办〔2026〕12号"
    assert [a["filename"] for a in created["attachments"]] == ["安全管理规定.pdf"]
    assert created["attachments"][0]["mime"] == "application/pdf"
    assert created["missing"] == []
    item_id = created["id"]

    resp = submit(oa, item_id)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert body(resp)["status"] == "in_review"
    assert body(resp)["review"]["status"] == "active"

    for who in CHAIN:
        resp = approve(api_as(who), item_id)
        assert resp.status_code == 200, (who, resp.get_data(as_text=True))
        out = body(resp)
        assert out["step"]["decided_by"]["username"] == who
        assert out["step"]["via"] == "api"

    resp = oa.get(f"/items/{item_id}")
    item = body(resp)
    assert item["status"] == "published"
    assert item["first_published_at"] is not None
    steps = item["review"]["steps"]
    assert [s["decided_by"]["username"] for s in steps if s["decided_by"]] == list(CHAIN)

    # On the public site, with its attachment
    page = demo.test_client().get(urlsplit(item["public_url"]).path)
    assert page.status_code == 200
    assert "关于印发《社区青少年俱乐部活动安全管理规定》的通知" in page.get_data(as_text=True)
    # ... and in the published feed, with the attachment's public address
    feed = body(oa.get("/published?limit=100"))
    ours = [p for p in feed["data"] if p["id"] == item_id]
    assert ours and ours[0]["attachments"][0]["filename"] == "安全管理规定.pdf"
    file_resp = demo.test_client().get(urlsplit(ours[0]["attachments"][0]["url"]).path)
    assert file_resp.status_code == 200 and file_resp.data.startswith(b"%PDF")

    # the document's publication is on time (issued today, published today)
    db.session.expire_all()
    record = db.session.get(Item, item_id).document_publication
    assert record is not None and record.late is False

    # the approval form records every decision, each marked as made through the API
    from intranet.review.models import Publication
    from ..conftest import login, prefix
    pub = db.session.execute(db.select(Publication).filter_by(item_id=item_id)).scalar_one()
    web = demo.test_client()
    login(web, "leader")
    form_page = web.get(prefix(demo) + f"/review/forms/{pub.id}").get_data(as_text=True)
    assert form_page.count("（接口）") == len(CHAIN)

    # The history shows every revision and the run
    hist = body(oa.get(f"/items/{item_id}/history"))
    assert [r["number"] for r in hist["revisions"]] == [1, 2]
    assert hist["runs"][0]["status"] == "approved"
