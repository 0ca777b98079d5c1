"""Leave (请假) is requested and approved (handbook: 只有在获得批准后才能获得休假; 未能完成请假申请流程将被视为缺勤).

A person recording their own leave creates a pending request; their manager (or anyone
above them) approves or rejects it. A manager recording leave for someone in their team
approves it at once; so does the top of the org chart (nobody above to ask). Only
approved leave excuses reports and counts in compliance, commission and evaluation
(services.reports.compliance reads `Leave.status == "approved"`).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from salesctl.directory import find_staff
from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.inputs import is_id
from salesctl.messages import t
from salesctl.models import Leave, Staff
from salesctl.permissions import is_manager_of, require_manager_of
from salesctl.services.context import Ctx

STATUSES = ("pending", "approved", "rejected", "cancelled")
EXCUSING = "approved"


def _clean(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def add_leave(ctx: Ctx, ref: str, start: date, end: date, reason: str | None) -> Leave:
    staff = find_staff(ctx.session, ref)
    own = staff.id == ctx.actor.id
    if not own:
        require_manager_of(ctx, staff, t("err.what.leave_for", handle=staff.handle))
    if end < start:
        raise InvalidInput(t("err.leave_order", end=end, start=start))
    # a self-recorded request waits for a manager, unless nobody is above (the gm)
    approved = not own or staff.manager_id is None
    leave = Leave(staff_id=staff.id, start=start, end=end, reason=_clean(reason), created_by_id=ctx.actor.id,
                  created_at=ctx.now, status="approved" if approved else "pending",
                  decided_by_id=ctx.actor.id if approved else None, decided_at=ctx.now if approved else None)
    ctx.session.add(leave)
    ctx.session.flush()
    ctx.audit("staff.leave", "leave", leave.id, None, leave)
    return leave


def get_leave(ctx: Ctx, ref) -> tuple[Leave, Staff]:
    value = str(ref).strip().lstrip("#")
    if not is_id(value):
        raise InvalidInput(t("leave.err.bad_id", value=ref))
    leave = ctx.session.get(Leave, int(value))
    if leave is None:
        from salesctl.rls import deny_if_hidden

        deny_if_hidden(ctx.session, "leave", int(value), t("ts.what.leave", id=value))  # team server: out of reach
        raise NotFound(t("leave.err.not_found", id=value))
    return leave, ctx.session.get(Staff, leave.staff_id)


def _decide(ctx: Ctx, ref, status: str, note: str | None) -> tuple[Leave, Staff]:
    leave, staff = get_leave(ctx, ref)
    if staff.id == ctx.actor.id:
        raise PermissionDenied(t("err.denied", what=t("leave.denied.own", id=leave.id)))
    if not is_manager_of(ctx, staff):
        raise PermissionDenied(t("err.denied", what=t("leave.denied.decide", id=leave.id, handle=staff.handle)))
    if leave.status != "pending":
        raise Conflict(t("leave.err.not_pending", id=leave.id, status=t(f"leave_status.{leave.status}")))
    before = leave.model_copy()
    leave.status = status
    leave.decided_by_id = ctx.actor.id
    leave.decided_at = ctx.now
    leave.decision_note = _clean(note)
    ctx.session.add(leave)
    ctx.session.flush()
    ctx.audit(f"leave.{'approve' if status == 'approved' else 'reject'}", "leave", leave.id, before, leave)
    return leave, staff


def approve_leave(ctx: Ctx, ref, note: str | None = None) -> tuple[Leave, Staff]:
    return _decide(ctx, ref, "approved", note)


def reject_leave(ctx: Ctx, ref, reason: str | None) -> tuple[Leave, Staff]:
    if not _clean(reason):
        raise InvalidInput(t("leave.err.reason_required"))
    return _decide(ctx, ref, "rejected", reason)


def cancel_leave(ctx: Ctx, ref, reason: str | None = None) -> tuple[Leave, Staff]:
    """The person themselves, or their manager, withdraws a pending or approved leave."""
    leave, staff = get_leave(ctx, ref)
    if staff.id != ctx.actor.id and not is_manager_of(ctx, staff):
        raise PermissionDenied(t("err.denied", what=t("leave.denied.cancel", id=leave.id, handle=staff.handle)))
    if leave.status not in ("pending", "approved"):
        raise Conflict(t("leave.err.not_cancellable", id=leave.id, status=t(f"leave_status.{leave.status}")))
    before = leave.model_copy()
    leave.status = "cancelled"
    leave.decided_by_id = ctx.actor.id
    leave.decided_at = ctx.now
    leave.decision_note = _clean(reason)
    ctx.session.add(leave)
    ctx.session.flush()
    ctx.audit("leave.cancel", "leave", leave.id, before, leave)
    return leave, staff


def leave_row(leave: Leave, handle: str, decided_by: str | None = None) -> dict:
    return {"id": leave.id, "handle": handle, "from": leave.start, "to": leave.end, "reason": leave.reason,
            "status": leave.status, "decided_by": decided_by, "decision_note": leave.decision_note}


def leave_rows(ctx: Ctx, ref: str | None = None, *, pending: bool = False, team: bool = False):
    """Leave the actor may see (their own; their team's for a manager; everyone's for director/gm)."""
    from sqlalchemy.orm import aliased

    from salesctl.permissions import managed_staff_ids, visible_staff_ids

    decider = aliased(Staff)
    stmt = (select(Leave, Staff.handle, decider.handle).join(Staff, Leave.staff_id == Staff.id)
            .join(decider, decider.id == Leave.decided_by_id, isouter=True).order_by(Leave.start, Leave.id))
    if ref:
        staff = find_staff(ctx.session, ref)
        stmt = stmt.where(Leave.staff_id == staff.id)
    ids = visible_staff_ids(ctx)
    if ids is not None:
        stmt = stmt.where(Leave.staff_id.in_(select(ids.c.id)))
    if team:  # the people whose requests the actor decides
        managed = managed_staff_ids(ctx)
        if managed is not None:
            stmt = stmt.where(Leave.staff_id.in_(select(managed.c.id)))
        stmt = stmt.where(Leave.staff_id != ctx.actor.id)
    if pending:
        stmt = stmt.where(Leave.status == "pending")
    for leave, handle, decided_by in ctx.session.exec(stmt):
        yield leave_row(leave, handle, decided_by)


def inbox_leave_requests(ctx: Ctx):
    """Inbox source (services.teamwork.inbox.SOURCES): pending leave requests the actor decides.

    A manager sees their team's; the director and the gm only those of the people who report to
    them directly (their inbox carries escalations, not every request of the department).
    """
    from salesctl.models import MANAGER_ROLES
    from salesctl.permissions import SEES_ALL
    from salesctl.services.teamwork.inbox import item

    actor = ctx.actor
    if actor.role not in MANAGER_ROLES + SEES_ALL:
        return
    stmt = (select(Leave, Staff.handle, Staff.manager_id).join(Staff, Leave.staff_id == Staff.id)
            .where(Leave.status == "pending", Leave.staff_id != actor.id).order_by(Leave.created_at, Leave.id))
    if actor.role in SEES_ALL:
        stmt = stmt.where(Staff.manager_id == actor.id)
    else:
        from salesctl.permissions import managed_staff_ids

        managed = managed_staff_ids(ctx)
        if managed is not None:
            stmt = stmt.where(Leave.staff_id.in_(select(managed.c.id)))
    for leave, handle, _manager in ctx.session.exec(stmt):
        yield item(key=f"leave:{leave.id}", id=leave.id, customer=None,
                   text=t("handbook.inbox.leave", handle=handle, id=leave.id, start=leave.start.isoformat(),
                          end=leave.end.isoformat()),
                   since=leave.created_at)
