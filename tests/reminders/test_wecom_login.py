"""R-06: staff sign in with WeCom (in-app OAuth and PC QR code) as well as a password."""
from urllib.parse import parse_qs, urlparse

import pytest

from intranet.extensions import db
from intranet.org.models import User
from tests.fakes import wecom_server  # noqa: F401

from ..conftest import prefix, text_of


@pytest.fixture
def wapp(make_app, wecom_server):  # noqa: F811
    app = make_app(**wecom_server.config())
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        wecom_server.add_users(["officer", "stranger"])
        yield app, wecom_server


def _start(client, app, agent="Mozilla/5.0"):
    resp = client.get(prefix(app) + "/login/wecom/", headers={"User-Agent": agent})
    assert resp.status_code == 302
    url = urlparse(resp.headers["Location"])
    return url, parse_qs(url.query)


def test_r06_qr_login_on_a_pc_signs_the_person_in(wapp):
    app, wecom = wapp
    client = app.test_client()
    url, query = _start(client, app)
    assert url.path.endswith("/wwlogin/sso/login") and query["login_type"] == ["CorpApp"]
    code = wecom.issue_code("officer")
    resp = client.get(prefix(app) + f"/login/wecom/callback?code={code}&state={query['state'][0]}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(prefix(app) + "/")
    assert "李信息" in text_of(client.get(prefix(app) + "/"))


def test_r06_inside_the_wecom_app_uses_oauth(wapp):
    app, wecom = wapp
    client = app.test_client()
    url, query = _start(client, app, agent="Mozilla/5.0 wxwork/4.1.0 MicroMessenger/7.0.1")
    assert "oauth2" in url.path and query["scope"] == ["snsapi_base"]
    code = wecom.issue_code("officer")
    resp = client.get(prefix(app) + f"/login/wecom/callback?code={code}&state={query['state'][0]}")
    assert resp.status_code == 302


def test_r06_code_used_twice_or_state_mismatch_is_refused(wapp):
    app, wecom = wapp
    client = app.test_client()
    _url, query = _start(client, app)
    code = wecom.issue_code("officer")
    resp = client.get(prefix(app) + f"/login/wecom/callback?code={code}&state=forged", follow_redirects=True)
    assert "已失效" in text_of(resp)
    _url, query = _start(client, app)
    client.get(prefix(app) + f"/login/wecom/callback?code={code}&state={query['state'][0]}")
    client.post(prefix(app) + "/logout")
    _url, query = _start(client, app)
    resp = client.get(prefix(app) + f"/login/wecom/callback?code={code}&state={query['state'][0]}",
                      follow_redirects=True)
    assert "无效或已过期" in text_of(resp)


def test_r06_unbound_or_disabled_wecom_user_cannot_sign_in(wapp):
    app, wecom = wapp
    client = app.test_client()
    _url, query = _start(client, app)
    resp = client.get(prefix(app) + f"/login/wecom/callback?code={wecom.issue_code('stranger')}"
                                    f"&state={query['state'][0]}", follow_redirects=True)
    assert "未绑定本系统用户" in text_of(resp)
    db.session.execute(db.select(User).filter_by(username="officer")).scalar_one().active = False
    db.session.commit()
    _url, query = _start(client, app)
    resp = client.get(prefix(app) + f"/login/wecom/callback?code={wecom.issue_code('officer')}"
                                    f"&state={query['state'][0]}", follow_redirects=True)
    assert "已停用" in text_of(resp)


def test_r06_wecom_down_gives_a_clear_message(wapp):
    app, wecom = wapp
    client = app.test_client()
    _url, query = _start(client, app)
    code = wecom.issue_code("officer")
    wecom.down("refused")
    resp = client.get(prefix(app) + f"/login/wecom/callback?code={code}&state={query['state'][0]}",
                      follow_redirects=True)
    assert "暂时无法连接企业微信" in text_of(resp)


def test_r06_without_wecom_configured_both_pages_answer_404(app, client):
    # The callback too: it must not touch WeCom (nor flash a WeCom message) when there is none.
    for path in ("/login/wecom/", "/login/wecom/callback", "/login/wecom/callback?code=x&state=y"):
        assert client.get(prefix(app) + path).status_code == 404, path
