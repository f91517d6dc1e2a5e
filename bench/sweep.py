"""A full scheduler sweep beside its floor (issue 10).

    /work/main/.venv/bin/python bench/sweep.py URL [--runs 3] [--second URL2 | --no-second]

URL is a database made by bench/generate.py. The sweep is
``intranet.reminders.engine.run_sweep`` with every registered sweep (the
core's columns, homepages, portal links, passwords and expired items; review
steps; the link checks; document deadlines; mailbox deadlines; links
reachability; assessment; inspection health), at the real current time.

The floor is the bare SQL the sweep needs, run by hand on the same database:
while an untimed warm-up sweep runs, an event listener records every
statement and its parameters as SQLAlchemy sends them to the DBAPI cursor;
the floor replays exactly those statements with the raw DBAPI cursor
(``execute`` / ``executemany``, every result fetched) inside one transaction
that is rolled back. So the floor follows the code: if a sweep issues a
needless query, the floor pays for it too, and the ratio shows what the
Python side (ORM, rules, recipients, digests) costs on top of the database.

Before each run (sweep or floor) the reminders and the outbox are emptied,
decision links and audit entries made by earlier runs deleted, and the
units' portal-link flags restored, so every run does the same work: the
first sweep over this data (every reminder new, every digest queued).

Also printed: the query count of the sweep (the engine counts the
statements it executes; an executemany of many rows is one statement) on
this dataset and on a second, smaller one (default: a --small dataset built
into a temporary SQLite file for a SQLite URL, or into ``<database>_small``
next to a PostgreSQL one); it must not grow with the number of columns.

The last line is ``sweep_vs_floor=<best sweep time / best floor time>``
(target <= 2).
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)


def make_app(url):
    from intranet import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "LANMU_BASE_URL": "https://oa.example.gov.cn",
                       "SECRET_KEY": "bench", "MAIL_SUPPRESS_SEND": True})


class Capture:
    """Records (statement, parameters, executemany) of every cursor execution."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def __enter__(self):
        from sqlalchemy import event
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def _on(self, _conn, _cursor, statement, parameters, _context, executemany):
        self.statements.append((statement, parameters, executemany))

    def __exit__(self, *exc):
        from sqlalchemy import event
        event.remove(self.engine, "before_cursor_execute", self._on)


class Reset:
    """Puts the database back to its state before the first sweep."""

    def __init__(self, db):
        from sqlalchemy import func, select

        from intranet.audit.models import AuditEntry
        from intranet.review.models import DecisionLink
        self.db = db
        self.audit_max = db.session.execute(select(func.max(AuditEntry.id))).scalar() or 0
        self.link_max = db.session.execute(select(func.max(DecisionLink.id))).scalar() or 0
        db.session.commit()

    def __call__(self):
        from sqlalchemy import delete, update

        from intranet.audit.models import AuditEntry
        from intranet.org.models import Unit
        from intranet.outbox.models import OutboxMessage
        from intranet.reminders.models import Reminder
        from intranet.review.models import DecisionLink
        s = self.db.session
        s.execute(delete(Reminder))
        s.execute(delete(OutboxMessage))
        s.execute(delete(DecisionLink).where(DecisionLink.id > self.link_max))
        s.execute(delete(AuditEntry).where(AuditEntry.id > self.audit_max))
        s.execute(update(Unit).where(Unit.portal_link_hidden.is_(True)).values(portal_link_hidden=False))
        s.commit()
        s.expunge_all()


