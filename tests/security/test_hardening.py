"""Hardening: office-network allow-list (R-05) behind a trusted proxy, login
rate limits, concurrent sessions flagged (R-04), idle timeout, security
headers and a CSP without inline scripts."""
import re
from datetime import timedelta
from pathlib import Path

from intranet.audit.models import AuditEntry
from intranet.clock import set_now
from intranet.extensions import db
from intranet.security import settings
from intranet.security.models import UserSession

from ..conftest import TEST_NOW, login, text_of
from .helpers import P, client_from, user

ROOT = Path(__file__).resolve().parents[2]


def _actions(action):
    return db.session.execute(db.select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)).scalars().all()


def _client(app, addr):
    return client_from(app, addr)


# ------------------------------------------------------------ R-05 allow-list

def test_r05_back_office_only_from_office_networks_public_site_open(make_app):
    app = make_app(LANMU_ADMIN_NETWORKS=["10.0.0.0/8", "192.168.5.7"])
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        outside, office = _client(app, "203.0.113.9"), _client(app, "10.1.2.3")
        resp = outside.get(P(app) + "/login")
        assert resp.status_code == 403 and "办公网络" in text_of(resp)
        assert login(outside, "officer").status_code == 403
        assert outside.get("/").status_code == 200  # the public site stays open
        assert office.get(P(app) + "/login").status_code == 200
        assert login(office, "officer").status_code == 302
        assert _client(app, "192.168.5.7").get(P(app) + "/login").status_code == 200
        assert _client(app, "::ffff:10.9.9.9").get(P(app) + "/login").status_code == 200


def test_r05_forwarded_header_honoured_only_with_a_configured_trusted_proxy(make_app):
    for hops, expect in ((0, 403), (1, 200)):
        app = make_app(LANMU_ADMIN_NETWORKS=["10.0.0.0/8"], LANMU_TRUSTED_PROXIES=hops)
        with app.app_context():
            client = _client(app, "127.0.0.1")  # the proxy
            resp = client.get(P(app) + "/login", headers={"X-Forwarded-For": "10.4.4.4"})
            assert resp.status_code == expect, hops
    # Behind one proxy, only the address the proxy appended counts: a spoofed first entry is ignored.
    app = make_app(LANMU_ADMIN_NETWORKS=["10.0.0.0/8"], LANMU_TRUSTED_PROXIES=1)
    with app.app_context():
        resp = _client(app, "127.0.0.1").get(P(app) + "/login",
                                             headers={"X-Forwarded-For": "10.4.4.4, 203.0.113.5"})
        assert resp.status_code == 403


def test_r05_audit_records_the_forwarded_address(make_app):
    app = make_app(LANMU_TRUSTED_PROXIES=1)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        client = _client(app, "127.0.0.1")
        client.post(P(app) + "/login", data={"username": "officer", "password": "x"},
                    headers={"X-Forwarded-For": "10.7.7.7"})
        assert _actions("login_failed")[-1].ip == "10.7.7.7"


def test_r05_settings_page_refuses_a_list_that_locks_out_the_admin_and_cli_recovers(demo, login_as):
    client = login_as("admin")
    client.environ_base["REMOTE_ADDR"] = "10.0.0.8"
    resp = client.post(f"{P(demo)}/security/settings", data={"admin_networks": "192.168.0.0/16"})
    assert "无法访问后台" in text_of(resp) and settings.get("admin_networks") == []
    resp = client.post(f"{P(demo)}/security/settings", data={"admin_networks": "10.0.0.300/8"})
    assert "网段格式不正确" in text_of(resp)
    client.post(f"{P(demo)}/security/settings", data={"admin_networks": "10.0.0.0/24\n192.168.0.0/16"})
    assert settings.get("admin_networks") == ["10.0.0.0/24", "192.168.0.0/16"]
    assert _client(demo, "10.0.1.1").get(P(demo) + "/login").status_code == 403
    result = demo.test_cli_runner().invoke(args=["security", "networks", "--clear"])
    assert result.exit_code == 0 and "未限制" in result.output
    db.session.expire_all()
    assert _client(demo, "10.0.1.1").get(P(demo) + "/login").status_code == 200
    result = demo.test_cli_runner().invoke(args=["security", "networks", "--set", "nonsense"])
    assert result.exit_code != 0


