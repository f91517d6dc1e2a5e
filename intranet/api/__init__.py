"""The integration API (issue 9): a JSON API under /api/v1 for office systems
(an OA system pushing issued documents) and monitoring (supervising units
pulling freshness and reply figures).

- Authentication: per-person API tokens (`models.ApiToken`, `tokens.py`),
  made and revoked on the intranet page 我的API令牌 (`pages.py`) or by an admin;
  stored hashed; scope read (GET) or write; last use recorded. A request acts
  with the token person's permissions (the same checks as the web pages).
- No session: requests under /api/v1 get no session (the cookie is never read,
  never set) and no Flask-Login user from cookies, so there is no CSRF surface;
  the blueprint is exempt from CSRFProtect. A request with only a cookie is
  refused with 401 `cookie_not_accepted`.
- Network: the office-network allow-list of the back office (R-05, the
  `admin_networks` setting) applies to /api/v1 too, unless LANMU_API_NETWORKS
  gives the API its own list ([] for none).
- Routes (`resources/`) are declared with `framework.Api.route`; the OpenAPI
  document (`spec.py`) is generated from them; errors are JSON (`errors.py`);
  rate limits per token (`limits.py`). They are registered at start from
  the table in `routes.py`, and their modules (with pydantic) imported at
  the first API request, so web workers that serve no API never load them.
See docs/api.md."""
from flask import current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import default_exceptions

from . import errors, limits, tokens
from .routes import API_PREFIX


def is_api_path(path):
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


class ApiAwareSessionInterface(SecureCookieSessionInterface):
    """Requests under /api/v1 have no session: the cookie is not read and
    nothing is written back."""

    def open_session(self, app, request):
        if is_api_path(request.path):
            return self.null_session_class()
        return super().open_session(app, request)


def init_app(app):
    from ..extensions import csrf
    from ..signals import handing_over
    from .pages import bp as pages_bp
    from .routes import bp

    csrf.exempt(bp)
    app.register_blueprint(bp)
    prefix = app.config["LANMU_ADMIN_PREFIX"].rstrip("/")
    app.register_blueprint(pages_bp, url_prefix=prefix + pages_bp.url_prefix)
    limits.init_app(app)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = ApiAwareSessionInterface()
    app.before_request_funcs.setdefault(None, []).insert(0, _guard)
    app.after_request(_after)
    for status in (404, 405):
        _wrap_error_handler(app, status)
    handing_over.connect(tokens._on_handing_over)


def _guard():
    """First for every API request: no user from cookies, and the network check."""
    if not is_api_path(request.path):
        return None
    g._login_user = current_app.login_manager.anonymous_user()
    g.pop("api_token", None)
    g.pop("api_rate", None)
    from ..security import settings
    from ..security.hardening import address_allowed
    networks = current_app.config.get("LANMU_API_NETWORKS")
    if networks is None:
        networks = settings.get("admin_networks") or []
    try:
        allowed = address_allowed(request.remote_addr, networks)
    except ValueError:
        current_app.logger.error("API networks contain an invalid entry: %r", networks)
        allowed = False
    if not allowed:
        current_app.logger.warning("API refused to %s (%s)", request.remote_addr, request.path)
        return errors.error_response(403, "network_refused", "接口仅允许从单位办公网络访问。如需访问，请联系系统管理员。")
    return None


def _after(response):
    if is_api_path(request.path):
        limits.add_headers(response)
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    return response


def _wrap_error_handler(app, status):
    """Requests under /api/v1 that match no route (or not its method) answer JSON;
    everything else keeps the app's Chinese error pages (ui.py)."""
    exc_class = default_exceptions[status]
    previous = app.error_handler_spec[None].get(status, {}).get(exc_class)

    def handler(exc):
        if is_api_path(request.path):
            return errors.handle_http_exception(exc)
        if previous is not None:
            return previous(exc)
        return exc

    app.register_error_handler(status, handler)
