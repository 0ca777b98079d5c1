"""Deals (商机) through the five stages of SPEC 1.5, the payments collected on them (回款), the pipeline.

Stages 1-3 are open; `won` (contract signed) moves a deal to stage 4 and it counts
as won from then on; stage 5 (after-sales) follows once payments cover the amount.
A deal can be lost only while open. Every move is a DealStageChange (who, when,
note) plus an audit entry. A deal's owner is its customer's owner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterator

from sqlalchemy import func
from sqlmodel import select

from salesctl.errors import InvalidInput, NotFound
from salesctl.messages import stored_text, t
from salesctl.models import Customer, Deal, DealStageChange, Payment, Staff
from salesctl.money import parse_money, quantize
from salesctl.permissions import Scope, require_act_for, require_see_staff, scope_clause
from salesctl.services.context import Ctx
from salesctl.services.customers.lookup import find_customer
from salesctl.services.sales.visits import owner_for_writing
from salesctl.inputs import is_id, is_id_text

# stable English keys (used in JSON) and the Chinese names users may type
STAGE_KEYS = {1: "information", 2: "project", 3: "negotiation", 4: "purchase", 5: "after_sales"}
STAGE_ZH = {1: "信息开发", 2: "项目建立", 3: "商务谈判", 4: "购卡/回款", 5: "售后服务"}
STAGE_ALIASES = {
    "info": 1, "information development": 1, "信息": 1,
    "project establishment": 2, "项目": 2,
    "contract": 3, "business negotiation": 3, "谈判": 3,
    "purchase & collection": 4, "collection": 4, "payment": 4, "购卡": 4, "回款": 4,
    "after-sales": 5, "aftersales": 5, "after sales": 5, "售后": 5,
}
OPEN_STAGES = (1, 2, 3)
WON_STAGES = (4, 5)
LOST_REASONS = ("price", "competitor", "budget", "timing", "no_need", "relationship", "other")
LOST_ALIASES = {"价格": "price", "价格太高": "price", "竞争对手": "competitor", "竞品": "competitor", "预算": "budget",
                "时机": "timing", "项目取消": "timing", "项目推迟": "timing", "无需求": "no_need", "关系": "relationship",
                "其他": "other"}


def stage_name(stage: int) -> str:
    return STAGE_KEYS.get(stage, str(stage))


def accepted_stages() -> str:
    return ", ".join(f"{n} {key} ({STAGE_ZH[n]})" for n, key in STAGE_KEYS.items())


def parse_stage(text: str | int, flag: str = "--to") -> int:
    """A stage by number, English key or Chinese name."""
    value = str(text).strip()
    if is_id_text(value) and int(value) in STAGE_KEYS:
        return int(value)
    lowered = value.lower().replace("_", " ")
    for number, key in STAGE_KEYS.items():
        if lowered in (key.replace("_", " "), STAGE_ZH[number].lower()):
            return number
    if lowered in STAGE_ALIASES:
        return STAGE_ALIASES[lowered]
    raise InvalidInput(t("deal.err.bad_stage", flag=flag, value=text, accepted=accepted_stages()))


def parse_lost_reason(text: str | None) -> str:
    """A reason key from the list (English or Chinese label) or free text, as given."""
    value = (text or "").strip()
    if not value:
        raise InvalidInput(t("deal.err.lost_reason_required", accepted=", ".join(LOST_REASONS)))
    lowered = value.lower().replace("-", "_").replace(" ", "_")
    if lowered in LOST_REASONS:
        return lowered
    if value in LOST_ALIASES:
        return LOST_ALIASES[value]
    from salesctl.messages import catalog

    for key in LOST_REASONS:
        en, zh = catalog()[f"deal_lost.{key}"]
        if value in (en, zh):
            return key
    return value


# --------------------------------------------------------------------------- lookups
def get_deal(ctx: Ctx, ref: str | int) -> Deal:
    value = str(ref).strip().lstrip("#")
    if not is_id(value):
        raise InvalidInput(t("deal.err.bad_id", value=ref))
    deal = ctx.session.get(Deal, int(value))
    if deal is None:
        from salesctl.rls import deny_if_hidden

        deny_if_hidden(ctx.session, "deal", int(value), t("ts.what.deal", id=value))
        raise NotFound(t("deal.err.not_found", id=value))
    return deal


def _owner(ctx: Ctx, deal: Deal) -> Staff:
    return ctx.session.get(Staff, deal.owner_id)


def _writer(ctx: Ctx, deal: Deal) -> Staff:
    """Who the deal is worked for: its customer's owner (the account moves with the owner, issue 16);
    the deal's own owner only while the customer is in the pool. A won deal keeps the rep who won it
    (their commission) while the customer's new owner records its payments."""
    customer = ctx.session.get(Customer, deal.customer_id)
    if customer is not None and customer.owner_id is not None:
        return ctx.session.get(Staff, customer.owner_id)
    return _owner(ctx, deal)


