"""Helpers for the column-type tests."""
import io
import re
import struct
import zlib

from intranet.extensions import db
from intranet.items.models import Item
from intranet.org.models import Unit, User
from intranet.sites.models import Column, Site

from ..conftest import prefix

BASE_ITEM_FIELDS = {"importance": "normal", "classification": ""}


def png_bytes(rgb=(10, 20, 30), width=4, height=3):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def site():
    return db.session.execute(db.select(Site).filter_by(code="youth")).scalar_one()


def unit(code):
    return db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one()


def user(username):
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def column(slug):
    return db.session.execute(db.select(Column).filter_by(site_id=site().id, slug=slug)).scalar_one()


def item_by_title(title):
    return db.session.execute(db.select(Item).filter_by(title=title)).scalar_one()


def make_column(slug, type_id, unit_code="hz-office", settings=None, name=None):
    """A column created directly (tests that are not about the column form)."""
    col = Column(site_id=site().id, slug=slug, name=name or slug, type=type_id, unit_id=unit(unit_code).id,
                 staleness_class="notice")
    if settings:
        col.settings = settings
    db.session.add(col)
    db.session.commit()
    return col


def create_column_over_http(client, app, type_id, slug, settings=None):
    """The webmaster creates a column of a type through the admin form, with the
    type's default rule and staleness class."""
    from intranet.columntypes import get_type
    ctype = get_type(type_id)
    kind, n, dates = ctype.default_rule
    data = {"name": f"{ctype.label}测试栏目", "slug": slug, "parent_id": 0, "type": type_id,
            "unit_id": unit("hz-office").id, "description": "", "rule_kind": kind, "rule_n": n or "",
            "rule_dates": dates, "staleness_class": ctype.default_staleness, "link_visible": "y",
            "requires_secrecy_review": "y", "sort_order": 50}
    for key, value in (settings or {}).items():
        data[f"setting_{key}"] = value
    resp = client.post(prefix(app) + f"/sites/{site().id}/columns/new", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return column(slug)


def item_form(data):
    return {**BASE_ITEM_FIELDS, **data}


def new_item_over_http(client, app, col, data):
    resp = client.post(prefix(app) + f"/items/new?column={col.id}", data=item_form(data))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return item_by_title(data["title"])


def upload(client, app, item, filename, content, caption=""):
    resp = client.post(prefix(app) + f"/items/{item.id}/attachments",
                       data={"file": (io.BytesIO(content), filename), "caption": caption},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    return resp


def missing_messages(page_html):
    """The 'before submission' list on the item edit page."""
    block = re.search(r'<ul class="mb-0 missing-list">(.*?)</ul>', page_html, re.S)
    if not block:
        return []
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def forget_cached_user(app):
    """Tests keep one app context pushed and requests reuse it, so Flask-Login's
    user cached in `g` would outlive a request: forget it, so clients signed in
    as different people stay different (as tests/review do)."""
    from flask import g

    @app.before_request
    def _forget_cached_user():
        g.pop("_login_user", None)


def publish_through_review(app, item_id):
    """Submit as the author and approve every step of the default chain as the
    demo roles (the review engine publishes and sends item_published)."""
    from ..review.conftest import as_user, run_chain, submit
    author = db.session.get(Item, item_id).author.username
    resp = submit(as_user(app, author), item_id)
    assert "提交" in resp.get_data(as_text=True)
    run_chain(app, item_id)
    db.session.expire_all()
    return db.session.get(Item, item_id)
