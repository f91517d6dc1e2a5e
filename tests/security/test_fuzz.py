"""Bad input (2): property-based tests. Every form reachable from any page of
the application (found by walking every GET route as a role allowed to see
it, plus the pages whose forms depend on an object's state, a person or the
date, and the endpoints only scripts post to) is filled with arbitrary input
by hypothesis, and every GET route gets arbitrary query strings and, one
argument at a time, arbitrary path values. Nothing may answer 500 (in tests an
unhandled exception fails the test outright). LANMU_FUZZ_EXAMPLES sets the
number of examples per form, route and argument (default 10, kept modest so
CI stays fast)."""
import io
import os
from contextlib import contextmanager
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intranet.clock import set_now

from ..conftest import TEST_NOW, login
from .authz_matrix import ANON, MATRIX, ROLES
from .forms import Form, forms_of
from .helpers import P, client_from, column
from .test_authz_matrix import _objects, _url

EXAMPLES = int(os.environ.get("LANMU_FUZZ_EXAMPLES", "10"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))

NASTY = ["", " ", "0", "-1", "2147483648", "99999999999999999999999999", "1e309", "NaN", "-0", "0x10",
         "2026-02-30", "2026-11-23T25:61", "9999-12-31T23:59", "0000-00-00", "../../etc/passwd", "..\\..\\boot.ini",
         "%00", "\x00", "<script>alert(1)</script>", "' OR 1=1 --", "\"; DROP TABLE item; --", "\u202e\u200b",
         "１２３", "a" * 5000, "中" * 3000, "\r\n\r\n", "javascript:alert(1)", "{{7*7}}", "${jndi:ldap://x}",
         "/intranet/", "//evil.example/", "http://evil.example/", "10.0.0.0/8", "::1"]
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400)
VALUE = st.one_of(TEXT, st.sampled_from(NASTY), st.integers(min_value=-2**70, max_value=2**70).map(str))
QUERY_KEYS = ["page", "q", "status", "column", "year", "before", "person", "unit_id", "object_type", "object_id",
              "action", "ip", "date_from", "date_to", "next", "site", "unit", "user", "start", "end", "ids", "month",
              "quarter", "print", "date", "scope", "category", "severity", "enabled", "format", "problem",
              "channel", "state", "code"]
# Numbers for ids, years and months in paths: inside the integer range (beyond it the hardening answers
# 404 before any view runs), with the edges the views check.
PATH_NUMBER = st.one_of(st.integers(min_value=0, max_value=2**31 - 1),
                        st.sampled_from([0, 1, 12, 13, 1999, 2000, 2100, 2101, 9998, 9999, 10000, 2**31 - 1]))
PATH_TEXT = st.one_of(TEXT.filter(lambda s: "/" not in s and s not in (".", "..")).map(lambda s: s or "x"),
                      st.sampled_from([v for v in NASTY if v and "/" not in v and v not in (".", "..")]))


# Who fetches a route's page and posts its forms: officer first (their forms before the admins' change
# things), the admins last.
ROLE_ORDER = [ANON, "officer", "liaison", "proof1", "principal", "head", "secrecy", "leader", "sc_officer", "sc_head",
              "webmaster", "siteadmin", "admin"]
# POST routes the matrix calls "unsafe" whose forms are still fuzzed, after every other form: they submit,
# reopen, confirm, toggle or requeue something, which the other forms do not depend on. The rest of the
# unsafe ones (sign-out, deletions, disabling people, ending sessions) are not fuzzed.
FUZZ_LAST = {"review.submit", "review.reopen", "assessment.year_fix", "checks.toggle_word", "reminders.retry"}
# A clock for pages whose forms only take input at some time: the self-assessment of November 2026 is
# open from 1 to 10 December.
SELF_WINDOW = datetime(2026, 12, 3, 9, 0)


def _role_for(endpoint):
    """A role allowed to use the endpoint."""
    allowed = MATRIX[endpoint].allowed
    for role in ROLE_ORDER:
        if role in allowed:
            return role
    return None


