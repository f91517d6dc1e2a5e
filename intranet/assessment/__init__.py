"""Assessment and oversight (R-90..R-92): monthly scores per unit and their
cycle (cycle.py, scoring.py), yearly summary, per-person statistics and
reports (stats.py), Excel exports (excel.py), and the providers other
features plug their figures into (providers.py)."""


def init_app(app):
    from ..reminders.engine import register_sweep
    from .cycle import sweep_assessment
    from .providers import load_plugin_providers
    register_sweep(app, sweep_assessment)
    load_plugin_providers(app)
