"""The audit log: every write records who, when, what, and the record before and after."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from salesctl.models import AuditEntry

if TYPE_CHECKING:
    from salesctl.services.context import Ctx

# never written to the audit log, whatever the entity
SECRET_FIELDS = {"hash", "salt", "password", "key"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def snapshot(record) -> dict | None:
    """The columns of a model instance as a JSON-safe dict (secrets left out)."""
    if record is None:
        return None
    if isinstance(record, dict):
        return {k: _plain(v) for k, v in record.items() if k not in SECRET_FIELDS}
    data = {}
    for column in record.__table__.columns:
        if column.key in SECRET_FIELDS:
            continue
        data[column.key] = _plain(getattr(record, column.key))
    return data


def record(ctx: "Ctx", action: str, entity: str, entity_id: int | None, before=None, after=None) -> AuditEntry:
    """Add an audit entry to the command's transaction (it commits or rolls back with the change)."""
    entry = AuditEntry(
        actor_id=ctx.actor.id if ctx.actor is not None else None,
        at=ctx.clock.now_utc,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=json.dumps(snapshot(before), ensure_ascii=False, default=str) if before is not None else None,
        after=json.dumps(snapshot(after), ensure_ascii=False, default=str) if after is not None else None,
    )
    ctx.session.add(entry)
    return entry
