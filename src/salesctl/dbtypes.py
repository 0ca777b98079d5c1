"""Column types and one condition that behave the same on SQLite and PostgreSQL: exact money, UTC
datetimes, and `in_values` (a column in a long list of values, as one bound parameter)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.types import TypeDecorator

from salesctl.money import cents_to_decimal, to_cents


class Money(TypeDecorator):
    """Money stored as integer cents, handed to Python as a two-decimal `Decimal`.

    SUM() over the column stays exact on every backend, and the result comes back
    through the same type, so aggregates are `Decimal` too.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return to_cents(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return cents_to_decimal(value)

    @property
    def python_type(self):
        return Decimal


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and returned timezone-aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # raw SQLite text in some aggregate paths
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=timezone.utc)

    @property
    def python_type(self):
        return datetime


class _JSONList(TypeDecorator):
    """A list of strings bound as one JSON text, for SQLite's json_each (in_values; PostgreSQL binds an array)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        import json

        return json.dumps(list(value), ensure_ascii=False)


def in_values(column, values, dialect: str):
    """`column IN (values)` with the list bound as one parameter, so a statement with thousands of values is
    compiled once and cached, not rendered with a placeholder per value on every run (SQLAlchemy's expanding
    IN): `IN (SELECT value FROM json_each(?))` on SQLite, `= ANY(?)` on PostgreSQL; both look the values up in
    the column's index. For text columns (the matcher's keys)."""
    from sqlalchemy import any_, bindparam, func, select
    from sqlalchemy.types import ARRAY

    if dialect == "sqlite":
        listed = func.json_each(bindparam(None, values, type_=_JSONList())).table_valued("value")
        return column.in_(select(listed.c.value))
    return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
