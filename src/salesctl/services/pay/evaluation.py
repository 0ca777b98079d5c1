"""Individual and department evaluation (`salesctl eval`, SPEC 1.7): weighted KPI scores.

KPIs per rep over a month or quarter, each scored 0-100 against the plan file's
[evaluation] goals: attainment (base / target), new customers first reported,
visits logged, daily reports on time, archive completeness. The score is the
weighted mean of the KPIs that can be scored (weights rescaled). A department
row per manager's (and regional manager's) team pools its reps' figures.
Aggregates in SQL: a fixed number of queries whatever the scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, exists, false, func, or_, select, true

from salesctl.errors import InvalidInput
from salesctl.messages import t
from salesctl.models import MANAGER_ROLES, Contact, Customer, Deal, Payment, Staff, Target, Visit, live_customer
from salesctl.money import quantize
from salesctl.periods import Period, parse_period, period_containing

if TYPE_CHECKING:
    from salesctl.services.context import Ctx

ZERO = Decimal("0")
NIL = Decimal("0.00")
HUNDRED = Decimal("100")
TENTH = Decimal("0.1")
KPIS = ("attainment", "new_customers", "visits", "compliance", "archive")


def _ratio(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.quantize(Decimal("0.0001"), ROUND_HALF_UP).normalize(), "f")


def kpi_score(actual, goal) -> Decimal | None:
    """min(actual / goal, 1) × 100, to one decimal; None when there is no goal."""
    if goal is None or goal <= 0 or actual is None:
        return None
    ratio = min(Decimal(actual) / Decimal(goal), Decimal(1))
    return (ratio * HUNDRED).quantize(TENTH, ROUND_HALF_UP)


def weighted(scores: dict[str, Decimal | None], weights: dict[str, Decimal]) -> Decimal | None:
    used = {k: v for k, v in scores.items() if v is not None and weights.get(k, ZERO) > 0}
    total = sum((weights[k] for k in used), ZERO)
    if not total:
        return None
    return (sum((weights[k] * v for k, v in used.items()), ZERO) / total).quantize(TENTH, ROUND_HALF_UP)


def eval_period(month: str | None, quarter: str | None, today: date) -> Period:
    if month and quarter:
        raise InvalidInput(t("eval.err.month_and_quarter"))
    if quarter:
        return parse_period(quarter, "quarter", today)
    return parse_period(month, "month", today)


@dataclass
class Figures:
    base: Decimal = NIL
    target: Decimal | None = None
    new_customers: int = 0
    visits: int = 0
    on_time: int = 0
    due: int = 0  # daily reports whose deadline has passed
    owned: int = 0
    complete: int = 0

    def add(self, other: "Figures") -> None:
        self.base += other.base
        self.new_customers += other.new_customers
        self.visits += other.visits
        self.on_time += other.on_time
        self.due += other.due
        self.owned += other.owned
        self.complete += other.complete


@dataclass
class EvalResult:
    period: str
    scope: str
    weights: dict[str, Decimal]
    rows: list[dict]

    def as_dict(self) -> dict:
        return {"period": self.period, "scope": self.scope,
                "weights": {k: format(v.normalize(), "f") for k, v in self.weights.items()}, "rows": self.rows}


def _targets(session, ids: list[int], period: Period) -> dict[int, Decimal]:
    """A month: its target, else a third of the quarter's. A quarter: its target, else the sum of its months'."""
    if not ids:
        return {}
    quarter = period_containing("quarter", period.start)
    if period.kind == "quarter":
        months = [f"{period.start.year}-{period.start.month + i:02d}" for i in range(3)]
    else:
        months = [period.label]
    rows = session.execute(select(Target.staff_id, Target.period, Target.amount).where(
        Target.staff_id.in_(ids), Target.period.in_(months + [quarter.label])))
    found: dict[int, dict[str, Decimal]] = {}
    for sid, label, amount in rows:
        found.setdefault(sid, {})[label] = amount
    out = {}
    for sid, per in found.items():
        if period.kind == "quarter":
            if quarter.label in per:
                out[sid] = per[quarter.label]
            elif any(m in per for m in months):
                out[sid] = sum((per[m] for m in months if m in per), NIL)
        else:
            if period.label in per:
                out[sid] = per[period.label]
            elif quarter.label in per:
                out[sid] = quantize(per[quarter.label] / 3)
    return out


def evaluate(ctx: "Ctx", *, month: str | None = None, quarter: str | None = None, mine=False, team=False,
             manager=None, rep=None, all_=False) -> EvalResult:
    from salesctl.permissions import pay_scope, scope_clause
    from salesctl.services.pay.plans import current_book
    from salesctl.services.reports.compliance import daily_compliance
    from salesctl.services.pay.targets import _descendants

    period = eval_period(month, quarter, ctx.today)
    scope = pay_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    book = current_book()
    goals = book.evaluation
    session = ctx.session
    months = 3 if period.kind == "quarter" else 1

    everyone = {sid: (handle, name, role, boss, active) for sid, handle, name, role, boss, active in session.execute(
        select(Staff.id, Staff.handle, Staff.name, Staff.role, Staff.manager_id, Staff.active))}
    stmt = select(Staff.id)
    clause = scope_clause(scope, Staff.id)
    if clause is not None:
        stmt = stmt.where(clause)
    visible = set(session.execute(stmt).scalars())
    reps = sorted((sid for sid in visible if everyone[sid][2] == "rep" and everyone[sid][4]),
                  key=lambda s: everyone[s][0])
    teams = _descendants({sid: v[3] for sid, v in everyone.items()})
    departments = []
    if not scope.label.startswith("rep:"):
        departments = sorted((sid for sid in visible if everyone[sid][2] in MANAGER_ROLES
                              and teams.get(sid, set()) & set(reps)), key=lambda s: everyone[s][0])
    figures = {sid: Figures() for sid in reps}
    if reps:
        start_utc, end_utc = ctx.clock.range_utc(period.start, period.end)
        # base: by each rep's plan basis
        staff_rows = {sid: SimpleNamespace(id=sid, handle=everyone[sid][0], role=everyone[sid][2]) for sid in reps}
        bases = {sid: book.plan_for(staff_rows[sid]).basis for sid in reps}
        if "collected" in bases.values():
            for owner, total in session.execute(
                    select(Deal.owner_id, func.sum(Payment.amount)).join(Deal, Deal.id == Payment.deal_id)
                    .where(Deal.owner_id.in_(reps), Payment.paid_on >= period.start, Payment.paid_on <= period.end)
                    .group_by(Deal.owner_id)):
                if bases[owner] == "collected":
                    figures[owner].base = total or NIL
        if "won" in bases.values():
            for owner, total in session.execute(
                    select(Deal.owner_id, func.sum(Deal.amount))
                    .where(Deal.owner_id.in_(reps), Deal.status == "won", Deal.won_on >= period.start,
                           Deal.won_on <= period.end).group_by(Deal.owner_id)):
                if bases[owner] == "won":
                    figures[owner].base = total or NIL
        targets = _targets(session, reps + departments, period)
        for sid in reps:
            figures[sid].target = targets.get(sid)
        for owner, count in session.execute(
                select(Customer.reported_by_id, func.count(Customer.id))
                .where(Customer.reported_by_id.in_(reps), Customer.reported_at >= start_utc,
                       Customer.reported_at < end_utc, live_customer()).group_by(Customer.reported_by_id)):
            figures[owner].new_customers = int(count)
        for owner, count in session.execute(
                select(Visit.rep_id, func.count(Visit.id))
                .where(Visit.rep_id.in_(reps), Visit.at >= start_utc, Visit.at < end_utc).group_by(Visit.rep_id)):
            figures[owner].visits = int(count)
        for sid, comp in daily_compliance(session, Staff.id.in_(reps), period.start, period.end, ctx.clock).items():
            figures[sid].due = comp.due - comp.pending
            figures[sid].on_time = comp.submitted - comp.late
        # archive completeness as of the period's end (or today while it runs)
        as_of = min(period.end, ctx.today)
        cutoff = datetime.combine(as_of - timedelta(days=goals.recent_contact_days), time(0, 0), ctx.clock.tz)
        window_end = ctx.clock.day_bounds_utc(as_of)[1]
        primary = exists().where(
            Contact.customer_id == Customer.id, Contact.is_primary == true(),
            func.coalesce(Contact.name, "") != "", func.coalesce(Contact.title, "") != "",
            func.coalesce(Contact.phone, "") != "")
        recent_visit = exists().where(Visit.customer_id == Customer.id, Visit.at >= cutoff, Visit.at < window_end)
        recent = or_(and_(Customer.last_contact_at >= cutoff, Customer.last_contact_at < window_end), recent_visit)
        complete = and_(Customer.incomplete == false(), func.coalesce(Customer.name, "") != "",
                        func.coalesce(Customer.status, "") != "", primary, recent)
        for owner, owned, done in session.execute(
                select(Customer.owner_id, func.count(Customer.id), func.sum(case((complete, 1), else_=0)))
                .where(Customer.owner_id.in_(reps), live_customer()).group_by(Customer.owner_id)):
            figures[owner].owned = int(owned)
            figures[owner].complete = int(done or 0)
    else:
        targets = {}

    rows = []
    for sid in reps:
        boss = _nearest_manager(everyone, sid)
        rows.append(_row("rep", sid, everyone, figures[sid], goals, months, boss, None))
    for sid in departments:
        pooled = Figures()
        members = [r for r in reps if r in teams.get(sid, set())]
        member_targets = [figures[r].target for r in members if figures[r].target is not None]
        for r in members:
            pooled.add(figures[r])
        pooled.target = targets.get(sid) if targets.get(sid) is not None else (
            sum(member_targets, NIL) if member_targets else None)
        rows.append(_row("department", sid, everyone, pooled, goals, months, everyone[sid][0], len(members)))
    return EvalResult(period.label, scope.label, goals.weights, rows)


def _nearest_manager(everyone: dict, sid: int) -> str | None:
    seen = {sid}
    boss = everyone[sid][3]
    while boss is not None and boss not in seen:
        if everyone[boss][2] in MANAGER_ROLES:
            return everyone[boss][0]
        seen.add(boss)
        boss = everyone[boss][3]
    return None


def _row(kind, sid, everyone, f: Figures, goals, months, manager, reps) -> dict:
    people = reps if reps is not None else 1
    attainment = (f.base / f.target) if f.target else None
    scores = {
        "attainment": kpi_score(f.base, f.target) if f.target else None,
        "new_customers": kpi_score(f.new_customers, goals.new_customers_per_month * months * people),
        "visits": kpi_score(f.visits, goals.visits_per_month * months * people),
        "compliance": kpi_score(f.on_time, f.due) if f.due else None,
        "archive": kpi_score(f.complete, f.owned) if f.owned else None,
    }
    row = {
        "kind": kind, "id": sid, "handle": everyone[sid][0], "name": everyone[sid][1], "manager": manager,
        "reps": reps, "base": f.base, "target": f.target, "attainment": _ratio(attainment),
        "new_customers": f.new_customers, "visits": f.visits,
        "compliance": _ratio(Decimal(f.on_time) / f.due) if f.due else None,
        "archive": _ratio(Decimal(f.complete) / f.owned) if f.owned else None,
    }
    for key in KPIS:
        row[f"{key}_score"] = None if scores[key] is None else format(scores[key], "f")
    total = weighted(scores, goals.weights)
    row["score"] = None if total is None else format(total, "f")
    return row
