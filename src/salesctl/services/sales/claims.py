"""Claims (报备, SPEC 1.6): the first reporter's priority, the industry rule, manager decisions,
releases, the opt-in customer pool recall (公海) and missed sales (漏单).

Every claim is an append-only OwnershipEntry: a rep's claim is granted at once
("grant", or the "report" of a customer they added) or recorded as a pending
"request"; a manager's decision is a new "approve"/"reject" entry whose ref_id
points at the request. Ownership moves only through services.ownership. A claim
reads the customer row under a lock (FOR UPDATE on PostgreSQL; SQLite writers
are serialised by BEGIN IMMEDIATE), so two reps claiming one unowned customer at
the same moment get one grant and one pending request, in entry-id order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Iterator

from sqlalchemy import and_, case, exists, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import t
from salesctl.models import (
    MANAGER_ROLES,
    Customer,
    Deal,
    Lead,
    MissedSale,
    MissedSaleShare,
    OwnershipEntry,
    Payment,
    Staff,
    Visit,
)
from salesctl.permissions import (
    SEES_ALL,
    Scope,
    is_manager_of,
    require_see_customer,
    resolve_scope,
    scope_clause,
    visible_staff_ids,
)
from salesctl.services.context import Ctx
from salesctl.services.customers.ownership import GRANTING, change_owner, record_entry

CLAIMANT_ROLES = ("rep",) + MANAGER_ROLES
DECIDER_ROLES = MANAGER_ROLES + SEES_ALL
STATUSES = ("granted", "pending", "approved", "rejected")
YES_WORDS = {"yes": True, "y": True, "true": True, "1": True, "是": True, "有": True,
             "no": False, "n": False, "false": False, "0": False, "否": False, "没有": False, "无": False}


def _clean(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def _fold(text: str | None) -> str:
    return (text or "").strip().casefold()


def industry_fits(staff: Staff, industry: str | None) -> bool:
    """SPEC 1.6: a rep sells only in their industry ('*' = any); other roles are not bound."""
    return _fits(staff.role, staff.industry, industry)


def _fits(role: str, own: str | None, industry: str | None) -> bool:
    if role != "rep" or not own or own.strip() == "*" or not industry:
        return True
    return _fold(own) == _fold(industry)


def parse_yes_no(text: str | None, field: str) -> bool | None:
    if text is None:
        return None
    value = YES_WORDS.get(text.strip().lower())
    if value is None:
        raise InvalidInput(t("claim.err.not_yes_no", field=field, value=text))
    return value


def lock_customer(ctx: Ctx, customer_id: int) -> Customer:
    """The customer row, re-read under a row lock (PostgreSQL FOR UPDATE; a no-op on SQLite)."""
    stmt = (select(Customer).where(Customer.id == customer_id).with_for_update()
            .execution_options(populate_existing=True))
    return ctx.session.exec(stmt).one()


def _handle(ctx: Ctx, staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    person = ctx.session.get(Staff, staff_id)
    return person.handle if person else None


def _pending_request(ctx: Ctx, customer_id: int, staff_id: int) -> OwnershipEntry | None:
    decision = aliased(OwnershipEntry)
    return ctx.session.exec(
        select(OwnershipEntry).where(
            OwnershipEntry.customer_id == customer_id, OwnershipEntry.staff_id == staff_id,
            OwnershipEntry.kind == "request", ~exists().where(decision.ref_id == OwnershipEntry.id),
        ).order_by(OwnershipEntry.id)
    ).first()


def _last_grant(ctx: Ctx, customer_id: int) -> OwnershipEntry | None:
    return ctx.session.exec(
        select(OwnershipEntry).where(OwnershipEntry.customer_id == customer_id, OwnershipEntry.kind.in_(GRANTING))
        .order_by(OwnershipEntry.id.desc())
    ).first()


def _open_lead(ctx: Ctx, customer_id: int) -> Lead | None:
    return ctx.session.exec(select(Lead).where(Lead.customer_id == customer_id, Lead.status == "open")).first()


def cooling_until(ctx: Ctx, customer_id: int, staff_id: int) -> date | None:
    """The day a recalled customer's former owner may claim it again, when that is still ahead."""
    from salesctl.policy import section

    days = int(section("pool").get("cooling_days", 0) or 0)
    if days <= 0:
        return None
    recalled = ctx.session.exec(
        select(func.max(OwnershipEntry.at)).where(
            OwnershipEntry.customer_id == customer_id, OwnershipEntry.kind == "recall",
            OwnershipEntry.from_owner_id == staff_id)
    ).first()
    if recalled is None:
        return None
    until = ctx.clock.local(recalled).date() + timedelta(days=days)
    return until if until > ctx.today else None