def _require_see_deal(ctx: Ctx, deal: Deal) -> None:
    from salesctl.permissions import may_see_staff

    if may_see_staff(ctx, _owner(ctx, deal)) or may_see_staff(ctx, _writer(ctx, deal)):
        return
    require_see_staff(ctx, _owner(ctx, deal), what=t("deal.denied.deal", id=deal.id))


def deal_for_reading(ctx: Ctx, ref) -> Deal:
    deal = get_deal(ctx, ref)
    _require_see_deal(ctx, deal)
    return deal


def deal_for_writing(ctx: Ctx, ref, what: str) -> Deal:
    """The deal, after checking the actor may change it; `what` is a message key (deal.denied.*) taking {id}."""
    deal = get_deal(ctx, ref)
    _require_see_deal(ctx, deal)
    _deny_if_account_held_elsewhere(ctx, deal, t(what, id=deal.id))
    require_act_for(ctx, _writer(ctx, deal), t(what, id=deal.id))
    return deal


def _deny_if_account_held_elsewhere(ctx: Ctx, deal: Deal, what: str) -> None:
    """Team server: a deal of one's own (a won deal keeps its rep) whose customer now has an owner out of
    one's reach is worked by that owner, as `_writer` decides on SQLite; a hidden pool customer is not."""
    from salesctl.errors import PermissionDenied
    from salesctl.rls import is_staff_login, pool_customer

    if not is_staff_login(ctx.session) or ctx.session.get(Customer, deal.customer_id) is not None:
        return
    if pool_customer(ctx.session, deal.customer_id) is None:
        raise PermissionDenied(t("err.denied", what=what))


def collected(ctx: Ctx, deal_id: int) -> Decimal:
    total = ctx.session.exec(select(func.sum(Payment.amount)).where(Payment.deal_id == deal_id)).one()
    return quantize(total or Decimal("0"))


def legal_actions(deal: Deal, paid: Decimal | None = None) -> list[str]:
    """What may be done to the deal next, as command fragments (shown in refusals and `deal show`).

    `paid`: the amount collected, when known (a won deal with payments cannot reopen).
    """
    if deal.status == "lost":
        return []
    if deal.status == "open":
        actions = [f"advance --to {s}" for s in OPEN_STAGES if s > deal.stage]
        actions += [f"advance --to {s} --reason …" for s in OPEN_STAGES if s < deal.stage]
        return actions + ["won", "lost --reason …"]
    if deal.stage == 4:
        actions = ["payment add", t("deal.action.when_paid")]
        if not paid:
            actions.append(t("deal.action.no_payments"))
        return actions
    return ["payment add", "advance --to 4 --reason …"]


def _legal_text(deal: Deal) -> str:
    actions = legal_actions(deal)
    return t("deal.err.possible", actions="; ".join(actions)) if actions else t("deal.err.lost_final")


