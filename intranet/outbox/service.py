"""Queueing and dispatching outbox messages (R-82..R-84).

enqueue()        one message for one person on their chosen channels
queue_digests()  one digest per person and channel for a sweep's new reminders
claim()          take a batch of due rows for this worker (SKIP LOCKED on
                 PostgreSQL; an atomic UPDATE on SQLite); expired claims of a
                 dead worker are taken again
dispatch_once()  claim, deliver through the channel senders, record outcomes
"""
import uuid
from datetime import datetime, time, timedelta
from functools import lru_cache

from flask import after_this_request, current_app, g, has_request_context
from markupsafe import Markup, escape
from sqlalchemy import and_, func, or_, select, tuple_, update

from .. import clock
from ..bulk import named_rows
from ..extensions import db
from ..org.models import User
from .models import CANCELLED, FAILED, PENDING, SENDING, SENT, OutboxMessage

BACKOFF_SECONDS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600]


def _parse_hhmm(text):
    h, m = (int(x) for x in text.split(":"))
    return time(h, m)


@lru_cache(maxsize=8)  # a sweep asks for every digest it queues
def _window(start, end):
    return _parse_hhmm(start), _parse_hhmm(end)


def send_window(now):
    """(in_window, next_window_start) for the configured send window (R-82)."""
    start, end = _window(*current_app.config["LANMU_SEND_WINDOW"])
    t = now.time()
    if start <= t < end:
        return True, now
    day = now.date() if t < start else now.date() + timedelta(days=1)
    return False, datetime.combine(day, start)


def _first_attempt(now, urgent):
    if urgent:
        return now
    in_window, opens = send_window(now)
    return now if in_window else opens


def _insert_ignore(rows):
    """Insert outbox rows, skipping dedupe keys already queued: one executemany
    whatever the number of rows."""
    from ..bulk import insert_ignore
    insert_ignore(OutboxMessage.__table__, rows)


insert_rows = _insert_ignore  # for callers that build many rows (message_rows, address_row) and insert once


def channels_for(user):
    """The channels this person gets reminders on (the in-app inbox is always on)."""
    out = []
    if user.notify_wecom and user.wecom_userid:
        out.append(("wecom", user.wecom_userid))
    if user.notify_email and user.email:
        out.append(("email", user.email))
    return out


def message_rows(dedupe_prefix, user, subject, text, html, url, urgent, now):
    first = _first_attempt(now, urgent)
    return [{"dedupe_key": f"{dedupe_prefix}|{channel}"[:200], "channel": channel, "user_id": user.id,
             "recipient": address, "subject": subject[:300], "text": text, "html": html or "", "url": url or "",
             "urgent": urgent, "status": PENDING, "attempts": 0, "next_attempt_at": first, "created_at": now}
            for channel, address in channels_for(user)]


def enqueue(user, subject, text, *, html="", url="", urgent=False, dedupe_key=None, channels=None):
    """Queue one message to one person on their channels (optionally only some
    of them). Idempotent per dedupe key. Returns the rows' dedupe keys."""
    now = clock.now()
    key = dedupe_key or f"msg|{uuid.uuid4().hex}"
    rows = [r for r in message_rows(f"{key}|{user.id}", user, subject, text, html, url, urgent, now)
            if channels is None or r["channel"] in channels]
    _insert_ignore(rows)
    return [r["dedupe_key"] for r in rows]


def deliver_soon(keys):
    """Try to deliver these queued rows right after the current request (after
    its commit); whatever fails stays queued for the dispatcher."""
    if not keys or not has_request_context():
        return
    pending = g.setdefault("lanmu_deliver_soon", [])
    if not pending:
        @after_this_request
        def _deliver(response):
            try:
                dispatch_once(keys=list(g.pop("lanmu_deliver_soon", [])))
            except Exception:  # delivery must never break the page; the dispatcher retries
                db.session.rollback()
                current_app.logger.exception("immediate delivery failed; left to the dispatcher")
            return response
    pending.extend(keys)


def address_row(address, subject, text, *, html="", url="", urgent=False, dedupe_key, now=None):
    """The outbox row of an e-mail to an address that is not a person."""
    now = now or clock.now()
    return {"dedupe_key": f"{dedupe_key}|email"[:200], "channel": "email", "user_id": None,
            "recipient": address, "subject": subject[:300], "text": text, "html": html or "",
            "url": url or "", "urgent": urgent, "status": PENDING, "attempts": 0,
            "next_attempt_at": _first_attempt(now, urgent), "created_at": now}


def enqueue_address(address, subject, text, *, html="", url="", urgent=False, dedupe_key):
    """Queue an e-mail to an address that is not a person (a supervising unit's contact)."""
    _insert_ignore([address_row(address, subject, text, html=html, url=url, urgent=urgent, dedupe_key=dedupe_key)])


