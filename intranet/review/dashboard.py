"""The dashboard panel of the review feature: steps waiting for my decision,
with how long each has waited."""
from .. import clock


def panel(user):
    from .views import waited, waiting_for
    steps = waiting_for(user, limit=50)
    now = clock.now()
    return {"template": "review/_dashboard_panel.html", "steps": steps,
            "waits": {s.id: waited(s.opened_at, now) for s in steps},
            "late": {s.id for s in steps if s.opened_at and (now - s.opened_at).days >= 2}}
