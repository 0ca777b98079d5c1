"""Contracts on won deals and their receivable plans (回款计划): add, edit, void, plan, events.

A contract belongs to one won deal; a deal has at most one active contract (voided
ones are kept). Its amount is what the customer owes, whatever the deal amount.
A plan is a list of instalments summing exactly to the contract amount; an
instalment due "on delivery" or "on acceptance" gets its date when that event is
recorded (`record_event`). Payments are allocated to instalments by
`services.sales.receivables`. Scope: the deal owner's (see/act-for rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select

from salesctl.errors import Conflict, InvalidInput, NotFound
from salesctl.inputs import is_id
from salesctl.messages import t
from salesctl.models import Contract, Customer, Deal, Installment, Payment, PaymentAllocation, Staff
from salesctl.money import parse_money, quantize
from salesctl.permissions import Scope, scope_clause
from salesctl.services.context import Ctx
from salesctl.services.sales.deals import deal_for_reading, deal_for_writing

EVENTS = ("delivered", "accepted")
EVENT_ALIASES = {
    "delivered": "delivered", "delivery": "delivered", "on delivery": "delivered", "shipped": "delivered",
    "发货": "delivered", "发货后": "delivered", "交付": "delivered", "交付后": "delivered",
    "accepted": "accepted", "acceptance": "accepted", "on acceptance": "accepted",
    "验收": "accepted", "验收后": "accepted",
}
EVENT_COLUMN = {"delivered": "delivered_on", "accepted": "accepted_on"}


def parse_event(text: str, flag: str) -> str:
    value = (text or "").strip().lower()
    if value in EVENT_ALIASES:
        return EVENT_ALIASES[value]
    raise InvalidInput(t("contract.err.bad_event", flag=flag, value=text, accepted=", ".join(EVENTS)))


# --------------------------------------------------------------------------- lookups
def get_contract(ctx: Ctx, ref) -> Contract:
    """By id, or by contract number."""
    value = str(ref).strip().lstrip("#")
    contract = None
    if is_id(value):
        contract = ctx.session.get(Contract, int(value))
    if contract is None and value:
        contract = ctx.session.exec(select(Contract).where(Contract.number == value)).first()
    if contract is None:
        from salesctl.rls import deny_if_hidden, hidden_contract_numbered

        hidden = int(value) if is_id(value) else (hidden_contract_numbered(ctx.session, value) if value else None)
        deny_if_hidden(ctx.session, "contract", hidden, t("contract.what", id=value))  # team server: out of reach
        raise NotFound(t("contract.err.not_found", id=ref))
    return contract


def contract_for_reading(ctx: Ctx, ref) -> tuple[Contract, Deal]:
    contract = get_contract(ctx, ref)
    return contract, deal_for_reading(ctx, contract.deal_id)


def contract_for_writing(ctx: Ctx, ref) -> tuple[Contract, Deal]:
    contract = get_contract(ctx, ref)
    deal = deal_for_writing(ctx, contract.deal_id, "contract.denied.change")
    if contract.status == "void":
        raise InvalidInput(t("contract.err.void", id=contract.id))
    return contract, deal


def active_contract(ctx: Ctx, deal_id: int) -> Contract | None:
    return ctx.session.exec(
        select(Contract).where(Contract.deal_id == deal_id, Contract.status == "active")
    ).first()


def _dates(ctx: Ctx, starts: str | None, ends: str | None):
    from salesctl.periods import parse_date

    first = parse_date(starts, "starts", ctx.today) if starts else None
    last = parse_date(ends, "ends", ctx.today) if ends else None
    if first and last and last < first:
        raise InvalidInput(t("contract.err.ends_before_starts", starts=first, ends=last))
    return first, last


def _amount(text: str | None) -> Decimal:
    if not (text or "").strip():
        raise InvalidInput(t("deal.err.required", flags="--amount"))
    value = parse_money(text, "amount")
    if value <= 0:
        raise InvalidInput(t("deal.err.amount_positive", value=text))
    return quantize(value)


# --------------------------------------------------------------------------- writes
def create_contract(ctx: Ctx, deal: Deal, *, number: str | None, signed: date, amount: Decimal,
                    starts: date | None = None, ends: date | None = None, note: str | None = None) -> Contract:
    """A contract on a won deal (the caller has checked the actor may write the deal)."""
    number = (number or "").strip()
    if not number:
        raise InvalidInput(t("deal.err.required", flags="--number"))
    if deal.status != "won":
        raise InvalidInput(t("contract.err.deal_not_won", id=deal.id, status=deal.status))
    if signed > ctx.today:
        raise InvalidInput(t("deal.err.future_contract", date=signed))
    existing = active_contract(ctx, deal.id)
    if existing is not None:
        raise Conflict(t("contract.err.deal_has_contract", id=deal.id, contract=existing.id, number=existing.number))
    if ctx.session.exec(select(Contract.id).where(Contract.number == number)).first() is not None:
        raise Conflict(t("contract.err.number_taken", number=number))
    contract = Contract(deal_id=deal.id, number=number, signed_on=signed, amount=amount, starts_on=starts,
                        ends_on=ends, note=(note or "").strip() or None, created_by_id=ctx.actor.id,
                        created_at=ctx.now, updated_at=ctx.now)
    ctx.session.add(contract)
    ctx.session.flush()
    ctx.audit("contract.add", "contract", contract.id, None, contract)
    return contract


def add_contract(ctx: Ctx, deal_ref, *, number: str | None, signed: str | None, amount: str | None,
                 starts: str | None = None, ends: str | None = None, note: str | None = None,
                 file: str | None = None) -> tuple[Contract, int | None]:
    """A contract on a won deal, with its signed file as an encrypted attachment (returns its id) when given."""
    from salesctl.periods import parse_date

    missing = [flag for flag, value in (("--number", number), ("--signed", signed), ("--amount", amount))
               if not (value or "").strip()]
    if missing:
        raise InvalidInput(t("deal.err.required", flags=", ".join(missing)))
    value = _amount(amount)
    signed_on = parse_date(signed, "signed", ctx.today)
    first, last = _dates(ctx, starts, ends)
    deal = deal_for_writing(ctx, deal_ref, "contract.denied.add")
    contract = create_contract(ctx, deal, number=number, signed=signed_on, amount=value, starts=first, ends=last,
                               note=note)
    attachment_id = None
    if file is not None:
        from salesctl.services.security.attachments import add_attachment

        attachment_id = add_attachment(ctx, "contract", contract.id, file).row["id"]
    return contract, attachment_id


def edit_contract(ctx: Ctx, ref, *, number: str | None = None, signed: str | None = None, amount: str | None = None,
                  starts: str | None = None, ends: str | None = None, note: str | None = None) -> Contract:
    from salesctl.audit import snapshot
    from salesctl.periods import parse_date

    contract, _deal = contract_for_writing(ctx, ref)
    if all(v is None for v in (number, signed, amount, starts, ends, note)):
        raise InvalidInput(t("contract.err.nothing_to_edit"))
    before = snapshot(contract)
    if number is not None:
        number = number.strip()
        if not number:
            raise InvalidInput(t("deal.err.required", flags="--number"))
        taken = ctx.session.exec(select(Contract.id).where(Contract.number == number, Contract.id != contract.id)).first()
        if taken is not None:
            raise Conflict(t("contract.err.number_taken", number=number))
        contract.number = number
    if signed is not None:
        contract.signed_on = parse_date(signed, "signed", ctx.today)
        if contract.signed_on > ctx.today:
            raise InvalidInput(t("deal.err.future_contract", date=contract.signed_on))
    if amount is not None:
        value = _amount(amount)
        if value != quantize(contract.amount) and plan_rows(ctx, contract):
            raise Conflict(t("contract.err.amount_has_plan", id=contract.id))
        contract.amount = value
    if starts is not None or ends is not None:
        first, last = _dates(ctx, starts if starts is not None else (contract.starts_on.isoformat() if contract.starts_on else None),
                             ends if ends is not None else (contract.ends_on.isoformat() if contract.ends_on else None))
        contract.starts_on, contract.ends_on = first, last
    if note is not None:
        contract.note = note.strip() or None
    _check_dates_after_signing(contract, ctx.session.exec(select(Installment).where(Installment.contract_id == contract.id)))
    contract.updated_at = ctx.now
    ctx.session.add(contract)
    ctx.session.flush()
    ctx.audit("contract.edit", "contract", contract.id, before, contract)
    return contract


def void_contract(ctx: Ctx, ref, *, reason: str | None) -> Contract:
    from salesctl.audit import snapshot

    why = (reason or "").strip()
    if not why:
        raise InvalidInput(t("contract.err.reason_required"))
    contract, _deal = contract_for_writing(ctx, ref)
    before = snapshot(contract)
    contract.status = "void"
    contract.void_reason = why
    contract.voided_by_id = ctx.actor.id
    contract.voided_at = ctx.now
    contract.updated_at = ctx.now
    ctx.session.add(contract)
    # the payments stay on the deal; they no longer pay this contract's instalments
    ids = select(Installment.id).where(Installment.contract_id == contract.id)
    for allocation in ctx.session.exec(select(PaymentAllocation).where(PaymentAllocation.installment_id.in_(ids))):
        ctx.session.delete(allocation)
    ctx.session.flush()
    ctx.audit("contract.void", "contract", contract.id, before, contract)
    return contract


# --------------------------------------------------------------------------- plans
@dataclass
class PlannedInstallment:
    amount: Decimal
    due_on: date | None
    due_event: str | None
    percent: Decimal | None


def parse_installment(text: str, today: date) -> tuple[Decimal | None, Decimal | None, date | None, str | None]:
    """"40%:2026-12-15", "50%:on delivery", "80000.00:2027-01-31" → (percent, amount, due date, event)."""
    from salesctl.periods import parse_date

    raw = (text or "").strip()
    share, sep, when = raw.partition(":")
    if not sep or not share.strip() or not when.strip():
        raise InvalidInput(t("contract.err.bad_installment", value=text))
    share = share.strip()
    percent = amount = None
    if share.endswith("%"):
        try:
            percent = Decimal(share[:-1].strip())
        except Exception:
            raise InvalidInput(t("contract.err.bad_installment", value=text)) from None
        if not percent.is_finite() or percent <= 0 or percent > 100:
            raise InvalidInput(t("contract.err.bad_percent", value=share))
    else:
        amount = parse_money(share, "installment")
        if amount <= 0:
            raise InvalidInput(t("deal.err.amount_positive", value=share))
    when = when.strip()
    lowered = when.lower()
    if lowered in EVENT_ALIASES:
        return percent, amount, None, EVENT_ALIASES[lowered]
    return percent, amount, parse_date(when, "installment", today), None


def build_plan(contract_amount: Decimal, specs: list[str], today: date) -> list[PlannedInstallment]:
    """Instalments summing exactly to the contract amount; percentages round to cents, the last takes the rest."""
    if not specs:
        raise InvalidInput(t("contract.err.no_installments"))
    total = quantize(contract_amount)
    parsed = [parse_installment(s, today) for s in specs]
    plan = []
    for percent, amount, due_on, event in parsed:
        value = quantize(total * percent / 100) if percent is not None else quantize(amount)
        plan.append(PlannedInstallment(value, due_on, event, percent))
    percents = [p.percent for p in plan if p.percent is not None]
    if percents and len(percents) == len(plan) and sum(percents) != 100:
        raise InvalidInput(t("contract.err.percent_sum", total=sum(percents)))
    summed = quantize(sum((p.amount for p in plan), Decimal("0")))
    difference = total - summed
    last = plan[-1]
    # rounding of percentages: the last percentage instalment takes the cents
    if difference and last.percent is not None and abs(difference) <= Decimal("0.01") * len(percents):
        last.amount = quantize(last.amount + difference)
        difference = Decimal("0")
    if difference:
        raise InvalidInput(t("contract.err.plan_sum", summed=summed, amount=total, difference=quantize(difference)))
    if any(p.amount <= 0 for p in plan):
        raise InvalidInput(t("contract.err.plan_sum", summed=summed, amount=total, difference=quantize(difference)))
    return plan


def _check_dates_after_signing(contract: Contract, installments) -> None:
    for n, item in enumerate(installments, start=1):
        seq = getattr(item, "seq", n)
        if item.due_on is not None and item.due_on < contract.signed_on:
            raise InvalidInput(t("contract.err.due_before_signed", seq=seq, due=item.due_on, signed=contract.signed_on))


def set_plan(ctx: Ctx, ref, specs: list[str]) -> tuple[Contract, list[Installment]]:
    """Replace the contract's plan (refused once payments are allocated to it); then allocate earlier payments."""
    from salesctl.services.sales import receivables

    contract, deal = contract_for_writing(ctx, ref)
    plan = build_plan(contract.amount, list(specs or []), ctx.today)
    _check_dates_after_signing(contract, plan)
    old = list(ctx.session.exec(select(Installment).where(Installment.contract_id == contract.id)))
    if old:
        allocated = ctx.session.exec(select(func.count(PaymentAllocation.id)).where(
            PaymentAllocation.installment_id.in_([i.id for i in old]))).one()
        if allocated:
            raise Conflict(t("contract.err.plan_has_payments", id=contract.id))
        for item in old:
            ctx.session.delete(item)
        ctx.session.flush()
    created = []
    for seq, item in enumerate(plan, start=1):
        due_on = item.due_on
        if due_on is None and item.due_event:
            due_on = getattr(contract, EVENT_COLUMN[item.due_event])  # the event already happened
        row = Installment(contract_id=contract.id, seq=seq, amount=item.amount, due_on=due_on,
                          due_event=item.due_event, created_at=ctx.now)
        ctx.session.add(row)
        created.append(row)
    ctx.session.flush()
    ctx.audit("contract.plan", "contract", contract.id, {"installments": [_plain(i) for i in old]} if old else None,
              {"installments": [_plain(i) for i in created]})
    receivables.allocate_unallocated(ctx, deal, contract)
    return contract, created


