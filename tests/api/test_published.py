"""The published feed: what the public site shows, in order of the latest
publication, keyset-paginated, with `since` for incremental pulls."""
from datetime import timedelta

from intranet.extensions import db
from intranet.items.models import PUBLISHED, WITHDRAWN, Item

from ..conftest import TEST_NOW
from .conftest import ApiClient, body, column, make_token, user


def _published(title, minutes_ago, slug="news"):
    col = column(slug)
    at = TEST_NOW - timedelta(minutes=minutes_ago)
    item = Item(column_id=col.id, unit_id=col.unit_id, type=col.type, author_id=user("officer").id, title=title,
                body="<p>正文</p>", status=PUBLISHED, first_published_at=at, published_at=at, created_at=at,
                updated_at=at)
    db.session.add(item)
    db.session.commit()
    return item


def _pull(api, **query):
    """Every page of the feed, following `next`."""
    rows, cursor, pages = [], None, 0
    while True:
        params = dict(query, **({"cursor": cursor} if cursor else {}))
        resp = api.get("/published", query_string=params)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        page = body(resp)
        assert len(page["data"]) <= int(query.get("limit", 20))
        rows += page["data"]
        pages += 1
        cursor = page["next"]
        if not cursor:
            return rows, pages
        assert pages < 100, "the cursor does not advance"


def test_feed_pages_by_publication_time_without_gaps_or_repeats(demo):
    api = ApiClient(demo, make_token("officer", scope="read"))
    baseline, _ = _pull(api, limit=100)
    ours = [_published(f"动态{i}", minutes_ago=60 - i) for i in range(7)]
    # two items published in the same second: the id breaks the tie
    twin = _published("同一时刻发布", minutes_ago=55)
    rows, pages = _pull(api, limit=3)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == len(baseline) + 8
    times = [(r["published_at"], r["id"]) for r in rows]
    assert times == sorted(times)
    assert pages >= 3
    assert ids.index(twin.id) > ids.index(ours[5].id)  # same time as 动态5, larger id
    # the withdrawn one disappears
    ours[0].status = WITHDRAWN
    db.session.commit()
    assert ours[0].id not in [r["id"] for r in _pull(api, limit=50)[0]]


def test_since_returns_only_what_was_published_after(demo):
    api = ApiClient(demo, make_token("officer", scope="read"))
    _published("较早", minutes_ago=120)
    rows, _ = _pull(api, limit=100)
    high_water = rows[-1]["published_at"]
    assert _pull(api, since=high_water)[0] == []
    fresh = [_published("新发布一", minutes_ago=10), _published("新发布二", minutes_ago=5)]
    new_rows, _ = _pull(api, since=high_water, limit=1)
    assert [r["id"] for r in new_rows] == [i.id for i in fresh]
    # a republished item comes again, with its new time
    old = db.session.execute(db.select(Item).filter_by(title="较早")).scalar_one()
    old.published_at = TEST_NOW - timedelta(minutes=1)
    db.session.commit()
    again, _ = _pull(api, since=new_rows[-1]["published_at"])
    assert [r["id"] for r in again] == [old.id]
    assert again[0]["first_published_at"] < again[0]["published_at"]
    # since as a local time without an offset means the same instant
    local = (TEST_NOW - timedelta(minutes=2)).isoformat()
    assert [r["id"] for r in _pull(api, since=local)[0]] == [old.id]


def test_feed_filters_and_bad_cursors(demo):
    api = ApiClient(demo, make_token("officer", scope="read"))
    news = _published("要闻", minutes_ago=3)
    col_rows, _ = _pull(api, column_id=column("news").id)
    assert news.id in [r["id"] for r in col_rows]
    assert all(r["column"]["id"] == column("news").id for r in col_rows)
    one = body(api.get(f"/published/{news.id}"))
    assert one["title"] == "要闻" and one["url"].endswith(f"/i/{news.id}.html")
    for bad in ("nonsense", "W10=", "WyJ4IiwgMV0", "eyJhIjoxfQ"):
        resp = api.get("/published", query_string={"cursor": bad})
        assert resp.status_code == 422 and "cursor" in body(resp)["fields"], bad
    assert body(api.get("/published?since=yesterday"))["fields"].keys() == {"since"}
    assert api.get("/published/999999").status_code == 404