def _record_move(ctx: Ctx, deal: Deal, before: dict, from_stage: int | None, to_stage: int, note: str | None,
                 action: str) -> DealStageChange:
    change = DealStageChange(deal_id=deal.id, from_stage=from_stage, to_stage=to_stage, by_id=ctx.actor.id,
                             at=ctx.now, note=note)
    deal.updated_at = ctx.now
    ctx.session.add(deal)
    ctx.session.add(change)
    ctx.session.flush()
    ctx.audit(action, "deal", deal.id, before, deal)
    return change


def _snapshot(deal: Deal) -> dict:
    from salesctl.audit import snapshot

    return snapshot(deal)


# --------------------------------------------------------------------------- writes
def add_deal(ctx: Ctx, customer_ref: str, *, title: str | None, amount: str | None, stage: str | None = None,
             expected_close: str | None = None, product: str | None = None) -> Deal:
    from salesctl.periods import parse_date

    missing = [flag for flag, value in (("--title", title), ("--amount", amount)) if not (value or "").strip()]
    if missing:
        raise InvalidInput(t("deal.err.required", flags=", ".join(missing)))
    value = parse_money(amount, "amount")
    if value <= 0:
        raise InvalidInput(t("deal.err.amount_positive", value=amount))
    start = parse_stage(stage, "--stage") if stage else 1
    if start not in OPEN_STAGES:
        raise InvalidInput(t("deal.err.start_open", stage=start))
    close = parse_date(expected_close, "expected-close", ctx.today, ahead="forward") if expected_close else None
    customer = find_customer(ctx, customer_ref)
    owner = owner_for_writing(ctx, customer, "deal.denied.add")
    deal = Deal(customer_id=customer.id, owner_id=owner.id, title=title.strip(), product=(product or "").strip() or None,
                amount=value, stage=start, status="open", expected_close=close, created_by_id=ctx.actor.id,
                created_at=ctx.now, updated_at=ctx.now)
    ctx.session.add(deal)
    ctx.session.flush()
    ctx.session.add(DealStageChange(deal_id=deal.id, from_stage=None, to_stage=start, by_id=ctx.actor.id,
                                    at=ctx.now, note=stored_text("deal.msg.created")))
    ctx.session.flush()
    ctx.audit("deal.add", "deal", deal.id, None, deal)
    return deal


def advance(ctx: Ctx, ref, *, to: str | None = None, note: str | None = None, reason: str | None = None) -> tuple[Deal, int]:
    """Move a deal to another stage; returns (deal, stage before).

    Forward by default (one stage); backwards needs a reason. Stages 4 and 5 belong to
    won deals: 4 is reached by `won`, 5 only once payments cover the amount. A won deal
    goes back to an open stage (un-won) only with a reason and no payments recorded.
    """
    deal = deal_for_writing(ctx, ref, "deal.denied.change")
    current = deal.stage
    if deal.status == "lost":
        raise InvalidInput(t("deal.err.lost_at", id=deal.id, stage=current, legal=_legal_text(deal)))
    target = parse_stage(to, "--to") if to is not None else current + 1
    if target > 5:
        raise InvalidInput(t("deal.err.last_stage", id=deal.id, legal=_legal_text(deal)))
    if target == current:
        raise InvalidInput(t("deal.err.same_stage", id=deal.id, stage=current, name=stage_name(current), legal=_legal_text(deal)))
    backwards = target < current
    why = (reason or "").strip()
    if backwards and not why:
        raise InvalidInput(t("deal.err.back_reason", id=deal.id, current=current, target=target))
    before = _snapshot(deal)
    if deal.status == "open":
        if target in WON_STAGES:
            raise InvalidInput(
                t("deal.err.needs_won", stage=target, name=stage_name(target), id=deal.id, legal=_legal_text(deal))
            )
    else:  # won
        if target == 5:
            paid = collected(ctx, deal.id)
            if paid < deal.amount:
                raise InvalidInput(t("deal.err.not_paid", paid=paid, amount=quantize(deal.amount), id=deal.id))
        elif target in OPEN_STAGES:
            paid = collected(ctx, deal.id)
            if paid > 0:
                raise InvalidInput(t("deal.err.reopen_paid", id=deal.id, paid=paid))
            deal.status = "open"
            deal.won_on = None
    deal.stage = target
    text = "; ".join(x for x in (why, (note or "").strip()) if x) or None
    _record_move(ctx, deal, before, current, target, text, "deal.advance")
    return deal, current


