"""R-35 for the reply's review (R-71): a reviewer decides a drafted reply from
the e-mail. The mail goes through the outbox to a real SMTP server
(tests/fakes/smtp_server.py); the links are read from the received mail and
followed with the test client. A GET only shows the question and the reply;
the POST from that page decides through the staff page's decision function
(review.decide_reply), so four-eyes, one person one step and publication after
the last step hold; stale, used, expired, foreign and decided links are
refused with their own page and change nothing."""
import base64
import json
import re
from datetime import datetime

import pytest
from flask import g

from intranet.audit.models import AuditEntry
from intranet.clock import set_now
from intranet.extensions import db
from plugins.mailbox import links as reply_links
from plugins.mailbox.models import ANSWERED, ASSIGNED, IN_REVIEW, Message, Reply, ReplyCandidate, ReplyLink
from tests.fakes.smtp_server import smtp_server  # noqa: F401 - fixture

from ..conftest import login, prefix, text_of
from .helpers import column, user
from .test_mailbox import SAMPLE, approve_over_http, assign_over_http, reply_over_http, write_over_http

REPLY = "您好！暑期快乐活动券7月1日起在各区办领取，请携带户口簿。"
LABELS = (("同意", "approve"), ("退回修改", "return"), ("不予采用", "reject"))


@pytest.fixture
def app(make_app, smtp_server):  # noqa: F811
    """This module's app sends its mail to the real SMTP server."""
    app = make_app(**smtp_server.config(MAIL_TIMEOUT=5))

    @app.before_request
    def _forget_cached_user():
        g.pop("_login_user", None)

    with app.app_context():
        yield app


@pytest.fixture
def in_review(demo, login_as):
    """A message of the consult column handled by 上城区, its reply drafted by
    sc_officer and waiting for 上城区's 科室负责人 (then 局领导, 市办's leader)."""
    write_over_http(demo.test_client(), column("consult"), SAMPLE)
    m = db.session.execute(db.select(Message).filter_by(subject=SAMPLE["subject"])).scalar_one()
    assign_over_http(login_as("officer"), demo, m, "sc-office")
    reply_over_http(login_as("sc_officer"), demo, m, REPLY)
    login_as("admin")  # the shared client no longer signed in as the author
    return m


def mails(smtp, username):  # noqa: F811
    return [m for m in smtp.received_by(f"{username}@example.gov.cn") if "【待审核答复】" in m.subject]


def links_of(smtp, username):  # noqa: F811
    """{action: url} from the newest reply decision mail to this demo user."""
    found = mails(smtp, username)
    assert found, f"no reply decision mail for {username}"
    text = found[-1].text
    out = {}
    for label, action in LABELS:
        match = re.search(rf"^{label}：(\S+)", text, re.M)
        assert match, (label, text)
        out[action] = match.group(1)
    return out


def fresh(message):
    db.session.expire_all()
    return db.session.get(Message, message.id)


def steps(message):
    return [(s.status, s.decided_by.username if s.decided_by else None) for s in fresh(message).replies[-1].steps]


def decisions():
    return db.session.execute(db.select(db.func.count(AuditEntry.id))
                              .filter_by(action="mailbox_reply_decided")).scalar()


def refusal(resp):
    html = resp.get_data(as_text=True)
    return html.split('data-code="')[1].split('"')[0] if 'data-code="' in html else None


def signed_in(app, username):
    c = app.test_client()
    assert login(c, username).status_code == 302
    return c


def test_r35_r71_reply_reviewer_gets_mail_with_signed_links(in_review, smtp_server):  # noqa: F811
    (mail,) = mails(smtp_server, "sc_head")
    assert in_review.subject in mail.subject and "科室负责人审核" in mail.subject
    assert REPLY in mail.text and "仅打开链接不会做任何操作" in mail.text
    urls = links_of(smtp_server, "sc_head")
    assert all("/mailbox/link/" in url for url in urls.values()) and len(set(urls.values())) == 3
    html = mail.html
    assert all(f'href="{url}"' in html for url in urls.values())
    # The token carries ids only (its payload is readable): no name, no text.
    payload = base64.urlsafe_b64decode(urls["approve"].rsplit("/", 1)[1].split(".")[0] + "==").decode()
    assert "sc_head" not in payload and "户口簿" not in payload
    # Bound to the person, the step and the reply's text; the author and the next step's leader get none.
    rows = db.session.execute(db.select(ReplyLink)).scalars().all()
    step = fresh(in_review).replies[-1].steps[0]
    assert {(r.user.username, r.step_id, r.action) for r in rows} == \
        {("sc_head", step.id, a) for a in ("approve", "return", "reject")}
    assert all(r.text_sha256 == reply_links.text_sha256(REPLY) for r in rows)
    assert all(r.expires_at == datetime(2026, 11, 30, 23, 59, 59) for r in rows)  # 5 working days from Monday
    assert not mails(smtp_server, "sc_officer") and not mails(smtp_server, "leader")


