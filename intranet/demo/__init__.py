"""Load the demo (R-14) idempotently: running it twice changes nothing."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from .. import clock
from ..auth import policy
from ..columntypes import registry
from ..extensions import db
from ..items.models import PUBLISHED, Item
from ..items.service import record_revision
from ..org import roles
from ..org.models import RoleAssignment, Unit, User
from ..sites.models import Column, ColumnGrant, Site
from . import data


_seeding = ContextVar("lanmu_demo_seeding", default=False)


def is_seeding():
    """True while the demo loader seeds its history. Seeded data is not an
    action anyone took: like the sample items, it leaves no audit entries
    (features that audit check this)."""
    return _seeding.get()


@contextmanager
def seeding():
    token = _seeding.set(True)
    try:
        yield
    finally:
        _seeding.reset(token)


def load_demo():
    """Create what is missing; return a dict of counts of what was created."""
    created = {"units": 0, "users": 0, "columns": 0, "items": 0, "messages": 0}
    units = {}
    for order, (code, name, kind, parent) in enumerate(data.UNITS):
        unit = db.session.execute(db.select(Unit).filter_by(code=code)).scalar()
        if unit is None:
            unit = Unit(code=code, name=name, kind=kind, parent_id=units[parent].id if parent else None,
                        sort_order=order, contact_email=f"{code}@example.gov.cn")
            db.session.add(unit)
            db.session.flush()
            created["units"] += 1
        units[code] = unit

    users = {}
    for username, name, memberships in data.USERS:
        user = db.session.execute(db.select(User).filter_by(username=username)).scalar()
        if user is None:
            user = User(username=username, name=name, email=f"{username}@example.gov.cn",
                        wecom_userid=username, password_hash="", password_changed_at=clock.now())
            db.session.add(user)
            db.session.flush()
            policy.set_password(user, data.DEMO_PASSWORD)
            created["users"] += 1
        for unit_code, role in memberships:
            if not user.has_role(role, units[unit_code]):
                db.session.add(RoleAssignment(user_id=user.id, unit_id=units[unit_code].id, role=role))
        users[username] = user
    db.session.flush()

    site = db.session.execute(db.select(Site).filter_by(code=data.SITE["code"])).scalar()
    if site is None:
        site = Site(code=data.SITE["code"], name=data.SITE["name"], unit_id=units[data.SITE["unit"]].id,
                    description=data.SITE["description"])
        db.session.add(site)
        db.session.flush()

    types = registry()
    columns = {}
    for order, (slug, name, parent, wanted, fallback, content, rule, unit_code, extra_units, staleness) in \
            enumerate(data.COLUMNS):
        col = db.session.execute(db.select(Column).filter_by(site_id=site.id, slug=slug)).scalar()
        if col is None:
            ctype = wanted if types.is_registered(wanted) else fallback
            col = Column(site_id=site.id, slug=slug, name=name, parent_id=columns[parent].id if parent else None,
                         type=ctype, unit_id=units[unit_code].id, description=content, rule_kind=rule[0],
                         rule_n=rule[1], rule_dates=rule[2], staleness_class=staleness, sort_order=order,
                         is_key=staleness in ("news", "notice"))
            db.session.add(col)
            db.session.flush()
            created["columns"] += 1
            # 分级负责: the other units' officers (their drafting roles, not their heads, reviewers or
            # leaders) may draft into the column too.
            for username, _name, memberships in data.USERS:
                if any(u in extra_units and role in roles.DRAFTING_ROLES for u, role in memberships):
                    db.session.add(ColumnGrant(column_id=col.id, user_id=users[username].id, permission="draft"))
        columns[slug] = col

    now = clock.now()
    for slug, title, body, days_ago in data.SAMPLE_ITEMS:
        col = columns[slug]
        exists = db.session.execute(db.select(Item).filter_by(column_id=col.id, title=title)).scalar()
        if exists is None:
            at = now - timedelta(days=days_ago)
            item = Item(column_id=col.id, unit_id=col.unit_id, type=col.type, author_id=users["officer"].id,
                        title=title, body=body, source=col.unit.name, created_date=at.date(), status=PUBLISHED,
                        first_published_at=at, published_at=at, created_at=at, updated_at=at)
            db.session.add(item)
            db.session.flush()
            record_revision(item, users["officer"], "演示数据")
            item.updated_at = at
            created["items"] += 1
    with seeding():
        created["items"] += _load_typed_items(columns, users, now)
        created["messages"] = sum(hook({"site": site, "columns": columns, "users": users, "units": units}) or 0
                                  for hook in types.hooks("demo"))
    db.session.commit()
    return created


def _resolve(value, today):
    return (today + timedelta(days=value.n)).isoformat() if isinstance(value, data.Days) else value


def _file_bytes(spec, title):
    """A real file for a demo attachment: an Excel form or a plain PNG image."""
    if spec["kind"] == "xlsx":
        import io
        from openpyxl import Workbook
        book = Workbook()
        sheet = book.active
        sheet.title = "表格"
        sheet.append([title])
        sheet.append(spec["headers"])
        for _ in range(10):
            sheet.append([""] * len(spec["headers"]))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    return _png(320, 200, spec["rgb"])


def _png(width, height, rgb):
    import struct
    import zlib

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def _store_bytes(data, filename):
    """Store a demo file through the upload path (checked by content, stored by
    hash), whatever the installation's upload size limit."""
    import io

    from flask import current_app
    from werkzeug.datastructures import FileStorage

    from ..items import storage
    cfg = current_app.config
    limit = cfg["LANMU_UPLOAD_MAX_BYTES"]
    cfg["LANMU_UPLOAD_MAX_BYTES"] = max(limit, len(data))  # the demo loads from the CLI, one thread
    try:
        return storage.store(FileStorage(io.BytesIO(data), filename=filename))
    finally:
        cfg["LANMU_UPLOAD_MAX_BYTES"] = limit


