"""Column pages at depth (issue 10): the "next page" link carries the last
item's key, so page N+1 is read right after it (keyset) and shows exactly
what ?page=N+1 shows; a page number alone still works (offset)."""
import re
from datetime import timedelta

from intranet.extensions import db
from intranet.items.models import PUBLISHED, Item
from intranet.public.views import PAGE_SIZE

from ..conftest import TEST_NOW
from .conftest import column, user


def _publish(slug, n):
    col, officer = column(slug), user("officer")
    for i in range(n):
        at = TEST_NOW - timedelta(minutes=i + 1) if i % 7 else TEST_NOW - timedelta(minutes=i)  # ties on purpose
        db.session.add(Item(column_id=col.id, unit_id=col.unit_id, type=col.type, author_id=officer.id,
                            title=f"条目{i:03d}", body="<p>正文</p>", source="办公室", status=PUBLISHED,
                            first_published_at=at, published_at=at))
    db.session.commit()


def _titles(resp):
    return re.findall(r"条目\d{3}", resp.get_data(as_text=True))


def _next(resp):
    m = re.search(r'href="(\?page=\d+[^"]*)">下一页', resp.get_data(as_text=True))
    return m and m.group(1).replace("&amp;", "&")


def test_next_links_walk_the_column_by_key_and_match_the_numbered_pages(demo):
    _publish("progress", 3 * PAGE_SIZE + 3)
    anon = demo.test_client()
    url, seen, page = "/s/youth/c/progress/", [], 1
    while url:
        resp = anon.get(url)
        assert resp.status_code == 200
        titles = _titles(resp)
        assert titles == _titles(anon.get(f"/s/youth/c/progress/?page={page}")), page
        seen += titles
        link = _next(resp)
        if link:
            assert "after=" in link
        url = link and "/s/youth/c/progress/" + link
        page += 1
    assert page - 1 == 4 and len(seen) == len(set(seen)) == 3 * PAGE_SIZE + 3


def test_a_damaged_key_falls_back_to_the_page_number(demo):
    _publish("progress", PAGE_SIZE + 5)
    anon = demo.test_client()
    by_number = _titles(anon.get("/s/youth/c/progress/?page=2"))
    assert by_number and _titles(anon.get("/s/youth/c/progress/?page=2&after=nonsense_x")) == by_number


def _expected_pages(slug):
    col = column(slug)
    items = db.session.execute(db.select(Item).filter_by(column_id=col.id, status=PUBLISHED)).scalars().all()
    ordered = [i.title for i in sorted(items, key=lambda i: (i.first_published_at, i.id), reverse=True)]
    pages = [ordered[k:k + PAGE_SIZE] for k in range(0, len(ordered), PAGE_SIZE)]
    return [[t for t in page if re.fullmatch(r"条目\d{3}", t)] for page in pages]  # as _titles sees them


def test_deep_pages_by_number_start_from_page_keys_and_follow_a_withdrawal(demo):
    from intranet.items.models import WITHDRAWN
    from intranet.public.views import DEEP_PAGE
    pages = DEEP_PAGE + 3
    _publish("progress", pages * PAGE_SIZE - 4)  # with the demo's item(s): the last page is partly full
    anon = demo.test_client()
    expected = _expected_pages("progress")
    assert len(expected) == pages
    for number in range(1, pages + 1):
        assert _titles(anon.get(f"/s/youth/c/progress/?page={number}")) == expected[number - 1], number
    assert _titles(anon.get(f"/s/youth/c/progress/?page={pages + 1}")) == []
    # Withdrawing the newest item shifts every page by one: the keys are read again.
    newest = db.session.execute(db.select(Item).filter_by(title=expected[0][0])).scalar_one()
    newest.status = WITHDRAWN
    db.session.commit()
    expected = _expected_pages("progress")
    for number in (DEEP_PAGE, pages):
        assert _titles(anon.get(f"/s/youth/c/progress/?page={number}")) == expected[number - 1], number