# --------------------------------------------------------------------------- claim add
@dataclass
class ClaimOutcome:
    """What `claim add` did: granted at once, a pending request, or nothing (unchanged)."""

    entry: OwnershipEntry
    customer: Customer
    status: str  # granted | pending | unchanged
    holder: str | None  # the owner after the command
    first_reported_at: datetime | None
    reasons: tuple[str, ...] = ()  # why pending: owned, industry, lead
    created: bool = False

    def as_dict(self) -> dict:
        return {"id": self.entry.id, "customer": self.customer.name, "customer_id": self.customer.id,
                "status": self.status, "holder": self.holder, "first_reported_at": self.first_reported_at}


def _find_existing(ctx: Ctx, ref: str, phone: str | None) -> Customer | None:
    """By id, else the duplicate check of `customer add` (normalised name, or the phone)."""
    from salesctl.services.customers.duplicates import find_duplicate
    from salesctl.services.customers.normalize import normalize_phone

    value = ref.strip()
    if value.isdigit():
        customer = ctx.session.get(Customer, int(value))
        if customer is None:
            raise NotFound(t("claim.err.no_customer_id", id=value))
        return customer
    phones = [normalize_phone(phone, "phone")] if _clean(phone) else []
    duplicate = find_duplicate(ctx.session, value, phones)
    if duplicate is None:
        return None
    found = ctx.session.get(Customer, duplicate.customer_id)
    if found is None:  # team server: another rep's customer, hidden by row-level security
        return _held_elsewhere(ctx, duplicate)
    return found


def _held_elsewhere(ctx: Ctx, duplicate) -> Customer:
    """What the first-reporter check may tell of a customer out of the actor's reach, as a transient record.

    It is never added to the session: the claim writes only its own ledger request.
    """
    from salesctl.directory import find_staff

    holder = find_staff(ctx.session, duplicate.owner) if duplicate.owner else None
    stub = Customer(id=duplicate.customer_id, name=duplicate.name, name_norm="", owner_id=holder.id if holder else None,
                    reported_at=duplicate.first_reported_at)
    ctx.session.info.setdefault("salesctl_hidden_customers", set()).add(duplicate.customer_id)
    return stub


def _find_visible(ctx: Ctx, ref: str) -> Customer | None:
    from salesctl.services.customers.lookup import find_customer

    try:
        return find_customer(ctx, ref)
    except NotFound:
        return None


def add_claim(ctx: Ctx, ref: str, need: str | None, **new_fields) -> ClaimOutcome:
    """`claim add`: report a customer (an existing one, or a new one with the new-customer form in new_fields)."""
    actor = ctx.actor
    if actor.role not in CLAIMANT_ROLES:
        hint = t("claim.hint.lead_add") if actor.role == "assistant" else None
        raise PermissionDenied(t("err.denied", what=t("claim.what.claim")), hint=hint)
    if not _clean(ref):
        raise InvalidInput(t("claim.err.customer_required"))
    need = _clean(need)
    if need is None:
        raise InvalidInput(t("claim.err.need_required"))
    existing = _find_existing(ctx, ref, new_fields.get("phone"))
    form = ("contact", "title", "phone", "status")
    if existing is None and not any(_clean(new_fields.get(k)) for k in form):
        existing = _find_visible(ctx, ref)  # no new-customer form: a customer of yours named in part
    if existing is None:
        created = _create_reported(ctx, ref, new_fields)
        if isinstance(created, Customer):
            return _claim_new(ctx, created, need)
        existing = created[0]  # someone added it a moment ago: claim theirs
    return _claim_existing(ctx, existing, need)


