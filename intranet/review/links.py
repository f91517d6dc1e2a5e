"""Email decision links (R-35).

A link is an itsdangerous token (purpose salt) carrying only ids: the
`review_link` row id and a random nonce. The row binds the link to one person,
one step, one revision and one action, holds its expiry (LANMU_REVIEW_LINK_WORKDAYS
working days, default 5) and records its single use. A GET only shows the page;
the decision is the POST from that page.

check() returns the link or raises LinkRefused with a `code` and a Chinese
title and text: invalid, used, foreign, decided, stale, expired."""
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


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


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
    their number: one insert of every link row, one select of their ids (found
    by their random nonces). Returns [{action: token}] in the order of `pairs`."""
    if not pairs:
        return []
    now = clock.now()
    expires = expiry_from(now)
    rows = [{"nonce": secrets.token_hex(16), "step_id": step.id, "user_id": user.id,
             "revision_no": step.run.revision_no, "action": action, "created_at": now, "expires_at": expires,
             "used_at": None}
            for step, user in pairs for action in ACTIONS]
    db.session.execute(DecisionLink.__table__.insert(), rows)
    ids = dict(db.session.execute(
        db.select(DecisionLink.nonce, DecisionLink.id)
        .where(DecisionLink.step_id.in_(sorted({step.id for step, _user in pairs})),
               DecisionLink.created_at == now)).all())
    serializer = _serializer()
    out, rows_iter = [], iter(rows)
    for _pair in pairs:
        tokens = {}
        for action in ACTIONS:
            row = next(rows_iter)
            tokens[action] = serializer.dumps({"l": ids[row["nonce"]], "n": row["nonce"]})
        out.append(tokens)
    return out


def load(token):
    try:
        data = _serializer().loads(token)
        link = db.session.get(DecisionLink, int(data["l"]))
        nonce = str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        link, nonce = None, ""
    if link is None or not hmac.compare_digest(link.nonce, nonce):
        raise LinkRefused("invalid", "链接无效", "此审核链接无效或已损坏，请从邮件中完整复制链接，或登录系统在“待我审核”中处理。",
                          400)
    return link


def check(token, user):
    """The link if it may decide now; LinkRefused saying why not. Changes nothing."""
    link = load(token)
    step = link.step
    item = step.item
    if link.used_at is not None:
        raise LinkRefused("used", "链接已使用", f"此审核链接已于{link.used_at:%Y-%m-%d %H:%M}使用过，每个链接只能使用一次。"
                          "审核结果已记录，无需再次操作。", 410)
    if user is not None and user.is_authenticated and user.id != link.user_id:
        raise LinkRefused("foreign", "不是您的审核链接",
                          f"此审核链接是发给{link.user.name}的，您当前以{user.name}的身份登录，不能使用。"
                          "如需审核，请登录系统在“待我审核”中处理。", 403)
    if not link.user.active:
        raise LinkRefused("foreign", "不是您的审核链接", "此链接收件人的账号已停用，链接不能使用。", 403)
    if not any(c.user_id == link.user_id for c in step.candidates):
        raise LinkRefused("foreign", "不是您的审核链接",
                          "该审核环节已不再由此链接的收件人负责（例如已工作交接），此链接不能使用。", 403)
    if step.status == CANCELLED or step.run.status == RUN_RESTARTED or item.revision_no != link.revision_no:
        raise LinkRefused("stale", "稿件已修改",
                          f"此链接对应的是第{link.revision_no}版，稿件之后已被修改（当前第{item.revision_no}版），"
                          "审核流程已重新开始。请按新的审核通知查看最新内容后再审核。", 409)
    if step.status != OPEN:
        who = step.decided_by.name if step.decided_by else ""
        raise LinkRefused("decided", "该环节已处理",
                          f"“{step.label}”环节已有审核意见（{who}：{step.decision_label or step.status_label}），"
                          "此链接不再有效。", 409)
    if clock.now() > link.expires_at:
        raise LinkRefused("expired", "链接已过期",
                          f"此审核链接已于{link.expires_at:%Y-%m-%d %H:%M}过期。请登录系统在“待我审核”中处理。", 410)
    return link


def mark_used(link):
    """Claim the link (conditional UPDATE: a second use in parallel fails)."""
    result = db.session.execute(
        DecisionLink.__table__.update().where(DecisionLink.id == link.id, DecisionLink.used_at.is_(None))
        .values(used_at=clock.now()))
    return result.rowcount == 1
