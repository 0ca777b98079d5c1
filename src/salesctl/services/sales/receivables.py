"""Receivables (应收账款): payments allocated to instalments, what is open and overdue, ageing, reminders.

A payment on a deal with an active contract pays the oldest open instalment first
(plan order), or the one named with `--installment N`, spilling into the next
open ones; beyond the plan it stays unallocated (an overpayment). Ageing buckets
an instalment's open amount by days past its due date as of a given day.
Commission is untouched: it stays on collected payments.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Iterator

from sqlalchemy import func
from sqlmodel import select

from salesctl.errors import InvalidInput
from salesctl.messages import t
from salesctl.models import Contract, Customer, Deal, Installment, Payment, PaymentAllocation, Staff
from salesctl.money import quantize
from salesctl.permissions import Scope, nearest_manager, scope_clause
from salesctl.services.context import Ctx

ZERO = Decimal("0.00")
BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")


def bucket_of(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "not_due"
    if days_overdue <= 30:
        return "1_30"
    if days_overdue <= 60:
        return "31_60"
    if days_overdue <= 90:
        return "61_90"
    return "over_90"


def installment_state(item: Installment, paid, as_of: date) -> dict:
    amount = quantize(item.amount)
    paid = quantize(paid or ZERO)
    open_ = quantize(max(amount - paid, ZERO))
    overdue = (as_of - item.due_on).days if item.due_on is not None and open_ > 0 and item.due_on < as_of else 0
    if open_ == 0:
        status = "paid"
    elif overdue:
        status = "overdue"
    elif item.due_on is None:
        status = "waiting"  # on an event not yet recorded
    else:
        status = "open"
    return {"seq": item.seq, "installment_id": item.id, "amount": amount, "due_on": item.due_on,
            "due_event": item.due_event, "paid": paid, "open": open_, "days_overdue": overdue,
            "bucket": bucket_of(overdue), "status": status}


# --------------------------------------------------------------------------- allocation
def amount_owed(ctx: Ctx, deal: Deal) -> Decimal:
    """What the customer owes on the deal: its active contract's amount, else the deal amount."""
    from salesctl.services.sales.contracts import active_contract

    contract = active_contract(ctx, deal.id)
    return quantize(contract.amount if contract is not None else deal.amount)


def _open_installments(ctx: Ctx, contract: Contract) -> list[tuple[Installment, Decimal]]:
    paid_sub = (select(PaymentAllocation.installment_id, func.sum(PaymentAllocation.amount).label("paid"))
                .group_by(PaymentAllocation.installment_id).subquery())
    stmt = (select(Installment, paid_sub.c.paid).join(paid_sub, paid_sub.c.installment_id == Installment.id, isouter=True)
            .where(Installment.contract_id == contract.id).order_by(Installment.seq))
    return [(item, quantize(item.amount - (paid or ZERO))) for item, paid in ctx.session.exec(stmt)]


def check_installment(ctx: Ctx, deal: Deal, seq: int | None) -> None:
    """Refuse `--installment N` before anything is written: no plan, no such instalment, or already paid."""
    if seq is None:
        return
    from salesctl.services.sales.contracts import active_contract

    contract = active_contract(ctx, deal.id)
    items = _open_installments(ctx, contract) if contract is not None else []
    if not items:
        raise InvalidInput(t("receivable.err.no_plan", id=deal.id))
    chosen = [(i, o) for i, o in items if i.seq == seq]
    if not chosen:
        raise InvalidInput(t("receivable.err.no_installment", seq=seq, contract=contract.number,
                             accepted=", ".join(str(i.seq) for i, _ in items)))
    if chosen[0][1] <= 0:
        open_ones = ", ".join(str(i.seq) for i, o in items if o > 0) or "-"
        raise InvalidInput(t("receivable.err.installment_paid", seq=seq, open=open_ones))