def test_r35_r71_get_never_decides(in_review, demo, smtp_server):  # noqa: F811
    url = links_of(smtp_server, "sc_head")["approve"]
    anonymous = demo.test_client()
    before = decisions()
    for _ in range(3):  # a mail scanner fetching the link, several times
        resp = anonymous.get(url)
        assert resp.status_code == 200
        page = text_of(resp)
        assert "确认：同意" in page and "仅打开本页面不会做任何操作" in page
        assert SAMPLE["text"] in page and REPLY in page and "科室负责人审核" in page
        html = resp.get_data(as_text=True)
        assert not re.findall(r"<script(?![^>]*\bsrc=)", html) and ".submit()" not in html
    assert steps(in_review) == [("open", None), ("pending", None)]
    assert all(r.used_at is None for r in db.session.execute(db.select(ReplyLink)).scalars())
    assert decisions() == before


def test_r71_approve_by_link_through_both_steps_publishes_the_reply(in_review, demo, smtp_server):  # noqa: F811
    anonymous = demo.test_client()
    url = links_of(smtp_server, "sc_head")["approve"]
    resp = anonymous.post(url, data={"comment": "同意，请局领导审定"})
    assert resp.status_code == 200 and "审核意见已记录" in text_of(resp) and "答复已提交局领导审核" in text_of(resp)
    assert steps(in_review) == [("approved", "sc_head"), ("open", None)]
    assert fresh(in_review).status == IN_REVIEW and not fresh(in_review).is_public
    # Used: the same link again, by GET or POST, is refused and changes nothing.
    before = decisions()
    for again in (anonymous.get(url), anonymous.post(url, data={"comment": "再次"})):
        assert again.status_code == 410 and refusal(again) == "used" and "链接已使用" in text_of(again)
    assert decisions() == before
    # The next step's reviewer got their own mail; their approval gives and publishes the reply.
    resp = anonymous.post(links_of(smtp_server, "leader")["approve"], data={"comment": ""})
    assert "审核意见已记录" in text_of(resp) and "已公开" in text_of(resp)
    m = fresh(in_review)
    assert m.status == ANSWERED and m.is_public and m.replies[-1].status == Reply.APPROVED
    assert steps(in_review) == [("approved", "sc_head"), ("approved", "leader")]
    entries = db.session.execute(db.select(AuditEntry).filter_by(action="mailbox_reply_decided")
                                 .order_by(AuditEntry.id)).scalars().all()
    assert [(e.user_id, json.loads(e.detail)["via"]) for e in entries] == \
        [(user("sc_head").id, "email"), (user("leader").id, "email")]
    assert db.session.execute(db.select(AuditEntry).filter_by(action="mailbox_reply_approved")).scalar()


def test_r71_return_by_link_needs_a_comment_and_goes_back_to_the_author(in_review, demo, smtp_server):  # noqa: F811
    url = links_of(smtp_server, "sc_head")["return"]
    anonymous = demo.test_client()
    assert "请填写意见后再提交" in text_of(anonymous.post(url, data={"comment": ""}))
    assert steps(in_review)[0] == ("open", None)
    resp = anonymous.post(url, data={"comment": "请补充领取地点"})
    assert "审核意见已记录" in text_of(resp) and "退回起草人修改" in text_of(resp)
    m = fresh(in_review)
    assert m.status == ASSIGNED and m.replies[-1].status == Reply.RETURNED
    assert steps(in_review) == [("returned", "sc_head"), ("cancelled", None)]
    assert any("答复被退回修改" in mail.subject for mail in smtp_server.received_by("sc_officer@example.gov.cn"))


def test_r35_r71_link_for_a_reply_changed_since_is_stale(in_review, demo, login_as, smtp_server):  # noqa: F811
    old = links_of(smtp_server, "sc_head")
    assert "已退回修改" in text_of(approve_over_http(login_as("sc_head"), demo, in_review, "return", "请补充地点"))
    reply_over_http(login_as("sc_officer"), demo, in_review, REPLY + "地点：各区青少年宫。")
    anonymous = demo.test_client()
    before = decisions()
    for resp in (anonymous.get(old["approve"]), anonymous.post(old["approve"], data={"comment": ""})):
        assert resp.status_code == 409 and refusal(resp) == "stale" and "答复已修改" in text_of(resp)
    assert decisions() == before and steps(in_review) == [("open", None), ("pending", None)]
    # The new reply's mail has fresh links, and they work.
    fresh_url = links_of(smtp_server, "sc_head")["approve"]
    assert fresh_url != old["approve"]
    assert "审核意见已记录" in text_of(anonymous.post(fresh_url, data={"comment": ""}))
    assert steps(in_review)[0] == ("approved", "sc_head")


def test_r35_r71_link_is_bound_to_the_reply_text(in_review, demo, smtp_server):  # noqa: F811
    url = links_of(smtp_server, "sc_head")["approve"]
    reply = fresh(in_review).replies[-1]
    reply.text = REPLY + "（改）"  # the text it was sent for is no longer the text to approve
    db.session.commit()
    resp = demo.test_client().post(url, data={"comment": ""})
    assert resp.status_code == 409 and refusal(resp) == "stale"
    assert steps(in_review)[0] == ("open", None)