def _create_reported(ctx: Ctx, name: str, fields: dict):
    """Add a new customer into the pool reported by the actor (a savepoint absorbs a concurrent insert)."""
    from salesctl.services.customers.customers import DuplicateCustomer, create_customer

    session = ctx.session
    try:
        with session.begin_nested():
            return create_customer(ctx, name=name, pool=True, **fields)
    except DuplicateCustomer as exc:
        return (session.get(Customer, exc.duplicate.customer_id),)
    except IntegrityError:
        found = _find_existing(ctx, name, fields.get("phone"))
        if found is None:
            raise
        return (found,)


def _claim_new(ctx: Ctx, customer: Customer, need: str) -> ClaimOutcome:
    actor = ctx.actor
    if industry_fits(actor, customer.industry):
        entry = change_owner(ctx, customer, actor.id, "grant", staff_id=actor.id, need=need)
        return ClaimOutcome(entry, customer, "granted", actor.handle, customer.reported_at, created=True)
    entry = record_entry(ctx, customer, "request", staff_id=actor.id, need=need)
    return ClaimOutcome(entry, customer, "pending", None, customer.reported_at, ("industry",), created=True)


def _claim_existing(ctx: Ctx, found: Customer, need: str) -> ClaimOutcome:
    actor = ctx.actor
    if found.id in ctx.session.info.get("salesctl_hidden_customers", ()):
        return _claim_hidden(ctx, found, need)
    customer = lock_customer(ctx, found.id)
    holder = _handle(ctx, customer.owner_id)
    if customer.owner_id == actor.id:
        return ClaimOutcome(_last_grant(ctx, customer.id), customer, "unchanged", holder, customer.reported_at)
    pending = _pending_request(ctx, customer.id, actor.id)
    if pending is not None:
        return ClaimOutcome(pending, customer, "unchanged", holder, customer.reported_at, ("pending",))
    until = cooling_until(ctx, customer.id, actor.id)
    if until is not None:
        raise Conflict(t("claim.err.cooling", name=customer.name, until=until.isoformat()))
    reasons = []
    if customer.owner_id is not None:
        reasons.append("owned")
    if not industry_fits(actor, customer.industry):
        reasons.append("industry")
    if customer.owner_id is None and _open_lead(ctx, customer.id) is not None:
        reasons.append("lead")
    if not reasons:
        entry = change_owner(ctx, customer, actor.id, "grant", staff_id=actor.id, need=need)
        return ClaimOutcome(entry, customer, "granted", actor.handle, customer.reported_at)
    entry = record_entry(ctx, customer, "request", staff_id=actor.id, need=need)
    return ClaimOutcome(entry, customer, "pending", holder, customer.reported_at, tuple(reasons))


def _claim_hidden(ctx: Ctx, customer: Customer, need: str) -> ClaimOutcome:
    """Team server: a held customer the claimant cannot read; the request goes to the ledger for the managers."""
    holder = _handle(ctx, customer.owner_id)
    pending = _pending_request(ctx, customer.id, ctx.actor.id)
    if pending is not None:
        return ClaimOutcome(pending, customer, "unchanged", holder, customer.reported_at, ("pending",))
    until = cooling_until(ctx, customer.id, ctx.actor.id)
    if until is not None:
        raise Conflict(t("claim.err.cooling", name=customer.name, until=until.isoformat()))
    entry = record_entry(ctx, customer, "request", staff_id=ctx.actor.id, need=need)
    return ClaimOutcome(entry, customer, "pending", holder, customer.reported_at, ("owned",))


