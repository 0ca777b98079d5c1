"""The commission engine: loading a month's items, targets and ledger, and computing every rep's row."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import false, func, select

from salesctl.models import (
    CommissionAdjustment,
    CommissionLine,
    CommissionSettlement,
    Customer,
    Deal,
    MissedSale,
    MissedSaleShare,
    Payment,
    Staff,
    Target,
)
from salesctl.messages import render_stored, stored_text
from salesctl.money import fmt, quantize
from salesctl.periods import Period, parse_period, period_containing
from salesctl.services.pay.plans import NIL, ONE, Plan, PlanBook, ZERO, cents, fmt_rate
from salesctl.services.pay.pricing import (
    Item,
    Line,
    Statement,
    compliance_line,
    lands_in,
    month_label,
    month_period,
    penalty_month,
    prev_month,
    price,
)

if TYPE_CHECKING:
    from salesctl.services.context import Ctx


# --------------------------------------------------------------------------- loading (fixed queries)
def load_items(session, staff_ids: list[int], first: date, last: date, basis: str) -> dict[int, list[Item]]:
    """Payments collected (or deals won) in [first, last] on deals owned by these staff, by owner."""
    out: dict[int, list[Item]] = {}
    if not staff_ids:
        return out
    if basis == "won":
        stmt = (select(Deal.owner_id, Deal.id, Deal.amount, Deal.won_on, Deal.id, Deal.title, Customer.name,
                       Customer.grade, Deal.product, Deal.updated_at)
                .join(Customer, Customer.id == Deal.customer_id)
                .where(Deal.owner_id.in_(staff_ids), Deal.status == "won", Deal.won_on >= first, Deal.won_on <= last))
        kind = "deal"
    else:
        stmt = (select(Deal.owner_id, Payment.id, Payment.amount, Payment.paid_on, Deal.id, Deal.title,
                       Customer.name, Customer.grade, Deal.product, Payment.created_at)
                .join(Deal, Deal.id == Payment.deal_id)
                .join(Customer, Customer.id == Deal.customer_id)
                .where(Deal.owner_id.in_(staff_ids), Payment.paid_on >= first, Payment.paid_on <= last))
        kind = "payment"
    for owner, item_id, amount, day, deal_id, title, customer, grade, product, recorded in session.execute(stmt):
        out.setdefault(owner, []).append(Item(f"{kind}:{item_id}", amount, day, deal_id, title, customer,
                                              grade, product, recorded))
    return out


def month_targets(session, staff_ids: list[int], month: Period) -> dict[int, Decimal]:
    """The month's target per person: the month's own, else a third of the quarter's (to cents)."""
    quarter = period_containing("quarter", month.start).label
    found: dict[int, dict[str, Decimal]] = {}
    if staff_ids:
        stmt = select(Target.staff_id, Target.period, Target.amount).where(
            Target.staff_id.in_(staff_ids), Target.period.in_((month.label, quarter)))
        for sid, period, amount in session.execute(stmt):
            found.setdefault(sid, {})[period] = amount
    out = {}
    for sid, periods in found.items():
        if month.label in periods:
            out[sid] = periods[month.label]
        elif quarter in periods:
            out[sid] = quantize(periods[quarter] / 3)
    return out


@dataclass
class Ledger:
    """Everything stored about the scope's settlements: by staff, by month; and their lines."""

    settlements: dict[int, dict[str, CommissionSettlement]]
    lines: dict[int, list[CommissionLine]]  # settlement id → lines (the ones loaded)
    settled_by: dict[int, str]

    def settled_months(self, sid: int) -> set[str]:
        return set(self.settlements.get(sid, {}))

    def run_before(self, sid: int, month: str) -> list[str]:
        """Settled months whose next open month is `month` (the settled run right before it)."""
        months = self.settled_months(sid)
        run = []
        current = prev_month(month)
        while current in months:
            run.append(current)
            current = prev_month(current)
        return run

    def stored(self, sid: int, kinds: tuple[str, ...]) -> list[CommissionLine]:
        out = []
        for s in self.settlements.get(sid, {}).values():
            out.extend(x for x in self.lines.get(s.id, []) if x.kind in kinds)
        return out


