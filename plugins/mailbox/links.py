"""E-mail decision links for the reply's review (R-35 as for items, R-71).

When a reply review step opens for someone, their e-mail carries one signed
single-use link per decision (同意, 退回修改, 不予采用), bound to that person,
that step and the reply text it shows (its SHA-256), expiring after
LANMU_REVIEW_LINK_WORKDAYS working days. The token, its row's insert, load
and claim and the refusals shared with the item links are
`intranet.review.links`'; this module adds the reply's table
(`mailbox_reply_link`), its salt and what "stale" and "decided" mean for a
reply. A GET only shows the page; the decision is the POST from that page,
through `review.decide_reply` like the staff page."""
import hashlib

from intranet.review import links as shared
from intranet.review.links import LinkRefused  # noqa: F401 (the views catch it from here)

from .models import APPROVE, REJECT, RETURN, STEP_CANCELLED, STEP_OPEN, Reply, ReplyLink

SALT = "lanmu.mailbox.reply-decision-link.v1"
ACTIONS = (APPROVE, RETURN, REJECT)
ACTION_LABELS = {APPROVE: ("同意", "btn-success"), RETURN: ("退回修改", "btn-warning"),
                 REJECT: ("不予采用", "btn-danger")}


def text_sha256(text):
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def create_links_many(step, people):
    """{user id: {action: token}} for each person on `step`, at the reply's
    current text: two statements whatever the number of people."""
    digest = text_sha256(step.reply.text)
    tokens = shared.create_link_rows(ReplyLink, SALT, ACTIONS,
                                     [{"step_id": step.id, "user_id": p.id, "text_sha256": digest} for p in people])
    return {p.id: t for p, t in zip(people, tokens)}


def check(token, user):
    """The link if it may decide now; LinkRefused saying why not. Changes nothing."""
    link = shared.load_link(ReplyLink, SALT, token)
    step = link.step
    reply = step.reply
    shared.refuse_unusable(link, user, still_asked=any(c.user_id == link.user_id for c in step.candidates))
    if (step.status == STEP_CANCELLED or reply.message.replies[-1].id != reply.id
            or text_sha256(reply.text) != link.text_sha256):
        raise LinkRefused("stale", "答复已修改",
                          "此链接对应的答复稿之后已被修改并重新提交，审核流程已重新开始。"
                          "请按新的审核通知查看最新答复后再审核。", 409)
    if step.status != STEP_OPEN or reply.status != Reply.SUBMITTED:
        raise shared.refused_decided(step)
    shared.refuse_expired(link)
    return link


def mark_used(link):
    return shared.claim_link(ReplyLink, link)


def decide(link, token, user, comment):
    """The POST: claim the link and decide through `review.decide_reply` (every
    rule of the staff page applies). None when decided, else the LinkRefused."""
    from .review import decide_reply
    from .service import MailboxError
    step = link.step
    return shared.decide_by_link(
        lambda: mark_used(link),
        lambda: decide_reply(step.reply, link.user, link.action, comment, step=step, via="email"),
        lambda: check(token, user), MailboxError)
