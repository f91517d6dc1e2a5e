"""The inspection health view (R-93) per site, now or on a past date."""
from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..org import roles
from ..org.permissions import manages_unit
from ..sites.models import Site
from .inspect import STATE_LABELS, as_of, inspect, inspect_all

bp = Blueprint("health", __name__, url_prefix="/health")
HEAD_ROLES = {roles.DEPT_HEAD, roles.LEADER, roles.PRINCIPAL}


def can_view(user, site):
    """Admins of the site's unit, and heads and leaders of it or above."""
    if manages_unit(user, site.unit):
        return True
    unit_ids = {site.unit_id, *(u.id for u in site.unit.ancestors())}
    return any(m.role in HEAD_ROLES and m.unit_id in unit_ids for m in user.memberships)


def _day():
    raw = request.args.get("date") or ""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        abort(400)
    return day


@bp.route("/")
@login_required
def index():
    day = _day()
    at = as_of(day)
    sites = [s for s in db.session.execute(select(Site).where(Site.active.is_(True)).order_by(Site.id)).scalars()
             if can_view(current_user, s)]
    if not sites:
        abort(403)
    healths = inspect_all(at, site_ids=[s.id for s in sites])
    return render_template("health/index.html", healths=[healths[s.id] for s in sites], at=at, day=day,
                           today=clock.today(), STATE_LABELS=STATE_LABELS)


@bp.route("/<int:site_id>")
@login_required
def site(site_id):
    s = db.session.get(Site, site_id)
    if s is None or not s.active:
        abort(404)
    if not can_view(current_user, s):
        abort(403)
    day = _day()
    h = inspect(s, as_of(day))
    return render_template("health/site.html", h=h, site=s, day=day, today=clock.today(),
                           STATE_LABELS=STATE_LABELS, manages=manages_unit(current_user, s.unit))
