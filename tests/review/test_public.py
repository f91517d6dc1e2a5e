"""The public site (R-30, R-05, R-25): home, paginated column pages through the
column type's templates, item pages, attachments, search, RSS; only published,
unexpired, unwithdrawn items; the intranet is never linked."""
import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from intranet.extensions import db
from intranet.items.models import PUBLISHED, Item
from intranet.items.service import record_revision
from intranet.public.views import PAGE_SIZE

from ..conftest import TEST_NOW, prefix, text_of
from .conftest import as_user, column, create_item, item, publish_new, run_chain, submit, user


def _bulk_publish(slug, n, title="动态"):
    """Many published items straight into the database (pagination needs volume, not the chain)."""
    col = column(slug)
    officer = user("officer")
    for i in range(n):
        at = TEST_NOW - timedelta(hours=i + 1)
        it = Item(column_id=col.id, unit_id=col.unit_id, type=col.type, author_id=officer.id, title=f"{title}{i:03d}",
                  body="<p>正文</p>", source="办公室", status=PUBLISHED, first_published_at=at, published_at=at)
        db.session.add(it)
        db.session.flush()
        record_revision(it, officer)
    db.session.commit()


def _results(resp):
    """The text of the search results list only (the page also echoes the query)."""
    html = resp.get_data(as_text=True)
    return re.sub(r"<[^>]+>", " ", html.split('id="results"')[1].split("</ul>")[0])


def test_r30_published_item_appears_on_home_column_item_search_and_rss(demo):
    item_id = publish_new(demo, title="青少年俱乐部夏令营开营")
    anon = demo.test_client()
    slug = item(item_id).column.slug
    assert "青少年俱乐部夏令营开营" in text_of(anon.get("/s/youth/"))
    assert "青少年俱乐部夏令营开营" in text_of(anon.get(f"/s/youth/c/{slug}/"))
    page = anon.get(f"/s/youth/i/{item_id}.html")
    assert page.status_code == 200 and "全市各社区青少年俱乐部" in text_of(page)
    assert "发布时间：2026-11-23 10:00" in text_of(page)
    assert "青少年俱乐部夏令营开营" in _results(anon.get("/s/youth/search?q=夏令营"))
    assert "青少年俱乐部夏令营开营" in _results(anon.get("/s/youth/search?q=俱乐部 夏令营"))
    assert "没有找到" in _results(anon.get("/s/youth/search?q=不存在的词语"))
    rss = anon.get(f"/s/youth/c/{slug}/rss.xml")
    assert rss.mimetype == "application/rss+xml"
    channel = ET.fromstring(rss.data).find("channel")
    titles = [i.findtext("title") for i in channel.findall("item")]
    assert titles[0] == "青少年俱乐部夏令营开营"
    assert channel.find("item").findtext("link").endswith(f"/s/youth/i/{item_id}.html")


def test_r30_items_in_review_or_approved_are_not_public(demo):
    officer = as_user(demo, "officer")
    draft = create_item(officer, title="草稿不公开")
    in_review = create_item(officer, title="审核中不公开")
    submit(officer, in_review)
    anon = demo.test_client()
    for item_id in (draft, in_review):
        assert anon.get(f"/s/youth/i/{item_id}.html").status_code == 404
    for url in ("/s/youth/", "/s/youth/c/news/", "/s/youth/c/news/rss.xml"):
        assert "不公开" not in anon.get(url).get_data(as_text=True)
    assert "没有找到" in _results(anon.get("/s/youth/search?q=不公开"))


