"""The review engine (R-30..R-35, R-39, R-40, R-24, R-25).

Public functions (the only way review state changes):

- submit(item, user)                  start a run of the item's chain
- decide(step, user, decision, comment, seen_revision, via="web")
- restart(item, user)                 the item was edited in review (R-34); wired to `item_edited`
- publish_due(now=None)               the scheduler's entry: scheduled items (R-40) and expiry (R-25)
- withdraw(item, user, reason)        R-39
- reopen(item, user)                  a withdrawn/expired item back to draft for correction
- hand_over_steps(old, new)           wired to `handing_over`

Every refusal raises ReviewRefused (a Chinese `message`, a `code`). Callers
commit; email for newly opened steps is queued on the session and sent after
the commit (mailer.py)."""
from flask import current_app
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, or_

from .. import audit, clock
from ..extensions import db
from ..items.models import (APPROVED as ITEM_APPROVED, DRAFT, EXPIRED, IN_REVIEW, PUBLISHED, REJECTED as
                            ITEM_REJECTED, RETURNED as ITEM_RETURNED, WITHDRAWN, Item)
from ..org import roles
from ..org.models import RoleAssignment, User
from ..org.permissions import can_edit_item, can_publish
from ..signals import item_published, item_withdrawn
from . import chains
from .models import (APPROVE, APPROVE_COMMENT, APPROVED, CANCELLED, DECISION_LABELS, LEDGER_EXPIRE,
                     LEDGER_PUBLISH, LEDGER_REPUBLISH, LEDGER_WITHDRAW, OPEN, PENDING, REJECT, REJECTED, RETURN,
                     RETURNED, RUN_ACTIVE, RUN_APPROVED, RUN_REJECTED, RUN_RESTARTED, RUN_RETURNED, SKIPPED,
                     LedgerEntry, ReviewRun, ReviewSeen, ReviewStep, SecrecyRecord, StepCandidate)

DECISIONS = (APPROVE, APPROVE_COMMENT, RETURN, REJECT)


class ReviewRefused(Exception):
    code = "refused"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class AlreadyDecided(ReviewRefused):
    code = "decided"


class StaleRevision(ReviewRefused):
    code = "stale"


class FourEyes(ReviewRefused):
    code = "four_eyes"


class NotYourStep(ReviewRefused):
    code = "foreign"


class NotAllowed(ReviewRefused):
    """The person may not do this to the item at all (pages answer 403)."""
    code = "forbidden"


class ClassifiedRefused(ReviewRefused):
    code = "classified"


class ContentRefused(ReviewRefused):
    code = "content"


def _app():
    return current_app._get_current_object()


# -- who ---------------------------------------------------------------------

def authors_of(item):
    """The author and everyone who saved a revision: none of them may decide (R-34 four-eyes)."""
    ids = {item.author_id}
    ids.update(r.author_id for r in item.revisions)
    return ids


def active_run(item):
    return db.session.execute(
        db.select(ReviewRun).filter_by(item_id=item.id, status=RUN_ACTIVE).order_by(ReviewRun.number.desc())
    ).scalars().first()


def open_step(item):
    run = active_run(item)
    if run is None:
        return None
    return next((s for s in run.steps if s.status == OPEN), None)


def is_candidate(step, user):
    return user is not None and user.is_authenticated and any(c.user_id == user.id for c in step.candidates)


# -- R-24 ----------------------------------------------------------------------

def classified_reasons(item):
    """Why this item can never be published (R-24); empty when it may be."""
    from . import markings
    reasons = []
    if item.classification:
        from ..items.models import CLASSIFICATION_LABELS
        reasons.append(f"信息标有密级“{CLASSIFICATION_LABELS.get(item.classification, item.classification)}”")
    reasons.extend(markings.find(item))
    return reasons


# -- submit --------------------------------------------------------------------

def content_check(item, user, form, *, for_publish, context):
    """Content checks (R-24, R-50..R-52) before submission and publication:
    block-level findings refuse; warn-level ones must be confirmed on the form
    (the confirmation is recorded with the person and revision)."""
    from ..checks.service import acknowledge_from_form, check_item
    report = check_item(item)
    if report.needs_acknowledgement and not acknowledge_from_form(item, user, report, form or {}, context=context):
        raise ReviewRefused("内容检查有提示需要确认：请逐项核对后勾选“我已核对以上提示”再提交。")
    if for_publish:
        report = check_item(item, for_publish=True)
    if not report.ok:
        raise ContentRefused(("内容检查未通过，不能发布：" if for_publish else "内容检查未通过，请修改后再提交：")
                             + "；".join(report.blocking))


