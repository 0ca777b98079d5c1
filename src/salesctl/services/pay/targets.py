"""Sales targets (`target set/list`): a person's target for a month, a quarter or a year.

A rep's target is personal; a manager's (or regional manager's) target is their
team's. Targets are set by a manager above the person, or by the director/gm;
setting a period again replaces the amount (audited before/after).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from sqlalchemy import extract, func, select

from salesctl.errors import InvalidInput
from salesctl.messages import t
from salesctl.models import MANAGER_ROLES, Deal, Payment, Staff, Target
from salesctl.money import parse_money
from salesctl.periods import Period, parse_period

if TYPE_CHECKING:
    from salesctl.services.context import Ctx

ZERO = Decimal("0.00")


def target_period(month: str | None, quarter: str | None, today: date, *, required: bool,
                  year: str | None = None) -> Period | None:
    if month and quarter:
        raise InvalidInput(t("target.err.month_and_quarter"))
    if year and (month or quarter):
        raise InvalidInput(t("handbook.err.one_target_period"))
    if month:
        return parse_period(month, "month", today)
    if quarter:
        return parse_period(quarter, "quarter", today)
    if year:  # annual targets (issue 16)
        return parse_period(year, "year", today)
    if required:
        raise InvalidInput(t("target.err.period_required"))
    return None


def set_target(ctx: "Ctx", handle: str | None, *, month: str | None, quarter: str | None,
               amount: str | None, year: str | None = None, department: bool = False) -> tuple[Target, bool]:
    """Create or replace a target; returns (target, created).

    `department`: the director's target for the whole department (the sum of the teams), set by
    the director or the gm."""
    from salesctl.errors import PermissionDenied
    from salesctl.permissions import require_manager_of
    from salesctl.directory import find_staff

    period = target_period(month, quarter, ctx.today, required=True, year=year)
    if amount is None:
        raise InvalidInput(t("target.err.amount_required"))
    value = parse_money(amount, "amount")
    if value <= 0:
        raise InvalidInput(t("target.err.amount_not_positive", value=amount))
    if department:
        person = find_staff(ctx.session, handle, "handle") if handle else ctx.actor
        if person.role != "director":
            raise InvalidInput(t("handbook.err.department_director", handle=person.handle, role=person.role))
        if not (ctx.actor.id == person.id or ctx.actor.role == "gm"):
            raise PermissionDenied(t("err.denied", what=t("target.what.targets_of", handle=person.handle)))
    else:
        if not handle:
            raise InvalidInput(t("err.required", fields="HANDLE (or --department)"))
        person = find_staff(ctx.session, handle, "handle")
        require_manager_of(ctx, person, t("target.what.targets_of", handle=person.handle))
        if person.role != "rep" and person.role not in MANAGER_ROLES:
            raise InvalidInput(t("target.err.wrong_role", handle=person.handle, role=person.role))
    existing = ctx.session.execute(
        select(Target).where(Target.staff_id == person.id, Target.period == period.label)).scalars().first()
    if existing is not None:
        before = {c.key: getattr(existing, c.key) for c in Target.__table__.columns}
        existing.amount = value
        existing.team = person.role in MANAGER_ROLES or department
        existing.set_by_id = ctx.actor.id
        existing.set_at = ctx.now
        ctx.session.add(existing)
        ctx.session.flush()
        ctx.audit("target.set", "target", existing.id, before, existing)
        return existing, False
    record = Target(staff_id=person.id, team=person.role in MANAGER_ROLES or department, period=period.label, amount=value,
                    set_by_id=ctx.actor.id, set_at=ctx.now)
    ctx.session.add(record)
    ctx.session.flush()
    ctx.audit("target.set", "target", record.id, None, record)
    return record, True


def _months_of(label: str) -> list[tuple[int, int]]:
    year = int(label[:4])
    if len(label) == 4:  # a year
        return [(year, m) for m in range(1, 13)]
    if "Q" in label:
        q = int(label[-1])
        return [(year, 3 * (q - 1) + m) for m in (1, 2, 3)]
    return [(year, int(label[5:7]))]


def _descendants(parents: dict[int, int | None]) -> dict[int, set[int]]:
    """Everyone below each person (the team, without the person)."""
    children: dict[int, list[int]] = {}
    for sid, boss in parents.items():
        if boss is not None:
            children.setdefault(boss, []).append(sid)
    out: dict[int, set[int]] = {}

    def walk(root: int) -> set[int]:
        if root in out:
            return out[root]
        found: set[int] = set()
        stack = list(children.get(root, ()))
        while stack:
            current = stack.pop()
            if current in found:
                continue
            found.add(current)
            stack.extend(children.get(current, ()))
        out[root] = found
        return found

    for sid in parents:
        walk(sid)
    return out


def target_rows(ctx: "Ctx", *, month: str | None = None, quarter: str | None = None, mine=False, team=False,
                manager=None, rep=None, all_=False, year: str | None = None) -> list[dict]:
    """Targets in the scope, with what was collected against them (payments on deals owned; a team's for teams,
    the sum of every team for the director's department target)."""
    from salesctl.permissions import pay_scope, scope_clause

    period = target_period(month, quarter, ctx.today, required=False, year=year)
    scope = pay_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    session = ctx.session
    setter = _aliased()
    stmt = (select(Target, Staff.handle, Staff.name, setter.handle)
            .join(Staff, Staff.id == Target.staff_id)
            .outerjoin(setter, setter.id == Target.set_by_id))
    clause = scope_clause(scope, Target.staff_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if period is not None:
        stmt = stmt.where(Target.period == period.label)
    found = list(session.execute(stmt.order_by(Target.period.desc(), Staff.handle)))
    if not found:
        return []
    months = sorted({ym for target, *_ in found for ym in _months_of(target.period)})
    first = date(months[0][0], months[0][1], 1)
    last_year, last_month = months[-1]
    last = date(last_year + (last_month == 12), (last_month % 12) + 1, 1)
    year_col = extract("year", Payment.paid_on)
    month_col = extract("month", Payment.paid_on)
    collected: dict[tuple[int, int, int], Decimal] = {}
    for owner, year, mon, total in session.execute(
            select(Deal.owner_id, year_col, month_col, func.sum(Payment.amount))
            .join(Deal, Deal.id == Payment.deal_id)
            .where(Payment.paid_on >= first, Payment.paid_on < last)
            .group_by(Deal.owner_id, year_col, month_col)):
        collected[(owner, int(year), int(mon))] = total or ZERO
    needs_team = any(target.team for target, *_ in found)
    teams: dict[int, set[int]] = {}
    if needs_team:
        parents = dict(session.execute(select(Staff.id, Staff.manager_id)).all())
        teams = _descendants(parents)
    rows = []
    for target, handle, name, set_by in found:
        members = ({target.staff_id} | teams.get(target.staff_id, set())) if target.team else {target.staff_id}
        actual = sum((collected.get((sid, y, m), ZERO) for sid in members for y, m in _months_of(target.period)), ZERO)
        attainment = (actual / target.amount).quantize(Decimal("0.0001"), ROUND_HALF_UP) if target.amount else None
        rows.append({
            "id": target.id, "handle": handle, "name": name, "period": target.period, "team": target.team,
            "amount": target.amount, "collected": actual,
            "attainment": None if attainment is None else format(attainment.normalize(), "f"),
            "set_by": set_by, "set_at": target.set_at,
        })
    return rows


def _aliased():
    from sqlalchemy.orm import aliased

    return aliased(Staff)
