"""The intranet pages for API tokens (under the admin prefix, signed in with
the session like every intranet page): each person makes and revokes their
own tokens at 我的API令牌; an admin who manages a person (system admin, or an
admin of every unit the person belongs to -- the people pages' rule) does the
same for that person, e.g. for the account an OA system uses. A new token is
shown once; afterwards only its prefix."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..extensions import db
from ..org.models import User
from . import tokens
from .models import SCOPES, ApiToken

bp = Blueprint("api_tokens", __name__, url_prefix="/api-tokens", template_folder="templates")


class TokenForm(FlaskForm):
    name = StringField("用途", validators=[DataRequired("请填写令牌用途"), Length(max=100, message="不超过100字")],
                       description="例如：OA系统推送文件、监督单位拉取数据")
    scope = SelectField("权限范围", choices=list(SCOPES.items()), default="read",
                        description="只读令牌只能查询；读写令牌可以报送、审核、办理留言")
    expires_days = IntegerField("有效天数", validators=[Optional(), NumberRange(1, 3650, "请填写1到3650之间的天数")],
                                description="留空表示长期有效，直到吊销")


class RevokeForm(FlaskForm):
    pass


def _person_or_404(user_id):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    if not tokens.may_manage(current_user, person):
        abort(403, "您无权管理该人员的API令牌。")
    return person


def _page(person, form, new_secret=None, new_token=None):
    return render_template("api/tokens.html", person=person, rows=tokens.tokens_of(person), form=form,
                           revoke_form=RevokeForm(), new_secret=new_secret, new_token=new_token,
                           own=person.id == current_user.id)


def _create(person, form):
    row, secret = tokens.create(person, form.name.data, form.scope.data, by=current_user,
                                expires_days=form.expires_days.data)
    db.session.commit()
    return _page(person, TokenForm(formdata=None), new_secret=secret, new_token=row)


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    if form.validate_on_submit():
        return _create(current_user, form)
    return _page(current_user, form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def person(user_id):
    person = _person_or_404(user_id)
    form = TokenForm()
    if form.validate_on_submit():
        return _create(person, form)
    return _page(person, form)


@bp.route("/revoke", methods=["POST"])
@login_required
def revoke():
    """The token to revoke comes in the form (`token_id`), so the URL names nothing."""
    form = RevokeForm()
    token_id = request.form.get("token_id", type=int)
    row = db.session.get(ApiToken, token_id) if token_id and 0 < token_id < 2**31 else None
    if not form.validate_on_submit() or row is None:
        flash("请选择要吊销的令牌。", "warning")
        return redirect(url_for("api_tokens.index"))
    if not tokens.may_manage(current_user, row.user):
        abort(403, "您无权吊销该令牌。")
    if tokens.revoke(row, current_user):
        db.session.commit()
        flash(f"令牌“{row.name}”（{row.prefix}…）已吊销，使用它的系统将无法再调用接口。", "success")
    else:
        flash("该令牌此前已吊销。", "info")
    if row.user_id == current_user.id:
        return redirect(url_for("api_tokens.index"))
    return redirect(url_for("api_tokens.person", user_id=row.user_id))
