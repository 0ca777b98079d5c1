"""Missed sales (漏单): a sale lost in a region, its penalty split among the responsible reps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.errors import Conflict, InvalidInput, PermissionDenied
from salesctl.inputs import is_id
from salesctl.messages import t
from salesctl.models import MissedSale, MissedSaleShare, Staff
from salesctl.permissions import is_manager_of, visible_staff_ids
from salesctl.services.context import Ctx
from salesctl.services.sales.claims import DECIDER_ROLES, _clean


# --------------------------------------------------------------------------- missed sales
@dataclass
class MissedRecord:
    missed: MissedSale
    shares: list[tuple[str, Decimal]]

    def as_dict(self, recorded_by: str) -> dict:
        m = self.missed
        return {"id": m.id, "name": m.name, "region": m.region, "industry": m.industry, "amount": m.amount,
                "occurred_on": m.occurred_on, "note": m.note, "recorded_by": recorded_by, "recorded_at": m.recorded_at,
                "shares": [{"handle": h, "amount": a} for h, a in self.shares]}


def split_amount(amount: Decimal, count: int) -> list[Decimal]:
    """Equal shares in exact cents; the remainder cents go to the first shares, so they sum to the amount."""
    from salesctl.money import cents_to_decimal, to_cents

    cents = to_cents(amount)
    base, extra = divmod(cents, count)
    return [cents_to_decimal(base + (1 if i < extra else 0)) for i in range(count)]


def responsible_reps(ctx: Ctx, region: str, industry: str) -> list[Staff]:
    """Active reps of that region and industry (or '*'), in handle order."""
    return list(ctx.session.exec(
        select(Staff).where(Staff.role == "rep", Staff.active == True,  # noqa: E712
                            func.lower(Staff.region) == region.casefold(),
                            or_(func.lower(Staff.industry) == industry.casefold(), Staff.industry == "*"))
        .order_by(Staff.handle)
    ))


def record_missed(ctx: Ctx, name: str | None, *, region: str | None, industry: str | None, amount: str | None,
                  note: str | None, occurred: str | None = None) -> MissedRecord:
    """`claim missed`: a sale lost in a region to a customer nobody had in the archive; the amount is split
    equally among the region's reps of that industry (penalty lines in the year-end month)."""
    from salesctl.money import parse_money
    from salesctl.periods import parse_date
    from salesctl.services.customers.duplicates import find_duplicate

    actor = ctx.actor
    if actor.role not in DECIDER_ROLES:
        raise PermissionDenied(t("err.denied", what=t("claim.what.missed")))
    name, region, industry, note = _clean(name), _clean(region), _clean(industry), _clean(note)
    missing = [flag for flag, value in (("NAME", name), ("--region", region), ("--industry", industry),
                                        ("--amount", _clean(amount)), ("--note", note)) if value is None]
    if missing:
        raise InvalidInput(t("claim.err.missed_missing", flags=", ".join(missing)))
    value = parse_money(amount, "amount")
    if value <= 0:
        raise InvalidInput(t("claim.err.amount_positive", value=amount))
    occurred_on = parse_date(occurred, "date", ctx.today) if occurred else ctx.today
    if occurred_on > ctx.today:
        raise InvalidInput(t("claim.err.future_date", date=occurred_on))
    duplicate = find_duplicate(ctx.session, name)
    if duplicate is not None:
        raise Conflict(t("claim.err.missed_in_archive", name=duplicate.name, id=duplicate.customer_id,
                         owner=duplicate.owner or t("customer.pool")))
    reps = responsible_reps(ctx, region, industry)
    if not reps:
        raise InvalidInput(t("claim.err.missed_no_reps", region=region, industry=industry))
    for rep in reps:
        if not is_manager_of(ctx, rep):
            raise PermissionDenied(t("err.denied", what=t("claim.what.missed_for", handle=rep.handle)))
    missed = MissedSale(name=name, region=region, industry=industry, amount=value, note=note,
                        occurred_on=occurred_on, recorded_by_id=actor.id, recorded_at=ctx.now)
    ctx.session.add(missed)
    ctx.session.flush()
    shares = []
    for rep, part in zip(reps, split_amount(value, len(reps))):
        ctx.session.add(MissedSaleShare(missed_sale_id=missed.id, staff_id=rep.id, amount=part))
        shares.append((rep.handle, part))
    ctx.session.flush()
    record = MissedRecord(missed, shares)
    ctx.audit("claim.missed", "missed_sale", missed.id, None, record.as_dict(actor.handle))
    return record


