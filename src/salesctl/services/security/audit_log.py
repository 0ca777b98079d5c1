"""Reading the audit log (writing it is salesctl.audit.record), merged with the team server's DB trail.

On PostgreSQL a trigger records every row change in `db_audit` (table, row id,
operation, old and new values, session_user, time). `salesctl audit` lists one
list: salesctl's own entries, plus the database's entries for writes that did not
come through salesctl (psql, scripts); `--db` lists every database entry instead.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from salesctl.models import AuditEntry, DbAudit, Staff
from salesctl.permissions import visible_staff_ids
from salesctl.services.context import Ctx
from salesctl.directory import find_staff

SALESCTL_CLIENT = "salesctl"


def _scoped(ctx: Ctx, stmt, column):
    ids = visible_staff_ids(ctx)
    if ids is not None:
        stmt = stmt.where(column.in_(select(ids.c.id)))
    if ctx.actor.role == "assistant":
        stmt = stmt.where(column == ctx.actor.id)
    return stmt


def audit_rows(ctx: Ctx, *, entity=None, entity_id=None, actor=None, action=None, since: date | None = None, limit=None,
               db_only: bool = False):
    """Managers see their team's actions; director and gm everything; reps and assistants their own."""
    actor_id = find_staff(ctx.session, actor, "actor").id if actor else None
    rows = [] if db_only else list(_app_rows(ctx, entity, entity_id, actor_id, action, since, limit))
    if ctx.session.get_bind().dialect.name == "postgresql":
        rows += list(_db_rows(ctx, entity, entity_id, actor_id, action, since, limit, every=db_only))
        rows.sort(key=lambda r: r["at"], reverse=True)
        if limit:
            rows = rows[:limit]
    return iter(rows)


def _app_rows(ctx, entity, entity_id, actor_id, action, since, limit):
    stmt = select(AuditEntry, Staff.handle).join(Staff, AuditEntry.actor_id == Staff.id, isouter=True)
    stmt = _scoped(ctx, stmt, AuditEntry.actor_id)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if since:
        stmt = stmt.where(AuditEntry.at >= ctx.clock.day_bounds_utc(since)[0])
    stmt = stmt.order_by(AuditEntry.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    for entry, handle in ctx.session.exec(stmt):
        yield {"id": entry.id, "at": entry.at, "actor": handle, "action": entry.action, "entity": entry.entity,
               "entity_id": entry.entity_id, "before": entry.before, "after": entry.after,
               "db_user": entry.db_user, "source": "app"}


def _db_rows(ctx, entity, entity_id, actor_id, action, since, limit, *, every: bool):
    stmt = select(DbAudit, Staff.handle).join(Staff, DbAudit.actor_id == Staff.id, isouter=True)
    if not every:
        stmt = stmt.where((DbAudit.client.is_(None)) | (DbAudit.client != SALESCTL_CLIENT))
    if ctx.actor.role not in ("gm", "director"):
        stmt = _scoped(ctx, stmt, DbAudit.actor_id)
    if entity:
        stmt = stmt.where(DbAudit.table_name == entity)
    if entity_id is not None:
        stmt = stmt.where(DbAudit.row_id == entity_id)
    if actor_id is not None:
        stmt = stmt.where(DbAudit.actor_id == actor_id)
    if action:
        if not action.startswith("db."):
            return
        stmt = stmt.where(DbAudit.operation == action[3:])
    if since:
        stmt = stmt.where(DbAudit.at >= ctx.clock.day_bounds_utc(since)[0])
    stmt = stmt.order_by(DbAudit.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    for entry, handle in ctx.session.exec(stmt):
        yield {"id": entry.id, "at": entry.at, "actor": handle, "action": f"db.{entry.operation}",
               "entity": entry.table_name, "entity_id": entry.row_id, "before": entry.before, "after": entry.after,
               "db_user": entry.db_user, "source": "db"}
