"""R-14: the built-in demo is the column table of 000 附件1, loaded idempotently."""
from intranet.demo import data, load_demo
from intranet.extensions import db
from intranet.org import roles
from intranet.org.models import Unit, User
from intranet.sites.models import Column, Site

from .conftest import login, text_of

# Every first- and second-level column of 000 附件1, by name.
ANNEX1_FIRST_LEVEL = ["项目介绍", "通知公告", "最新动态", "历史足迹", "少先队风采", "相关下载", "活动输送预约",
                      "成长大讲堂门票领取", "暑期快乐活动券领取", "友情链接", "联系我们"]
ANNEX1_SECOND_LEVEL = {"项目介绍": ["俱乐部简介", "组织机构", "俱乐部分布", "如何加入"],
                       "最新动态": ["建设进程", "俱乐部活动", "八面来风", "媒体报道", "活动视频"]}


def test_r14_demo_creates_every_column_of_annex1(app):
    load_demo()
    site = db.session.execute(db.select(Site).filter_by(code="youth")).scalar_one()
    cols = {c.name: c for c in site.columns}
    for name in ANNEX1_FIRST_LEVEL:
        assert name in cols and cols[name].parent_id is None, name
    for parent, children in ANNEX1_SECOND_LEVEL.items():
        for name in children:
            assert cols[name].parent.name == parent, name
    # Content descriptions, cycles and responsible units come from the table.
    assert "300字以内的简介" in cols["俱乐部分布"].description
    assert cols["俱乐部简介"].rule_kind == "yearly"
    assert cols["活动输送预约"].rule_kind == "yearly_before" and cols["活动输送预约"].rule_dates == "07-01"
    assert cols["俱乐部活动"].unit.kind == "district"
    assert cols["通知公告"].unit.code == "hz-office"


def test_r14_demo_is_idempotent(app):
    first = load_demo()
    counts = [db.session.query(m).count() for m in (Unit, User, Column)]
    second = load_demo()
    assert first["columns"] == len(data.COLUMNS) and second == {"units": 0, "users": 0, "columns": 0, "items": 0,
                                                                 "messages": 0}
    assert [db.session.query(m).count() for m in (Unit, User, Column)] == counts


def test_r14_demo_has_a_user_for_every_role_who_can_sign_in(app):
    load_demo()
    held = {m.role for u in db.session.execute(db.select(User)).scalars() for m in u.memberships}
    assert held == set(roles.ALL)
    client = app.test_client()
    for username, _name, _m in data.USERS:
        resp = login(client, username, data.DEMO_PASSWORD)
        assert resp.status_code == 302, username
        client.post(app.config["LANMU_ADMIN_PREFIX"] + "/logout")


def test_r14_demo_cli_prints_the_accounts(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0
    assert data.DEMO_PASSWORD in result.output and "webmaster" in result.output
    again = app.test_cli_runner().invoke(args=["demo"])
    assert "新建单位0个" in again.output


def test_r14_public_site_shows_the_demo(app, client):
    load_demo()
    home = text_of(client.get("/s/youth/"))
    assert "杭州市社区青少年俱乐部" in home and "通知公告" in home and "全市社区青少年俱乐部建设推进会召开" in home
    assert "/intranet" not in client.get("/s/youth/").get_data(as_text=True)  # admin not linked
