"""Reading the audit log (writing it is salesctl.audit.record)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from salesctl.models import AuditEntry, Staff
from salesctl.permissions import visible_staff_ids
from salesctl.services.context import Ctx
from salesctl.directory import find_staff


def audit_rows(ctx: Ctx, *, entity=None, entity_id=None, actor=None, action=None, since: date | None = None, limit=None):
    """Managers see their team's actions; director and gm everything; reps and assistants their own."""
    stmt = select(AuditEntry, Staff.handle).join(Staff, AuditEntry.actor_id == Staff.id, isouter=True)
    ids = visible_staff_ids(ctx)
    if ids is not None:
        stmt = stmt.where(AuditEntry.actor_id.in_(select(ids.c.id)))
    if ctx.actor.role == "assistant":
        stmt = stmt.where(AuditEntry.actor_id == ctx.actor.id)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor_id == find_staff(ctx.session, actor, "actor").id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if since:
        stmt = stmt.where(AuditEntry.at >= ctx.clock.day_bounds_utc(since)[0])
    stmt = stmt.order_by(AuditEntry.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    for entry, handle in ctx.session.exec(stmt):
        yield {"id": entry.id, "at": entry.at, "actor": handle, "action": entry.action, "entity": entry.entity,
               "entity_id": entry.entity_id, "before": entry.before, "after": entry.after}