# --------------------------------------------------------------------------- claim list
def _claim_select():
    claimant = aliased(Staff, name="claimant")
    holder = aliased(Staff, name="holder")
    decision = aliased(OwnershipEntry, name="decision")
    decider = aliased(Staff, name="decider")
    stmt = (
        select(OwnershipEntry.id, Customer.name, Customer.id, claimant.handle, OwnershipEntry.kind, decision.kind,
               holder.handle, OwnershipEntry.need, OwnershipEntry.at, decider.handle, decision.at, decision.note,
               decision.had_info_in_time, Customer.owner_id, OwnershipEntry.staff_id, Customer.industry,
               claimant.industry, claimant.role,
               exists().where(Lead.customer_id == Customer.id, Lead.status == "open").label("open_lead"))
        .select_from(OwnershipEntry)
        .join(Customer, Customer.id == OwnershipEntry.customer_id)
        .join(claimant, claimant.id == OwnershipEntry.staff_id)
        .join(holder, holder.id == Customer.owner_id, isouter=True)
        .join(decision, decision.ref_id == OwnershipEntry.id, isouter=True)
        .join(decider, decider.id == decision.by_id, isouter=True)
        .where(or_(OwnershipEntry.kind.in_(("request", "grant")),
                   and_(OwnershipEntry.kind == "report", OwnershipEntry.to_owner_id.is_not(None))))
    )
    return stmt, decision


def _claim_row(record) -> dict:
    (entry_id, customer, customer_id, handle, kind, decision_kind, holder, need, at, decided_by, decided_at,
     decision_note, had_info, owner_id, staff_id, customer_industry, claimant_industry, claimant_role,
     open_lead) = record
    if kind == "request":
        status = {None: "pending", "approve": "approved"}.get(decision_kind, "rejected")
    else:
        status = "granted"
    reasons = []
    if status == "pending":
        if owner_id is not None and owner_id != staff_id:
            reasons.append("owned")
        if not _fits(claimant_role, claimant_industry, customer_industry):
            reasons.append("industry")
        if owner_id is None and open_lead:
            reasons.append("lead")
    return {"id": entry_id, "customer": customer, "customer_id": customer_id, "handle": handle, "status": status,
            "holder": holder, "need": need, "at": at, "decided_by": decided_by, "decided_at": decided_at,
            "decision_note": decision_note, "owner_had_info": had_info, "why_pending": ",".join(reasons) or None}