def mark_won(ctx: Ctx, ref, *, contract_date: str | None = None, note: str | None = None,
             contract_number: str | None = None, contract_amount: str | None = None) -> Deal:
    from salesctl.periods import parse_date

    deal = deal_for_writing(ctx, ref, "deal.denied.win")
    if deal.status != "open":
        raise InvalidInput(t("deal.err.already_closed", id=deal.id, status=deal.status, stage=deal.stage, legal=_legal_text(deal)))
    signed = parse_date(contract_date, "contract-date", ctx.today) if contract_date else ctx.today
    if signed > ctx.today:
        raise InvalidInput(t("deal.err.future_contract", date=signed))
    before = _snapshot(deal)
    current = deal.stage
    deal.stage = 4
    deal.status = "won"
    deal.won_on = signed
    text = "; ".join(x for x in (f"won: contract {signed.isoformat()}", (note or "").strip()) if x)
    _record_move(ctx, deal, before, current, 4, text, "deal.won")
    customer = ctx.session.get(Customer, deal.customer_id)
    if customer.status != "won":  # a customer with a signed contract is 已成交 (issue 16)
        status_before = {"status": customer.status}
        customer.status = "won"
        customer.updated_at = ctx.now
        ctx.session.add(customer)
        ctx.session.flush()
        ctx.audit("customer.status", "customer", customer.id, status_before, {"status": "won", "deal": deal.id})
    if contract_number is not None:  # the contract in the same step (services.sales.contracts)
        from salesctl.services.sales import contracts

        value = parse_money(contract_amount, "contract-amount") if contract_amount else deal.amount
        contracts.create_contract(ctx, deal, number=contract_number, signed=signed, amount=quantize(value))
    return deal


def mark_lost(ctx: Ctx, ref, *, reason: str | None) -> Deal:
    deal = deal_for_writing(ctx, ref, "deal.denied.lose")
    if deal.status != "open":
        raise InvalidInput(t("deal.err.cannot_lose", id=deal.id, status=deal.status, legal=_legal_text(deal)))
    why = parse_lost_reason(reason)
    before = _snapshot(deal)
    deal.status = "lost"
    deal.lost_on = ctx.today
    deal.lost_reason = why
    from salesctl.messages import catalog

    reason_text = stored_text(f"deal_lost.{why}") if f"deal_lost.{why}" in catalog() else why  # a key, or own words
    _record_move(ctx, deal, before, deal.stage, deal.stage, stored_text("deal.note.lost", reason=reason_text),
                 "deal.lost")
    return deal


