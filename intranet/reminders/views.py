"""My reminders (the in-app channel, always on) and, for admins, the outbox:
pending, sent and failed messages by channel, the last sweeps, and a test
message per channel (R-82, R-84). An admin of a unit sees the messages for the
people of that unit and the units below it; a system admin, or an admin of the
root unit, sees every message."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import audit, clock
from ..extensions import db
from ..org.permissions import admin_required, admin_scope
from ..outbox.models import CHANNEL_LABELS, FAILED, PENDING, STATUS_LABELS, OutboxMessage
from ..outbox.service import dispatch_once, enqueue, for_units, stats
from .engine import sweep_summary
from .models import Reminder

bp = Blueprint("reminders", __name__, url_prefix="/reminders")


@bp.route("/")
@login_required
def mine():
    rows = db.session.execute(select(Reminder).where(Reminder.user_id == current_user.id)
                              .order_by(Reminder.id.desc()).limit(200)).scalars().all()
    return render_template("reminders/mine.html", reminders=rows)


@bp.route("/read", methods=["POST"])
@login_required
def mark_read():
    for r in db.session.execute(select(Reminder).where(Reminder.user_id == current_user.id,
                                                       Reminder.read_at.is_(None))).scalars():
        r.read_at = clock.now()
    db.session.commit()
    return redirect(url_for("reminders.mine"))


@bp.route("/outbox")
@login_required
@admin_required
def outbox():
    status = request.args.get("status") or ""
    channel = request.args.get("channel") or ""
    scope = admin_scope(current_user)
    stmt = for_units(select(OutboxMessage), scope).order_by(OutboxMessage.id.desc()).limit(200)
    if status in STATUS_LABELS:
        stmt = stmt.where(OutboxMessage.status == status)
    if channel in CHANNEL_LABELS:
        stmt = stmt.where(OutboxMessage.channel == channel)
    return render_template("reminders/outbox.html", rows=db.session.execute(stmt).scalars().all(),
                           stats=stats(scope), sweeps=sweep_summary(), status=status, channel=channel,
                           statuses=STATUS_LABELS, channels=CHANNEL_LABELS, FAILED=FAILED)


@bp.route("/outbox/test", methods=["POST"])
@login_required
@admin_required
def send_test():
    channel = request.form.get("channel")
    if channel not in CHANNEL_LABELS:
        abort(400)
    ok = {"wecom": current_user.wecom_userid and current_user.notify_wecom,
          "email": current_user.email and current_user.notify_email}[channel]
    if not ok:
        flash(f"您的账号未设置{CHANNEL_LABELS[channel]}或未开启该通知渠道，无法发送测试消息。", "warning")
        return redirect(url_for("reminders.outbox"))
    enqueue(current_user, f"【测试】{CHANNEL_LABELS[channel]}通知测试", "这是一条测试消息，收到即表示通知渠道工作正常。",
            url=url_for("reminders.outbox", _external=True), urgent=True)
    # Only the chosen channel: cancel the sibling the person's other channel got.
    for row in db.session.execute(select(OutboxMessage).where(
            OutboxMessage.status == PENDING, OutboxMessage.user_id == current_user.id,
            OutboxMessage.subject.like("【测试】%"), OutboxMessage.channel != channel)).scalars():
        db.session.delete(row)
    audit.record("outbox_test", current_user, detail={"channel": channel})
    db.session.commit()
    counts = dispatch_once()
    flash(f"测试消息已提交：发送成功{counts['sent']}条，失败{counts['failed']}条，稍后重试{counts['retry']}条。", "info")
    return redirect(url_for("reminders.outbox"))


@bp.route("/outbox/<int:row_id>/retry", methods=["POST"])
@login_required
@admin_required
def retry(row_id):
    row = db.session.execute(for_units(select(OutboxMessage).where(OutboxMessage.id == row_id),
                                       admin_scope(current_user))).scalar()
    if row is None:  # no such row, or a message for someone outside the admin's units
        abort(404)
    row.status, row.next_attempt_at, row.attempts = PENDING, clock.now(), 0
    audit.record("outbox_retry", row, detail={"recipient": row.recipient})
    db.session.commit()
    flash("已重新排队发送。", "success")
    return redirect(url_for("reminders.outbox", status=FAILED))