def _allocate(ctx: Ctx, contract: Contract, payment_id: int, amount: Decimal, first_seq: int | None = None) -> list[dict]:
    items = _open_installments(ctx, contract)
    if first_seq is not None:
        items.sort(key=lambda pair: (pair[0].seq != first_seq, pair[0].seq))
    left = quantize(amount)
    done = []
    for item, open_ in items:
        if left <= 0:
            break
        if open_ <= 0:
            continue
        share = min(open_, left)
        ctx.session.add(PaymentAllocation(payment_id=payment_id, installment_id=item.id, amount=share))
        done.append({"seq": item.seq, "amount": share})
        left = quantize(left - share)
    ctx.session.flush()
    return done


def allocate_payment(ctx: Ctx, deal: Deal, payment: Payment, seq: int | None = None) -> list[dict]:
    """Allocate a new payment to the deal's active contract's instalments (nothing without a plan)."""
    from salesctl.services.sales.contracts import active_contract

    contract = active_contract(ctx, deal.id)
    if contract is None:
        return []
    return _allocate(ctx, contract, payment.id, quantize(payment.amount), seq)


def allocate_unallocated(ctx: Ctx, deal: Deal, contract: Contract) -> None:
    """A new plan: the deal's payments not yet allocated pay it, oldest payment first."""
    allocated = (select(PaymentAllocation.payment_id, func.sum(PaymentAllocation.amount).label("done"))
                 .group_by(PaymentAllocation.payment_id).subquery())
    stmt = (select(Payment, allocated.c.done).join(allocated, allocated.c.payment_id == Payment.id, isouter=True)
            .where(Payment.deal_id == deal.id).order_by(Payment.paid_on, Payment.id))
    for payment, done in list(ctx.session.exec(stmt)):
        rest = quantize(payment.amount - (done or ZERO))
        if rest > 0:
            _allocate(ctx, contract, payment.id, rest)


# --------------------------------------------------------------------------- reads
def _base(scope: Scope | None):
    paid_sub = (select(PaymentAllocation.installment_id, func.sum(PaymentAllocation.amount).label("paid"))
                .group_by(PaymentAllocation.installment_id).subquery())
    stmt = (select(Installment, paid_sub.c.paid, Contract.id, Contract.number, Deal.id, Customer.name, Staff)
            .join(paid_sub, paid_sub.c.installment_id == Installment.id, isouter=True)
            .join(Contract, Contract.id == Installment.contract_id)
            .join(Deal, Deal.id == Contract.deal_id)
            .join(Customer, Customer.id == Deal.customer_id)
            .join(Staff, Staff.id == Deal.owner_id)
            .where(Contract.status == "active"))
    if scope is not None:
        clause = scope_clause(scope, Deal.owner_id)
        if clause is not None:
            stmt = stmt.where(clause)
    return stmt.order_by(Installment.due_on.is_(None), Installment.due_on, Contract.id, Installment.seq)


def receivable_rows(ctx: Ctx, scope: Scope, *, as_of: date | None = None, overdue_only: bool = False,
                    open_only: bool = False) -> Iterator[dict]:
    """Each instalment in the scope with due date, paid, open and days overdue as of `as_of`."""
    as_of = as_of or ctx.today
    for item, paid, contract_id, number, deal_id, customer, owner in ctx.session.exec(_base(scope)):
        state = installment_state(item, paid, as_of)
        if overdue_only and not state["days_overdue"]:
            continue
        if open_only and state["open"] == 0:
            continue
        yield {"contract_id": contract_id, "contract": number, "deal_id": deal_id, "customer": customer,
               "owner": owner.handle, **state}


