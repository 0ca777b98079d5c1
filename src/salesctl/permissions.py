"""Who may see and change what, from the org chart: the only module that decides it.

- rep: their own records;
- manager / regional_manager: themselves and their team (everyone whose chain of
  managers reaches them);
- assistant: data entry for the team of their manager (the nearest manager or
  regional manager up their chain);
- director / gm: everyone.

Scopes are SQL: `visible_staff_ids(ctx)` is a subquery (or None for "everyone")
that list/show/summary queries put in their WHERE clause, so no command has to
remember the rule. A refusal never says more than "permission denied" and what
was asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import literal, select, union
from sqlalchemy.orm import aliased

from salesctl.errors import InvalidInput, PermissionDenied
from salesctl.messages import t
from salesctl.models import MANAGER_ROLES, Customer, Staff

if TYPE_CHECKING:
    from salesctl.services.context import Ctx

SEES_ALL = ("gm", "director")


def team_cte(root_id: int, *, include_root: bool = True, name: str = "team"):
    """Recursive CTE of staff ids whose chain of managers reaches root_id."""
    base = select(Staff.id.label("id")).where(Staff.manager_id == root_id).cte(name, recursive=True)
    child = aliased(Staff)
    cte = base.union_all(select(child.id).where(child.manager_id == base.c.id))
    if include_root:
        return union(select(cte.c.id), select(literal(root_id).label("id"))).subquery(f"{name}_ids")
    return select(cte.c.id).subquery(f"{name}_ids")


def team_ids(session, root_id: int, *, include_root: bool = True) -> set[int]:
    sub = team_cte(root_id, include_root=include_root)
    return set(session.execute(select(sub.c.id)).scalars())


def chain_above(session, staff: Staff) -> list[Staff]:
    """The staff member's managers, nearest first (the org chart has no cycles)."""
    chain: list[Staff] = []
    seen = {staff.id}
    current = staff
    while current.manager_id is not None and current.manager_id not in seen:
        current = session.get(Staff, current.manager_id)
        if current is None:
            break
        chain.append(current)
        seen.add(current.id)
    return chain


def nearest_manager(session, staff: Staff) -> Staff | None:
    """'The manager' of SPEC 1.1: the nearest manager or regional manager up the chain."""
    for boss in chain_above(session, staff):
        if boss.role in MANAGER_ROLES:
            return boss
    return None


def is_above(session, boss: Staff, staff: Staff) -> bool:
    return any(m.id == boss.id for m in chain_above(session, staff))


def visible_root(ctx: "Ctx") -> int | None:
    """Whose team the actor sees (None: everyone). Reps see only themselves (see visible_staff_ids)."""
    actor = ctx.actor
    if actor.role in SEES_ALL:
        return None
    if actor.role in MANAGER_ROLES:
        return actor.id
    if actor.role == "assistant":
        boss = nearest_manager(ctx.session, actor)
        return boss.id if boss else actor.id
    return actor.id


def visible_staff_ids(ctx: "Ctx"):
    """A subquery of staff ids whose records the actor may see, or None for everyone."""
    actor = ctx.actor
    if actor.role in SEES_ALL:
        return None
    if actor.role == "rep":
        return select(literal(actor.id).label("id")).subquery("self_ids")
    root = visible_root(ctx)
    return team_cte(root, include_root=True, name="visible")


def may_see_staff(ctx: "Ctx", staff: Staff) -> bool:
    actor = ctx.actor
    if actor.role in SEES_ALL or staff.id == actor.id:
        return True
    if actor.role == "rep":
        return False
    root = visible_root(ctx)
    return staff.id == root or is_above(ctx.session, ctx.session.get(Staff, root), staff)


def require_see_staff(ctx: "Ctx", staff: Staff, what: str | None = None) -> None:
    if not may_see_staff(ctx, staff):
        raise PermissionDenied(t("err.denied", what=what or t("err.what.records_of", handle=staff.handle)))


def may_act_for(ctx: "Ctx", staff: Staff) -> bool:
    """May the actor write records on behalf of this staff member (log, file, edit)?

    The person themself, anyone above them, or an assistant of their manager's team.
    """
    return may_see_staff(ctx, staff)


def require_act_for(ctx: "Ctx", staff: Staff, what: str) -> None:
    if not may_act_for(ctx, staff):
        raise PermissionDenied(t("err.denied", what=what))


def is_manager_of(ctx: "Ctx", staff: Staff) -> bool:
    """Manager-level authority over staff: a manager/regional manager above them, or director/gm."""
    actor = ctx.actor
    if actor.role in SEES_ALL:
        return True
    if actor.role not in MANAGER_ROLES:
        return False
    return is_above(ctx.session, actor, staff)


def require_manager_of(ctx: "Ctx", staff: Staff, what: str) -> None:
    if not is_manager_of(ctx, staff):
        raise PermissionDenied(t("err.denied", what=what))


