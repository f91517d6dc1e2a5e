"""Units, roles and per-column permissions over HTTP (R-01..R-03), hand-over."""
from intranet.audit.models import AuditEntry
from intranet.extensions import db
from intranet.items.models import DRAFT, Item
from intranet.org import roles
from intranet.org.models import RoleAssignment, Unit, User
from intranet.sites.models import Column, ColumnGrant

from .conftest import prefix, text_of


def _one(model, **kw):
    return db.session.execute(db.select(model).filter_by(**kw)).scalar_one()


def _draft(client, app, column, title="测试信息"):
    return client.post(prefix(app) + f"/items/new?column={column.id}", data={
        "title": title, "body": "<p>正文内容足够长，说明了事情的来龙去脉。</p>", "source": "本单位",
        "importance": "normal", "classification": ""})


def test_r01_units_form_a_tree_of_any_depth(demo, login_as):
    client = login_as("admin")
    parent = _one(Unit, code="sc-hubin")
    for depth in range(4):
        resp = client.post(prefix(demo) + "/org/units/new", data={
            "name": f"第{depth}层科室", "code": f"deep-{depth}", "parent_id": parent.id, "kind": "department"})
        assert resp.status_code == 302, text_of(resp)
        parent = _one(Unit, code=f"deep-{depth}")
    assert [u.code for u in parent.ancestors()] == ["deep-2", "deep-1", "deep-0", "sc-hubin", "sc-office", "hz-office"]
    page = client.get(prefix(demo) + "/org/units")
    assert "第3层科室" in text_of(page)


def test_r01_unit_cannot_become_its_own_ancestor(demo, login_as):
    client = login_as("admin")
    city, district = _one(Unit, code="hz-office"), _one(Unit, code="sc-office")
    resp = client.post(prefix(demo) + f"/org/units/{city.id}/edit", data={
        "name": city.name, "code": city.code, "parent_id": district.id, "kind": "city"})
    assert resp.status_code == 200  # refused: the district is not a valid choice
    db.session.refresh(city)
    assert city.parent_id is None


def test_r02_one_person_holds_several_roles_in_several_units(demo, login_as):
    client = login_as("admin")
    user = _one(User, username="sc_head")
    for unit_code, role in [("sc-office", roles.SECRECY_REVIEWER), ("sc-hubin", roles.DEPT_HEAD)]:
        unit = _one(Unit, code=unit_code)
        resp = client.post(prefix(demo) + f"/org/users/{user.id}/roles",
                           data={"role-unit_id": unit.id, "role-role": role})
        assert resp.status_code == 302
    db.session.refresh(user)
    assert user.has_role(roles.DEPT_HEAD, _one(Unit, code="sc-office"))
    assert user.has_role(roles.SECRECY_REVIEWER, _one(Unit, code="sc-office"))
    assert user.has_role(roles.DEPT_HEAD, _one(Unit, code="sc-hubin"))
    assert not user.has_role(roles.DEPT_HEAD, _one(Unit, code="xh-office"))


def test_r03_officer_cannot_draft_into_another_units_column(demo, login_as):
    # 宋信息 of 西湖区 has no grant on 联系我们 (city office's column).
    column = _one(Column, slug="contact")
    client = login_as("xh_officer")
    resp = _draft(client, demo, column)
    assert resp.status_code == 403
    assert "没有向该栏目报送信息的权限" in text_of(resp)
    assert db.session.execute(db.select(Item).filter_by(column_id=column.id, status=DRAFT)).first() is None


def test_r03_officer_cannot_open_or_edit_another_units_item(demo, login_as):
    column = _one(Column, slug="contact")
    client = login_as("officer")
    assert _draft(client, demo, column, "市办草稿").status_code == 302
    item = _one(Item, title="市办草稿")
    client = login_as("xh_officer")
    assert client.get(prefix(demo) + f"/items/{item.id}").status_code == 403
    assert client.get(prefix(demo) + f"/items/{item.id}/edit").status_code == 403
    resp = client.post(prefix(demo) + f"/items/{item.id}/edit", data={"title": "篡改", "importance": "normal",
                                                                      "classification": ""})
    assert resp.status_code == 403
    db.session.refresh(item)
    assert item.title == "市办草稿"


def test_r03_explicit_grant_lets_another_unit_draft(demo, login_as):
    column = _one(Column, slug="contact")
    xh = _one(User, username="xh_officer")
    client = login_as("webmaster")
    resp = client.post(prefix(demo) + f"/sites/{column.site_id}/columns/{column.id}/grants",
                       data={"user_id": xh.id, "permission": "draft"})
    assert resp.status_code == 302
    client = login_as("xh_officer")
    assert _draft(client, demo, column, "西湖授权报送").status_code == 302
    assert _one(Item, title="西湖授权报送").author_id == xh.id


