"""Messages to reviewers when a step reaches them (R-35): an e-mail with the
signed decision links, and a WeCom card linking to the review page.

They are queued in the durable outbox inside the transaction that opened the
step (a rolled-back step sends nothing) and delivered right after the request
(`deliver_soon`); if the mail server or WeCom is down they stay queued and
the dispatcher retries them (R-84)."""
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

from .. import clock
from ..outbox.service import deliver_soon, insert_rows, message_rows, render_mail


def build_url(endpoint, external=False, **values):
    """A URL for mail and inbox rows, also outside a request (LANMU_BASE_URL)."""
    return url_builder(external)(endpoint, **values)


def url_builder(external=False):
    """build_url as a function of (endpoint, **values), with one URL adapter
    for all the links it builds (a mail batch builds four per mail)."""
    base = current_app.config.get("LANMU_BASE_URL")
    if has_request_context() and not (external and base):
        return lambda endpoint, **values: url_for(endpoint, _external=external, **values)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http")
    return lambda endpoint, **values: adapter.build(endpoint, values, force_external=external)


def queue_step_mail(step, user):
    """Build the decision mail for `user` on `step` (with fresh single-use links) and queue it."""
    if not user.active:
        return None
    return queue_step_mails([(step, user)])


def queue_step_mails(pairs):
    """The decision mail (e-mail with fresh single-use links, and a WeCom card)
    for each (step, user) pair, queued in the outbox: a fixed number of
    statements whatever the number of pairs (the links in one insert and one
    select, the outbox rows in one insert). Returns the outbox dedupe keys."""
    from . import links
    from .diff import plain_text
    pairs = [(step, user) for step, user in pairs if user.active]
    if not pairs:
        return []
    all_tokens = links.create_links_many(pairs)
    # The mail templates use only what is passed: render them directly (render_template
    # would run every context processor, the signed-in person's unread count among them, per mail).
    env = current_app.jinja_env
    text_tpl, html_tpl = env.get_template("review/mail/step.txt"), env.get_template("review/mail/step.html")
    now = clock.now()
    expires_workdays = current_app.config.get("LANMU_REVIEW_LINK_WORKDAYS", 5)
    url = url_builder(external=True)
    rows = []
    for (step, user), tokens in zip(pairs, all_tokens):
        item = step.item
        urls = {action: url("review.link", token=token) for action, token in tokens.items()}
        review_url = url("review.item", item_id=item.id)
        summary = plain_text(item.body or "")[:300]
        ctx = dict(step=step, item=item, user=user, urls=urls, review_url=review_url, summary=summary,
                   expires_workdays=expires_workdays)
        subject = f"【待审核】{item.title}（{step.label}）"
        rows += [r for r in message_rows(f"review-step|{step.id}|{tokens['approve'][-24:]}|{user.id}", user, subject,
                                         render_mail(text_tpl, **ctx), render_mail(html_tpl, **ctx), review_url,
                                         False, now)
                 if r["channel"] == "email"]
        rows += [r for r in message_rows(f"review-step|{step.id}|{user.id}|{user.id}", user, subject,
                                         f"{item.column.name}：{item.title}\n请审核（{step.label}）。", "",
                                         review_url, False, now)
                 if r["channel"] == "wecom"]
    insert_rows(rows)
    keys = [r["dedupe_key"] for r in rows]
    deliver_soon(keys)
    return keys
