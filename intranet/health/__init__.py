"""The inspection health view (R-93): inspect.py applies the national lines,
views.py shows them per site, now or on a past date."""


def init_app(app):
    from ..reminders.engine import register_sweep
    from .inspect import sweep_health
    register_sweep(app, sweep_health)
