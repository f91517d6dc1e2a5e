"""R-52: the background link check against a real HTTP server on 127.0.0.1
(200 / 404 / slow): never on the save path, per-link timeout, a DB link cache,
results on the item page and in the site-wide report, published items
re-checked periodically, reminders from the scheduler's sweep, and no
loopback/private address fetched unless the setting allows it."""
from datetime import timedelta

import pytest

from intranet.checks import service
from intranet.checks.linkjob import run_link_check
from intranet.checks.models import CheckedLink, ItemLink
from intranet.clock import set_now
from intranet.extensions import db
from intranet.items.models import PUBLISHED
from intranet.reminders.models import Reminder

from ..conftest import TEST_NOW, prefix, text_of
from .conftest import edit_item, new_item


@pytest.fixture
def linkapp(make_app):
    app = make_app(LANMU_LINK_CHECK_ALLOW_PRIVATE=True, LANMU_LINK_CHECK_TIMEOUT=0.5)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        db.session.commit()
        yield app


def _login(app, username):
    """One client per app; signing out first, as the app context (and with it
    Flask-Login's cached user) is shared by the requests of a test."""
    client = app.extensions.setdefault("test_client", app.test_client())
    client.post(prefix(app) + "/logout")
    resp = client.post(prefix(app) + "/login", data={"username": username, "password": "Lanmu@2026"})
    assert resp.status_code == 302
    return client


def _body(base):
    return (f'<p>会议材料见<a href="{base}/ok">通知原文</a>，报名表见<a href="{base}/missing">报名表</a>，'
            f'直播见<a href="{base}/slow">直播页面</a>。</p>')


def test_r52_links_are_checked_in_the_background_200_404_slow(linkapp, http_server):
    server, base = http_server
    client = _login(linkapp, "officer")
    before = len(server.hits)
    item = new_item(client, linkapp, "推进会通知", _body(base))
    assert len(server.hits) == before          # saving did not touch the network
    assert {l.state for l in service.check_item(item).links} == {"尚未检查"}

    result = run_link_check()
    assert result["scanned"] >= 1 and result["checked"] == 3 and result["dead"] == 2
    rows = {r.url: r for r in db.session.execute(db.select(CheckedLink)).scalars()}
    assert rows[f"{base}/ok"].ok is True and rows[f"{base}/ok"].status == 200
    assert rows[f"{base}/missing"].ok is False and rows[f"{base}/missing"].status == 404
    assert rows[f"{base}/slow"].ok is False and "超时" in rows[f"{base}/slow"].reason
    assert rows[f"{base}/ok"].checked_at == TEST_NOW

    report = service.check_item(item)
    dead = [(f.category, f.severity, f.text) for f in report.findings if f.category == "dead_link"]
    assert dead == [("dead_link", "warn", f"{base}/missing"), ("dead_link", "warn", f"{base}/slow")]
    assert any("服务器返回错误状态404" in m for m in report.warnings)
    # on the item page
    page = text_of(client.get(prefix(linkapp) + f"/items/{item.id}"))
    assert "无法访问 服务器返回错误状态404" in page and "正常" in page
    # in the site-wide report, by column and item
    admin = _login(linkapp, "admin")
    html = admin.get(prefix(linkapp) + "/checks/links?problem=dead").get_data(as_text=True)
    assert html.count("推进会通知") == 2 and "建设进程" in html
    assert f"{base}/missing" in html and f"{base}/ok" not in html
    assert 'id="count-dead">2<' in html

    # nothing is due again right away: the cache answers
    hits = len(server.hits)
    assert run_link_check() == {"scanned": 0, "checked": 0, "dead": 0}
    assert len(server.hits) == hits


def test_r52_published_items_are_rechecked_periodically_and_edits_rescanned(linkapp, http_server):
    server, base = http_server
    client = _login(linkapp, "officer")
    item = new_item(client, linkapp, "复查通知", f'<p><a href="{base}/ok?recheck">原文</a></p>')
    run_link_check()
    first = [h for h in server.hits if h[1] == "/ok?recheck"]
    assert first == [("HEAD", "/ok?recheck")]
    item.status = PUBLISHED
    db.session.commit()
    set_now(linkapp, TEST_NOW + timedelta(days=3))
    run_link_check()
    assert len([h for h in server.hits if h[1] == "/ok?recheck"]) == 1   # still fresh
    set_now(linkapp, TEST_NOW + timedelta(days=8))
    assert run_link_check()["checked"] == 1
    assert len([h for h in server.hits if h[1] == "/ok?recheck"]) == 2   # re-checked after a week
    row = db.session.execute(db.select(CheckedLink).filter_by(url=f"{base}/ok?recheck")).scalar_one()
    assert row.checked_at == TEST_NOW + timedelta(days=8)

    # an edit is a new revision: its links are scanned again, the old link is gone
    item.status = "draft"
    db.session.commit()
    edit_item(client, linkapp, item, body=f'<p><a href="{base}/missing?new">新链接</a></p>')
    result = run_link_check()
    assert result["scanned"] == 1 and result["dead"] == 1
    assert [l.url for l in db.session.execute(db.select(ItemLink).filter_by(item_id=item.id)).scalars()] == [
        f"{base}/missing?new"]


def test_r52_loopback_is_not_fetched_unless_the_setting_allows_it(make_app, http_server):
    server, base = http_server
    app = make_app(LANMU_LINK_CHECK_TIMEOUT=0.5)      # default: LANMU_LINK_CHECK_ALLOW_PRIVATE False
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        db.session.commit()
        client = _login(app, "officer")
        new_item(client, app, "内网链接", f'<p><a href="{base}/ok?ssrf">内部系统</a></p>')
        before = len(server.hits)
        assert run_link_check()["dead"] == 1
        assert len(server.hits) == before
        row = db.session.execute(db.select(CheckedLink).filter_by(url=f"{base}/ok?ssrf")).scalar_one()
        assert row.ok is False and "内网或本机地址" in row.reason


def test_r52_the_sweep_runs_the_check_and_reminds_of_problem_links(linkapp, http_server):
    from intranet.reminders.engine import run_sweep
    _server, base = http_server
    client = _login(linkapp, "officer")
    item = new_item(client, linkapp, "已发布的通知",
                    f'<p><a href="{base}/missing?sweep">报名表</a></p>'
                    '<div style="display:none"><a href="/casino.html">娱乐</a></div>')
    item.status, item.first_published_at, item.published_at = PUBLISHED, TEST_NOW, TEST_NOW
    db.session.commit()
    run_sweep(now=TEST_NOW)
    rows = db.session.execute(db.select(Reminder).filter_by(kind="item_links")).scalars().all()
    assert rows and {r.user.username for r in rows} == {"officer"}
    assert rows[0].title == "已发布信息“已发布的通知”中有1个隐藏链接（暗链）、1个链接无法访问，请尽快处理"
    assert rows[0].duty_key == f"item:{item.id}"
    # idempotent within the week
    run_sweep(now=TEST_NOW + timedelta(hours=1))
    assert db.session.execute(db.select(db.func.count()).select_from(Reminder)
                              .filter_by(kind="item_links")).scalar() == len(rows)


def test_r52_flask_checks_links_command(linkapp, http_server):
    _server, base = http_server
    client = _login(linkapp, "officer")
    new_item(client, linkapp, "命令行检查", f'<p><a href="{base}/missing?cli">报名表</a></p>')
    result = linkapp.test_cli_runner().invoke(args=["checks", "links", "--until-done"])
    assert result.exit_code == 0, result.output
    assert "检查链接1个，其中无法访问1个" in result.output
