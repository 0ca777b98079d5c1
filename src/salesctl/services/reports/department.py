"""The department target in `summary month --all` (issue 16, item 11): the director's target for the
month (`target set --department`), shown against the sum of the teams' targets and what each team
collected.

The teams are the department's top teams: every manager or regional manager with no manager-level
person above them (a regional manager under a manager is part of that manager's team, so it is not
counted twice). A team's target is its manager's team target for the month, else a third of the
quarter's (as for a rep's); collected is the payments of the people in the team in the month.
Attainment is collected ÷ target, a decimal ratio (shown as a percentage in tables).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select, true

from salesctl.models import MANAGER_ROLES, Target
from salesctl.money import quantize
from salesctl.periods import Period, period_containing

if TYPE_CHECKING:
    from salesctl.permissions import Scope

ATTAINMENT_PLACES = Decimal("0.001")


def _ratio(collected: Decimal, target: Decimal | None) -> str | None:
    if target is None or target <= 0:
        return None
    return str((collected / target).quantize(ATTAINMENT_PLACES))


def applies(scope: "Scope", period: Period) -> bool:
    """Only a month over the whole department (`--all`, or the director's own team)."""
    if period.kind != "month":
        return False
    return scope.label == "all" or (scope.root is not None and scope.root.role == "director")


def department_figures(session, period: Period, scope: "Scope", staff: dict, rows: list[dict]) -> dict | None:
    """{director, target, teams_target, reps_target, payments, attainment, teams: […]}, or None without a
    department target for the month. `staff` is summaries._staff_map; `rows` one per person."""
    if not applies(scope, period):
        return None
    quarter = period_containing("quarter", period.start)
    found: dict[tuple[int, str], Decimal] = {
        (sid, label): amount for sid, label, amount in session.execute(
            select(Target.staff_id, Target.period, Target.amount)
            .where(Target.period.in_((period.label, quarter.label)), Target.team == true()))}

    def target_of(sid: int) -> Decimal | None:
        if (sid, period.label) in found:
            return found[(sid, period.label)]
        if (sid, quarter.label) in found:
            return quantize(found[(sid, quarter.label)] / 3)
        return None

    directors = sorted((p for p in staff.values() if p.role == "director"), key=lambda p: (not p.active, p.id))
    director = next((p for p in directors if target_of(p.id) is not None), None)
    if director is None:
        return None

    def top_team(person) -> int | None:
        """The top team (manager id) a person belongs to: the highest manager-level person in their chain."""
        top, current, seen = None, person, set()
        while current is not None and current.id not in seen:
            seen.add(current.id)
            if current.role in MANAGER_ROLES:
                top = current.id
            current = staff.get(current.manager_id) if current.manager_id is not None else None
        return top

    by_handle = {p.handle: p for p in staff.values()}
    teams: dict[int, dict] = {}
    for person in staff.values():
        if person.role in MANAGER_ROLES and top_team(person) == person.id:
            teams[person.id] = {"manager": person.handle, "target": target_of(person.id), "payments": Decimal("0.00")}
    for row in rows:
        team = top_team(by_handle[row["handle"]]) if row["handle"] in by_handle else None
        if team in teams:
            teams[team]["payments"] = quantize(teams[team]["payments"] + (row.get("payments") or Decimal("0")))
    team_rows = []
    for entry in sorted(teams.values(), key=lambda e: e["manager"]):
        entry["attainment"] = _ratio(entry["payments"], entry["target"])
        team_rows.append(entry)
    target = target_of(director.id)
    payments = quantize(sum((r.get("payments") or Decimal("0") for r in rows), Decimal("0")))
    team_targets = [e["target"] for e in team_rows if e["target"] is not None]
    rep_targets = [r["target"] for r in rows if r.get("target") is not None]
    return {
        "director": director.handle,
        "period": period.label,
        "target": target,
        "teams_target": quantize(sum(team_targets, Decimal("0"))) if team_targets else None,
        "reps_target": quantize(sum(rep_targets, Decimal("0"))) if rep_targets else None,
        "payments": payments,
        "attainment": _ratio(payments, target),
        "teams": team_rows,
    }
