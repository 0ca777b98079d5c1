"""Team summaries (`summary week|month`): each rep's activity in a period, aggregated in SQL.

One GROUP BY query per family of metrics, keyed by staff id, whatever the number
of reps; the per-rep results (at most a few hundred) are merged here. Visits,
customers and deals are never loaded as rows. Period windows are the period's
local days converted to UTC bounds (timestamps) or compared as dates (won/lost/paid).

Attribution: visits to the visiting rep; new customers to the first reporter;
grade changes, current grade counts, overdue follow-ups, deals and payments to
the customer's (deal's) current owner.
Targets are the rep's personal target for the month (for a week: the month the
week ends in), else a third of the quarter's; attainment is the payments collected
in that month up to the period's end, divided by the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, distinct, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from salesctl.errors import InvalidInput
from salesctl.messages import t
from salesctl.models import (
    GRADES,
    MANAGER_ROLES,
    VISIT_KINDS,
    Customer,
    Deal,
    DealStageChange,
    GradeChange,
    Payment,
    Report,
    Staff,
    Target,
    Visit,
    live_customer,
)
from salesctl.money import quantize
from salesctl.periods import Clock, Period, parse_period, period_containing
from salesctl.permissions import Scope, resolve_scope, scope_clause

if TYPE_CHECKING:
    from salesctl.services.context import Ctx

GROUPINGS = ("region", "industry", "manager")
COUNT_KEYS = (
    "visits", "visits_visit", "visits_call", "visits_email", "visits_event", "customers_contacted",
    "new_customers", "grade_up", "grade_down", "grade_a", "grade_b", "grade_c", "grade_d",
    "deals_advanced", "deals_won", "deals_lost",
)
MONEY_KEYS = ("amount_won", "payments", "target")
TAIL_COUNT_KEYS = ("daily_submitted", "daily_due", "daily_late")
# every key of a row, in the order of the JSON contract
ROW_KEYS = ("handle", "name") + COUNT_KEYS + MONEY_KEYS + ("attainment",) + TAIL_COUNT_KEYS + (
    "weekly_report", "overdue_followups")
NUMERIC_KEYS = COUNT_KEYS + MONEY_KEYS + TAIL_COUNT_KEYS + ("overdue_followups",)
# what happened in the period (grade counts, targets and open follow-ups are standing figures)
ACTIVITY_KEYS = ("visits", "new_customers", "grade_up", "grade_down", "deals_advanced", "deals_won",
                 "deals_lost", "payments", "daily_submitted")
COMPARED_KEYS = ("visits", "customers_contacted", "new_customers", "grade_up", "grade_down", "deals_advanced",
                 "deals_won", "deals_lost", "amount_won", "payments", "daily_submitted", "overdue_followups")
SUBMITTED = ("submitted", "reviewed", "late")
ATTAINMENT_PLACES = Decimal("0.001")
TOP_MOVERS = 5


@dataclass
class Summary:
    """A summary as plain data: the same object feeds table, JSON, CSV and markdown."""

    period: Period
    scope: Scope
    rows: list[dict]
    totals: dict
    group: str | None = None  # region | industry | manager, or None for one row per person
    report_kind: str = "weekly"  # the period's own report: weekly or monthly
    previous: "Summary | None" = None
    department: dict | None = None  # month over the whole department: the director's target (reports.department)

    @property
    def has_activity(self) -> bool:
        return any(self.totals.get(k) for k in ACTIVITY_KEYS) or any(
            r.get("weekly_report") in SUBMITTED for r in self.rows if self.group is None)

    def to_json(self, *, with_previous: bool = False) -> dict:
        doc = {"period": self.period.label, "scope": self.scope.label,
               "rows": [public_row(r) for r in self.rows], "totals": public_row(self.totals)}
        if self.department is not None:
            doc["department"] = self.department
        if with_previous and self.previous is not None:
            doc["previous"] = {"period": self.previous.period.label,
                               "rows": [public_row(r) for r in self.previous.rows],
                               "totals": public_row(self.previous.totals)}
        return doc

    def row_key(self, row: dict):
        return row[self.group] if self.group else row["handle"]

    def changes(self) -> tuple[dict, dict]:
        """Change against the previous period: ({row key: {key: delta}}, {key: delta} for totals)."""
        if self.previous is None:
            return {}, {}
        before = {self.previous.row_key(r): r for r in self.previous.rows}
        rows = {self.row_key(r): _deltas(r, before.get(self.row_key(r))) for r in self.rows}
        return rows, _deltas(self.totals, self.previous.totals)


def _deltas(now: dict, before: dict | None) -> dict:
    out = {}
    for key in COMPARED_KEYS:
        old = (before or {}).get(key) or 0
        diff = (now.get(key) or 0) - old
        if diff:
            out[key] = diff
    return out


def public_row(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.startswith("_")}


# --------------------------------------------------------------------------- entry point
def team_summary(ctx: "Ctx", kind: str, period_text: str | None, *, mine: bool = False, team: bool = False,
                 manager: str | None = None, rep: str | None = None, all_: bool = False,
                 by: str | None = None, compare: bool = False) -> Summary:
    """The summary for a week or month over the chosen scope (SPEC section 2 scope flags)."""
    if by is not None and by not in GROUPINGS:
        raise InvalidInput(t("summary.err.bad_grouping", value=by, accepted=", ".join(GROUPINGS)))
    field_name = "week" if kind == "week" else "month"
    period = parse_period(period_text, kind, ctx.today, field_name)
    scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    staff = _staff_map(ctx.session)
    summary = summarise(ctx.session, ctx.clock, period, scope, staff=staff, by=by)
    if compare:
        summary.previous = summarise(ctx.session, ctx.clock, period.previous(), scope, staff=staff, by=by)
    return summary


@dataclass(frozen=True)
class _Person:
    id: int
    handle: str
    name: str
    role: str
    region: str | None
    industry: str | None
    manager_id: int | None
    active: bool
    created_on: date | None


def _staff_map(session) -> dict[int, _Person]:
    """Every staff member (a few hundred rows at most): names, roles and the chain for --by manager."""
    stmt = select(Staff.id, Staff.handle, Staff.name, Staff.role, Staff.region, Staff.industry,
                  Staff.manager_id, Staff.active, Staff.created_at)
    out = {}
    for sid, handle, name, role, region, industry, manager_id, active, created in session.execute(stmt):
        out[sid] = _Person(sid, handle, name, role, region, industry, manager_id, bool(active),
                           created.date() if created else None)
    return out


def summarise(session, clock: Clock, period: Period, scope: Scope, *, staff: dict[int, _Person] | None = None,
              by: str | None = None) -> Summary:
    """Compute the summary of one period: a fixed number of aggregate queries, merged per staff id."""
    staff = staff if staff is not None else _staff_map(session)
    if scope.staff_ids is None:
        in_scope = set(staff)
    else:
        in_scope = set(session.execute(select(scope.staff_ids.c.id)).scalars())
    metrics: dict[int, dict] = {}

    def put(sid, key, value):
        if sid is None or sid not in in_scope or not value:
            return
        metrics.setdefault(sid, {})[key] = value

    lo, hi = clock.range_utc(period.start, period.end)

    # visits, by kind, and distinct customers contacted
    kind_sums = [func.sum(case((Visit.kind == k, 1), else_=0)) for k in VISIT_KINDS]
    stmt = _scoped(select(Visit.rep_id, func.count(), *kind_sums, func.count(distinct(Visit.customer_id)))
                   .where(Visit.at >= lo, Visit.at < hi).group_by(Visit.rep_id), scope, Visit.rep_id)
    for sid, total, *rest in session.execute(stmt):
        put(sid, "visits", total)
        for k, n in zip(VISIT_KINDS, rest[:-1]):
            put(sid, f"visits_{k}", int(n or 0))
        put(sid, "customers_contacted", rest[-1])

    # new customers, to the first reporter
    stmt = _scoped(select(Customer.reported_by_id, func.count())
                   .where(Customer.created_at >= lo, Customer.created_at < hi, live_customer())
                   .group_by(Customer.reported_by_id), scope, Customer.reported_by_id)
    for sid, n in session.execute(stmt):
        put(sid, "new_customers", n)

    # grade changes in the period ("up" is toward A, i.e. a smaller letter), by current owner
    up = func.sum(case((GradeChange.to_grade < GradeChange.from_grade, 1), else_=0))
    down = func.sum(case((GradeChange.to_grade > GradeChange.from_grade, 1), else_=0))
    stmt = _scoped(select(Customer.owner_id, up, down)
                   .join(Customer, Customer.id == GradeChange.customer_id)
                   .where(GradeChange.at >= lo, GradeChange.at < hi, GradeChange.from_grade.is_not(None))
                   .group_by(Customer.owner_id), scope, Customer.owner_id)
    for sid, n_up, n_down in session.execute(stmt):
        put(sid, "grade_up", int(n_up or 0))
        put(sid, "grade_down", int(n_down or 0))

    # customers owned now, by grade
    stmt = _scoped(select(Customer.owner_id, Customer.grade, func.count())
                   .where(Customer.owner_id.is_not(None), live_customer())
                   .group_by(Customer.owner_id, Customer.grade), scope, Customer.owner_id)
    for sid, grade, n in session.execute(stmt):
        if grade in GRADES:
            put(sid, f"grade_{grade.lower()}", n)

    # deals moved to a later stage in the period (each deal once)
    stmt = _scoped(select(Deal.owner_id, func.count(distinct(DealStageChange.deal_id)))
                   .join(Deal, Deal.id == DealStageChange.deal_id)
                   .where(DealStageChange.at >= lo, DealStageChange.at < hi,
                          DealStageChange.from_stage.is_not(None),
                          DealStageChange.to_stage > DealStageChange.from_stage)
                   .group_by(Deal.owner_id), scope, Deal.owner_id)
    for sid, n in session.execute(stmt):
        put(sid, "deals_advanced", n)

    stmt = _scoped(select(Deal.owner_id, func.count(), func.sum(Deal.amount))
                   .where(Deal.won_on >= period.start, Deal.won_on <= period.end)
                   .group_by(Deal.owner_id), scope, Deal.owner_id)
    for sid, n, amount in session.execute(stmt):
        put(sid, "deals_won", n)
        put(sid, "amount_won", amount)

    stmt = _scoped(select(Deal.owner_id, func.count())
                   .where(Deal.lost_on >= period.start, Deal.lost_on <= period.end)
                   .group_by(Deal.owner_id), scope, Deal.owner_id)
    for sid, n in session.execute(stmt):
        put(sid, "deals_lost", n)

    for sid, amount in session.execute(_payments_stmt(scope, period.start, period.end)):
        put(sid, "payments", amount)

    # targets: the month's personal target; attainment on that month's payments to the period's end
    month = period if period.kind == "month" else period_containing("month", period.end)
    quarter = period_containing("quarter", month.start)
    stmt = _scoped(select(Target.staff_id, Target.period, Target.amount)
                   .where(Target.period.in_((month.label, quarter.label)), Target.team == false()),
                   scope, Target.staff_id)
    month_targets: dict[int, Decimal] = {}
    quarter_targets: dict[int, Decimal] = {}
    for sid, label, amount in session.execute(stmt):
        (month_targets if label == month.label else quarter_targets)[sid] = amount
    for sid, amount in quarter_targets.items():  # the month's own target, else a third of the quarter's
        put(sid, "target", month_targets.get(sid, quantize(amount / 3)))
    for sid, amount in month_targets.items():
        put(sid, "target", amount)
    attain_base: dict[int, Decimal] = {}
    if period.kind != "month":
        for sid, amount in session.execute(_payments_stmt(scope, month.start, period.end)):
            attain_base[sid] = amount or Decimal("0")

    # daily reports: due, submitted and late (workday calendar, leave)
    from salesctl.services.reports.compliance import daily_compliance
    from salesctl.workdays import WorkCalendar

    calendar = WorkCalendar()
    staff_filter = scope_clause(scope, Staff.id)
    for sid, c in daily_compliance(session, staff_filter, period.start, period.end, clock, calendar).items():
        put(sid, "daily_submitted", c.submitted)
        put(sid, "daily_due", c.due)
        put(sid, "daily_late", c.late)

    # the period's own report (weekly for a week, monthly for a month)
    report_kind = "weekly" if period.kind == "week" else "monthly"
    stmt = _scoped(select(Report.rep_id, Report.status, Report.late)
                   .where(Report.kind == report_kind, Report.period_start == period.start), scope, Report.rep_id)
    report_status = {sid: _report_word(status, late) for sid, status, late in session.execute(stmt)}

    # overdue follow-ups, as `visit due` lists them: due before the period's end (or today), not
    # marked done, and no later visit to the customer since (up to then); by the customer's owner
    as_of = min(period.end + timedelta(days=1), clock.today)
    until = min(hi, clock.now_utc)
    later = aliased(Visit)
    # "later" is (at, id) after the visit's; written with at >= so the (customer_id, at) index gives a range
    # OFFSET 0 keeps it a correlated subquery, one (customer_id, at) index probe per open
    # follow-up: PostgreSQL would otherwise flatten it into an anti-join and, misjudging how
    # few follow-ups are open (done and due are correlated), hash every visit of the company.
    newer_visit = (select(later.id).where(
        later.customer_id == Visit.customer_id, later.at >= Visit.at, later.at < until,
        or_(later.at > Visit.at, later.id > Visit.id)).offset(0).exists())
    stmt = _scoped(select(Customer.owner_id, func.count()).select_from(Visit)
                   .join(Customer, Customer.id == Visit.customer_id)
                   .where(Visit.follow_up_done == false(), Visit.follow_up < as_of, ~newer_visit)
                   .group_by(Customer.owner_id), scope, Customer.owner_id)
    for sid, n in session.execute(stmt):
        put(sid, "overdue_followups", n)

    # rows: every active rep in scope, and anyone else in scope with figures
    ids = {sid for sid in in_scope if sid in staff and staff[sid].role == "rep" and staff[sid].active}
    ids |= set(metrics)
    if scope.label.startswith("rep:") and scope.root is not None:
        ids.add(scope.root.id)
    if period.kind == "week":
        deadline = calendar.weekly_deadline(period.start, clock.tz)
    else:
        deadline = calendar.monthly_deadline(period.start, clock.tz)
    rows = []
    for sid in sorted(ids, key=lambda i: staff[i].handle if i in staff else str(i)):
        person = staff.get(sid)
        if person is None:
            continue
        row = _row(person, metrics.get(sid, {}), period)
        row["weekly_report"] = _report_status(person, report_status.get(sid), period, deadline, clock)
        base = attain_base.get(sid, Decimal("0")) if period.kind != "month" else row["payments"]
        row["_attain_base"] = base if row["target"] is not None else Decimal("0")
        row["attainment"] = _attainment(row["_attain_base"], row["target"])
        rows.append(row)
    from salesctl.services.reports.department import department_figures

    department = department_figures(session, period, scope, staff, rows)
    if by:
        rows = _group(rows, staff, by)
    totals = _totals(rows)
    return Summary(period=period, scope=scope, rows=rows, totals=totals, group=by, report_kind=report_kind,
                   department=department)


def _scoped(stmt, scope: Scope, column):
    clause = scope_clause(scope, column)
    return stmt if clause is None else stmt.where(clause)


def _payments_stmt(scope: Scope, first: date, last: date):
    return _scoped(select(Deal.owner_id, func.sum(Payment.amount))
                   .join(Deal, Deal.id == Payment.deal_id)
                   .where(Payment.paid_on >= first, Payment.paid_on <= last)
                   .group_by(Deal.owner_id), scope, Deal.owner_id)


def _row(person: _Person, figures: dict, period: Period) -> dict:
    row: dict = {"handle": person.handle, "name": person.name}
    for key in COUNT_KEYS:
        row[key] = int(figures.get(key, 0) or 0)
    row["amount_won"] = quantize(figures.get("amount_won") or Decimal("0"))
    row["payments"] = quantize(figures.get("payments") or Decimal("0"))
    target = figures.get("target")
    row["target"] = quantize(target) if target is not None else None
    row["attainment"] = None
    for key in TAIL_COUNT_KEYS:
        row[key] = int(figures.get(key, 0) or 0)
    row["weekly_report"] = None
    row["overdue_followups"] = int(figures.get("overdue_followups", 0) or 0)
    return row


def _report_word(status: str, late: bool) -> str:
    if status in ("submitted", "reviewed"):
        return "late" if late else status
    return status  # draft


def _report_status(person: _Person, stored: str | None, period: Period, deadline, clock: Clock) -> str | None:
    """submitted | reviewed | late | draft | missing | pending; None for people who owe no report."""
    if stored is not None:
        return stored
    if person.role != "rep" or not person.active:
        return None
    if person.created_on is not None and person.created_on > period.end:
        return None
    return "missing" if deadline <= clock.now else "pending"


def _attainment(base: Decimal, target: Decimal | None) -> str | None:
    if target is None or target <= 0:
        return None
    return str((Decimal(base) / Decimal(target)).quantize(ATTAINMENT_PLACES))


# --------------------------------------------------------------------------- totals and groups
def _sum_rows(rows: list[dict]) -> dict:
    out: dict = {}
    for key in NUMERIC_KEYS:
        if key in MONEY_KEYS:
            values = [r[key] for r in rows if r.get(key) is not None]
            if key == "target":
                out[key] = quantize(sum(values, Decimal("0"))) if values else None
            else:
                out[key] = quantize(sum(values, Decimal("0")))
        else:
            out[key] = sum(int(r.get(key) or 0) for r in rows)
    base = sum((r.get("_attain_base") or Decimal("0") for r in rows), Decimal("0"))
    out["_attain_base"] = base
    out["attainment"] = _attainment(base, out["target"])
    owing = [r for r in rows if r.get("weekly_report") is not None]
    out["_reports_owed"] = sum(r.get("_reports_owed", 1) for r in owing)
    out["_reports_in"] = sum(r.get("_reports_in", 1 if r.get("weekly_report") in SUBMITTED else 0)
                             for r in owing)
    return out


def _totals(rows: list[dict]) -> dict:
    summed = _sum_rows(rows)
    # keep the JSON key order: numeric keys, with attainment after target
    ordered = {k: summed[k] for k in COUNT_KEYS + MONEY_KEYS}
    ordered["attainment"] = summed["attainment"]
    for k in TAIL_COUNT_KEYS + ("overdue_followups",):
        ordered[k] = summed[k]
    for k in ("_attain_base", "_reports_owed", "_reports_in"):
        ordered[k] = summed[k]
    return ordered


def nearest_manager_handle(staff: dict[int, _Person], person: _Person) -> str | None:
    """The nearest manager or regional manager up the chain (SPEC 1.1 'the manager')."""
    seen = {person.id}
    current = person
    while current.manager_id is not None and current.manager_id not in seen:
        boss = staff.get(current.manager_id)
        if boss is None:
            return None
        if boss.role in MANAGER_ROLES:
            return boss.handle
        seen.add(boss.id)
        current = boss
    return None


def _group(rows: list[dict], staff: dict[int, _Person], by: str) -> list[dict]:
    by_handle = {p.handle: p for p in staff.values()}
    groups: dict[str | None, list[dict]] = {}
    for row in rows:
        person = by_handle[row["handle"]]
        if by == "manager":
            key = nearest_manager_handle(staff, person)
        else:
            key = getattr(person, by)
        groups.setdefault(key, []).append(row)
    out = []
    for key in sorted(groups, key=lambda k: (k is None, k or "")):
        members = groups[key]
        summed = _sum_rows(members)
        row: dict = {by: key, "reps": len(members)}
        row.update({k: summed[k] for k in COUNT_KEYS + MONEY_KEYS})
        row["attainment"] = summed["attainment"]
        row.update({k: summed[k] for k in TAIL_COUNT_KEYS})
        owed, done = summed["_reports_owed"], summed["_reports_in"]
        row["weekly_report"] = f"{done}/{owed}" if owed else None
        row["overdue_followups"] = summed["overdue_followups"]
        row["_attain_base"] = summed["_attain_base"]
        row["_reports_owed"], row["_reports_in"] = owed, done
        out.append(row)
    return out


# --------------------------------------------------------------------------- charts (terminal only)
@dataclass
class Charts:
    grades: dict[str, int]
    stages: list[dict]  # {stage, count, amount}
    upgraded_to_a: list[dict] = field(default_factory=list)  # {customer, owner, from, at}
    deals_won: list[dict] = field(default_factory=list)  # {deal_id, title, customer, owner, amount, won_on}


def charts(ctx: "Ctx", summary: Summary) -> Charts:
    """What is drawn below the table: grade distribution, pipeline by stage, top movers (3 queries)."""
    session, scope, period = ctx.session, summary.scope, summary.period
    grades = {g: int(summary.totals.get(f"grade_{g.lower()}") or 0) for g in GRADES}

    stmt = _scoped(select(Deal.stage, func.count(), func.sum(Deal.amount))
                   .where(Deal.status != "lost").group_by(Deal.stage), scope, Deal.owner_id)
    found = {stage: (n, amount) for stage, n, amount in session.execute(stmt)}
    stages = [{"stage": s, "count": int(found.get(s, (0, None))[0]),
               "amount": quantize(found.get(s, (0, None))[1] or Decimal("0"))} for s in (1, 2, 3, 4, 5)]

    lo, hi = ctx.clock.range_utc(period.start, period.end)
    owner = Staff.__table__.alias("owner")
    stmt = _scoped(select(Customer.name, owner.c.handle, GradeChange.from_grade, GradeChange.at)
                   .join(Customer, Customer.id == GradeChange.customer_id)
                   .outerjoin(owner, owner.c.id == Customer.owner_id)
                   .where(GradeChange.at >= lo, GradeChange.at < hi, GradeChange.to_grade == "A",
                          GradeChange.from_grade.is_not(None), GradeChange.from_grade != "A")
                   .order_by(GradeChange.at.desc(), GradeChange.id.desc()).limit(TOP_MOVERS),
                   scope, Customer.owner_id)
    upgraded = [{"customer": name, "owner": handle, "from": frm, "at": at}
                for name, handle, frm, at in session.execute(stmt)]

    stmt = _scoped(select(Deal.id, Deal.title, Customer.name, owner.c.handle, Deal.amount, Deal.won_on)
                   .join(Customer, Customer.id == Deal.customer_id)
                   .join(owner, owner.c.id == Deal.owner_id)
                   .where(and_(Deal.won_on >= period.start, Deal.won_on <= period.end))
                   .order_by(Deal.amount.desc(), Deal.id).limit(TOP_MOVERS), scope, Deal.owner_id)
    won = [{"deal_id": i, "title": title, "customer": cname, "owner": handle, "amount": quantize(amount),
            "won_on": won_on} for i, title, cname, handle, amount, won_on in session.execute(stmt)]
    return Charts(grades=grades, stages=stages, upgraded_to_a=upgraded, deals_won=won)
