"""The customer archive's writes (SPEC 1.4, 1.6): adding and editing customers.

Every function takes a `Ctx`; permissions come from `salesctl.permissions`, the
owner moves only through `services.ownership`, grades only through
`services.grading.set_grade`, and every write leaves an audit entry. Reads are in
`services.customers.reads`, contacts, profiles and grades in `services.customers.profile`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from salesctl.errors import Conflict, InvalidInput, PermissionDenied
from salesctl.messages import label, stored_text, t
from salesctl.models import (
    Contact,
    Customer,
    OwnershipEntry,
    Staff,
)
from salesctl.permissions import is_manager_of, may_act_for, require_manager_of
from salesctl.services.context import Ctx
from salesctl.services.customers.duplicates import Duplicate, find_duplicate, find_possible
from salesctl.services.customers.matching import name_keys
from salesctl.directory import find_staff
from salesctl.services.customers.normalize import normalize_name, normalize_phone, phone_key
from salesctl.services.customers.reads import get_customer
from salesctl.services.customers.validation import (  # noqa: F401  (imports and salesforce import them from here)
    REQUIRED_FLAGS,
    _clean,
    check_industry,
    parse_expected,
    validate_email,
    validate_grade,
    validate_status,
    validate_credit_code,
    validate_url,
)


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


class PossibleDuplicate(Conflict):
    """Customers that may be the same company (exit 5 in a script; a terminal asks); `.candidates` lists them."""

    def __init__(self, name: str, candidates: list):
        listing = "; ".join(_describe(m) for m in candidates[:5]) + (" …" if len(candidates) > 5 else "")
        super().__init__(t("match.err.possible", name=name, listing=listing))
        self.name = name
        self.candidates = candidates


class SameNotOverridden(Conflict):
    """`--not-duplicate` given for a `same` match (exit 5): a same match is never overridden.

    `customer add` says --force-claim turns it into a claim; `claim add` and `lead add`
    catch it and say it plainly (`plain_message`), since their way to the customer differs.
    """

    def __init__(self, name: str, duplicate: Duplicate):
        on = label("customer_match", duplicate.matched_on)
        super().__init__(t("match.err.not_duplicate_same", name=name, other=duplicate.name, on=on))
        self.plain_message = t("match.err.not_duplicate_same_plain", name=name, other=duplicate.name, on=on)
        self.duplicate = duplicate


def _describe(match) -> str:
    from salesctl.periods import local_tz

    when = match.reported_at.astimezone(local_tz()).strftime("%Y-%m-%d %H:%M") if match.reported_at else "?"
    owner = match.owner or t("customer.pool")
    return f"'{match.name}' (id {match.customer_id}, {owner}, {when}, {label('customer_match', match.reason)})"


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
    credit_code: str | None = None,
    not_duplicate: bool = False,
) -> Customer:
    """Add a customer exactly as `customer add` does: validate, check permission, duplicates and industry.

    The five handbook fields are required unless `allow_incomplete` (then the
    customer is flagged `incomplete`). `pool=True` adds an unowned customer (a
    lead waiting for assignment; reported_by is the actor). Raises InvalidInput
    (2), PermissionDenied (3), DuplicateCustomer / Conflict (5). Writes the
    customer, its primary contact, the first ownership entry (kind "report"),
    the first grade (source "create") and an audit entry.

    A `possible` match (a close trade name) raises PossibleDuplicate (5) unless
    `not_duplicate`, which the audit entry records with the candidates shown.
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
    credit_value = validate_credit_code(credit_code)

    owner_staff = None if pool else _resolve_owner(ctx, owner)
    basis = owner_staff or ctx.actor
    industry_value = _clean(industry) or (basis.industry if basis.industry and basis.industry != "*" else None)
    region_value = _clean(region) or basis.region

    candidates = []
    if check_duplicates:
        duplicate = find_duplicate(session, name, [phone_value], emails=[email_value, contact_email_value],
                                   credit_code=credit_value)
        if duplicate is not None:
            if not_duplicate:
                raise SameNotOverridden(name, duplicate)
            raise DuplicateCustomer(duplicate)
        candidates = find_possible(session, name)
        if candidates and not not_duplicate:
            raise PossibleDuplicate(name, candidates)
    elif session.exec(select(Customer.id).where(Customer.name_norm == name_norm)).first() is not None:
        raise Conflict(t("customer.err.name_taken", name=name))
    if credit_value and not check_duplicates:
        holder = session.exec(select(Customer).where(Customer.credit_code == credit_value)).first()
        if holder is not None:
            raise _duplicate_of(ctx, holder, "credit_code")
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
        created_at=now, updated_at=now, created_by_id=ctx.actor.id, credit_code=credit_value,
        **name_keys(name),
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
    set_grade(ctx, customer, grade_value, reason=reason or stored_text("customer.reason.new"), source=grade_source, rule=rule_text)
    after = {**_snapshot(customer), "contact": _contact_snapshot(primary)}
    if candidates:  # --not-duplicate: the candidates that were shown and set aside
        after["not_duplicate_of"] = [{"id": m.customer_id, "name": m.name, "reason": m.reason} for m in candidates]
    ctx.audit("customer.add", "customer", customer.id, None, after)
    return customer


