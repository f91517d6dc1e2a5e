"""R-04 password policy and lockout; CSRF on forms; the login page speaks Chinese."""
from datetime import timedelta

from intranet.auth import policy
from intranet.clock import set_now
from intranet.extensions import db
from intranet.org.models import User

from .conftest import TEST_NOW, login, prefix, text_of


def _user(username):
    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def _change(client, current, new, confirm=None):
    return client.post(prefix(client.application) + "/password",
                       data={"current": current, "new": new, "confirm": confirm or new}, follow_redirects=True)


def test_r04_login_with_demo_password_reaches_dashboard(demo, client):
    resp = login(client, "officer")
    assert resp.status_code == 302
    page = client.get(prefix(demo) + "/")
    assert "工作台" in text_of(page) and "李信息" in text_of(page)


def test_r04_wrong_password_is_refused_in_chinese(demo, client):
    resp = login(client, "officer", "wrong-Password1")
    assert resp.status_code == 200
    assert "用户名或密码错误" in text_of(resp)
    assert client.get(prefix(demo) + "/").status_code == 302  # still signed out


def test_r04_weak_passwords_are_refused(demo, login_as):
    client = login_as("officer")
    for weak, message in [("Ab1!", "至少8位"), ("abcdefgh", "至少3类"), ("abcdefgh12", "至少3类"),
                          ("Officer#2026x", "不能包含用户名")]:
        resp = _change(client, "Lanmu@2026", weak)
        assert message in text_of(resp), weak
    assert policy.check_password(_user("officer"), "Lanmu@2026")


def test_r04_last_five_passwords_cannot_be_reused(demo, login_as):
    client = login_as("officer")
    passwords = ["Lanmu@2026", "Second#Pass1", "Third#Pass22", "Fourth#Pass3", "Fifth#Pass44"]
    for old, new in zip(passwords, passwords[1:]):
        resp = _change(client, old, new)
        assert "密码已修改" in text_of(resp)
    # Current and the four before it are the last five: all refused.
    for reused in passwords:
        resp = _change(client, passwords[-1], reused)
        assert "最近5次" in text_of(resp), reused
    resp = _change(client, passwords[-1], "Sixth#Pass555")
    assert "密码已修改" in text_of(resp)
    # Now the first one has dropped out of the last five.
    resp = _change(client, "Sixth#Pass555", "Lanmu@2026")
    assert "密码已修改" in text_of(resp)


def test_r04_expired_password_forces_change_at_login(demo, client):
    set_now(demo, TEST_NOW + timedelta(days=91))
    resp = login(client, "officer")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/password")
    # Every other page sends the person back to the change form until they change it.
    resp = client.get(prefix(demo) + "/items/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/password")
    resp = _change(client, "Lanmu@2026", "Brand#New2026")
    assert "密码已修改" in text_of(resp)
    assert client.get(prefix(demo) + "/items/").status_code == 200


def test_r04_expiry_is_announced_seven_days_ahead(demo, client):
    set_now(demo, TEST_NOW + timedelta(days=84))
    resp = login(client, "officer")
    page = client.get(resp.headers["Location"])
    assert "天后过期" in text_of(page)


def test_r04_not_announced_earlier_than_seven_days(demo, client):
    set_now(demo, TEST_NOW + timedelta(days=60))
    resp = login(client, "officer")
    page = client.get(resp.headers["Location"])
    assert "天后过期" not in text_of(page)


def test_r04_lockout_after_repeated_failures_and_automatic_unlock(demo, client):
    for _ in range(demo.config["LANMU_LOCKOUT_THRESHOLD"]):
        resp = login(client, "officer", "Wrong#Pass1")
    assert "已锁定" in text_of(resp)
    # Even the right password is refused while locked, with a clear message.
    resp = login(client, "officer")
    assert resp.status_code == 200 and "已锁定" in text_of(resp) and "分钟后再试" in text_of(resp)
    set_now(demo, TEST_NOW + timedelta(minutes=demo.config["LANMU_LOCKOUT_MINUTES"] + 1))
    resp = login(client, "officer")
    assert resp.status_code == 302


def test_r04_disabled_account_cannot_sign_in(demo, client):
    _user("officer").active = False
    db.session.commit()
    resp = login(client, "officer")
    assert "已停用" in text_of(resp)


def test_r04_passwords_are_hashed_not_stored(demo):
    user = _user("officer")
    assert "Lanmu@2026" not in user.password_hash and user.password_hash.startswith(("pbkdf2", "scrypt"))


def test_r04_production_hash_is_scrypt(make_app):
    app = make_app(LANMU_PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        assert policy.hash_password("Xx#12345678").startswith("scrypt:")


def test_csrf_token_is_required_on_forms(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
    client = app.test_client()
    resp = client.post(prefix(app) + "/login", data={"username": "officer", "password": "Lanmu@2026"})
    assert resp.status_code in (200, 400)
    with app.app_context():
        assert client.get(prefix(app) + "/").status_code == 302  # not signed in without the token
    page = client.get(prefix(app) + "/login")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    resp = client.post(prefix(app) + "/login", data={"username": "officer", "password": "Lanmu@2026",
                                                     "csrf_token": token})
    assert resp.status_code == 302


def test_session_cookie_is_http_only(demo, client):
    resp = login(client, "officer")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