def _field_value(kind, options):
    if kind == "select" and options:
        return st.one_of(st.sampled_from(options), VALUE)
    if kind == "checkbox":
        return st.sampled_from(["", "y", "on", "0", "x" * 300])
    if kind == "file":
        return st.tuples(st.binary(max_size=2048) | st.sampled_from([b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
                                                                      b"%PDF-1.4 x", b"MZ\x90\x00", b""]),
                         st.one_of(TEXT, st.sampled_from(["../../x.png", "a.png", "a.exe", "..", "/etc/passwd",
                                                          "x" * 300 + ".pdf", "C:\\x.pdf"])))
    return VALUE


def _extra_pages(app, objects):
    """Pages whose forms depend on the object's state or on who looks: (role, url, clock or None)."""
    i = P(app)
    unit_id = objects["unit_id"]
    return [("officer", f"{i}/items/new?column={column('progress').id}", None),
            # the mailbox's message page shows its forms by the message's state
            ("officer", f"{i}/mailbox/{objects['mailbox_assigned_id']}", None),
            ("head", f"{i}/mailbox/{objects['mailbox_review_id']}", None),
            ("officer", f"{i}/mailbox/{objects['mailbox_answered_id']}", None),
            ("officer", f"{i}/mailbox/{objects['public_message_id']}", None),
            # review: the proof-reader decides, an admin re-resolves the open step, the webmaster withdraws
            # the published item, the author reopens the withdrawn one and submits the draft
            ("proof1", f"{i}/review/items/{objects['review_item']}", None),
            ("admin", f"{i}/review/items/{objects['review_item']}", None),
            ("webmaster", f"{i}/review/items/{objects['published_item']}", None),
            ("officer", f"{i}/items/{objects['withdrawn_item']}", None),
            ("officer", f"{i}/items/{objects['item_id']}", None),
            # the editor's panel offers masking for the draft with personal data
            ("officer", f"{i}/items/{objects['personal_item']}/edit", None),
            # assessment: the assessor fixes the open month and publishes the fixed one; a unit
            # self-assesses while its window is open
            ("webmaster", f"{i}/assessment/{objects['assessment_year']}/{objects['open_month']}", None),
            ("webmaster", f"{i}/assessment/{objects['assessment_year']}/{objects['fixed_month']}", None),
            ("webmaster", f"{i}/assessment/year/{objects['assessment_year']}", None),
            ("officer", f"{i}/assessment/2026/11/self/{unit_id}", SELF_WINDOW),
            # the outbox page lists a failed row with its retry button
            ("admin", f"{i}/reminders/outbox?status=failed", None)]


def _explicit_forms(app, objects):
    """Endpoints posted by script, not by a form on a page: {(endpoint, role): (role, Form, clock)}."""
    preview = f"{P(app)}/checks/items/{objects['personal_item']}/preview"
    fields = {"title": ("text", []), "body": ("text", []), "classification": ("select", ["", "secret", "internal"])}
    return {("checks.preview", "officer"): ("officer", Form(action=preview, method="post", multipart=False,
                                                            fields=fields), None)}


def _discover(app, clients, objects):
    """Every POST form reachable from a GET page, with the role that sees it (and the clock it needs)."""
    adapter = app.url_map.bind("localhost")
    found = _explicit_forms(app, objects)
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in ("static", "bootstrap.static"):
            role = _role_for(rule.endpoint)
            if role is not None:
                pages.append((role, _url(app, rule, MATRIX[rule.endpoint], objects), None))
    for role, url, at in pages + _extra_pages(app, objects):
        with _clock(app, at):
            resp = clients[role].get(url)
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        for form in forms_of(resp.get_data(as_text=True), url):
            if form.method != "post":
                continue
            try:
                endpoint, _args = adapter.match(form.action.split("?")[0], method="POST")
            except Exception:  # noqa: BLE001  (a form pointing outside the app would be a bug of its own)
                raise AssertionError(f"form on {url} posts to {form.action}, which no route accepts") from None
            if MATRIX[endpoint].post == "unsafe" and endpoint not in FUZZ_LAST:
                continue
            found.setdefault((endpoint, role), (role, form, at))
    return found


# POST routes called by our static JS, with no HTML form to discover; their bad
# input is tested where they are (tests/test_editor.py for the editor's image upload).
SCRIPT_ONLY = {"items.upload_image"}


@contextmanager
def _clock(app, at):
    if at is None:
        yield
        return
    set_now(app, at)
    try:
        yield
    finally:
        set_now(app, TEST_NOW)


