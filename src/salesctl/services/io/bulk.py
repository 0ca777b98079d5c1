"""All-or-nothing bulk writes: ids taken up front and rows inserted at driver speed in the session's transaction."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, insert, select, text

from salesctl import storedtext
from salesctl.services.io.outcomes import Progress


# --------------------------------------------------------------------------- writing in bulk
def allocate_ids(session, table, count: int) -> list[int]:
    """`count` new primary keys for `table`, taken up front so related rows can point at them.

    PostgreSQL hands them out from the column's sequence (safe with other writers);
    SQLite continues from the largest id (write transactions hold the lock: BEGIN IMMEDIATE).
    """
    if count <= 0:
        return []
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        rows = conn.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                            {"t": table.name, "n": count}).scalars().all()
        return sorted(int(r) for r in rows)
    start = conn.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(start + 1, start + count + 1))


def bulk_insert(session, table, rows: Iterable[dict], batch: int = 20_000, progress: Progress | None = None) -> int:
    """INSERT many rows on the session's connection (its transaction), at driver speed.

    The statement is SQLAlchemy's own INSERT compiled for the dialect, and every value
    goes through the column type's own bind processor (Money → cents, UTCDateTime →
    naive UTC, SQLite's date/datetime text): exactly what Core executemany sends. The
    processed value of a repeated input (the import's timestamp, the owner, the status)
    is computed once, and the rows go to the driver's executemany directly, which is
    what makes 100,000 customers (400,000 rows with contacts, ledger and grades) quick.
    `rows` may be a generator: it is consumed one batch at a time (all rows have the
    first row's keys).
    """
    from itertools import islice

    from sqlalchemy import bindparam

    source = iter(rows)
    first = list(islice(source, batch))
    if not first:
        return 0
    conn = session.connection()
    dialect = conn.dialect
    names = list(first[0])
    compiled = insert(table).values({name: bindparam(name) for name in names}).compile(dialect=dialect)
    positional = bool(compiled.positional)
    # the statement's own parameters: the rows' keys, and columns with a Python-side default the rows leave out
    order = list(compiled.positiontup) if positional else list(compiled.binds)
    from sqlalchemy import String

    processors = []
    for name in order:
        column = table.c[name]
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        # length and NUL are checked on text columns (String, Text, Enum); the rows' keys only
        kind = column.type
        text_column = name in names and isinstance(getattr(kind, "impl", kind), String)  # AutoString: impl String
        processors.append((name, process, {}, text_column))
    sql = compiled.string
    given = set(names)
    def processed(values: list, process, memo: dict) -> list:
        out = []
        for value in values:
            if value is not None:
                hit = memo.get(value)
                if hit is None:
                    hit = process(value)
                    if len(memo) < 10_000:
                        memo[value] = hit
                value = hit
            out.append(value)
        return out

    total = 0
    chunk = first
    while chunk:
        columns = []  # column by column: one tight loop per column beats one per cell
        for name, process, memo, text_column in processors:
            if name in given:
                values = [row[name] for row in chunk]
            else:  # a column with a Python-side scalar default that the rows leave out
                values = [table.c[name].default.arg] * len(chunk)
            if text_column:
                storedtext.check_column(table.c[name], values)  # as an ORM write would be: length, NUL
            columns.append(values if process is None else processed(values, process, memo))
        params = list(zip(*columns)) if positional else [dict(zip(order, values)) for values in zip(*columns)]
        conn.exec_driver_sql(sql, params)
        total += len(chunk)
        if progress is not None:
            progress.advance(len(chunk))
        chunk = list(islice(source, batch))
    return total


# --------------------------------------------------------------------------- rows of earlier batches
class WrittenRows:
    """The ids an import gave to the rows it wrote so far, and each one's spreadsheet row number.

    Rows of earlier batches are already in the import's transaction, so the queries of a later
    batch find them beside the archive's rows: their ids tell them apart. Kept as compact
    integer arrays (ids ascend across batches, as `allocate_ids` hands them out; on SQLite
    each batch is one run of ids), so a million rows cost a few MB.
    """

    def __init__(self):
        # (first id, last id, ids or None when first..last, row numbers)
        self.batches: list[tuple[int, int, object, object]] = []

    def add(self, ids, rows) -> None:
        from array import array

        if not ids:
            return
        first, last = ids[0], ids[-1]
        run = None if last - first + 1 == len(ids) else array("q", ids)
        self.batches.append((first, last, run, array("l", rows)))

    def where(self, ref: int) -> tuple[str, int]:
        """("file", row number) for a row this import wrote, else ("archive", ref)."""
        from bisect import bisect_left, bisect_right

        at = bisect_right(self.batches, ref, key=lambda b: b[0]) - 1
        if at >= 0:
            first, last, run, rows = self.batches[at]
            if ref <= last:
                if run is None:
                    return "file", rows[ref - first]
                i = bisect_left(run, ref)
                if i < len(run) and run[i] == ref:
                    return "file", rows[i]
        return "archive", ref
