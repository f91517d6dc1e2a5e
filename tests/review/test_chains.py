"""R-31, R-32, R-33: chains per column (inherited down the tree, overridable)
and per importance; steps resolved relative to the item's unit."""
import re

from intranet.extensions import db
from intranet.review import chains
from intranet.review.models import ReviewRun

from ..conftest import prefix, text_of
from .conftest import as_user, candidates, column, create_item, decide, open_step, run_chain, submit, user


def _kinds(item_id):
    run = db.session.execute(db.select(ReviewRun).filter_by(item_id=item_id)).scalars().first()
    return [s.kind for s in run.steps]


def test_r31_default_chains_per_importance(demo):
    col = column("news")
    normal, source = chains.effective_chain(col, "normal")
    assert [s.kind for s in normal] == ["proofread", "proofread", "dept_head", "secrecy", "leader", "publish"]
    assert "默认审核流程" in source
    assert [s.kind for s in chains.effective_chain(col, "important")[0]] == \
        ["proofread", "proofread", "dept_head", "secrecy", "leader", "principal", "publish"]
    assert [s.kind for s in chains.effective_chain(col, "major")[0]] == \
        ["proofread", "proofread", "dept_head", "secrecy", "leader", "principal", "higher_office", "publish"]


def test_r31_important_item_goes_to_the_principal_leader(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer, importance="important")
    submit(officer, item_id)
    run_chain(demo, item_id, ("proof1", "proof2", "head", "secrecy", "leader"))
    assert open_step(item_id).kind == "principal" and candidates(item_id) == ["principal"]
    run_chain(demo, item_id, ("principal", "webmaster"))
    from .conftest import item
    assert item(item_id).status == "published"


def test_r31_district_major_item_goes_up_to_the_city_office(demo):
    """One chain serves every district: steps resolve in the item's own unit, its parent, the site's unit."""
    sc = as_user(demo, "sc_officer")
    item_id = create_item(sc, slug="activities", title="上城区重大活动", importance="major")
    submit(sc, item_id)
    seen = []
    while open_step(item_id) is not None:
        step = open_step(item_id)
        people = candidates(item_id)
        seen.append((step.kind, step.unit.code, people))
        decide(as_user(demo, people[0]), item_id, "approve")
    assert seen == [
        ("proofread", "sc-office", ["sc_proof"]),
        # The district has one proof-reader: the second proof-read goes to the nearest unit that has another.
        ("proofread", "sc-office", ["proof1", "proof2"]),
        ("dept_head", "sc-office", ["sc_head"]),
        ("secrecy", "sc-office", ["sc_secrecy"]),
        ("leader", "sc-office", ["sc_leader"]),
        ("principal", "sc-office", ["principal"]),
        ("higher_office", "hz-office", ["leader"]),  # the city office reviews a district's major item
        ("publish", "hz-office", ["webmaster"]),
    ]


def test_r31_city_major_item_has_no_higher_level_and_skips_it(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer, importance="major")
    submit(officer, item_id)
    run_chain(demo, item_id, ("proof1", "proof2", "head", "secrecy", "leader", "principal", "webmaster"))
    run = db.session.execute(db.select(ReviewRun).filter_by(item_id=item_id)).scalar_one()
    higher = next(s for s in run.steps if s.kind == "higher_office")
    assert higher.status == "skipped" and "无上级单位" in higher.note