# --------------------------------------------------------------------------- reads
def deal_rows(ctx: Ctx, scope: Scope, *, stage: str | None = None, open_only: bool = False,
              status: str | None = None, customer: str | None = None, limit: int | None = None) -> Iterator[dict]:
    """Deals in the scope (by owner), newest first, with the amount collected so far (one query)."""
    from salesctl.dbtypes import Money

    # correlated per listed deal (ix_payment_deal_id), so only the deals in scope are summed
    paid = (select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.deal_id == Deal.id)
            .correlate(Deal).scalar_subquery())
    stmt = (
        select(Deal, Customer.name, Staff.handle, paid)
        .join(Customer, Customer.id == Deal.customer_id)
        .join(Staff, Staff.id == Deal.owner_id)
    )
    clause = scope_clause(scope, Deal.owner_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if stage:
        stmt = stmt.where(Deal.stage == parse_stage(stage, "--stage"))
    if open_only:
        stmt = stmt.where(Deal.status == "open")
    if status:
        if status not in ("open", "won", "lost"):
            raise InvalidInput(t("deal.err.bad_status", value=status))
        stmt = stmt.where(Deal.status == status)
    if customer:
        from salesctl.permissions import require_see_customer

        target = find_customer(ctx, customer)
        require_see_customer(ctx, target)
        stmt = stmt.where(Deal.customer_id == target.id)
    stmt = stmt.order_by(Deal.id)
    if limit:
        stmt = stmt.limit(limit)
    money = Money()
    for deal, customer_name, owner, paid_cents in ctx.session.exec(stmt.execution_options(yield_per=500)):
        paid_value = paid_cents if isinstance(paid_cents, Decimal) else money.process_result_value(paid_cents, None)
        yield deal_row(deal, customer_name, owner, paid_value)


def deal_row(deal: Deal, customer_name: str, owner: str | None, paid: Decimal) -> dict:
    return {
        "id": deal.id, "customer_id": deal.customer_id, "customer": customer_name, "title": deal.title,
        "product": deal.product, "amount": quantize(deal.amount), "stage": deal.stage,
        "stage_name": stage_name(deal.stage), "status": deal.status, "owner": owner,
        "expected_close": deal.expected_close, "won_on": deal.won_on, "lost_on": deal.lost_on,
        "lost_reason": deal.lost_reason, "paid": quantize(paid),
        # a lost deal owes nothing (issue 16)
        "outstanding": Decimal("0.00") if deal.status == "lost" else quantize(max(deal.amount - paid, Decimal("0"))),
    }


def deal_detail(ctx: Ctx, ref) -> dict:
    """One deal with its stage history (who/when/note), its payments and what may happen next."""
    deal = deal_for_reading(ctx, ref)
    session = ctx.session
    customer = session.get(Customer, deal.customer_id)
    owner = _owner(ctx, deal)
    payments = [
        {"id": p.id, "amount": quantize(p.amount), "date": p.paid_on, "note": p.note}
        for p in session.exec(select(Payment).where(Payment.deal_id == deal.id).order_by(Payment.paid_on, Payment.id))
    ]
    paid = quantize(sum((p["amount"] for p in payments), Decimal("0")))
    history = [
        {"id": c.id, "at": c.at, "from_stage": c.from_stage, "to_stage": c.to_stage, "by": handle, "note": c.note}
        for c, handle in session.exec(
            select(DealStageChange, Staff.handle).join(Staff, Staff.id == DealStageChange.by_id, isouter=True)
            .where(DealStageChange.deal_id == deal.id).order_by(DealStageChange.at, DealStageChange.id)
        )
    ]
    row = deal_row(deal, customer.name, owner.handle if owner else None, paid)
    row["created_at"] = deal.created_at
    row["next"] = legal_actions(deal, paid)
    row["history"] = history
    from salesctl.services.customers.account import owner_history

    row["owners"] = owner_history(ctx, deal.id)
    row["payments"] = payments
    return row


# --------------------------------------------------------------------------- pipeline
@dataclass
class Pipeline:
    """Counts and amounts per stage (open 1-3; won deals at 4 and 5), plus won/lost totals.

    `reached[s]` = deals that got at least to stage s (open or lost at >= s, or won),
    used for the conversion between consecutive stages; it is not part of the JSON.
    """

    scope: str
    stages: list[dict] = field(default_factory=list)
    won: dict = field(default_factory=dict)
    lost: dict = field(default_factory=dict)
    reached: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"stages": self.stages, "won": self.won, "lost": self.lost}

    def conversion(self, stage: int) -> Decimal | None:
        """Share of the deals that reached `stage` which also reached `stage + 1`."""
        base = self.reached.get(stage, 0)
        if stage >= 5 or not base:
            return None
        return (Decimal(self.reached.get(stage + 1, 0)) / Decimal(base)).quantize(Decimal("0.0001"))