def load_ledger(session, staff_ids: list[int], month: str) -> Ledger:
    settlements: dict[int, dict[str, CommissionSettlement]] = {}
    by: dict[int, str] = {}
    if not staff_ids:
        return Ledger({}, {}, {})
    stmt = (select(CommissionSettlement, Staff.handle)
            .join(Staff, Staff.id == CommissionSettlement.settled_by_id)
            .where(CommissionSettlement.staff_id.in_(staff_ids), CommissionSettlement.month <= month))
    for s, handle in session.execute(stmt):
        settlements.setdefault(s.staff_id, {})[s.month] = s
        by[s.id] = handle
    wanted = {s.id for per in settlements.values() for m, s in per.items() if m == month}
    lines: dict[int, list[CommissionLine]] = {}
    if settlements:
        ids = select(CommissionSettlement.id).where(CommissionSettlement.staff_id.in_(staff_ids),
                                                    CommissionSettlement.month <= month)
        stmt = (select(CommissionLine).where(CommissionLine.settlement_id.in_(ids))
                .where(CommissionLine.settlement_id.in_(wanted) | CommissionLine.kind.in_(("correction", "penalty")))
                .order_by(CommissionLine.settlement_id, CommissionLine.seq))
        for line in session.execute(stmt).scalars():
            lines.setdefault(line.settlement_id, []).append(line)
    return Ledger(settlements, lines, by)