def list_claims(ctx: Ctx, *, pending: bool = False, status: str | None = None, customer: str | None = None,
                mine: bool = False, team: bool = False, manager: str | None = None, rep: str | None = None,
                all_: bool = False, limit: int | None = None) -> Iterator[dict]:
    """Claims by the people in scope (the claimant decides the scope), in ledger order; streamed."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(t("claim.err.bad_status", value=status, accepted=", ".join(STATUSES)))
    if pending and status not in (None, "pending"):
        raise InvalidInput(t("claim.err.pending_conflict", status=status))
    wanted = "pending" if pending else status
    scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    stmt, decision = _claim_select()
    clause = scope_clause(scope, OwnershipEntry.staff_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if wanted == "granted":
        stmt = stmt.where(OwnershipEntry.kind != "request")
    elif wanted == "pending":
        stmt = stmt.where(OwnershipEntry.kind == "request", decision.id.is_(None))
    elif wanted in ("approved", "rejected"):
        stmt = stmt.where(OwnershipEntry.kind == "request",
                          decision.kind == ("approve" if wanted == "approved" else "reject"))
    if customer is not None:
        from salesctl.services.customers.lookup import find_customer

        target = find_customer(ctx, customer)
        stmt = stmt.where(OwnershipEntry.customer_id == target.id)
    stmt = stmt.order_by(OwnershipEntry.id)
    if limit:
        stmt = stmt.limit(limit)
    result = ctx.session.execute(stmt, execution_options={"yield_per": 500})
    try:
        for record in result:
            yield _claim_row(record)
    finally:
        result.close()


def claim_row(ctx: Ctx, entry_id: int) -> dict:
    stmt, _ = _claim_select()
    return _claim_row(ctx.session.execute(stmt.where(OwnershipEntry.id == entry_id)).one())


# --------------------------------------------------------------------------- approve / reject
@dataclass
class Decision:
    entry: OwnershipEntry  # the approve/reject entry
    request: OwnershipEntry
    customer: Customer
    requester: Staff
    previous_owner: str | None
    contested: bool
    cross_industry: bool


def _request_for_decision(ctx: Ctx, claim_id: int) -> tuple[OwnershipEntry, Staff]:
    entry = ctx.session.get(OwnershipEntry, claim_id)
    is_claim = entry is not None and (entry.kind in ("request", "grant")
                                      or (entry.kind == "report" and entry.to_owner_id is not None))
    if not is_claim:
        raise NotFound(t("claim.err.no_claim", id=claim_id))
    requester = ctx.session.get(Staff, entry.staff_id)
    if ctx.actor.role not in DECIDER_ROLES or requester.id == ctx.actor.id or not is_manager_of(ctx, requester):
        raise PermissionDenied(t("err.denied", what=t("claim.what.decide", id=claim_id, handle=requester.handle)))
    if entry.kind != "request":
        raise Conflict(t("claim.err.not_pending_granted", id=claim_id))
    return entry, requester


def _existing_decision(ctx: Ctx, request: OwnershipEntry) -> None:
    decision = ctx.session.exec(select(OwnershipEntry).where(OwnershipEntry.ref_id == request.id)).first()
    if decision is not None:
        word = t("claim.status.approved") if decision.kind == "approve" else t("claim.status.rejected")
        at = ctx.clock.local(decision.at).strftime("%Y-%m-%d %H:%M")
        raise Conflict(t("claim.err.decided", id=request.id, status=word, by=_handle(ctx, decision.by_id) or "?", at=at))


def approve_claim(ctx: Ctx, claim_id: int, *, note: str | None = None, owner_had_info: str | None = None) -> Decision:
    """A manager's approval: ownership moves to the requester; a contested or cross-industry claim needs
    the manager's reason (--note) and, when contested, whether the owner had the information in time."""
    request, requester = _request_for_decision(ctx, claim_id)
    had_info = parse_yes_no(owner_had_info, "owner-had-info")
    customer = lock_customer(ctx, request.customer_id)
    _existing_decision(ctx, request)
    note = _clean(note)
    contested = customer.owner_id is not None and customer.owner_id != requester.id
    cross = not industry_fits(requester, customer.industry)
    previous = _handle(ctx, customer.owner_id)
    if contested:
        owner = ctx.session.get(Staff, customer.owner_id)
        if not is_manager_of(ctx, owner):
            raise PermissionDenied(t("err.denied", what=t("claim.what.take_from", handle=owner.handle)))
    if not requester.active:
        raise Conflict(t("claim.err.inactive", handle=requester.handle))
    if (contested or cross) and note is None:
        raise InvalidInput(t("claim.err.note_required"))
    if contested and had_info is None:
        raise InvalidInput(t("claim.err.had_info_required", owner=previous))
    entry = change_owner(ctx, customer, requester.id, "approve", staff_id=requester.id, note=note,
                         ref_id=request.id, had_info_in_time=had_info if contested else None)
    lead = _open_lead(ctx, customer.id)
    if lead is not None:
        _mark_lead(ctx, lead, requester, "assigned")
    return Decision(entry, request, customer, requester, previous, contested, cross)


