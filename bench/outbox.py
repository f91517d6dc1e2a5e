"""Outbox delivery beside the bare client calls (issue 10, R-82..R-84).

    /work/main/.venv/bin/python bench/outbox.py [--people 5000] [--reminders 20000] [--db URL]

Builds a throw-away SQLite database (or uses --db, whose tables it DROPS: give
it a scratch database) with --people people, each on WeCom and e-mail, and
queues two kinds of traffic, as the scheduler and the intranet would:

* digests: --reminders reminders spread over the people, turned into one
  digest per person and channel (R-83) by ``outbox.service.queue_digests``:
  every card differs (its text lists the person's own duties);
* a notice: one message (same card) to every person, as a system
  announcement is sent: WeCom must get it in batches of up to 1,000
  recipients per call.

The fake WeCom server (tests/fakes/wecom_server.py, real HTTP) and the SMTP
sink (aiosmtpd, tests/fakes/smtp_server.py) run in a separate process, so
they do not share the interpreter with what is measured.

Measured, best of --rounds, floor and outbox alternately:

* floor: the bare client calls for the same messages, one process, in turn:
  wechatpy's ``WeChatClient.message.send_text_card`` for each card (the
  notice in chunks of 1,000 recipients), and Flask-Mail's ``Message`` sent
  over one ``mail.connect()`` connection for each e-mail; no database.
* outbox: ``outbox.service.dispatch_once`` in a loop until nothing is due:
  claims, rate-limit counts, rendering the MIME message, the WeCom call,
  recording every outcome and committing.

The last lines: ``wecom_calls_for_notice=<calls> for <n> recipients`` and
``outbox_vs_floor=<delivery rate / floor rate>`` (target >= 0.8).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from types import SimpleNamespace

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, ROOT)

NOTICE_SUBJECT = "【系统通知】网站信息发布系统将于今晚22:00停机维护"
NOTICE_TEXT = "各位同事：系统将于今晚22:00至23:00停机维护，请提前保存正在编辑的稿件。"
SENDER = ("网站信息发布系统", "noreply@bench.example.gov.cn")


def userid(i):
    return f"bench{i:05d}"


# ----------------------------------------------------------- fake servers
def serve(people):
    """The fake WeCom server and SMTP sink; answers 'stats' and 'reset' on stdin."""
    from tests.fakes.smtp_server import FakeSMTP
    from tests.fakes.wecom_server import FakeWeCom
    # The real clock, and WeCom's per-member limits as documented (30 a minute):
    # each person gets 2 messages a round from the floor and 2 from the outbox.
    wecom = FakeWeCom(clock=time.time).start()
    wecom.add_users([userid(i) for i in range(people)])
    smtp = FakeSMTP().start()
    print(json.dumps({"wecom": wecom.config(), "smtp": smtp.config()}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "stats":
            calls = wecom.send_calls()
            notice = [c for c in calls if NOTICE_SUBJECT in json.dumps(c.body, ensure_ascii=False)]
            print(json.dumps({"wecom_calls": len(calls), "notice_calls": len(notice), "wecom_delivered": len(wecom.messages),
                              "wecom_dropped": len(wecom.dropped), "mails": len(smtp.messages),
                              "smtp_connections": len(smtp.peers)}), flush=True)
        elif command == "reset":
            wecom.reset_records()
            smtp.clear()
            print("{}", flush=True)
    smtp.stop()
    wecom.stop()


class Servers:
    def __init__(self, people):
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", str(people)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.config = json.loads(self.proc.stdout.readline())

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


# ----------------------------------------------------------------- setup
def build(app, people, reminders):
    """People, then the digests and the notice in the outbox. Returns the sweep time."""
    from intranet import clock
    from intranet.extensions import db
    from intranet.org.models import User
    from intranet.outbox.service import insert_rows, message_rows, queue_digests
    from intranet.reminders.models import Reminder
    now = clock.now()
    db.drop_all()
    db.create_all()
    db.session.execute(db.insert(User), [
        {"username": userid(i), "name": f"测试{i}", "password_hash": "x",
         "password_changed_at": now, "wecom_userid": userid(i), "email": f"{userid(i)}@bench.example.gov.cn",
         "notify_wecom": True, "notify_email": True} for i in range(people)])
    db.session.commit()
    users = db.session.execute(db.select(User).order_by(User.id)).scalars().all()
    kinds = [("column_stale", "overdue", "栏目“{}”已超过更新期限未更新"), ("document", "warn", "规范性文件“{}”须在2个工作日内公开"),
             ("mailbox", "overdue", "留言“{}”已超过5个工作日未答复"), ("review", "warn", "稿件“{}”等待您审核")]
    items = []
    for n in range(reminders):
        kind, severity, title = kinds[n % len(kinds)]
        user = users[n % people]
        items.append(Reminder(user_id=user.id, kind=kind, severity=severity, level=0,
                              title=title.format(f"工作动态{n}"), url=f"https://oa.example.gov.cn/intranet/r/{n}",
                              due_at=now + timedelta(days=n % 5)))
    sweep = SimpleNamespace(id=1, at=now)
    queue_digests(sweep, items)
    rows = []
    for user in users:
        rows += message_rows(f"notice|{user.id}", user, NOTICE_SUBJECT, NOTICE_TEXT, "", "https://oa.example.gov.cn/intranet/",
                             False, now)
    insert_rows(rows)
    db.session.commit()


def messages(app):
    """What the outbox holds, as (channel, recipient, subject, text, html, url) in id order."""
    from intranet.extensions import db
    from intranet.outbox.models import OutboxMessage
    return db.session.execute(db.select(OutboxMessage.channel, OutboxMessage.recipient, OutboxMessage.subject,
                                        OutboxMessage.text, OutboxMessage.html, OutboxMessage.url)
                              .order_by(OutboxMessage.id)).all()


def reset_outbox():
    from intranet import clock
    from intranet.extensions import db
    from intranet.outbox.models import PENDING, OutboxMessage
    db.session.execute(db.update(OutboxMessage).values(status=PENDING, attempts=0, sent_at=None, last_error="",
                                                       claim_token=None, claimed_until=None,
                                                       next_attempt_at=clock.now()))
    db.session.commit()


# ------------------------------------------------------------ the runs
def run_floor(app, rows, servers):
    """The bare client calls: wechatpy and Flask-Mail, no database."""
    from flask_mail import Message
    from wechatpy.enterprise import WeChatClient
    from intranet.extensions import mail
    wecom = servers.config["wecom"]
    client = WeChatClient(wecom["WECOM_CORP_ID"], wecom["WECOM_SECRET"])
    client.API_BASE_URL = wecom["WECOM_API_BASE_URL"]
    # once, untimed (the outbox has its token in the database too); wechatpy's
    # fetch_access_token has WeCom's host written in, so its base method is called
    client._fetch_access_token(url=client.API_BASE_URL + "gettoken",
                               params={"corpid": client.corp_id, "corpsecret": client.secret})
    cards, mails = {}, []
    for channel, recipient, subject, text, html, url in rows:
        if channel == "wecom":
            cards.setdefault((subject, text, url), []).append(recipient)
        else:
            mails.append((recipient, subject, text, html))
    started = time.perf_counter()
    for (subject, text, url), recipients in cards.items():
        for start in range(0, len(recipients), 1000):
            client.message.send_text_card(wecom["WECOM_AGENT_ID"], recipients[start:start + 1000],
                                          subject, text, url or "", btntxt="查看详情")
    with mail.connect() as connection:
        for recipient, subject, text, html in mails:
            connection.send(Message(subject=subject, recipients=[recipient], body=text, html=html or None,
                                    sender=SENDER))
    return time.perf_counter() - started


def run_outbox(app):
    from intranet.outbox.service import dispatch_once
    totals = {"sent": 0, "failed": 0, "retry": 0}
    started = time.perf_counter()
    while True:
        counts = dispatch_once()
        for k, v in counts.items():
            totals[k] += v
        if not any(counts.values()):
            break
    return time.perf_counter() - started, totals


def main(argv=None) -> int:
    if argv is None and len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=5_000)
    ap.add_argument("--reminders", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=3, help="floor and outbox runs each, best kept")
    ap.add_argument("--db", help="database URL (its tables are dropped!); default a temporary SQLite file")
    args = ap.parse_args(argv)

    from intranet import create_app
    from intranet.extensions import db
    servers = Servers(args.people)
    try:
        tmp = tempfile.mkdtemp(prefix="lanmu-outbox-")
        app = create_app({"SQLALCHEMY_DATABASE_URI": args.db or f"sqlite:///{tmp}/outbox.db",
                          "SECRET_KEY": "bench", "LANMU_BASE_URL": "https://oa.example.gov.cn",
                          "LANMU_SEND_WINDOW": ["00:00", "23:59"], "MAIL_DEFAULT_SENDER": SENDER,
                          **servers.config["wecom"], **servers.config["smtp"]})
        with app.app_context():
            t0 = time.perf_counter()
            build(app, args.people, args.reminders)
            rows = messages(app)
            print(f"people {args.people:,}, reminders {args.reminders:,}: {len(rows):,} outbox rows "
                  f"(digests and the notice, WeCom and e-mail), queued in {time.perf_counter() - t0:.1f} s")
            print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
            floors, outboxes, first = [], [], None
            for round_no in range(1, args.rounds + 1):
                servers.ask("reset")
                floors.append(run_floor(app, rows, servers))
                floor_stats = servers.ask("stats")
                servers.ask("reset")
                reset_outbox()
                seconds, totals = run_outbox(app)
                outboxes.append(seconds)
                stats = servers.ask("stats")
                if first is None:
                    first = (floor_stats, stats, totals)
                print(f"  round {round_no}: floor {floors[-1]:.2f} s, outbox {seconds:.2f} s "
                      f"(sent {totals['sent']:,}, retry {totals['retry']}, failed {totals['failed']})")
            floor_stats, stats, totals = first
            n = len(rows)
            print(f"{'':22}{'messages':>10}{'best s':>9}{'msg/s':>9}{'WeCom calls':>13}{'SMTP conns':>12}")
            print(f"{'bare clients (floor)':22}{n:>10,}{min(floors):>9.2f}{n / min(floors):>9,.0f}"
                  f"{floor_stats['wecom_calls']:>13,}{floor_stats['smtp_connections']:>12,}")
            print(f"{'outbox dispatch':22}{totals['sent']:>10,}{min(outboxes):>9.2f}{totals['sent'] / min(outboxes):>9,.0f}"
                  f"{stats['wecom_calls']:>13,}{stats['smtp_connections']:>12,}")
            print(f"delivered: WeCom {stats['wecom_delivered']:,} (dropped by the rate limit {stats['wecom_dropped']}), "
                  f"e-mail {stats['mails']:,}")
            print(f"wecom_calls_for_notice={stats['notice_calls']} (floor {floor_stats['notice_calls']}) for {args.people:,} recipients")
            print(f"outbox_vs_floor={(totals['sent'] / min(outboxes)) / (n / min(floors)):.2f}")
    finally:
        servers.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