def render_mail(template, **context):
    """A mail template rendered with only `context`: no request context, no
    context processors (render_template runs each of them per mail) and no
    Jinja globals (copying them into every context cost as much as the
    rendering). A mail template reads what it is passed and its filters."""
    try:
        return template.environment.concat(template.root_render_func(template.new_context(context, shared=True)))
    except Exception:  # noqa: BLE001 - as Template.render does: Jinja rewrites the traceback
        return template.environment.handle_exception()


@lru_cache(maxsize=4096)  # the people reminded of one duty share its deadline
def _due_text(due_at):
    return f"{due_at:%Y-%m-%d %H:%M}"


def digest_rows_html(reminders, _done=None):
    """The table rows of a digest e-mail: status (升级 when escalated), the
    title linking to the duty, the deadline. Built here rather than in the
    template: a first sweep renders 10^5 of them. `_done` is a dict the
    caller may share between digests: the people reminded of one duty get
    the same row, built once."""
    done = {} if _done is None else _done
    out = []
    for r in reminders:
        key = (r.title, r.url, r.severity, r.level > 0, r.due_at)
        row = done.get(key)
        if row is None:
            # f-strings over escape() (C): Markup.format goes through string.Formatter, 3x slower
            title = escape(r.title)
            cell = f'<a href="{escape(r.url)}">{title}</a>' if r.url else title
            due = _due_text(r.due_at) if r.due_at else ""
            row = done[key] = (f'<tr><td>{escape(r.severity_label)}{"（升级）" if r.level else ""}</td>\n'
                               f'      <td>{cell}</td>\n      <td>{due}</td></tr>')
        out.append(row)
    return Markup("\n  ".join(out))


def _digest_line(r, done):
    """'[状态] title（期限 ...）' of one reminder in a digest's text, once per duty."""
    key = (r.severity, r.title, r.due_at)
    line = done.get(key)
    if line is None:
        line = done[key] = (f"[{r.severity_label}] {r.title}"
                            + (f"（期限 {_due_text(r.due_at)}）" if r.due_at else ""))
    return line


def queue_digests(sweep, reminders, urgent_kinds=()):
    """One digest per person and channel listing all their new reminders (R-83)."""
    by_user = {}
    for r in reminders:
        by_user.setdefault(r.user_id, []).append(r)
    if not by_user:
        return
    # rows with what message_rows and the template read, not ORM objects: a first sweep has 10^4 people
    users = {u.id: u for u in named_rows(db.session.execute(
        select(User.id, User.name, User.email, User.wecom_userid, User.notify_email, User.notify_wecom)
        .where(User.id.in_(list(by_user)))))}
    base = current_app.config.get("LANMU_BASE_URL") or "http://localhost"
    inbox_url = base.rstrip("/") + current_app.config["LANMU_ADMIN_PREFIX"] + "/reminders/"
    template = current_app.jinja_env.get_template("reminders/digest_email.html")
    rows, lines, html_rows = [], {}, {}
    for user_id, items in by_user.items():
        user = users[user_id]
        overdue = sum(1 for r in items if r.severity != "warn")
        subject = f"【督办提醒】您有{len(items)}项工作待办" + (f"，其中{overdue}项已超期" if overdue else "")
        text = "\n".join(f"{i}. {_digest_line(r, lines)}" for i, r in enumerate(items, 1))
        text = f"{user.name}，您好：\n{text}\n\n请登录网站信息发布系统处理：{inbox_url}"
        html = render_mail(template, user=user, reminders=items, rows=digest_rows_html(items, html_rows),
                           inbox_url=inbox_url)
        urgent = any(r.kind in urgent_kinds and r.severity == "veto" for r in items)
        rows += message_rows(f"digest|{sweep.id}|{user_id}", user, subject, text, html, inbox_url, urgent, sweep.at)
    _insert_ignore(rows)


def _due(now):
    return or_(and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
               and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < now))


def _take(ids_select, token, now, lease_seconds):
    """Mark the rows `ids_select` yields as claimed under `token`."""
    if db.session.get_bind().dialect.name == "postgresql":
        ids_select = ids_select.with_for_update(skip_locked=True)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids_select.scalar_subquery()))
                       .values(status=SENDING, claim_token=token, claimed_until=now + timedelta(seconds=lease_seconds),
                               attempts=OutboxMessage.attempts + 1)
                       .execution_options(synchronize_session=False))


def claim(batch_size=200, lease_seconds=120, now=None, channel=None, keys=None):
    """Claim up to batch_size due rows for this worker (only `keys` if given); returns them.

    WeCom takes one card for up to 1,000 recipients in one call (R-84), so a
    claimed WeCom card is completed with the other due rows carrying the
    same card, up to 1,000 per card: a notice to 5,000 people goes out in
    five calls whatever the batch size."""
    now = now or clock.now()
    token = uuid.uuid4().hex
    sub = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.urgent.desc(), OutboxMessage.id)
    if channel:
        sub = sub.where(OutboxMessage.channel == channel)
    if keys is not None:
        sub = sub.where(OutboxMessage.dedupe_key.in_(keys))
    _take(sub.limit(batch_size), token, now, lease_seconds)
    if keys is None and channel in (None, "wecom"):
        _complete_wecom_cards(token, now, lease_seconds)
    db.session.commit()
    return db.session.execute(select(OutboxMessage).where(OutboxMessage.claim_token == token)
                              .order_by(OutboxMessage.id)).scalars().all()


