"""Figures that other features own, plugged in as providers.

Assessment, reports and the health view need figures the core does not hold:
documents published on time (document plugin), replies to the public on time
and messages left unanswered (mailbox plugin), items returned or rejected by
reviewers (review engine), content-check findings on published items (checks).
Each is a named provider: a function registered on the app the way
`register_sweep` registers sweeps. Until someone registers one, `provide(name,
...)` returns None and the pages show "无数据" (no data) instead of a zero.

Register from a feature's `init_app(app)`:

    from intranet.assessment.providers import register_provider
    register_provider(app, "reply_timeliness", my_function)

or, from a column-type plugin package, with a module-level dict that is picked
up after the plugins are loaded (like the plugins' `sweeps` list):

    assessment_providers = {"reply_timeliness": my_function}

Several providers of one name are all called and their rows concatenated.
Every provider answers with a list of plain dicts (one row per unit/column or
per person), so results of several providers add up. The contracts:

document_timeliness(start, end) -> [{"column_id", "unit_id", "published", "on_time", "late"}]
    documents (with a publication deadline, R-60) first published in
    [start, end), per column; unit_id is the responsible unit.

reply_timeliness(start, end) -> [{"column_id", "unit_id", "answered", "on_time", "late", "workdays_total"}]
    messages answered in [start, end), per column and handling unit;
    workdays_total is the sum over those messages of the working days from
    receipt to the reply (the average is workdays_total / answered).

unanswered_messages(at, received_before, site_id=None) -> [{"message_id", "column_id", "unit_id",
                                                            "received_at", "subject", "url"}]
    valid messages received before `received_before` that had no reply at
    `at` (R-73); site_id limits them to one site's columns. "url" is optional.

review_counts(start, end) -> [{"author_id", "submitted", "returned", "rejected"}]
    per author: submissions (review runs started), returns for changes and
    rejections decided in [start, end).

published_findings(at, site_id=None) -> [{"item_id", "column_id", "unit_id", "severity", "text"}]
    content-check findings (R-50..R-52) on items published at `at`.
"""
import importlib

from flask import current_app

PROVIDERS = {
    "document_timeliness": "文件按时上网",
    "reply_timeliness": "留言按时答复",
    "unanswered_messages": "超期未答复留言",
    "review_counts": "审核退回/不予发布",
    "published_findings": "已发布信息内容检查",
}
_KEY = "lanmu_assessment_providers"


def register_provider(app, name, fn):
    if name not in PROVIDERS:
        raise ValueError(f"unknown assessment provider '{name}' (known: {', '.join(PROVIDERS)})")
    app.extensions.setdefault(_KEY, {}).setdefault(name, []).append(fn)


def has_provider(name, app=None):
    app = app or current_app._get_current_object()
    return bool(app.extensions.get(_KEY, {}).get(name))


def provide(name, *args, **kwargs):
    """The rows of every provider of `name`, or None when nobody provides it."""
    fns = current_app.extensions.get(_KEY, {}).get(name)
    if not fns:
        return None
    rows = []
    for fn in fns:
        rows.extend(fn(*args, **kwargs) or [])
    return rows


def load_plugin_providers(app):
    """Register `assessment_providers` of the enabled plugin packages."""
    from ..columntypes import bundled_plugin_names
    names = app.config.get("LANMU_PLUGINS")
    if names is None:
        names = bundled_plugin_names()
    elif isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    for name in names:
        module = importlib.import_module(f"plugins.{name}")
        for provider_name, fn in (getattr(module, "assessment_providers", None) or {}).items():
            register_provider(app, provider_name, fn)