def test_r35_r71_link_for_a_step_already_decided(in_review, demo, login_as, smtp_server):  # noqa: F811
    url = links_of(smtp_server, "sc_head")["reject"]
    assert "已同意" in text_of(approve_over_http(login_as("sc_head"), demo, in_review))  # decided on the web
    anonymous = demo.test_client()
    for resp in (anonymous.get(url), anonymous.post(url, data={"comment": "不予采用"})):
        assert resp.status_code == 409 and refusal(resp) == "decided"
        assert "该环节已处理" in text_of(resp) and "科室负责人审核" in text_of(resp)
    assert steps(in_review) == [("approved", "sc_head"), ("open", None)]


def test_r35_r71_expired_link_is_refused_after_five_working_days(in_review, demo, smtp_server):  # noqa: F811
    url = links_of(smtp_server, "sc_head")["approve"]
    anonymous = demo.test_client()
    set_now(demo, datetime(2026, 11, 30, 23, 0))
    assert anonymous.get(url).status_code == 200
    set_now(demo, datetime(2026, 12, 1, 0, 1))
    for resp in (anonymous.get(url), anonymous.post(url, data={"comment": ""})):
        assert resp.status_code == 410 and refusal(resp) == "expired" and "链接已过期" in text_of(resp)
    assert steps(in_review)[0] == ("open", None)


def test_r35_r71_another_signed_in_person_is_refused(in_review, demo, smtp_server):  # noqa: F811
    url = links_of(smtp_server, "sc_head")["approve"]
    for who in ("leader", "sc_officer"):  # the next step's reviewer; the reply's own author
        other = signed_in(demo, who)
        for resp in (other.get(url), other.post(url, data={"comment": ""})):
            assert resp.status_code == 403 and refusal(resp) == "foreign" and "不是您的审核链接" in text_of(resp)
    assert steps(in_review)[0] == ("open", None)
    assert all(r.used_at is None for r in db.session.execute(db.select(ReplyLink)).scalars())
    # Its addressee, signed in, may use it.
    resp = signed_in(demo, "sc_head").post(url, data={"comment": ""})
    assert "审核意见已记录" in text_of(resp)


def test_r34_r71_the_author_cannot_approve_their_own_reply_by_link(in_review, demo):
    """Even a link made out to the author (never sent: the author is never asked)
    is refused by the decision function's four-eyes rule, and is not used up."""
    step = fresh(in_review).replies[-1].open_step
    author = user("sc_officer")
    step.candidates.append(ReplyCandidate(user_id=author.id))
    db.session.flush()
    token = reply_links.create_links_many(step, [author])[author.id]["approve"]
    db.session.commit()
    url = prefix(demo) + f"/mailbox/link/{token}"
    anonymous = demo.test_client()
    assert anonymous.get(url).status_code == 200
    before = decisions()
    resp = anonymous.post(url, data={"comment": ""})
    assert resp.status_code == 409 and "不能审核自己起草的答复" in text_of(resp)
    assert decisions() == before and steps(in_review) == [("open", None), ("pending", None)]
    assert db.session.execute(db.select(ReplyLink).filter_by(user_id=author.id, action="approve")
                              ).scalar_one().used_at is None


def test_r35_r71_a_damaged_link_is_refused(in_review, demo, smtp_server):  # noqa: F811
    url = links_of(smtp_server, "sc_head")["approve"]
    resp = demo.test_client().get(url[:-3] + "xyz")
    assert resp.status_code == 400 and refusal(resp) == "invalid"
    # An item's decision link token is not a reply link (another salt).
    from intranet.review.links import SALT
    from itsdangerous import URLSafeTimedSerializer
    forged = URLSafeTimedSerializer(demo.secret_key, salt=SALT).dumps({"l": 1, "n": "0" * 32})
    assert refusal(demo.test_client().get(prefix(demo) + f"/mailbox/link/{forged}")) == "invalid"


def test_r35_r71_r03_a_handed_over_step_refuses_the_old_links_and_mails_new_ones(in_review, demo,
                                                                                  smtp_server):  # noqa: F811
    from intranet.org.handover import hand_over
    from intranet.org.models import User
    from intranet.outbox.service import dispatch_once
    old = links_of(smtp_server, "sc_head")["approve"]
    successor = User(username="sc_head2", name="新科长（上城）", email="sc_head2@example.gov.cn", password_hash="x",
                     password_changed_at=datetime(2026, 11, 23, 10, 0))
    db.session.add(successor)
    db.session.flush()
    hand_over(user("sc_head"), successor, user("admin"))
    db.session.commit()
    dispatch_once()  # outside a request the mail waits in the outbox for the dispatcher
    anonymous = demo.test_client()
    resp = anonymous.post(old, data={"comment": ""})
    assert resp.status_code == 403 and refusal(resp) == "foreign"  # (the hand-over disabled the account)
    new = links_of(smtp_server, "sc_head2")["approve"]
    assert "审核意见已记录" in text_of(anonymous.post(new, data={"comment": ""}))
    assert steps(in_review) == [("approved", "sc_head2"), ("open", None)]
