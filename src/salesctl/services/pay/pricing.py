"""Pricing a month's items with a plan: lines, brackets, the compliance line, statements, months."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Iterable

from salesctl.messages import render_stored, stored_text
from salesctl.models import Staff
from salesctl.money import fmt, quantize
from salesctl.periods import Period, period_containing
from salesctl.services.pay.plans import NIL, ONE, Plan, cents, fmt_rate, percent

if TYPE_CHECKING:
    from salesctl.services.reports.compliance import Compliance


@dataclass
class Item:
    """Something commission is paid on: a payment collected, or a deal won."""

    source: str  # payment:12 | deal:5
    amount: Decimal
    day: date
    deal_id: int
    deal_title: str
    customer: str
    grade: str | None
    product: str | None
    recorded_at: datetime | None = None

    @property
    def order(self):
        return (self.day, int(self.source.split(":")[1]))


@dataclass
class Line:
    kind: str  # commission | compliance | penalty | adjustment | correction
    source: str | None
    base: Decimal | None
    rate: Decimal | None
    amount: Decimal
    rule: str | None = None
    note: str | None = None

    def as_dict(self, seq: int) -> dict:
        return {"seq": seq, "kind": self.kind, "source": self.source, "base": self.base,
                "rate": self.rate if isinstance(self.rate, str) or self.rate is None else fmt_rate(self.rate),
                "amount": self.amount, "rule": render_stored(self.rule), "note": render_stored(self.note)}


@dataclass
class Pricing:
    lines: list[Line]
    base: Decimal
    target: Decimal | None
    attainment: Decimal | None
    tier: str
    gross: Decimal
    overrides: dict[str, list | None]


def _brackets(plan: Plan, target: Decimal | None):
    if target is not None and target > 0:
        tiers = plan.tiers
        bounds = [quantize(x.start * target) for x in tiers]
        labels = []
        for i, x in enumerate(tiers):
            if i + 1 < len(tiers):
                labels.append(stored_text("commission.tier.of_target", start=percent(x.start),
                                          end=percent(tiers[i + 1].start)))
            else:
                labels.append(stored_text("commission.tier.above_target", start=percent(x.start)))
    else:
        tiers = plan.amount_tiers
        bounds = [x.start for x in tiers]
        labels = []
        for i, x in enumerate(tiers):
            if i + 1 < len(tiers):
                labels.append(f"{fmt(x.start)}–{fmt(tiers[i + 1].start)}")
            else:
                labels.append(f"≥{fmt(x.start)}")
    return tiers, bounds, labels


def _bracket_of(bounds: list[Decimal], value: Decimal) -> int:
    index = 0
    for i, bound in enumerate(bounds):
        if value >= bound:
            index = i
    return index


def _override(item: Item, plan: Plan) -> list | None:
    if item.product and item.product in plan.product_rates:
        return [fmt_rate(plan.product_rates[item.product]), stored_text("commission.override.product", product=item.product)]
    if item.grade and item.grade in plan.grade_rates:
        return [fmt_rate(plan.grade_rates[item.grade]), stored_text("commission.override.grade", grade=item.grade)]
    return None


def price(items: Iterable[Item], plan: Plan, target: Decimal | None, fixed: dict | None = None) -> Pricing:
    """The commission lines of one month's items under a plan (pure; no database)."""
    items = sorted(items, key=lambda x: x.order)
    tiers, bounds, labels = _brackets(plan, target)
    base = sum((x.amount for x in items), NIL)
    reached = _bracket_of(bounds, base)
    attainment = (base / target).quantize(Decimal("0.0001"), ROUND_HALF_UP) if target else None
    overrides: dict[str, list | None] = {}
    lines: list[Line] = []
    cumulative = NIL
    for item in items:
        ov = fixed[item.source] if fixed is not None and item.source in fixed else _override(item, plan)
        overrides[item.source] = ov
        what = stored_text("commission.note.item", day=item.day.isoformat(), customer=item.customer,
                           deal_id=item.deal_id, title=item.deal_title)
        if plan.mode == "whole":
            n = reached
            rate = Decimal(ov[0]) if ov else tiers[n].rate
            rule = stored_text("commission.rule.whole", n=n + 1, label=labels[n], base=fmt(base))
            if ov:
                rule = stored_text("commission.rule.whole_override", override=ov[1], n=n + 1)
            lines.append(Line("commission", item.source, item.amount, rate, cents(item.amount * rate), rule, what))
            continue
        remaining = item.amount
        while True:
            n = _bracket_of(bounds, cumulative)
            upper = bounds[n + 1] if n + 1 < len(bounds) else None
            piece = remaining if (upper is None or remaining <= 0) else min(remaining, upper - cumulative)
            rate = Decimal(ov[0]) if ov else tiers[n].rate
            rule = stored_text("commission.rule.marginal", n=n + 1, label=labels[n])
            if ov:
                rule = stored_text("commission.rule.marginal_override", override=ov[1], n=n + 1)
            note = stored_text("commission.note.slice", item=what, low=fmt(cumulative), high=fmt(cumulative + piece))
            lines.append(Line("commission", item.source, piece, rate, cents(piece * rate), rule, note))
            cumulative += piece
            remaining -= piece
            if remaining <= 0:
                break
    gross = sum((x.amount for x in lines), NIL)
    tier = stored_text("commission.tier.label", n=reached + 1, label=labels[reached], rate=fmt_rate(tiers[reached].rate))
    return Pricing(lines, base, target, attainment, tier, gross, overrides)


