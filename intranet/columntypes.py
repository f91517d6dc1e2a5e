"""The column-type plugin contract (ENGINEERING.md "Plugins").

A column type is a subclass of `ColumnType`, registered in a per-app
`ColumnTypeRegistry` kept on `app.extensions["lanmu_column_types"]`. Plugins are
packages in `plugins/`; each exposes `register(registry)`. The enabled list comes
from LANMU_PLUGINS (default: every package in plugins/, sorted by name); two
types with one id fail at start. A row whose type is not registered (plugin
disabled) still loads and renders through `UnregisteredType`.

What a type declares: its id and label, its extra fields (stored in
item.extra_json and added to the edit form), its required elements, its
templates (edit, public list, public detail), its default update rule and
staleness class, its deadlines (duties with a due time) and its metrics."""
import importlib
import pkgutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from jinja2 import ChoiceLoader, FileSystemLoader
from wtforms import DateField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange
from wtforms.validators import Optional as OptionalValidator

from .sites import update_rules

PLUGINS_DIR = Path(__file__).resolve().parent.parent / "plugins"


@dataclass
class ExtraField:
    """One type-specific field. kind: text, textarea, date, datetime, url, select, int.

    Used for an item's extra fields (stored in item.extra_json) and for a
    column's type settings (stored in column.settings_json); `default` is the
    value a setting has when the column does not set it."""
    name: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: list = field(default_factory=list)
    help: str = ""
    default: object = None

    def wtforms_field(self):
        kwargs = {"validators": [OptionalValidator()], "description": self.help}
        if self.kind == "int":
            return IntegerField(self.label, validators=[OptionalValidator(), NumberRange(0, 400, "请输入0到400之间的数字")],
                                description=self.help)
        if self.kind == "date":
            return DateField(self.label, **kwargs)
        if self.kind == "datetime":
            return DateTimeLocalField(self.label, format="%Y-%m-%dT%H:%M", **kwargs)
        if self.kind == "textarea":
            return TextAreaField(self.label, **kwargs)
        if self.kind == "select":
            return SelectField(self.label, choices=self.choices, **kwargs)
        return StringField(self.label, **kwargs)

    def to_json(self, value):
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return value if value not in (None, "") else None

    def from_json(self, raw):
        if raw in (None, ""):
            return None
        if self.kind == "date":
            return date.fromisoformat(raw)
        if self.kind == "datetime":
            return datetime.fromisoformat(raw)
        if self.kind == "int":
            return int(raw)
        return raw


@dataclass
class Duty:
    """Something that must happen by a time, for the reminders sweep."""
    kind: str
    due_at: datetime
    label: str
    provisional: bool = False


# Core item fields that a type may require, with the Chinese names used in messages.
CORE_FIELD_LABELS = {
    "title": "标题", "body": "正文", "source": "信息来源", "publish_at": "发布时间",
    "created_date": "产生时间", "topic": "主题分类", "genre": "体裁", "doc_number": "文号",
    "red_header_title": "红头标题", "attachments": "附件", "images": "图片",
}


class ColumnType:
    id = None
    label = None
    description = ""
    extra_fields: list = []
    required = ("title", "body", "source")   # core fields that must be filled before submission
    body_required = True                     # False for types whose content is the attachment/link
    default_rule = (update_rules.TIMELY, None, "")
    default_staleness = "news"
    edit_template = "items/edit_fields.html"
    list_template = "public/list.html"
    detail_template = "public/detail.html"
    view_template = None   # optional panel on the intranet item page (deadline, checks ...)
    has_items = True  # False for types (mailbox) whose public side is not a list of items
    settings_fields: list = []  # per-column settings (ExtraField), stored in column.settings

    def form_fields(self):
        """Extra WTForms fields keyed by name, added to the core item form."""
        return {f"extra_{f.name}": f.wtforms_field() for f in self.extra_fields}

    def settings_form_fields(self):
        """Per-column setting fields keyed by name, added to the column form."""
        return {f"setting_{f.name}": f.wtforms_field() for f in self.settings_fields}

    def setting(self, column, name):
        """A column's setting for this type, or the field's default."""
        for f in self.settings_fields:
            if f.name == name:
                value = column.settings.get(name) if column is not None else None
                return f.default if value in (None, "") else f.from_json(value)
        raise KeyError(f"column type '{self.id}' has no setting '{name}'")

    def validate(self, item, attachments):
        """Chinese messages for missing required elements (R-20, R-23).

        Called on submission, not on saving a draft: a draft may be incomplete."""
        errors = []
        for name in self.required:
            if name == "body":
                continue
            if name == "attachments":
                if not [a for a in attachments if not a.is_image]:
                    errors.append("请上传附件")
                continue
            if name == "images":
                if not [a for a in attachments if a.is_image]:
                    errors.append("请上传图片")
                continue
            if not getattr(item, name, None):
                errors.append(f"请填写{CORE_FIELD_LABELS.get(name, name)}")
        extra = item.extra
        for f in self.extra_fields:
            if f.required and extra.get(f.name) in (None, ""):
                errors.append(f"请填写{f.label}")
        if self.body_required:
            from .items.sanitize import visible_text_length
            body_len = visible_text_length(item.body or "")
            if body_len == 0 and attachments:
                errors.append("正文不能为空：不能只发布附件，请在正文中写明附件的主要内容（R-23）")
            elif body_len == 0:
                errors.append("请填写正文")
            elif body_len < 10 and [a for a in attachments if not a.is_image]:
                errors.append("正文过于简单：不能只发布附件，请在正文中写明附件的主要内容（R-23）")
        for a in attachments:
            if a.is_image and not (a.caption or "").strip():
                errors.append(f"图片“{a.filename}”缺少图片说明")
        if item.is_reprint:
            if not item.reprint_source_site:
                errors.append("转载信息请填写来源网站")
            if not item.reprint_time:
                errors.append("转载信息请填写转载时间")
            if not item.reprint_url:
                errors.append("转载信息请填写原文链接")
        return errors

    def deadlines(self, item, calendar=None):
        """Duties with due times this item carries (documents, messages)."""
        return []

    def metrics(self, column):
        """Extra per-column figures for reports; {} by default."""
        return {}


