"""The rendered-page cache of the public site (issue 10, intranet/public/cache.py):
pages are served from each worker's memory until something they can show
changes; a publish, a withdrawal, an expiry, a column or site change is
visible at the very next request, on every worker (two apps here: two worker
processes sharing one database)."""
from datetime import timedelta

from intranet.clock import set_now
from intranet.extensions import db
from intranet.items.models import PUBLISHED, Item
from intranet.public import cache as public_cache
from intranet.sites.models import Site

from ..conftest import TEST_NOW, prefix, text_of
from .conftest import as_user, column, item, kv_token, publish_new


def _get(client, url):
    resp = client.get(url)
    assert resp.status_code in (200, 404), (url, resp.status_code)
    return resp


def _cached(client, url):
    """GET twice: the second answer comes from the cache."""
    _get(client, url)
    resp = _get(client, url)
    assert resp.headers.get("X-Lanmu-Cache") == "hit", url
    return resp


def _token():
    return kv_token(public_cache.KEY)


def test_public_pages_are_served_from_the_cache_until_something_changes(demo):
    anon = demo.test_client()
    first = anon.get("/s/youth/")
    assert first.headers["X-Lanmu-Cache"] == "miss"
    again = anon.get("/s/youth/")
    assert again.headers["X-Lanmu-Cache"] == "hit" and again.data == first.data
    # security headers are on cached pages too
    assert again.headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in again.headers
    # pages for other query strings are other pages; search and the intranet are never cached
    assert anon.get("/s/youth/c/news/?page=2").headers["X-Lanmu-Cache"] == "miss"
    assert "X-Lanmu-Cache" not in anon.get("/s/youth/search?q=俱乐部").headers
    assert "X-Lanmu-Cache" not in anon.get(prefix(demo) + "/login").headers


def test_a_publication_is_visible_at_once_on_every_worker(demo, worker2):
    anon, other = demo.test_client(), worker2.test_client()
    for client in (anon, other):
        for url in ("/s/youth/", "/s/youth/c/news/", "/s/youth/c/news/rss.xml"):
            _cached(client, url)
    item_id = publish_new(demo, title="缓存之后发布的新信息")
    for client in (anon, other):
        for url in ("/s/youth/", "/s/youth/c/news/", "/s/youth/c/news/rss.xml"):
            resp = _get(client, url)
            assert resp.headers["X-Lanmu-Cache"] == "miss"
            assert "缓存之后发布的新信息" in resp.get_data(as_text=True), url
        assert _get(client, f"/s/youth/i/{item_id}.html").status_code == 200


def test_a_withdrawal_is_visible_at_once_on_every_worker(demo, worker2):
    item_id = publish_new(demo, title="即将撤回的信息")
    anon, other = demo.test_client(), worker2.test_client()
    for client in (anon, other):
        _cached(client, f"/s/youth/i/{item_id}.html")
        assert "即将撤回的信息" in _cached(client, "/s/youth/c/news/").get_data(as_text=True)
    webmaster = as_user(demo, "webmaster")
    webmaster.post(prefix(demo) + f"/review/items/{item_id}/withdraw", data={"reason": "内容有误"})
    assert item(item_id).status == "withdrawn"
    for client in (anon, other):
        assert _get(client, f"/s/youth/i/{item_id}.html").status_code == 404
        assert "即将撤回的信息" not in _get(client, "/s/youth/c/news/").get_data(as_text=True)
        assert "即将撤回的信息" not in _get(client, "/s/youth/").get_data(as_text=True)


def test_an_expiry_is_visible_at_once_without_any_transaction(demo, worker2):
    item_id = publish_new(demo, title="限时公示",
                          expires_at=(TEST_NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    anon, other = demo.test_client(), worker2.test_client()
    for client in (anon, other):
        _cached(client, f"/s/youth/i/{item_id}.html")
        assert "限时公示" in _cached(client, "/s/youth/").get_data(as_text=True)
    token = _token()
    for app in (demo, worker2):
        set_now(app, TEST_NOW + timedelta(hours=2))
    for client in (anon, other):
        assert _get(client, f"/s/youth/i/{item_id}.html").status_code == 404
        assert "限时公示" not in _get(client, "/s/youth/").get_data(as_text=True)
    assert _token() == token  # nothing was written: the clock alone took it off


def test_column_and_site_changes_are_visible_at_once(demo, worker2):
    anon, other = demo.test_client(), worker2.test_client()
    for client in (anon, other):
        _cached(client, "/s/youth/")
        _cached(client, "/s/youth/c/news/")
    col = column("news")
    col.name = "改名后的栏目"
    db.session.commit()
    for client in (anon, other):
        assert "改名后的栏目" in text_of(_get(client, "/s/youth/"))
        _cached(client, "/s/youth/")
    site = db.session.execute(db.select(Site).filter_by(code="youth")).scalar_one()
    site.name = "改名后的网站"
    db.session.commit()
    for client in (anon, other):
        assert "改名后的网站" in text_of(_get(client, "/s/youth/c/news/"))
    col = column("news")
    col.archived = True
    db.session.commit()
    for client in (anon, other):
        assert _get(client, "/s/youth/c/news/").status_code == 404


def test_published_mailbox_messages_follow_their_publication(demo, worker2):
    from plugins.mailbox.models import Message
    message = db.session.execute(db.select(Message).filter_by(is_public=True)).scalars().first()
    assert message is not None, "the demo publishes some messages"
    url = f"/s/youth/c/{message.column.slug}/"
    anon, other = demo.test_client(), worker2.test_client()
    for client in (anon, other):
        assert message.public_subject in _cached(client, url).get_data(as_text=True)
    message.is_public = False
    db.session.commit()
    for client in (anon, other):
        assert message.public_subject not in _get(client, url).get_data(as_text=True)


def test_a_rolled_back_change_and_a_draft_change_leave_the_cache_alone(demo):
    anon = demo.test_client()
    _cached(anon, "/s/youth/")
    token = _token()
    col = column("news")
    col.name = "不会保存的名字"
    db.session.flush()
    db.session.rollback()
    officer = as_user(demo, "officer")
    officer.post(prefix(demo) + f"/items/new?column={column('news').id}",
                 data={"title": "草稿", "body": "<p>草稿正文</p>", "source": "办公室", "importance": "normal",
                       "classification": ""})
    assert _token() == token
    assert anon.get("/s/youth/").headers["X-Lanmu-Cache"] == "hit"


def test_a_direct_status_change_of_an_item_invalidates_too(demo):
    item_id = publish_new(demo, title="直接改状态的信息")
    anon = demo.test_client()
    _cached(anon, f"/s/youth/i/{item_id}.html")
    it = db.session.get(Item, item_id)
    it.status = "withdrawn"
    db.session.commit()
    assert _get(anon, f"/s/youth/i/{item_id}.html").status_code == 404
    it.status = PUBLISHED
    db.session.commit()
    assert _get(anon, f"/s/youth/i/{item_id}.html").status_code == 200


def test_the_cache_can_be_switched_off(make_app):
    from intranet.demo import load_demo
    app = make_app(LANMU_PUBLIC_CACHE=False)
    with app.app_context():
        load_demo()
        anon = app.test_client()
        for _ in range(2):
            resp = anon.get("/s/youth/")
            assert resp.status_code == 200 and "X-Lanmu-Cache" not in resp.headers
