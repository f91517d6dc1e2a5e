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
    app.cli.add_command(_publish_due_command)
    from ..reminders.engine import register_after_sweep, register_scheduler_task, register_sweep
    from ..assessment.providers import register_provider
    from .sweeps import after_sweep, review_counts, sweep_waiting_steps
    register_provider(app, "review_counts", review_counts)
    register_sweep(app, sweep_waiting_steps)
    register_after_sweep(app, after_sweep)
    register_scheduler_task(app, "publish-due", _scheduled_publish_due, seconds=60)


def _can_inspect():
    from flask_login import current_user
    from .access import can_inspect
    return bool(current_user and current_user.is_authenticated and can_inspect(current_user))


import click  # noqa: E402
from flask.cli import with_appcontext  # noqa: E402


def _scheduled_publish_due():
    from .engine import publish_due
    publish_due()


@click.command("publish-due")
@with_appcontext
def _publish_due_command():
    """Publish scheduled items whose time has come and take expired items off (R-40, R-25)."""
    from .engine import publish_due
    done = publish_due()
    click.echo(f"定时发布{len(done['published'])}条，过期下线{len(done['expired'])}条。")
