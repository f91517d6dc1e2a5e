from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .models import DUTY_KINDS, INCIDENT_KINDS

DT = "%Y-%m-%dT%H:%M"


class IncidentForm(FlaskForm):
    kind = SelectField("事件类型", choices=list(INCIDENT_KINDS.items()))
    title = StringField("事件概要", validators=[DataRequired("请填写事件概要"), Length(max=200)])
    description = TextAreaField("详细情况", validators=[Optional(), Length(max=20000)],
                                description="发现经过、影响范围、已采取的措施；保留原始记录")
    discovered_at = DateTimeLocalField("发现时间", format=DT, validators=[DataRequired("请填写发现时间")],
                                       description="须在发现后24小时内向监管部门报告")
    site_id = SelectField("涉及网站", coerce=int, validators=[Optional()])
    unit_id = SelectField("责任单位", coerce=int, validators=[Optional()])


class IncidentActionForm(FlaskForm):
    kind = SelectField("类型", choices=[("note", "处置记录"), ("contained", "已控制"), ("restored", "已恢复")])
    text = TextAreaField("内容", validators=[DataRequired("请填写内容"), Length(max=5000)])


class IncidentReportForm(FlaskForm):
    reported_to = StringField("报告对象", validators=[DataRequired("请填写报告的监管部门"), Length(max=200)],
                              description="例如：市委网信办、公安网安部门")
    reported_at = DateTimeLocalField("报告时间", format=DT, validators=[Optional()], description="留空为现在")
    text = TextAreaField("报告方式与内容", validators=[Optional(), Length(max=5000)])


class IncidentCloseForm(FlaskForm):
    dismissed = BooleanField("认定为误报（无需报告）")
    text = TextAreaField("结案说明", validators=[DataRequired("请填写结案说明"), Length(max=5000)])


class IncidentLinkForm(FlaskForm):
    item_id = IntegerField("撤回信息编号", validators=[DataRequired("请填写信息编号"),
                                                    NumberRange(min=1, max=2_000_000_000, message="编号不正确")])


class LetterSignForm(FlaskForm):
    confirm = BooleanField("本人已阅读本责任书，代表本单位承诺履行其中各项责任",
                           validators=[DataRequired("请勾选确认后再签署")])


class LetterTemplateForm(FlaskForm):
    title = StringField("标题", validators=[DataRequired("请填写标题"), Length(max=200)])
    body = TextAreaField("正文", validators=[DataRequired("请填写正文"), Length(max=50000)],
                         render_kw={"rows": 20})


class DutyForm(FlaskForm):
    kind = SelectField("类型", choices=list(DUTY_KINDS.items()))
    title = StringField("名称", validators=[DataRequired("请填写名称，如“2026年国庆节”"), Length(max=200)])
    starts_at = DateTimeLocalField("开始时间", format=DT, validators=[DataRequired("请填写开始时间")])
    ends_at = DateTimeLocalField("结束时间", format=DT, validators=[DataRequired("请填写结束时间")])
    user_id = SelectField("值班人", coerce=int, validators=[DataRequired("请选择值班人")])
    backup_user_id = SelectField("备岗人", coerce=int, validators=[Optional()])
    phone = StringField("值班电话", validators=[Optional(), Length(max=50)])
    note = StringField("备注", validators=[Optional(), Length(max=500)])


class SettingsForm(FlaskForm):
    audit_retention_days = IntegerField(
        "审计日志保留天数", validators=[Optional(), NumberRange(min=60, max=36500, message="保留天数须在60天以上")],
        description="留空表示永久保留；不得少于60天")
    admin_networks = TextAreaField(
        "允许访问后台的办公网络", validators=[Optional(), Length(max=5000)],
        description="每行一个地址或网段（CIDR），如 10.1.0.0/16；留空表示不限制")
