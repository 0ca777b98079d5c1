"""Claims (报备, SPEC 1.6): the first reporter's priority, the industry rule, manager decisions
and releases (the pool recall (公海) is in services.sales.pool, missed sales (漏单) in
services.sales.missed).

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
from typing import Iterator

from sqlalchemy import and_, exists, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import t
from salesctl.models import MANAGER_ROLES, Customer, Lead, OwnershipEntry, Staff, live_customer
from salesctl.permissions import SEES_ALL, is_manager_of, require_see_customer, resolve_scope, scope_clause
from salesctl.services.context import Ctx
from salesctl.services.customers.ownership import GRANTING, change_owner, record_entry
from salesctl.inputs import is_id


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


def _find_existing(ctx: Ctx, ref: str, phone: str | None, not_duplicate: bool = False) -> Customer | None:
    """By id, else the duplicate check of `customer add` (normalised name, or the phone).

    `not_duplicate` (the caller says it is a new company): a `same` match exits 5 all the same.
    """
    from salesctl.services.customers.duplicates import find_duplicate
    from salesctl.services.customers.normalize import normalize_phone

    value = ref.strip()
    if is_id(value):
        customer = ctx.session.get(Customer, int(value))
        if customer is None:
            return _held_by_id(ctx, int(value))
        from salesctl.services.customers.lookup import follow_merged

        return follow_merged(ctx.session, customer)
    phones = [normalize_phone(phone, "phone")] if _clean(phone) else []
    duplicate = find_duplicate(ctx.session, value, phones)
    if duplicate is None:
        return None
    if not_duplicate:
        from salesctl.services.customers.customers import SameNotOverridden

        raise Conflict(SameNotOverridden(value, duplicate).plain_message)
    found = ctx.session.get(Customer, duplicate.customer_id)
    if found is None:  # team server: another rep's customer, hidden by row-level security
        return _held_elsewhere(ctx, duplicate)
    return found


def _held_by_id(ctx: Ctx, customer_id: int) -> Customer:
    """Team server: `claim add ID` on a customer out of the claimant's reach is claimed as by its name."""
    from salesctl.rls import claim_target
    from salesctl.services.customers.duplicates import Duplicate

    target = claim_target(ctx.session, customer_id)
    if target is None:
        raise NotFound(t("claim.err.no_customer_id", id=customer_id))
    found = ctx.session.get(Customer, target[0])  # a hidden merged record of a customer of one's own
    return found if found is not None else _held_elsewhere(ctx, Duplicate(*target, matched_on="id"))


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


def add_claim(ctx: Ctx, ref: str, need: str | None, *, not_duplicate: bool = False, **new_fields) -> ClaimOutcome:
    """`claim add`: report a customer (an existing one, or a new one with the new-customer form in new_fields).

    A new name that may be an archive customer (a `possible` match) raises PossibleDuplicate
    (5) unless `not_duplicate`, recorded with the candidates in the customer.add audit entry.
    """
    actor = ctx.actor
    if actor.role not in CLAIMANT_ROLES:
        hint = t("claim.hint.lead_add") if actor.role == "assistant" else None
        raise PermissionDenied(t("err.denied", what=t("claim.what.claim")), hint=hint)
    if not _clean(ref):
        raise InvalidInput(t("claim.err.customer_required"))
    need = _clean(need)
    if need is None:
        raise InvalidInput(t("claim.err.need_required"))
    existing = _find_existing(ctx, ref, new_fields.get("phone"), not_duplicate)
    form = ("contact", "title", "phone", "status")
    if existing is None and not any(_clean(new_fields.get(k)) for k in form):
        existing = _find_visible(ctx, ref)  # no new-customer form: a customer of yours named in part
    if existing is None:
        created = _create_reported(ctx, ref, {**new_fields, "not_duplicate": not_duplicate})
        if isinstance(created, Customer):
            return _claim_new(ctx, created, need)
        existing = created[0]  # someone added it a moment ago: claim theirs
    return _claim_existing(ctx, existing, need)


def _create_reported(ctx: Ctx, name: str, fields: dict):
    """Add a new customer into the pool reported by the actor (a savepoint absorbs a concurrent insert)."""
    from salesctl.services.customers.customers import DuplicateCustomer, SameNotOverridden, create_customer

    session = ctx.session
    try:
        with session.begin_nested():
            return create_customer(ctx, name=name, pool=True, **fields)
    except SameNotOverridden as exc:
        raise Conflict(exc.plain_message) from None
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
    reasons: tuple[str, ...] = ("owned",)
    if customer.owner_id is None:  # the pool, which a rep cannot read: decided as _claim_existing does
        from salesctl.rls import pool_customer

        facts = pool_customer(ctx.session, customer.id)
        if facts is not None:
            industry, open_lead, _ = facts
            reasons = (() if industry_fits(ctx.actor, industry) else ("industry",)) + (("lead",) if open_lead else ())
            if not reasons and pool_customer(ctx.session, customer.id, take=True)[2]:
                ctx.session.info["salesctl_hidden_customers"].discard(customer.id)
                taken = lock_customer(ctx, customer.id)  # the actor's own customer now
                taken.owner_id = None  # the ledger and the audit record where it came from: the pool
                entry = change_owner(ctx, taken, ctx.actor.id, "grant", staff_id=ctx.actor.id, need=need)
                return ClaimOutcome(entry, taken, "granted", ctx.actor.handle, taken.reported_at)
            reasons = reasons or ("owned",)  # taken by someone else a moment ago
    entry = record_entry(ctx, customer, "request", staff_id=ctx.actor.id, need=need)
    return ClaimOutcome(entry, customer, "pending", holder, customer.reported_at, reasons)