def submit(item, user, form=None):
    from ..items.service import submission_errors
    if item.status not in (DRAFT, ITEM_RETURNED):
        raise ReviewRefused(f"该信息当前状态为“{item.status_label}”，不能提交审核。")
    if not can_edit_item(user, item):
        raise NotAllowed("您没有提交该信息的权限。")
    errors = submission_errors(item)
    if errors:
        raise ReviewRefused("提交审核前还需补充：" + "；".join(errors))
    reasons = classified_reasons(item)
    if reasons:
        raise ClassifiedRefused("涉密信息一律不得上网发布，不能提交审核：" + "；".join(reasons))
    content_check(item, user, form, for_publish=False, context="submit")
    run = _new_run(item, user)
    item.status = IN_REVIEW
    audit.record("review_submitted", item, detail={"run": run.number, "revision": run.revision_no,
                                                   "chain": run.chain_source}, user=user)
    _open_next(run)
    return run


def _new_run(item, user):
    specs, source = chains.effective_chain(item.column, item.importance)
    number = (db.session.execute(db.select(func.max(ReviewRun.number)).filter_by(item_id=item.id)).scalar()
              or 0) + 1
    run = ReviewRun(item_id=item.id, number=number, revision_no=item.revision_no, importance=item.importance,
                    chain_source=source, submitted_by_id=user.id, submitted_at=clock.now())
    db.session.add(run)
    labels = chains.step_labels(specs)
    for pos, (spec, label) in enumerate(zip(specs, labels), start=1):
        unit = chains.resolve_unit(spec, item)
        run.steps.append(ReviewStep(item_id=item.id, position=pos, kind=spec.kind, label=label, role=spec.role,
                                    unit_id=unit.id if unit else None, status=PENDING))
    db.session.flush()
    return run


def _open_next(run):
    """Open the next pending step (skipping steps with no such unit); complete the run when none is left."""
    from . import mailer
    item = run.item
    now = clock.now()
    for step in run.steps:
        if step.status != PENDING:
            continue
        if step.unit_id is None:
            step.status = SKIPPED
            step.note = "无上级单位，本环节不适用" if step.kind == chains.HIGHER_OFFICE else "未找到对应单位"
            continue
        excluded = authors_of(item)
        if chains.distinct_deciders():
            excluded |= {s.decided_by_id for s in run.steps if s.decided_by_id}
        people = chains.candidates_for(step.kind, step.role, step.unit, item, excluded)
        step.status = OPEN
        step.opened_at = now
        for p in people:
            step.candidates.append(StepCandidate(user_id=p.id))
        if not people:
            step.note = "没有符合条件的审核人（须由作者以外的人员担任），请管理员配置角色"
        db.session.flush()
        for p in people:
            mailer.queue_step_mail(step, p)
        return step
    _complete(run)
    return None


def reresolve(step, by):
    """Ask again who may decide an open step (after an admin fixed roles); returns the people."""
    from . import mailer
    if step.status != OPEN:
        raise AlreadyDecided("该审核环节已处理，无需重新确定审核人。")
    run, item = step.run, step.item
    excluded = authors_of(item)
    if chains.distinct_deciders():
        excluded |= {s.decided_by_id for s in run.steps if s.decided_by_id}
    people = chains.candidates_for(step.kind, step.role, step.unit, item, excluded)
    have = {c.user_id for c in step.candidates}
    for c in list(step.candidates):
        if c.user_id not in {p.id for p in people}:
            step.candidates.remove(c)
    for p in people:
        if p.id not in have:
            step.candidates.append(StepCandidate(user_id=p.id))
    step.note = "" if people else "没有符合条件的审核人（须由作者以外的人员担任），请管理员配置角色"
    db.session.flush()
    for p in people:
        if p.id not in have:
            mailer.queue_step_mail(step, p)
    audit.record("review_reresolved", item, user=by, detail={"step": step.label, "people": [p.username for p in people]})
    return people


# -- decide --------------------------------------------------------------------

