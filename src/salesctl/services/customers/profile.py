"""Contacts, profile sections and grades of a customer (SPEC 1.4, 1.5): contacts, profile, regrade, grades."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.errors import InvalidInput, NotFound
from salesctl.messages import stored_text, t
from salesctl.models import (
    GRADES,
    PROFILE_SECTIONS,
    Contact,
    Customer,
    GradeChange,
    ProfileSection,
    Staff,
    live_customer,
)
from salesctl.permissions import (
    customer_scope,
    require_change_customer,
    require_see_customer,
    resolve_scope,
    scope_clause,
)
from salesctl.services.context import Ctx
from salesctl.services.customers.normalize import normalize_phone, phone_key
from salesctl.services.customers.customers import (
    _contact_snapshot,
    DuplicateCustomer,
    _refresh_incomplete,
    other_holder,
    primary_contact,
)
from salesctl.services.customers.reads import get_customer, show_customer
from salesctl.services.customers.validation import GROUP_BY, _clean, validate_email, validate_grade


# --------------------------------------------------------------------------- contacts
def add_contact(ctx: Ctx, ref: str, *, name: str, title: str | None = None, phone: str | None = None,
                email: str | None = None, decision_maker: bool = False, primary: bool = False,
                note: str | None = None) -> Contact:
    session = ctx.session
    customer = get_customer(ctx, ref, change=True)
    if not _clean(name):
        raise InvalidInput(t("customer.err.contact_name_required"))
    phone_value = normalize_phone(phone, "phone") if _clean(phone) else None
    email_value = validate_email(email)
    current = primary_contact(ctx, customer)
    make_primary = primary or current is None
    contact = Contact(customer_id=customer.id, name=_clean(name), title=_clean(title), phone=phone_value,
                      phone_norm=phone_key(phone_value), email=email_value, decision_maker=decision_maker,
                      is_primary=False, note=_clean(note), created_at=ctx.now, updated_at=ctx.now)
    session.add(contact)
    session.flush()
    if make_primary:
        _make_primary(ctx, customer, contact, current)
    customer.updated_at = ctx.now
    session.add(customer)
    session.flush()
    ctx.audit("customer.contact.add", "contact", contact.id, None, contact)
    return contact


def _make_primary(ctx: Ctx, customer: Customer, contact: Contact, current: Contact | None) -> None:
    if current is not None and current.id != contact.id:
        current.is_primary = False
        ctx.session.add(current)
        ctx.session.flush()  # one primary at a time
    contact.is_primary = True
    customer.phone_norm = contact.phone_norm
    ctx.session.add(contact)
    _refresh_incomplete(customer, contact)


def get_contact(ctx: Ctx, contact_id: int, *, change: bool = False) -> tuple[Contact, Customer]:
    contact = ctx.session.get(Contact, contact_id)
    if contact is None:
        from salesctl.rls import deny_if_hidden

        deny_if_hidden(ctx.session, "contact", contact_id, t("customer.what.contact", id=contact_id))
        raise NotFound(t("customer.err.no_contact", id=contact_id))
    customer = ctx.session.get(Customer, contact.customer_id)
    (require_change_customer if change else require_see_customer)(ctx, customer)
    return contact, customer


def edit_contact(ctx: Ctx, contact_id: int, *, name: str | None = None, title: str | None = None,
                 phone: str | None = None, email: str | None = None, decision_maker: bool | None = None,
                 primary: bool = False, note: str | None = None) -> Contact:
    session = ctx.session
    contact, customer = get_contact(ctx, contact_id, change=True)
    before = _contact_snapshot(contact)
    if name is not None and not _clean(name):
        raise InvalidInput(t("customer.err.contact_name_empty"))
    phone_value = normalize_phone(phone, "phone") if _clean(phone) else None
    email_value = validate_email(email) if email is not None else None
    if phone_value:
        holder = other_holder(session, customer.id, phone=phone_value)
        if holder is not None:
            raise DuplicateCustomer(holder)
    if name is not None:
        contact.name = _clean(name)
    if title is not None:
        contact.title = _clean(title)
    if phone is not None:
        contact.phone, contact.phone_norm = phone_value, phone_key(phone_value)
    if email is not None:
        contact.email = email_value
    if decision_maker is not None:
        contact.decision_maker = decision_maker
    if note is not None:
        contact.note = _clean(note)
    contact.updated_at = ctx.now
    session.add(contact)
    if primary:
        _make_primary(ctx, customer, contact, primary_contact(ctx, customer))
    if contact.is_primary:
        customer.phone_norm = contact.phone_norm
        _refresh_incomplete(customer, contact)
    customer.updated_at = ctx.now
    session.add(customer)
    session.flush()
    ctx.audit("customer.contact.edit", "contact", contact.id, before, contact)
    return contact


# --------------------------------------------------------------------------- profile
def validate_section(text: str) -> str:
    value = (text or "").strip().lower()
    if value not in PROFILE_SECTIONS:
        raise InvalidInput(t("customer.err.bad_section", value=text, accepted=", ".join(PROFILE_SECTIONS)))
    return value


def profile_text(ctx: Ctx, ref: str, section: str) -> tuple[Customer, str]:
    customer = get_customer(ctx, ref, change=True)
    record = ctx.session.exec(select(ProfileSection).where(
        ProfileSection.customer_id == customer.id, ProfileSection.section == section)).first()
    return customer, record.text if record else ""


def set_profile(ctx: Ctx, ref: str, section: str, text: str, *, append: bool = False) -> ProfileSection:
    session = ctx.session
    section = validate_section(section)
    customer = get_customer(ctx, ref, change=True)
    body = (text or "").strip()
    if not body:
        raise InvalidInput(t("customer.err.text_empty"))
    record = session.exec(select(ProfileSection).where(
        ProfileSection.customer_id == customer.id, ProfileSection.section == section)).first()
    before = _contact_snapshot(record) if record else None
    if record is None:
        record = ProfileSection(customer_id=customer.id, section=section, text=body)
    elif append and record.text:
        record.text = f"{record.text.rstrip()}\n\n{body}"
    else:
        record.text = body
    record.updated_by_id = ctx.actor.id
    record.updated_at = ctx.now
    customer.updated_at = ctx.now
    session.add(record)
    session.add(customer)
    session.flush()
    ctx.audit("customer.profile", "profile_section", record.id, before, record)
    return record


def profile_rows(ctx: Ctx, ref: str) -> list[dict]:
    return show_customer(ctx, ref, visits=0)["profile"]


# --------------------------------------------------------------------------- grading
def regrade(ctx: Ctx, ref: str, grade: str, reason: str | None) -> tuple[Customer, GradeChange | None, str]:
    """A grade set by hand: from/to/who/when/why kept in the history. Returns (customer, change or None, old grade)."""
    from salesctl.services.customers.grading import set_grade

    grade_value = validate_grade(grade, "GRADE")
    if not _clean(reason):
        raise InvalidInput(t("customer.err.reason_required"))
    customer = get_customer(ctx, ref, change=True)
    old = customer.grade
    change = set_grade(ctx, customer, grade_value, reason=_clean(reason), source="hand")
    return customer, change, old


@dataclass
class AutoRegrade:
    changes: list[dict] = field(default_factory=list)  # {customer_id, customer, from, to, rule}
    review: list[dict] = field(default_factory=list)  # {customer_id, customer, expected_purchase, rule}
    held: int = 0
    checked: int = 0
    outside: int = 0  # won, paused or lost: outside the A–D drift


OUTSIDE_DRIFT = ("won", "paused", "lost")


def _hand_set_recently(since: datetime):
    """EXISTS: a grade chosen by a person (not computed by a rule) on or after `since`."""
    return exists().where(
        GradeChange.customer_id == Customer.id,
        GradeChange.at >= since,
        GradeChange.rule.is_(None),
        GradeChange.source != "rule",
    )


def auto_regrade(ctx: Ctx, *, dry_run: bool = False, mine: bool = False, team: bool = False,
                 manager: str | None = None, rep: str | None = None, all_: bool = False) -> AutoRegrade:
    """SPEC 1.4's written rules over the customers in scope; idempotent; `dry_run` writes nothing."""
    from salesctl.policy import section
    from salesctl.services.customers.grading import grade_for, set_grade

    policy = section("grading")
    hold_days = int(policy.get("manual_hold_days", 14))
    scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    held_expr = _hand_set_recently(ctx.now - timedelta(days=hold_days))
    stmt = select(Customer.id, Customer.name, Customer.grade, Customer.expected_purchase, held_expr.label("held"),
                  Customer.status).where(live_customer())
    visible = customer_scope(ctx)
    if visible is not None:
        stmt = stmt.where(visible)
    if mine or team or manager or rep:
        clause = scope_clause(scope, Customer.owner_id)
        if clause is not None:
            stmt = stmt.where(clause)
    outcome = AutoRegrade()
    today = ctx.today
    result = ctx.session.execute(stmt.order_by(Customer.id), execution_options={"yield_per": 1000})
    for customer_id, name, current, expected, held, status in result:
        outcome.checked += 1
        if status in OUTSIDE_DRIFT:  # won, paused and lost customers keep their grade (issue 16)
            outcome.outside += 1
            continue
        if held:
            outcome.held += 1
            continue
        if expected is None:
            # no expected purchase date: the grade a person set stays; the owner is asked to review it
            if current != "D":
                outcome.review.append({"customer_id": customer_id, "customer": name, "expected_purchase": None,
                                       "rule": stored_text("handbook.review.no_date", grade=current)})
            continue
        rule = grade_for(expected, today, policy)
        if rule.grade is None:
            outcome.review.append({"customer_id": customer_id, "customer": name, "expected_purchase": expected,
                                   "rule": rule.rule})
        elif rule.grade != current:
            outcome.changes.append({"customer_id": customer_id, "customer": name, "from": current, "to": rule.grade,
                                    "rule": rule.rule})
    result.close()
    if dry_run or not outcome.changes:
        return outcome
    for start in range(0, len(outcome.changes), 500):
        chunk = outcome.changes[start:start + 500]
        customers = {c.id: c for c in ctx.session.exec(
            select(Customer).where(Customer.id.in_([c["customer_id"] for c in chunk])))}
        for change in chunk:
            set_grade(ctx, customers[change["customer_id"]], change["to"], reason=stored_text("customer.reason.auto"),
                      source="rule", rule=change["rule"])
    return outcome


