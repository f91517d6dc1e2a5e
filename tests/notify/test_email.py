"""The email channel against a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import socket
import time

from flask import Flask
from flask_mail import Mail

from intranet.notify.email import send_email
from intranet.notify.outcomes import Status
from tests.fakes.smtp_server import smtp_server  # noqa: F401 - fixture

SENDER = ("蓝幕信息发布平台", "noreply@lanmu.example.gov.cn")
SUBJECT = "【督办提醒】您有 3 项工作即将超期，请于 2026年1月9日 前处理"
TEXT = "张三，您好：\n栏目“工作动态”已 12 天未更新。\n请登录内网处理：https://intranet.example.gov.cn/duties"
HTML = '<p>张三，您好：</p><p>栏目“工作动态”已 <b>12</b> 天未更新。</p><p><a href="https://intranet.example.gov.cn/duties">立即处理</a></p>'


def make_app(smtp, **overrides) -> tuple[Flask, Mail]:
    app = Flask(__name__)
    app.config.update(TESTING=True, **smtp.config(**{"MAIL_TIMEOUT": 2, **overrides}))
    return app, Mail(app)


def send(app, mail, to, **kw):
    with app.app_context():
        return send_email(mail, SENDER, to, SUBJECT, TEXT, HTML, **kw)


def test_r82_email_delivered_and_read_back(smtp_server):  # noqa: F811
    app, mail = make_app(smtp_server)

    outcomes = send(app, mail, "zhangsan@unit.example.gov.cn")

    outcome = outcomes["zhangsan@unit.example.gov.cn"]
    assert outcome.status is Status.DELIVERED
    (received,) = smtp_server.messages
    assert received.subject == SUBJECT
    assert received.text.strip() == TEXT
    assert received.html.strip() == HTML
    assert received.recipients == ["zhangsan@unit.example.gov.cn"]
    assert received.rcpt_tos == ("zhangsan@unit.example.gov.cn",)
    assert "蓝幕信息发布平台" in received.sender
    assert received.message["Message-ID"] == outcome.message_id
    assert received.message.get_content_type() == "multipart/mixed"
    raw = received.raw.decode("ascii")  # 7bit-clean: no raw UTF-8 on the wire
    assert "=?utf-8?" in raw.lower()  # the subject went out RFC 2047-encoded


def test_r82_email_long_html_line_stays_within_smtp_line_limit(smtp_server):  # noqa: F811
    app, mail = make_app(smtp_server)
    html = "<p>" + "请尽快更新栏目“工作动态”。" * 200 + "</p>"  # one line of 7 KB

    with app.app_context():
        send_email(mail, SENDER, "zhangsan@unit.example.gov.cn", SUBJECT, TEXT, html)

    (received,) = smtp_server.messages
    assert received.html == html
    assert max(len(line) for line in received.raw.split(b"\r\n")) <= 998


def test_r84_smtp_down_then_up(smtp_server):  # noqa: F811
    app, mail = make_app(smtp_server)
    smtp_server.stop()

    down = send(app, mail, "zhangsan@unit.example.gov.cn")["zhangsan@unit.example.gov.cn"]

    assert (down.status, down.reason) == (Status.TEMPORARY_FAILURE, "network")
    smtp_server.start()
    up = send(app, mail, "zhangsan@unit.example.gov.cn")["zhangsan@unit.example.gov.cn"]
    assert up.status is Status.DELIVERED
    assert len(smtp_server.received_by("zhangsan@unit.example.gov.cn")) == 1


def test_r84_smtp_hung_server_times_out(smtp_server):  # noqa: F811
    app, mail = make_app(smtp_server, MAIL_TIMEOUT=0.5)
    smtp_server.stall()

    started = time.monotonic()
    outcome = send(app, mail, "zhangsan@unit.example.gov.cn")["zhangsan@unit.example.gov.cn"]

    assert time.monotonic() - started < 5
    assert (outcome.status, outcome.reason) == (Status.TEMPORARY_FAILURE, "timeout")
    assert socket.getdefaulttimeout() is None  # no global timeout was set


def test_r84_smtp_550_is_permanent(smtp_server):  # noqa: F811
    app, mail = make_app(smtp_server)
    smtp_server.reject("left@unit.example.gov.cn")

    outcome = send(app, mail, "left@unit.example.gov.cn")["left@unit.example.gov.cn"]

    assert outcome.status is Status.PERMANENT_FAILURE
    assert (outcome.reason, outcome.code) == ("address_rejected", 550)
    assert "User unknown" in outcome.detail
    assert smtp_server.messages == []


def test_r84_smtp_refused_address_among_good_ones_is_reported(smtp_server):  # noqa: F811
    # Flask-Mail ignores sendmail's list of refused recipients; we must not.
    app, mail = make_app(smtp_server)
    smtp_server.reject("left@unit.example.gov.cn")

    outcomes = send(app, mail, ["zhangsan@unit.example.gov.cn", "left@unit.example.gov.cn"])

    assert outcomes["zhangsan@unit.example.gov.cn"].status is Status.DELIVERED
    assert outcomes["left@unit.example.gov.cn"].status is Status.PERMANENT_FAILURE
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ("zhangsan@unit.example.gov.cn",)


def test_r84_smtp_4xx_is_temporary(smtp_server):  # noqa: F811
    app, mail = make_app(smtp_server)
    smtp_server.reject("busy@unit.example.gov.cn", "450 4.2.1 Mailbox busy, try again later")

    outcome = send(app, mail, "busy@unit.example.gov.cn")["busy@unit.example.gov.cn"]

    assert (outcome.status, outcome.code) == (Status.TEMPORARY_FAILURE, 450)
    smtp_server.accept("busy@unit.example.gov.cn")
    assert send(app, mail, "busy@unit.example.gov.cn")["busy@unit.example.gov.cn"].delivered


def test_r84_email_suppressed_by_flask_mail_testing_default_is_visible(smtp_server):  # noqa: F811
    # Flask-Mail turns MAIL_SUPPRESS_SEND on when app.testing, unless told otherwise.
    app, mail = make_app(smtp_server)
    app.config.pop("MAIL_SUPPRESS_SEND")
    mail = Mail(app)

    outcome = send(app, mail, "zhangsan@unit.example.gov.cn")["zhangsan@unit.example.gov.cn"]

    assert (outcome.status, outcome.reason) == (Status.DELIVERED, "suppressed")
    assert smtp_server.messages == []


def test_r82_email_sends_without_an_app_context_pushed(smtp_server):  # noqa: F811
    app, mail = make_app(smtp_server)
    outcome = send_email(mail, SENDER, "lisi@unit.example.gov.cn", SUBJECT, TEXT, None)
    assert outcome["lisi@unit.example.gov.cn"].delivered
    (received,) = smtp_server.messages
    assert received.text.strip() == TEXT and received.html is None


def test_r84_smtp_sender_refused_is_not_blamed_on_the_address(smtp_server):  # noqa: F811
    # A 5xx at MAIL FROM is our configuration, not the person's address: retry, don't mark it bad.
    app, mail = make_app(smtp_server)
    smtp_server.reject_sender("blocked@lanmu.example.gov.cn")

    with app.app_context():
        outcome = send_email(mail, "blocked@lanmu.example.gov.cn", "zhangsan@unit.example.gov.cn", SUBJECT, TEXT, HTML)

    result = outcome["zhangsan@unit.example.gov.cn"]
    assert (result.status, result.reason, result.code) == (Status.TEMPORARY_FAILURE, "sender_rejected", 550)
    assert smtp_server.messages == []


def _batch(addresses):
    from intranet.notify.email import OutgoingMail
    return [OutgoingMail(a, f"{SUBJECT}（{i}）", TEXT, HTML) for i, a in enumerate(addresses)]


def test_r84_batch_of_mails_goes_over_one_connection(smtp_server):  # noqa: F811
    from intranet.notify.email import send_many
    app, mail = make_app(smtp_server)
    addresses = [f"user{i}@unit.example.gov.cn" for i in range(30)]

    with app.app_context():
        results = send_many(mail, _batch(addresses), sender=SENDER)

    assert [r[a].status for r, a in zip(results, addresses)] == [Status.DELIVERED] * 30
    assert len(smtp_server.messages) == 30 and len(smtp_server.peers) == 1
    assert [m.recipients for m in smtp_server.messages] == [[a] for a in addresses]


def test_r84_refused_address_mid_batch_does_not_stop_the_others(smtp_server):  # noqa: F811
    from intranet.notify.email import send_many
    app, mail = make_app(smtp_server)
    smtp_server.reject("user2@unit.example.gov.cn")
    smtp_server.reject("user4@unit.example.gov.cn", "450 4.2.1 mailbox busy")
    addresses = [f"user{i}@unit.example.gov.cn" for i in range(6)]

    with app.app_context():
        results = send_many(mail, _batch(addresses), sender=SENDER)

    statuses = [r[a].status for r, a in zip(results, addresses)]
    assert statuses == [Status.DELIVERED, Status.DELIVERED, Status.PERMANENT_FAILURE,
                        Status.DELIVERED, Status.TEMPORARY_FAILURE, Status.DELIVERED]
    assert len(smtp_server.messages) == 4 and len(smtp_server.peers) == 1


def test_r84_unreachable_server_fails_the_whole_batch_at_once(smtp_server):  # noqa: F811
    from intranet.notify.email import send_many
    app, mail = make_app(smtp_server, MAIL_TIMEOUT=2)
    smtp_server.stall(max_seconds=20)
    addresses = [f"user{i}@unit.example.gov.cn" for i in range(5)]

    started = time.monotonic()
    with app.app_context():
        results = send_many(mail, _batch(addresses), sender=SENDER)

    # One timeout for the batch, not one per message; every message stays to be retried.
    assert time.monotonic() - started < 6  # one by one it would take 5 x 2 s
    assert all(r[a].status is Status.TEMPORARY_FAILURE for r, a in zip(results, addresses))
    assert {r[a].reason for r, a in zip(results, addresses)} == {"timeout"}
