"""Type-specific behaviour of notice, download, video, gallery and links beyond
the contract test (R-10, R-20, R-25, R-52), and the demo's examples (R-14)."""
import io
from datetime import date, datetime
from types import SimpleNamespace

import openpyxl
import pytest

from intranet.columntypes import get_type
from intranet.extensions import db
from intranet.items.models import PUBLISHED, Item
from intranet.items.storage import path_of
from intranet.sites.models import Column
from plugins.links import check_links, dead_links
from plugins.links.models import LinkCheck

from ..conftest import TEST_NOW, prefix, text_of
from .helpers import column, make_column, site, user


def _item(col, title, extra=None, status=PUBLISHED, body="<p>正文内容正文内容正文内容。</p>"):
    item = Item(column_id=col.id, unit_id=col.unit_id, type=col.type, author_id=user("officer").id, title=title,
                body=body, source="市办", status=status, first_published_at=TEST_NOW if status == PUBLISHED else None,
                published_at=TEST_NOW if status == PUBLISHED else None)
    item.extra = extra or {}
    db.session.add(item)
    db.session.commit()
    return item


# -- notice: validity period (R-25) ---------------------------------------------

def test_r25_notice_validity_period_shown_and_expired_marked(demo, client):
    col = make_column("notice-t", "notice")
    valid = _item(col, "有效的通知", {"valid_from": "2026-11-01", "valid_until": "2026-12-31"})
    expired = _item(col, "过期的通知", {"valid_until": "2026-11-01"})
    pending = _item(col, "未生效的通知", {"valid_from": "2026-12-01"})
    ctype = get_type("notice")
    assert [ctype.validity(i)[0] for i in (valid, expired, pending)] == ["valid", "expired", "pending"]
    listing = client.get("/s/youth/c/notice-t/").get_data(as_text=True)
    assert listing.count(">已失效</span>") == 1 and listing.count(">未生效</span>") == 1
    assert "（已失效）" in text_of(client.get(f"/s/youth/i/{expired.id}.html"))
    [duty] = ctype.deadlines(expired)
    assert duty.kind == "notice_expiry" and duty.due_at == datetime(2026, 11, 1, 23, 59, 59)
    assert ctype.metrics(col) == {"published": 3, "expired_notices": 1}


def test_r20_notice_period_must_not_end_before_it_starts(demo):
    col = make_column("notice-bad", "notice")
    item = _item(col, "期限颠倒", {"valid_from": "2026-12-01", "valid_until": "2026-11-01"}, status="draft")
    assert "有效期至不能早于生效日期" in get_type("notice").validate(item, [])


# -- video, links: only http(s) addresses ---------------------------------------

@pytest.mark.parametrize("type_id, field, message", [
    ("video", "video_url", "视频地址须以 http:// 或 https:// 开头"),
    ("links", "url", "链接地址须以 http:// 或 https:// 开头"),
])
def test_r54_media_and_link_addresses_must_be_http(demo, client, type_id, field, message):
    col = make_column(f"{type_id}-bad", type_id)
    item = _item(col, "危险链接", {field: "javascript:alert(1)", "video_caption": "说明"}, status="draft")
    assert message in get_type(type_id).validate(item, [])
    # Even if such an item got published, the public page never links it.
    item.status, item.first_published_at = PUBLISHED, TEST_NOW
    db.session.commit()
    for page in (client.get(f"/s/youth/c/{col.slug}/"), client.get(f"/s/youth/i/{item.id}.html")):
        assert page.status_code == 200 and "javascript:" not in page.get_data(as_text=True)


def test_r10_video_file_plays_inline_and_platform_page_is_linked(demo, client):
    col = make_column("video-t", "video")
    inline = _item(col, "可直接播放", {"video_url": "https://v.example.cn/a.mp4", "video_caption": "会议视频"})
    platform = _item(col, "视频平台", {"video_url": "https://v.example.cn/play?id=1", "video_caption": "活动视频"})
    assert '<video class="w-100" controls' in client.get(f"/s/youth/i/{inline.id}.html").get_data(as_text=True)
    page = client.get(f"/s/youth/i/{platform.id}.html").get_data(as_text=True)
    assert "<video" not in page and 'href="https://v.example.cn/play?id=1"' in page


def test_r20_gallery_image_without_caption_blocks_submission(demo, login_as):
    from .helpers import new_item_over_http, upload, png_bytes
    col = make_column("gallery-t", "gallery")
    client = login_as("officer")
    item = new_item_over_http(client, demo, col, {"title": "无说明的图片", "source": "市办"})
    resp = upload(client, demo, item, "a.png", png_bytes(), caption="")
    db.session.refresh(item)
    assert item.images == []  # the upload itself refuses an image without a caption
    assert "请上传图片" in get_type("gallery").validate(item, list(item.attachments))


# -- links: the reachability hook (R-52) ------------------------------------------