def test_r25_expired_item_is_not_public(demo):
    item_id = publish_new(demo, title="限时通知", expires_at=(TEST_NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    anon = demo.test_client()
    assert anon.get(f"/s/youth/i/{item_id}.html").status_code == 200
    from intranet.clock import set_now
    set_now(demo, TEST_NOW + timedelta(hours=2))
    assert anon.get(f"/s/youth/i/{item_id}.html").status_code == 404
    assert "没有找到" in _results(anon.get("/s/youth/search?q=限时通知"))


def test_public_column_pages_are_paginated_and_include_child_columns(demo):
    _bulk_publish("progress", PAGE_SIZE + 5)
    anon = demo.test_client()
    first = text_of(anon.get("/s/youth/c/progress/"))
    second = text_of(anon.get("/s/youth/c/progress/?page=2"))
    assert first.count("动态0") == PAGE_SIZE and "下一页" in first
    assert "动态000" in first and "动态024" in second and "下一页" not in second
    # 最新动态 is the parent of 建设进程: its page lists the children's items too.
    assert "动态000" in text_of(anon.get("/s/youth/c/news/"))


def test_public_page_column_renders_through_its_plugin_template(demo):
    anon = demo.test_client()
    page = anon.get("/s/youth/c/contact/")
    # The page type shows the newest item in full instead of a list.
    assert "0571-00000000" in text_of(page) and 'id="items"' not in page.get_data(as_text=True)


def test_public_attachment_download_only_while_published(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer, body="<p>附件为报名表，请下载填写后交至社区。</p>")
    officer.post(prefix(demo) + f"/items/{item_id}/attachments",
                 data={"file": (io.BytesIO(b"%PDF-1.4 form"), "报名表.pdf"), "caption": ""},
                 content_type="multipart/form-data")
    submit(officer, item_id)
    att_id = item(item_id).attachments[0].id
    anon = demo.test_client()
    url = f"/s/youth/i/{item_id}/files/{att_id}"
    assert anon.get(url).status_code == 404
    run_chain(demo, item_id)
    page = anon.get(f"/s/youth/i/{item_id}.html").get_data(as_text=True)
    assert url in page
    resp = anon.get(url)
    assert resp.status_code == 200 and resp.data == b"%PDF-1.4 form"
    as_user(demo, "webmaster").post(prefix(demo) + f"/review/items/{item_id}/withdraw", data={"reason": "撤回"})
    assert anon.get(url).status_code == 404


def test_r05_public_site_never_links_the_intranet(demo):
    item_id = publish_new(demo)
    anon = demo.test_client()
    admin = prefix(demo)
    for url in ("/", "/s/youth/", "/s/youth/c/news/", f"/s/youth/i/{item_id}.html", "/s/youth/search?q=俱乐部",
                "/s/youth/c/news/rss.xml", "/s/youth/c/contact/"):
        html = anon.get(url).get_data(as_text=True)
        assert admin not in html and "/login" not in html, url


def test_r05_intranet_lives_under_a_configurable_prefix(make_app, mailbox, tmp_path):
    app = make_app(LANMU_ADMIN_PREFIX="/houtai-x7", MAIL_SUPPRESS_SEND=True)
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
    c = app.test_client()
    assert c.get("/houtai-x7/review/").status_code == 302
    assert c.get("/intranet/review/").status_code == 404
    assert "/houtai-x7" not in c.get("/s/youth/").get_data(as_text=True)


def test_r30_home_lists_the_sites_newest_items_and_follows_a_column_to_another_site(demo):
    """The home page reads ix_item_site_list: item.site_id follows the column,
    also when the column moves to another site; archived columns stay off."""
    from intranet.sites.models import Site
    _bulk_publish("progress", 12, title="俱乐部动态")
    anon = demo.test_client()
    home = text_of(anon.get("/s/youth/"))
    assert "俱乐部动态000" in home and "俱乐部动态009" in home and "俱乐部动态011" not in home  # newest ten
    col = column("progress")
    assert {i.site_id for i in col.items} == {col.site_id}
    other = Site(code="kepu", name="科普网", unit_id=col.site.unit_id)
    db.session.add(other)
    db.session.flush()
    col.site_id = other.id
    db.session.commit()
    assert {i.site_id for i in db.session.execute(db.select(Item).filter_by(column_id=col.id)).scalars()} == {other.id}
    assert "俱乐部动态000" not in text_of(anon.get("/s/youth/"))
    assert "俱乐部动态000" in text_of(anon.get(f"/s/{other.code}/"))
    col.archived = True
    db.session.commit()
    assert "俱乐部动态000" not in text_of(anon.get(f"/s/{other.code}/"))
