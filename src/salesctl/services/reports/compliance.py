"""Daily-report compliance per rep over a date range: due, submitted, late, missing.

Shared by `report missing`, `summary`, `commission` (compliance factor) and `eval`.
A workday is due from a rep on or after their start date (`owed_from`) and not on
approved leave (pending, rejected and cancelled leave excuse nothing); a
report counts when submitted (or reviewed); it is late when submitted after its
deadline; a due day with no submitted report is missing once its deadline has
passed, and pending before that. A fixed number of queries, whatever the scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, select

from salesctl.models import Leave, Report, Staff
from salesctl.periods import Clock
from salesctl.workdays import WorkCalendar


def owed_from(start_date: date | None, created_at, tz) -> date | None:
    """The first day a person owes reports: their start date; for staff added before start
    dates existed, the day after they were entered (the day of entry never counts)."""
    if start_date is not None:
        return start_date
    if created_at is not None:
        return created_at.astimezone(tz).date() + timedelta(days=1)
    return None


@dataclass
class Compliance:
    due: int = 0
    submitted: int = 0  # of due days, submitted on time or late
    late: int = 0
    missing: int = 0  # deadline passed, nothing submitted
    pending: int = 0  # deadline not yet passed, nothing submitted
    missing_days: list[date] = field(default_factory=list)
    late_days: list[date] = field(default_factory=list)


def daily_compliance(session, staff_filter, first: date, last: date, clock: Clock,
                     calendar: WorkCalendar | None = None) -> dict[int, Compliance]:
    """staff_filter: a WHERE clause on Staff (e.g. Staff.id.in_(subquery)), or None for every rep."""
    calendar = calendar or WorkCalendar()
    last = min(last, clock.today)
    result: dict[int, Compliance] = {}
    if last < first:
        return result
    stmt = select(Staff.id, Staff.created_at, Staff.start_date).where(Staff.role == "rep", Staff.active)
    if staff_filter is not None:
        stmt = stmt.where(staff_filter)
    reps = {rid: owed_from(start, created, clock.tz) or first for rid, created, start in session.execute(stmt)}
    if not reps:
        return result
    workdays = calendar.workdays(first, last)
    leave: dict[int, set[date]] = {}
    leave_stmt = select(Leave.staff_id, Leave.start, Leave.end).where(
        Leave.staff_id.in_(list(reps)), Leave.start <= last, Leave.end >= first, Leave.status == "approved"
    )
    for sid, start, end in session.execute(leave_stmt):
        d = max(start, first)
        while d <= min(end, last):
            leave.setdefault(sid, set()).add(d)
            d += timedelta(days=1)
    filed: dict[tuple[int, date], bool] = {}
    report_stmt = select(Report.rep_id, Report.period_start, Report.late).where(
        and_(Report.kind == "daily", Report.status.in_(("submitted", "reviewed")),
             Report.period_start >= first, Report.period_start <= last, Report.rep_id.in_(list(reps)))
    )
    for rid, day, late in session.execute(report_stmt):
        filed[(rid, day)] = bool(late)
    now = clock.now
    for rid, created in reps.items():
        c = Compliance()
        for day in workdays:
            if day < created or day in leave.get(rid, ()):
                continue
            c.due += 1
            if (rid, day) in filed:
                c.submitted += 1
                if filed[(rid, day)]:
                    c.late += 1
                    c.late_days.append(day)
            elif calendar.daily_deadline(day, clock.tz) <= now:
                c.missing += 1
                c.missing_days.append(day)
            else:
                c.pending += 1
        result[rid] = c
    return result
