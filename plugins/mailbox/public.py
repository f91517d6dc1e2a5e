"""The public side of a mailbox column (R-70, R-72): write a message (captcha,
rate limit per address), look up the reply with the query code, read the
published question-and-answer pages. Private messages never appear here."""
from datetime import timedelta

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy.exc import IntegrityError

from intranet import clock
from intranet.columntypes import get_type
from intranet.extensions import db
from intranet.items import storage
from intranet.public.views import _nav, _site_or_404
from intranet.sites.models import Column

from . import captcha
from .forms import QueryForm, WriteForm
from .models import ANSWERED, Message
from .service import find_by_code, message_deadlines, receive_message, submissions_since

bp = Blueprint("mailbox", __name__)

DEFAULT_MAX_PER_HOUR = 3
DEFAULT_MAX_PER_DAY = 10


def _column_or_404(code, slug):
    site = _site_or_404(code)
    column = db.session.execute(db.select(Column).filter_by(site_id=site.id, slug=slug, archived=False,
                                                            type="mailbox")).scalar()
    if column is None:
        abort(404)
    return site, column


def rate_limit_refusal(address):
    """A Chinese reason when this address has sent too many messages, else None."""
    now = clock.now()
    per_hour = current_app.config.get("LANMU_MAILBOX_MAX_PER_HOUR", DEFAULT_MAX_PER_HOUR)
    per_day = current_app.config.get("LANMU_MAILBOX_MAX_PER_DAY", DEFAULT_MAX_PER_DAY)
    if submissions_since(address, now - timedelta(hours=1)) >= per_hour:
        return f"提交过于频繁：同一网络地址每小时最多提交{per_hour}封来信，请稍后再试。您填写的内容已保留。"
    if submissions_since(address, now - timedelta(days=1)) >= per_day:
        return f"提交过于频繁：同一网络地址每天最多提交{per_day}封来信，请明天再试。您填写的内容已保留。"
    return None


def _render_form(site, column, form, status=200, refusal=None):
    question = captcha.question_for(form.captcha_token.data) if form.captcha_token.data else None
    if question is None or form.errors or refusal:
        # A fresh question after any refusal; everything else typed stays.
        question, form.captcha_token.data = captcha.new_challenge()
        form.captcha_answer.data = ""
    return render_template("mailbox/write.html", site=site, nav=_nav(site), column=column, form=form,
                           ctype=get_type(column.type), question=question, refusal=refusal), status


@bp.route("/s/<code>/c/<slug>/write", methods=["GET", "POST"])
def write(code, slug):
    site, column = _column_or_404(code, slug)
    form = WriteForm()
    if request.method == "GET":
        return _render_form(site, column, form)
    if not form.validate_on_submit():
        return _render_form(site, column, form)
    address = request.remote_addr or ""
    refusal = rate_limit_refusal(address)
    if refusal:
        return _render_form(site, column, form, 429, refusal)
    nonce, reason = captcha.verify(form.captcha_token.data, form.captcha_answer.data)
    if nonce is not None and db.session.execute(db.select(Message.id).filter_by(captcha_nonce=nonce)).scalar():
        nonce, reason = None, "该验证问题已使用过，请回答新的验证问题"
    if nonce is None:
        form.captcha_answer.errors = [reason]
        return _render_form(site, column, form)
    attachment = None
    upload = form.attachment.data
    if upload is not None and getattr(upload, "filename", ""):
        try:
            attachment = storage.store(upload)
        except storage.UploadRefused as exc:
            form.attachment.errors = [f"附件未能上传：{exc}"]
            return _render_form(site, column, form)
    try:
        message = receive_message(column, name=form.name.data, contact=form.contact.data, subject=form.subject.data,
                                  text=form.text.data, wants_privacy=form.privacy.data, address=address,
                                  captcha_nonce=nonce, attachment=attachment)
        db.session.commit()
    except IntegrityError:  # the same solved question sent twice at once
        db.session.rollback()
        form.captcha_answer.errors = ["该验证问题已使用过，请回答新的验证问题"]
        return _render_form(site, column, form)
    return render_template("mailbox/sent.html", site=site, nav=_nav(site), column=column, message=message,
                           deadlines=message_deadlines(message))


@bp.route("/s/<code>/c/<slug>/query", methods=["GET", "POST"])
def query(code, slug):
    site, column = _column_or_404(code, slug)
    form = QueryForm()
    message = None
    if form.validate_on_submit():
        message = find_by_code(column, form.code.data)
        if message is None:
            form.code.errors = ["查询码不正确，请核对后重新输入"]
    return render_template("mailbox/query.html", site=site, nav=_nav(site), column=column, form=form,
                           message=message, reply=message.approved_reply if message is not None else None,
                           answered=message is not None and message.status == ANSWERED)


@bp.route("/s/<code>/c/<slug>/m/<int:message_id>.html")
def detail(code, slug, message_id):
    site, column = _column_or_404(code, slug)
    message = db.session.get(Message, message_id)
    if (message is None or message.column_id != column.id or not message.is_public or message.wants_privacy
            or message.status != ANSWERED):
        abort(404)
    return render_template("mailbox/public_detail.html", site=site, nav=_nav(site), column=column, message=message)