class UnregisteredType(ColumnType):
    """Stands in for a type whose plugin is disabled: rows still load and show."""
    def __init__(self, type_id):
        self.id = type_id
        self.label = f"{type_id}（插件未启用）"


class DuplicateColumnType(RuntimeError):
    pass


class ColumnTypeRegistry:
    """Column types by id, plus named hooks plugins add to the shared pages:
    "nav" (label, endpoint, visible(user)) for the intranet menu,
    "dashboard_panel" (callable(user) -> {"template": ..., ...} or None) and
    "demo" (callable(context) run by the demo loader)."""
    def __init__(self):
        self._types = {}
        self._hooks = {}

    def add_hook(self, name, value):
        self._hooks.setdefault(name, []).append(value)

    def hooks(self, name):
        return list(self._hooks.get(name, ()))

    def register(self, column_type):
        instance = column_type() if isinstance(column_type, type) else column_type
        if not instance.id:
            raise ValueError(f"column type {instance!r} has no id")
        if instance.id in self._types:
            raise DuplicateColumnType(f"column type id '{instance.id}' registered twice "
                                      f"({type(self._types[instance.id]).__module__} and {type(instance).__module__})")
        self._types[instance.id] = instance

    def get(self, type_id):
        return self._types.get(type_id) or UnregisteredType(type_id)

    def is_registered(self, type_id):
        return type_id in self._types

    def all(self):
        return list(self._types.values())

    def choices(self):
        return [(t.id, t.label) for t in self._types.values()]


def bundled_plugin_names():
    return sorted(p.name for p in pkgutil.iter_modules([str(PLUGINS_DIR)]) if p.ispkg)


def load_plugins(app):
    registry = ColumnTypeRegistry()
    names = app.config.get("LANMU_PLUGINS")
    if names is None:
        names = bundled_plugin_names()
    elif isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    loaders = [app.jinja_loader]
    for name in names:
        module = importlib.import_module(f"plugins.{name}")
        module.register(registry)
        for sweep in getattr(module, "sweeps", []):
            from .reminders.engine import register_sweep
            register_sweep(app, sweep)
        blueprint = getattr(module, "blueprint", None)
        if blueprint is not None:
            app.register_blueprint(blueprint)
        admin_blueprint = getattr(module, "admin_blueprint", None)  # staff pages under the intranet prefix
        if admin_blueprint is not None:
            app.register_blueprint(admin_blueprint, url_prefix=app.config["LANMU_ADMIN_PREFIX"].rstrip("/")
                                   + (admin_blueprint.url_prefix or ""))
        templates = Path(module.__file__).parent / "templates"
        if templates.is_dir():
            loaders.append(FileSystemLoader(str(templates)))
    app.jinja_loader = ChoiceLoader(loaders)
    app.extensions["lanmu_column_types"] = registry
    app.extensions.setdefault("lanmu_dashboard_panels", []).extend(registry.hooks("dashboard_panel"))

    @app.context_processor
    def plugin_nav():
        from flask_login import current_user
        if not current_user or not current_user.is_authenticated:
            return {"plugin_nav": []}
        return {"plugin_nav": [(label, endpoint) for label, endpoint, visible in registry.hooks("nav")
                               if visible(current_user)]}
    return registry


def import_all_plugin_models():
    """Import every bundled plugin's models, enabled or not: one migration history
    holds every table."""
    for name in bundled_plugin_names():
        try:
            importlib.import_module(f"plugins.{name}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"plugins.{name}.models":
                raise


def registry():
    return current_app.extensions["lanmu_column_types"]


def get_type(type_id):
    return registry().get(type_id)
