"""R-35: decisions from email. Mail is captured by a real SMTP server; the
links are taken from the received messages."""
import re
from datetime import datetime

from intranet.audit.models import AuditEntry
from intranet.clock import set_now
from intranet.extensions import db
from intranet.review.models import DecisionLink, ReviewStep

from ..conftest import text_of
from .conftest import as_user, create_item, decide, edit_item, open_step, submit


def _submitted(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    return officer, item_id


def _decisions():
    return db.session.execute(db.select(db.func.count(AuditEntry.id)).filter_by(action="review_decided")).scalar()


def _refusal(resp):
    html = resp.get_data(as_text=True)
    return html.split('data-code="')[1].split('"')[0] if 'data-code="' in html else None


def test_r35_each_reviewer_gets_mail_with_signed_links(demo, mailbox):
    _officer, item_id = _submitted(demo)
    for who in ("proof1", "proof2"):
        msgs = mailbox.to(f"{who}@example.gov.cn")
        assert len(msgs) == 1
        assert "全市青少年俱乐部暑期活动启动" in msgs[0]["Subject"] and "第一次校对" in msgs[0]["Subject"]
        links = mailbox.links(who)
        assert set(links) == {"approve", "return", "reject"}
        assert all("/review/link/" in url for url in links.values())
    assert not mailbox.to("officer@example.gov.cn")  # the author is never asked
    # The token carries ids only (the payload is readable): no title, no address.
    import base64
    token = mailbox.links("proof1")["approve"].rsplit("/", 1)[1]
    payload = base64.urlsafe_b64decode(token.split(".")[0] + "==").decode()
    assert "proof1" not in payload and "暑期" not in payload


def test_r35_get_only_visit_changes_nothing(demo, mailbox):
    _officer, item_id = _submitted(demo)
    url = mailbox.links("proof1")["approve"]
    anonymous = demo.test_client()
    before = _decisions()
    for _ in range(3):  # a mail scanner fetching the link, several times
        resp = anonymous.get(url)
        assert resp.status_code == 200
        assert "确认：同意" in text_of(resp) and "仅打开本页面不会做任何操作" in text_of(resp)
        assert "全市各社区青少年俱乐部" in text_of(resp)
        html = resp.get_data(as_text=True)
        # Nothing submits the form on its own: no inline script, no auto-submit.
        assert not re.findall(r"<script(?![^>]*\bsrc=)", html) and ".submit()" not in html and "onload" not in html
    step = open_step(item_id)
    assert step.position == 1 and step.decided_by_id is None
    assert all(link.used_at is None for link in db.session.execute(db.select(DecisionLink)).scalars())
    assert _decisions() == before


def test_r35_post_from_the_page_decides_without_sign_in_and_works_once(demo, mailbox):
    _officer, item_id = _submitted(demo)
    url = mailbox.links("proof1")["approve"]
    anonymous = demo.test_client()
    resp = anonymous.post(url, data={"comment": ""})
    assert resp.status_code == 200 and "审核意见已记录" in text_of(resp)
    first = db.session.execute(db.select(ReviewStep).filter_by(item_id=item_id, position=1)).scalar_one()
    assert first.decided_by.username == "proof1" and first.via == "email" and first.decision == "approve"
    assert open_step(item_id).position == 2
    # Used: the same link again, by GET or POST, is refused and changes nothing.
    before = _decisions()
    for resp in (anonymous.get(url), anonymous.post(url, data={"comment": "再次"})):
        assert resp.status_code == 410 and _refusal(resp) == "used"
        assert "链接已使用" in text_of(resp)
    assert _decisions() == before and open_step(item_id).position == 2


def test_r35_return_link_needs_a_comment_and_goes_back_to_the_author(demo, mailbox):
    _officer, item_id = _submitted(demo)
    url = mailbox.links("proof2")["return"]
    anonymous = demo.test_client()
    resp = anonymous.post(url, data={"comment": ""})
    assert "请填写意见" in text_of(resp)
    assert open_step(item_id).position == 1
    resp = anonymous.post(url, data={"comment": "错别字：俱乐步"})
    assert "审核意见已记录" in text_of(resp)
    from .conftest import item
    assert item(item_id).status == "returned"


def test_r35_expired_link_is_refused_after_five_working_days(demo, mailbox):
    # Submitted Monday 2026-11-23: five working days later is Monday 11-30, valid to its end.
    _officer, item_id = _submitted(demo)
    url = mailbox.links("proof1")["approve"]
    anonymous = demo.test_client()
    set_now(demo, datetime(2026, 11, 30, 23, 0))
    assert anonymous.get(url).status_code == 200
    set_now(demo, datetime(2026, 12, 1, 0, 1))
    resp = anonymous.get(url)
    assert resp.status_code == 410 and _refusal(resp) == "expired" and "链接已过期" in text_of(resp)
    resp = anonymous.post(url, data={"comment": ""})
    assert _refusal(resp) == "expired"
    assert open_step(item_id).decided_by_id is None


def test_r35_expiry_counts_working_days_over_national_day(demo, mailbox):
    # Tuesday 2026-09-29: 09-30 (1), holiday 10-01..10-07, 10-08 (2), 10-09 (3), Sat 10-10 worked (4), 10-12 (5).
    set_now(demo, datetime(2026, 9, 29, 9, 0))
    _officer, item_id = _submitted(demo)
    url = mailbox.links("proof1")["approve"]
    link = db.session.execute(db.select(DecisionLink).filter_by(action="approve")).scalars().first()
    assert link.expires_at == datetime(2026, 10, 12, 23, 59, 59)
    anonymous = demo.test_client()
    set_now(demo, datetime(2026, 10, 12, 20, 0))
    assert anonymous.get(url).status_code == 200
    set_now(demo, datetime(2026, 10, 13, 8, 0))
    assert _refusal(anonymous.get(url)) == "expired"


def test_r35_stale_link_after_the_item_changed(demo, mailbox):
    officer, item_id = _submitted(demo)
    url = mailbox.links("proof1")["approve"]
    edit_item(officer, item_id, title="全市青少年俱乐部暑期活动启动（更正）")
    anonymous = demo.test_client()
    for resp in (anonymous.get(url), anonymous.post(url, data={"comment": ""})):
        assert resp.status_code == 409 and _refusal(resp) == "stale" and "稿件已修改" in text_of(resp)
    step = open_step(item_id)
    assert step.position == 1 and step.decided_by_id is None
    # The restarted chain sent fresh links, and they work.
    fresh = mailbox.links("proof1")["approve"]
    assert fresh != url
    assert "审核意见已记录" in text_of(anonymous.post(fresh, data={"comment": ""}))


def test_r35_link_for_a_step_already_decided(demo, mailbox):
    _officer, item_id = _submitted(demo)
    url = mailbox.links("proof1")["approve"]
    decide(as_user(demo, "proof2"), item_id, "approve")  # the other proof-reader took the step
    anonymous = demo.test_client()
    for resp in (anonymous.get(url), anonymous.post(url, data={"comment": ""})):
        assert resp.status_code == 409 and _refusal(resp) == "decided"
        assert "该环节已处理" in text_of(resp) and "吴校对" in text_of(resp)
    first = db.session.execute(db.select(ReviewStep).filter_by(item_id=item_id, position=1)).scalar_one()
    assert first.decided_by.username == "proof2"


def test_r35_someone_elses_link_is_refused(demo, mailbox):
    _officer, item_id = _submitted(demo)
    url = mailbox.links("proof1")["approve"]
    proof2 = as_user(demo, "proof2")  # signed in as another reviewer
    for resp in (proof2.get(url), proof2.post(url, data={"comment": ""})):
        assert resp.status_code == 403 and _refusal(resp) == "foreign"
        assert "不是您的审核链接" in text_of(resp)
    officer = as_user(demo, "officer")  # the author cannot use a reviewer's link either
    assert _refusal(officer.post(url, data={"comment": ""})) == "foreign"
    assert open_step(item_id).decided_by_id is None


def test_r35_link_of_a_person_who_handed_over_is_refused(demo, mailbox):
    from intranet.org.handover import hand_over
    from .conftest import user
    _officer, item_id = _submitted(demo)
    url = mailbox.links("proof1")["approve"]
    # proof1 leaves; the liaison takes over their duties, including the open step.
    hand_over(user("proof1"), user("liaison"), user("admin"))
    db.session.commit()
    from intranet.outbox.service import dispatch_once
    dispatch_once()  # outside a request the outbox dispatcher delivers the new step mail
    assert "liaison" in [c.user.username for c in open_step(item_id).candidates]
    resp = demo.test_client().get(url)
    assert resp.status_code == 403 and _refusal(resp) == "foreign"
    assert mailbox.links("liaison")["approve"]


def test_r35_tampered_or_unknown_token_is_refused(demo, mailbox):
    _officer, item_id = _submitted(demo)
    url = mailbox.links("proof1")["approve"]
    anonymous = demo.test_client()
    for bad in (url[:-3] + "abc", url.rsplit("/", 1)[0] + "/not-a-token"):
        resp = anonymous.post(bad, data={"comment": ""})
        assert resp.status_code == 400 and _refusal(resp) == "invalid" and "链接无效" in text_of(resp)
    assert open_step(item_id).decided_by_id is None
