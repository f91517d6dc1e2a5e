"""Fixtures for the review tests: a real SMTP server (aiosmtpd on 127.0.0.1)
that captures every message, an app that sends mail to it, and helpers that
drive the demo roles over HTTP."""
import email
import email.policy
import re
import socket
import threading

import pytest
from flask import g
from aiosmtpd.controller import Controller

from intranet.extensions import db
from intranet.items.models import Item
from intranet.org.models import User
from intranet.review.models import OPEN, ReviewStep
from intranet.sites.models import Column

from ..conftest import login, prefix


class CapturingHandler:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    handler = CapturingHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    with smtp_server.lock:
        smtp_server.messages.clear()
    return Mailbox(smtp_server)


class Mailbox:
    def __init__(self, server):
        self.server = server
        self.port = server.port

    def to(self, address):
        with self.server.lock:
            return [m for rcpts, m in self.server.messages if address in rcpts]

    def all(self):
        with self.server.lock:
            return list(self.server.messages)

    def links(self, username):
        """{action: url} from the newest decision mail to this demo user."""
        msgs = [m for m in self.to(f"{username}@example.gov.cn") if "待审核" in str(m["Subject"])]
        assert msgs, f"no decision mail for {username}"
        text = msgs[-1].get_body(preferencelist=("plain",)).get_content()
        found = {}
        for label, action in (("同意", "approve"), ("退回修改", "return"), ("不予发布", "reject")):
            m = re.search(rf"^{label}：(\S+)", text, re.M)
            found[action] = m.group(1)
        return found


@pytest.fixture
def app(make_app, mailbox, tmp_path):
    """The app of these tests sends real mail to the capturing SMTP server."""
    app = make_app(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=mailbox.port,
                   LANMU_ARCHIVE_DIR=str(tmp_path / "archive"), MAIL_TIMEOUT=5)
    # The test keeps one app context pushed (fixtures read the database), and
    # requests reuse it, so `g` outlives a request: forget the signed-in user
    # cached there, so clients signed in as different people stay different.
    @app.before_request
    def _forget_cached_user():
        g.pop("_login_user", None)

    with app.app_context():
        yield app


def kv_token(key):
    """The version token stored under `key` now."""
    from intranet.outbox.models import KeyValue
    db.session.expire_all()
    row = db.session.get(KeyValue, key)
    return row.value if row else None


@pytest.fixture
def worker2(app, make_app, tmp_path):
    """A second worker process: its own app, page cache and memo, the same database."""
    return make_app(LANMU_ARCHIVE_DIR=str(tmp_path / "archive"))


# -- helpers -------------------------------------------------------------------

def user(username):
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def column(slug):
    return db.session.execute(db.select(Column).filter_by(slug=slug)).scalar_one()


def item(item_id):
    db.session.expire_all()
    return db.session.get(Item, item_id)


def as_user(app, username):
    """A fresh client signed in as `username`."""
    c = app.test_client()
    resp = login(c, username)
    assert resp.status_code == 302, username
    return c


def create_item(client, slug="news", title="全市青少年俱乐部暑期活动启动", body=None, **fields):
    col = column(slug)
    data = {"title": title, "body": body or "<p>今年暑期，全市各社区青少年俱乐部将开展丰富多彩的活动。</p>"
                                             "<p>活动包括科普、体育和阅读三大类。</p>",
            "source": "市领导小组办公室", "importance": "normal", "classification": ""}
    data.update(fields)
    resp = client.post(prefix(client.application) + f"/items/new?column={col.id}", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return int(re.search(r"/items/(\d+)/edit", resp.headers["Location"]).group(1))


def edit_item(client, item_id, **fields):
    it = item(item_id)
    data = {"title": it.title, "body": it.body, "source": it.source, "importance": it.importance,
            "classification": it.classification or ""}
    if it.publish_at:
        data["publish_at"] = it.publish_at.strftime("%Y-%m-%dT%H:%M")
    if it.expires_at:
        data["expires_at"] = it.expires_at.strftime("%Y-%m-%dT%H:%M")
    data.update(fields)
    resp = client.post(prefix(client.application) + f"/items/{item_id}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return resp


def submit(client, item_id):
    return client.post(prefix(client.application) + f"/review/items/{item_id}/submit", follow_redirects=True)


def open_step(item_id):
    db.session.expire_all()
    return db.session.execute(db.select(ReviewStep).filter_by(item_id=item_id, status=OPEN)).scalar()


def decide(client, item_id, decision="approve", comment="", revision_no=None, step=None):
    step = step or open_step(item_id)
    assert step is not None, "no open step"
    rev = revision_no if revision_no is not None else step.run.revision_no
    return client.post(prefix(client.application) + f"/review/steps/{step.id}/decide",
                       data={"decision": decision, "comment": comment, "revision_no": rev}, follow_redirects=True)


def candidates(item_id):
    step = open_step(item_id)
    return sorted(c.user.username for c in step.candidates) if step else []


DEFAULT_CHAIN = ("proof1", "proof2", "head", "secrecy", "leader", "webmaster")


def run_chain(app, item_id, people=DEFAULT_CHAIN):
    for who in people:
        resp = decide(as_user(app, who), item_id, "approve")
        assert "已记录审核意见" in resp.get_data(as_text=True), (who, resp.get_data(as_text=True)[:3000])


def publish_new(app, client=None, **fields):
    """Draft, submit and run the default chain as the demo roles; returns the item id."""
    client = client or as_user(app, "officer")
    item_id = create_item(client, **fields)
    submit(client, item_id)
    run_chain(app, item_id)
    return item_id