def pipeline(ctx: Ctx, scope: Scope) -> Pipeline:
    """One GROUP BY (status, stage) query over the deals in the scope."""
    stmt = select(Deal.status, Deal.stage, func.count(Deal.id), func.sum(Deal.amount)).group_by(Deal.status, Deal.stage)
    clause = scope_clause(scope, Deal.owner_id)
    if clause is not None:
        stmt = stmt.where(clause)
    zero = Decimal("0.00")
    cells: dict[tuple[str, int], tuple[int, Decimal]] = {}
    for status, stage, count, amount in ctx.session.exec(stmt):
        cells[(status, stage)] = (int(count), quantize(amount or zero))

    def total(status: str, stages) -> tuple[int, Decimal]:
        n = sum(cells.get((status, s), (0, zero))[0] for s in stages)
        a = sum((cells.get((status, s), (0, zero))[1] for s in stages), zero)
        return n, quantize(a)

    result = Pipeline(scope=scope.label)
    for s in STAGE_KEYS:
        n, a = cells.get(("open" if s in OPEN_STAGES else "won", s), (0, zero))
        result.stages.append({"stage": s, "name": STAGE_KEYS[s], "count": n, "amount": quantize(a)})
    won_n, won_a = total("won", STAGE_KEYS)
    lost_n, lost_a = total("lost", STAGE_KEYS)
    result.won = {"count": won_n, "amount": won_a}
    result.lost = {"count": lost_n, "amount": lost_a}
    for s in STAGE_KEYS:
        result.reached[s] = (
            sum(n for (status, stage), (n, _a) in cells.items() if status in ("open", "lost") and stage >= s)
            + sum(n for (status, stage), (n, _a) in cells.items() if status == "won" and (stage >= s or s <= 4))
        )
    return result


def percent(rate: Decimal | None) -> str:
    """0.6667 → "66.7%" (table display of a conversion rate)."""
    if rate is None:
        return ""
    return f"{(rate * 100).quantize(Decimal('0.1'))}%"


def pipeline_rows(p: Pipeline) -> list[dict]:
    """The pipeline as table rows (stages, then won and lost) for table/CSV/markdown."""
    rows = []
    for entry in p.stages:
        s = entry["stage"]
        rows.append({"stage": s, "name": entry["name"], "count": entry["count"], "amount": entry["amount"],
                     "reached": p.reached.get(s, 0), "conversion": p.conversion(s)})
    rows.append({"stage": None, "name": "won", "count": p.won["count"], "amount": p.won["amount"]})
    rows.append({"stage": None, "name": "lost", "count": p.lost["count"], "amount": p.lost["amount"]})
    return rows


# --------------------------------------------------------------------------- payments
@dataclass
class RecordedPayment:
    row: dict  # as a `payment list` row
    deal_id: int
    deal_amount: Decimal
    collected: Decimal  # on the deal, this payment included
    paid_in_full: bool  # and still at stage 4: time for `deal advance --to 5`


def _payment_checks(ctx: Ctx, ref, amount: str | None, on: str | None, installment: int | None = None):
    from salesctl.periods import parse_date

    missing = [flag for flag, value in (("--amount", amount), ("--date", on)) if not (value or "").strip()]
    if missing:
        raise InvalidInput(t("deal.err.required", flags=", ".join(missing)))
    value = parse_money(amount, "amount")
    if value <= 0:
        raise InvalidInput(t("deal.err.amount_positive", value=amount))
    paid_on = parse_date(on, "date", ctx.today)
    if paid_on > ctx.today:
        raise InvalidInput(t("payment.err.future", date=paid_on))
    deal = deal_for_writing(ctx, ref, "deal.denied.pay")
    if deal.status != "won":
        raise InvalidInput(
            t("payment.err.not_won", id=deal.id, status=deal.status, stage=deal.stage)
            + (t("payment.err.run_won", id=deal.id) if deal.status == "open" else "")
        )
    from salesctl.services.sales import receivables

    receivables.check_installment(ctx, deal, installment)
    owed = receivables.amount_owed(ctx, deal)  # the contract amount once there is one
    before = collected(ctx, deal.id)
    after = quantize(before + value)
    return value, paid_on, deal, before, after, owed


