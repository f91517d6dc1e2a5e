"""intranet.bulk.insert_ignore (the sweep's reminder and outbox inserts): rows
read back exactly as the ORM writes them, on SQLite and PostgreSQL alike, and
a key already there is skipped, not an error (R-80: a sweep is idempotent)."""
from datetime import datetime

from intranet.bulk import insert_ignore
from intranet.extensions import db
from intranet.outbox.models import PENDING, OutboxMessage


def _row(key, at):
    return {"dedupe_key": key, "channel": "email", "user_id": None, "recipient": "a@example.gov.cn",
            "subject": "【督办提醒】", "text": "正文", "html": "", "url": "", "urgent": True, "status": PENDING,
            "attempts": 0, "next_attempt_at": at, "created_at": at}


def test_r80_bulk_rows_read_back_like_orm_rows_and_duplicates_are_skipped(app):
    at = datetime(2026, 11, 23, 10, 0)  # no microseconds: stored with them, like the ORM does
    db.session.add(OutboxMessage(**_row("orm", at)))
    db.session.flush()
    insert_ignore(OutboxMessage.__table__, [_row("bulk", at), _row("orm", datetime(2030, 1, 1))])
    insert_ignore(OutboxMessage.__table__, [_row("bulk", datetime(2030, 1, 1))])
    db.session.commit()
    rows = db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.dedupe_key)).scalars().all()
    assert [r.dedupe_key for r in rows] == ["bulk", "orm"]
    assert all(r.next_attempt_at == at and r.urgent is True for r in rows)  # the first insert of each key won
    # compared in SQL too: the stored text of both rows is the same, so ranges and equality agree
    same = db.session.execute(db.select(db.func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.next_attempt_at == at)).scalar()
    assert same == 2
    assert db.session.execute(db.select(db.func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.next_attempt_at < datetime(2026, 11, 23, 10, 0, 0, 1))).scalar() == 2


def test_r80_bulk_rows_as_tuples_with_shared_and_distinct_times(app):
    """Rows may be tuples in the order of `names`; a time shared by many rows
    (formatted once on SQLite) and distinct times all read back as given."""
    names = list(_row("x", None))
    times = [datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 23, 10, 0, 0, 5), datetime(2027, 1, 1)]
    rows = [tuple(_row(f"t{i}", times[i % 3]).values()) for i in range(9)]
    rows = [r[:-1] + (datetime(2026, 11, 23, 9),) for r in rows]  # created_at: the same for all
    insert_ignore(OutboxMessage.__table__, rows, names=names)
    insert_ignore(OutboxMessage.__table__, rows[:2], names=names)  # already there: skipped
    db.session.commit()
    got = db.session.execute(db.select(OutboxMessage.dedupe_key, OutboxMessage.next_attempt_at,
                                       OutboxMessage.created_at).order_by(OutboxMessage.dedupe_key)).all()
    assert [tuple(g) for g in got] == [(f"t{i}", times[i % 3], datetime(2026, 11, 23, 9)) for i in range(9)]
    assert db.session.execute(db.select(db.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.next_attempt_at == times[1])).scalar() == 3