def reject_claim(ctx: Ctx, claim_id: int, *, reason: str | None) -> Decision:
    request, requester = _request_for_decision(ctx, claim_id)
    reason = _clean(reason)
    if reason is None:
        raise InvalidInput(t("claim.err.reason_required"))
    customer = lock_customer(ctx, request.customer_id)
    _existing_decision(ctx, request)
    entry = record_entry(ctx, customer, "reject", staff_id=requester.id, note=reason, ref_id=request.id)
    return Decision(entry, request, customer, requester, _handle(ctx, customer.owner_id), False, False)


def _mark_lead(ctx: Ctx, lead: Lead, staff: Staff, status: str) -> None:
    from salesctl.audit import snapshot

    before = snapshot(lead)
    lead.status = status
    lead.assigned_to_id = staff.id
    lead.assigned_by_id = ctx.actor.id
    lead.assigned_at = ctx.now
    ctx.session.add(lead)
    ctx.session.flush()
    ctx.audit("lead.assign", "lead", lead.id, before, lead)


# --------------------------------------------------------------------------- release
def release_customer(ctx: Ctx, ref: str, *, reason: str | None = None) -> tuple[OwnershipEntry, Customer, str]:
    """The owner (or a manager above them) gives a customer back to the pool."""
    from salesctl.services.customers.lookup import find_customer

    found = find_customer(ctx, ref)
    require_see_customer(ctx, found)
    customer = lock_customer(ctx, found.id)
    if customer.owner_id is None:
        raise Conflict(t("claim.err.in_pool", name=customer.name))
    owner = ctx.session.get(Staff, customer.owner_id)
    if owner.id != ctx.actor.id and not is_manager_of(ctx, owner):
        raise PermissionDenied(t("err.denied", what=t("claim.what.release", id=customer.id)))
    entry = change_owner(ctx, customer, None, "release", staff_id=owner.id, note=_clean(reason))
    return entry, customer, owner.handle


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
        .where(Customer.owner_id.is_not(None), or_(*per_grade), ~open_deal, ~recent_payment)
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
            note = t("claim.note.recall", days=row["days_idle"], grade=row["grade"], limit=row["limit_days"])
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


# --------------------------------------------------------------------------- missed sales
@dataclass
class MissedRecord:
    missed: MissedSale
    shares: list[tuple[str, Decimal]]

    def as_dict(self, recorded_by: str) -> dict:
        m = self.missed
        return {"id": m.id, "name": m.name, "region": m.region, "industry": m.industry, "amount": m.amount,
                "occurred_on": m.occurred_on, "note": m.note, "recorded_by": recorded_by, "recorded_at": m.recorded_at,
                "shares": [{"handle": h, "amount": a} for h, a in self.shares]}


def split_amount(amount: Decimal, count: int) -> list[Decimal]:
    """Equal shares in exact cents; the remainder cents go to the first shares, so they sum to the amount."""
    from salesctl.money import cents_to_decimal, to_cents

    cents = to_cents(amount)
    base, extra = divmod(cents, count)
    return [cents_to_decimal(base + (1 if i < extra else 0)) for i in range(count)]


def responsible_reps(ctx: Ctx, region: str, industry: str) -> list[Staff]:
    """Active reps of that region and industry (or '*'), in handle order."""
    return list(ctx.session.exec(
        select(Staff).where(Staff.role == "rep", Staff.active == True,  # noqa: E712
                            func.lower(Staff.region) == region.casefold(),
                            or_(func.lower(Staff.industry) == industry.casefold(), Staff.industry == "*"))
        .order_by(Staff.handle)
    ))


