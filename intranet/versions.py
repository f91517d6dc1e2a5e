"""Version tokens: one row each in kv_store, rewritten by the transactions that
change what a kept page shows, read once per request (issue 10).

Two tokens:

* ``public:version`` (intranet/public/cache.py says when it changes): the
  rendered public pages and the per-worker site memo are kept under it.
* ``intranet:version``: rewritten at commit by every transaction that wrote
  to a table a signed-in page can show. Any INSERT, UPDATE or DELETE that goes
  through the engine counts (ORM flushes, bulk statements, ``insert_ignore``):
  a ``before_cursor_execute`` listener notes it on the connection, so no write
  path can forget to announce itself. Writes to the tables in QUIET do not
  count: they are written on every request or by the dispatcher (the session
  row's last-seen time, the audit trail, the outbox) and no kept page shows
  them. Writes that bypass SQLAlchemy (a backup restore) call ``bump``.

A worker keeps things under the token it read (``IntranetMemo``); when a
request reads another token, everything kept is dropped. So a change made on
any worker or node is seen at the next request everywhere, and a rolled-back
transaction changes nothing (the token is written in the same transaction).

The token is read on a connection each thread keeps for it, in autocommit:
one round trip, with no pool checkout, ping, BEGIN or ROLLBACK.
"""
import re
import secrets
import threading
from collections import OrderedDict

from flask import has_request_context, request
from sqlalchemy import event, text

from . import clock

INTRANET = "intranet:version"

# Tables whose writes do not change the intranet token (see above).
QUIET = frozenset({"user_session", "kv_store", "audit_entry", "outbox_message", "reminder_sweep", "api_token"})

_READS = ("SELECT", "SHOW", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "SET", "EXPLAIN", "COMMIT")
_TARGET = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
_WROTE = "lanmu_intranet_wrote"    # connection.info: a counted write since the session began on it
_CONNS = "lanmu_intranet_conns"    # session.info: the connections the session's transaction uses


def bump(session, key):
    """Write a new token under `key` in the session's transaction; returns it."""
    token = secrets.token_hex(8)
    done = session.execute(text("UPDATE kv_store SET value = :v WHERE key = :k"), {"v": token, "k": key}).rowcount
    if not done:
        if session.get_bind().dialect.name == "postgresql":
            sql = "INSERT INTO kv_store (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v"
        else:
            sql = "INSERT OR REPLACE INTO kv_store (key, value) VALUES (:k, :v)"
        session.execute(text(sql), {"k": key, "v": token})
    return token


def counts_as_write(statement):
    """Whether a statement changes what a signed-in page can show."""
    head = statement.lstrip()[:9].upper()
    if head.startswith(_READS):
        return False
    match = _TARGET.match(statement)
    if match is None:  # DDL, WITH ... and the like: count them
        return True
    return match.group(1).lower() not in QUIET


def _note_write(conn, _cursor, statement, _parameters, _context, _executemany):
    if not conn.info.get(_WROTE) and counts_as_write(statement):
        conn.info[_WROTE] = True


def _after_begin(session, transaction, connection):
    if transaction.parent is None and not transaction.nested:  # (a savepoint keeps the writes before it)
        connection.info.pop(_WROTE, None)
        conns = session.info.setdefault(_CONNS, [])
        if connection not in conns:
            conns.append(connection)


def _before_commit(session):
    session.flush()
    conns = session.info.get(_CONNS) or ()
    if any(conn.info.pop(_WROTE, False) for conn in conns if not conn.closed):
        bump(session, INTRANET)


def _after_transaction_end(session, transaction):
    if transaction.parent is None:
        session.info.pop(_CONNS, None)


_session_listening = False


def listen(engine):
    """Count writes on `engine` (once per engine) and bump at commit (once per process)."""
    global _session_listening
    if not event.contains(engine, "before_cursor_execute", _note_write):
        event.listen(engine, "before_cursor_execute", _note_write)
    if not _session_listening:
        from sqlalchemy.orm import Session
        event.listen(Session, "after_begin", _after_begin)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        _session_listening = True


# -- reading a token cheaply ---------------------------------------------------

