"""Column types that behave the same on SQLite and PostgreSQL: exact money and UTC datetimes."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime
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