def ageing(ctx: Ctx, scope: Scope, *, as_of: date | None = None, by: str | None = None) -> dict:
    """Open amounts per bucket (not yet due, 1-30, 31-60, 61-90, over 90 days), per rep or team, with totals."""
    if by not in (None, "rep", "team"):
        raise InvalidInput(t("receivable.err.bad_by", value=by))
    as_of = as_of or ctx.today
    groups: dict[str, dict] = {}
    managers: dict[int, str] = {}
    total = {b: ZERO for b in BUCKETS}
    for item, paid, _cid, _number, _deal, _customer, owner in ctx.session.exec(_base(scope)):
        state = installment_state(item, paid, as_of)
        if state["open"] == 0:
            continue
        if by == "rep":
            name = owner.handle
        elif by == "team":
            if owner.id not in managers:
                boss = nearest_manager(ctx.session, owner) if owner.role not in ("manager", "regional_manager") else owner
                managers[owner.id] = boss.handle if boss is not None else owner.handle
            name = managers[owner.id]
        else:
            name = scope.label
        group = groups.setdefault(name, {b: ZERO for b in BUCKETS})
        group[state["bucket"]] = quantize(group[state["bucket"]] + state["open"])
        total[state["bucket"]] = quantize(total[state["bucket"]] + state["open"])
    rows = [{"group": name, **values, "total": quantize(sum(values.values(), ZERO))}
            for name, values in sorted(groups.items())]
    totals = {**total, "total": quantize(sum(total.values(), ZERO))}
    return {"as_of": as_of, "by": by or "all", "scope": scope.label, "rows": rows, "totals": totals}


# --------------------------------------------------------------------------- inbox, pack
def inbox_items(ctx: Ctx) -> list[dict]:
    """Overdue and soon-due instalments, and contracts ending soon, for the owner and whoever manages them.

    Rows of the inbox shape (`kind, id, customer, text, since`) plus a stable `key`.
    Days ahead come from the policy's [receivables] section.
    """
    from salesctl.permissions import managed_staff_ids
    from salesctl.policy import section

    policy = section("receivables")
    due_days = int(policy.get("remind_due_within_days", 7))
    ending_days = int(policy.get("remind_contract_ending_days", 30))
    actor = ctx.actor
    managed = managed_staff_ids(ctx)
    owners = Deal.owner_id == actor.id
    if managed is None:
        owners = None
    else:
        owners = owners | Deal.owner_id.in_(select(managed.c.id))
    today = ctx.today
    tz = ctx.clock.tz
    rows: list[dict] = []
    stmt = _base(None).where(Installment.due_on.is_not(None), Installment.due_on <= today + timedelta(days=due_days))
    if owners is not None:
        stmt = stmt.where(owners)
    for item, paid, _cid, number, _deal, customer, owner in ctx.session.exec(stmt):
        state = installment_state(item, paid, today)
        if state["open"] == 0:
            continue
        if state["days_overdue"]:
            text = t("receivable.inbox.overdue", owner=owner.handle, number=number, seq=item.seq,
                     open=state["open"], due=item.due_on, days=state["days_overdue"])
            since = datetime.combine(item.due_on + timedelta(days=1), time(0, 0), tz)
            key = f"receivable:overdue:{item.id}"
        else:
            text = t("receivable.inbox.due", owner=owner.handle, number=number, seq=item.seq,
                     open=state["open"], due=item.due_on)
            since = datetime.combine(max(item.due_on - timedelta(days=due_days), today), time(0, 0), tz)
            key = f"receivable:due:{item.id}"
        rows.append({"kind": "receivable", "id": item.id, "customer": customer, "text": text, "since": since,
                     "key": key})
    ending = (select(Contract, Customer.name, Staff.handle).join(Deal, Deal.id == Contract.deal_id)
              .join(Customer, Customer.id == Deal.customer_id).join(Staff, Staff.id == Deal.owner_id)
              .where(Contract.status == "active", Contract.ends_on.is_not(None), Contract.ends_on >= today,
                     Contract.ends_on <= today + timedelta(days=ending_days))
              .order_by(Contract.ends_on, Contract.id))
    if owners is not None:
        ending = ending.where(owners)
    for contract, customer, handle in ctx.session.exec(ending):
        rows.append({"kind": "contract", "id": contract.id, "customer": customer,
                     "text": t("contract.inbox.ending", owner=handle, number=contract.number, ends=contract.ends_on,
                               days=(contract.ends_on - today).days),
                     "since": datetime.combine(contract.ends_on - timedelta(days=ending_days), time(0, 0), tz),
                     "key": f"contract:ending:{contract.id}"})
    return rows


