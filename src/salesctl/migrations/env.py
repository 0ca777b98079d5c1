"""Alembic environment: runs on the engine salesctl hands over (never on a URL of its own)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import BigInteger, DateTime, String

import salesctl.models  # noqa: F401  (registers every table)
from salesctl.dbtypes import Money, UTCDateTime
from sqlmodel import SQLModel

target_metadata = SQLModel.metadata


def render_item(type_, obj, autogen_context):
    """Render our column types as their plain SQL types, so migrations never import app code."""
    if type_ != "type":
        return False
    if isinstance(obj, Money):
        return "sa.BigInteger()"
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    name = type(obj).__name__
    if name == "AutoString":
        length = getattr(obj, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    return False


def run_migrations() -> None:
    engine = context.config.attributes.get("engine")
    if engine is None:
        raise RuntimeError("salesctl migrations run through salesctl (salesctl db upgrade)")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # a batch migration copies and drops a table: SQLite would check foreign keys at the DROP
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # before any BEGIN
        connection.info["salesctl_write"] = True
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_item=render_item,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:  # the migrations must leave every reference intact: checked once they are done
            raw = connection.connection.driver_connection
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            raw.execute("PRAGMA foreign_keys=ON")
            if broken:
                raise RuntimeError(f"the migration left broken references: {broken[:5]}")


run_migrations()
