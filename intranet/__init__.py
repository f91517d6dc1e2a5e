"""Lanmu (栏目): the website information publishing intranet.

`create_app()` builds the Flask app: settings, extensions, column-type plugins
and the feature blueprints. See docs/architecture.md for the map."""
import os
from pathlib import Path

from flask import Flask, render_template

from . import clock
from .config import Defaults, apply_environment
from .extensions import bootstrap, csrf, db, login_manager, mail, migrate


def create_app(test_config=None):
    app = Flask(__name__, instance_path=os.environ.get("LANMU_INSTANCE_PATH") or
                str(Path(__file__).resolve().parent.parent / "instance"),
                instance_relative_config=True)
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    apply_environment(app.config)
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "lanmu.db")
    if not app.config.get("LANMU_UPLOAD_DIR"):
        app.config["LANMU_UPLOAD_DIR"] = os.path.join(app.instance_path, "uploads")
    if app.config["SECRET_KEY"] == Defaults.SECRET_KEY and not (app.debug or app.testing):
        app.logger.warning("SECRET_KEY is the development default: set LANMU_SECRET_KEY in production")

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    bootstrap.init_app(app)
    _sqlite_pragmas(app)
    _ping_idle_connections(app)

    from . import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from .reminders.engine import register_sweep
    from .reminders.sweeps import CORE_SWEEPS
    for sweep in CORE_SWEEPS:
        register_sweep(app, sweep)
    from .columntypes import load_plugins
    load_plugins(app)

    prefix = app.config["LANMU_ADMIN_PREFIX"].rstrip("/")
    from .auth.views import bp as auth_bp
    from .auth.wecom_login import bp as wecom_login_bp
    from .dashboard.views import bp as dashboard_bp
    from .items.views import bp as items_bp
    from .org.views import bp as org_bp
    from .sites.views import bp as sites_bp
    from .public.views import bp as public_bp
    from .reminders.views import bp as reminders_bp
    from .review.views import bp as review_bp
    from .notify.views import bp as notify_bp
    for bp in (auth_bp, wecom_login_bp, dashboard_bp, org_bp, sites_bp, items_bp, reminders_bp, review_bp, notify_bp):
        app.register_blueprint(bp, url_prefix=prefix + (bp.url_prefix or ""))
    from .dashboard.views import kept_key as dashboard_kept_key
    app.extensions.setdefault("lanmu_read_only_gets", set()).add("dashboard.index")  # (see security.init_app)
    app.extensions.setdefault("lanmu_kept_pages", {})["dashboard.index"] = dashboard_kept_key
    app.register_blueprint(public_bp)
    from . import versions
    versions.init_app(app)  # the intranet token: what signed-in pages keep per worker
    from .public import cache as public_cache
    public_cache.init_app(app)  # the rendered-page cache of the public site and its invalidation
    if app.config.get("LANMU_BENCH_HELLO"):  # the floor of bench/web.py; never on in production
        app.add_url_rule("/bench/hello", "bench_hello", lambda: "Hello, World!")
    from . import review
    review.init_app(app)
    from . import assessment, health
    from .assessment.views import bp as assessment_bp, public_bp as assessment_public_bp
    from .health.views import bp as health_bp
    for bp in (assessment_bp, health_bp):
        app.register_blueprint(bp, url_prefix=prefix + bp.url_prefix)
    app.register_blueprint(assessment_public_bp)
    assessment.init_app(app)
    health.init_app(app)
    from .checks.app import init_app as init_checks
    init_checks(app, prefix)
    from .workdays.views import init_app as init_workdays
    init_workdays(app)

    from .cli import register_cli
    register_cli(app)
    from .ui import register_ui
    register_ui(app)
    from . import api
    api.init_app(app)  # /api/v1 and the API token pages (after ui: it wraps the 404/405 pages)
    from . import security
    security.init_app(app)  # hardening, sessions, audit search, backups, incidents, letters, duty roster
    return app


def _ping_idle_connections(app):
    """On PostgreSQL, a pooled connection is checked with SELECT 1 before use
    only when it has been idle for LANMU_DB_PING_IDLE_SECONDS: a connection
    left idle is the one a database restart or a firewall has cut, and a
    busy worker does not pay a round trip per request for it (SQLAlchemy's
    pool_pre_ping pings at every checkout). A failed ping discards the
    connection and the pool opens another."""
    import time

    from sqlalchemy import event, exc

    idle = float(app.config.get("LANMU_DB_PING_IDLE_SECONDS", 30))
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql" or app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
            return  # (with pool_pre_ping every checkout is pinged already)

        @event.listens_for(engine, "checkout")
        def _on_checkout(dbapi_conn, record, _proxy):
            now = time.monotonic()
            last, record.info["lanmu_checked_out"] = record.info.get("lanmu_checked_out"), now
            if last is not None and now - last < idle:
                return
            try:
                cur = dbapi_conn.cursor()
                cur.execute("SELECT 1")
                cur.close()
                if not dbapi_conn.autocommit:
                    dbapi_conn.rollback()
            except Exception as error:  # noqa: BLE001 - any failure: a fresh connection
                raise exc.DisconnectionError(f"idle connection failed its ping: {error}") from error


def _sqlite_pragmas(app):
    """Foreign keys on and WAL for SQLite, so it behaves like the production engine."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")
            if ":memory:" not in str(engine.url):
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()
