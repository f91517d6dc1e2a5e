"""Bad input (1): an XSS corpus of well over 100 payloads through every text
input there is — item titles, bodies, sources, topics, genres, reprint fields,
image captions, file names, unit, person, site and column names, incidents,
the duty roster, the responsibility letter — and every page that shows them,
in the intranet and on the public site: nothing executable may come out
(R-54 and the CSP)."""
from pathlib import Path

from intranet.extensions import db
from intranet.security.models import Incident

from ..conftest import login
from .helpers import P, client_from, column, new_item, publish, site, unit, upload, user
from .htmlcheck import executable_parts

PAYLOADS = [line for line in (Path(__file__).parent / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("# ")]
URL_PAYLOADS = ["javascript://%0aalert(1)", "javascript://example.com/%0Aalert(1)", "JaVaScRiPt://x.org/%0aalert(1)",
                "data://text/html,alert(1)", "vbscript://x.org/%0amsgbox(1)", "http://ok.example/\"onmouseover=\"alert(1)",
                "https://ok.example/'><script>alert(1)</script>"]


def _clean(client, url, where):
    resp = client.get(url)
    assert resp.status_code in (200, 302, 404), (url, resp.status_code)
    if resp.mimetype == "text/html":
        problems = executable_parts(resp.get_data(as_text=True))
        assert not problems, f"{where}: {url} renders executable content {problems[:3]}"


def test_the_corpus_is_large_and_the_checker_catches_it_raw():
    assert len(PAYLOADS) >= 100
    caught = [p for p in PAYLOADS if executable_parts(p)]
    assert len(caught) >= 100, "the checker must recognise the payloads when they are not escaped"


def test_xss_through_item_fields_captions_and_file_names(demo):
    officer = client_from(demo)
    login(officer, "officer")
    col = column("progress")
    ids = []
    for i, p in enumerate(PAYLOADS):
        item_id = new_item(officer, "progress", title=p[:300], body=p, source=p[:200], topic=p[:100],
                           genre=p[:100], is_reprint="y", reprint_source_site=p[:200])
        assert upload(officer, item_id, filename=f"{p[:60]}.png", caption=p[:300]).status_code == 302
        publish(item_id)
        ids.append(item_id)
    for item_id in ids:
        _clean(officer, f"{P(demo)}/items/{item_id}", "item view")
        _clean(officer, f"{P(demo)}/items/{item_id}/revisions/2", "revision")
        _clean(officer, f"/s/youth/i/{item_id}.html", "public item")
    pages = [f"{P(demo)}/items/", f"{P(demo)}/", "/s/youth/", "/"] + \
        [f"/s/youth/c/{col.slug}/?page={n}" for n in range(1, len(ids) // 20 + 2)]
    for url in pages:
        _clean(officer, url, "list")
    admin = client_from(demo)
    login(admin, "admin")
    for before in ("", f"&before={10**6}"):
        _clean(admin, f"{P(demo)}/audit/?action=item_created{before}", "audit trail")
    # Drafts are edited in the form: re-open one as a draft and show its edit page.
    from intranet.items.models import DRAFT, Item
    for item_id in ids[:: max(1, len(ids) // 25)]:
        db.session.get(Item, item_id).status = DRAFT
    db.session.commit()
    for item_id in ids[:: max(1, len(ids) // 25)]:
        _clean(officer, f"{P(demo)}/items/{item_id}/edit", "item edit")
    _clean(officer, f"{P(demo)}/", "dashboard drafts")


def test_xss_through_reprint_links(demo, login_as):
    client = login_as("officer")
    item_id = new_item(client, "progress")
    publish(item_id)
    from intranet.items.models import DRAFT, Item
    for url in URL_PAYLOADS + [p for p in PAYLOADS if ":" in p]:
        db.session.get(Item, item_id).status = DRAFT
        db.session.commit()
        resp = client.post(f"{P(demo)}/items/{item_id}/edit", data={
            "title": "转载", "body": "<p>转载正文内容</p>", "importance": "normal", "classification": "",
            "is_reprint": "y", "reprint_source_site": "某网站", "reprint_url": url})
        assert resp.status_code in (200, 302)
        publish(item_id)
        _clean(client, f"{P(demo)}/items/{item_id}", "item view")
        _clean(client, f"/s/youth/i/{item_id}.html", "public item")


def test_xss_through_names_of_units_people_sites_and_columns(demo):
    admin = client_from(demo)
    login(admin, "admin")
    hz = unit("hz-office")
    youth = site()
    for i, p in enumerate(PAYLOADS):
        admin.post(f"{P(demo)}/org/units/new", data={"name": p[:200], "code": f"xss{i}", "parent_id": hz.id,
                                                     "kind": "department", "contact_name": p[:100]})
        admin.post(f"{P(demo)}/org/users/new", data={"username": f"xssu{i}", "name": p[:100], "password": "Xss#Pass2026",
                                                      "phone": p[:50]})
        admin.post(f"{P(demo)}/sites/{youth.id}/columns/new", data={
            "name": p[:200], "slug": f"xss{i}", "type": "article", "parent_id": 0, "unit_id": hz.id, "description": p,
            "rule_kind": "timely", "staleness_class": "news", "link_visible": "y"})
    admin.post(f"{P(demo)}/sites/new", data={"name": PAYLOADS[0], "code": "xss", "unit_id": hz.id,
                                             "description": PAYLOADS[1]})
    from intranet.org.models import Unit, User
    from intranet.sites.models import Column, Site
    for model, field, prefix in ((Unit, Unit.code, "xss"), (User, User.username, "xssu"), (Column, Column.slug, "xss")):
        n = db.session.execute(db.select(db.func.count()).select_from(model).filter(field.like(prefix + "%"))).scalar()
        assert n == len(PAYLOADS), (model, n)
    assert db.session.execute(db.select(Site).filter_by(code="xss")).scalar() is not None
    for url in (f"{P(demo)}/org/units", f"{P(demo)}/org/users", f"{P(demo)}/org/users?q=%3Cscript%3E",
                f"{P(demo)}/sites/", f"{P(demo)}/sites/{youth.id}/columns", "/", "/s/youth/", f"{P(demo)}/items/new",
                f"{P(demo)}/audit/", f"{P(demo)}/security/letters/", f"{P(demo)}/security/duty/new"):
        _clean(admin, url, "admin list")
    people = [u for u in db.session.execute(db.select(user("admin").__class__)).scalars() if u.username.startswith("xssu")]
    for u in people[::10]:
        _clean(admin, f"{P(demo)}/org/users/{u.id}/edit", "user edit")


def test_xss_through_incidents_duty_roster_and_the_letter(demo):
    admin = client_from(demo)
    login(admin, "admin")
    for i, p in enumerate(PAYLOADS):
        admin.post(f"{P(demo)}/security/incidents/new", data={
            "kind": "defacement", "title": p[:200], "description": p, "discovered_at": "2026-11-23T09:00",
            "site_id": 0, "unit_id": 0})
        if i % 4 == 0:
            admin.post(f"{P(demo)}/security/duty/new", data={
                "kind": "holiday", "title": p[:200], "note": p[:500], "phone": p[:50], "starts_at": "2026-11-23T00:00",
                "ends_at": "2026-11-25T00:00", "user_id": user("head").id, "backup_user_id": 0})
    incidents = db.session.execute(db.select(Incident)).scalars().all()
    assert len(incidents) == len(PAYLOADS)
    for inc in incidents[:: 5]:
        admin.post(f"{P(demo)}/security/incidents/{inc.id}/actions", data={"a-kind": "note", "a-text": inc.description})
        admin.post(f"{P(demo)}/security/incidents/{inc.id}/report", data={"r-reported_to": inc.title})
        _clean(admin, f"{P(demo)}/security/incidents/{inc.id}", "incident")
    _clean(admin, f"{P(demo)}/security/incidents/", "incident list")
    _clean(admin, f"{P(demo)}/security/duty/", "duty roster")
    admin.post(f"{P(demo)}/security/letters/template", data={"title": PAYLOADS[0], "body": "\n".join(PAYLOADS)})
    _clean(admin, f"{P(demo)}/security/letters/template", "letter template")
    principal = client_from(demo)
    login(principal, "principal")
    _clean(principal, f"{P(demo)}/security/letters/{unit('hz-office').id}/sign", "letter")
