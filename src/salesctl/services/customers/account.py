"""The account moves with its owner (报备 decides who owns a customer; the file is per customer).

`move_account` runs inside `ownership.change_owner` whenever a customer gets a new
owner (claim approve, edit --owner, lead assignment, pool re-grant, handover): the
customer's open deals (stages 1-3) go to the new owner in the same transaction,
each with a DealOwnerChange row (who, when, why, the ledger entry) and an audit
entry. Won and lost deals keep the rep who won or lost them (their commission).
Open follow-ups are the customer's owner's by construction (`visit due` and the
summaries read them through Customer.owner_id), so they move with it. Open meeting
actions about the customer (ActionItem.customer_id; open = not done, not cancelled,
not carried over) go to the new owner too, each with an audit entry (who, when,
why, the ledger entry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import and_, exists, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.models import ActionItem, Customer, Deal, DealOwnerChange, Visit

if TYPE_CHECKING:
    from salesctl.services.context import Ctx


@dataclass
class Moved:
    deals: list[int]
    follow_ups: int
    actions: list[int] = field(default_factory=list)


def move_deal(ctx: Ctx, deal: Deal, new_owner_id: int, *, reason: str | None, entry_id: int | None = None) -> DealOwnerChange:
    """Give one deal to another owner, with its history row and audit entry."""
    change = DealOwnerChange(deal_id=deal.id, from_owner_id=deal.owner_id, to_owner_id=new_owner_id,
                             by_id=ctx.actor.id if ctx.actor else None, at=ctx.now, reason=reason, entry_id=entry_id)
    before = {"owner_id": deal.owner_id}
    deal.owner_id = new_owner_id
    deal.updated_at = ctx.now
    ctx.session.add(deal)
    ctx.session.add(change)
    ctx.session.flush()
    ctx.audit("deal.owner", "deal", deal.id, before, {"owner_id": new_owner_id, "reason": reason, "entry": entry_id})
    return change


def open_follow_ups(ctx: Ctx, customer_ids: list[int]) -> int:
    """Follow-ups not done and not superseded by a later visit, on these customers."""
    if not customer_ids:
        return 0
    later = aliased(Visit)
    newer = exists().where(later.customer_id == Visit.customer_id,
                           or_(later.at > Visit.at, and_(later.at == Visit.at, later.id > Visit.id)))
    return int(ctx.session.exec(
        select(func.count()).select_from(Visit)
        .where(Visit.customer_id.in_(customer_ids), Visit.follow_up.is_not(None),
               Visit.follow_up_done == false(), ~newer)
    ).one())


def open_actions_about(ctx: Ctx, customer_ids: list[int], *, not_owner: int | None = None) -> list[ActionItem]:
    """Open meeting actions about these customers (not done, not cancelled, not carried over)."""
    if not customer_ids:
        return []
    successor = aliased(ActionItem)
    stmt = (select(ActionItem)
            .where(ActionItem.customer_id.in_(customer_ids), ActionItem.done_at.is_(None),
                   ActionItem.cancelled_at.is_(None), ~exists().where(successor.carried_from_id == ActionItem.id)))
    if not_owner is not None:
        stmt = stmt.where(ActionItem.owner_id != not_owner)
    return list(ctx.session.exec(stmt.order_by(ActionItem.id)))


def move_actions(ctx: Ctx, customer: Customer, new_owner_id: int, *, reason: str, entry_id: int | None) -> list[int]:
    """Give the open actions about the customer to its new owner, each audited (who, when, why)."""
    moved = []
    for item in open_actions_about(ctx, [customer.id], not_owner=new_owner_id):
        before = {"owner_id": item.owner_id}
        item.owner_id = new_owner_id
        ctx.session.add(item)
        moved.append((item, before))
    if moved:
        ctx.session.flush()
    for item, before in moved:
        ctx.audit("action.owner", "action_item", item.id, before,
                  {"owner_id": new_owner_id, "customer_id": customer.id, "reason": reason, "entry": entry_id})
    return [item.id for item, _ in moved]


def move_account(ctx: Ctx, customer: Customer, new_owner_id: int | None, *, kind: str, entry_id: int | None,
                 note: str | None = None) -> Moved:
    """Move the customer's open deals and open actions to its new owner (nothing moves to the pool: no owner)."""
    if new_owner_id is None:
        return Moved([], 0)
    reason = f"{kind}: {note}" if note else kind
    from salesctl.rls import is_staff_login

    if is_staff_login(ctx.session):  # the team server: rows in teams the approver cannot see move too
        return _move_account_definer(ctx, customer, new_owner_id, reason=reason, entry_id=entry_id)
    deals = list(ctx.session.exec(
        select(Deal).where(Deal.customer_id == customer.id, Deal.status == "open", Deal.owner_id != new_owner_id)
        .order_by(Deal.id)
    ))
    for deal in deals:
        move_deal(ctx, deal, new_owner_id, reason=reason, entry_id=entry_id)
    actions = move_actions(ctx, customer, new_owner_id, reason=reason, entry_id=entry_id)
    return Moved([d.id for d in deals], open_follow_ups(ctx, [customer.id]), actions)


def _move_account_definer(ctx: Ctx, customer: Customer, new_owner_id: int, *, reason: str,
                          entry_id: int | None) -> Moved:
    """Under row-level security the move goes through the narrow SECURITY DEFINER function
    `salesctl_move_account` (salesctl.rls), with the same history rows and audit entries."""
    from salesctl.rls import move_account as definer_move

    ctx.session.flush()  # the customer's new owner is what the function moves to
    moved = definer_move(ctx.session, customer.id, reason=reason, entry_id=entry_id, at=ctx.now)
    deals, actions = [], []
    for kind, row_id, was in sorted(moved):
        if kind == "deal":
            deals.append(row_id)
            ctx.audit("deal.owner", "deal", row_id, {"owner_id": was},
                      {"owner_id": new_owner_id, "reason": reason, "entry": entry_id})
        else:
            actions.append(row_id)
            ctx.audit("action.owner", "action_item", row_id, {"owner_id": was},
                      {"owner_id": new_owner_id, "customer_id": customer.id, "reason": reason, "entry": entry_id})
    for obj in list(ctx.session.identity_map.values()):  # rows the function changed behind the session's back
        if isinstance(obj, (Deal, ActionItem)) and obj.id in (deals if isinstance(obj, Deal) else actions):
            ctx.session.expire(obj)
    return Moved(deals, open_follow_ups(ctx, [customer.id]), actions)


def owner_history(ctx: Ctx, deal_id: int) -> list[dict]:
    from salesctl.models import Staff

    by, old, new = aliased(Staff), aliased(Staff), aliased(Staff)
    rows = ctx.session.exec(
        select(DealOwnerChange, by.handle, old.handle, new.handle)
        .join(by, by.id == DealOwnerChange.by_id, isouter=True)
        .join(old, old.id == DealOwnerChange.from_owner_id, isouter=True)
        .join(new, new.id == DealOwnerChange.to_owner_id)
        .where(DealOwnerChange.deal_id == deal_id).order_by(DealOwnerChange.id)
    )
    return [{"id": c.id, "at": c.at, "from": o, "to": n, "by": b, "reason": c.reason, "entry": c.entry_id}
            for c, b, o, n in rows]
