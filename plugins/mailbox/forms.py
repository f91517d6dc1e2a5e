from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class WriteForm(FlaskForm):
    """The public's message (R-70)."""
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=50, message="姓名不能超过50字")])
    contact = StringField("联系方式", validators=[DataRequired("请填写联系电话或电子邮箱"),
                                               Length(max=100, message="联系方式不能超过100字")],
                          description="手机、电话或电子邮箱，仅用于联系您，不会公开")
    subject = StringField("标题", validators=[DataRequired("请填写标题"), Length(max=100, message="标题不能超过100字")])
    text = TextAreaField("内容", render_kw={"rows": 8}, validators=[DataRequired("请填写留言内容"),
                                           Length(min=10, max=5000, message="留言内容应在10到5000字之间")])
    privacy = BooleanField("涉及个人隐私，不公开我的来信和答复")
    attachment = FileField("附件（可选）", description="可上传一份图片、PDF或Word文档，不超过20MB；附件不会公开")
    captcha_answer = StringField("验证问题", validators=[DataRequired("请回答验证问题")])
    captcha_token = HiddenField()


class QueryForm(FlaskForm):
    code = StringField("查询码", validators=[DataRequired("请输入查询码"), Length(max=30)])


class RouteForm(FlaskForm):
    unit_id = SelectField("承办单位", coerce=int)
    note = StringField("说明", validators=[Optional(), Length(max=500)])


class EscalateForm(FlaskForm):
    note = TextAreaField("需逐级请示的事项", validators=[DataRequired("请填写需逐级请示的事项"), Length(max=2000)])


class NoteForm(FlaskForm):
    text = TextAreaField("内部备注", validators=[DataRequired("请填写备注内容"), Length(max=2000)],
                         description="仅工作人员可见，不会告知来信人，也不会公开")


class ReplyForm(FlaskForm):
    text = TextAreaField("答复内容", render_kw={"rows": 8}, validators=[DataRequired("请填写答复内容"), Length(max=10000)])
    publish = BooleanField("审核通过后与来信一并公开（已隐去个人信息）", default=True)


class ReviewForm(FlaskForm):
    decision = SelectField("审核意见", choices=[("approve", "同意答复"), ("return", "退回修改"),
                                            ("reject", "不予采用（需重新答复）")])
    comment = TextAreaField("意见", validators=[Optional(), Length(max=2000)],
                            description="退回修改和不予采用时必填，将告知答复起草人")
    step_id = HiddenField()


class InvalidForm(FlaskForm):
    reason = StringField("不予受理理由", validators=[DataRequired("请填写理由"), Length(max=500)],
                         description="将在来信人查询时显示")


class UnpublishForm(FlaskForm):
    reason = StringField("取消公开的原因", validators=[Optional(), Length(max=500)])


class FaqForm(FlaskForm):
    column_id = SelectField("常见问题栏目", coerce=int)