def void_missed(ctx: Ctx, ref, *, reason: str | None) -> MissedSale:
    """`claim missed void`: take a wrongly recorded missed sale off every statement, before it is settled.

    Once a settled statement charged it, the correction is an adjustment (`commission adjust`), as for
    commission: settled statements never change.
    """
    from salesctl.errors import NotFound
    from salesctl.models import CommissionLine

    value = str(ref).strip().lstrip("#")
    if not is_id(value):
        raise InvalidInput(t("handbook.err.missed_bad_id", value=ref))
    missed = ctx.session.get(MissedSale, int(value))
    if missed is None:
        raise NotFound(t("handbook.err.missed_not_found", id=value))
    if ctx.actor.role not in DECIDER_ROLES:
        raise PermissionDenied(t("err.denied", what=t("handbook.what.void_missed", id=missed.id)))
    shares = list(ctx.session.exec(select(MissedSaleShare, Staff).join(Staff, Staff.id == MissedSaleShare.staff_id)
                                   .where(MissedSaleShare.missed_sale_id == missed.id)))
    for _share, rep in shares:
        if not is_manager_of(ctx, rep):
            raise PermissionDenied(t("err.denied", what=t("claim.what.missed_for", handle=rep.handle)))
    why = _clean(reason)
    if why is None:
        raise InvalidInput(t("handbook.err.void_reason"))
    if missed.voided_at is not None:
        raise Conflict(t("handbook.err.missed_voided", id=missed.id))
    charged = ctx.session.exec(select(func.count()).select_from(CommissionLine).where(
        CommissionLine.kind == "penalty", CommissionLine.source == f"missed_sale:{missed.id}")).one()
    if charged:
        raise Conflict(t("handbook.err.missed_settled", id=missed.id))
    before = {"voided_at": None}
    missed.voided_at = ctx.now
    missed.voided_by_id = ctx.actor.id
    missed.void_reason = why
    ctx.session.add(missed)
    ctx.session.flush()
    ctx.audit("claim.missed_void", "missed_sale", missed.id, before,
              {"voided_at": missed.voided_at, "reason": why, "shares": [r.handle for _s, r in shares]})
    return missed


def missed_rows(ctx: Ctx, *, year: int | None = None) -> list[dict]:
    """Missed sales the actor may see (director/gm all; others those with a share of someone they see)."""
    recorder = aliased(Staff)
    stmt = (select(MissedSale, recorder.handle).join(recorder, recorder.id == MissedSale.recorded_by_id)
            .order_by(MissedSale.occurred_on, MissedSale.id))
    visible = visible_staff_ids(ctx)
    if visible is not None:
        mine = select(MissedSaleShare.missed_sale_id).where(MissedSaleShare.staff_id.in_(select(visible.c.id)))
        stmt = stmt.where(or_(MissedSale.id.in_(mine), MissedSale.recorded_by_id == ctx.actor.id))
    if year is not None:
        stmt = stmt.where(MissedSale.occurred_on >= date(year, 1, 1), MissedSale.occurred_on <= date(year, 12, 31))
    sales = ctx.session.execute(stmt).all()
    ids = [m.id for m, _ in sales]
    shares: dict[int, list[str]] = {}
    if ids:
        share_rows = ctx.session.execute(
            select(MissedSaleShare.missed_sale_id, Staff.handle, MissedSaleShare.amount)
            .join(Staff, Staff.id == MissedSaleShare.staff_id)
            .where(MissedSaleShare.missed_sale_id.in_(ids)).order_by(MissedSaleShare.id))
        from salesctl.money import fmt

        for sale_id, handle, part in share_rows:
            shares.setdefault(sale_id, []).append(f"{handle} {fmt(part)}")
    return [{"id": m.id, "name": m.name, "region": m.region, "industry": m.industry, "amount": m.amount,
             "occurred_on": m.occurred_on, "note": m.note, "recorded_by": by, "shares": "; ".join(shares.get(m.id, [])),
             **({"void": m.void_reason} if m.voided_at is not None else {})}
            for m, by in sales]
