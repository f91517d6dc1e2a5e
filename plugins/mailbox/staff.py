"""Staff pages for the public's messages (R-71..R-73): the list with every
message's age and deadlines, and one page per message to assign or transfer
it, mark escalation, keep internal notes, draft the reply and have it approved,
publish it and promote it to a FAQ column; and the page an e-mail decision
link opens (links.py: GET shows, the POST from it decides)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from intranet import clock
from intranet.columntypes import get_type
from intranet.extensions import db
from intranet.items import storage
from intranet.org.models import Unit
from intranet.org.permissions import can_draft
from intranet.org.views import unit_choices
from intranet.sites.models import Column

from . import links, review, service
from .forms import EscalateForm, FaqForm, InvalidForm, NoteForm, ReplyForm, ReviewForm, RouteForm, UnpublishForm
from .models import (ANSWERED, ASSIGNED, IN_REVIEW, OPEN, RECEIVED, STATUS_LABELS, STEP_OPEN, Message, Reply,
                     ReplyCandidate, ReplyStep)
from .permissions import can_approve, can_handle, can_route, can_view, is_dispatcher

bp = Blueprint("mailbox_staff", __name__, url_prefix="/mailbox")


def mailbox_columns():
    return db.session.execute(db.select(Column).filter_by(type="mailbox", archived=False)
                              .order_by(Column.site_id, Column.sort_order, Column.id)).scalars().all()


def visible_messages_query(user):
    """Messages a person may see: every message of the mailboxes they dispatch,
    those assigned to their units, and those whose reply waits for their review."""
    stmt = db.select(Message)
    if user.is_sysadmin:
        return stmt
    units = list(user.unit_ids())
    # a union of two index lookups: an OR of the two would read every message (and on PostgreSQL
    # with ORDER BY received_at LIMIT n, walk them all when the person sees few)
    mine = db.union(db.select(Message.id).filter(Message.column_id.in_(dispatched_columns(user))),
                    db.select(Message.id).filter(Message.unit_id.in_(units)),
                    awaiting_review_ids(user))
    return stmt.filter(Message.id.in_(mine))


def dispatched_columns(user):
    """The ids of the live mailbox columns `user` dispatches (is_dispatcher), as
    a subquery: a drafting or overseeing role in the column's unit, a draft
    grant, or an admin role in the unit or above it."""
    from intranet.org import roles
    from intranet.sites.models import ColumnGrant

    from .permissions import OVERSEEING_ROLES
    units = {m.unit_id for m in user.memberships if m.role in roles.DRAFTING_ROLES | OVERSEEING_ROLES}
    admin_units = {m.unit_id for m in user.memberships
                   if m.role in (roles.SYSADMIN, roles.WEBMASTER, roles.SITE_ADMIN)}
    if admin_units:  # manages_unit: the admin's units and everything below them (one query for the tree)
        children = {}
        for unit_id, parent_id in db.session.execute(db.select(Unit.id, Unit.parent_id)).all():
            children.setdefault(parent_id, []).append(unit_id)
        frontier = list(admin_units)
        while frontier:
            for child in children.get(frontier.pop(), ()):
                if child not in admin_units:
                    admin_units.add(child)
                    frontier.append(child)
        units |= admin_units
    live = (Column.type == "mailbox", Column.archived.is_(False))
    return db.union(  # two index lookups, not an OR over every column
        db.select(Column.id).filter(Column.unit_id.in_(sorted(units)), *live),
        db.select(Column.id).join(ColumnGrant, ColumnGrant.column_id == Column.id)
        .filter(ColumnGrant.user_id == user.id, ColumnGrant.permission == ColumnGrant.DRAFT, *live))


def awaiting_review_ids(user):
    """The messages whose reply waits for `user` at its open review step (a subquery)."""
    return (db.select(ReplyStep.message_id).join(ReplyCandidate, ReplyCandidate.step_id == ReplyStep.id)
            .filter(ReplyStep.status == STEP_OPEN, ReplyCandidate.user_id == user.id))


def rows_for(messages, cal):
    now = clock.now()
    rows = []
    for m in messages:
        d = service.message_deadlines(m, cal)
        days, waited = service.age(m, cal, now)
        rows.append({"message": m, "deadlines": d, "days": days, "waited": waited.count,
                     "transfer_overdue": m.status == RECEIVED and now.date() > d.transfer.date,
                     "reply_overdue": m.status in OPEN and now.date() > d.reply.date,
                     "veto": m.status in OPEN and now.date() > d.veto})
    return rows


def _form_id(name):
    """A positive database id from the form, or None (out-of-range numbers too)."""
    value = request.form.get(name, type=int)
    return value if value is not None and 0 < value < 2 ** 31 else None


def _message_or_404(message_id):
    message = db.session.get(Message, message_id)
    if message is None:
        abort(404)
    if not can_view(current_user, message):
        abort(403, "您无权查看该留言。")
    return message


@bp.route("/")
@login_required
def index():
    from intranet.workdays.service import calendar
    status = request.args.get("status", "open")
    stmt = visible_messages_query(current_user)
    if status == "open":
        stmt = stmt.filter(Message.status.in_(OPEN))
    elif status == "mine":
        stmt = stmt.filter(Message.id.in_(awaiting_review_ids(current_user)))
    elif status in STATUS_LABELS:
        stmt = stmt.filter(Message.status == status)
    messages = db.session.execute(stmt.order_by(Message.received_at).limit(500)).scalars().all()
    mine = set(db.session.execute(awaiting_review_ids(current_user)).scalars())
    return render_template("mailbox/staff_index.html", rows=rows_for(messages, calendar()), status=status,
                           statuses=STATUS_LABELS, mine=mine)


@bp.route("/<int:message_id>")
@login_required
def view(message_id):
    from intranet.workdays.service import calendar
    message = _message_or_404(message_id)
    cal = calendar()
    user = current_user
    route_form = RouteForm()
    route_form.unit_id.choices = [c for c in unit_choices(db.session.execute(
        db.select(Unit).filter_by(active=True).order_by(Unit.sort_order, Unit.id)).scalars().all())
        if c[0] != message.unit_id or message.status == RECEIVED]
    faq_form = FaqForm()
    faq_form.column_id.choices = [(c.id, c.name) for c in message.column.site.columns.filter_by(archived=False)
                                  .order_by(Column.sort_order) if get_type(c.type).has_items and can_draft(user, c)]
    reply_form = ReplyForm()
    if message.wants_privacy:
        reply_form.publish.data = False
    last = message.replies[-1] if message.replies else None
    if last is not None and last.status == Reply.RETURNED and message.status == ASSIGNED and not reply_form.text.data:
        reply_form.text.data = last.text  # returned for changes: revise it
        reply_form.publish.data = last.publish_requested
    pending = message.pending_reply
    review_form = ReviewForm()
    if pending is not None and pending.open_step is not None:
        review_form.step_id.data = pending.open_step.id
    return render_template(
        "mailbox/staff_message.html", message=message, row=rows_for([message], cal)[0],
        route_form=route_form, escalate_form=EscalateForm(), note_form=NoteForm(), reply_form=reply_form,
        review_form=review_form, invalid_form=InvalidForm(), unpublish_form=UnpublishForm(), faq_form=faq_form,
        may_route=can_route(user, message), may_handle=can_handle(user, message) and message.status == ASSIGNED,
        may_review=pending is not None and message.status == IN_REVIEW and can_approve(user, pending),
        pending=pending, open_step=pending.open_step if pending is not None else None,
        chain_labels=review.chain_labels(message.column), dispatcher=is_dispatcher(user, message.column),
        ANSWERED=ANSWERED, RECEIVED=RECEIVED, ASSIGNED=ASSIGNED, OPEN=OPEN)


def _done(message, text):
    db.session.commit()
    flash(text, "success")
    return redirect(url_for("mailbox_staff.view", message_id=message.id))


def _refused(message, text):
    db.session.rollback()
    flash(text, "danger")
    return redirect(url_for("mailbox_staff.view", message_id=message.id))


@bp.route("/<int:message_id>/route", methods=["POST"])
@login_required
def route(message_id):
    message = _message_or_404(message_id)
    if not can_route(current_user, message):
        abort(403, "您无权分办或转办该留言。")
    form = RouteForm()
    unit_id = _form_id("unit_id")
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None or not unit.active:
        return _refused(message, "请选择承办单位。")
    try:
        event = service.route_message(message, unit, current_user, form.note.data or "")
    except service.MailboxError as exc:
        return _refused(message, str(exc))
    late = "（已超过转交期限，记为逾期）" if event.late else ""
    response = _done(message, f"已{'分办' if event.action == 'assigned' else '转办'}至“{unit.name}”{late}。")
    if not can_view(current_user, message):  # handed to a unit this person has no part in
        return redirect(url_for("mailbox_staff.index"))
    return response


@bp.route("/<int:message_id>/escalate", methods=["POST"])
@login_required
def escalate(message_id):
    message = _message_or_404(message_id)
    if not (can_handle(current_user, message) or is_dispatcher(current_user, message.column)):
        abort(403)
    try:
        service.mark_escalation(message, current_user, request.form.get("note", ""))
    except service.MailboxError as exc:
        return _refused(message, str(exc))
    return _done(message, "已标记为需逐级请示。")


@bp.route("/<int:message_id>/notes", methods=["POST"])
@login_required
def note(message_id):
    message = _message_or_404(message_id)
    try:
        service.add_note(message, current_user, request.form.get("text", ""))
    except service.MailboxError as exc:
        return _refused(message, str(exc))
    return _done(message, "备注已保存（仅内部可见）。")


@bp.route("/<int:message_id>/reply", methods=["POST"])
@login_required
def reply(message_id):
    message = _message_or_404(message_id)
    form = ReplyForm()
    try:
        review.submit_reply_for_review(message, request.form.get("text", ""), current_user,
                                       publish=bool(form.publish.data))
    except service.MailboxError as exc:
        return _refused(message, str(exc))
    labels = [s.label for s in message.replies[-1].steps]
    return _done(message, f"答复已提交{labels[0]}（审核流程：{' → '.join(labels)}）。")


@bp.route("/<int:message_id>/review", methods=["POST"])
@login_required
def decide(message_id):
    message = _message_or_404(message_id)
    pending = message.pending_reply
    if pending is None:
        return _refused(message, "没有待审核的答复。")
    form = ReviewForm()
    step_id = _form_id("step_id")
    seen = db.session.get(ReplyStep, step_id) if step_id else None
    if step_id and (seen is None or seen.reply_id != pending.id):
        return _refused(message, "该审核环节已处理，请刷新页面查看。")
    decision, comment = form.decision.data, form.comment.data or ""
    try:
        if decision == "return":
            review.return_reply(pending, current_user, comment, step=seen)
            text = "答复已退回修改。"
        elif decision == "reject":
            review.reject_reply(pending, current_user, comment, step=seen)
            text = "答复已不予采用，承办单位需重新答复。"
        else:
            step = pending.open_step
            review.approve_reply(pending, current_user, comment, step=seen)
            if pending.status == Reply.APPROVED:
                text = "答复已审核通过" + ("，已记为逾期答复" if message.reply_late else "") + \
                       ("，并已公开。" if message.is_public else "。")
            else:
                text = f"已同意（{step.label}），答复已提交{pending.open_step.label}。"
    except service.MailboxError as exc:
        return _refused(message, str(exc))
    return _done(message, text)


@bp.route("/link/<token>", methods=["GET", "POST"])
def link(token):
    """A reply review step's e-mail decision link (no sign-in needed: the link
    is bound to its addressee). GET shows the question and the drafted reply
    and one button; only the POST decides, through review.decide_reply."""
    try:
        lk = links.check(token, current_user)
    except links.LinkRefused as refusal:
        return _link_refused(refusal)
    step = lk.step
    reply, message = step.reply, step.reply.message
    error = None
    if request.method == "POST":
        comment = (request.form.get("comment") or "").strip()
        if lk.action != links.APPROVE and not comment:
            error = "请填写意见后再提交。"
        else:
            refusal = links.decide(lk, token, current_user, comment)
            if refusal is not None:
                return _link_refused(refusal)
            db.session.commit()
            if reply.status == Reply.APPROVED:
                outcome = "答复已审核通过，已告知来信人" + ("并已公开。" if message.is_public else "。")
            elif reply.open_step is not None:
                outcome = f"答复已提交{reply.open_step.label}。"
            elif reply.status == Reply.RETURNED:
                outcome = "答复已退回起草人修改。"
            else:
                outcome = "答复不予采用，承办单位需重新答复。"
            return render_template("mailbox/link_done.html", step=step, message=message, outcome=outcome)
    return render_template("mailbox/link.html", link=lk, step=step, reply=reply, message=message, error=error,
                           due=review.reply_due(message), action_label=links.ACTION_LABELS[lk.action])


def _link_refused(refusal):
    return render_template("review/link_refused.html", refusal=refusal,
                           back_url=url_for("mailbox_staff.index", status="mine")), refusal.status


@bp.route("/<int:message_id>/invalid", methods=["POST"])
@login_required
def invalid(message_id):
    message = _message_or_404(message_id)
    if not (can_handle(current_user, message) or is_dispatcher(current_user, message.column)):
        abort(403)
    try:
        service.mark_invalid(message, current_user, request.form.get("reason", ""))
    except service.MailboxError as exc:
        return _refused(message, str(exc))
    return _done(message, "已标记为不予受理。")


@bp.route("/<int:message_id>/publish", methods=["POST"])
@login_required
def publish(message_id):
    message = _message_or_404(message_id)
    if not is_dispatcher(current_user, message.column):
        abort(403)
    try:
        service.publish_message(message, current_user)
    except service.MailboxError as exc:
        return _refused(message, str(exc))
    return _done(message, "已公开（已隐去个人信息）。")


@bp.route("/<int:message_id>/unpublish", methods=["POST"])
@login_required
def unpublish(message_id):
    message = _message_or_404(message_id)
    if not is_dispatcher(current_user, message.column):
        abort(403)
    try:
        service.unpublish_message(message, current_user, request.form.get("reason", ""))
    except service.MailboxError as exc:
        return _refused(message, str(exc))
    return _done(message, "已取消公开。")


@bp.route("/<int:message_id>/faq", methods=["POST"])
@login_required
def faq(message_id):
    message = _message_or_404(message_id)
    if not is_dispatcher(current_user, message.column):
        abort(403)
    column_id = _form_id("column_id")
    column = db.session.get(Column, column_id) if column_id else None
    if column is None or column.site_id != message.column.site_id:
        return _refused(message, "请选择本网站的常见问题栏目。")
    if not can_draft(current_user, column):
        abort(403, "您不能向该栏目报送信息。")
    try:
        item = service.promote_to_faq(message, column, current_user)
    except service.MailboxError as exc:
        return _refused(message, str(exc))
    db.session.commit()
    flash(f"已在“{column.name}”生成常见问题草稿，请检查后提交审核。", "success")
    return redirect(url_for("items.edit", item_id=item.id))


@bp.route("/<int:message_id>/attachment")
@login_required
def attachment(message_id):
    message = _message_or_404(message_id)
    if not message.attachment_stored:
        abort(404)
    path = storage.path_of(type("Stored", (), {"stored_name": message.attachment_stored})())
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=message.attachment_mime, as_attachment=True,
                     download_name=message.attachment_filename)


def dashboard_panel(user):
    """R-73: the age of every open message the person is responsible for."""
    from intranet.workdays.service import calendar
    rows = []
    if user.is_authenticated:
        messages = db.session.execute(visible_messages_query(user).filter(Message.status.in_(OPEN))
                                      .order_by(Message.received_at).limit(20)).scalars().all()
        rows = rows_for(messages, calendar()) if messages else []
    return {"template": "mailbox/_dashboard_panel.html", "rows": rows}  # the template shows nothing without rows
