"""The ownership ledger (报备): the only code that changes who owns a customer.

`Customer.owner_id` is a cache of the ledger's last granting entry; it is written
here, together with the OwnershipEntry that explains it, and nowhere else, so
ownership cannot change without a ledger entry. Entries are never edited.
"""

from __future__ import annotations

from sqlmodel import select

from salesctl.models import Customer, OwnershipEntry
from salesctl.services.context import Ctx

# kinds that set the owner (to_owner_id, possibly None for the pool)
GRANTING = ("report", "grant", "approve", "release", "recall", "assign", "transfer")
# kinds that record something without moving ownership
NON_GRANTING = ("request", "reject", "duplicate")
KINDS = GRANTING + NON_GRANTING


def change_owner(
    ctx: Ctx,
    customer: Customer,
    new_owner_id: int | None,
    kind: str,
    *,
    staff_id: int | None = None,
    need: str | None = None,
    note: str | None = None,
    ref_id: int | None = None,
    had_info_in_time: bool | None = None,
) -> OwnershipEntry:
    """Append a granting entry and move the owner in the same transaction."""
    if kind not in GRANTING:
        raise ValueError(f"{kind} does not grant ownership")
    entry = OwnershipEntry(
        customer_id=customer.id,
        kind=kind,
        staff_id=staff_id if staff_id is not None else new_owner_id,
        from_owner_id=customer.owner_id,
        to_owner_id=new_owner_id,
        by_id=ctx.actor.id if ctx.actor else None,
        at=ctx.now,
        need=need,
        note=note,
        ref_id=ref_id,
        had_info_in_time=had_info_in_time,
    )
    ctx.session.add(entry)
    before_owner = customer.owner_id
    customer.owner_id = new_owner_id
    ctx.session.add(customer)
    ctx.session.flush()
    ctx.audit(f"ownership.{kind}", "customer", customer.id, {"owner_id": before_owner}, {"owner_id": new_owner_id, "entry": entry.id})
    return entry


def record_entry(
    ctx: Ctx,
    customer: Customer,
    kind: str,
    *,
    staff_id: int | None,
    need: str | None = None,
    note: str | None = None,
    ref_id: int | None = None,
) -> OwnershipEntry:
    """Append a non-granting entry (a pending request, a rejection)."""
    if kind not in NON_GRANTING:
        raise ValueError(f"{kind} would move ownership; use change_owner")
    entry = OwnershipEntry(
        customer_id=customer.id, kind=kind, staff_id=staff_id, from_owner_id=customer.owner_id,
        to_owner_id=None, by_id=ctx.actor.id if ctx.actor else None, at=ctx.now, need=need, note=note, ref_id=ref_id,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    ctx.audit(f"ownership.{kind}", "ownership_entry", entry.id, None, entry)
    return entry


def ledger(ctx: Ctx, customer_id: int) -> list[OwnershipEntry]:
    return list(ctx.session.exec(
        select(OwnershipEntry).where(OwnershipEntry.customer_id == customer_id).order_by(OwnershipEntry.id)
    ))
