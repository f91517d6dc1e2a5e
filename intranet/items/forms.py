from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, URL

from .models import CLASSIFICATION_LABELS, IMPORTANCE_LABELS

DT = "%Y-%m-%dT%H:%M"


class ItemForm(FlaskForm):
    """Core item fields (R-20, R-21, R-25). A column type adds its own fields via
    make_item_form()."""
    title = StringField("标题", validators=[DataRequired("请填写标题"), Length(max=300, message="标题不能超过300字")])
    body = TextAreaField("正文", validators=[Optional(), Length(max=500_000, message="正文过长")])
    source = StringField("信息来源", validators=[Optional(), Length(max=200)])
    publish_at = DateTimeLocalField("发布时间", format=DT, validators=[Optional()],
                                    description="留空表示审核通过后立即发布；填写则定时发布")
    created_date = DateField("产生时间", validators=[Optional()])
    topic = StringField("主题分类", validators=[Optional(), Length(max=100)])
    genre = StringField("体裁", validators=[Optional(), Length(max=100)])
    importance = SelectField("信息级别", choices=list(IMPORTANCE_LABELS.items()))
    classification = SelectField("密级", choices=list(CLASSIFICATION_LABELS.items()),
                                 description="涉密信息一律不得上网发布")
    expires_at = DateTimeLocalField("有效期至", format=DT, validators=[Optional()],
                                    description="过期后自动下线或提示清理")
    is_reprint = BooleanField("转载信息")
    reprint_source_site = StringField("来源网站", validators=[Optional(), Length(max=200)])
    reprint_time = DateTimeLocalField("转载时间", format=DT, validators=[Optional()])
    reprint_url = StringField("原文链接", validators=[Optional(), Length(max=500), URL(message="原文链接格式不正确")])


def make_item_form(ctype, *args, **kwargs):
    """The item form for a column type: core fields plus the type's extra fields."""
    fields = ctype.form_fields()
    if not fields:
        return ItemForm(*args, **kwargs)
    cls = type(f"ItemForm_{ctype.id}", (ItemForm,), fields)
    return cls(*args, **kwargs)


class UploadForm(FlaskForm):
    file = FileField("选择文件")
    caption = StringField("图片说明", validators=[Optional(), Length(max=300)],
                          description="上传图片时必填，说明图片内容")


class CaptionForm(FlaskForm):
    caption = StringField("图片说明", validators=[DataRequired("请填写图片说明"), Length(max=300)])


class NewItemForm(FlaskForm):
    column_id = SelectField("栏目", coerce=int)
