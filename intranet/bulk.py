"""Inserting many rows at once, skipping those whose unique key is already there.

The sweep inserts 10^5 reminders and 10^4 outbox rows in one statement each.
Through SQLAlchemy's Core insert every row's parameters go through the
compiler's parameter processing and the column types' bind processors, which
cost more than SQLite spends storing the rows. Here the statement is written
once from the table and the rows are handed to the driver as tuples, with the
only conversion they need done in place: on SQLite, datetimes and dates in
SQLAlchemy's own storage format (so they compare and read back like every
other row); PostgreSQL's driver takes them as they are."""
from operator import itemgetter

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text

from .extensions import db

# Column types whose values the driver takes as they are (after the datetime conversion above).
_PLAIN = (Boolean, Date, DateTime, Integer, String, Text)


def insert_ignore(table, rows, key="dedupe_key"):
    """INSERT ... ON CONFLICT (key) DO NOTHING of `rows` (dicts with the same
    keys) in one executemany, in the session's transaction."""
    if not rows:
        return
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    if not all(isinstance(c.type, _PLAIN) for c in columns):
        raise TypeError(f"insert_ignore: {table.name} has a column type the driver cannot take raw")
    connection = db.session.connection()
    dialect = connection.dialect
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join([marker] * len(names))}) ON CONFLICT ({quote(key)}) DO NOTHING")
    get = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    formats = [(i, SQLITE_DATETIME if isinstance(c.type, DateTime) else SQLITE_DATE)
               for i, c in enumerate(columns) if isinstance(c.type, (Date, DateTime))]
    if dialect.name == "sqlite" and formats:
        params = []
        for row in rows:
            values = list(get(row))
            for i, fmt in formats:
                if values[i] is not None:
                    values[i] = format(values[i], fmt)
            params.append(tuple(values))
    else:
        params = [get(row) for row in rows]
    connection.exec_driver_sql(sql, params)


# SQLAlchemy's SQLite storage formats (sqlalchemy.dialects.sqlite.DATETIME and DATE)
SQLITE_DATETIME, SQLITE_DATE = "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d"
