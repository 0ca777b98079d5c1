"""Text is stored the same way on SQLite and PostgreSQL: within the column's length and without NUL.

PostgreSQL refuses a value longer than its VARCHAR(n) column and any text with a NUL
character (both as a raw driver error); SQLite silently keeps either. So every write
is checked here first, one rule for both databases and for both ways rows are written:

* `install()` adds a `before_flush` check to every ORM session (the `add`/`edit`
  commands): the attributes a flush would write, new rows whole, changed rows only
  in what changed (an old row is never refused for what an earlier version stored).
* `check_column()` is what the bulk writer (imports) calls once per column and batch.

Either refuses with InvalidInput (exit 2) naming the field, and the transaction is
rolled back, so nothing is written. Hand-written because SQLAlchemy validates no
lengths (by design: it leaves that to the database, which is what differs here).
"""

from __future__ import annotations

from typing import Iterable

from salesctl.errors import InvalidInput
from salesctl.messages import t

_installed = False


def _limit(column) -> int | None:
    length = getattr(column.type, "length", None)
    return length if isinstance(length, int) and length > 0 else None


def field_name(column) -> str:
    """"customer address", "contact name": the record and the field, as the user knows them."""
    table = getattr(column.table, "name", "") or ""
    name = column.name.replace("_", " ")
    return name if not table or name.startswith(table.replace("_", " ")) else f"{table.replace('_', ' ')} {name}"


def check_value(column, value) -> None:
    if not isinstance(value, str):
        return
    if "\x00" in value:
        raise InvalidInput(t("err.text_nul", field=field_name(column)))
    limit = _limit(column)
    if limit is not None and len(value) > limit:
        raise InvalidInput(t("err.text_too_long", field=field_name(column), n=len(value), max=limit))


def check_column(column, values: Iterable) -> None:
    """A batch of one column's values (the bulk writer's): the cheap whole-batch tests first."""
    texts = [v for v in values if isinstance(v, str)]
    if not texts:
        return
    limit = _limit(column)
    if "\x00" in "".join(texts) or (limit is not None and max(map(len, texts)) > limit):
        for value in texts:
            check_value(column, value)


def _check_flush(session, _context, _instances) -> None:
    from sqlalchemy import inspect

    for obj in list(session.new) + list(session.dirty):
        state = inspect(obj)
        mapper = state.mapper
        new = state.key is None
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if new:
                value = state.dict.get(prop.key)
                check_value(column, value)
            else:
                for value in state.attrs[prop.key].history.added or ():
                    check_value(column, value)


def install() -> None:
    """Check every ORM flush (idempotent; called when the first engine is made)."""
    global _installed
    if _installed:
        return
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    event.listen(Session, "before_flush", _check_flush)
    _installed = True
