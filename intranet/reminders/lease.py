"""The scheduler lease: several scheduler processes may run (on several
nodes), only the holder of the lease sweeps. The lease is a row in kv_store
taken with one conditional UPDATE (or INSERT), so two processes can never both
hold it."""
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..outbox.models import KeyValue

LEASE_KEY = "lease:scheduler"


def acquire(holder, seconds=300, now=None):
    """Take or renew the lease for `holder`. True if it holds it now."""
    now = now or clock.now()
    until = now + timedelta(seconds=seconds)
    result = db.session.execute(
        update(KeyValue).where(KeyValue.key == LEASE_KEY,
                               or_(KeyValue.value == holder, KeyValue.expires_at < now))
        .values(value=holder, expires_at=until))
    if result.rowcount == 1:
        db.session.commit()
        return True
    db.session.rollback()
    if db.session.get(KeyValue, LEASE_KEY) is not None:
        return False
    try:
        db.session.add(KeyValue(key=LEASE_KEY, value=holder, expires_at=until))
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def release(holder):
    db.session.execute(update(KeyValue).where(KeyValue.key == LEASE_KEY, KeyValue.value == holder)
                       .values(expires_at=None, value=""))
    db.session.commit()