def require_role(ctx: "Ctx", roles: tuple[str, ...], what: str) -> None:
    if ctx.actor.role not in roles:
        raise PermissionDenied(t("err.denied", what=what))


# --------------------------------------------------------------------------- customers
def customer_scope(ctx: "Ctx"):
    """WHERE clause limiting customers to those the actor may see, or None for all."""
    ids = visible_staff_ids(ctx)
    if ids is None:
        return None
    clause = Customer.owner_id.in_(select(ids.c.id))
    if ctx.actor.role != "rep":
        # managers and assistants also see the unowned pool (to assign leads)
        clause = clause | Customer.owner_id.is_(None)
    return clause


def may_see_customer(ctx: "Ctx", customer: Customer) -> bool:
    if ctx.actor.role in SEES_ALL:
        return True
    if customer.owner_id is None:
        return ctx.actor.role != "rep"
    owner = ctx.session.get(Staff, customer.owner_id)
    return owner is not None and may_see_staff(ctx, owner)


def require_see_customer(ctx: "Ctx", customer: Customer) -> None:
    if not may_see_customer(ctx, customer):
        # name only what was asked for: never fields of the customer
        raise PermissionDenied(t("err.denied", what=t("err.what.customer", id=customer.id)))


def require_change_customer(ctx: "Ctx", customer: Customer) -> None:
    require_see_customer(ctx, customer)


# --------------------------------------------------------------------------- scope flags
@dataclass(frozen=True)
class Scope:
    """A resolved --mine/--team/--manager/--rep/--all choice."""

    label: str  # e.g. "team:zhang.wei", "rep:li.na", "all"
    staff_ids: object | None  # subquery of staff ids, or None for everyone
    root: Staff | None = None


def resolve_scope(
    ctx: "Ctx",
    *,
    mine: bool = False,
    team: bool = False,
    manager: str | None = None,
    rep: str | None = None,
    all_: bool = False,
) -> Scope:
    """The scope flags of SPEC section 2, checked against what the actor may see."""
    from salesctl.directory import find_staff

    chosen = [name for name, on in (("--mine", mine), ("--team", team), ("--manager", manager), ("--rep", rep), ("--all", all_)) if on]
    if len(chosen) > 1:
        raise InvalidInput(t("err.scope_one", chosen=", ".join(chosen)))
    actor = ctx.actor
    if mine:
        return Scope(f"rep:{actor.handle}", select(literal(actor.id).label("id")).subquery("mine_ids"), actor)
    if rep:
        person = find_staff(ctx.session, rep)
        require_see_staff(ctx, person)
        return Scope(f"rep:{person.handle}", select(literal(person.id).label("id")).subquery("rep_ids"), person)
    if manager:
        boss = find_staff(ctx.session, manager)
        require_see_staff(ctx, boss, what=t("err.what.team_of", handle=boss.handle))
        return Scope(f"team:{boss.handle}", team_cte(boss.id, include_root=True, name="mgr"), boss)
    if team:
        if actor.role == "rep":
            raise PermissionDenied(t("err.denied", what=t("err.what.rep_team")))
        root_id = visible_root(ctx)
        root = ctx.session.get(Staff, root_id) if root_id is not None else actor
        return Scope(f"team:{root.handle}", team_cte(root.id, include_root=True, name="myteam"), root)
    ids = visible_staff_ids(ctx)
    if ids is None:
        return Scope("all", None, None)
    if actor.role == "rep":
        return Scope(f"rep:{actor.handle}", ids, actor)
    root = ctx.session.get(Staff, visible_root(ctx))
    return Scope(f"team:{root.handle}", ids, root)


def scope_clause(scope: Scope, column):
    """WHERE clause putting a staff-id column inside the scope, or None for everyone."""
    if scope.staff_ids is None:
        return None
    return column.in_(select(scope.staff_ids.c.id))


# --------------------------------------------------------------------------- meetings, complaints, inbox
def managed_staff_ids(ctx: "Ctx"):
    """Staff the actor has manager-level authority over (is_manager_of, as SQL).

    None for everyone (director, gm); the team below a manager or regional
    manager (not themself); an empty subquery for everyone else.
    """
    from sqlalchemy import false

    actor = ctx.actor
    if actor.role in SEES_ALL:
        return None
    if actor.role in MANAGER_ROLES:
        return team_cte(actor.id, include_root=False, name="managed")
    return select(Staff.id.label("id")).where(false()).subquery("managed_none")