def grade_distribution(ctx: Ctx, *, by: str | None = None, mine: bool = False, team: bool = False,
                       manager: str | None = None, rep: str | None = None, all_: bool = False):
    """Counts per grade (GROUP BY in SQL): {"A": n, …}, or rows {by, A, B, C, D} with `by`."""
    if by is not None and by not in GROUP_BY:
        raise InvalidInput(t("customer.err.bad_group_by", value=by, accepted=", ".join(GROUP_BY)))
    scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    owner = aliased(Staff)
    key = {"owner": owner.handle, "region": Customer.region, "industry": Customer.industry}.get(by or "")
    columns = ([key.label("key")] if key is not None else []) + [Customer.grade, func.count(Customer.id)]
    stmt = select(*columns).select_from(Customer).where(live_customer())
    if by == "owner":
        stmt = stmt.join(owner, owner.id == Customer.owner_id, isouter=True)
    visible = customer_scope(ctx)
    if visible is not None:
        stmt = stmt.where(visible)
    if mine or team or manager or rep:
        clause = scope_clause(scope, Customer.owner_id)
        if clause is not None:
            stmt = stmt.where(clause)
    group = ([key] if key is not None else []) + [Customer.grade]
    stmt = stmt.group_by(*group)
    if key is None:
        counts = {g: 0 for g in GRADES}
        for grade, n in ctx.session.execute(stmt):
            counts[grade] = counts.get(grade, 0) + int(n)
        return counts
    rows: dict = {}
    for value, grade, n in ctx.session.execute(stmt):
        row = rows.setdefault(value, {by: value, **{g: 0 for g in GRADES}})
        row[grade] = row.get(grade, 0) + int(n)
    return sorted(rows.values(), key=lambda r: (r[by] is None, str(r[by] or "")))