def test_r52_links_check_hook_records_outcomes_and_dead_links(demo, login_as):
    col = make_column("links-t", "links")
    good = _item(col, "正常网站", {"url": "https://good.example.cn/"})
    bad = _item(col, "失效网站", {"url": "https://dead.example.cn/"})
    twin = _item(col, "同一网址", {"url": "https://dead.example.cn/"})
    draft = _item(col, "草稿网址", {"url": "https://draft.example.cn/"}, status="draft")
    calls = []

    def checker(urls):
        calls.append(list(urls))
        return {"https://good.example.cn/": True,
                "https://dead.example.cn/": SimpleNamespace(ok=False, status=None, reason="域名无法解析")}

    failed = check_links(checker, column_ids=[col.id])
    db.session.commit()
    assert calls == [["https://dead.example.cn/", "https://good.example.cn/"]]  # each URL once, drafts left out
    assert {r.item_id for r in failed} == {bad.id, twin.id}
    assert {r.item_id for r in dead_links([col.id])} == {bad.id, twin.id}
    assert db.session.execute(db.select(LinkCheck).filter_by(item_id=draft.id)).scalar() is None
    check_links(checker, column_ids=[col.id])
    db.session.commit()
    row = db.session.execute(db.select(LinkCheck).filter_by(item_id=bad.id)).scalar_one()
    assert (row.ok, row.failures, row.reason) == (False, 2, "域名无法解析")
    assert get_type("links").metrics(col) == {"links": 3, "dead_links": 2}
    page = login_as("officer").get(prefix(demo) + f"/items/{bad.id}")
    assert "无法访问（域名无法解析），已连续2次" in text_of(page)

    # Back up: the count resets; a URL the checker did not answer stays as it was.
    check_links(lambda urls: {"https://dead.example.cn/": SimpleNamespace(ok=True)}, column_ids=[col.id])
    db.session.commit()
    db.session.refresh(row)
    assert (row.ok, row.failures) == (True, 0)
    assert db.session.execute(db.select(LinkCheck).filter_by(item_id=good.id)).scalar_one().ok is True
    assert dead_links([col.id]) == []


# -- the demo's examples of each type (R-14) -------------------------------------

def test_r14_demo_has_a_column_with_content_for_every_type(demo, client):
    from intranet.columntypes import registry
    from plugins.mailbox.models import Message
    columns = db.session.execute(db.select(Column).filter_by(site_id=site().id)).scalars().all()
    for ctype in registry().all():
        cols = [c for c in columns if c.type == ctype.id]
        assert cols, f"no demo column of type {ctype.id}"
        if ctype.has_items:
            published = db.session.execute(db.select(db.func.count(Item.id)).filter(
                Item.column_id.in_([c.id for c in cols]), Item.status == PUBLISHED)).scalar()
            assert published, f"no published demo item of type {ctype.id}"
        else:
            assert db.session.execute(db.select(Message.id).filter(
                Message.column_id.in_([c.id for c in cols]))).first()
        for c in cols:
            assert client.get(f"/s/youth/c/{c.slug}/").status_code == 200


def test_r60_demo_documents_on_real_dates_one_on_time_one_late(demo, login_as):
    docs = column("documents")
    assert docs.type == "document" and docs.parent.slug == "notices"
    items = {i.title: i for i in db.session.execute(db.select(Item).filter_by(column_id=docs.id)).scalars()}
    ctype = get_type("document")
    on_time = ctype.deadline(items["关于印发《杭州市社区青少年俱乐部管理办法》的通知"])
    late = ctype.deadline(items["关于做好2026年冬季社区青少年俱乐部安全工作的通知"])
    assert (on_time.issue_date, on_time.due_date, on_time.late) == (date(2026, 9, 29), date(2026, 10, 8), False)
    assert (late.issue_date, late.due_date, late.late) == (date(2026, 10, 30), date(2026, 11, 3), True)


def test_r14_demo_downloads_are_the_forms_of_000_annex_1(demo, client):
    downloads = column("downloads")
    items = db.session.execute(db.select(Item).filter_by(column_id=downloads.id)).scalars().all()
    assert {i.title for i in items} == {"青少年假日活动输送预约单", "暑期快乐活动券领取单", "成长大讲堂团体预约单"}
    for item in items:
        [form] = item.files
        book = openpyxl.load_workbook(io.BytesIO(path_of(form).read_bytes()))
        assert book.active["A1"].value == item.title
        assert get_type("download").validate(item, list(item.attachments)) == []
    listing = text_of(client.get("/s/youth/c/downloads/"))
    assert "暑期快乐活动券领取单.xlsx" in listing and "凭此单" in listing


def test_r14_demo_loads_twice_without_duplicates(demo):
    from intranet.demo import load_demo
    assert load_demo() == {"units": 0, "users": 0, "columns": 0, "items": 0, "messages": 0}


def test_r10_parent_columns_link_their_children(demo, client):
    consult = client.get("/s/youth/c/consult/").get_data(as_text=True)
    assert 'href="/s/youth/c/faq/"' in consult
    notices = client.get("/s/youth/c/notices/").get_data(as_text=True)
    assert 'href="/s/youth/c/documents/"' in notices
    # The parent lists its children's items too (the public site's rule).
    assert "关于印发《杭州市社区青少年俱乐部管理办法》的通知" in notices
