"""Commission (SPEC 1.7): the plan TOML, monthly calculation, statements, settlement, adjustments, what-if.

A month's statement is a list of lines, each `amount = base × rate` rounded once
(half-up to cents), so a rep can recompute every line by hand; the net is the
exact sum of the lines. Kinds of lines:

- `commission`  one per payment collected in the month (or deal won, by the
                plan's basis); a payment crossing a marginal tier limit is
                split into one line per tier;
- `compliance`  gross × (factor − 1), the daily-report compliance factor;
- `penalty`     missed-sale shares, in the year-end month;
- `adjustment`  manual adjustments (`commission adjust`);
- `correction`  a settled month recomputed with its settled plan, target and
                factor but today's payments, minus what was settled and
                corrected before: payments recorded, changed or removed after
                settlement land in the rep's next open month (the first month
                after it that is not settled), never as edits.

A settled month is stored (CommissionSettlement + CommissionLine) and shown
from storage, unchanged. Every query is over the whole scope at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import scope_text, t
from salesctl.models import CommissionAdjustment, CommissionLine, CommissionSettlement
from salesctl.money import fmt, parse_money, quantize
from salesctl.periods import Period
from salesctl.services.pay.plans import NIL, PlanBook, current_book, fmt_rate, load_plan_file
from salesctl.services.pay.pricing import Statement, next_month
from salesctl.services.pay.calculator import Calculator, _scope, parse_month, staff_in_scope

if TYPE_CHECKING:
    from salesctl.services.context import Ctx


# --------------------------------------------------------------------------- commands' services
@dataclass
class CalcResult:
    month: str
    scope: str
    rows: list[dict]
    totals: dict

    def as_dict(self) -> dict:
        return {"month": self.month, "scope": self.scope, "rows": self.rows, "totals": self.totals}


def _totals(rows: list[dict], keys=("base", "gross", "compliance", "penalties", "adjustments", "net")) -> dict:
    return {k: sum((r[k] for r in rows if r.get(k) is not None), NIL) for k in keys}


def calc(ctx: "Ctx", month_text: str | None, *, mine=False, team=False, manager=None, rep=None, all_=False,
         book: PlanBook | None = None) -> CalcResult:
    month = parse_month(month_text, ctx.today)
    scope = _scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    book = book or current_book()
    people = staff_in_scope(ctx, scope, month, book)
    calculator = Calculator(ctx, book, month, people)
    rows = [calculator.statement(p).row for p in people]
    return CalcResult(month.label, scope.label, rows, _totals(rows))


def statement(ctx: "Ctx", handle: str | None, month_text: str | None) -> Statement:
    from salesctl.permissions import require_see_pay
    from salesctl.directory import find_staff

    month = parse_month(month_text, ctx.today)
    person = find_staff(ctx.session, handle, "handle") if handle else ctx.actor
    require_see_pay(ctx, person, t("commission.what.statement_of", handle=person.handle))
    calculator = Calculator(ctx, current_book(), month, [person])
    return calculator.statement(person)


def _check_month_started(month: Period, today: date) -> None:
    if month.start > today:
        raise InvalidInput(t("commission.err.month_not_started", month=month.label))


def settle(ctx: "Ctx", month_text: str | None, *, team=False, manager=None, rep=None, all_=False,
           dry_run: bool = False) -> list[Statement]:
    """Lock the month for every rep in the scope the actor manages: store their lines and net."""
    from salesctl.permissions import managed_staff_ids

    if not month_text:
        raise InvalidInput(t("commission.err.settle_month_required"))
    month = parse_month(month_text, ctx.today)
    _check_month_started(month, ctx.today)
    actor = ctx.actor
    if actor.role not in ("manager", "regional_manager", "director", "gm"):
        raise PermissionDenied(t("err.denied", what=t("commission.what.settle")))
    scope = _scope(ctx, team=team, manager=manager, rep=rep, all_=all_)
    book = current_book()
    people = staff_in_scope(ctx, scope, month, book)
    managed = managed_staff_ids(ctx)
    if managed is not None:
        allowed = set(ctx.session.execute(select(managed.c.id)).scalars())
        if rep and people and people[0].id not in allowed:
            raise PermissionDenied(t("err.denied", what=t("commission.what.settle_for", handle=people[0].handle)))
        people = [p for p in people if p.id in allowed]
    if not people:
        raise NotFound(t("commission.err.nobody_to_settle", month=month.label, scope=scope_text(scope.label)))
    calculator = Calculator(ctx, book, month, people)
    statements = [calculator.statement(p) for p in people]
    done = [s for s in statements if s.settled]
    if done:
        names = ", ".join(t("commission.err.settled_by", handle=s.staff.handle, by=s.settled_by) for s in done[:10])
        raise Conflict(t("commission.err.already_settled", month=month.label, names=names))
    if dry_run:
        return statements
    for st in statements:
        record = CommissionSettlement(staff_id=st.staff.id, month=month.label, net=st.net,
                                      summary=json.dumps(_jsonable(st.summary), ensure_ascii=False),
                                      settled_by_id=actor.id, settled_at=ctx.now)
        ctx.session.add(record)
        ctx.session.flush()
        for seq, line in enumerate(st.lines, start=1):
            ctx.session.add(CommissionLine(settlement_id=record.id, seq=seq, kind=line.kind, source=line.source,
                                           base=line.base, rate=fmt_rate(line.rate) if isinstance(line.rate, Decimal) else line.rate,
                                           amount=line.amount, rule=_rule_column(line.rule), note=line.note))
        ctx.audit("commission.settle", "commission_settlement", record.id, None,
                  {"handle": st.staff.handle, "month": month.label, "net": st.net, "lines": len(st.lines)})
        st.settled = True
        st.settled_at = ctx.now
        st.settled_by = actor.handle
        st.row["status"] = "settled"
    ctx.session.flush()
    return statements


def _jsonable(value):
    if isinstance(value, Decimal):
        return fmt(value) if value == quantize(value) else fmt_rate(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def adjust(ctx: "Ctx", handle: str, month_text: str | None, amount_text: str | None, reason: str | None) -> CommissionAdjustment:
    from salesctl.permissions import require_manager_of
    from salesctl.directory import find_staff

    if not month_text:
        raise InvalidInput(t("commission.err.adjust_month_required"))
    if amount_text is None:
        raise InvalidInput(t("commission.err.adjust_amount_required"))
    if not (reason or "").strip():
        raise InvalidInput(t("commission.err.adjust_reason_required"))
    month = parse_month(month_text, ctx.today)
    amount = parse_money(amount_text, "amount")
    if amount == 0:
        raise InvalidInput(t("commission.err.adjust_zero"))
    person = find_staff(ctx.session, handle, "handle")
    require_manager_of(ctx, person, t("commission.what.adjustments_for", handle=person.handle))
    settled = ctx.session.execute(select(CommissionSettlement.id).where(
        CommissionSettlement.staff_id == person.id, CommissionSettlement.month == month.label)).first()
    if settled is not None:
        months = set(ctx.session.execute(select(CommissionSettlement.month).where(
            CommissionSettlement.staff_id == person.id, CommissionSettlement.month > month.label)).scalars())
        nxt = next_month(month.label)
        while nxt in months:
            nxt = next_month(nxt)
        raise Conflict(t("commission.err.adjust_settled", month=month.label, handle=person.handle, next=nxt))
    record = CommissionAdjustment(staff_id=person.id, month=month.label, amount=amount, reason=reason.strip(),
                                  by_id=ctx.actor.id, at=ctx.now)
    ctx.session.add(record)
    ctx.session.flush()
    ctx.audit("commission.adjust", "commission_adjustment", record.id, None, record)
    return record


@dataclass
class WhatIf:
    month: str
    scope: str
    plan_file: str
    rows: list[dict]
    totals: dict

    def as_dict(self) -> dict:
        return {"month": self.month, "scope": self.scope, "plan_file": self.plan_file, "rows": self.rows,
                "totals": self.totals}


def whatif(ctx: "Ctx", plan_file: str | None, month_text: str | None, *, mine=False, team=False, manager=None,
           rep=None, all_=False) -> WhatIf:
    """The month as it stands (settled figures where settled) beside the same month under another plan."""
    if not plan_file:
        raise InvalidInput(t("commission.err.whatif_plan_required"))
    other = load_plan_file(plan_file, "plan")
    month = parse_month(month_text, ctx.today)
    scope = _scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    book = current_book()
    people = staff_in_scope(ctx, scope, month, book)
    now = Calculator(ctx, book, month, people)
    then = Calculator(ctx, other, month, people, live=True)
    rows = []
    for person in people:
        a = now.statement(person)
        b = then.statement(person)
        rows.append({
            "id": person.id, "handle": person.handle, "name": person.name,
            "plan": a.plan, "whatif_plan": b.plan, "status": "settled" if a.settled else "open",
            "gross": a.row["gross"], "whatif_gross": b.row["gross"],
            "net": a.net, "whatif_net": b.net, "difference": b.net - a.net,
        })
    totals = _totals(rows, ("gross", "whatif_gross", "net", "whatif_net", "difference"))
    return WhatIf(month.label, scope.label, str(Path(plan_file)), rows, totals)


def _rule_column(rule: str | None) -> str | None:
    """A line's rule as its 200-character column holds it: the key and parameters, or (a very long
    product name) the text itself, cut."""
    from salesctl.messages import render_stored

    if rule is None or len(rule) <= 200:
        return rule
    return render_stored(rule)[:200]
