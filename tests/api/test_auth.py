"""API tokens: made and revoked on the intranet page (by the person or an
admin), stored hashed and shown once, scoped read/write, last use recorded;
revoked, expired, unknown tokens and disabled accounts refused; no session
cookie accepted (so no CSRF surface); rate limits per token; the office-network
allow-list of R-05."""
import re
from datetime import timedelta

from intranet.api.models import ApiToken
from intranet.api.tokens import digest
from intranet.audit.models import AuditEntry
from intranet.clock import set_now
from intranet.extensions import db

from ..conftest import TEST_NOW, login, prefix
from .conftest import ApiClient, body, column, document_payload, make_token, user


def _token_page_create(client, app, url=None, **data):
    form = {"name": "OA系统推送", "scope": "write", "expires_days": ""}
    form.update(data)
    resp = client.post(url or prefix(app) + "/api-tokens/", data=form)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:1000]
    match = re.search(r'id="new-token-secret">(lmu_[\w-]+)<', resp.get_data(as_text=True))
    assert match, "the new token is shown on the page"
    return match.group(1)


def test_token_made_on_the_intranet_page_is_shown_once_and_stored_hashed(demo):
    web = demo.test_client()
    login(web, "officer")
    secret = _token_page_create(web, demo)
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    assert row.token_hash == digest(secret) and secret not in (row.token_hash, row.prefix)
    assert row.prefix == secret[:12] and row.user_id == user("officer").id and row.scope == "write"
    again = web.get(prefix(demo) + "/api-tokens/").get_data(as_text=True)
    assert secret not in again and row.prefix in again
    # It works, as the officer, and its last use is recorded
    resp = ApiClient(demo, secret).get("/me")
    assert resp.status_code == 200 and body(resp)["username"] == "officer"
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at == TEST_NOW
    assert db.session.execute(db.select(AuditEntry).filter_by(action="api_token_created")).scalar_one()


def test_revoked_token_is_refused(demo):
    web = demo.test_client()
    login(web, "officer")
    secret = _token_page_create(web, demo)
    api = ApiClient(demo, secret)
    assert api.get("/me").status_code == 200
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    resp = web.post(prefix(demo) + "/api-tokens/revoke", data={"token_id": row.id})
    assert resp.status_code == 302
    resp = api.get("/me")
    assert resp.status_code == 401 and body(resp)["code"] == "token_revoked"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert db.session.execute(db.select(AuditEntry).filter_by(action="api_token_revoked")).scalar_one()


def test_another_person_cannot_revoke_my_token_but_an_admin_can(demo):
    secret = make_token("officer")
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    liaison = demo.test_client()
    login(liaison, "liaison")
    assert liaison.post(prefix(demo) + "/api-tokens/revoke", data={"token_id": row.id}).status_code == 403
    assert ApiClient(demo, secret).get("/me").status_code == 200
    admin = demo.test_client()
    login(admin, "webmaster")
    assert admin.post(prefix(demo) + "/api-tokens/revoke", data={"token_id": row.id}).status_code == 302
    assert body(ApiClient(demo, secret).get("/me"))["code"] == "token_revoked"


def test_admin_makes_a_token_for_a_person_and_others_cannot(demo):
    officer_id = user("officer").id
    admin = demo.test_client()
    login(admin, "webmaster")
    secret = _token_page_create(admin, demo, url=prefix(demo) + f"/api-tokens/users/{officer_id}", scope="read")
    me = body(ApiClient(demo, secret).get("/me"))
    assert me["username"] == "officer" and me["token"]["scope"] == "read"
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    assert row.created_by_id == user("webmaster").id
    liaison = demo.test_client()
    login(liaison, "liaison")
    assert liaison.get(prefix(demo) + f"/api-tokens/users/{officer_id}").status_code == 403
    assert liaison.post(prefix(demo) + f"/api-tokens/users/{officer_id}",
                        data={"name": "x", "scope": "write"}).status_code == 403


def test_missing_unknown_and_malformed_tokens_are_refused(demo):
    assert body(ApiClient(demo).get("/me"))["code"] == "token_missing"
    for header in ("Bearer lmu_notatoken", "Bearer ", "Basic b2ZmaWNlcjpMYW5tdUAyMDI2", "lmu_x",
                   "Bearer " + "lmu_" + "中" * 10):
        resp = ApiClient(demo).get("/me", headers={"Authorization": header})
        assert resp.status_code == 401, header
        assert body(resp)["code"] in ("token_invalid", "token_missing"), header
    # A token's hash is no token
    make_token("officer")
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    assert ApiClient(demo, row.token_hash).get("/me").status_code == 401