def test_r05_settings_are_for_the_system_admin_only(demo, login_as):
    for username in ("webmaster", "siteadmin", "officer"):
        assert login_as(username).get(f"{P(demo)}/security/settings").status_code == 403


# ------------------------------------------------------------ login rate limits

def test_login_rate_limited_per_address(make_app):
    app = make_app(LANMU_LOGIN_LIMIT_PER_ADDRESS="3 per minute", LANMU_LOGIN_LIMIT_PER_ACCOUNT="100 per minute")
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        attacker = _client(app, "10.6.6.6")
        for name in ("officer", "head", "leader"):
            assert login(attacker, name, "Wrong#Pass1").status_code == 200
        resp = login(attacker, "principal")  # even a right password is refused now
        assert resp.status_code == 429 and "同一地址" in text_of(resp)
        entry = _actions("login_rate_limited")[-1]
        assert entry.ip == "10.6.6.6" and '"address"' in entry.detail
        assert login(_client(app, "10.6.6.7"), "principal").status_code == 302  # other addresses unaffected


def test_login_rate_limited_per_account_across_addresses(make_app):
    app = make_app(LANMU_LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LANMU_LOCKOUT_THRESHOLD=100)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        for i in range(3):
            login(_client(app, f"10.8.0.{i}"), "officer", "Wrong#Pass1")
        resp = login(_client(app, "10.8.0.99"), "officer")
        assert resp.status_code == 429 and "同一账号" in text_of(resp)
        assert _actions("login_rate_limited")[-1].user_id == user("officer").id
        assert login(_client(app, "10.8.0.99"), "head").status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_limit(make_app):
    app = make_app(LANMU_LOGIN_LIMIT_PER_ADDRESS="2 per minute")
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        client = _client(app, "10.2.2.2")
        for _ in range(5):
            assert login(client, "officer").status_code == 302
            client.post(P(app) + "/logout")


# ------------------------------------------------------------ R-04 sessions

def test_r04_concurrent_sessions_from_different_addresses_are_flagged(demo):
    first, second = _client(demo, "10.0.0.1"), _client(demo, "10.0.0.2")
    assert login(first, "officer").status_code == 302
    assert "其他地址" not in text_of(first.get(P(demo) + "/"))
    assert login(second, "officer").status_code == 302
    page = text_of(second.get(P(demo) + "/"))
    assert "同时在其他地址（10.0.0.1）登录" in page
    page = text_of(first.get(P(demo) + "/"))
    assert "同时在其他地址（10.0.0.2）登录" in page
    assert "其他地址" not in text_of(first.get(P(demo) + "/"))  # shown once per session
    entry = _actions("concurrent_session")[-1]
    assert entry.user_id == user("officer").id and entry.ip == "10.0.0.2" and "10.0.0.1" in entry.detail
    admin = _client(demo, "10.0.0.3")
    login(admin, "siteadmin")
    page = admin.get(P(demo) + "/security/sessions")
    assert "10.0.0.1" in text_of(page) and "李信息" in text_of(page)


def test_r04_same_address_twice_is_not_flagged_and_sign_out_ends_the_session(demo):
    a, b = _client(demo, "10.0.0.1"), _client(demo, "10.0.0.1")
    login(a, "officer")
    login(b, "officer")
    assert not _actions("concurrent_session")
    a.post(P(demo) + "/logout")
    rows = db.session.execute(db.select(UserSession).order_by(UserSession.id)).scalars().all()
    assert rows[0].end_reason == "logout" and rows[1].ended_at is None


