"""The review feature's sweep (R-80): steps waiting longer than
LANMU_REVIEW_REMIND_WORKDAYS working days remind their candidates, and each
newly reminded person gets a fresh e-mail with decision links (R-35)."""
from datetime import datetime, time

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..items.models import Item
from ..reminders.engine import Notice
from .models import OPEN, ReviewStep, StepCandidate


def sweep_waiting_steps(ctx):
    limit = current_app.config.get("LANMU_REVIEW_REMIND_WORKDAYS", 1)
    steps = db.session.execute(
        select(ReviewStep.id, ReviewStep.item_id, ReviewStep.label, ReviewStep.unit_id, ReviewStep.opened_at,
               Item.title)
        .join(Item, Item.id == ReviewStep.item_id)
        .where(ReviewStep.status == OPEN, ReviewStep.opened_at.is_not(None), ReviewStep.opened_at < ctx.now)).all()
    if not steps:
        return []
    candidates = {}
    for step_id, user_id in db.session.execute(select(StepCandidate.step_id, StepCandidate.user_id).where(
            StepCandidate.step_id.in_([s.id for s in steps]))).all():
        candidates.setdefault(step_id, []).append(user_id)
    notices = []
    for s in steps:
        due = ctx.calendar.add_workdays(s.opened_at, limit)
        due_at = datetime.combine(due.date, s.opened_at.time())
        if ctx.now < due_at or not candidates.get(s.id):
            continue
        waited = ctx.calendar.workdays_between(s.opened_at, ctx.now).count
        notices.append(Notice(
            kind="review_waiting", key=f"step:{s.id}", period=f"opened-{s.opened_at:%Y%m%d%H%M}", severity="overdue",
            title=f"稿件“{s.title}”已等待您审核（{s.label}）{waited}个工作日", text="请尽快审核。",
            url=ctx.link("review.item", item_id=s.item_id), due_at=due_at, unit_id=s.unit_id,
            users=candidates[s.id], overdue_since=due_at))
    return notices


def after_sweep(new_reminders):
    """A fresh decision-link mail for each person newly reminded of a waiting
    step: the steps (with what the mail shows) and the people in one query
    each, the mails queued together."""
    from sqlalchemy.orm import joinedload

    from ..org.models import User
    from ..sites.models import Column
    from .mailer import queue_step_mails
    wanted = [(int(r.duty_key.split(":")[1]), r.user_id) for r in new_reminders
              if r.kind == "review_waiting" and r.level == 0]
    if not wanted:
        return
    item = joinedload(ReviewStep.item)
    steps = {s.id: s for s in db.session.execute(
        select(ReviewStep).where(ReviewStep.id.in_(sorted({s for s, _u in wanted})))
        .options(joinedload(ReviewStep.run), item.joinedload(Item.column).joinedload(Column.site),
                 item.joinedload(Item.unit), item.joinedload(Item.author))).unique().scalars()}
    users = {u.id: u for u in db.session.execute(
        select(User).where(User.id.in_(sorted({u for _s, u in wanted})))).scalars()}
    queue_step_mails([(steps[s], users[u]) for s, u in wanted
                      if s in steps and steps[s].status == OPEN and u in users])


def review_counts(start, end):
    """Assessment provider (R-91): per author, submissions (runs started) and
    returns and rejections decided in [start, end)."""
    from sqlalchemy import case, func
    from .models import REJECTED, RETURNED, ReviewRun
    out = {}
    for author_id, n in db.session.execute(
            select(Item.author_id, func.count(ReviewRun.id)).join(Item, Item.id == ReviewRun.item_id)
            .where(ReviewRun.submitted_at >= start, ReviewRun.submitted_at < end).group_by(Item.author_id)).all():
        out.setdefault(author_id, {"author_id": author_id, "submitted": 0, "returned": 0, "rejected": 0})["submitted"] = n
    for author_id, returned, rejected in db.session.execute(
            select(Item.author_id, func.sum(case((ReviewStep.status == RETURNED, 1), else_=0)),
                   func.sum(case((ReviewStep.status == REJECTED, 1), else_=0)))
            .join(Item, Item.id == ReviewStep.item_id)
            .where(ReviewStep.decided_at >= start, ReviewStep.decided_at < end,
                   ReviewStep.status.in_([RETURNED, REJECTED])).group_by(Item.author_id)).all():
        row = out.setdefault(author_id, {"author_id": author_id, "submitted": 0, "returned": 0, "rejected": 0})
        row["returned"], row["rejected"] = int(returned or 0), int(rejected or 0)
    return list(out.values())