# --------------------------------------------------------------------------- the engine
@dataclass
class Calculator:
    """Computes statements for a set of staff for one month, with a fixed number of queries."""

    ctx: "Ctx"
    book: PlanBook
    month: Period
    staff: list[Staff]
    live: bool = False  # ignore settlements (what-if)

    def __post_init__(self):
        session = self.ctx.session
        ids = [s.id for s in self.staff]
        self.ids = ids
        self.plans = {s.id: self.book.plan_for(s) for s in self.staff}
        label = self.month.label
        self.items: dict[str, dict[int, list[Item]]] = {}
        for basis in sorted({p.basis for p in self.plans.values()}):
            self.items[basis] = load_items(session, ids, self.month.start, self.month.end, basis)
        self.targets = month_targets(session, ids, self.month)
        self.ledger = load_ledger(session, ids, label)
        from salesctl.services.reports.compliance import daily_compliance

        self.compliance = daily_compliance(session, Staff.id.in_(ids) if ids else false(),
                                           self.month.start, self.month.end, self.ctx.clock)
        self.adjustments: dict[int, list[tuple[CommissionAdjustment, str | None]]] = {}
        if ids:
            by = aliased_staff()
            stmt = (select(CommissionAdjustment, by.handle).outerjoin(by, by.id == CommissionAdjustment.by_id)
                    .where(CommissionAdjustment.staff_id.in_(ids), CommissionAdjustment.month == label)
                    .order_by(CommissionAdjustment.id))
            for adj, handle in session.execute(stmt):
                self.adjustments.setdefault(adj.staff_id, []).append((adj, handle))
        self._load_penalties()
        self._load_corrections()

    # -- penalties: shares of missed sales, charged in the year-end month (or the next open month)
    def _load_penalties(self):
        self.penalties: dict[int, list[tuple]] = {}
        if not self.ids:
            return
        stmt = (select(MissedSaleShare.staff_id, MissedSale.id, MissedSale.name, MissedSale.region,
                       MissedSale.industry, MissedSale.amount, MissedSale.occurred_on,
                       func.sum(MissedSaleShare.amount))
                .join(MissedSale, MissedSale.id == MissedSaleShare.missed_sale_id)
                .where(MissedSaleShare.staff_id.in_(self.ids), MissedSale.occurred_on <= self.month.end,
                       MissedSale.voided_at.is_(None))  # `claim missed void` takes it off the statement
                .group_by(MissedSaleShare.staff_id, MissedSale.id, MissedSale.name, MissedSale.region,
                          MissedSale.industry, MissedSale.amount, MissedSale.occurred_on))
        for row in self.ctx.session.execute(stmt):
            self.penalties.setdefault(row[0], []).append(row[1:])

    # -- corrections: the settled months whose next open month is this one
    def _load_corrections(self):
        self.run_items: dict[str, dict[int, list[Item]]] = {}
        runs = {sid: self.ledger.run_before(sid, self.month.label) for sid in self.ids}
        months = sorted({m for run in runs.values() for m in run})
        self.runs = runs
        if not months:
            return
        bases = set()
        for sid, run in runs.items():
            for m in run:
                snapshot = json.loads(self.ledger.settlements[sid][m].summary).get("plan_snapshot", {})
                bases.add(snapshot.get("basis", "collected"))
        first = month_period(months[0]).start
        last = self.month.start - timedelta(days=1)
        for basis in sorted(bases):
            self.run_items[basis] = load_items(self.ctx.session, self.ids, first, last, basis)

    # -- one person's statement
    def statement(self, person: Staff) -> Statement:
        label = self.month.label
        settled = self.ledger.settlements.get(person.id, {}).get(label)
        if settled is not None and not self.live:
            return self._stored(person, settled)
        plan = self.plans[person.id]
        target = self.targets.get(person.id)
        pricing = price(self.items[plan.basis].get(person.id, []), plan, target)
        comp = self.compliance.get(person.id)
        comp_line, factor = compliance_line(pricing.gross, plan, comp, label)
        lines = list(pricing.lines) + [comp_line]
        penalties = self._penalty_lines(person, plan)
        adjustments = self._adjustment_lines(person)
        corrections = self._correction_lines(person)
        lines += penalties + adjustments + corrections
        net = sum((x.amount for x in lines), NIL)
        row = {
            "id": person.id, "handle": person.handle, "name": person.name, "plan": plan.name,
            "base": pricing.base, "target": target, "attainment": fmt_rate(pricing.attainment),
            "tier": render_stored(pricing.tier), "gross": pricing.gross, "factor": fmt_rate(factor),
            "compliance": comp_line.amount,
            "penalties": sum((x.amount for x in penalties), NIL),
            "adjustments": sum((x.amount for x in adjustments + corrections), NIL),
            "net": net, "status": "open",
        }
        summary = dict(row, tier=pricing.tier)  # stored as its key and parameters
        summary.update({
            "plan_snapshot": plan.to_dict(), "factor": fmt_rate(factor),
            "items": {x.source: fmt(x.amount) for x in self.items[plan.basis].get(person.id, [])},
            "overrides": pricing.overrides,
        })
        return Statement(person, label, plan.name, lines, net, row, summary=summary)

    def _stored(self, person: Staff, settled: CommissionSettlement) -> Statement:
        summary = json.loads(settled.summary)
        lines = [Line(x.kind, x.source, x.base, x.rate, x.amount, x.rule, x.note)
                 for x in self.ledger.lines.get(settled.id, [])]
        row = {k: summary.get(k) for k in ROW_KEYS}
        row.update({"id": person.id, "handle": person.handle, "name": person.name, "status": "settled",
                    "tier": render_stored(row.get("tier"))})
        for key in MONEY_KEYS:
            if row.get(key) is not None:
                row[key] = Decimal(row[key])
        return Statement(person, settled.month, summary.get("plan", ""), lines, settled.net, row, settled=True,
                         settled_at=settled.settled_at, settled_by=self.ledger.settled_by.get(settled.id),
                         summary=summary)

    def _penalty_lines(self, person: Staff, plan: Plan) -> list[Line]:
        label = self.month.label
        settled = self.ledger.settled_months(person.id)
        charged = {x.source for x in self._stored_lines(person, ("penalty",))}
        out = []
        for sale_id, name, region, industry, sale_amount, occurred, share in sorted(
                self.penalties.get(person.id, []), key=lambda r: (r[5], r[0])):
            source = f"missed_sale:{sale_id}"
            if source in charged:
                continue
            due = penalty_month(occurred, plan.year_end_month)
            if due > label or (due < label and not lands_in(due, label, settled)):
                continue
            rule = stored_text("commission.rule.penalty" if due == label else "commission.rule.penalty_late", due=due)
            note = stored_text("commission.note.penalty", day=occurred.isoformat(), name=name, region=region,
                               industry=industry, amount=fmt(sale_amount))
            out.append(Line("penalty", source, share, Decimal("-1"), cents(-share), rule, note))
        return out

    def _stored_lines(self, person: Staff, kinds: tuple[str, ...]) -> list[CommissionLine]:
        """Lines of the person's settled statements (this month's own left out when recomputing it live)."""
        lines = self.ledger.stored(person.id, kinds)
        own = self.ledger.settlements.get(person.id, {}).get(self.month.label)
        if own is not None:
            lines = [x for x in lines if x.settlement_id != own.id]
        return lines

    def _adjustment_lines(self, person: Staff) -> list[Line]:
        out = []
        for adj, by in self.adjustments.get(person.id, []):
            rule = stored_text("commission.rule.adjustment_by", by=by) if by else stored_text("commission.rule.adjustment")
            out.append(Line("adjustment", f"adjustment:{adj.id}", adj.amount, ONE, cents(adj.amount), rule,
                            adj.reason))
        return out

    def _correction_lines(self, person: Staff) -> list[Line]:
        out = []
        prior = self._stored_lines(person, ("correction",))
        for origin in sorted(self.runs.get(person.id, [])):
            settled = self.ledger.settlements[person.id][origin]
            summary = json.loads(settled.summary)
            plan = Plan.from_dict(summary["plan_snapshot"])
            target = Decimal(summary["target"]) if summary.get("target") is not None else None
            factor = Decimal(summary["factor"])
            items = [x for x in self.run_items.get(plan.basis, {}).get(person.id, [])
                     if month_label(x.day) == origin]
            pricing = price(items, plan, target, fixed=summary.get("overrides", {}))
            compliance = cents(pricing.gross * (factor - ONE))
            source = f"settled:{origin}"
            done = [x for x in prior if x.source == source]
            done_amount = sum((x.amount for x in done), NIL)
            done_base = sum((x.base or ZERO for x in done), NIL)
            settled_value = Decimal(summary["gross"]) + Decimal(summary["compliance"])
            delta = pricing.gross + compliance - settled_value - done_amount
            delta_base = pricing.base - Decimal(summary["base"]) - done_base
            if delta == 0 and delta_base == 0:
                continue
            before = summary.get("items", {})
            now = {x.source: x for x in items}
            changes = []
            for src, item in sorted(now.items(), key=lambda kv: kv[1].order):
                if src not in before:
                    late = item.recorded_at is not None and item.recorded_at > settled.settled_at
                    changes.append(stored_text("commission.change.late" if late else "commission.change.added",
                                               source=src, day=item.day.isoformat(), amount=fmt(item.amount)))
                elif Decimal(before[src]) != item.amount:
                    changes.append(stored_text("commission.change.changed", source=src, before=before[src],
                                               after=fmt(item.amount)))
            for src, amount in before.items():
                if src not in now:
                    changes.append(stored_text("commission.change.removed", source=src, amount=amount))
            numbers = dict(origin=origin, factor=fmt_rate(factor), gross=fmt(pricing.gross), compliance=fmt(compliance),
                           settled=fmt(settled_value))
            rule = stored_text("commission.rule.correction_before", before=fmt(done_amount), **numbers) if done else \
                stored_text("commission.rule.correction", **numbers)
            out.append(Line("correction", source, delta_base, None, delta, rule, _joined(changes)))
        return out


