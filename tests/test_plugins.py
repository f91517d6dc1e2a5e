"""The column-type plugin contract (ENGINEERING.md "Plugins", R-10)."""
import pytest

from intranet.columntypes import ColumnType, ColumnTypeRegistry, DuplicateColumnType, bundled_plugin_names
from intranet.extensions import db
from intranet.items.models import PUBLISHED, Item
from intranet.sites.models import Column

from .conftest import prefix, text_of


class _A(ColumnType):
    id = "same"
    label = "甲"


class _B(ColumnType):
    id = "same"
    label = "乙"


def test_r10_duplicate_type_id_fails_loudly():
    reg = ColumnTypeRegistry()
    reg.register(_A)
    with pytest.raises(DuplicateColumnType, match="same"):
        reg.register(_B)


def test_r10_duplicate_plugin_in_enable_list_fails_at_start(make_app):
    with pytest.raises(DuplicateColumnType):
        make_app(LANMU_PLUGINS=["article", "article"])


def test_r10_registries_are_per_app(make_app):
    only_article = make_app(LANMU_PLUGINS=["article"])
    everything = make_app()
    assert [t.id for t in only_article.extensions["lanmu_column_types"].all()] == ["article"]
    assert len(everything.extensions["lanmu_column_types"].all()) == len(bundled_plugin_names())


def test_r10_default_enables_every_bundled_plugin_in_fixed_order(app):
    ids = [t.id for t in app.extensions["lanmu_column_types"].all()]
    assert {"article", "page"} <= set(ids)
    assert len(ids) == len(set(ids))


def test_r10_rows_of_a_disabled_type_still_load_and_render(demo, make_app):
    page_item = db.session.execute(db.select(Item).filter_by(type="page", status=PUBLISHED)).scalars().first()
    assert page_item is not None
    item_id, site_code = page_item.id, page_item.column.site.code
    db.session.remove()
    reduced = make_app(LANMU_PLUGINS=["article"])
    with reduced.app_context():
        item = db.session.get(Item, item_id)
        from intranet.columntypes import get_type
        assert "未启用" in get_type(item.type).label
        client = reduced.test_client()
        resp = client.get(f"/s/{site_code}/i/{item_id}.html")
        assert resp.status_code == 200 and item.title in text_of(resp)
        client.post(prefix(reduced) + "/login", data={"username": "officer", "password": "Lanmu@2026"})
        assert client.get(prefix(reduced) + f"/items/{item_id}").status_code == 200


def _type_ids():
    from intranet import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    return [t.id for t in app.extensions["lanmu_column_types"].all() if t.has_items]


@pytest.mark.parametrize("type_id", _type_ids())
def test_r10_every_registered_type_passes_the_contract(demo, login_as, type_id):
    """Create a column of the type, draft an item over HTTP with its required
    fields, see the Chinese messages when they are missing, publish it and
    render it on the public site, and ask it for its deadlines."""
    from intranet.columntypes import get_type
    from intranet.org.models import Unit
    ctype = get_type(type_id)
    site_col = db.session.execute(db.select(Column).filter_by(slug="news")).scalar_one()
    unit = db.session.execute(db.select(Unit).filter_by(code="hz-office")).scalar_one()
    client = login_as("webmaster")
    rule_kind, rule_n, rule_dates = ctype.default_rule
    resp = client.post(prefix(demo) + f"/sites/{site_col.site_id}/columns/new", data={
        "name": f"契约测试{type_id}", "slug": f"contract-{type_id}", "parent_id": 0, "type": type_id,
        "unit_id": unit.id, "rule_kind": rule_kind, "rule_n": rule_n or "", "rule_dates": rule_dates,
        "staleness_class": ctype.default_staleness, "link_visible": "y", "sort_order": 0})
    assert resp.status_code == 302, text_of(resp)
    column = db.session.execute(db.select(Column).filter_by(slug=f"contract-{type_id}")).scalar_one()
    assert column.type == type_id

    client = login_as("officer")
    data = {"title": f"{ctype.label}契约测试", "body": "<p>这是一条用于检验栏目类型契约的完整信息正文。</p>",
            "source": "市推进办", "importance": "normal", "classification": ""}
    for f in ctype.extra_fields:
        data[f"extra_{f.name}"] = {"date": "2026-11-20", "datetime": "2026-11-20T09:00", "url": "https://www.hangzhou.gov.cn/",
                                   "select": (f.choices[0][0] if f.choices else "")}.get(f.kind, "演示内容")
    resp = client.post(prefix(demo) + f"/items/new?column={column.id}", data=data)
    assert resp.status_code == 302, text_of(resp)
    item = db.session.execute(db.select(Item).filter_by(column_id=column.id)).scalar_one()
    assert item.type == type_id and item.revision_no == 1
    from intranet.items.service import submission_errors
    missing = submission_errors(item)
    needs_files = {"attachments", "images"} & set(ctype.required)
    if not needs_files:
        assert missing == [], missing
    # Missing required elements give Chinese messages.
    item.title, item.body = item.title, ""
    if ctype.body_required:
        assert any("正文" in m for m in submission_errors(item))
    db.session.rollback()

    item = db.session.execute(db.select(Item).filter_by(column_id=column.id)).scalar_one()
    item.status = PUBLISHED
    from intranet.clock import now
    item.first_published_at = item.published_at = now()
    db.session.commit()
    public = demo.test_client()
    assert item.title in text_of(public.get(f"/s/youth/c/{column.slug}/"))
    assert item.title in text_of(public.get(f"/s/youth/i/{item.id}.html"))
    assert isinstance(ctype.deadlines(item), list)
