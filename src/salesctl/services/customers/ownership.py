"""The ownership ledger (报备): the only code that changes who owns a customer.

`Customer.owner_id` is a cache of the ledger's last granting entry; it is written
here, together with the OwnershipEntry that explains it, and nowhere else, so
ownership cannot change without a ledger entry. Entries are never edited.

The guard at the end of this module makes that true by construction for every
ORM session (models.py imports this module, so no session runs without it): a
flush that changes `Customer.owner_id` without a granting entry for the same
customer and new owner in the same flush, a commit leaving a new customer's
owner different from its ledger, any update or delete of a ledger entry, and a
bulk UPDATE of `customer.owner_id` all raise `LedgerViolation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import event, func, inspect
from sqlalchemy.orm import Session, aliased
from sqlmodel import select

from salesctl.models import Customer, OwnershipEntry

if TYPE_CHECKING:  # context imports models, which imports this module
    from salesctl.services.context import Ctx

# kinds that set the owner (to_owner_id, possibly None for the pool)
GRANTING = ("report", "grant", "approve", "release", "recall", "assign", "transfer", "handover")
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
    if new_owner_id is not None and new_owner_id != before_owner:
        from salesctl.services.customers.account import move_account

        # the account moves with its owner: open deals in the same transaction (issue 16)
        move_account(ctx, customer, new_owner_id, kind=kind, entry_id=entry.id, note=note)
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


def current_owner_from_ledger(session, customer_ids) -> dict[int, int | None]:
    """{customer_id: to_owner_id of its last granting entry} (customers without one are left out)."""
    latest = (select(OwnershipEntry.customer_id, func.max(OwnershipEntry.id).label("last_id"))
              .where(OwnershipEntry.customer_id.in_(list(customer_ids)), OwnershipEntry.kind.in_(GRANTING))
              .group_by(OwnershipEntry.customer_id).subquery())
    entry = aliased(OwnershipEntry)
    rows = session.execute(select(entry.customer_id, entry.to_owner_id).join(latest, latest.c.last_id == entry.id))
    return dict(rows.all())


def ledger_mismatches(session, customer_ids=None) -> list[int]:
    """Customers whose cached owner differs from their ledger (should always be empty)."""
    stmt = select(Customer.id, Customer.owner_id).order_by(Customer.id)
    if customer_ids is not None:
        stmt = stmt.where(Customer.id.in_(list(customer_ids)))
    owners = dict(session.execute(stmt).all())
    bad: list[int] = []
    ids = list(owners)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        ledger_owner = current_owner_from_ledger(session, chunk)
        bad += [cid for cid in chunk if owners[cid] != ledger_owner.get(cid)]
    return bad


# --------------------------------------------------------------------------- the guard
class LedgerViolation(RuntimeError):
    """Ownership changed without a ledger entry, or the append-only ledger was edited (a programming error)."""


_NEW_OWNED = "salesctl_ledger_new_owned"


def _guard_flush(session, _flush_context, _instances) -> None:
    pending = {(e.customer_id, e.to_owner_id) for e in session.new
               if isinstance(e, OwnershipEntry) and e.kind in GRANTING}
    for obj in session.dirty:
        if isinstance(obj, OwnershipEntry) and session.is_modified(obj):
            raise LedgerViolation(f"ownership entry {obj.id} is append-only: record a new entry instead of editing it")
        if isinstance(obj, Customer):
            history = inspect(obj).attrs.owner_id.history
            if history.has_changes() and (obj.id, obj.owner_id) not in pending:
                raise LedgerViolation(
                    f"customer {obj.id}: the owner changes only with a ledger entry (services.ownership.change_owner)")
    for obj in session.deleted:
        if isinstance(obj, OwnershipEntry):
            raise LedgerViolation(f"ownership entry {obj.id} is append-only: it is never deleted")


def _note_new_owned(session, _flush_context) -> None:
    # a customer inserted with an owner already set (the demo loader) is checked at commit:
    # by then its ledger must name the same owner
    ids = [obj.id for obj in session.new if isinstance(obj, Customer) and obj.owner_id is not None]
    if ids:
        session.info.setdefault(_NEW_OWNED, set()).update(ids)


def _guard_commit(session) -> None:
    ids = session.info.pop(_NEW_OWNED, None)
    if not ids:
        return
    session.flush()
    bad = ledger_mismatches(session, ids)
    if bad:
        raise LedgerViolation(f"customers {bad[:10]}: owner set without a matching ledger entry")


def _forget(session, *_args) -> None:
    session.info.pop(_NEW_OWNED, None)


def _guard_bulk(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name == "ownership_entry":
        raise LedgerViolation("the ownership ledger is append-only: no UPDATE or DELETE")
    if name == "customer" and state.is_update:
        keys = set(state.statement.compile().params)
        for params in (state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]):
            keys |= set(params)
        if "owner_id" in keys:
            raise LedgerViolation("customer.owner_id changes only with a ledger entry (services.ownership.change_owner)")


def install_guard() -> None:
    """Register the guard on every ORM session (idempotent)."""
    for name, fn in (("before_flush", _guard_flush), ("after_flush", _note_new_owned),
                     ("before_commit", _guard_commit), ("after_rollback", _forget),
                     ("do_orm_execute", _guard_bulk)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


install_guard()
