"""`inbox`: what waits on the acting user, in one list of `{kind, id, customer, text, since}` rows.

- complaint: complaints escalated to the actor and not finished (open, in progress, resolved awaiting close);
- claim: pending claim requests (an OwnershipEntry of kind "request" with no later entry deciding it,
  i.e. none whose ref_id points at it) of people the actor has manager authority over;
- report: submitted, not yet reviewed reports of people the actor has manager authority over;
- action: the actor's own overdue open action items and, for managers, their team's.

One query per kind, whatever the size of the team.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Iterator

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.models import ActionItem, Complaint, ComplaintEscalation, Customer, OwnershipEntry, Report, Staff
from salesctl.permissions import managed_staff_ids, visible_staff_ids
from salesctl.services.teamwork.complaints import ACTIVE
from salesctl.services.context import Ctx

KINDS = ("complaint", "claim", "report", "action")


def _complaints(ctx: Ctx) -> Iterator[dict]:
    stmt = (
        select(Complaint.id, Customer.name, Complaint.severity, Complaint.status, Complaint.text, Complaint.created_at)
        .join(Customer, Customer.id == Complaint.customer_id)
        .join(ComplaintEscalation, ComplaintEscalation.complaint_id == Complaint.id)
        .where(ComplaintEscalation.staff_id == ctx.actor.id, Complaint.status.in_(ACTIVE))
        .order_by(Complaint.created_at, Complaint.id)
    )
    for cid, customer, severity, status, text, created in ctx.session.execute(stmt):
        yield {"kind": "complaint", "id": cid, "customer": customer, "text": f"[{severity}, {status}] {text}",
               "since": created}


def _claims(ctx: Ctx) -> Iterator[dict]:
    managed = managed_staff_ids(ctx)
    decision = aliased(OwnershipEntry)
    requester = aliased(Staff)
    stmt = (
        select(OwnershipEntry.id, Customer.name, requester.handle, OwnershipEntry.need, OwnershipEntry.at)
        .join(Customer, Customer.id == OwnershipEntry.customer_id)
        .join(requester, requester.id == OwnershipEntry.staff_id)
        .where(OwnershipEntry.kind == "request", ~exists().where(decision.ref_id == OwnershipEntry.id),
               OwnershipEntry.staff_id != ctx.actor.id)
        .order_by(OwnershipEntry.at, OwnershipEntry.id)
    )
    if managed is not None:
        stmt = stmt.where(OwnershipEntry.staff_id.in_(select(managed.c.id)))
    for entry_id, customer, handle, need, at in ctx.session.execute(stmt):
        text = f"{handle} claims the customer" + (f": {need}" if need else "")
        yield {"kind": "claim", "id": entry_id, "customer": customer, "text": text, "since": at}


def _reports(ctx: Ctx) -> Iterator[dict]:
    managed = managed_staff_ids(ctx)
    rep = aliased(Staff)
    stmt = (
        select(Report.id, rep.handle, Report.kind, Report.period, Report.late, Report.submitted_at)
        .join(rep, rep.id == Report.rep_id)
        .where(Report.status == "submitted", Report.rep_id != ctx.actor.id)
        .order_by(Report.submitted_at, Report.id)
    )
    if managed is not None:
        stmt = stmt.where(Report.rep_id.in_(select(managed.c.id)))
    for rid, handle, kind, period, late, submitted in ctx.session.execute(stmt):
        text = f"{handle} {kind} report {period}" + (" (late)" if late else "")
        yield {"kind": "report", "id": rid, "customer": None, "text": text, "since": submitted}


def _actions(ctx: Ctx) -> Iterator[dict]:
    actor = ctx.actor
    owner = aliased(Staff)
    successor = aliased(ActionItem)
    stmt = (
        select(ActionItem.id, owner.handle, ActionItem.text, ActionItem.due)
        .join(owner, owner.id == ActionItem.owner_id)
        .where(ActionItem.done_at.is_(None), ActionItem.cancelled_at.is_(None), ActionItem.due < ctx.today,
               ~exists().where(successor.carried_from_id == ActionItem.id))
        .order_by(ActionItem.due, ActionItem.id)
    )
    if actor.role in ("gm", "director", "manager", "regional_manager"):
        ids = visible_staff_ids(ctx)
        if ids is not None:
            stmt = stmt.where(ActionItem.owner_id.in_(select(ids.c.id)))
    else:
        stmt = stmt.where(ActionItem.owner_id == actor.id)
    tz = ctx.clock.tz
    for aid, handle, text, due in ctx.session.execute(stmt):
        overdue_since = datetime.combine(due + timedelta(days=1), time(0, 0), tz)
        yield {"kind": "action", "id": aid, "customer": None, "text": f"@{handle} {text} (due {due.isoformat()})",
               "since": overdue_since}


def inbox_rows(ctx: Ctx, kinds: tuple[str, ...] = KINDS) -> list[dict]:
    """Everything waiting on the actor, kind by kind (complaints, claims, reports, actions), oldest first."""
    producers = {"complaint": _complaints, "claim": _claims, "report": _reports, "action": _actions}
    rows: list[dict] = []
    for kind in KINDS:
        if kind in kinds:
            rows.extend(producers[kind](ctx))
    return rows


def counts(rows: list[dict]) -> dict[str, int]:
    result = {kind: 0 for kind in KINDS}
    for row in rows:
        result[row["kind"]] += 1
    return result
