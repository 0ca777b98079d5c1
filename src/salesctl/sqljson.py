"""Long JSON listings written by SQLite itself: one `json_object(...)` text per row, joined by Python.

`render.emit_records` converts each stored record in Python and encodes it with orjson, about
10 µs a row; a list of a million customers spends most of its time there. On SQLite the same
document can come out of the query: `json_object` (built into SQLite since 3.38) writes each
row's JSON, and Python only joins the lines, in bytes (no decoding and encoding again). The
bytes are the ones `emit_records` writes for the same rows (tests/test_sqljson.py compares the
two on awkward values), because SQLite and orjson escape text alike (quotes, backslashes and
C0 controls; everything else is left as UTF-8) and write integers alike.

The time-zone conversion is the part SQL cannot do cheaply (`strftime` per value costs as much
as the Python path). A temporary table maps each UTC hour of the listing's span to its local
"YYYY-MM-DDTHH" and offset (periods.local_hour_rows, the rule of periods.local_iso_converter);
a stored timestamp (SQLite's text "YYYY-MM-DD HH:MM:SS.ffffff") is that prefix, its own minutes
and seconds, and the offset. A value the table does not cover (an hour with a transition, a
zone whose offset is not whole hours, an odd stored form) goes through local_iso_converter
itself as an SQL function, so every value is what the Python path prints.

Hand-written because no library turns an SQLAlchemy statement into an SQLite JSON projection;
PostgreSQL keeps the Python path (its rows already cost less to fetch than SQLite's).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator, Sequence

from sqlalchemy import Integer, String, TypeDecorator, and_, case, column, func, literal, table

MIN_ROWS = 20_000  # below this many customers (by the highest id) the hour table costs more than it saves
HOURS = table("salesctl_local_hours", column("utc", String), column("local", String), column("suffix", String),
              schema="temp")


def available(conn) -> bool:
    """SQLite with json_object (3.38+, or built with JSON1)."""
    if conn.dialect.name != "sqlite":
        return False
    import sqlite3

    return sqlite3.sqlite_version_info >= (3, 38, 0)


def json_lines(conn, stmt, keys: Sequence[str], kinds: dict[str, str], span: tuple[datetime | None, datetime]
               ) -> Iterator[bytes] | None:
    """Each row of `stmt` (its columns in `keys` order, converted by `kinds` as render.emit_records does) as
    one JSON object in UTF-8 bytes, streamed; None when this connection or these columns cannot take it.

    span: the earliest and latest stored timestamps the rows are likely to hold (naive UTC); values
    outside it are still converted exactly, only more slowly."""
    from salesctl.periods import local_hour_rows, local_iso_converter

    if not available(conn):
        return None
    columns = list(stmt.selected_columns)
    if len(columns) != len(keys):
        return None
    raw = conn.connection.driver_connection
    raw.create_function("salesctl_local_ts", 1, local_iso_converter(), deterministic=True)
    conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS salesctl_local_hours (utc TEXT PRIMARY KEY, "  # "YYYY-MM-DD HH:"
                         "local TEXT NOT NULL, suffix TEXT NOT NULL) WITHOUT ROWID")
    conn.exec_driver_sql("DELETE FROM temp.salesctl_local_hours")
    earliest, latest = span
    if earliest is not None and latest is not None:
        hours = local_hour_rows(earliest, latest + timedelta(days=1))
        raw.executemany("INSERT INTO temp.salesctl_local_hours VALUES (?, ?, ?)", hours)

    pairs = []
    for n, (key, col) in enumerate(zip(keys, columns)):
        value = getattr(col, "element", col)  # a label's expression
        kind = kinds.get(key)
        if kind == "utc":
            hour = HOURS.alias(f"local_hour_{n}")
            stmt = stmt.outerjoin(hour, and_(hour.c.utc == func.substr(value, 1, 14), func.substr(value, 17, 1) == ":"))
            value = func.coalesce(hour.c.local + func.substr(value, 14, 6) + hour.c.suffix,
                                  case((value.is_not(None), func.salesctl_local_ts(value))))
        elif kind == "bool":
            value = func.json(case((value.is_(None), None), (value != 0, "true"), else_="false"))
        elif kind != "date" and not _plain(col.type):
            return None  # only text and integers are printed as SQLite holds them
        pairs += [literal(key, String), value]
    query = stmt.with_only_columns(func.json_object(*pairs), maintain_column_froms=True)

    def lines() -> Iterator[bytes]:
        factory = raw.text_factory
        raw.text_factory = bytes  # the UTF-8 SQLite wrote, as it is
        result = conn.execute(query)
        cursor = result.cursor  # the driver's own rows: one text each, nothing for SQLAlchemy to process
        try:
            while True:
                rows = cursor.fetchmany(2000)
                if not rows:
                    break
                for (line,) in rows:
                    yield line
        finally:
            result.close()
            raw.text_factory = factory

    return lines()




def _plain(kind) -> bool:
    """A column SQLite holds as the text or integer printed (a type decorator judged by what it stores)."""
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return isinstance(kind, (Integer, String))
