"""R-97 incident register: the five kinds, the 24-hour reporting deadline,
timeline, withdrawn items linked, and `incidents_due(now)` for the scheduler."""
from datetime import timedelta

from intranet.clock import set_now
from intranet.extensions import db
from intranet.security.incidents import incidents_due
from intranet.security.models import INCIDENT_KINDS, Incident

from ..conftest import TEST_NOW, text_of
from .helpers import P, new_item, site, table_text, unit, withdraw


def _register(client, app, **overrides):
    data = {"kind": "defacement", "title": "首页被篡改", "description": "首页出现非法内容，已截图保存原始记录",
            "discovered_at": (TEST_NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "site_id": site().id, "unit_id": unit("hz-office").id, **overrides}
    resp = client.post(f"{P(app)}/security/incidents/new", data=data)
    assert resp.status_code == 302, text_of(resp)[:1000]
    return db.session.get(Incident, int(resp.headers["Location"].rstrip("/").split("/")[-1]))


def test_r97_the_five_kinds():
    assert set(INCIDENT_KINDS) == {"defacement", "intrusion", "leak", "outage", "virus"}


def test_r97_registering_opens_a_24_hour_reporting_deadline(demo, login_as):
    client = login_as("webmaster")
    inc = _register(client, demo)
    assert inc.report_due_at == TEST_NOW - timedelta(hours=1) + timedelta(hours=24)
    page = client.get(f"{P(demo)}/security/incidents/{inc.id}")
    assert "须在 2026-11-24 09:00 前向政府监管部门报告" in text_of(page)
    assert "登记" in table_text(page, "timeline")


def test_r97_incidents_due_lists_unreported_incidents_near_or_past_the_deadline(demo, login_as):
    client = login_as("siteadmin")
    early = _register(client, demo, title="早", discovered_at=(TEST_NOW - timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M"))
    late = _register(client, demo, title="晚", kind="outage", discovered_at=TEST_NOW.strftime("%Y-%m-%dT%H:%M"))
    # 4 hours left on the early one (within the 6-hour warning), 24 on the late one.
    assert incidents_due(TEST_NOW) == [early]
    assert not early.overdue(TEST_NOW)
    after = TEST_NOW + timedelta(hours=25)
    assert incidents_due(after) == [early, late] and early.overdue(after) and late.overdue(after)
    assert incidents_due(TEST_NOW, warn_hours=24) == [early, late]
    # Once reported, it no longer needs a reminder.
    resp = client.post(f"{P(demo)}/security/incidents/{early.id}/report",
                       data={"r-reported_to": "市委网信办", "r-text": "电话报告并发送书面材料"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert early.status == "reported" and early.reported_to == "市委网信办"
    assert incidents_due(after) == [late]
    set_now(demo, after)
    client = login_as("siteadmin")  # a day later the old session has timed out
    page = client.get(f"{P(demo)}/security/incidents/")
    assert "已超时" in table_text(page, "incidents-due")


def test_r97_late_report_is_marked_and_timeline_records_every_action(demo, login_as):
    client = login_as("admin")
    inc = _register(client, demo, kind="intrusion", title="后台异常登录")
    client.post(f"{P(demo)}/security/incidents/{inc.id}/actions", data={"a-kind": "contained", "a-text": "已封禁来源地址"})
    set_now(demo, TEST_NOW + timedelta(hours=30))
    client = login_as("admin")
    client.post(f"{P(demo)}/security/incidents/{inc.id}/report", data={"r-reported_to": "公安网安部门"})
    client.post(f"{P(demo)}/security/incidents/{inc.id}/close", data={"c-text": "已修复漏洞"})
    db.session.expire_all()
    assert [a.kind for a in inc.actions] == ["registered", "contained", "reported", "closed"]
    assert "超过24小时时限" in inc.actions[2].text
    assert inc.status == "closed"


def test_r97_an_incident_cannot_be_closed_unreported_unless_dismissed(demo, login_as):
    client = login_as("admin")
    inc = _register(client, demo, kind="virus", title="疑似病毒告警")
    page = client.post(f"{P(demo)}/security/incidents/{inc.id}/close", data={"c-text": "处理完毕"},
                       follow_redirects=True)
    assert "须先向监管部门报告" in text_of(page)
    client.post(f"{P(demo)}/security/incidents/{inc.id}/close", data={"c-text": "杀毒软件误报", "c-dismissed": "y"})
    db.session.expire_all()
    assert inc.status == "dismissed" and incidents_due(TEST_NOW + timedelta(days=2)) == []


def test_r97_withdrawn_items_the_incident_caused_are_linked(demo, login_as):
    client = login_as("officer")
    defaced = new_item(client, title="被篡改的页面")
    other = new_item(client, title="仍是草稿")
    withdraw(defaced)
    client = login_as("webmaster")
    inc = _register(client, demo, kind="defacement")
    page = client.get(f"{P(demo)}/security/incidents/{inc.id}")
    assert "被篡改的页面" in text_of(page)
    client.post(f"{P(demo)}/security/incidents/{inc.id}/link", data={"l-item_id": defaced})
    resp = client.post(f"{P(demo)}/security/incidents/{inc.id}/link", data={"l-item_id": other}, follow_redirects=True)
    assert "只能关联已撤回的信息" in text_of(resp)
    resp = client.post(f"{P(demo)}/security/incidents/{inc.id}/link", data={"l-item_id": 999999}, follow_redirects=True)
    assert "找不到该信息" in text_of(resp)
    db.session.expire_all()
    assert [i.id for i in inc.items] == [defaced]
    assert "被篡改的页面" in table_text(client.get(f"{P(demo)}/security/incidents/{inc.id}"), "linked-items")


def test_r97_discovery_in_the_future_is_refused(demo, login_as):
    client = login_as("admin")
    resp = client.post(f"{P(demo)}/security/incidents/new", data={
        "kind": "leak", "title": "x", "discovered_at": (TEST_NOW + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "site_id": 0, "unit_id": 0})
    assert resp.status_code == 200 and "不能晚于现在" in text_of(resp)


def test_r97_only_admins_handle_incidents(demo, login_as):
    for username in ("officer", "head", "leader", "principal"):
        assert login_as(username).get(f"{P(demo)}/security/incidents/").status_code == 403
