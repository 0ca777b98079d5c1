"""The customer archive (SPEC 1.4, 1.6): adding, editing, listing, showing, grading and the history of customers.

Every function takes a `Ctx`; permissions come from `salesctl.permissions`, the
owner moves only through `services.ownership`, grades only through
`services.grading.set_grade`, and every write leaves an audit entry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterator

from sqlalchemy import and_, exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import label, t
from salesctl.models import (
    GRADES,
    PROFILE_SECTIONS,
    Contact,
    Customer,
    GradeChange,
    OwnershipEntry,
    ProfileSection,
    Staff,
    Visit,
)
from salesctl.permissions import (
    customer_scope,
    is_manager_of,
    may_act_for,
    require_change_customer,
    require_manager_of,
    require_see_customer,
    resolve_scope,
    scope_clause,
)
from salesctl.services.context import Ctx
from salesctl.services.customers.duplicates import Duplicate, find_duplicate
from salesctl.directory import find_staff
from salesctl.services.customers.lookup import find_customer
from salesctl.services.customers.normalize import normalize_name, normalize_phone, phone_key

# the handbook's five required fields of the new-customer form (name is the argument)
REQUIRED_FLAGS = ("--contact", "--title", "--phone", "--status")
SORTS = ("name", "grade", "last_contact", "created")
GROUP_BY = ("owner", "region", "industry")
STATUS_WORDS = {
    "following": "following", "跟进中": "following", "跟进": "following",
    "won": "won", "已成交": "won", "成交": "won",
    "paused": "paused", "暂停": "paused",
    "lost": "lost", "流失": "lost", "已流失": "lost",
}
STATUS_ACCEPTED = "跟进中/following, 已成交/won, 暂停/paused, 流失/lost"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_HOST = re.compile(r"^[a-z0-9\u00a1-\uffff]([a-z0-9\u00a1-\uffff-]*[a-z0-9\u00a1-\uffff])?(\.[a-z0-9\u00a1-\uffff]([a-z0-9\u00a1-\uffff-]*[a-z0-9\u00a1-\uffff])?)+(:\d{1,5})?$", re.IGNORECASE)
NONE_WORDS = ("none", "-", "无")


# --------------------------------------------------------------------------- validation
def validate_status(text: str | None, field: str = "status") -> str:
    """跟进中/following, 已成交/won, 暂停/paused, 流失/lost (either language) → the English key."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    key = STATUS_WORDS.get(value.lower()) or STATUS_WORDS.get(value)
    if key is None:
        raise InvalidInput(t("customer.err.bad_status", field=field, value=text, accepted=STATUS_ACCEPTED))
    return key


def validate_grade(text: str | None, field: str = "grade") -> str:
    value = unicodedata.normalize("NFKC", text or "").strip().upper()
    if value not in GRADES:
        raise InvalidInput(t("customer.err.bad_grade", field=field, value=text, accepted=", ".join(GRADES)))
    return value


def validate_email(text: str | None, field: str = "email") -> str | None:
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return None
    if not _EMAIL.match(value):
        raise InvalidInput(t("customer.err.bad_email", field=field, value=text))
    return value.lower() if value.isascii() else value


