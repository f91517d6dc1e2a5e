"""Security operations (R-04, R-05, R-95..R-99): request hardening, sessions and
login rate limits, incidents, responsibility letters, the duty roster, and the
wiring of the audit and backup features. `init_app(app)` is called once by
create_app.

Functions the scheduler calls:
- `incidents.incidents_due(now)`: incidents near or past their 24-hour reporting deadline
- `duty.on_duty(now)`, `duty.alert_recipients(now)`: who hears alerts first
- `letters.unsigned_letters(year)`: units whose head has not signed this year's letter
- `intranet.audit.prune(now)`: retention of the audit trail
- `intranet.backup.create(path)`, `intranet.backup.prune(dir, keep)`: the daily backup"""
from flask import current_app, request
from flask_login import current_user

from ..extensions import read_listed_pages_in_autocommit

from . import hardening, ratelimit, sessions  # noqa: F401  (sessions connects the sign-in signals)
from . import letters  # noqa: F401  (connects handing_over)
from .access import is_security_admin


def _signed_in_state_first():
    """For a page kept per worker (app.extensions["lanmu_kept_pages"]) the
    session's state and the intranet token are read in one query, so that the
    kept page can be served without loading the person (serve_kept_page);
    otherwise the person, their session row and the token come in one query
    (in autocommit for the pages whose GET only reads)."""
    extensions = current_app.extensions
    if (request.method == "GET" and request.endpoint in extensions.get("lanmu_kept_pages", {})
            and extensions.get("lanmu_intranet_memo") is not None):
        sessions.read_signed_in_state()
    else:
        read_listed_pages_in_autocommit()
        sessions.load_first()


def init_app(app):
    hardening.install_proxy_fix(app)
    ratelimit.init_app(app)
    # Order matters: the network check first (after the one query that loads the signed-in
    # state), then input checks, then the session.
    first = [_signed_in_state_first, hardening.check_admin_network, hardening.refuse_nul, sessions.serve_kept_page,
             sessions.check_session, ratelimit.before_login]
    app.before_request_funcs.setdefault(None, [])[0:0] = first
    app.after_request(ratelimit.after_login)
    app.after_request(hardening.security_headers)

    prefix = app.config["LANMU_ADMIN_PREFIX"].rstrip("/")
    from ..audit.views import bp as audit_bp
    from .views import bp as security_bp
    for bp in (audit_bp, security_bp):
        app.register_blueprint(bp, url_prefix=prefix + bp.url_prefix)

    from . import scheduled
    scheduled.init_app(app)

    from ..audit.cli import cli as audit_cli
    from ..backup.cli import cli as backup_cli
    from .cli import cli as security_cli
    for group in (audit_cli, backup_cli, security_cli):
        app.cli.add_command(group)

    @app.context_processor
    def inject_security_nav():
        return {"is_security_admin": is_security_admin(current_user) if current_user else False}
