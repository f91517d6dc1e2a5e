"""R-98 security responsibility letters: the text of 000 附件2 by default
(editable), signed yearly by each unit's head, unsigned units listed, a
successor re-signs after a hand-over."""
from datetime import timedelta

from intranet.clock import set_now
from intranet.extensions import db
from intranet.security import letters
from intranet.security.models import LetterSignature

from ..conftest import TEST_NOW, text_of
from .helpers import P, table_text, unit, user


def _sign(client, app, unit_code):
    return client.post(f"{P(app)}/security/letters/{unit(unit_code).id}/sign", data={"confirm": "y"})


def test_r98_default_text_is_regulation_000_annex_2(demo, login_as):
    client = login_as("principal")
    page = text_of(client.get(f"{P(demo)}/security/letters/{unit('hz-office').id}/sign"))
    assert "杭州市社区青少年俱乐部网站信息安全责任书" in page
    assert "应当保留有关原始记录并在24小时内向政府监管部门报告" in page
    assert "签订本责任书的负责人工作如有调整，继任者承担本责任书的责任" in page
    assert "责任单位：" + unit("hz-office").name in page


def test_r98_head_signs_with_time_person_and_address_and_unsigned_units_are_listed(demo, login_as):
    year = TEST_NOW.year
    unsigned = {r["unit"].code for r in letters.unsigned_letters(year)}
    assert {"hz-office", "sc-office", "sc-hubin"} <= unsigned
    heads = {r["unit"].code: [u.username for u in r["heads"]] for r in letters.status(year)}
    assert heads["hz-office"] == ["principal"] and heads["sc-office"] == ["sc_leader"] and heads["sc-hubin"] == []

    client = login_as("principal")
    client.environ_base["REMOTE_ADDR"] = "10.1.1.9"
    assert _sign(client, demo, "hz-office").status_code == 302
    sig = db.session.execute(db.select(LetterSignature)).scalar_one()
    assert (sig.user_id, sig.year, sig.signed_at, sig.ip) == (user("principal").id, year, TEST_NOW, "10.1.1.9")
    assert "hz-office" not in {r["unit"].code for r in letters.unsigned_letters(year)}
    # Signing twice is refused politely; the next year needs a new letter.
    resp = _sign(client, demo, "hz-office")
    assert db.session.execute(db.select(db.func.count(LetterSignature.id))).scalar() == 1
    assert "hz-office" in {r["unit"].code for r in letters.unsigned_letters(year + 1)}

    client = login_as("webmaster")
    overview = table_text(client.get(f"{P(demo)}/security/letters/"), "letter-status")
    assert "冯主任 于 2026-11-23 10:00 签署" in overview and "未设负责人" in overview and "未签署" in overview
    resp = client.get(f"{P(demo)}/security/letters/signatures/{sig.id}")
    assert "10.1.1.9" in text_of(resp)
    assert resp.status_code == 200


def test_r98_only_the_head_may_sign(demo, login_as):
    for username in ("officer", "head", "leader", "admin"):
        client = login_as(username)
        assert _sign(client, demo, "hz-office").status_code == 403
    assert letters.unsigned_letters(TEST_NOW.year)[0]["unit"].code == "hz-office"
    page = login_as("officer").get(f"{P(demo)}/security/letters/")
    assert "无需签署" in text_of(page)


def test_r98_successor_after_handover_must_sign_again(demo, login_as):
    client = login_as("sc_leader")
    _sign(client, demo, "sc-office")
    assert "sc-office" not in {r["unit"].code for r in letters.unsigned_letters()}
    client = login_as("admin")
    resp = client.post(f"{P(demo)}/org/users/{user('sc_leader').id}/handover",
                       data={"ho-successor_id": user("xh_officer").id}, follow_redirects=True)
    assert "安全责任书1份待接任人重新签署" in text_of(resp)
    old = db.session.execute(db.select(LetterSignature)).scalar_one()
    assert old.voided_at is not None and "工作交接" in old.void_reason
    rows = {r["unit"].code: r for r in letters.unsigned_letters()}
    assert [u.username for u in rows["sc-office"]["heads"]] == ["xh_officer"]
    client = login_as("xh_officer")
    assert "阅读并签署" in table_text(client.get(f"{P(demo)}/security/letters/"), "my-letters")
    _sign(client, demo, "sc-office")
    assert "sc-office" not in {r["unit"].code for r in letters.unsigned_letters()}


def test_r98_template_is_editable_and_signatures_keep_the_text_they_signed(demo, login_as):
    client = login_as("principal")
    _sign(client, demo, "hz-office")
    first = db.session.execute(db.select(LetterSignature)).scalar_one()
    client = login_as("siteadmin")
    client.post(f"{P(demo)}/security/letters/template", data={"title": "网站信息安全责任书（2027版）",
                                                            "body": "一、新的条款。"})
    assert letters.current_template().title == "网站信息安全责任书（2027版）"
    assert "杭州市社区青少年俱乐部网站信息安全责任书" in text_of(
        client.get(f"{P(demo)}/security/letters/signatures/{first.id}"))
    set_now(demo, TEST_NOW + timedelta(days=60))  # next year
    client = login_as("principal")
    assert "新的条款" in text_of(client.get(f"{P(demo)}/security/letters/{unit('hz-office').id}/sign"))
    assert login_as("officer").get(f"{P(demo)}/security/letters/template").status_code == 403
