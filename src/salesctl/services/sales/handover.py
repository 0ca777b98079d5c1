"""Handovers (离职交接) and deal reassignment: the cases where the account moves on a manager's word.

`staff handover FROM --to HANDLE` moves every customer FROM owns (optionally only some
grades) through the ownership ledger (kind "handover"), which moves their open deals
(services.customers.account); open deals FROM still holds on customers they do not own
move too when every grade is handed over. `deal reassign` gives one deal to someone
else, with a reason unless they own its customer. Both are for a manager (or above)
of the people involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import select

from salesctl.directory import find_staff
from salesctl.errors import Conflict, InvalidInput
from salesctl.messages import stored_text, t
from salesctl.models import GRADES, MANAGER_ROLES, Customer, Deal, Staff
from salesctl.permissions import require_manager_of
from salesctl.services.context import Ctx
from salesctl.services.customers.account import move_deal, open_actions_about, open_follow_ups
from salesctl.services.customers.ownership import change_owner

OWNER_ROLES = ("rep",) + MANAGER_ROLES


def _receiver(ctx: Ctx, ref: str) -> Staff:
    target = find_staff(ctx.session, ref, "to")
    if not target.active:
        raise Conflict(t("handover.err.inactive", handle=target.handle))
    if target.role not in OWNER_ROLES:
        raise InvalidInput(t("handover.err.bad_role", handle=target.handle, role=target.role))
    return target


def holdings(ctx: Ctx, staff_id: int) -> tuple[int, int]:
    """(customers owned, open deals owned) by this person."""
    customers = ctx.session.exec(select(func.count()).select_from(Customer).where(Customer.owner_id == staff_id)).one()
    deals = ctx.session.exec(select(func.count()).select_from(Deal)
                             .where(Deal.owner_id == staff_id, Deal.status == "open")).one()
    return int(customers), int(deals)


# --------------------------------------------------------------------------- deal reassign
def reassign_deal(ctx: Ctx, ref, *, to: str | None, reason: str | None) -> Deal:
    from salesctl.services.sales.deals import deal_for_reading

    if not (to or "").strip():
        raise InvalidInput(t("err.required", fields="--to"))
    deal = deal_for_reading(ctx, ref)
    owner = ctx.session.get(Staff, deal.owner_id)
    require_manager_of(ctx, owner, t("handover.denied.reassign", id=deal.id))
    if deal.status == "lost":
        raise InvalidInput(t("handover.err.lost_deal", id=deal.id))
    target = _receiver(ctx, to)
    require_manager_of(ctx, target, t("handover.denied.reassign", id=deal.id))
    if target.id == deal.owner_id:
        raise InvalidInput(t("handover.err.same_owner", id=deal.id, handle=target.handle))
    customer = ctx.session.get(Customer, deal.customer_id)
    why = (reason or "").strip()
    if customer.owner_id != target.id and not why:
        raise InvalidInput(t("handover.err.reassign_reason", handle=target.handle, customer=customer.id))
    move_deal(ctx, deal, target.id, reason=f"reassign: {why}" if why else "reassign")
    return deal


# --------------------------------------------------------------------------- staff handover
@dataclass
class Handover:
    source: Staff
    target: Staff
    dry_run: bool
    rows: list[dict] = field(default_factory=list)
    deals: int = 0
    follow_ups: int = 0
    actions: int = 0  # open meeting actions about the customers (they follow the owner)

    @property
    def customers(self) -> int:
        return len(self.rows)

    def as_json(self) -> dict:
        return {"from": self.source.handle, "to": self.target.handle, "dry_run": self.dry_run,
                "customers": self.customers, "deals": self.deals, "follow_ups": self.follow_ups,
                "actions": self.actions, "moved": self.rows}


def parse_grades(text: str | None) -> tuple[str, ...] | None:
    if not (text or "").strip():
        return None
    out = []
    for part in text.replace("，", ",").split(","):
        value = part.strip().upper()
        if value not in GRADES:
            raise InvalidInput(t("handover.err.bad_grade", value=part.strip()))
        out.append(value)
    return tuple(out)


def handover(ctx: Ctx, source_ref: str, *, to: str | None, grades: str | None = None, dry_run: bool = False,
             reason: str | None = None) -> Handover:
    from salesctl.services.customers.customers import check_industry

    session = ctx.session
    source = find_staff(session, source_ref)
    require_manager_of(ctx, source, t("handover.denied.handover", handle=source.handle))
    if not (to or "").strip():
        raise InvalidInput(t("err.required", fields="--to"))
    wanted = parse_grades(grades)
    target = _receiver(ctx, to)
    if target.id == source.id:
        raise InvalidInput(t("handover.err.self", handle=target.handle))
    require_manager_of(ctx, target, t("handover.denied.handover", handle=source.handle))
    stmt = select(Customer).where(Customer.owner_id == source.id).order_by(Customer.id)
    if wanted:
        stmt = stmt.where(Customer.grade.in_(wanted))
    customers = list(session.exec(stmt))
    for customer in customers:
        check_industry(target, customer.industry)  # exit 5, as for `customer add`
    ids = [c.id for c in customers]
    open_deals: dict[int, int] = {}
    if ids:
        for cid, n in session.exec(select(Deal.customer_id, func.count()).where(
                Deal.customer_id.in_(ids), Deal.status == "open", Deal.owner_id != target.id).group_by(Deal.customer_id)):
            open_deals[cid] = int(n)
    stray: list[Deal] = []
    if not wanted:  # open deals the person holds on customers they no longer own
        stmt = select(Deal).where(Deal.owner_id == source.id, Deal.status == "open")
        if ids:
            stmt = stmt.where(Deal.customer_id.not_in(ids))
        stray = list(session.exec(stmt.order_by(Deal.id)))
    result = Handover(source, target, dry_run)
    for c in customers:
        result.rows.append({"id": c.id, "name": c.name, "grade": c.grade, "deals": open_deals.get(c.id, 0),
                            "follow_ups": open_follow_ups(ctx, [c.id]),
                            "actions": len(open_actions_about(ctx, [c.id], not_owner=target.id))})
    result.deals = sum(open_deals.values()) + len(stray)
    result.follow_ups = sum(r["follow_ups"] for r in result.rows)
    result.actions = sum(r["actions"] for r in result.rows)
    if dry_run:
        return result
    note = (reason or "").strip() or stored_text("handover.note", handle=source.handle)
    for c in customers:
        change_owner(ctx, c, target.id, "handover", staff_id=target.id, note=note)
    for deal in stray:
        move_deal(ctx, deal, target.id, reason=stored_text("handover.deal_reason", note=note))
    ctx.audit("staff.handover", "staff", source.id, {"owner": source.handle},
              {"to": target.handle, "customers": ids, "deals": result.deals, "actions": result.actions,
               "grades": list(wanted or ())})
    return result