def test_r03_grants_from_the_demo_let_districts_draft_into_shared_columns(demo, login_as):
    # 建设进程 is the city office's column; district officers are granted drafting (分级负责).
    client = login_as("xh_officer")
    assert _draft(client, demo, _one(Column, slug="progress"), "西湖区推进会").status_code == 302


def test_r03_demo_grants_go_to_the_districts_drafting_roles_only(demo, login_as):
    # The district's head, proof-reader, secrecy reviewer and leader review their own district: the demo
    # grants them no drafting into the city's columns, so they can neither draft there nor open, edit or
    # submit the city officer's drafts.
    progress = _one(Column, slug="progress")
    granted = {g.user.username for g in progress.grants if g.permission == "draft"}
    assert {"sc_officer", "xh_officer"} <= granted
    assert not granted & {"sc_head", "sc_proof", "sc_secrecy", "sc_leader"}
    resp = _draft(login_as("officer"), demo, progress, "市办草稿")
    item_id = int(resp.headers["Location"].rstrip("/").split("/")[-2])
    client = login_as("sc_head")
    assert _draft(client, demo, progress, "上城区科长的稿件").status_code == 403
    for path in (f"/items/{item_id}", f"/items/{item_id}/edit", f"/review/items/{item_id}"):
        assert client.get(prefix(demo) + path).status_code == 403, path
    assert client.post(prefix(demo) + f"/review/items/{item_id}/submit").status_code == 403
    assert _one(Item, id=item_id).status == DRAFT
    # The district's officer keeps the grant (分级负责).
    assert login_as("sc_officer").get(prefix(demo) + f"/items/{item_id}/edit").status_code == 200


def test_r03_non_admin_gets_403_on_admin_pages(demo, login_as):
    client = login_as("officer")
    for path in ("/org/units", "/org/users", "/sites/", "/org/users/new"):
        assert client.get(prefix(demo) + path).status_code == 403, path


def test_r03_handover_moves_roles_grants_and_drafts_and_is_logged(demo, login_as):
    old, new = _one(User, username="xh_officer"), None
    client = login_as("xh_officer")
    assert _draft(client, demo, _one(Column, slug="progress"), "交接前草稿").status_code == 302
    client = login_as("admin")
    resp = client.post(prefix(demo) + "/org/users/new", data={
        "username": "xh_new", "name": "新信息员", "password": "Newcomer#2026", "notify_wecom": "y"})
    assert resp.status_code == 302, text_of(resp)
    new = _one(User, username="xh_new")
    grants_before = {(g.column_id, g.permission) for g in old.column_grants}
    assert grants_before
    resp = client.post(prefix(demo) + f"/org/users/{old.id}/handover", data={"ho-successor_id": new.id},
                       follow_redirects=True)
    assert "已完成工作交接" in text_of(resp)
    db.session.expire_all()
    old, new = _one(User, username="xh_officer"), _one(User, username="xh_new")
    assert not old.active and old.successor_id == new.id
    assert new.has_role(roles.OFFICER, _one(Unit, code="xh-office"))
    assert not old.memberships
    assert {(g.column_id, g.permission) for g in new.column_grants} == grants_before
    assert _one(Item, title="交接前草稿").author_id == new.id
    entry = db.session.execute(db.select(AuditEntry).filter_by(action="handover")).scalar_one()
    assert "xh_new" in entry.detail
    # The old account can no longer sign in; the successor can draft the moved item.
    client.post(prefix(demo) + "/logout")
    resp = client.post(prefix(demo) + "/login", data={"username": "xh_officer", "password": "Lanmu@2026"})
    assert "已停用" in text_of(resp)


def test_r03_district_webmaster_cannot_manage_city_units(demo, login_as):
    district = _one(Unit, code="sc-office")
    wm = _one(User, username="sc_officer")
    db.session.add(RoleAssignment(user_id=wm.id, unit_id=district.id, role=roles.WEBMASTER))
    db.session.commit()
    client = login_as("sc_officer")
    city = _one(Unit, code="hz-office")
    assert client.get(prefix(demo) + f"/org/units/{city.id}/edit").status_code == 403
    assert client.get(prefix(demo) + f"/org/units/{district.id}/edit").status_code == 200


def test_unknown_ids_give_404_not_500(demo, login_as):
    client = login_as("admin")
    for path in ("/items/999999", "/items/999999/edit", "/org/units/999999/edit", "/org/users/999999/edit",
                 "/sites/999999/columns", "/items/1/revisions/999"):
        resp = client.get(prefix(demo) + path)
        assert resp.status_code == 404, path
        assert "页面不存在" in text_of(resp)
    assert client.get("/s/nosuchsite/").status_code == 404
    assert client.get("/s/youth/i/999999.html").status_code == 404