# --------------------------------------------------------------------------- claim list
def _claim_select(outer: bool = False):
    """The claim rows; `outer` (team server) keeps one's own claims on customers out of one's reach."""
    claimant = aliased(Staff, name="claimant")
    holder = aliased(Staff, name="holder")
    decision = aliased(OwnershipEntry, name="decision")
    decider = aliased(Staff, name="decider")
    stmt = (
        select(OwnershipEntry.id, Customer.name, OwnershipEntry.customer_id, claimant.handle, OwnershipEntry.kind,
               decision.kind, holder.handle, OwnershipEntry.need, OwnershipEntry.at, decider.handle, decision.at,
               decision.note, decision.had_info_in_time, Customer.owner_id, OwnershipEntry.staff_id, Customer.industry,
               claimant.industry, claimant.role,
               exists().where(Lead.customer_id == Customer.id, Lead.status == "open").label("open_lead"))
        .select_from(OwnershipEntry)
        .join(Customer, Customer.id == OwnershipEntry.customer_id, isouter=outer)
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
    from salesctl.rls import is_staff_login

    stmt, decision = _claim_select(outer=is_staff_login(ctx.session))
    stmt = stmt.where(live_customer())  # a merged record's entries are listed as KEEP's copies
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
            if record[1] is None:  # team server: the actor's own claim on a customer out of their reach
                record = _told_as_claimed(ctx, record)
                if record is None:
                    continue
            yield _claim_row(record)
    finally:
        result.close()


def _told_as_claimed(ctx: Ctx, record) -> list | None:
    """A claim row on a hidden customer with what `claim add` told of it (name, holder; a pool customer's
    industry and open lead); None for a merged record's entry (listed as KEEP's copy)."""
    from salesctl.directory import find_staff
    from salesctl.rls import claim_target, pool_customer

    values = list(record)  # the columns of _claim_select: 1 name, 2 customer id, 6 holder, 13 owner id, …
    target = claim_target(ctx.session, values[2])
    if target is None or target[0] != values[2]:
        return None
    holder = find_staff(ctx.session, target[2]) if target[2] else None
    values[1], values[6], values[13] = target[1], target[2], holder.id if holder else None
    facts = pool_customer(ctx.session, values[2]) if holder is None else None
    if facts is not None:
        values[15], values[18] = facts[0], facts[1]
    return values


def claim_row(ctx: Ctx, entry_id: int) -> dict:
    from salesctl.rls import is_staff_login

    stmt, _ = _claim_select(outer=is_staff_login(ctx.session))
    record = ctx.session.execute(stmt.where(OwnershipEntry.id == entry_id)).one()
    if record[1] is None:  # team server: a claim on a customer out of the actor's reach
        record = _told_as_claimed(ctx, record) or record
    return _claim_row(record)


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
        if entry is None:
            from salesctl.rls import deny_if_hidden

            deny_if_hidden(ctx.session, "ownership_entry", claim_id, t("ts.what.claim", id=claim_id))
        raise NotFound(t("claim.err.no_claim", id=claim_id))
    requester = ctx.session.get(Staff, entry.staff_id)
    if ctx.actor.role not in DECIDER_ROLES or requester.id == ctx.actor.id or not is_manager_of(ctx, requester):
        raise PermissionDenied(t("err.denied", what=t("claim.what.decide", id=claim_id, handle=requester.handle)))
    if entry.kind != "request":
        raise Conflict(t("claim.err.not_pending_granted", id=claim_id))
    return entry, requester


def _decision_customer(ctx: Ctx, request: OwnershipEntry) -> Customer:
    """The request's customer under a lock. Team server: a customer another team holds, which the requester's
    manager cannot read, as `claim add` told it (name, holder), never locked nor written."""
    if ctx.session.get(Customer, request.customer_id) is not None:
        return lock_customer(ctx, request.customer_id)
    from salesctl.rls import claim_target
    from salesctl.services.customers.duplicates import Duplicate

    target = claim_target(ctx.session, request.customer_id)
    if target is None:
        raise NotFound(t("claim.err.no_claim", id=request.id))
    return _held_elsewhere(ctx, Duplicate(*target, matched_on="id"))


def _existing_decision(ctx: Ctx, request: OwnershipEntry) -> None:
    """One decision per request (a hidden customer's row cannot be locked: decisions serialise here)."""
    from salesctl.db import lock_uniqueness

    lock_uniqueness(ctx.session, "claim_decision")
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
    customer = _decision_customer(ctx, request)
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
    customer = _decision_customer(ctx, request)
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

