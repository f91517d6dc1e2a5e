from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from . import update_rules
from .models import STALENESS_CLASSES

SLUG = Regexp(r"^[a-z0-9][a-z0-9\-]*$", message="只能包含小写字母、数字和短横线，且以字母或数字开头")


class SiteForm(FlaskForm):
    name = StringField("网站名称", validators=[DataRequired("请填写网站名称"), Length(max=200)])
    code = StringField("网站代码", validators=[DataRequired("请填写网站代码"), Length(max=64), SLUG],
                       description="用于公开网址，例如 youth")
    domain = StringField("域名", validators=[Optional(), Length(max=200)])
    unit_id = SelectField("主办单位", coerce=int)
    description = TextAreaField("网站简介", validators=[Optional(), Length(max=2000)])


class ColumnForm(FlaskForm):
    name = StringField("栏目名称", validators=[DataRequired("请填写栏目名称"), Length(max=200)])
    slug = StringField("栏目代码", validators=[DataRequired("请填写栏目代码"), Length(max=64), SLUG])
    parent_id = SelectField("上级栏目", coerce=int)
    type = SelectField("栏目类型")
    unit_id = SelectField("责任单位", coerce=int)
    description = TextAreaField("栏目内容说明", validators=[Optional(), Length(max=2000)])
    rule_kind = SelectField("更新要求", choices=list(update_rules.LABELS.items()))
    rule_n = IntegerField("次数/天数 N", validators=[Optional(), NumberRange(1, 400, "请输入1到400之间的数字")])
    rule_dates = StringField("日期（月-日）", validators=[Optional(), Length(max=200)],
                             description="多个日期用逗号分隔，例如 01-10, 07-10")
    staleness_class = SelectField("检查分类", choices=list(STALENESS_CLASSES.items()))
    is_key = BooleanField("重点栏目（普查重点检查）")
    link_visible = BooleanField("在网站导航中显示", default=True)
    requires_secrecy_review = BooleanField("发布前须保密审查", default=True)
    sort_order = IntegerField("排序", default=0, validators=[Optional()])


class GrantForm(FlaskForm):
    user_id = SelectField("人员", coerce=int)
    permission = SelectField("权限", choices=[("draft", "编辑报送"), ("review", "审核"), ("publish", "发布")])


def make_column_form(ctype, *args, **kwargs):
    """The column form plus the column type's own settings (setting_<name>)."""
    fields = ctype.settings_form_fields() if ctype is not None else {}
    if not fields:
        return ColumnForm(*args, **kwargs)
    return type(f"ColumnForm_{ctype.id}", (ColumnForm,), fields)(*args, **kwargs)
