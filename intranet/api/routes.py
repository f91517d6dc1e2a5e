"""Every route of /api/v1, registered at start without importing the code
that serves it.

Each rule in ROUTES gets a view that imports its module
(`resources/<module>.py`) at the first request to it and hands over to the
view that module's `api.route` made. The resource modules load pydantic and
the schemas (about 10 MB in each process): a web worker that serves only the
public site and the intranet never loads them. `api.route` checks its rule
against this table when the module is imported, and `load_all()` (the
OpenAPI document, the API tests) imports every module, so a route that is
missing here, or differs, fails the tests."""
from importlib import import_module

from flask import Blueprint

from . import errors

API_PREFIX = "/api/v1"

# module -> (rule, method, endpoint) for each of its routes, as its @api.route declares them
ROUTES = {
    "docs": (
        ("/openapi.json", "GET", "openapi"),
        ("/docs", "GET", "docs"),
    ),
    "health": (
        ("/health/sites/<int:site_id>", "GET", "site_health"),
    ),
    "items": (
        ("/items", "GET", "list_items"),
        ("/items", "POST", "create_item"),
        ("/items/<int:item_id>", "GET", "get_item"),
        ("/items/<int:item_id>", "PATCH", "update_item"),
        ("/items/<int:item_id>/attachments", "POST", "add_attachments"),
        ("/items/<int:item_id>/attachments/<int:attachment_id>", "DELETE", "delete_attachment"),
        ("/items/<int:item_id>/checks", "GET", "item_checks"),
        ("/items/<int:item_id>/submit", "POST", "submit"),
        ("/items/<int:item_id>/history", "GET", "history"),
    ),
    "mailbox": (
        ("/messages", "GET", "list_messages"),
        ("/messages/<int:message_id>", "GET", "get_message"),
        ("/messages/<int:message_id>/assign", "POST", "assign_message"),
        ("/messages/<int:message_id>/transfer", "POST", "transfer_message"),
        ("/messages/<int:message_id>/reply", "POST", "reply_message"),
        ("/messages/<int:message_id>/reply/review", "POST", "review_reply"),
    ),
    "me": (
        ("/me", "GET", "me"),
    ),
    "published": (
        ("/published", "GET", "list_published"),
        ("/published/<int:item_id>", "GET", "get_published"),
    ),
    "reminders": (
        ("/reminders", "GET", "my_reminders"),
    ),
    "review": (
        ("/review/steps", "GET", "my_steps"),
        ("/review/steps/<int:step_id>", "GET", "get_step"),
        ("/review/steps/<int:step_id>/decide", "POST", "decide"),
    ),
    "sites": (
        ("/sites", "GET", "list_sites"),
        ("/sites/<int:site_id>", "GET", "get_site"),
        ("/columns", "GET", "list_columns"),
        ("/columns/<int:column_id>", "GET", "get_column"),
    ),
}

bp = Blueprint("api", __name__, url_prefix=API_PREFIX, template_folder="templates")
errors.register(bp)
VIEWS = {}  # endpoint -> the view api.route made, once its module is imported


def _module(name):
    return import_module(f"{__package__}.resources.{name}")


def _deferred_view(module, endpoint):
    def view(**values):
        if endpoint not in VIEWS:
            _module(module)
        return VIEWS[endpoint](**values)

    view.__name__ = endpoint
    return view


for _name, _routes in ROUTES.items():
    for _rule, _method, _endpoint in _routes:
        bp.add_url_rule(_rule, _endpoint, _deferred_view(_name, _endpoint), methods=[_method])


def declare(module, rule, method, endpoint, view):
    """Called by `api.route` as a resource module is imported."""
    if (rule, method, endpoint) not in ROUTES.get(module.rsplit(".", 1)[-1], ()):
        raise RuntimeError(f"API route {method} {rule} ({endpoint}, {module}) is not in ROUTES "
                           "of intranet/api/routes.py: add it there")
    VIEWS[endpoint] = view


def load_all():
    """Import every resource module; -> {endpoint: view}."""
    for name in ROUTES:
        _module(name)
    missing = [e for routes in ROUTES.values() for _r, _m, e in routes if e not in VIEWS]
    if missing:
        raise RuntimeError(f"ROUTES of intranet/api/routes.py names routes no module declares: {missing}")
    return VIEWS