# columns of the Friday pack's sheets: (key, kind); headings are archive.col.<key>
PACK_CONTRACT_COLUMNS = (
    ("id", "int"), ("contract_number", "text"), ("deal_id", "int"), ("customer", "text"), ("owner", "text"),
    ("signed_on", "date"), ("contract_amount", "money"), ("deal_amount", "money"), ("starts_on", "date"),
    ("ends_on", "date"), ("contract_status", "text"), ("collected", "money"), ("open_amount", "money"),
)
PACK_RECEIVABLE_COLUMNS = (
    ("contract_number", "text"), ("seq", "int"), ("customer", "text"), ("owner", "text"), ("due_on", "date"),
    ("due_event", "text"), ("installment_amount", "money"), ("paid", "money"), ("open_amount", "money"),
    ("days_overdue", "int"), ("bucket", "text"),
)


def pack_sheets(ctx: Ctx, scope: Scope, week_start: date, week_end: date) -> dict[str, tuple[tuple, list[tuple], list[bool]]]:
    """The Friday pack's Contracts and Receivables sheets: {key: (columns, rows, highlighted)}.

    Highlighted: contracts signed or changed that week; instalments paid, falling due, or
    of a contract changed that week. Ageing is as of the week's last day.
    """
    from salesctl.messages import label
    from salesctl.services.sales.contracts import contract_rows

    tz = ctx.clock.tz
    changed_contracts: set[int] = set()
    for contract in ctx.session.exec(select(Contract)):
        updated = contract.updated_at.astimezone(tz).date()
        if week_start <= updated <= week_end or week_start <= contract.signed_on <= week_end:
            changed_contracts.add(contract.id)
    paid_this_week = set(ctx.session.exec(
        select(PaymentAllocation.installment_id).join(Payment, Payment.id == PaymentAllocation.payment_id)
        .where(Payment.paid_on >= week_start, Payment.paid_on <= week_end)))
    contracts, contract_marks = [], []
    for row in contract_rows(ctx, scope, include_void=True):
        contracts.append((row["id"], row["number"], row["deal_id"], row["customer"], row["owner"], row["signed_on"],
                          row["amount"], row["deal_amount"], row["starts_on"], row["ends_on"],
                          label("contract_status", row["status"]), row["collected"], row["open"]))
        contract_marks.append(row["id"] in changed_contracts)
    receivables, receivable_marks = [], []
    for row in receivable_rows(ctx, scope, as_of=week_end):
        receivables.append((row["contract"], row["seq"], row["customer"], row["owner"], row["due_on"],
                            label("contract_event", row["due_event"]) if row["due_event"] else None, row["amount"],
                            row["paid"], row["open"], row["days_overdue"], label("receivable.col", row["bucket"])))
        receivable_marks.append(row["installment_id"] in paid_this_week or row["contract_id"] in changed_contracts
                                or (row["due_on"] is not None and week_start <= row["due_on"] <= week_end))
    return {"contracts": (PACK_CONTRACT_COLUMNS, contracts, contract_marks),
            "receivables": (PACK_RECEIVABLE_COLUMNS, receivables, receivable_marks)}


def export_rows(ctx: Ctx, scope: Scope, table: str) -> Iterator[dict]:
    """`export contracts|receivables`: every contract (voided too) or every instalment in the scope."""
    if table == "contracts":
        from salesctl.services.sales.contracts import contract_rows

        return iter(contract_rows(ctx, scope, include_void=True))
    return (
        {k: v for k, v in row.items() if k != "installment_id"} for row in receivable_rows(ctx, scope)
    )


# --------------------------------------------------------------------------- the inbox's sources (services.teamwork.inbox.SOURCES)
def _inbox_of_kind(ctx: Ctx, kind: str):
    for row in inbox_items(ctx):
        if row["kind"] == kind:
            yield {"key": row["key"], "id": row["id"], "customer": row["customer"], "text": row["text"],
                   "since": row["since"], "urgent": False}


def inbox_receivables(ctx: Ctx):
    """Instalments due within the policy's days, and every overdue one."""
    return _inbox_of_kind(ctx, "receivable")


def inbox_contracts(ctx: Ctx):
    """Contracts ending within the policy's days (即将到期合同)."""
    return _inbox_of_kind(ctx, "contract")