def _plain(item: Installment) -> dict:
    return {"seq": item.seq, "amount": str(quantize(item.amount)),
            "due_on": item.due_on.isoformat() if item.due_on else None, "due_event": item.due_event}


def record_event(ctx: Ctx, ref, event: str, *, on: str | None) -> tuple[Contract, list[Installment]]:
    """Delivery or acceptance happened: instalments waiting on it fall due that day."""
    from salesctl.audit import snapshot
    from salesctl.periods import parse_date

    kind = parse_event(event, "EVENT")
    if not (on or "").strip():
        raise InvalidInput(t("deal.err.required", flags="--date"))
    day = parse_date(on, "date", ctx.today)
    if day > ctx.today:
        raise InvalidInput(t("contract.err.future_event", date=day))
    contract, _deal = contract_for_writing(ctx, ref)
    if day < contract.signed_on:
        raise InvalidInput(t("contract.err.event_before_signed", date=day, signed=contract.signed_on))
    before = snapshot(contract)
    setattr(contract, EVENT_COLUMN[kind], day)
    contract.updated_at = ctx.now
    ctx.session.add(contract)
    changed = []
    for item in ctx.session.exec(select(Installment).where(Installment.contract_id == contract.id,
                                                           Installment.due_event == kind)):
        item.due_on = day
        ctx.session.add(item)
        changed.append(item)
    ctx.session.flush()
    ctx.audit(f"contract.{kind}", "contract", contract.id, before, contract)
    return contract, changed