class TokenReader:
    """Runs small reads (a token, the signed-in state) on a connection each
    thread keeps for them, in autocommit. A broken connection is replaced
    once; an in-memory SQLite database (one connection shared with the
    session) is read through the session."""

    def __init__(self):
        self.local = threading.local()

    def read(self, engine, key):
        row = self.row(engine, "SELECT value FROM kv_store WHERE key = {}", (key,))
        return row[0] if row else ""

    def row(self, engine, sql, params):
        """The first row of `sql`, whose parameters are written `{}`."""
        from .extensions import db
        if engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:"):
            names = [f":p{i}" for i in range(len(params))]
            return db.session.execute(text(sql.format(*names)), {n[1:]: v for n, v in zip(names, params)}).first()
        marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            try:
                if conn is None or self.local.engine is not engine:
                    conn = self.local.conn = engine.raw_connection()
                    self.local.engine = engine
                    driver = conn.driver_connection
                    if engine.dialect.name == "postgresql":
                        driver.autocommit = True
                    else:
                        driver.isolation_level = None  # sqlite3: autocommit
                cur = conn.cursor()
                try:
                    cur.execute(sql.format(*[marker] * len(params)), params)
                    return cur.fetchone()
                finally:
                    cur.close()
            except Exception:  # noqa: BLE001 - the server restarted, say: a new connection, once
                self.local.conn = None
                if conn is not None:
                    try:
                        conn.invalidate()
                    except Exception:  # noqa: BLE001
                        pass
                if attempt == 2:
                    raise


READER = TokenReader()  # one kept connection per thread serves every token


def seen(key, token):
    """A query of this request read the token under `key` (with other rows):
    read() gives it without another round trip."""
    if has_request_context():
        request.environ.setdefault("lanmu.token." + key, token or "")


def read(key):
    """The token under `key` for this request: read once per request."""
    from .extensions import db
    if not has_request_context():
        return READER.read(db.engine, key)
    environ = request.environ
    name = "lanmu.token." + key
    token = environ.get(name)
    if token is None:
        token = environ[name] = READER.read(db.engine, key)
    return token


# -- what a worker keeps under the intranet token ------------------------------

class TokenMemo:
    """Values a worker keeps under a token: subclasses' refresh() reads the
    token for this request and drops `values` when it changed."""
    token = None

    def __init__(self):
        self.values = {}
        self.lock = threading.Lock()

    def refresh(self):
        raise NotImplementedError

    def remember(self, key, compute):
        token = self.refresh()
        values = self.values
        if key in values:
            return values[key]
        value = compute()
        with self.lock:
            if token == self.token:
                self.values[key] = value
        return value


class PageCache:
    """One worker's pages under one version token, least recently used first
    out past `max_bytes`; each kept with a `meta` value (its mimetype, the time
    it was made)."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.token = None
        self.next_expiry = None
        self.pages = OrderedDict()   # key -> (body bytes, meta)
        self.size = 0
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def reset(self, token, next_expiry=None):
        with self.lock:
            self.token, self.next_expiry = token, next_expiry
            self.pages.clear()
            self.size = 0

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return page

    def put(self, token, key, body, meta):
        if len(body) > self.max_bytes // 8:
            return
        with self.lock:
            if token != self.token:  # a newer token arrived while this page was rendered
                return
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old[0])
            self.pages[key] = (body, meta)
            self.size += len(body)
            while self.size > self.max_bytes and self.pages:
                _key, (dropped, _meta) = self.pages.popitem(last=False)
                self.size -= len(dropped)


class IntranetMemo(TokenMemo):
    """One worker's values and pages kept under the intranet token: values
    (small: settings) without limit, pages least recently used first out past
    `max_bytes`, each page for at most `max_age` seconds (what a page says
    about time, like "3天前", goes stale without any write)."""

    def __init__(self, max_bytes, max_age):
        super().__init__()
        self.max_age = max_age
        self.pages = PageCache(max_bytes)

    def refresh(self):
        """This request's token; a new one drops everything kept."""
        token = read(INTRANET)
        if token != self.token:
            with self.lock:
                self.token = token
                self.values = {}
            self.pages.reset(token)
        return token

    def page(self, key):
        """(token, body or None): the kept page for `key`, if fresh."""
        token = self.refresh()
        kept = self.pages.get(key)
        if kept is None:
            return token, None
        body, made_at = kept
        age = (clock.now() - made_at).total_seconds()
        return token, (body if 0 <= age <= self.max_age else None)

    def keep(self, token, key, body):
        self.pages.put(token, key, body, clock.now())


def memo(app=None):
    from flask import current_app
    return (app or current_app).extensions.get("lanmu_intranet_memo")


def init_app(app):
    from .extensions import db
    with app.app_context():
        listen(db.engine)
    if not app.config.get("LANMU_INTRANET_CACHE", True):
        return
    app.extensions["lanmu_intranet_memo"] = IntranetMemo(
        int(app.config.get("LANMU_INTRANET_CACHE_MB", 8)) * 1024 * 1024,
        float(app.config.get("LANMU_INTRANET_CACHE_SECONDS", 60)))