def meeting_team_clause(ctx: "Ctx", team_manager_column):
    """WHERE clause for meetings the actor may see, or None for all.

    A team's meeting is seen by everyone in that team (they attend it) and by
    everyone who may see the team's manager (managers above, director, gm).
    """
    actor = ctx.actor
    if actor.role in SEES_ALL:
        return None
    own_teams = [actor.id] + [boss.id for boss in chain_above(ctx.session, actor)]
    clause = team_manager_column.in_(own_teams)
    ids = visible_staff_ids(ctx)
    if ids is not None and actor.role != "rep":
        clause = clause | team_manager_column.in_(select(ids.c.id))
    return clause


def may_see_meeting(ctx: "Ctx", team_manager: Staff | None) -> bool:
    actor = ctx.actor
    if actor.role in SEES_ALL:
        return True
    if team_manager is None:
        return False
    if team_manager.id == actor.id or is_above(ctx.session, team_manager, actor):
        return True
    return actor.role != "rep" and may_see_staff(ctx, team_manager)


def require_see_meeting(ctx: "Ctx", team_manager: Staff | None, what: str) -> None:
    if not may_see_meeting(ctx, team_manager):
        raise PermissionDenied(t("err.denied", what=what))


def require_run_meeting(ctx: "Ctx", team_manager: Staff | None, what: str) -> None:
    """Correcting or cancelling a team's meeting: the team's manager, or manager authority above them."""
    actor = ctx.actor
    if actor.role in SEES_ALL:
        return
    if team_manager is not None and (team_manager.id == actor.id or is_manager_of(ctx, team_manager)):
        return
    raise PermissionDenied(t("err.denied", what=what))


def complaint_clause(ctx: "Ctx", complaint_id_column, owner_column, reporter_column):
    """WHERE clause for complaints the actor may see, or None for all.

    Director and gm: all. Everyone else: complaints escalated to them, on
    customers owned inside what they may see (a rep: their own customers; a
    manager: their team's), and the ones they recorded themselves.
    """
    from salesctl.models import ComplaintEscalation

    actor = ctx.actor
    if actor.role in SEES_ALL:
        return None
    escalated = select(ComplaintEscalation.complaint_id).where(ComplaintEscalation.staff_id == actor.id)
    ids = visible_staff_ids(ctx)
    return (complaint_id_column.in_(escalated) | owner_column.in_(select(ids.c.id))
            | (reporter_column == actor.id))


def _complaint_targets(ctx: "Ctx", complaint) -> set[int]:
    from salesctl.models import ComplaintEscalation

    return set(ctx.session.execute(
        select(ComplaintEscalation.staff_id).where(ComplaintEscalation.complaint_id == complaint.id)
    ).scalars())


def may_see_complaint(ctx: "Ctx", complaint, owner: Staff | None) -> bool:
    actor = ctx.actor
    if actor.role in SEES_ALL or complaint.reporter_id == actor.id:
        return True
    if owner is not None and may_see_staff(ctx, owner):
        return True
    return actor.id in _complaint_targets(ctx, complaint)


def require_update_complaint(ctx: "Ctx", complaint, owner: Staff | None) -> None:
    """Updates are by an escalation target (the manager chain, the director) or the customer's owner."""
    actor = ctx.actor
    if actor.role in SEES_ALL or (owner is not None and owner.id == actor.id):
        return
    if actor.id in _complaint_targets(ctx, complaint):
        return
    raise PermissionDenied(t("err.denied", what=t("err.what.update_complaint", id=complaint.id)))


def require_close_complaint(ctx: "Ctx", complaint, owner: Staff | None) -> None:
    """Closing a complaint and recording the customer's satisfaction belong to the owner's manager
    chain or the director (与销售经理和销售总监协调，确保客户满意), never to the rep it is about."""
    actor = ctx.actor
    if complaint.about_id != actor.id:
        if actor.role in SEES_ALL:
            return
        subject = owner
        if subject is None and complaint.about_id is not None:
            subject = ctx.session.get(Staff, complaint.about_id)
        if subject is not None and subject.id != actor.id and is_manager_of(ctx, subject):
            return
    raise PermissionDenied(t("err.denied", what=t("handbook.what.close_complaint", id=complaint.id)))


# --------------------------------------------------------------------------- pay: commission, targets, evaluation
def may_see_pay(ctx: "Ctx", staff: Staff) -> bool:
    """A person's commission, targets and scores: themself, a manager above them, director, gm.

    Assistants enter data for their team but never see its pay.
    """
    return staff.id == ctx.actor.id or is_manager_of(ctx, staff)


def require_see_pay(ctx: "Ctx", staff: Staff, what: str) -> None:
    if not may_see_pay(ctx, staff):
        raise PermissionDenied(t("err.denied", what=what))


def pay_scope(ctx: "Ctx", **flags) -> Scope:
    """resolve_scope for pay (commission calc, targets, eval): assistants are refused."""
    if ctx.actor.role == "assistant":
        raise PermissionDenied(t("err.denied", what=t("err.what.pay")))
    return resolve_scope(ctx, **flags)