def test_expired_token_is_refused(demo):
    secret = make_token("officer", expires_days=30)
    api = ApiClient(demo, secret)
    assert api.get("/me").status_code == 200
    set_now(demo, TEST_NOW + timedelta(days=31))
    resp = api.get("/me")
    assert resp.status_code == 401 and body(resp)["code"] == "token_expired"


def test_disabled_account_token_is_refused(demo):
    secret = make_token("officer")
    user("officer").active = False
    db.session.commit()
    resp = ApiClient(demo, secret).get("/me")
    assert resp.status_code == 401 and body(resp)["code"] == "account_disabled"


def test_hand_over_revokes_the_old_persons_tokens(demo):
    from intranet.org.handover import hand_over
    secret = make_token("officer")
    hand_over(user("officer"), user("liaison"), user("admin"))
    db.session.commit()
    assert body(ApiClient(demo, secret).get("/me"))["code"] in ("token_revoked", "account_disabled")
    assert db.session.execute(db.select(ApiToken)).scalar_one().revoked_at is not None


def test_read_token_cannot_write(demo):
    api = ApiClient(demo, make_token("officer", scope="read"))
    assert api.get("/items").status_code == 200
    resp = api.post("/items", json=document_payload())
    assert resp.status_code == 403 and body(resp)["code"] == "insufficient_scope"
    from intranet.items.models import Item
    assert db.session.execute(db.select(Item).filter_by(title=document_payload()["title"])).scalar() is None


def test_session_cookie_is_not_accepted(demo):
    """Signed in on the intranet, the same browser gets nothing from the API: the
    cookie is never read (no CSRF surface), and the API never sets one."""
    web = demo.test_client()
    login(web, "officer")
    resp = web.get("/api/v1/me")
    assert resp.status_code == 401 and body(resp)["code"] == "cookie_not_accepted"
    assert "Set-Cookie" not in resp.headers
    resp = web.post("/api/v1/items", json=document_payload())
    assert resp.status_code == 401
    # Cookie and token together: the token's person, not the cookie's
    resp = web.get("/api/v1/me", headers={"Authorization": f"Bearer {make_token('head')}"})
    assert body(resp)["username"] == "head"
    assert "Set-Cookie" not in resp.headers


def test_api_needs_no_csrf_token_but_pages_still_do(make_app, tmp_path):
    """The blueprint is exempt from CSRFProtect (it accepts no cookie); the intranet is not."""
    from intranet.demo import load_demo
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        load_demo()
        api = ApiClient(app, make_token("officer"))
        resp = api.post("/items", json=document_payload(column_id=column("documents").id))
        assert resp.status_code == 201, resp.get_data(as_text=True)
        web = app.test_client()
        page = web.get(prefix(app) + "/login").get_data(as_text=True)
        assert 'name="csrf_token"' in page
        resp = web.post(prefix(app) + "/login", data={"username": "officer", "password": "Lanmu@2026"})
        assert resp.status_code == 400  # no CSRF token: refused


def test_rate_limit_per_token(make_app):
    from intranet.demo import load_demo
    app = make_app(LANMU_API_RATE_LIMIT="3 per minute")
    with app.app_context():
        load_demo()
        api, other = ApiClient(app, make_token("officer")), ApiClient(app, make_token("head"))
        statuses = [api.get("/me").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        resp = api.get("/me")
        assert body(resp)["code"] == "rate_limited" and int(resp.headers["Retry-After"]) >= 1
        ok = other.get("/me")
        assert ok.status_code == 200 and ok.headers["X-RateLimit-Limit"] == "3"
        assert ok.headers["X-RateLimit-Remaining"] == "2"


def test_wrong_tokens_are_rate_limited_per_address(make_app):
    from intranet.demo import load_demo
    app = make_app(LANMU_API_AUTH_FAIL_LIMIT="2 per minute")
    with app.app_context():
        load_demo()
        bad = ApiClient(app, "lmu_guess")
        assert [bad.get("/me").status_code for _ in range(3)] == [401, 401, 429]
        assert ApiClient(app, make_token("officer")).get("/me").status_code == 200  # real tokens still work


def test_r05_office_network_allow_list_applies_to_the_api(make_app):
    from intranet.demo import load_demo
    app = make_app(LANMU_ADMIN_NETWORKS=["10.0.0.0/8"])
    with app.app_context():
        load_demo()
        secret = make_token("officer")
        outside = ApiClient(app, secret)
        resp = outside.get("/me", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert resp.status_code == 403 and body(resp)["code"] == "network_refused"
        assert outside.get("/openapi.json", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403
        assert outside.get("/me", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    app = make_app(LANMU_ADMIN_NETWORKS=["10.0.0.0/8"], LANMU_API_NETWORKS=[])  # the API opened on purpose
    with app.app_context():
        resp = ApiClient(app, secret).get("/me", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert resp.status_code == 200