def test_r31_chain_configured_on_a_column_is_inherited_and_overridable(demo):
    webmaster = as_user(demo, "webmaster")
    news = column("news")
    # 最新动态: one proof-read, the head, the leader (the secrecy review is added: the column requires it).
    resp = webmaster.post(prefix(demo) + f"/review/chains/{news.id}/normal",
                          data={"rows": 3, "kind_0": "proofread", "kind_1": "dept_head", "kind_2": "leader"},
                          follow_redirects=True)
    assert "审核流程已保存" in text_of(resp)
    progress = column("progress")  # a child of 最新动态
    specs, source = chains.effective_chain(progress, "normal")
    assert [s.kind for s in specs] == ["proofread", "dept_head", "secrecy", "leader", "publish"]
    assert "最新动态" in source and "继承" in source
    assert [s.kind for s in chains.effective_chain(progress, "important")[0]][-2] == "principal"  # still default
    # The child overrides with a named unit's leader as the last review.
    resp = webmaster.post(prefix(demo) + f"/review/chains/{progress.id}/normal",
                          data={"rows": 3, "kind_0": "dept_head", "kind_1": "leader", "unit_ref_1": "named",
                                "unit_1": column("news").unit_id, "kind_2": ""}, follow_redirects=True)
    assert "审核流程已保存" in text_of(resp)
    officer = as_user(demo, "officer")
    item_id = create_item(officer, slug="progress")
    submit(officer, item_id)
    assert _kinds(item_id) == ["dept_head", "secrecy", "leader", "publish"]
    # The chains page shows where each chain comes from.
    page = webmaster.get(prefix(demo) + "/review/chains")
    assert "本栏目设置" in text_of(page)
    # Removing the override brings back the inherited chain.
    webmaster.post(prefix(demo) + f"/review/chains/{progress.id}/normal/delete")
    assert [s.kind for s in chains.effective_chain(progress, "normal")[0]][0] == "proofread"
    assert "继承" in chains.effective_chain(progress, "normal")[1]


def test_r31_only_admins_configure_chains_and_a_chain_needs_a_review_step(demo):
    news = column("news")
    assert as_user(demo, "officer").get(prefix(demo) + f"/review/chains/{news.id}/normal").status_code == 403
    resp = as_user(demo, "webmaster").post(prefix(demo) + f"/review/chains/{news.id}/normal",
                                           data={"rows": 1, "kind_0": "publish"}, follow_redirects=True)
    assert "至少要有一个审核环节" in text_of(resp)
    assert chains.configured_chain(news, "normal") == (None, None)


def test_r31_chain_form_with_a_bad_row_count_is_refused_not_a_crash(demo):
    # The hidden row count comes back from the browser: missing, not a number or absurdly large.
    news = column("news")
    webmaster = as_user(demo, "webmaster")
    url = prefix(demo) + f"/review/chains/{news.id}/normal"
    for rows in ("", "abc", "-3"):  # no rows read
        resp = webmaster.post(url, data={"rows": rows, "kind_0": "proofread"})
        assert resp.status_code == 200 and "至少要有一个审核环节" in text_of(resp), rows
    assert chains.configured_chain(news, "normal") == (None, None)
    # A huge count reads the rows there are (at most 50), promptly.
    resp = webmaster.post(url, data={"rows": "99999999999999999999", "kind_0": "proofread"})
    assert resp.status_code == 302
    assert chains.configured_chain(news, "normal") != (None, None)


def test_r33_secrecy_review_only_where_the_column_requires_it(demo):
    col = column("history")
    col.requires_secrecy_review = False
    db.session.commit()
    assert "secrecy" not in [s.kind for s in chains.effective_chain(col, "normal")[0]]
    officer = as_user(demo, "officer")
    item_id = create_item(officer, slug="history", title="2026年大事记")
    submit(officer, item_id)
    assert "secrecy" not in _kinds(item_id)


def test_r03_hand_over_moves_open_steps_to_the_successor(demo):
    from intranet.org.handover import hand_over
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    run_chain(demo, item_id, ("proof1", "proof2"))
    assert candidates(item_id) == ["head"]
    moved = hand_over(user("head"), user("liaison"), user("admin"))
    db.session.commit()
    assert "待审核环节1个" in moved
    assert candidates(item_id) == ["liaison"]
    resp = decide(as_user(demo, "liaison"), item_id, "approve")
    assert "已记录审核意见" in text_of(resp)


def test_r31_step_without_anyone_can_be_reresolved_after_roles_are_fixed(demo, mailbox):
    from intranet.org.models import RoleAssignment
    from intranet.sites.models import ColumnGrant
    head = as_user(demo, "head")
    db.session.add(ColumnGrant(column_id=column("news").id, user_id=user("head").id, permission="draft"))
    db.session.commit()
    item_id = create_item(head, title="科长自己写的信息")
    submit(head, item_id)
    run_chain(demo, item_id, ("proof1", "proof2"))
    step = open_step(item_id)
    assert candidates(item_id) == [] and "没有符合条件的审核人" in step.note
    page = as_user(demo, "webmaster").get(prefix(demo) + f"/review/items/{item_id}")
    assert "没有符合条件的审核人" in text_of(page) and "重新确定审核人" in text_of(page)
    # The admin gives the unit a second department head, then asks again.
    db.session.add(RoleAssignment(user_id=user("liaison").id, unit_id=column("news").unit_id, role="dept_head"))
    db.session.commit()
    assert as_user(demo, "officer").post(prefix(demo) + f"/review/steps/{step.id}/reresolve").status_code == 403
    resp = as_user(demo, "webmaster").post(prefix(demo) + f"/review/steps/{step.id}/reresolve",
                                           follow_redirects=True)
    assert "已重新确定审核人：陈联络" in text_of(resp)
    assert candidates(item_id) == ["liaison"] and mailbox.links("liaison")["approve"]


