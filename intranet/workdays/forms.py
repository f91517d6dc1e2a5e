from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

DAY_KINDS = [("off", "放假（非工作日）"), ("work", "调休上班（工作日）")]


class OverrideForm(FlaskForm):
    date = DateField("日期", validators=[DataRequired("请填写日期")])
    kind = SelectField("类型", choices=DAY_KINDS)
    note = StringField("说明", validators=[Optional(), Length(max=200)], description="例如：春节、国庆节调休上班")


class NoticeForm(FlaskForm):
    year = IntegerField("年份", validators=[DataRequired("请填写年份"), NumberRange(2000, 2100, "年份应在2000到2100之间")])
    text = TextAreaField("放假安排", validators=[DataRequired("请粘贴放假安排")], render_kw={"rows": 10},
                         description="可直接粘贴国务院办公厅放假通知的正文（如“一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。"
                                     "1月4日（周日）上班。”），或每行一条：2027-01-01 休 元旦 / 2027-02-14 班")
    complete = BooleanField("该年度的放假和调休安排已全部录入（此后该年按周一至周五计算的日期不再标为“暂定”）", default=True)


class CalcForm(FlaskForm):
    class Meta:
        csrf = False
    start = DateField("起算日期", validators=[Optional()])
    n = IntegerField("工作日数", validators=[Optional(), NumberRange(0, 400, "工作日数应在0到400之间")])

    def validate_start(self, field):
        if field.data and not 1900 <= field.data.year <= 2200:
            raise ValidationError("起算日期应在1900年到2200年之间")
