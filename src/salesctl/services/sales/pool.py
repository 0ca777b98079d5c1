"""The opt-in customer pool recall (公海): idle customers go back to the pool, with warnings before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_
from sqlmodel import select

from salesctl.errors import InvalidInput, PermissionDenied
from salesctl.messages import stored_text, t
from salesctl.models import Customer, Deal, OwnershipEntry, Payment, Staff, Visit, live_customer
from salesctl.permissions import Scope, resolve_scope, scope_clause
from salesctl.services.context import Ctx
from salesctl.services.customers.ownership import GRANTING, change_owner
from salesctl.services.sales.claims import DECIDER_ROLES


# --------------------------------------------------------------------------- pool recall
def pool_policy() -> dict:
    from salesctl.policy import section

    return section("pool")


def _pool_limits(policy: dict) -> dict[str, int]:
    limits = policy.get("no_visit_days", {}) or {}
    return {grade: int(days) for grade, days in limits.items() if days is not None}


def _idle_rows(ctx: Ctx, staff_filter, policy: dict) -> list[dict]:
    """Owned customers idle long enough to be warned about or recalled (protected ones left out).

    Idle since = the later of the owner's last visit to the customer and the day they got it
    (a customer just claimed or assigned is not idle). One query, however many customers.
    """
    limits = _pool_limits(policy)
    if not limits:
        return []
    warn_days = int(policy.get("warn_days_before", 0) or 0)
    stage_from = int(policy.get("protect_stage_from", 3))
    pay_days = int(policy.get("protect_payment_within_days", 90))
    today = ctx.today
    last_visit = (select(func.max(Visit.at))
                  .where(Visit.customer_id == Customer.id, Visit.rep_id == Customer.owner_id)
                  .correlate(Customer).scalar_subquery())
    owned_since = (select(func.max(OwnershipEntry.at))
                   .where(OwnershipEntry.customer_id == Customer.id, OwnershipEntry.kind.in_(GRANTING))
                   .correlate(Customer).scalar_subquery())
    since = func.coalesce(owned_since, Customer.created_at)
    idle_since = case((and_(last_visit.is_not(None), last_visit > since), last_visit), else_=since)
    open_deal = exists().where(Deal.customer_id == Customer.id, Deal.status != "lost", Deal.stage >= stage_from,
                               Deal.stage < 5)
    recent_payment = exists().where(Deal.customer_id == Customer.id, Payment.deal_id == Deal.id,
                                    Payment.paid_on >= today - timedelta(days=pay_days))
    per_grade = []
    for grade, days in limits.items():
        cutoff = ctx.clock.day_bounds_utc(today - timedelta(days=max(days - warn_days, 0)))[1]
        per_grade.append(and_(Customer.grade == grade, idle_since < cutoff))
    stmt = (
        select(Customer.id, Customer.name, Customer.grade, Customer.owner_id, Staff.handle, idle_since.label("idle"))
        .join(Staff, Staff.id == Customer.owner_id)
        .where(Customer.owner_id.is_not(None), live_customer(), or_(*per_grade), ~open_deal, ~recent_payment)
        .order_by(Customer.id)
    )
    clause = _staff_clause(staff_filter, Customer.owner_id)
    if clause is not None:
        stmt = stmt.where(clause)
    rows = []
    for cid, name, grade, owner_id, handle, idle in ctx.session.execute(stmt):
        idle_at = _as_aware(idle)
        idle_day = ctx.clock.local(idle_at).date()
        limit = limits[grade]
        recall_on = idle_day + timedelta(days=limit)
        rows.append({
            "action": "recall" if recall_on <= today else "warn",
            "customer_id": cid, "customer": name, "grade": grade, "owner": handle, "owner_id": owner_id,
            "idle_since": idle_at, "days_idle": (today - idle_day).days, "limit_days": limit, "recall_on": recall_on,
        })
    return rows


def _as_aware(value) -> datetime:
    """CASE/MAX results skip the column type on some backends: parse and mark UTC when needed."""
    from datetime import timezone

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _staff_clause(staff_filter, column):
    if staff_filter is None:
        return None
    if isinstance(staff_filter, Scope):
        return scope_clause(staff_filter, column)
    return column.in_(select(staff_filter.c.id))


@dataclass
class ExpireResult:
    rows: list[dict]
    dry_run: bool

    @property
    def recalled(self) -> list[dict]:
        return [r for r in self.rows if r["action"] == "recall"]

    @property
    def warned(self) -> list[dict]:
        return [r for r in self.rows if r["action"] == "warn"]


def expire(ctx: Ctx, *, dry_run: bool = False, mine: bool = False, team: bool = False, manager: str | None = None,
           rep: str | None = None, all_: bool = False) -> ExpireResult:
    """`claim expire`: recall idle customers to the pool and list the owners to warn (policy [pool])."""
    policy = pool_policy()
    if not policy.get("enabled", False):
        raise InvalidInput(t("claim.err.pool_off"))
    if not dry_run and ctx.actor.role not in DECIDER_ROLES:
        raise PermissionDenied(t("err.denied", what=t("claim.what.expire")))
    scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    rows = _idle_rows(ctx, scope, policy)
    if not dry_run:
        due = [row for row in rows if row["action"] == "recall"]
        locked: dict[int, Customer] = {}
        for start in range(0, len(due), 500):
            ids = [row["customer_id"] for row in due[start:start + 500]]
            stmt = (select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id).with_for_update()
                    .execution_options(populate_existing=True))
            locked.update((c.id, c) for c in ctx.session.exec(stmt))
        for row in due:
            customer = locked[row["customer_id"]]
            if customer.owner_id != row["owner_id"]:
                row["action"] = "skipped"  # claimed or moved since the query
                continue
            note = stored_text("claim.note.recall", days=row["days_idle"], grade=row["grade"], limit=row["limit_days"])
            change_owner(ctx, customer, None, "recall", staff_id=row["owner_id"], note=note)
    return ExpireResult(rows, dry_run)


def recall_warnings(ctx: Ctx, staff_filter=None) -> list[dict]:
    """Rows for `visit due`: owned customers the pool recall takes (or will within warn_days_before).

    staff_filter: a permissions.Scope, a subquery of staff ids, or None (everyone). Empty when the
    pool is off. Rows have the shape of visits.due_rows: kind "recall", due = the recall day.
    """
    policy = pool_policy()
    if not policy.get("enabled", False):
        return []
    today = ctx.today
    rows = []
    for row in _idle_rows(ctx, staff_filter, policy):
        late = (today - row["recall_on"]).days
        rows.append({
            "id": row["customer_id"], "kind": "recall",
            "status": "overdue" if late > 0 else "due" if late == 0 else "upcoming",
            "due": row["recall_on"], "days_overdue": max(late, 0), "customer_id": row["customer_id"],
            "customer": row["customer"], "grade": row["grade"], "owner": row["owner"], "visit_id": None,
            "last_contact_at": row["idle_since"],
            "next_step": t("claim.msg.recall_warning", date=row["recall_on"].isoformat(), days=row["limit_days"]),
        })
    return rows

