"""Review and publication (R-30..R-40): chains, the engine, decisions from
email, approval forms, ledger, archive, withdrawal. See engine.py for the
functions other features call (publish_due for the scheduler)."""


def init_app(app):
    from ..signals import handing_over, item_edited
    from . import dashboard, engine, mailer  # noqa: F401  (mailer: send queued mail after commit)
    from .views import review_state
    item_edited.connect(engine.on_item_edited)
    handing_over.connect(engine.hand_over_steps)
    panels = app.extensions.setdefault("lanmu_dashboard_panels", [])
    if dashboard.panel not in panels:
        panels.insert(0, dashboard.panel)
    app.add_template_global(review_state, "review_state")
    app.add_template_global(_can_inspect, "review_can_inspect")


def _can_inspect():
    from flask_login import current_user
    from .access import can_inspect
    return bool(current_user and current_user.is_authenticated and can_inspect(current_user))