def compliance_line(gross: Decimal, plan: Plan, comp: "Compliance | None", month: str) -> tuple[Line, Decimal]:
    missing = comp.missing if comp else 0
    late = comp.late if comp else 0
    raw = ONE - plan.per_missing * missing - plan.per_late * late
    factor = max(plan.floor, raw)
    rate = factor - ONE
    rule = stored_text("commission.rule.compliance", per_missing=fmt_rate(plan.per_missing), missing=missing,
                       per_late=fmt_rate(plan.per_late), late=late, raw=fmt_rate(raw), floor=fmt_rate(plan.floor),
                       factor=fmt_rate(factor))
    notes = []
    if comp and comp.missing_days:
        notes.append(stored_text("commission.note.missing", days=", ".join(d.isoformat() for d in comp.missing_days)))
    if comp and comp.late_days:
        notes.append(stored_text("commission.note.late", days=", ".join(d.isoformat() for d in comp.late_days)))
    note = stored_text("commission.note.both", missing=notes[0], late=notes[1]) if len(notes) == 2 else \
        (notes[0] if notes else None)
    return Line("compliance", f"reports:{month}", gross, rate, cents(gross * rate), rule, note), factor


@dataclass
class Statement:
    staff: Staff
    month: str
    plan: str
    lines: list[Line]
    net: Decimal
    row: dict
    settled: bool = False
    settled_at: datetime | None = None
    settled_by: str | None = None
    summary: dict = field(default_factory=dict)  # stored with a settlement

    def as_dict(self) -> dict:
        return {
            "handle": self.staff.handle,
            "name": self.staff.name,
            "month": self.month,
            "plan": self.plan,
            "status": "settled" if self.settled else "open",
            "settled_at": self.settled_at,
            "settled_by": self.settled_by,
            "lines": [line.as_dict(i + 1) for i, line in enumerate(self.lines)],
            "net": self.net,
        }


# --------------------------------------------------------------------------- months
def month_label(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def next_month(label: str) -> str:
    year, month = int(label[:4]), int(label[5:7])
    return f"{year + (month == 12)}-{(month % 12) + 1:02d}"


def prev_month(label: str) -> str:
    year, month = int(label[:4]), int(label[5:7])
    return f"{year - (month == 1)}-{((month - 2) % 12) + 1:02d}"


def month_period(label: str) -> Period:
    return period_containing("month", date(int(label[:4]), int(label[5:7]), 1))


def lands_in(origin: str, month: str, settled: set[str]) -> bool:
    """Does something belonging to the settled month `origin` land in `month`?

    It lands in the next open month: the first month after `origin` that the rep
    has not settled.
    """
    current = next_month(origin)
    while current < month:
        if current not in settled:
            return False
        current = next_month(current)
    return current == month


def penalty_month(occurred: date, year_end_month: int) -> str:
    """The year-end month that charges a missed sale: the first month ≥ it that is year_end_month."""
    year = occurred.year if occurred.month <= year_end_month else occurred.year + 1
    return f"{year}-{year_end_month:02d}"


