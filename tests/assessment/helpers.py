"""Building units, columns and publish histories at chosen dates for the
assessment and health tests."""
import re
from datetime import datetime

from intranet.extensions import db
from intranet.items.models import DRAFT, PUBLISHED, Item
from intranet.org.models import Unit, User
from intranet.sites.models import Column, Site

UNITS = ["sc-office", "xh-office", "gs-office"]  # assessed in these tests (LANMU_ASSESSMENT_UNITS)


def one(model, **kw):
    return db.session.execute(db.select(model).filter_by(**kw)).scalar_one()


def unit(code):
    return one(Unit, code=code)


def user(username):
    return one(User, username=username)


def make_unit(code, name=None, parent="hz-office"):
    u = Unit(code=code, name=name or f"单位{code}", kind="department", parent_id=unit(parent).id)
    db.session.add(u)
    db.session.commit()
    return u


def make_site(code, unit_code="hz-office", created=datetime(2025, 1, 1)):
    s = Site(code=code, name=f"网站{code}", unit_id=unit(unit_code).id, created_at=created)
    db.session.add(s)
    db.session.commit()
    return s


def column(unit_code, slug=None, site="youth", type_="article", staleness="news", is_key=False,
           created=datetime(2025, 1, 1)):
    s = one(Site, code=site)
    slug = slug or f"c-{unit_code}-{db.session.execute(db.select(db.func.count()).select_from(Column)).scalar()}"
    c = Column(site_id=s.id, slug=slug, name=f"栏目{slug}", type=type_, unit_id=unit(unit_code).id,
               staleness_class=staleness, is_key=is_key, created_at=created)
    db.session.add(c)
    db.session.commit()
    return c


def publish(col, at, author="officer", status=PUBLISHED, unit_code=None, created=None):
    """An item first published at `at` (or a draft/other status with no publication when at is None)."""
    a = user(author)
    item = Item(column_id=col.id, unit_id=unit(unit_code).id if unit_code else col.unit_id, type=col.type,
                author_id=a.id, title=f"{col.slug}@{at}", body="<p>正文</p>", source="本单位", status=status,
                first_published_at=at, published_at=at, created_at=created or at or datetime(2026, 1, 1),
                updated_at=created or at or datetime(2026, 1, 1))
    db.session.add(item)
    db.session.commit()
    return item


def draft(col, created, author="officer", status=DRAFT):
    return publish(col, None, author=author, status=status, created=created)


def table_rows(html, table_id):
    """The cell texts of a table's body rows, by id, as strings."""
    m = re.search(r'<table[^>]*id="%s"[^>]*>(.*?)</table>' % re.escape(table_id), html, re.S)
    assert m, f"table {table_id} not found"
    body = re.search(r"<tbody>(.*?)</tbody>", m.group(1), re.S).group(1)
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def sheet_rows(ws, first_row=3):
    """The rows of an exported sheet below its heading and header, as strings like the page shows."""
    out = []
    for row in ws.iter_rows(min_row=first_row, values_only=True):
        out.append(["" if v is None else str(v) for v in row])
    return out


def login(client, username, password="Lanmu@2026"):
    prefix = client.application.config["LANMU_ADMIN_PREFIX"]
    client.post(prefix + "/logout")
    resp = client.post(prefix + "/login", data={"username": username, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client


def url(client, path):
    return client.application.config["LANMU_ADMIN_PREFIX"] + path


def norm(rows):
    """Cells as numbers where they are numbers (Excel keeps 100.0 as 100), else text."""
    def cell(v):
        try:
            return float(v)
        except (TypeError, ValueError):
            return v
    return [[cell(v) for v in r] for r in rows]
