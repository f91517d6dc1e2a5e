"""Pooled PostgreSQL connections (issue 10): a connection that sat idle is
pinged before use, so one cut by a database restart or a firewall is replaced
instead of failing a page; a busy one is used without the extra round trip."""
import pytest
from sqlalchemy import create_engine, text

from intranet.extensions import db


def _backend_pid():
    return db.session.execute(text("SELECT pg_backend_pid()")).scalar()


def _terminate(database_url, pid):
    other = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with other.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()


@pytest.fixture
def pg_app(make_app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the idle ping is for PostgreSQL (TEST_DATABASE_URL)")
    return make_app


def test_a_connection_cut_while_idle_is_replaced_before_use(pg_app, database_url):
    app = pg_app(LANMU_DB_PING_IDLE_SECONDS=0)
    with app.app_context():
        first = _backend_pid()
        db.session.remove()  # back to the pool
        _terminate(database_url, first)
        second = _backend_pid()  # the ping fails, the pool opens a new connection
        assert second != first
        db.session.remove()


def test_a_busy_connection_is_not_pinged_and_a_cut_one_is_dropped_after_one_failure(pg_app, database_url):
    from sqlalchemy.exc import OperationalError
    app = pg_app(LANMU_DB_PING_IDLE_SECONDS=3600)
    with app.app_context():
        first = _backend_pid()
        db.session.remove()
        _terminate(database_url, first)
        with pytest.raises(OperationalError):  # used within the idle time: no ping, the cut shows
            _backend_pid()
        db.session.remove()
        assert _backend_pid() != first  # SQLAlchemy dropped the dead connection
        db.session.remove()
