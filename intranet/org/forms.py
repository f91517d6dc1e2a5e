from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from . import roles
from .models import Unit

CODE = Regexp(r"^[A-Za-z0-9_\-]+$", message="编码只能包含字母、数字、下划线和短横线")


class UnitForm(FlaskForm):
    name = StringField("单位名称", validators=[DataRequired("请填写单位名称"), Length(max=200)])
    code = StringField("单位编码", validators=[DataRequired("请填写单位编码"), Length(max=64), CODE])
    parent_id = SelectField("上级单位", coerce=int, validators=[Optional()])
    kind = SelectField("单位类型", choices=list(Unit.KINDS.items()))
    contact_name = StringField("联系人", validators=[Optional(), Length(max=100)])
    contact_phone = StringField("联系电话", validators=[Optional(), Length(max=50)])
    contact_email = EmailField("联系邮箱", validators=[Optional(), Email("邮箱格式不正确"), Length(max=200)])


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=64), CODE])
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=100)])
    email = EmailField("邮箱", validators=[Optional(), Email("邮箱格式不正确"), Length(max=200)])
    phone = StringField("手机", validators=[Optional(), Length(max=50)])
    wecom_userid = StringField("企业微信账号", validators=[Optional(), Length(max=64)])
    password = PasswordField("初始密码", validators=[Optional(), Length(max=200)],
                             description="新建时必填；编辑时留空表示不修改。用户首次登录须修改密码。")
    notify_wecom = BooleanField("接收企业微信提醒", default=True)
    notify_email = BooleanField("接收邮件提醒", default=True)


class RoleForm(FlaskForm):
    unit_id = SelectField("单位", coerce=int)
    role = SelectField("角色", choices=list(roles.LABELS.items()))


class HandoverForm(FlaskForm):
    successor_id = SelectField("接任人", coerce=int, validators=[DataRequired("请选择接任人")])
