"""Shared helpers for the security tests: demo objects by name, an item with
an image, publishing directly in the database."""
from flask import g, has_app_context
from flask.testing import FlaskClient

from intranet.extensions import db
from intranet.items.models import PUBLISHED, WITHDRAWN, Attachment, Item
from intranet.org.models import RoleAssignment, Unit, User
from intranet.sites.models import Column, Site

from ..conftest import TEST_NOW, login, prefix

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PASSWORD = "Lanmu@2026"
DEMO_ROLES = ["admin", "webmaster", "siteadmin", "officer", "liaison", "proof1", "head", "secrecy", "leader",
              "principal"]


class FreshClient(FlaskClient):
    """A test client for tests that use several clients inside one app context:
    Flask reuses the pushed app context (and its `g`) for every request, so
    Flask-Login's cached user of one client would leak into the next."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def client_from(app, addr="127.0.0.1"):
    app.test_client_class = FreshClient
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = addr
    return c


def table_text(resp, element_id):
    """Text of the element with this id (a table, a list), tags removed."""
    import re
    html = resp.get_data(as_text=True)
    start = html.index(f'id="{element_id}"')
    tag = html.rfind("<", 0, start)
    name = re.match(r"<(\w+)", html[tag:]).group(1)
    end = html.index(f"</{name}>", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[tag:end]))


def user(username):
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def unit(code):
    return db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one()


def column(slug):
    return db.session.execute(db.select(Column).filter_by(slug=slug)).scalar_one()


def site():
    return db.session.execute(db.select(Site).filter_by(code="youth")).scalar_one()


def P(app):
    return prefix(app)


def new_item(client, slug="progress", title="测试信息", body="<p>正文内容足够长的一段文字。</p>", **extra):
    """Create an item through the drafting form; returns its id."""
    app = client.application
    col = column(slug)
    data = {"title": title, "body": body, "importance": "normal", "classification": "", **extra}
    resp = client.post(f"{P(app)}/items/new?column={col.id}", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return int(resp.headers["Location"].rstrip("/").split("/")[-2])


def upload(client, item_id, data=PNG, filename="photo.png", caption="图片说明"):
    from io import BytesIO
    return client.post(f"{P(client.application)}/items/{item_id}/attachments",
                       data={"file": (BytesIO(data), filename), "caption": caption},
                       content_type="multipart/form-data")


def publish(item_id):
    item = db.session.get(Item, item_id)
    item.status = PUBLISHED
    item.first_published_at = item.published_at = TEST_NOW
    db.session.commit()
    return item


def withdraw(item_id):
    item = db.session.get(Item, item_id)
    item.status = WITHDRAWN
    db.session.commit()
    return item


def attachment_of(item_id):
    return db.session.execute(db.select(Attachment).filter_by(item_id=item_id)).scalars().first()


def grant_role(username, unit_code, role):
    db.session.add(RoleAssignment(user_id=user(username).id, unit_id=unit(unit_code).id, role=role))
    db.session.commit()


__all__ = ["login", "prefix", "TEST_NOW"]