def decide(step, user, decision, comment="", seen_revision=None, via="web", form=None):
    """Record one decision on an open step. Exactly one decision per step wins
    (a conditional UPDATE open -> decided); the loser gets AlreadyDecided."""
    comment = (comment or "").strip()
    run, item = step.run, step.item
    if step.status == CANCELLED or run.status == RUN_RESTARTED:
        raise StaleRevision("稿件在提交后已被修改，审核流程已重新开始，此环节已作废。")
    if step.status != OPEN:
        who = step.decided_by.name if step.decided_by else ""
        raise AlreadyDecided(f"该审核环节已处理（{who}：{step.decision_label or step.status_label}），不能重复审核。")
    if user.id in authors_of(item):
        raise FourEyes("不能审核自己撰写或修改过的信息（四眼原则）。")
    if not is_candidate(step, user):
        raise NotYourStep("您不是该审核环节的审核人。")
    if item.revision_no != run.revision_no or (seen_revision is not None and int(seen_revision) != run.revision_no):
        raise StaleRevision(f"稿件已修改（当前第{item.revision_no}版），请刷新页面查看最新内容后再审核。")
    if decision not in DECISIONS:
        raise ReviewRefused("请选择审核意见。")
    if decision in (APPROVE_COMMENT, RETURN, REJECT) and not comment:
        raise ReviewRefused(f"选择“{DECISION_LABELS[decision]}”时请填写意见。")
    if decision == APPROVE and comment:
        decision = APPROVE_COMMENT
    publishing = step.kind == chains.PUBLISH and decision in (APPROVE, APPROVE_COMMENT)
    if publishing:
        reasons = classified_reasons(item)
        if reasons:
            raise ClassifiedRefused("涉密信息一律不得上网发布：" + "；".join(reasons))
        content_check(item, user, form, for_publish=True, context="publish")

    now = clock.now()
    new_status = {APPROVE: APPROVED, APPROVE_COMMENT: APPROVED, RETURN: RETURNED, REJECT: REJECTED}[decision]
    try:
        # The audit entry first: on PostgreSQL it takes the audit lock, which
        # serialises this transaction with every other writer (no lock-order deadlock).
        audit.record("review_decided", item, user=user,
                     detail={"step": step.label, "decision": decision, "comment": comment,
                             "revision": run.revision_no, "via": via})
        result = db.session.execute(
            ReviewStep.__table__.update()
            .where(ReviewStep.id == step.id, ReviewStep.status == OPEN)
            .values(status=new_status, decided_by_id=user.id, decided_at=now, decision=decision, comment=comment,
                    revision_no=run.revision_no, via=via))
        won = result.rowcount == 1
    except sa_exc.OperationalError:  # SQLite: another writer got there first
        won = False
    if not won:
        db.session.rollback()
        raise AlreadyDecided("该审核环节刚刚已由他人处理，您的意见未记录。请刷新页面查看。")
    db.session.refresh(step)
    _mark_seen(user, item, run.revision_no)
    if step.kind == chains.SECRECY:
        db.session.add(SecrecyRecord(item_id=item.id, run_id=run.id, step_id=step.id, revision_no=run.revision_no,
                                     title=item.title, reviewer_id=user.id, decision=decision, comment=comment,
                                     at=now))
    if new_status == APPROVED:
        if step.kind == chains.PUBLISH:
            _complete(run, publisher=user)
        else:
            _open_next(run)
    else:
        _finish(run, RUN_RETURNED if new_status == RETURNED else RUN_REJECTED, now)
        item.status = ITEM_RETURNED if new_status == RETURNED else ITEM_REJECTED
        from ..notify import notify
        what = "退回修改" if new_status == RETURNED else "不予发布"
        notify([item.author], f"您的稿件被{what}：{item.title}",
               f"{user.name}（{step.label}）：{comment}", _item_path(item))
    db.session.flush()
    return step


def _finish(run, status, now):
    run.status = status
    run.finished_at = now


def _mark_seen(user, item, revision_no):
    seen = db.session.execute(db.select(ReviewSeen).filter_by(user_id=user.id, item_id=item.id)).scalar()
    if seen is None:
        db.session.add(ReviewSeen(user_id=user.id, item_id=item.id, revision_no=revision_no, at=clock.now()))
    else:
        seen.revision_no, seen.at = revision_no, clock.now()


def _item_path(item):
    from .mailer import build_url
    return build_url("items.view", item_id=item.id)


# -- completing and publishing -------------------------------------------------

def _complete(run, publisher=None):
    item = run.item
    now = clock.now()
    _finish(run, RUN_APPROVED, now)
    if item.publish_at and item.publish_at > now:
        item.status = ITEM_APPROVED
        audit.record("item_scheduled", item, user=publisher,
                     detail={"publish_at": item.publish_at.isoformat(), "run": run.number})
        return
    item.status = PUBLISHED
    _record_publication(item, run, publisher, now)