# --------------------------------------------------------------------------- reads
def plan_rows(ctx: Ctx, contract: Contract, as_of: date | None = None) -> list[dict]:
    """The contract's instalments with paid, open and days overdue (as of `as_of`, default today)."""
    from salesctl.services.sales.receivables import installment_state

    as_of = as_of or ctx.today
    paid_sub = (select(PaymentAllocation.installment_id, func.sum(PaymentAllocation.amount).label("paid"))
                .group_by(PaymentAllocation.installment_id).subquery())
    stmt = (select(Installment, paid_sub.c.paid).join(paid_sub, paid_sub.c.installment_id == Installment.id, isouter=True)
            .where(Installment.contract_id == contract.id).order_by(Installment.seq))
    rows = []
    for item, paid in ctx.session.exec(stmt):
        rows.append(installment_state(item, paid, as_of))
    return rows


def contract_row(contract: Contract, deal: Deal, customer: str, owner: str | None, collected: Decimal) -> dict:
    amount = quantize(contract.amount)
    return {"id": contract.id, "number": contract.number, "deal_id": deal.id, "customer": customer, "owner": owner,
            "signed_on": contract.signed_on, "amount": amount, "deal_amount": quantize(deal.amount),
            "starts_on": contract.starts_on, "ends_on": contract.ends_on, "status": contract.status,
            "collected": quantize(collected), "open": quantize(max(amount - collected, Decimal("0")))
            if contract.status == "active" else Decimal("0.00")}