def validate_url(text: str | None, field: str = "website") -> str | None:
    """A web address; without a scheme https:// is assumed (stored with its scheme)."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return None
    m = re.match(r"^(https?)://([^/?#\s]+)([^\s]*)$", value, re.IGNORECASE)
    if m is None and "://" not in value:
        m = re.match(r"^()([^/?#\s]+)([^\s]*)$", value)
    if m is None or not _HOST.match(m.group(2)):
        raise InvalidInput(t("customer.err.bad_url", field=field, value=text))
    scheme = (m.group(1) or "https").lower()
    return f"{scheme}://{m.group(2).lower()}{m.group(3)}"


def parse_expected(text: str | date | None, today: date, field: str = "expected-purchase") -> date | None:
    if text is None or isinstance(text, date):
        return text
    if text.strip().lower() in NONE_WORDS or not text.strip():
        return None
    from salesctl.periods import parse_date

    return parse_date(text, field, today)


def _clean(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def _same_industry(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def check_industry(owner: Staff, industry: str | None) -> None:
    """SPEC 1.6: a rep sells only within their own industry ('*' = any industry)."""
    if owner.role != "rep" or not owner.industry or owner.industry.strip() == "*" or not industry:
        return
    if not _same_industry(owner.industry, industry):
        raise Conflict(t("customer.err.cross_industry", handle=owner.handle, own=owner.industry, industry=industry),
                       hint=t("customer.hint.claim_add"))


def _resolve_owner(ctx: Ctx, owner: str | Staff | None) -> Staff:
    """The owner of a new customer: given (and allowed), or the acting user; assistants must name one."""
    actor = ctx.actor
    if owner is None:
        if actor.role == "assistant":
            raise InvalidInput(t("customer.err.assistant_owner"))
        return actor
    person = owner if isinstance(owner, Staff) else find_staff(ctx.session, owner, "owner")
    if person.id != actor.id and not may_act_for(ctx, person):
        raise PermissionDenied(t("err.denied", what=t("customer.denied.add_for", handle=person.handle)))
    _check_owner_fit(person)
    return person


def _check_owner_fit(person: Staff) -> None:
    if not person.active:
        raise InvalidInput(t("customer.err.owner_inactive", handle=person.handle))
    if person.role == "assistant":
        raise InvalidInput(t("customer.err.owner_assistant", handle=person.handle))


class DuplicateCustomer(Conflict):
    """A customer that is already in the archive (exit 5); `.duplicate` says which (name, owner, first report)."""

    def __init__(self, duplicate: Duplicate):
        when = duplicate.first_reported_at
        from salesctl.periods import local_tz

        text = when.astimezone(local_tz()).strftime("%Y-%m-%d %H:%M") if when else "?"
        super().__init__(
            t("customer.err.duplicate", name=duplicate.name, owner=duplicate.owner or t("customer.pool"),
              at=text, on=label("customer_match", duplicate.matched_on)),
            hint=t("customer.hint.force_claim"),
        )
        self.duplicate = duplicate


# --------------------------------------------------------------------------- create
def create_customer(
    ctx: Ctx,
    *,
    name: str,
    contact: str | None,
    title: str | None,
    phone: str | None,
    status: str | None,
    industry: str | None = None,
    region: str | None = None,
    address: str | None = None,
    website: str | None = None,
    email: str | None = None,
    grade: str | None = None,
    expected_purchase: str | date | None = None,
    owner: str | Staff | None = None,
    allow_incomplete: bool = False,
    pool: bool = False,
    contact_email: str | None = None,
    decision_maker: bool = False,
    reason: str | None = None,
    grade_source: str = "create",
    check_duplicates: bool = True,
) -> Customer:
    """Add a customer exactly as `customer add` does: validate, check permission, duplicates and industry.

    The five handbook fields are required unless `allow_incomplete` (then the
    customer is flagged `incomplete`). `pool=True` adds an unowned customer (a
    lead waiting for assignment; reported_by is the actor). Raises InvalidInput
    (2), PermissionDenied (3), DuplicateCustomer / Conflict (5). Writes the
    customer, its primary contact, the first ownership entry (kind "report"),
    the first grade (source "create") and an audit entry.
    """
    session = ctx.session
    name = _clean(name)
    missing = [] if name else ["NAME"]
    values = {"--contact": _clean(contact), "--title": _clean(title), "--phone": _clean(phone), "--status": _clean(status)}
    missing += [flag for flag in REQUIRED_FLAGS if values[flag] is None]
    if missing and (not allow_incomplete or not name):
        raise InvalidInput(t("customer.err.missing", flags=", ".join(missing)))
    name_norm = normalize_name(name)
    if not name_norm:
        raise InvalidInput(t("customer.err.name_no_letters", flag="NAME", name=name))
    phone_value = normalize_phone(values["--phone"], "phone") if values["--phone"] else None
    status_key = validate_status(values["--status"]) if values["--status"] else "following"
    grade_value = validate_grade(grade) if grade is not None else None  # `--grade ''` is refused, not ignored
    email_value = validate_email(email)
    contact_email_value = validate_email(contact_email, "contact-email")
    website_value = validate_url(website)
    expected = parse_expected(expected_purchase, ctx.today)

    owner_staff = None if pool else _resolve_owner(ctx, owner)
    basis = owner_staff or ctx.actor
    industry_value = _clean(industry) or (basis.industry if basis.industry and basis.industry != "*" else None)
    region_value = _clean(region) or basis.region

    if check_duplicates:
        duplicate = find_duplicate(session, name, [phone_value])
        if duplicate is not None:
            raise DuplicateCustomer(duplicate)
    elif session.exec(select(Customer.id).where(Customer.name_norm == name_norm)).first() is not None:
        raise Conflict(t("customer.err.name_taken", name=name))
    if owner_staff is not None:
        check_industry(owner_staff, industry_value)

    if grade_value is not None:
        rule_text = None
    else:
        rule = _grade_rule(expected, ctx.today)
        grade_value, rule_text = rule

    now = ctx.now
    reporter = owner_staff or ctx.actor
    customer = Customer(
        name=name, name_norm=name_norm, phone_norm=phone_key(phone_value), industry=industry_value,
        region=region_value, address=_clean(address), website=website_value, email=email_value,
        status=status_key, grade=grade_value, expected_purchase=expected, owner_id=None,
        reported_by_id=reporter.id, reported_at=now, incomplete=bool(missing),
        created_at=now, updated_at=now, created_by_id=ctx.actor.id,
    )
    session.add(customer)
    session.flush()
    primary = None
    if values["--contact"] or values["--title"] or phone_value or contact_email_value:
        primary = Contact(customer_id=customer.id, name=values["--contact"] or "", title=values["--title"],
                          phone=phone_value, phone_norm=phone_key(phone_value), email=contact_email_value,
                          decision_maker=decision_maker, is_primary=True, created_at=now, updated_at=now)
        session.add(primary)
        session.flush()
    from salesctl.services.customers.grading import set_grade
    from salesctl.services.customers.ownership import change_owner

    change_owner(ctx, customer, owner_staff.id if owner_staff else None, "report",
                 staff_id=reporter.id, note="pool" if pool else None)
    set_grade(ctx, customer, grade_value, reason=reason or t("customer.reason.new"), source=grade_source, rule=rule_text)
    ctx.audit("customer.add", "customer", customer.id, None,
              {**_snapshot(customer), "contact": _contact_snapshot(primary)})
    return customer


def _grade_rule(expected: date | None, today: date) -> tuple[str, str]:
    """The automatic grade for a new customer; a past date (needs review) gives D."""
    from salesctl.services.customers.grading import grade_for

    rule = grade_for(expected, today)
    if rule.grade is None:
        return "D", f"{rule.rule} → D"
    return rule.grade, rule.rule


def _snapshot(customer: Customer) -> dict:
    from salesctl.audit import snapshot

    return snapshot(customer)


def _contact_snapshot(contact: Contact | None) -> dict | None:
    if contact is None:
        return None
    from salesctl.audit import snapshot

    return snapshot(contact)


@dataclass
class AddOutcome:
    """What `customer add` did: a new customer, or (--force-claim on a duplicate) a claim request."""

    customer: Customer | None = None
    request: OwnershipEntry | None = None
    duplicate: Duplicate | None = None
    holder: str | None = None


def add_customer(ctx: Ctx, *, force_claim: bool = False, need: str | None = None, **fields) -> AddOutcome:
    """`customer add`: create_customer, or turn a duplicate into a claim request when --force-claim."""
    if force_claim and not _clean(need):
        raise InvalidInput(t("err.force_claim_need"))
    try:
        return AddOutcome(customer=create_customer(ctx, **fields))
    except DuplicateCustomer as exc:
        if not force_claim:
            raise
        duplicate = exc.duplicate
    from salesctl.services.customers.ownership import record_entry

    existing = ctx.session.get(Customer, duplicate.customer_id)
    requester = _resolve_owner(ctx, fields.get("owner"))
    if existing.owner_id == requester.id:
        raise Conflict(t("customer.err.already_yours", name=existing.name, handle=requester.handle))
    entry = record_entry(ctx, existing, "request", staff_id=requester.id, need=_clean(need),
                         note="customer add --force-claim")
    return AddOutcome(request=entry, duplicate=duplicate, holder=duplicate.owner)


# --------------------------------------------------------------------------- rows
def _row_select():
    owner = aliased(Staff, name="owner_staff")
    reporter = aliased(Staff, name="reporter_staff")
    primary = aliased(Contact, name="primary_contact")
    stmt = (
        select(
            Customer.id, Customer.name, Customer.grade, Customer.status,
            owner.handle.label("owner"), reporter.handle.label("reported_by"), Customer.reported_at,
            Customer.industry, Customer.region, Customer.last_contact_at, Customer.expected_purchase,
            Customer.address, primary.phone.label("phone"), primary.name.label("contact"), Customer.incomplete,
        )
        .select_from(Customer)
        .join(owner, owner.id == Customer.owner_id, isouter=True)
        .join(reporter, reporter.id == Customer.reported_by_id, isouter=True)
        .join(primary, and_(primary.customer_id == Customer.id, primary.is_primary == True), isouter=True)  # noqa: E712
    )
    return stmt, primary


ROW_KEYS = ("id", "name", "grade", "status", "owner", "reported_by", "reported_at", "industry", "region",
            "last_contact_at", "expected_purchase", "address", "phone", "contact", "incomplete")


def _as_row(record) -> dict:
    row = dict(zip(ROW_KEYS, record))
    row["incomplete"] = bool(row["incomplete"])
    return row


def customer_row(ctx: Ctx, customer_id: int) -> dict:
    stmt, _ = _row_select()
    record = ctx.session.execute(stmt.where(Customer.id == customer_id)).first()
    return _as_row(record)


def _csv_list(text: str | None) -> list[str]:
    return [part.strip() for part in re.split(r"[,，]", text or "") if part.strip()]


def list_customers(
    ctx: Ctx,
    *,
    grade: str | None = None,
    mine: bool = False,
    team: bool = False,
    manager: str | None = None,
    rep: str | None = None,
    all_: bool = False,
    region: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    stale: int | None = None,
    search: str | None = None,
    incomplete: bool = False,
    sort: str | None = None,
    limit: int | None = None,
) -> Iterator[dict]:
    """Customers the actor may see, filtered; streamed from the database (never the whole table in memory)."""
    stmt, primary = _row_select()
    grades = [validate_grade(g) for g in _csv_list(grade)] or ([validate_grade(grade)] if grade is not None else [])
    statuses = [validate_status(s) for s in _csv_list(status)] or ([validate_status(status)] if status is not None else [])
    if sort is not None and sort not in SORTS:
        raise InvalidInput(t("customer.err.bad_sort", value=sort, accepted=", ".join(SORTS)))
    if stale is not None and stale < 0:
        raise InvalidInput(t("customer.err.negative_stale", value=stale))
    scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    visible = customer_scope(ctx)
    if visible is not None:
        stmt = stmt.where(visible)
    if mine or team or manager or rep:
        clause = scope_clause(scope, Customer.owner_id)
        if clause is not None:
            stmt = stmt.where(clause)
    if grades:
        stmt = stmt.where(Customer.grade.in_(grades))
    if statuses:
        stmt = stmt.where(Customer.status.in_(statuses))
    regions = _csv_list(region)
    if regions:
        stmt = stmt.where(Customer.region.in_(regions))
    industries = _csv_list(industry)
    if industries:
        stmt = stmt.where(Customer.industry.in_(industries))
    if incomplete:
        stmt = stmt.where(Customer.incomplete == True)  # noqa: E712
    if stale is not None:
        cutoff = ctx.now - timedelta(days=stale)
        stmt = stmt.where(or_(Customer.last_contact_at < cutoff,
                              and_(Customer.last_contact_at.is_(None), Customer.created_at < cutoff)))
    if search and search.strip():
        text = search.strip()
        conditions = [Customer.name.contains(text, autoescape=True), primary.name.contains(text, autoescape=True)]
        norm = normalize_name(text)
        if norm:
            conditions.append(Customer.name_norm.contains(norm, autoescape=True))
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 4 and len(digits) >= len(text.replace(" ", "").replace("-", "")) - 1:
            conditions.append(Customer.phone_norm.contains(digits, autoescape=True))
        stmt = stmt.where(or_(*conditions))
    order = {
        "name": (Customer.name, Customer.id),
        "grade": (Customer.grade, Customer.name, Customer.id),
        "last_contact": (Customer.last_contact_at.is_not(None), Customer.last_contact_at, Customer.id),
        "created": (Customer.created_at, Customer.id),
    }.get(sort or "", (Customer.id,))
    stmt = stmt.order_by(*order)
    if limit:
        stmt = stmt.limit(limit)
    result = ctx.session.execute(stmt, execution_options={"yield_per": 500})
    try:
        for record in result:
            yield _as_row(record)
    finally:
        result.close()


# --------------------------------------------------------------------------- show
def get_customer(ctx: Ctx, ref: str, *, change: bool = False) -> Customer:
    customer = find_customer(ctx, ref)
    if change:
        require_change_customer(ctx, customer)
    else:
        require_see_customer(ctx, customer)
    return customer


def _handles(ctx: Ctx, ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(ctx.session.execute(select(Staff.id, Staff.handle).where(Staff.id.in_(wanted))).all())


def contact_rows(ctx: Ctx, customer: Customer) -> list[dict]:
    contacts = ctx.session.exec(
        select(Contact).where(Contact.customer_id == customer.id).order_by(Contact.is_primary.desc(), Contact.id)
    ).all()
    return [_contact_row(c) for c in contacts]


def _contact_row(c: Contact) -> dict:
    return {"id": c.id, "name": c.name, "title": c.title, "phone": c.phone, "email": c.email,
            "decision_maker": bool(c.decision_maker), "primary": bool(c.is_primary), "note": c.note}


def show_customer(ctx: Ctx, ref: str, *, visits: int = 5) -> dict:
    """All fields, contacts, profile sections, grade history, the ownership ledger and the last visits."""
    session = ctx.session
    customer = get_customer(ctx, ref)
    row = customer_row(ctx, customer.id)
    grade_changes = session.exec(
        select(GradeChange).where(GradeChange.customer_id == customer.id).order_by(GradeChange.at, GradeChange.id)
    ).all()
    entries = session.exec(
        select(OwnershipEntry).where(OwnershipEntry.customer_id == customer.id).order_by(OwnershipEntry.id)
    ).all()
    sections = session.exec(select(ProfileSection).where(ProfileSection.customer_id == customer.id)).all()
    contact_alias = aliased(Contact)
    recent = session.execute(
        select(Visit, Staff.handle, contact_alias.name)
        .join(Staff, Staff.id == Visit.rep_id)
        .join(contact_alias, contact_alias.id == Visit.contact_id, isouter=True)
        .where(Visit.customer_id == customer.id)
        .order_by(Visit.at.desc(), Visit.id.desc())
        .limit(visits)
    ).all()
    people = _handles(ctx, [customer.created_by_id]
                      + [g.by_id for g in grade_changes]
                      + [x for e in entries for x in (e.staff_id, e.from_owner_id, e.to_owner_id, e.by_id)]
                      + [s.updated_by_id for s in sections])
    order = {name: i for i, name in enumerate(PROFILE_SECTIONS)}
    row.update({
        "website": customer.website,
        "email": customer.email,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
        "created_by": people.get(customer.created_by_id),
        "contacts": contact_rows(ctx, customer),
        "profile": [
            {"section": s.section, "text": s.text, "updated_by": people.get(s.updated_by_id), "updated_at": s.updated_at}
            for s in sorted(sections, key=lambda s: order.get(s.section, 99))
        ],
        "grade_history": [
            {"id": g.id, "from": g.from_grade, "to": g.to_grade, "by": people.get(g.by_id), "at": g.at,
             "reason": g.reason, "source": g.source, "rule": g.rule, "visit_id": g.visit_id}
            for g in grade_changes
        ],
        "claims": [
            {"id": e.id, "kind": e.kind, "handle": people.get(e.staff_id), "at": e.at, "need": e.need,
             "from": people.get(e.from_owner_id), "to": people.get(e.to_owner_id), "by": people.get(e.by_id),
             "note": e.note}
            for e in entries
        ],
        "last_visits": [
            {"id": v.id, "at": v.at, "kind": v.kind, "rep": handle, "contact": contact_name, "content": v.content,
             "result": v.result, "next_step": v.next_step, "follow_up": v.follow_up}
            for v, handle, contact_name in recent
        ],
    })
    return row


# --------------------------------------------------------------------------- edit
def _other_with_name(session, norm: str, customer_id: int) -> Customer | None:
    return session.exec(select(Customer).where(Customer.name_norm == norm, Customer.id != customer_id)).first()


def _other_with_phone(session, key: str, customer_id: int) -> Customer | None:
    match = session.exec(
        select(Customer).where(Customer.phone_norm == key, Customer.id != customer_id).limit(1)
    ).first()
    if match is None:
        contact = session.exec(
            select(Contact).where(Contact.phone_norm == key, Contact.customer_id != customer_id).limit(1)
        ).first()
        match = session.get(Customer, contact.customer_id) if contact else None
    return match


def _duplicate_of(ctx: Ctx, match: Customer, on: str) -> DuplicateCustomer:
    owner = ctx.session.get(Staff, match.owner_id) if match.owner_id else None
    return DuplicateCustomer(Duplicate(match.id, match.name, owner.handle if owner else None, match.reported_at, on))


def primary_contact(ctx: Ctx, customer: Customer) -> Contact | None:
    return ctx.session.exec(
        select(Contact).where(Contact.customer_id == customer.id, Contact.is_primary == True)  # noqa: E712
    ).first()


def _refresh_incomplete(customer: Customer, primary: Contact | None) -> None:
    customer.incomplete = not (primary and primary.name and primary.title and primary.phone and customer.status)


def edit_customer(
    ctx: Ctx,
    ref: str,
    *,
    name: str | None = None,
    contact: str | None = None,
    title: str | None = None,
    phone: str | None = None,
    status: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    address: str | None = None,
    website: str | None = None,
    email: str | None = None,
    grade: str | None = None,
    expected_purchase: str | None = None,
    owner: str | None = None,
    reason: str | None = None,
) -> Customer:
    """Change fields; `owner` is a manager's transfer (ledger kind "transfer"); a grade goes to the history."""
    session = ctx.session
    given = [name, contact, title, phone, status, industry, region, address, website, email, grade,
             expected_purchase, owner]
    if all(value is None for value in given):
        raise InvalidInput(t("customer.err.nothing_to_edit"))
    customer = get_customer(ctx, ref, change=True)
    before = _snapshot(customer)
    primary = primary_contact(ctx, customer)
    before_contact = _contact_snapshot(primary)
    # validate everything before changing anything
    new_name = _clean(name)
    new_norm = normalize_name(new_name) if new_name else None
    if new_name is not None and not new_norm:
        raise InvalidInput(t("customer.err.name_no_letters", flag="--name", name=name))
    new_phone = normalize_phone(phone, "phone") if _clean(phone) else None
    new_status = validate_status(status) if status is not None else None
    new_grade = validate_grade(grade) if grade is not None else None
    new_email = validate_email(email) if email is not None else None
    new_website = validate_url(website) if website is not None else None
    expected_given = expected_purchase is not None
    new_expected = parse_expected(expected_purchase, ctx.today) if expected_given else None
    new_owner = None
    if owner is not None:
        new_owner = find_staff(session, owner, "owner")
        if ctx.actor.role == "rep" or not is_manager_of(ctx, new_owner):
            raise PermissionDenied(t("err.denied", what=t("customer.denied.move_owner")))
        current = session.get(Staff, customer.owner_id) if customer.owner_id else None
        if current is not None:
            require_manager_of(ctx, current, "--owner (a manager of both owners moves customers)")
        _check_owner_fit(new_owner)
    if new_norm and new_norm != customer.name_norm:
        match = _other_with_name(session, new_norm, customer.id)
        if match is not None:
            raise _duplicate_of(ctx, match, "name")
    if new_phone:
        match = _other_with_phone(session, phone_key(new_phone), customer.id)
        if match is not None:
            raise _duplicate_of(ctx, match, "phone")
    new_industry = _clean(industry) if industry is not None else customer.industry
    holder = new_owner or (session.get(Staff, customer.owner_id) if customer.owner_id else None)
    if holder is not None and industry is not None and new_owner is None:
        check_industry(holder, new_industry)

    if new_name:
        customer.name, customer.name_norm = new_name, new_norm
    if new_status:
        customer.status = new_status
    if industry is not None:
        customer.industry = new_industry
    if region is not None:
        customer.region = _clean(region)
    if address is not None:
        customer.address = _clean(address)
    if website is not None:
        customer.website = new_website
    if email is not None:
        customer.email = new_email
    if expected_given:
        customer.expected_purchase = new_expected
    if contact is not None or title is not None or new_phone:
        if primary is None:
            primary = Contact(customer_id=customer.id, name="", is_primary=True, created_at=ctx.now, updated_at=ctx.now)
        if contact is not None:
            primary.name = _clean(contact) or ""
        if title is not None:
            primary.title = _clean(title)
        if new_phone:
            primary.phone, primary.phone_norm = new_phone, phone_key(new_phone)
            customer.phone_norm = phone_key(new_phone)
        primary.updated_at = ctx.now
        session.add(primary)
    _refresh_incomplete(customer, primary)
    customer.updated_at = ctx.now
    session.add(customer)
    session.flush()
    ctx.audit("customer.edit", "customer", customer.id, {**before, "contact": before_contact},
              {**_snapshot(customer), "contact": _contact_snapshot(primary)})
    if new_grade is not None:
        from salesctl.services.customers.grading import set_grade

        set_grade(ctx, customer, new_grade, reason=_clean(reason) or t("customer.reason.edit"), source="hand")
    if new_owner is not None and new_owner.id != customer.owner_id:
        from salesctl.services.customers.ownership import change_owner

        change_owner(ctx, customer, new_owner.id, "transfer", staff_id=new_owner.id, note=_clean(reason))
    return customer


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
        match = _other_with_phone(session, phone_key(phone_value), customer.id)
        if match is not None:
            raise _duplicate_of(ctx, match, "phone")
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
    stmt = select(Customer.id, Customer.name, Customer.grade, Customer.expected_purchase, held_expr.label("held"))
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
    for customer_id, name, current, expected, held in result:
        outcome.checked += 1
        if held:
            outcome.held += 1
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
            set_grade(ctx, customers[change["customer_id"]], change["to"], reason=t("customer.reason.auto"),
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
    stmt = select(*columns).select_from(Customer)
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


# --------------------------------------------------------------------------- history
def history(ctx: Ctx, ref: str) -> list[dict]:
    """One timeline: creation, grade changes, visits (with a grade set at the visit as one event), owner changes."""
    session = ctx.session
    customer = get_customer(ctx, ref)
    grade_changes = session.exec(
        select(GradeChange).where(GradeChange.customer_id == customer.id).order_by(GradeChange.at, GradeChange.id)
    ).all()
    entries = session.exec(
        select(OwnershipEntry).where(OwnershipEntry.customer_id == customer.id).order_by(OwnershipEntry.id)
    ).all()
    visits = session.exec(
        select(Visit).where(Visit.customer_id == customer.id).order_by(Visit.at, Visit.id)
    ).all()
    people = _handles(ctx, [customer.created_by_id, customer.reported_by_id]
                      + [g.by_id for g in grade_changes] + [v.rep_id for v in visits]
                      + [x for e in entries for x in (e.staff_id, e.from_owner_id, e.to_owner_id, e.by_id)])
    visit_ids = {v.id for v in visits}
    # a grade set at a visit (visit log --grade) is shown with that visit, as one event
    by_visit = {g.visit_id: g for g in grade_changes if g.visit_id in visit_ids}
    events: list[tuple] = []

    # the first grade has no "from": set at creation, or by an import
    first_grade = next((g for g in grade_changes if g.from_grade is None and g.source in ("create", "import")), None)
    first_report = next((e for e in entries if e.kind == "report"), None)
    created_text = t("customer.history.created", reporter=people.get(customer.reported_by_id) or "?",
                     grade=first_grade.to_grade if first_grade else customer.grade)
    if first_report is not None and first_report.to_owner_id is None:
        created_text += " " + t("customer.history.into_pool")
    events.append((customer.created_at, 0, 0, {
        "event": "created", "by": people.get(customer.created_by_id), "text": created_text,
        "from": None, "to": first_grade.to_grade if first_grade else None,
        "visit_id": None, "grade_change_id": first_grade.id if first_grade else None,
        "entry_id": first_report.id if first_report else None,
    }))
    for g in grade_changes:
        if g is first_grade or by_visit.get(g.visit_id) is g:
            continue
        why = g.reason or ""
        if g.rule:
            why = f"{why} ({g.rule})" if why else g.rule
        events.append((g.at, 1, g.id, {
            "event": "grade", "by": people.get(g.by_id),
            "text": t("customer.history.grade", old=g.from_grade or "-", new=g.to_grade, why=why).rstrip(" :："),
            "from": g.from_grade, "to": g.to_grade, "visit_id": g.visit_id, "grade_change_id": g.id, "entry_id": None,
        }))
    for v in visits:
        g = by_visit.get(v.id)
        text = " · ".join(x for x in (label("visit_kind", v.kind), v.content, v.result) if x)
        if g is not None:
            text += " " + t("customer.history.visit_grade", old=g.from_grade or "-", new=g.to_grade)
        events.append((v.at, 2, v.id, {
            "event": "visit", "by": people.get(v.rep_id), "text": text,
            "from": g.from_grade if g else None, "to": g.to_grade if g else None,
            "visit_id": v.id, "grade_change_id": g.id if g else None, "entry_id": None,
        }))
    for e in entries:
        if e is first_report:
            continue
        granting = e.kind not in ("request", "reject", "duplicate")
        if granting:
            text = t("customer.history.owner", kind=label("customer_ledger", e.kind), old=people.get(e.from_owner_id) or t("customer.pool"),
                     new=people.get(e.to_owner_id) or t("customer.pool"))
        else:
            text = t("customer.history.claim", kind=label("customer_ledger", e.kind), handle=people.get(e.staff_id) or "?")
        if e.need or e.note:
            text += f": {e.need or e.note}"
        events.append((e.at, 3, e.id, {
            "event": "owner" if granting else "claim", "by": people.get(e.by_id), "text": text,
            "from": people.get(e.from_owner_id), "to": people.get(e.to_owner_id),
            "visit_id": None, "grade_change_id": None, "entry_id": e.id,
        }))
    events.sort(key=lambda item: (item[0], item[1], item[2]))
    return [{"at": at, **data} for at, _order, _id, data in events]
