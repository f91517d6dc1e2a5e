"""Each person's start page: what is theirs (my drafts, returned to me, my
columns' freshness). Later features add panels (waiting for my decision).

The rendered page is kept per worker, for the person and their signed-in
session, under the intranet token (intranet/versions.py): any write that a
signed-in page can show drops it, and it is rendered again at most
LANMU_INTRANET_CACHE_SECONDS later anyway (its "N天前" and deadlines follow
the clock). The sign-in checks (R-04, R-05) run before it on every request;
security.sessions.serve_kept_page serves it when they find nothing to do."""
from flask import Blueprint, current_app, render_template, session
from flask_login import current_user, login_required
from sqlalchemy import func

from .. import clock, versions
from ..auth import policy
from ..extensions import db
from ..items.models import DRAFT, PUBLISHED, RETURNED, Item
from ..sites.models import Column

bp = Blueprint("dashboard", __name__)


def my_columns(user):
    """Columns the person may draft into, with their last publish time."""
    from ..items.views import draftable_columns
    cols = draftable_columns(user)
    if not cols:
        return []
    # one seek to the end of each column's entries in ix_item_column_list, not a scan of its items
    newest = (db.select(func.max(Item.first_published_at))
              .where(Item.column_id == Column.id, Item.status == PUBLISHED).correlate(Column).scalar_subquery())
    last = dict(db.session.execute(db.select(Column.id, newest).filter(Column.id.in_([c.id for c in cols]))).all())
    now = clock.now()
    out = []
    for c in cols:
        at = last.get(c.id)
        out.append({"column": c, "last": at, "days": (now - at).days if at else None})
    return out


def kept_key(user_id, sid):
    """The person's dashboard for one signed-in session (the page holds that session's form token)."""
    return ("dashboard", user_id, sid)


@bp.route("/")
@login_required
def index():
    from ..security.sessions import SID_KEY
    kept = versions.memo()
    if kept is None or session.get("_flashes"):  # a message to show once: render it
        return _render()
    key = kept_key(current_user.id, session.get(SID_KEY))
    token, body = kept.page(key)
    if body is not None:
        return current_app.response_class(body, mimetype="text/html", headers={"X-Lanmu-Cache": "hit"})
    html = _render()
    if not session.modified:  # (a page that consumed a message or made the form token is not kept)
        kept.keep(token, key, html.encode())
    return html


def _render():
    mine = db.session.execute(
        db.select(Item).filter(Item.author_id == current_user.id, Item.status.in_([DRAFT, RETURNED]))
        .order_by(Item.updated_at.desc()).limit(50)).scalars().all()
    return render_template(
        "dashboard/index.html",
        drafts=[i for i in mine if i.status == DRAFT],
        returned=[i for i in mine if i.status == RETURNED],
        columns=my_columns(current_user),
        password_days_left=policy.days_left(current_user),
        # Features add panels: app.extensions["lanmu_dashboard_panels"] holds
        # callables(user) -> dict(template=..., **context).
        panels=[panel(current_user) for panel in current_app.extensions.get("lanmu_dashboard_panels", [])],
    )