def payment_overpay(ctx: Ctx, ref, *, amount: str | None, on: str | None,
                    installment: int | None = None) -> tuple[Decimal, Decimal] | None:
    """Read-only, before the write: (collected after, amount owed) when this payment would exceed what is owed."""
    _value, _on, _deal, _before, after, owed = _payment_checks(ctx, ref, amount, on, installment)
    return (after, owed) if after > owed else None


def add_payment(ctx: Ctx, ref, *, amount: str | None, on: str | None, note: str | None = None,
                allow_overpay: bool = False, installment: int | None = None) -> RecordedPayment:
    """Record money collected on a won deal, allocated to its contract's instalments.

    Collections beyond what is owed (the contract amount once there is one, else the deal amount)
    need allow_overpay (the CLI asks at a terminal, before the write transaction: see
    `payment_overpay`).
    """
    value, paid_on, deal, before, after, owed = _payment_checks(ctx, ref, amount, on, installment)
    if after > owed and not allow_overpay:
        raise InvalidInput(t("payment.err.overpay", after=after, amount=owed, before=before))
    from salesctl.services.sales import receivables

    payment = Payment(deal_id=deal.id, amount=value, paid_on=paid_on, note=(note or "").strip() or None,
                      created_by_id=ctx.actor.id, created_at=ctx.now)
    ctx.session.add(payment)
    ctx.session.flush()
    ctx.audit("payment.add", "payment", payment.id, None, payment)
    allocated = receivables.allocate_payment(ctx, deal, payment, installment)
    customer = ctx.session.get(Customer, deal.customer_id)
    row = {"id": payment.id, "deal_id": deal.id, "amount": quantize(value), "date": paid_on,
           "customer": customer.name, "owner": _owner(ctx, deal).handle, "note": payment.note}
    if allocated:
        row["installments"] = allocated
    return RecordedPayment(row=row, deal_id=deal.id, deal_amount=owed, collected=after,
                           paid_in_full=deal.stage == 4 and after >= owed)


def payment_rows(ctx: Ctx, scope: Scope, *, deal: str | None = None, customer: str | None = None,
                 bounds: tuple[date, date | None] | None = None, limit: int | None = None) -> Iterator[dict]:
    """Payments on deals in the scope (by the deal's owner), by date, streamed."""
    stmt = (
        select(Payment.id, Payment.deal_id, Payment.amount, Payment.paid_on, Customer.name, Staff.handle, Payment.note)
        .join(Deal, Deal.id == Payment.deal_id)
        .join(Customer, Customer.id == Deal.customer_id)
        .join(Staff, Staff.id == Deal.owner_id)
    )
    clause = scope_clause(scope, Deal.owner_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if deal:
        target = deal_for_reading(ctx, deal)
        stmt = stmt.where(Payment.deal_id == target.id)
    if customer:
        from salesctl.permissions import require_see_customer

        who = find_customer(ctx, customer)
        require_see_customer(ctx, who)
        stmt = stmt.where(Deal.customer_id == who.id)
    if bounds:
        first, last = bounds
        stmt = stmt.where(Payment.paid_on >= first)
        if last is not None:
            stmt = stmt.where(Payment.paid_on <= last)
    stmt = stmt.order_by(Payment.paid_on, Payment.id)
    if limit:
        stmt = stmt.limit(limit)
    for pid, deal_id, amount, paid_on, customer_name, owner, note in ctx.session.exec(stmt.execution_options(yield_per=500)):
        yield {"id": pid, "deal_id": deal_id, "amount": quantize(amount), "date": paid_on,
               "customer": customer_name, "owner": owner, "note": note}



def total_amount(rows) -> Decimal:
    """The exact sum of the rows' `amount` (for table footers)."""
    return quantize(sum((r["amount"] for r in rows), Decimal("0")))