def _chain_form(html):
    """What the chain page's form posts as it is shown: the hidden row count and every select's choice."""
    form = html[html.index('<form method="post">'):]
    form = form[:form.index("</form>")]
    data = dict(re.findall(r'<input type="hidden" name="(rows)" value="(\d+)"', form))
    for name, options in re.findall(r'<select[^>]*name="([a-z_0-9]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.findall(r'<option value="([^"]*)"\s*selected', options)
        assert len(chosen) <= 1, name
        data[name] = chosen[0] if chosen else ""
    return data


def _steps(col):
    chain, _ = chains.configured_chain(col, "normal")
    return [(s.kind, s.unit_ref, s.unit_id, s.role) for s in chain.steps]


def test_r31_named_unit_of_a_chain_step_round_trips_through_the_form(demo):
    """A step's 指定单位 is shown selected in its own row and posts back as the same unit id: saving
    the page unchanged keeps the chain, also once the unit is deactivated; a refused form keeps what
    was typed; a unit chosen with the unit left at its default names that unit; a malformed or
    impossible id is refused with a message."""
    from intranet.org.models import Unit
    webmaster = as_user(demo, "webmaster")
    news = column("news")  # requires secrecy review: the form shows the added step, shifting the rows
    url = prefix(demo) + f"/review/chains/{news.id}/normal"
    xh = db.session.execute(db.select(Unit).filter_by(code="xh-office")).scalar_one()
    gs = db.session.execute(db.select(Unit).filter_by(code="gs-office")).scalar_one()
    resp = webmaster.post(url, data={"rows": 3, "kind_0": "dept_head", "kind_1": "leader", "unit_ref_1": "named",
                                     "unit_1": xh.id, "kind_2": "principal", "unit_2": gs.id})
    assert resp.status_code == 302
    saved = _steps(news)
    assert saved == [("dept_head", "own", None, "dept_head"), ("leader", "named", xh.id, "leader"),
                     ("principal", "named", gs.id, "principal"), ("publish", "site", None, "webmaster")]
    page = webmaster.get(url).get_data(as_text=True)
    data = _chain_form(page)
    assert [data[f"unit_{i}"] for i in range(4)] == ["", "", str(xh.id), str(gs.id)]  # after the secrecy row
    assert webmaster.post(url, data=data).status_code == 302
    assert _steps(news) == [saved[0], ("secrecy", "own", None, "secrecy_reviewer"), *saved[1:]]
    # A deactivated unit is still shown (marked) and kept.
    xh.active = False
    db.session.commit()
    page = webmaster.get(url).get_data(as_text=True)
    assert "（已停用）" in page
    data = _chain_form(page)
    assert data["unit_2"] == str(xh.id)
    before = _steps(news)
    assert webmaster.post(url, data=data).status_code == 302
    assert _steps(news) == before
    # Refused (a bad row): the page shows the rows as typed, the named units selected.
    resp = webmaster.post(url, data={**data, "kind_0": "no-such-kind", "unit_3": str(xh.id)})
    assert resp.status_code == 200 and "第1行：环节类型无效" in text_of(resp)
    shown = _chain_form(resp.get_data(as_text=True))
    assert (shown["unit_2"], shown["unit_3"]) == (str(xh.id), str(xh.id))
    assert _steps(news) == before
    # Ids that name no unit: a message, not a crash.
    for bad in ("99999999999999999999999", "-3", "abc", "0"):
        resp = webmaster.post(url, data={"rows": 2, "kind_0": "dept_head", "kind_1": "leader",
                                         "unit_ref_1": "named", "unit_1": bad})
        assert resp.status_code == 200 and "第2行：请选择指定单位" in text_of(resp), bad
    assert _steps(news) == before
