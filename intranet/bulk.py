"""Reading and inserting many rows at once.

named_rows(result): the rows of a query as named tuples. A SQLAlchemy Row
finds a field by attribute only after Python's ordinary attribute lookup has
failed (about 1 µs a read, 20 times a tuple's); the sweep reads tens of
fields of each of 10^5 columns.

insert_ignore(table, rows): inserting many rows, skipping those whose unique
key is already there.

The sweep inserts 10^5 reminders and 10^4 outbox rows in one statement each.
Through SQLAlchemy's Core insert every row's parameters go through the
compiler's parameter processing and the column types' bind processors, which
cost more than SQLite spends storing the rows. Here the statement is written
once from the table and the rows are handed to the driver as tuples, with the
only conversion they need done in place: on SQLite, datetimes and dates in
SQLAlchemy's own storage format (so they compare and read back like every
other row); PostgreSQL's driver takes them as they are."""
from collections import namedtuple
from functools import lru_cache
from operator import itemgetter

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text

from .extensions import db


def named_rows(result):
    """The rows of `result` (a SQLAlchemy Result) as named tuples with its
    column names: attribute, index and unpacking access like a Row."""
    make = tuple.__new__
    cls = _named_tuple(tuple(result.keys()))
    return [make(cls, row) for row in result]


@lru_cache(maxsize=64)
def _named_tuple(fields):
    return namedtuple("NamedRow", fields)


# Column types whose values the driver takes as they are (after the datetime conversion above).
_PLAIN = (Boolean, Date, DateTime, Integer, String, Text)


def insert_ignore(table, rows, key="dedupe_key", names=None):
    """INSERT ... ON CONFLICT (key) DO NOTHING of `rows` in one executemany, in
    the session's transaction. Rows are dicts with the same keys, or, when
    `names` lists the columns, tuples in that order (cheaper to build)."""
    if not rows:
        return
    if names is None:
        names = list(rows[0])
        get = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    else:
        names, get = list(names), tuple
    columns = [table.c[name] for name in names]
    if not all(isinstance(c.type, _PLAIN) for c in columns):
        raise TypeError(f"insert_ignore: {table.name} has a column type the driver cannot take raw")
    connection = db.session.connection()
    dialect = connection.dialect
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join([marker] * len(names))}) ON CONFLICT ({quote(key)}) DO NOTHING")
    # (column, format, {value: text}): many rows share a time (the sweep's, a duty's deadline), formatted once
    formats = [(i, SQLITE_DATETIME if isinstance(c.type, DateTime) else SQLITE_DATE, {})
               for i, c in enumerate(columns) if isinstance(c.type, (Date, DateTime))]
    if dialect.name == "sqlite" and formats:
        params = []
        for row in rows:
            values = list(get(row))
            for i, fmt, done in formats:
                value = values[i]
                if value is not None:
                    text = done.get(value)
                    if text is None:
                        text = done[value] = format(value, fmt)
                    values[i] = text
            params.append(tuple(values))
    else:
        params = [get(row) for row in rows]
    connection.exec_driver_sql(sql, params)


# SQLAlchemy's SQLite storage formats (sqlalchemy.dialects.sqlite.DATETIME and DATE)
SQLITE_DATETIME, SQLITE_DATE = "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d"
