"""R-95 audit trail: what is recorded, the hash chain and `audit verify`,
retention with a 60-day floor and a checkpoint, the search page and export."""
from datetime import timedelta

from intranet import audit
from intranet.audit.models import AuditEntry
from intranet.clock import set_now
from intranet.extensions import db
from intranet.security import settings

from ..conftest import TEST_NOW, login, text_of
from .helpers import P, table_text, attachment_of, new_item, unit, upload, user


def _entries(action):
    return db.session.execute(db.select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)).scalars().all()


def test_r95_sign_in_success_and_failure_are_recorded_with_address(demo, client):
    client.environ_base["REMOTE_ADDR"] = "10.20.30.40"
    login(client, "officer", "Wrong#Pass1")
    login(client, "nobody", "Wrong#Pass1")
    login(client, "officer")
    failed = _entries("login_failed")
    assert [e.ip for e in failed] == ["10.20.30.40", "10.20.30.40"]
    assert failed[0].user_id == user("officer").id and '"nobody"' in failed[1].detail
    ok = _entries("login")
    assert ok[-1].ip == "10.20.30.40" and ok[-1].user_id == user("officer").id


def test_r95_permission_role_handover_edit_caption_and_settings_are_recorded(demo, login_as):
    client = login_as("admin")
    officer, liaison = user("officer"), user("liaison")
    client.post(f"{P(demo)}/org/users/{officer.id}/roles", data={"role-unit_id": unit("sc-office").id,
                                                                  "role-role": "proofreader"})
    assert _entries("role_granted")[-1].detail.count("proofreader") == 1
    client = login_as("officer")
    item_id = new_item(client)
    client.post(f"{P(demo)}/items/{item_id}/edit", data={"title": "改过的标题", "body": "<p>新的正文内容文字</p>",
                                                         "importance": "normal", "classification": ""})
    upload(client, item_id)
    att = attachment_of(item_id)
    client.post(f"{P(demo)}/items/{item_id}/attachments/{att.id}/caption", data={"caption": "新的说明"})
    assert _entries("item_created") and _entries("item_edited") and _entries("attachment_added")
    assert "新的说明" in _entries("caption_changed")[-1].detail
    client = login_as("admin")
    client.post(f"{P(demo)}/security/settings", data={"audit_retention_days": "90", "admin_networks": ""})
    assert '"audit_retention_days"' in _entries("setting_changed")[-1].detail
    client.post(f"{P(demo)}/org/users/{liaison.id}/handover", data={"ho-successor_id": officer.id})
    assert _entries("handover")[-1].object_id == liaison.id
    assert audit.verify() is None


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_r95_audit_verify_finds_a_row_edited_in_the_database(demo, login_as):
    client = login_as("officer")
    new_item(client)
    login_as("head")
    db.session.commit()
    result = _cli(demo, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "审计日志完整" in result.output
    victim = _entries("item_created")[-1]
    with db.engine.begin() as conn:  # a direct edit, bypassing the application
        conn.execute(db.text("UPDATE audit_entry SET detail = :d WHERE id = :i"),
                     {"d": '{"title": "被篡改"}', "i": victim.id})
    db.session.expire_all()
    result = _cli(demo, "audit", "verify")
    assert result.exit_code == 1
    assert f"记录编号{victim.id}" in result.output and "被修改" in result.output


def test_r95_audit_verify_finds_a_deleted_row(demo, login_as):
    for username in ("officer", "head", "leader"):
        login_as(username)
    entries = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    victim, after = entries[2], entries[3]
    with db.engine.begin() as conn:
        conn.execute(db.text("DELETE FROM audit_entry WHERE id = :i"), {"i": victim.id})
    db.session.expire_all()
    report = audit.verify_report()
    assert report["broken_id"] == after.id and "删除" in report["reason"]
    result = _cli(demo, "audit", "verify")
    assert result.exit_code == 1 and f"记录编号{after.id}" in result.output


def test_r95_deleting_the_oldest_rows_without_a_checkpoint_is_detected(demo, login_as):
    login_as("officer")
    login_as("head")
    first = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars().first()
    with db.engine.begin() as conn:
        conn.execute(db.text("DELETE FROM audit_entry WHERE id = :i"), {"i": first.id})
    db.session.expire_all()
    assert audit.verify() is not None


def test_r95_retention_never_below_60_days_and_pruned_chain_still_verifies(demo, login_as):
    set_now(demo, TEST_NOW - timedelta(days=100))
    login_as("officer")  # old entries
    old_ids = [e.id for e in db.session.execute(db.select(AuditEntry)).scalars()]
    set_now(demo, TEST_NOW - timedelta(days=50))
    login_as("head")  # 50 days old: inside the floor
    set_now(demo, TEST_NOW)
    login_as("leader")
    db.session.commit()
    # A setting of 30 days is raised to the 60-day floor: the 50-day-old entries stay.
    assert audit.prune(days=30) == len(old_ids)
    db.session.commit()
    remaining = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert all(e.id not in old_ids for e in remaining)
    assert any(e.at == TEST_NOW - timedelta(days=50) for e in remaining)
    checkpoint = remaining[-1]
    assert checkpoint.action == "audit_pruned" and str(max(old_ids)) in checkpoint.detail
    assert audit.verify() is None
    result = _cli(demo, "audit", "verify")
    assert result.exit_code == 0, result.output
    # Deleting one more row from the start is still detected.
    with db.engine.begin() as conn:
        conn.execute(db.text("DELETE FROM audit_entry WHERE id = :i"), {"i": remaining[0].id})
    db.session.expire_all()
    assert audit.verify() == remaining[1].id


def test_r95_retention_setting_forever_by_default_and_floor_on_the_settings_page(demo, login_as):
    assert settings.audit_retention_days() is None
    set_now(demo, TEST_NOW - timedelta(days=1000))
    login_as("officer")
    set_now(demo, TEST_NOW)
    assert audit.prune() == 0  # forever: nothing pruned
    client = login_as("admin")
    resp = client.post(f"{P(demo)}/security/settings", data={"audit_retention_days": "30", "admin_networks": ""})
    assert "60天以上" in text_of(resp)
    assert settings.audit_retention_days() is None
    client.post(f"{P(demo)}/security/settings", data={"audit_retention_days": "365", "admin_networks": ""})
    assert settings.audit_retention_days() == 365
    result = _cli(demo, "audit", "prune")
    assert result.exit_code == 0 and "已清理" in result.output
    assert audit.verify() is None


def test_r95_search_by_person_unit_object_action_and_period(demo, login_as):
    client = login_as("officer")
    item_id = new_item(client, title="查找我")
    client = login_as("admin")

    def rows(query):
        return table_text(client.get(f"{P(demo)}/audit/?{query}"), "audit-entries")

    page = rows("person=officer")
    assert "新建信息" in page and "李信息" in page and "系统管理员" not in page
    assert "没有符合条件的记录" in rows("person=officer&action=login_failed")
    page = rows(f"object_type=item&object_id={item_id}")
    assert "查找我" in page and "登录成功" not in page
    assert "查找我" in rows(f"unit_id={unit('hz-office').id}&action=item_created")
    assert "查找我" not in rows(f"unit_id={unit('sc-office').id}&action=item_created")
    day = TEST_NOW.date()
    assert "查找我" in rows(f"date_from={day}&date_to={day}&action=item_created")
    assert "查找我" not in rows(f"date_to={day - timedelta(days=1)}&action=item_created")
    assert client.get(f"{P(demo)}/audit/?date_from=garbage&object_id=x&unit_id=99999999999").status_code == 200


def test_r95_search_is_for_admins_only_and_export_is_recorded(demo, login_as):
    for username in ("officer", "webmaster", "head"):
        assert login_as(username).get(f"{P(demo)}/audit/").status_code == 403
    client = login_as("siteadmin")
    assert client.get(f"{P(demo)}/audit/").status_code == 200
    resp = client.get(f"{P(demo)}/audit/export.xlsx?person=officer")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    exported = _entries("audit_exported")[-1]
    assert exported.user_id == user("siteadmin").id and '"person": "officer"' in exported.detail


def test_r95_record_outside_a_request_works(app):
    entry = audit.record("backup_created", detail={"file": "x"})
    db.session.commit()
    assert entry.ip == "" and audit.verify() is None
