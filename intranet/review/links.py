"""Email decision links (R-35).

A link is an itsdangerous token (purpose salt) carrying only ids: the
`review_link` row id and a random nonce. The row binds the link to one person,
one step, one revision and one action, holds its expiry (LANMU_REVIEW_LINK_WORKDAYS
working days, default 5) and records its single use. A GET only shows the page;
the decision is the POST from that page.

check() returns the link or raises LinkRefused with a `code` and a Chinese
title and text: invalid, used, foreign, decided, stale, expired.

The mechanics any signed single-use decision link shares -- the token, its
expiry, its row's insert, load and claim, and the refusals that do not depend
on what is decided -- are the functions below `create_link_rows`; the mailbox's
reply review links (plugins/mailbox/links.py) use them with their own table
and salt."""
import hmac
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import clock
from ..extensions import db
from .models import CANCELLED, OPEN, RUN_RESTARTED, DecisionLink

SALT = "lanmu.review.decision-link.v1"
ACTIONS = ("approve", "return", "reject")


class LinkRefused(Exception):
    def __init__(self, code, title, text, status=409):
        super().__init__(text)
        self.code, self.title, self.text, self.status = code, title, text, status


def workday_calendar():
    """The app's working-day calendar (admin overrides) when the calendar
    integration provides one, else the plain Chinese calendar."""
    factory = current_app.extensions.get("lanmu_workday_calendar")
    if callable(factory):
        return factory()
    from ..workdays import WorkdayCalendar
    return WorkdayCalendar()


def expiry_from(now):
    n = int(current_app.config.get("LANMU_REVIEW_LINK_WORKDAYS", 5))
    return workday_calendar().due_end(now, n)


def create_links(step, user):
    """One link per action for `user` on `step` at the run's revision. Returns {action: token}."""
    return create_links_many([(step, user)])[0]


def create_links_many(pairs):
    """create_links for many (step, user) pairs in two statements, whatever
    their number. Returns [{action: token}] in the order of `pairs`."""
    return create_link_rows(DecisionLink, SALT, ACTIONS,
                            [{"step_id": step.id, "user_id": user.id, "revision_no": step.run.revision_no}
                             for step, user in pairs])


def check(token, user):
    """The link if it may decide now; LinkRefused saying why not. Changes nothing."""
    link = load_link(DecisionLink, SALT, token)
    step = link.step
    item = step.item
    refuse_unusable(link, user, still_asked=any(c.user_id == link.user_id for c in step.candidates))
    if step.status == CANCELLED or step.run.status == RUN_RESTARTED or item.revision_no != link.revision_no:
        raise LinkRefused("stale", "稿件已修改",
                          f"此链接对应的是第{link.revision_no}版，稿件之后已被修改（当前第{item.revision_no}版），"
                          "审核流程已重新开始。请按新的审核通知查看最新内容后再审核。", 409)
    if step.status != OPEN:
        raise refused_decided(step)
    refuse_expired(link)
    return link


def mark_used(link):
    """Claim the link (conditional UPDATE: a second use in parallel fails)."""
    return claim_link(DecisionLink, link)


# -- what every signed single-use decision link shares ----------------------------

def create_link_rows(model, salt, actions, targets):
    """One row of `model` per target and action (a target is a dict of the
    row's binding columns: step, person, version), in one insert, and their
    ids in one select (found by their random nonces). Returns, per target,
    {action: token}; a token carries only the row id and the nonce."""
    if not targets:
        return []
    now = clock.now()
    expires = expiry_from(now)
    rows = [{**target, "nonce": secrets.token_hex(16), "action": action, "created_at": now,
             "expires_at": expires, "used_at": None}
            for target in targets for action in actions]
    db.session.execute(model.__table__.insert(), rows)
    ids = dict(db.session.execute(
        db.select(model.nonce, model.id)
        .where(model.step_id.in_(sorted({t["step_id"] for t in targets})), model.created_at == now)).all())
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt=salt)
    rows_iter = iter(rows)
    out = []
    for _target in targets:
        tokens = {}
        for action in actions:
            row = next(rows_iter)
            tokens[action] = serializer.dumps({"l": ids[row["nonce"]], "n": row["nonce"]})
        out.append(tokens)
    return out


def load_link(model, salt, token):
    """The `model` row a token names, or LinkRefused("invalid")."""
    try:
        data = URLSafeTimedSerializer(current_app.secret_key, salt=salt).loads(token)
        link = db.session.get(model, int(data["l"]))
        nonce = str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        link, nonce = None, ""
    if link is None or not hmac.compare_digest(link.nonce, nonce):
        raise LinkRefused("invalid", "链接无效", "此审核链接无效或已损坏，请从邮件中完整复制链接，或登录系统在“待我审核”中处理。",
                          400)
    return link


def refuse_unusable(link, user, still_asked):
    """Refuse a link used before, one another signed-in person opens, one whose
    addressee is disabled or no longer asked (`still_asked` False: a hand-over)."""
    if link.used_at is not None:
        raise LinkRefused("used", "链接已使用", f"此审核链接已于{link.used_at:%Y-%m-%d %H:%M}使用过，每个链接只能使用一次。"
                          "审核结果已记录，无需再次操作。", 410)
    if user is not None and user.is_authenticated and user.id != link.user_id:
        raise LinkRefused("foreign", "不是您的审核链接",
                          f"此审核链接是发给{link.user.name}的，您当前以{user.name}的身份登录，不能使用。"
                          "如需审核，请登录系统在“待我审核”中处理。", 403)
    if not link.user.active:
        raise LinkRefused("foreign", "不是您的审核链接", "此链接收件人的账号已停用，链接不能使用。", 403)
    if not still_asked:
        raise LinkRefused("foreign", "不是您的审核链接",
                          "该审核环节已不再由此链接的收件人负责（例如已工作交接），此链接不能使用。", 403)


def refused_decided(step):
    """The refusal for a link whose step already has its decision."""
    who = step.decided_by.name if step.decided_by else ""
    return LinkRefused("decided", "该环节已处理",
                       f"“{step.label}”环节已有审核意见（{who}：{step.decision_label or step.status_label}），"
                       "此链接不再有效。", 409)


def refuse_expired(link):
    if clock.now() > link.expires_at:
        raise LinkRefused("expired", "链接已过期",
                          f"此审核链接已于{link.expires_at:%Y-%m-%d %H:%M}过期。请登录系统在“待我审核”中处理。", 410)


def claim_link(model, link):
    """Mark the link used (conditional UPDATE: of two uses at once, one wins)."""
    result = db.session.execute(
        model.__table__.update().where(model.id == link.id, model.used_at.is_(None)).values(used_at=clock.now()))
    return result.rowcount == 1


def decide_by_link(claim, decide, recheck, refused_types):
    """The POST of a link page: claim the link, then call the decision function
    (the one the review page uses), in the caller's transaction. Returns None
    when decided (the caller commits), else the LinkRefused to show, after a
    rollback: why the link cannot decide now if a fresh `recheck` says so,
    else the decision function's own refusal (`refused_types`)."""
    try:
        if not claim():
            raise LinkRefused("used", "链接已使用", "此审核链接刚刚已被使用，每个链接只能使用一次。", 410)
        decide()
    except LinkRefused as refusal:
        db.session.rollback()
        return refusal
    except refused_types as exc:
        db.session.rollback()
        try:
            recheck()
        except LinkRefused as refusal:
            return refusal
        return LinkRefused(getattr(exc, "code", "refused"), "未能记录审核意见", getattr(exc, "message", str(exc)))
    return None
