from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from .findings import BLOCK, WARN
from .lexicon import CATEGORY_LABELS, MAX_WORD_LENGTH, SEVERITY_LABELS

SEVERITY_CHOICES = [("", "按类别默认")] + [(k, v) for k, v in SEVERITY_LABELS.items()]


class LexiconWordForm(FlaskForm):
    word = StringField("词语", validators=[DataRequired("请填写词语"),
                                         Length(max=MAX_WORD_LENGTH, message=f"词语不超过{MAX_WORD_LENGTH}个字")])
    category = SelectField("类别", choices=list(CATEGORY_LABELS.items()))
    severity = SelectField("级别", choices=SEVERITY_CHOICES, default="",
                           description="阻止：含有该词的信息不能提交和发布；提示：标出位置，提交时须确认")
    suggestion = StringField("建议写法", validators=[Optional(), Length(max=200)],
                             description="错别字和不规范用语须填写正确写法")
    site_id = SelectField("适用范围", coerce=int,
                          description="全局词条对所有网站生效；网站词条只对该网站生效，并覆盖同名的全局词条")
    enabled = BooleanField("启用", default=True)
    note = StringField("备注", validators=[Optional(), Length(max=200)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        value = (self.suggestion.data or "").strip()
        if self.category.data in ("typo", "nonstandard") and not value:
            self.suggestion.errors = [*self.suggestion.errors, f"{CATEGORY_LABELS[self.category.data]}须填写正确写法"]
            ok = False
        elif value and value == (self.word.data or "").strip():
            self.suggestion.errors = [*self.suggestion.errors, "建议写法不能与词语相同"]
            ok = False
        return ok

    def severity_value(self):
        from .lexicon import DEFAULT_SEVERITY
        return self.severity.data if self.severity.data in (BLOCK, WARN) else DEFAULT_SEVERITY[self.category.data]


class LexiconImportForm(FlaskForm):
    file = FileField("词库文件", description="UTF-8 文本（.txt/.csv）或 Excel（.xlsx）；每行一个词条：词语,类别,级别,建议写法")
    site_id = SelectField("导入到", coerce=int)
    default_category = SelectField("未写类别时按", choices=list(CATEGORY_LABELS.items()), default="sensitive")
