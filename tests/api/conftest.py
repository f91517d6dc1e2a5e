"""Fixtures for the API tests: the demo, tokens for the demo people, and a
client that speaks to /api/v1 with a bearer token and no cookies."""
import base64
import json

import pytest

from intranet.api import tokens
from intranet.extensions import db
from intranet.org.models import User
from intranet.sites.models import Column

from ..types.helpers import PDF_BYTES, png_bytes

API = "/api/v1"
PASSWORD = "Lanmu@2026"


@pytest.fixture
def app(make_app, tmp_path):
    app = make_app(LANMU_ARCHIVE_DIR=str(tmp_path / "archive"), LANMU_API_RATE_LIMIT="100000 per minute",
                   LANMU_API_AUTH_FAIL_LIMIT="100000 per minute")
    with app.app_context():
        yield app


@pytest.fixture
def demo(app):
    from intranet.demo import load_demo
    load_demo()
    return app


def user(username):
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def column(slug):
    return db.session.execute(db.select(Column).filter_by(slug=slug)).scalar_one()


def make_token(username, scope="write", **kwargs):
    """A token for a demo person, made as on their token page; returns the secret."""
    person = user(username)
    _row, secret = tokens.create(person, f"测试令牌（{username}）", scope, by=person, **kwargs)
    db.session.commit()
    return secret


class ApiClient:
    """A test client without cookies that sends `Authorization: Bearer <token>`."""

    def __init__(self, app, secret=None):
        self.app = app
        self.client = app.test_client(use_cookies=False)
        self.secret = secret

    def _headers(self, headers):
        out = dict(headers or {})
        if self.secret is not None:
            out.setdefault("Authorization", f"Bearer {self.secret}")
        return out

    def open(self, method, path, headers=None, **kwargs):
        url = path if path.startswith("/") and path.startswith(API) else API + path
        return self.client.open(url, method=method, headers=self._headers(headers), **kwargs)

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def post(self, path, **kw):
        return self.open("POST", path, **kw)

    def patch(self, path, **kw):
        return self.open("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.open("DELETE", path, **kw)


@pytest.fixture
def api_as(demo):
    """api_as("officer") -> an ApiClient with a fresh write token of that person."""
    def make(username, scope="write"):
        return ApiClient(demo, make_token(username, scope))
    return make


def b64(data):
    return base64.b64encode(data).decode()


def document_payload(**overrides):
    """A normative document (规范性文件) as an OA system sends it, with its PDF."""
    payload = {
        "column_id": column("documents").id,
        "title": "关于印发《社区青少年俱乐部活动安全管理规定》的通知",
        "body": "<p>各区推进社区青少年俱乐部工作领导小组办公室：</p>"
                "<p>现将《社区青少年俱乐部活动安全管理规定》印发给你们，请结合实际认真贯彻执行。"
                "规定明确了活动场地、器材和组织的安全要求。</p>",
        "source": "市领导小组办公室",
        "importance": "normal",
        "extra": {"doc_number": "杭青俱办〔2026〕12号", "issuing_unit": "杭州市推进社区青少年俱乐部工作领导小组办公室",
                  "issue_date": "2026-11-23", "red_header_title": "杭州市推进社区青少年俱乐部工作领导小组办公室文件"},
        "attachments": [{"filename": "安全管理规定.pdf", "content_base64": b64(PDF_BYTES), "caption": ""}],
    }
    payload.update(overrides)
    return payload


def body(resp):
    return json.loads(resp.get_data(as_text=True))


__all__ = ["API", "ApiClient", "b64", "body", "column", "document_payload", "make_token", "png_bytes", "user",
           "PDF_BYTES"]