def _record_publication(item, run, publisher, now, reason=""):
    """Bookkeeping of one publication: times (R-40), archive (R-38), ledger (R-37), signal."""
    from .archive import archive_item
    republish = item.first_published_at is not None
    if item.first_published_at is None:
        item.first_published_at = now  # written once, never rewritten
    item.published_at = now
    pub = archive_item(item, run, publisher, now)
    _ledger(LEDGER_REPUBLISH if republish else LEDGER_PUBLISH, item, publisher, now, pub, reason)
    audit.record("item_published", item, user=publisher,
                 detail={"revision": item.revision_no, "publication": pub.number, "reason": reason})
    item_published.send(_app(), item=item, user=publisher)
    return pub


def _ledger(action, item, user, now, publication=None, reason=""):
    entry = LedgerEntry(at=now, action=action, item_id=item.id, publication_id=publication.id if publication else None,
                        site_id=item.column.site_id, column_id=item.column_id, unit_id=item.unit_id,
                        user_id=user.id if user else None, title=item.title, revision_no=item.revision_no,
                        reason=reason or "")
    db.session.add(entry)
    return entry


def publish_due(now=None):
    """Publish approved items whose time has come (R-40) and take expired items
    off the site (R-25). Set-based selection, one short transaction per item;
    safe to run on several nodes at once (each item is claimed by a
    conditional UPDATE). Returns {"published": [...ids], "expired": [...ids]}."""
    now = now or clock.now()
    done = {"published": [], "expired": []}
    due = db.session.execute(
        db.select(Item.id).filter(Item.status == ITEM_APPROVED, or_(Item.publish_at.is_(None), Item.publish_at <= now))
        .order_by(Item.publish_at, Item.id)).scalars().all()
    for item_id in due:
        claimed = db.session.execute(
            Item.__table__.update().where(Item.id == item_id, Item.status == ITEM_APPROVED)
            .values(status=PUBLISHED)).rowcount
        if claimed != 1:
            db.session.rollback()
            continue
        item = db.session.get(Item, item_id)
        db.session.refresh(item)
        if classified_reasons(item):  # R-24, whatever happened since approval
            item.status = ITEM_RETURNED
            audit.record("publish_refused_classified", item, detail={"reasons": classified_reasons(item)})
            db.session.commit()
            continue
        from ..checks.service import check_item
        from ..notify import notify
        from . import mailer
        report = check_item(item, for_publish=True)  # a lexicon may have changed since approval
        if not report.ok:
            item.status = ITEM_RETURNED
            audit.record("publish_refused_content", item, detail={"blocking": report.blocking})
            notify([item.author], f"定时发布未完成：{item.title}",
                   "内容检查未通过，稿件已退回：" + "；".join(report.blocking),
                   url=mailer.build_url("items.view", external=True, item_id=item.id))
            db.session.commit()
            continue
        run = db.session.execute(db.select(ReviewRun).filter_by(item_id=item.id, status=RUN_APPROVED)
                                 .order_by(ReviewRun.number.desc())).scalars().first()
        publisher = None
        if run is not None:
            publisher = next((s.decided_by for s in run.steps if s.kind == chains.PUBLISH and s.decided_by), None)
        _record_publication(item, run, publisher, now, reason="定时发布")
        db.session.commit()
        done["published"].append(item_id)

    expired = db.session.execute(
        db.select(Item.id).filter(Item.status == PUBLISHED, Item.expires_at.is_not(None), Item.expires_at <= now)
        .order_by(Item.id)).scalars().all()
    for item_id in expired:
        claimed = db.session.execute(
            Item.__table__.update().where(Item.id == item_id, Item.status == PUBLISHED).values(status=EXPIRED)).rowcount
        if claimed != 1:
            db.session.rollback()
            continue
        item = db.session.get(Item, item_id)
        db.session.refresh(item)
        _ledger(LEDGER_EXPIRE, item, None, now, reason=f"有效期至{item.expires_at:%Y-%m-%d %H:%M}，已自动下线")
        audit.record("item_expired", item, detail={"expires_at": item.expires_at.isoformat()})
        item_withdrawn.send(_app(), item=item, user=None)
        db.session.commit()
        done["expired"].append(item_id)
    return done


# -- restart (R-34) ------------------------------------------------------------