def record_missed(ctx: Ctx, name: str | None, *, region: str | None, industry: str | None, amount: str | None,
                  note: str | None, occurred: str | None = None) -> MissedRecord:
    """`claim missed`: a sale lost in a region to a customer nobody had in the archive; the amount is split
    equally among the region's reps of that industry (penalty lines in the year-end month)."""
    from salesctl.money import parse_money
    from salesctl.periods import parse_date
    from salesctl.services.customers.duplicates import find_duplicate

    actor = ctx.actor
    if actor.role not in DECIDER_ROLES:
        raise PermissionDenied(t("err.denied", what=t("claim.what.missed")))
    name, region, industry, note = _clean(name), _clean(region), _clean(industry), _clean(note)
    missing = [flag for flag, value in (("NAME", name), ("--region", region), ("--industry", industry),
                                        ("--amount", _clean(amount)), ("--note", note)) if value is None]
    if missing:
        raise InvalidInput(t("claim.err.missed_missing", flags=", ".join(missing)))
    value = parse_money(amount, "amount")
    if value <= 0:
        raise InvalidInput(t("claim.err.amount_positive", value=amount))
    occurred_on = parse_date(occurred, "date", ctx.today) if occurred else ctx.today
    if occurred_on > ctx.today:
        raise InvalidInput(t("claim.err.future_date", date=occurred_on))
    duplicate = find_duplicate(ctx.session, name)
    if duplicate is not None:
        raise Conflict(t("claim.err.missed_in_archive", name=duplicate.name, id=duplicate.customer_id,
                         owner=duplicate.owner or t("customer.pool")))
    reps = responsible_reps(ctx, region, industry)
    if not reps:
        raise InvalidInput(t("claim.err.missed_no_reps", region=region, industry=industry))
    for rep in reps:
        if not is_manager_of(ctx, rep):
            raise PermissionDenied(t("err.denied", what=t("claim.what.missed_for", handle=rep.handle)))
    missed = MissedSale(name=name, region=region, industry=industry, amount=value, note=note,
                        occurred_on=occurred_on, recorded_by_id=actor.id, recorded_at=ctx.now)
    ctx.session.add(missed)
    ctx.session.flush()
    shares = []
    for rep, part in zip(reps, split_amount(value, len(reps))):
        ctx.session.add(MissedSaleShare(missed_sale_id=missed.id, staff_id=rep.id, amount=part))
        shares.append((rep.handle, part))
    ctx.session.flush()
    record = MissedRecord(missed, shares)
    ctx.audit("claim.missed", "missed_sale", missed.id, None, record.as_dict(actor.handle))
    return record


def missed_rows(ctx: Ctx, *, year: int | None = None) -> list[dict]:
    """Missed sales the actor may see (director/gm all; others those with a share of someone they see)."""
    recorder = aliased(Staff)
    stmt = (select(MissedSale, recorder.handle).join(recorder, recorder.id == MissedSale.recorded_by_id)
            .order_by(MissedSale.occurred_on, MissedSale.id))
    visible = visible_staff_ids(ctx)
    if visible is not None:
        mine = select(MissedSaleShare.missed_sale_id).where(MissedSaleShare.staff_id.in_(select(visible.c.id)))
        stmt = stmt.where(or_(MissedSale.id.in_(mine), MissedSale.recorded_by_id == ctx.actor.id))
    if year is not None:
        stmt = stmt.where(MissedSale.occurred_on >= date(year, 1, 1), MissedSale.occurred_on <= date(year, 12, 31))
    sales = ctx.session.execute(stmt).all()
    ids = [m.id for m, _ in sales]
    shares: dict[int, list[str]] = {}
    if ids:
        share_rows = ctx.session.execute(
            select(MissedSaleShare.missed_sale_id, Staff.handle, MissedSaleShare.amount)
            .join(Staff, Staff.id == MissedSaleShare.staff_id)
            .where(MissedSaleShare.missed_sale_id.in_(ids)).order_by(MissedSaleShare.id))
        from salesctl.money import fmt

        for sale_id, handle, part in share_rows:
            shares.setdefault(sale_id, []).append(f"{handle} {fmt(part)}")
    return [{"id": m.id, "name": m.name, "region": m.region, "industry": m.industry, "amount": m.amount,
             "occurred_on": m.occurred_on, "note": m.note, "recorded_by": by, "shares": "; ".join(shares.get(m.id, []))}
            for m, by in sales]