def _load_typed_items(columns, users, now):
    """The typed examples of data.TYPED_ITEMS: extra fields, files and images,
    published through the item_published signal so type handlers (the
    document's on-time/late record) run as they will for real publications."""
    from datetime import datetime

    from flask import current_app

    from ..items import storage
    from ..items.models import Attachment
    from ..signals import item_published
    created = 0
    for spec in data.TYPED_ITEMS:
        col = columns.get(spec["column"])
        if col is None or db.session.execute(db.select(Item.id).filter_by(column_id=col.id,
                                                                          title=spec["title"])).scalar():
            continue
        at = datetime.fromisoformat(spec["at"]) if isinstance(spec["at"], str) else now - timedelta(days=spec["at"])
        if at > now:  # a fixed date still in the future of this clock
            continue
        author = users[spec.get("author", "liaison")]  # 信息联络员: the officer's own figures stay the samples'
        item = Item(column_id=col.id, unit_id=col.unit_id, type=col.type, author_id=author.id,
                    title=spec["title"], body=spec.get("body", ""), source=spec.get("source", col.unit.name),
                    created_date=at.date(), status=PUBLISHED, first_published_at=at, published_at=at,
                    created_at=at, updated_at=at)
        extra = {k: _resolve(v, now.date()) for k, v in spec.get("extra", {}).items()}
        item.extra = extra
        item.doc_number = extra.get("doc_number", "")
        item.red_header_title = extra.get("red_header_title", "")
        db.session.add(item)
        db.session.flush()
        for filename, caption, file_spec in spec.get("files", []) + spec.get("images", []):
            try:
                fields = _store_bytes(_file_bytes(file_spec, spec["title"]), filename)
            except storage.UploadRefused:  # a type this installation does not allow: the item goes without it
                continue
            db.session.add(Attachment(item_id=item.id, caption=caption, uploaded_by_id=author.id,
                                      created_at=at, **fields))
        db.session.flush()
        db.session.refresh(item)
        record_revision(item, author, "演示数据")
        item.updated_at = at
        item_published.send(current_app._get_current_object(), item=item, user=users["webmaster"])
        created += 1
    return created