def _grade_rule(expected: date | None, today: date) -> tuple[str, str]:
    """The automatic grade for a new customer; a past date (needs review) gives D."""
    from salesctl.services.customers.grading import grade_for

    rule = grade_for(expected, today)
    if rule.grade is None:
        from salesctl.messages import stored_text

        return "D", stored_text("grade_rule.past_d", rule=rule.rule)
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
    if existing is None:  # team server: held in a scope the requester cannot read (row-level security)
        from salesctl.directory import find_staff

        holder = find_staff(ctx.session, duplicate.owner) if duplicate.owner else None
        existing = Customer(id=duplicate.customer_id, name=duplicate.name, name_norm="",
                            owner_id=holder.id if holder else None, reported_at=duplicate.first_reported_at)
    requester = _resolve_owner(ctx, fields.get("owner"))
    if existing.owner_id == requester.id:
        raise Conflict(t("customer.err.already_yours", name=existing.name, handle=requester.handle))
    entry = record_entry(ctx, existing, "request", staff_id=requester.id, need=_clean(need),
                         note="customer add --force-claim")
    return AddOutcome(request=entry, duplicate=duplicate, holder=duplicate.owner)



# --------------------------------------------------------------------------- edit
def _other_with_name(session, norm: str, customer_id: int) -> Customer | None:
    return session.exec(select(Customer).where(Customer.name_norm == norm, Customer.id != customer_id)).first()


def other_holder(session, customer_id: int, *, phone: str | None = None,
                 credit_code: str | None = None) -> Duplicate | None:
    """Another customer with this phone (its own or a contact's) or credit code, through the matcher:
    on the team server it sees the holder in any scope (SECURITY DEFINER), revealing name, owner, first report."""
    from salesctl.services.customers.matching import find_matches

    found = find_matches(session, None, phones=[phone] if phone else (), credit_code=credit_code,
                         exclude_id=customer_id, possible=False)
    if not found:
        return None
    match = found[0]
    return Duplicate(match.customer_id, match.name, match.owner, match.reported_at,
                     "credit_code" if credit_code else "phone")


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
    credit_code: str | None = None,
) -> Customer:
    """Change fields; `owner` is a manager's transfer (ledger kind "transfer"); a grade goes to the history."""
    session = ctx.session
    given = [name, contact, title, phone, status, industry, region, address, website, email, grade,
             expected_purchase, owner, credit_code]
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
    new_credit = validate_credit_code(credit_code) if _clean(credit_code) else None
    if new_norm and new_norm != customer.name_norm:
        duplicate = find_duplicate(session, new_name, exclude_id=customer.id)
        if duplicate is not None:
            raise DuplicateCustomer(duplicate)
    if new_credit and new_credit != customer.credit_code:
        holder = other_holder(session, customer.id, credit_code=new_credit)
        if holder is not None:
            raise DuplicateCustomer(holder)
    if new_phone:
        holder = other_holder(session, customer.id, phone=new_phone)
        if holder is not None:
            raise DuplicateCustomer(holder)
    new_industry = _clean(industry) if industry is not None else customer.industry
    holder = new_owner or (session.get(Staff, customer.owner_id) if customer.owner_id else None)
    if holder is not None and industry is not None and new_owner is None:
        check_industry(holder, new_industry)

    if new_name:
        customer.name, customer.name_norm = new_name, new_norm
        for column, value in name_keys(new_name).items():
            setattr(customer, column, value)
    if credit_code is not None:
        customer.credit_code = new_credit
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

        set_grade(ctx, customer, new_grade, reason=_clean(reason) or stored_text("customer.reason.edit"), source="hand")
    if new_owner is not None and new_owner.id != customer.owner_id:
        from salesctl.services.customers.ownership import change_owner

        change_owner(ctx, customer, new_owner.id, "transfer", staff_id=new_owner.id, note=_clean(reason))
    return customer


