"""站内消息: the list of my messages; opening one marks it read."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock
from ..extensions import db
from ..ui import local_path, page_arg
from .inbox import InboxMessage, unread_count

bp = Blueprint("notify", __name__, url_prefix="/inbox")
PAGE_SIZE = 50


@bp.app_context_processor
def _unread():
    if current_user and current_user.is_authenticated:
        return {"inbox_unread": unread_count(current_user)}
    return {"inbox_unread": 0}


@bp.route("/")
@login_required
def index():
    page = page_arg()
    rows = db.session.execute(
        db.select(InboxMessage).filter_by(user_id=current_user.id)
        .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars().all()
    return render_template("notify/inbox.html", messages=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE)


@bp.route("/<int:message_id>/open", methods=["POST"])
@login_required
def open_message(message_id):
    msg = db.session.get(InboxMessage, message_id)
    if msg is None or msg.user_id != current_user.id:
        abort(404)
    if msg.read_at is None:
        msg.read_at = clock.now()
        db.session.commit()
    target = local_path(msg.url)
    if target:
        return redirect(target)
    if msg.url:  # a link to somewhere else is never followed (no open redirect): the message is shown
        flash(f"“{msg.subject}”所附链接不是本系统内的地址，未打开：{msg.url}", "warning")
    return redirect(url_for("notify.index", _anchor=f"message-{msg.id}"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    db.session.execute(InboxMessage.__table__.update()
                       .where(InboxMessage.user_id == current_user.id, InboxMessage.read_at.is_(None))
                       .values(read_at=clock.now()))
    db.session.commit()
    return redirect(url_for("notify.index"))
