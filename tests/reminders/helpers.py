"""Building columns with a publish history at chosen dates, for sweep tests."""
from datetime import datetime

from intranet.extensions import db
from intranet.items.models import PUBLISHED, Item
from intranet.org.models import Unit, User
from intranet.reminders.models import Reminder
from intranet.sites.models import Column, Site


def one(model, **kw):
    return db.session.execute(db.select(model).filter_by(**kw)).scalar_one()


def make_column(slug, *, unit="hz-office", rule=("timely", None, ""), staleness="none", created=datetime(2026, 1, 5),
                published=(), type_="article"):
    site = one(Site, code="youth")
    col = Column(site_id=site.id, slug=slug, name=f"栏目{slug}", type=type_, unit_id=one(Unit, code=unit).id,
                 rule_kind=rule[0], rule_n=rule[1], rule_dates=rule[2], staleness_class=staleness, created_at=created)
    db.session.add(col)
    db.session.flush()
    author = one(User, username="officer")
    for at in published:
        publish(col, at, author)
    db.session.commit()
    return col


def publish(col, at, author=None):
    author = author or one(User, username="officer")
    item = Item(column_id=col.id, unit_id=col.unit_id, type=col.type, author_id=author.id, title=f"{col.slug}@{at}",
                body="<p>正文</p>", source="本单位", status=PUBLISHED, first_published_at=at, published_at=at,
                created_at=at, updated_at=at)
    db.session.add(item)
    db.session.commit()
    return item


def reminders_for(duty_key, username=None):
    stmt = db.select(Reminder).filter_by(duty_key=duty_key)
    if username:
        stmt = stmt.filter(Reminder.user_id == one(User, username=username).id)
    return db.session.execute(stmt.order_by(Reminder.id)).scalars().all()


def quiet_demo_columns():
    """Archive the demo's own columns so only the test's columns are swept."""
    for col in db.session.execute(db.select(Column)).scalars():
        col.archived = True
    db.session.commit()