def _complete_wecom_cards(token, now, lease_seconds):
    from ..notify.wecom import MAX_RECIPIENTS
    card = (OutboxMessage.subject, OutboxMessage.text, OutboxMessage.url)
    claimed = db.session.execute(select(*card, func.count()).where(OutboxMessage.claim_token == token,
                                                                   OutboxMessage.channel == "wecom")
                                 .group_by(*card)).all()
    short = [(subject, text, url) for subject, text, url, n in claimed if n < MAX_RECIPIENTS]
    if not short:
        return
    # Which other due rows carry one of these cards: one query for the batch.
    # (Digests differ per person and match nothing; a broadcast matches many.)
    same = db.session.execute(select(OutboxMessage.id, *card)
                              .where(_due(now), OutboxMessage.channel == "wecom", tuple_(*card).in_(short))
                              .order_by(OutboxMessage.urgent.desc(), OutboxMessage.id)).all()
    room = {(subject, text, url): MAX_RECIPIENTS - n for subject, text, url, n in claimed}
    ids = []
    for row_id, subject, text, url in same:
        key = (subject, text, url)
        if room[key] > 0:
            room[key] -= 1
            ids.append(row_id)
    for start in range(0, len(ids), 1000):  # due again: another worker may have taken some meanwhile
        _take(select(OutboxMessage.id).where(OutboxMessage.id.in_(ids[start:start + 1000]), _due(now)),
              token, now, lease_seconds)


def record_outcome(row, outcome, now):
    """Apply one channel outcome to its row (still held by this worker's claim)."""
    if outcome.delivered:
        row.status, row.sent_at, row.last_error = SENT, now, ""
    elif outcome.permanent:
        row.status, row.last_error = FAILED, f"{outcome.reason}: {outcome.detail}"[:500]
    else:
        if outcome.retry_after:
            delay = outcome.retry_after
        else:
            delay = BACKOFF_SECONDS[min(row.attempts - 1, len(BACKOFF_SECONDS) - 1)]
        row.status, row.last_error = PENDING, f"{outcome.reason}: {outcome.detail}"[:500]
        row.next_attempt_at = now + timedelta(seconds=delay)
    row.claim_token, row.claimed_until = None, None


def dispatch_once(batch_size=200, now=None, keys=None):
    """Deliver what is due once (only `keys` if given). Returns {"sent": n, "failed": n, "retry": n}."""
    from .channels import senders
    now = now or clock.now()
    rows = claim(batch_size=batch_size, now=now, keys=keys)
    counts = {"sent": 0, "failed": 0, "retry": 0}
    if not rows:
        return counts
    in_window, _opens = send_window(now)
    held = [r for r in rows if not r.urgent and not in_window]
    for r in held:  # quiet hours began after it was queued: wait for the window
        r.status, r.claim_token, r.claimed_until = PENDING, None, None
        r.attempts -= 1
        r.next_attempt_at = send_window(now)[1]
    rows = [r for r in rows if r not in held]
    by_channel = {}
    for r in rows:
        by_channel.setdefault(r.channel, []).append(r)
    available = senders(current_app._get_current_object())
    for channel, channel_rows in by_channel.items():
        send = available.get(channel)
        if send is None:
            from ..notify.outcomes import REASON_TOKEN, Outcome, Status
            outcomes = {r.id: Outcome(Status.TEMPORARY_FAILURE, REASON_TOKEN, f"通道“{channel}”未配置")
                        for r in channel_rows}
        else:
            outcomes = send(channel_rows, now)
        for r in channel_rows:
            outcome = outcomes[r.id]
            record_outcome(r, outcome, now)
            counts["sent" if r.status == SENT else "failed" if r.status == FAILED else "retry"] += 1
    db.session.commit()
    return counts


def for_units(stmt, unit_ids):
    """`stmt` over outbox rows limited to the messages for people of these units
    (None: every row; see org.permissions.admin_scope)."""
    if unit_ids is None:
        return stmt
    from ..org.permissions import members_of
    return stmt.where(OutboxMessage.user_id.in_(members_of(unit_ids)))


def stats(unit_ids=None):
    """{(channel, status): count}, of every row or of the people of `unit_ids`."""
    rows = db.session.execute(for_units(select(OutboxMessage.channel, OutboxMessage.status, func.count()), unit_ids)
                              .group_by(OutboxMessage.channel, OutboxMessage.status)).all()
    return {(c, s): n for c, s, n in rows}


def cancel(row):
    row.status = CANCELLED