def restart(item, user):
    """The item changed while in review: void the running chain and start again from the first step."""
    run = active_run(item)
    if run is None:
        return None
    db.session.execute(
        ReviewStep.__table__.update()
        .where(ReviewStep.run_id == run.id, ReviewStep.status.in_([PENDING, OPEN])).values(status=CANCELLED))
    db.session.expire(run, ["steps"])
    _finish(run, RUN_RESTARTED, clock.now())
    new = _new_run(item, user)
    audit.record("review_restarted", item, user=user,
                 detail={"old_run": run.number, "new_run": new.number, "revision": item.revision_no})
    _open_next(new)
    return new


def on_item_edited(sender, item, user, **_):
    if item.status == IN_REVIEW:
        restart(item, user)


# -- withdraw (R-39) -----------------------------------------------------------

HIGHER_WITHDRAW_ROLES = {roles.WEBMASTER, roles.LEADER, roles.PRINCIPAL, roles.DEPT_HEAD}


def can_withdraw(user, item):
    """Webmasters of the site (or a publish grant), or the higher-level office:
    a webmaster, head or leader of a unit above the item's unit."""
    if not user or not user.is_authenticated:
        return False
    if can_publish(user, item.column):
        return True
    higher = {u.id for u in item.unit.ancestors()}
    return any(m.role in HIGHER_WITHDRAW_ROLES and m.unit_id in higher for m in user.memberships)


def withdraw(item, user, reason):
    reason = (reason or "").strip()
    if not can_withdraw(user, item):
        raise NotAllowed("只有网站管理员或上级单位可以撤回信息。")
    if not reason:
        raise ReviewRefused("请填写撤回原因。")
    if item.status not in (PUBLISHED, ITEM_APPROVED):
        raise ReviewRefused(f"该信息当前状态为“{item.status_label}”，不能撤回。")
    was = item.status
    claimed = db.session.execute(
        Item.__table__.update().where(Item.id == item.id, Item.status == was).values(status=WITHDRAWN)).rowcount
    if claimed != 1:
        db.session.rollback()
        raise AlreadyDecided("该信息刚刚已被他人撤回或状态已变化，请刷新页面。")
    db.session.refresh(item)
    now = clock.now()
    if was == PUBLISHED:
        _ledger(LEDGER_WITHDRAW, item, user, now, reason=reason)
    audit.record("item_withdrawn", item, user=user, detail={"reason": reason, "was": was})
    item_withdrawn.send(_app(), item=item, user=user)
    from ..notify import notify
    people = {item.author}
    people.update(db.session.execute(
        db.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .filter(RoleAssignment.unit_id == item.unit_id,
                RoleAssignment.role.in_([roles.OFFICER, roles.LIAISON, roles.DEPT_HEAD]),
                User.active.is_(True))).scalars())
    on_duty = _app().extensions.get("lanmu_on_duty")  # the people on duty hear of withdrawals too
    if on_duty:
        people.update(db.session.get(User, uid) for uid in on_duty(now))
    notify(sorted(people, key=lambda u: u.id), f"信息已撤回：{item.title}",
           f"{user.name}于{now:%Y-%m-%d %H:%M}撤回了“{item.title}”（{item.column.name}）。撤回原因：{reason}",
           _item_path(item), urgent=True)
    return item


def reopen(item, user):
    """A withdrawn or expired item back to draft, so it can be corrected and go through review again."""
    if item.status not in (WITHDRAWN, EXPIRED):
        raise ReviewRefused(f"该信息当前状态为“{item.status_label}”，不能重新编辑。")
    if not (item.author_id == user.id or can_edit_item_when_draft(user, item)):
        raise NotAllowed("您没有编辑该信息的权限。")
    item.status = DRAFT
    audit.record("item_reopened", item, user=user)
    return item


def can_edit_item_when_draft(user, item):
    from ..org.permissions import can_draft
    return can_draft(user, item.column)


# -- hand-over (R-03) ----------------------------------------------------------

def hand_over_steps(sender, old, new, **_):
    """Open steps that waited for `old` now wait for `new` (unless `new` wrote the item)."""
    from . import mailer
    rows = db.session.execute(
        db.select(StepCandidate).join(ReviewStep).filter(StepCandidate.user_id == old.id,
                                                         ReviewStep.status.in_([OPEN, PENDING]))).scalars().all()
    moved = 0
    for cand in rows:
        step = cand.step
        already = any(c.user_id == new.id for c in step.candidates)
        db.session.delete(cand)
        if not already and new.id not in authors_of(step.item):
            db.session.add(StepCandidate(step_id=step.id, user_id=new.id))
            moved += 1
            db.session.flush()
            if step.status == OPEN:
                mailer.queue_step_mail(step, new)
    db.session.flush()
    return f"待审核环节{moved}个" if rows else None