def _joined(changes: list[str]) -> str | None:
    """The changes of a correction as one stored text (nested: `first; rest`)."""
    if not changes:
        return None
    text = changes[-1]
    for change in reversed(changes[:-1]):
        text = stored_text("text.joined", first=change, rest=text)
    return text


ROW_KEYS = ("id", "handle", "name", "plan", "base", "target", "attainment", "tier", "gross", "factor",
            "compliance", "penalties", "adjustments", "net", "status")
MONEY_KEYS = ("base", "target", "gross", "compliance", "penalties", "adjustments", "net")


def aliased_staff():
    from sqlalchemy.orm import aliased

    return aliased(Staff)


# --------------------------------------------------------------------------- who is in a calculation
def _scope(ctx: "Ctx", **flags):
    from salesctl.permissions import pay_scope

    return pay_scope(ctx, **flags)


def staff_in_scope(ctx: "Ctx", scope, month: Period, book: PlanBook) -> list[Staff]:
    """Active reps in the scope, plus anyone in it with commission activity in the month."""
    from salesctl.permissions import scope_clause

    session = ctx.session
    stmt = select(Staff)
    clause = scope_clause(scope, Staff.id)
    if clause is not None:
        stmt = stmt.where(clause)
    everyone = {s.id: s for s in session.execute(stmt.order_by(Staff.id)).scalars()}
    ids = list(everyone)
    chosen = {sid for sid, s in everyone.items() if s.role == "rep" and s.active}
    if not ids:
        return []
    active = set()
    active.update(session.execute(
        select(Deal.owner_id).join(Payment, Payment.deal_id == Deal.id)
        .where(Deal.owner_id.in_(ids), Payment.paid_on >= month.start, Payment.paid_on <= month.end)
        .distinct()).scalars())
    active.update(session.execute(
        select(Deal.owner_id).where(Deal.owner_id.in_(ids), Deal.status == "won", Deal.won_on >= month.start,
                                    Deal.won_on <= month.end).distinct()).scalars())
    active.update(session.execute(
        select(CommissionAdjustment.staff_id).where(CommissionAdjustment.staff_id.in_(ids),
                                                    CommissionAdjustment.month == month.label).distinct()).scalars())
    active.update(session.execute(
        select(CommissionSettlement.staff_id).where(CommissionSettlement.staff_id.in_(ids),
                                                    CommissionSettlement.month == month.label).distinct()).scalars())
    chosen |= active
    if scope.label.startswith("rep:") and scope.root is not None:
        chosen = {scope.root.id}
    return [everyone[sid] for sid in sorted(chosen, key=lambda i: (everyone[i].handle,))]


def parse_month(text: str | None, today: date, field: str = "month") -> Period:
    return parse_period(text, "month", today, field)