def test_r04_an_idle_session_times_out(make_app):
    demo = make_app(LANMU_SESSION_IDLE_MINUTES=30, PERMANENT_SESSION_LIFETIME=timedelta(hours=8))
    ctx = demo.app_context()
    ctx.push()
    from intranet.demo import load_demo
    load_demo()
    client = _client(demo, "10.0.0.1")
    login(client, "officer")
    set_now(demo, TEST_NOW + timedelta(minutes=20))
    assert client.get(P(demo) + "/").status_code == 200  # activity keeps it alive
    set_now(demo, TEST_NOW + timedelta(minutes=45))
    assert client.get(P(demo) + "/").status_code == 200
    set_now(demo, TEST_NOW + timedelta(minutes=45 + 31))
    resp = client.get(P(demo) + "/items/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert "自动退出" in text_of(client.get(resp.headers["Location"]))
    assert _actions("session_idle_timeout")[-1].user_id == user("officer").id
    assert client.get(P(demo) + "/").status_code == 302  # signed out for good
    ctx.pop()


def test_r04_an_admin_can_end_a_session_and_disabling_an_account_ends_its_sessions(demo):
    officer, admin = _client(demo, "10.0.0.1"), _client(demo, "10.0.0.2")
    login(officer, "officer")
    login(admin, "admin")
    row = db.session.execute(db.select(UserSession).filter_by(user_id=user("officer").id)).scalar_one()
    admin.post(f"{P(demo)}/security/sessions/{row.id}/end")
    assert officer.get(P(demo) + "/").status_code == 302
    login(officer, "officer")
    assert officer.get(P(demo) + "/").status_code == 200
    admin.post(f"{P(demo)}/org/users/{user('officer').id}/toggle")
    assert officer.get(P(demo) + "/").status_code == 302


# ------------------------------------------------------------ headers and CSP

def test_security_headers_on_intranet_and_public_pages(demo, login_as):
    client = login_as("officer")
    for path, back_office in ((P(demo) + "/", True), ("/", False), (P(demo) + "/login", True)):
        resp = client.get(path)
        csp = resp.headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert (resp.headers.get("Cache-Control") == "no-store") == back_office


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def test_no_inline_scripts_event_handlers_or_javascript_urls_in_templates():
    """The CSP forbids inline scripts: every template must do without them."""
    templates = list((ROOT / "intranet" / "templates").rglob("*.html")) + list((ROOT / "plugins").rglob("*.html"))
    assert templates
    for path in templates:
        source = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_ATTR, JS_URL):
            match = pattern.search(source)
            assert match is None, f"{path.relative_to(ROOT)}: {match.group(0)!r} — move it into a static .js file"


def test_nul_characters_are_refused_not_a_server_error(demo, client):
    assert client.get("/s/you%00th/").status_code == 400
    assert client.post(P(demo) + "/login", data={"username": "offi\x00cer", "password": "x"}).status_code == 400
    assert client.get(P(demo) + "/login?next=%00").status_code == 400


def test_huge_numbers_in_query_strings_never_reach_the_database(demo, login_as):
    # Ids no row can have and page numbers whose offset the database cannot take (SQLite overflows at
    # 2**63, PostgreSQL's integer at 2**31) are ignored or clamped: a page, never a server error.
    huge, bigger = str(2**31), "99999999999999999999"
    admin = login_as("admin")
    for path in (f"/review/ledger?page={bigger}&site={huge}&column={bigger}&unit={huge}&user={bigger}",
                 f"/review/archive?page={bigger}&unit={bigger}", f"/review/chains?site={bigger}",
                 f"/inbox/?page={bigger}", f"/checks/lexicon?page={bigger}&scope={bigger}",
                 f"/checks/links?page={bigger}&site={bigger}", f"/items/new?column={huge}"):
        assert admin.get(P(demo) + path).status_code == 200, path
    assert admin.get(P(demo) + f"/review/forms.xlsx?ids={huge},{bigger}").status_code == 404  # nothing to export
    assert admin.get(P(demo) + f"/checks/lexicon/export?scope={bigger}").status_code == 200  # the global lexicon
