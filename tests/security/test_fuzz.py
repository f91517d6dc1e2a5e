"""Bad input (2): property-based tests. Every form reachable from any page of
the application (found by walking every GET route as a role allowed to see
it) is filled with arbitrary input by hypothesis, and every GET route gets
arbitrary query strings and path values. Nothing may answer 500 (in tests an
unhandled exception fails the test outright). LANMU_FUZZ_EXAMPLES sets the
number of examples per form (default 10, kept modest so CI stays fast)."""
import io
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import login
from .authz_matrix import ANON, MATRIX, ROLES
from .forms import forms_of
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
              "action", "ip", "date_from", "date_to", "next"]


def _role_for(endpoint):
    """A role allowed to use the endpoint; officer first (their forms before the admins' change things)."""
    allowed = MATRIX[endpoint].allowed
    for role in [ANON, "officer", "liaison", "principal", "head", "webmaster", "siteadmin", "admin"]:
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


def _discover(app, clients, objects):
    """Every POST form reachable from a GET page, with the role that sees it."""
    adapter = app.url_map.bind("localhost")
    found = {}
    extra_pages = [("officer", f"{P(app)}/items/new?column={column('progress').id}"),
                   # the mailbox's message page shows its forms by the message's state
                   ("officer", f"{P(app)}/mailbox/{objects['mailbox_assigned_id']}"),
                   ("head", f"{P(app)}/mailbox/{objects['mailbox_review_id']}"),
                   ("officer", f"{P(app)}/mailbox/{objects['mailbox_answered_id']}"),
                   ("officer", f"{P(app)}/mailbox/{objects['public_message_id']}")]
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in ("static", "bootstrap.static"):
            role = _role_for(rule.endpoint)
            if role is not None:
                pages.append((role, _url(app, rule, MATRIX[rule.endpoint], objects)))
    for role, url in pages + extra_pages:
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
            if MATRIX[endpoint].post == "unsafe":
                continue
            found.setdefault((endpoint, role), (role, form))
    return found


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
                if "POST" in r.methods and MATRIX[r.endpoint].post != "unsafe"}
    missing = expected - posted
    assert not missing, f"POST routes whose form was not found on any page (fuzz them explicitly): {sorted(missing)}"
    order = ["officer", "liaison", "principal", "head", "webmaster", "siteadmin", ANON, "admin"]
    for (endpoint, _), (role, form) in sorted(forms.items(), key=lambda kv: (order.index(kv[1][0]), kv[0][0])):
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

        post()


def test_every_get_route_survives_arbitrary_query_strings_and_path_values(demo):
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