def contract_rows(ctx: Ctx, scope: Scope, *, expiring: int | None = None, include_void: bool = False,
                  limit: int | None = None) -> list[dict]:
    """Contracts on deals in the scope (by the deal owner), with what was collected on the deal."""
    from datetime import timedelta

    collected = (select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.deal_id == Deal.id)
                 .correlate(Deal).scalar_subquery())
    stmt = (select(Contract, Deal, Customer.name, Staff.handle, collected)
            .join(Deal, Deal.id == Contract.deal_id)
            .join(Customer, Customer.id == Deal.customer_id)
            .join(Staff, Staff.id == Deal.owner_id))
    clause = scope_clause(scope, Deal.owner_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if not include_void:
        stmt = stmt.where(Contract.status == "active")
    if expiring is not None:
        if expiring < 0:
            raise InvalidInput(t("contract.err.bad_days", value=expiring))
        stmt = stmt.where(Contract.status == "active", Contract.ends_on.is_not(None),
                          Contract.ends_on >= ctx.today, Contract.ends_on <= ctx.today + timedelta(days=expiring))
        stmt = stmt.order_by(Contract.ends_on, Contract.id)
    else:
        stmt = stmt.order_by(Contract.id)
    if limit:
        stmt = stmt.limit(limit)
    return [contract_row(c, d, name, handle, _money(paid)) for c, d, name, handle, paid in ctx.session.exec(stmt)]


def _money(value) -> Decimal:
    from salesctl.dbtypes import Money

    if isinstance(value, Decimal):
        return quantize(value)
    return quantize(Money().process_result_value(value, None) or Decimal("0"))


def contract_detail(ctx: Ctx, ref, as_of: date | None = None) -> dict:
    from salesctl.services.sales.deals import collected

    contract, deal = contract_for_reading(ctx, ref)
    customer = ctx.session.get(Customer, deal.customer_id)
    owner = ctx.session.get(Staff, deal.owner_id)
    row = contract_row(contract, deal, customer.name, owner.handle if owner else None, collected(ctx, deal.id))
    row.update({"delivered_on": contract.delivered_on, "accepted_on": contract.accepted_on, "note": contract.note,
                "void_reason": contract.void_reason, "installments": plan_rows(ctx, contract, as_of)})
    return row