def replay(engine, statements, per_statement=None):
    """The floor: the captured statements through the raw DBAPI cursor, in
    one transaction, rolled back. Returns the seconds taken (and fills
    per_statement with (seconds, statement) when given)."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        started = time.perf_counter()
        for statement, parameters, many in statements:
            t = time.perf_counter()
            if many:
                cur.executemany(statement, parameters)
            else:
                cur.execute(statement, parameters)
                if cur.description is not None:
                    cur.fetchall()
            if per_statement is not None:
                per_statement.append((time.perf_counter() - t, statement, len(parameters) if many else 1))
        elapsed = time.perf_counter() - started
        cur.close()
        raw.rollback()
        return elapsed
    finally:
        raw.close()


def describe(statement):
    """'select item', 'insert reminder', ... for a SQL statement."""
    import re
    words = statement.split()
    verb = words[0].lower() if words else "?"
    m = re.search(r"\b(?:FROM|INTO|UPDATE)\s+([a-z_]+)", statement)
    return f"{verb} {m.group(1) if m else '?'}"


def timed_sweeps(app):
    """Wrap each registered sweep to time it (restored by the caller)."""
    times = {}
    original = list(app.extensions.get("lanmu_sweeps", []))

    def wrap(fn):
        def timed(ctx):
            t = time.perf_counter()
            try:
                return fn(ctx)
            finally:
                times[fn.__name__] = times.get(fn.__name__, 0) + time.perf_counter() - t
        return timed
    app.extensions["lanmu_sweeps"] = [wrap(fn) for fn in original]
    return times, original


def dataset_info(db):
    from intranet.outbox.models import KeyValue
    row = db.session.get(KeyValue, "bench:dataset")
    return json.loads(row.value) if row else {}


def engine_version(engine):
    from sqlalchemy import text
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return "PostgreSQL " + conn.execute(text("SHOW server_version")).scalar().split()[0]
        return "SQLite " + conn.execute(text("select sqlite_version()")).scalar()


def measure(url, runs, profile=None, log=print):
    from intranet.extensions import db
    from intranet.reminders.engine import run_sweep
    app = make_app(url)
    out = {}
    with app.app_context():
        engine = db.engine
        info = dataset_info(db)
        out["engine"] = engine_version(engine)
        out["info"] = info
        reset = Reset(db)
        reset()
        # warm-up (untimed): caches warm, one-time state changes, statements captured
        t = time.perf_counter()
        with Capture(engine) as cap:
            sweep, new = run_sweep()
        out["warmup"] = time.perf_counter() - t
        out["captured"] = cap.statements
        out["queries"] = sweep.queries
        out["duties"], out["created"] = sweep.duties, sweep.created
        from sqlalchemy import func, select

        from intranet.outbox.models import OutboxMessage
        out["outbox"] = db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar()
        log(f"  warm-up sweep {out['warmup']:.2f} s: {sweep.duties:,} duties, {sweep.created:,} reminders, "
            f"{out['outbox']:,} outbox rows, {sweep.queries} queries, {len(cap.statements)} statements captured")
        times, original = timed_sweeps(app)
        sweeps, floors, per_fn = [], [], []
        try:
            for i in range(runs):
                reset()
                times.clear()
                t = time.perf_counter()
                if profile and i == 0:
                    prof = cProfile.Profile()
                    prof.enable()
                sweep, new = run_sweep()
                if profile and i == 0:
                    prof.disable()
                    prof.dump_stats(profile)
                sweeps.append(time.perf_counter() - t)
                per_fn.append(dict(times))
                reset()
                per_statement = []
                floors.append(replay(engine, cap.statements, per_statement))
                if floors[-1] == min(floors):
                    out["per_statement"] = per_statement
                log(f"  run {i + 1}: sweep {sweeps[-1]:.2f} s, floor {floors[-1]:.2f} s")
        finally:
            app.extensions["lanmu_sweeps"] = original
        reset()
        out["sweeps"], out["floors"], out["per_fn"] = sweeps, floors, per_fn
        db.session.remove()
        engine.dispose()
    return out


def count_only(url):
    from intranet.extensions import db
    from intranet.reminders.engine import run_sweep
    app = make_app(url)
    with app.app_context():
        info = dataset_info(db)
        reset = Reset(db)
        reset()
        sweep, _new = run_sweep()
        queries = sweep.queries
        reset()
        db.session.remove()
        db.engine.dispose()
    return queries, info


def second_url(url):
    """A database for the second (small) size, made with generate --small."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    u = make_url(url)
    if u.get_backend_name() == "postgresql":
        name = f"{u.database}_small"
        admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return u.set(database=name).render_as_string(hide_password=False)
    return "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="lanmu-sweep-"), "small.db")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url", help="a database made by bench/generate.py")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of sweep and floor (best kept)")
    ap.add_argument("--second", help="the second-size database (default: a --small one built for the purpose)")
    ap.add_argument("--no-second", action="store_true", help="skip the query count at a second size")
    ap.add_argument("--profile", help="write a cProfile of the first timed sweep to this file")
    args = ap.parse_args(argv)

    print(f"sweep benchmark on {args.url.split('@')[-1]}")
    main_result = measure(args.url, args.runs, profile=args.profile)
    counts = (main_result["info"].get("counts") or {})
    second = None
    if not args.no_second:
        url2 = args.second
        if url2 is None:
            import generate
            url2 = second_url(args.url)
            if generate.has_tables(url2):
                generate._drop_everything(url2)
            generate.build(url2, dict(generate.SIZES["small"]), log=lambda *_: None)
        q2, info2 = count_only(url2)
        second = (q2, (info2.get("counts") or {}))

    best_sweep, best_floor = min(main_result["sweeps"]), min(main_result["floors"])
    print()
    print(f"engine                {main_result['engine']}")
    print(f"dataset               {counts.get('columns', 0):,} columns, {counts.get('items', 0):,} items, "
          f"{counts.get('messages', 0):,} messages, {counts.get('users', 0):,} people")
    print(f"work per sweep        {main_result['duties']:,} duties, {main_result['created']:,} reminders, "
          f"{main_result['outbox']:,} outbox rows")
    print("sweep runs            " + ", ".join(f"{t:.2f}" for t in main_result["sweeps"]) + f" s (best {best_sweep:.2f})")
    print("floor runs            " + ", ".join(f"{t:.2f}" for t in main_result["floors"]) + f" s (best {best_floor:.2f})"
          f"  ({len(main_result['captured'])} statements replayed raw)")
    fastest = main_result["per_fn"][main_result["sweeps"].index(best_sweep)]
    print("per sweep function    " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(fastest.items(), key=lambda kv: -kv[1])))
    top = sorted(main_result["per_statement"], key=lambda x: -x[0])[:6]
    print("floor's largest        " + "; ".join(
        f"{describe(stmt)}{f' ({n:,} rows)' if n > 1 else ''} {t:.2f} s" for t, stmt, n in top))
    print(f"query count           {main_result['queries']} at {counts.get('columns', 0):,} columns")
    if second is not None:
        q2, c2 = second
        print(f"query count           {q2} at {c2.get('columns', 0):,} columns")
    print(f"sweep_vs_floor={best_sweep / best_floor:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
