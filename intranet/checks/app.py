"""Wiring the content checks into the app: the pages, the link sweep, the
editor panel's template helper. Called once from ``create_app``."""


def init_app(app, prefix=""):
    from ..reminders.engine import register_sweep
    from .linkjob import sweep_links
    from .views import bp, panel_context

    app.register_blueprint(bp, url_prefix=prefix + (bp.url_prefix or ""))
    register_sweep(app, sweep_links)
    # {% set chk = content_check_panel(item) %} in checks/_panel.html
    app.jinja_env.globals["content_check_panel"] = panel_context
    # {% set report = content_check_report(item) %} for the submit / publish forms
    from .service import check_item
    app.jinja_env.globals["content_check_report"] = check_item