def test_every_form_survives_arbitrary_input(demo):
    objects = _objects(demo)
    clients = {}
    for role in ROLES:
        clients[role] = client_from(demo)
        if role != ANON:
            login(clients[role], role)
    forms = _discover(demo, clients, objects)
    posted = {endpoint for endpoint, _role in forms}
    expected = {r.endpoint for r in demo.url_map.iter_rules()
                if "POST" in r.methods and (MATRIX[r.endpoint].post != "unsafe" or r.endpoint in FUZZ_LAST)
                and r.endpoint not in SCRIPT_ONLY}
    missing = expected - posted
    assert not missing, f"POST routes whose form was not found on any page (fuzz them explicitly): {sorted(missing)}"
    for (endpoint, _), (role, form, at) in sorted(forms.items(), key=lambda kv: (
            kv[0][0] in FUZZ_LAST, ROLE_ORDER.index(kv[1][0]), kv[0][0])):
        client = clients[role]
        strategy = st.fixed_dictionaries({name: _field_value(kind, options)
                                          for name, (kind, options) in form.fields.items()})

        @SETTINGS
        @given(data=strategy)
        def post(data):
            payload = {}
            for name, value in data.items():
                payload[name] = (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
            resp = client.post(form.action, data=payload,
                               content_type="multipart/form-data" if form.multipart else None)
            assert resp.status_code < 500, (endpoint, role, data)

        with _clock(demo, at):
            post()


def test_every_get_route_survives_arbitrary_query_strings(demo):
    objects = _objects(demo)
    routes = []
    for rule in demo.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static", "audit.export"):
            continue
        role = _role_for(rule.endpoint)
        client = client_from(demo)
        if role not in (None, ANON):
            login(client, role)
        routes.append((rule, client, _url(demo, rule, MATRIX[rule.endpoint], objects)))
    for rule, client, url in routes:
        @SETTINGS
        @given(query=st.dictionaries(st.sampled_from(QUERY_KEYS), VALUE, max_size=4))
        def get(query):
            resp = client.get(url, query_string=query)
            assert resp.status_code < 500, (rule.endpoint, query)

        get()


def test_every_get_route_survives_arbitrary_path_values(demo):
    """Every argument of every GET route in turn (ids, years, months, tokens, codes), the others kept
    pointing at real objects, as a role allowed to use the route."""
    from werkzeug.routing import IntegerConverter
    objects = _objects(demo)
    clients = {}
    for rule in sorted(demo.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if "GET" not in rule.methods or not rule.arguments or rule.endpoint in ("static", "bootstrap.static"):
            continue
        role = _role_for(rule.endpoint)
        if role not in clients:
            clients[role] = client_from(demo)
            if role not in (None, ANON):
                login(clients[role], role)
        client, access = clients[role], MATRIX[rule.endpoint]
        base = {name: objects[access.params.get(name, name)] for name in rule.arguments}
        for name in sorted(rule.arguments):
            number = isinstance(rule._converters[name], IntegerConverter)

            @SETTINGS
            @given(value=PATH_NUMBER if number else PATH_TEXT)
            def get(value):
                from urllib.parse import quote
                values = {**base, name: value if number else quote(value, safe="")}
                _domain, path = rule.build(values, append_unknown=False)
                resp = client.get(path)
                assert resp.status_code < 500, (rule.endpoint, name, value)

            get()


def test_public_endpoints_survive_arbitrary_path_segments(demo):
    client = client_from(demo)
    segment = st.one_of(TEXT.filter(lambda s: "/" not in s and s not in (".", "..")), st.sampled_from(NASTY))

    @SETTINGS
    @given(code=segment, slug=segment, number=st.integers(min_value=-1, max_value=2**70))
    def walk(code, slug, number):
        from urllib.parse import quote
        c, s = quote(code, safe=""), quote(slug, safe="")
        for url in (f"/s/{c}/", f"/s/{c}/c/{s}/", f"/s/youth/c/{s}/", f"/s/{c}/i/{number}.html",
                    f"/s/youth/i/{number}.html", f"/s/youth/i/{number}/files/{number}",
                    f"/s/youth/c/progress/?page={quote(slug, safe='')}"):
            resp = client.get(url)
            assert resp.status_code < 500, url

    walk()
