"""Row checks shared by the imports: staff and customers resolved without a query per row, customer rows
validated as `customer add` does, duplicates against the archive and within the file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable

from sqlalchemy import select

from salesctl.errors import Conflict, InvalidInput
from salesctl.inputs import is_id
from salesctl.messages import t
from salesctl.models import Contact, Customer, Staff
from salesctl.services.io.columns import Table
from salesctl.services.io.outcomes import RowError, _field_error
from salesctl.services.io.sheets import cell_date, cell_text


_NO_DATE = object()  # a blank expected-purchase cell, remembered as such


# --------------------------------------------------------------------------- staff
class StaffIndex:
    """Everyone in the org chart (a few hundred rows), to resolve handles/names without a query per row."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.by_handle: dict[str, Staff] = {}
        self.by_id: dict[int, Staff] = {}
        self.by_name: dict[str, list[Staff]] = {}
        for person in ctx.session.execute(select(Staff)).scalars():
            self._add(person)
        self._may_act: dict[int, bool] = {}

    def _add(self, person: Staff) -> None:
        self.by_handle[person.handle] = person
        self.by_id[person.id] = person
        self.by_name.setdefault(person.name.strip().lower(), []).append(person)

    def find(self, ref: str, label: str) -> Staff:
        value = (ref or "").strip()
        person = self.by_handle.get(value)
        if person is None and is_id(value):
            person = self.by_id.get(int(value))
        if person is None:
            matches = self.by_name.get(value.lower(), [])
            if len(matches) > 1:
                raise RowError("owner", t("import.reason.staff_ambiguous", column=label, value=value,
                                          handles=", ".join(m.handle for m in matches)))
            person = matches[0] if matches else None
        if person is None:
            raise RowError("owner", t("import.reason.staff_unknown", column=label, value=value), not_found=True)
        return person

    def flag(self, ref: str, flag: str) -> Staff:
        """A person named by a flag (--under): unknown is exit 4, ambiguous exit 2."""
        try:
            return self.find(ref, flag)
        except RowError as exc:
            raise exc.as_error() from None

    def may_act_for(self, person: Staff) -> bool:
        if person.id not in self._may_act:
            from salesctl.permissions import may_act_for

            self._may_act[person.id] = person.id == self.ctx.actor.id or may_act_for(self.ctx, person)
        return self._may_act[person.id]


def check_owner(index: StaffIndex, person: Staff, label: str) -> Staff:
    """What `customer add --owner` checks: allowed to act for them, active, not an assistant."""
    if not index.may_act_for(person):
        raise RowError("permission", t("err.denied", what=t("import.what.add_customers_for", handle=person.handle)))
    if not person.active:
        raise RowError("owner", t("import.reason.owner_inactive", column=label, handle=person.handle))
    if person.role == "assistant":
        raise RowError("owner", t("import.reason.owner_assistant", column=label, handle=person.handle))
    return person


def default_owner(ctx, index: StaffIndex, owner: str | None, *, has_column: bool) -> Staff | None:
    """--owner (checked like `customer add --owner`), else the acting user; None when rows name their own."""
    if owner:
        try:
            return check_owner(index, index.find(owner, "--owner"), "--owner")
        except RowError as exc:
            raise exc.as_error() from None
    if ctx.actor.role == "assistant":
        if has_column:
            return None
        raise InvalidInput(t("customer.err.assistant_owner"))
    return ctx.actor


# --------------------------------------------------------------------------- customers
@dataclass
class PreparedCustomer:
    """A validated customer row, ready to insert (ids assigned at write time)."""

    row: int
    name: str
    name_norm: str
    phone_key: str | None
    customer: dict
    contact: dict | None
    owner_id: int | None
    reporter_id: int
    grade_rule: str | None
    missing: list[str]
    parsed: Any = None  # companynames.Name of name_norm (parsed once per row)
    email: str | None = None
    credit_code: str | None = None
    not_duplicate: bool = False  # the row's not-duplicate column says a possible match is another company


class CustomerValidator:
    """The rules of `customer add` (services.customers.create_customer), one row at a time, no queries per row."""

    def __init__(self, ctx, index: StaffIndex, *, owner: Staff | None, allow_incomplete: bool, pool: bool = False,
                 labels: Callable[[str], str] = lambda key: key):
        from salesctl.policy import section

        self.ctx = ctx
        self.index = index
        self.owner = owner
        self.allow_incomplete = allow_incomplete
        self.pool = pool
        self.label = labels
        self.policy = section("grading")
        self.now = ctx.now
        self.actor_id = ctx.actor.id
        self._owner_cache: dict[str, Staff | RowError] = {}
        self._statuses: dict = {}
        self._grades: dict = {}
        self._rules: dict = {}
        from salesctl.services.customers.customers import validate_grade, validate_status

        self._status, self._grade = validate_status, validate_grade
        self._mobiles: dict[str, bool] = {}  # five-digit mobile prefix → the library took it as a mobile
        self._dates: dict = {}  # an expected-purchase cell → its date or the RowError (a file repeats few dates)
        self._people: dict[int, tuple] = {}  # a person's (id, role, industry, region), read off the ORM once
        self._industries: dict[tuple[int, str | None], RowError | None] = {}  # (owner, industry) → the verdict
        from salesctl.companynames import keys_of, parse
        from salesctl.services.customers.customers import check_industry, validate_email, validate_url
        from salesctl.services.customers.grading import grade_for
        from salesctl.services.customers.normalize import normalize_name, phone_key
        from salesctl.services.customers.validation import validate_credit_code

        self._keys_of, self._parse, self._normalize_name, self._phone_key = keys_of, parse, normalize_name, phone_key
        self._check_industry, self._validate_email, self._validate_url = check_industry, validate_email, validate_url
        self._grade_for, self._validate_credit_code = grade_for, validate_credit_code

    def _person(self, person: Staff) -> tuple:
        facts = self._people.get(person.id)
        if facts is None:
            facts = self._people[person.id] = (person.id, person.role, person.industry, person.region)
        return facts

    def _industry(self, owner: Staff, industry: str | None) -> None:
        """`check_industry` (a rep sells within their industry), decided once per owner and industry."""
        key = (owner.id, industry)
        if key not in self._industries:
            try:
                self._check_industry(owner, industry)
                self._industries[key] = None
            except Conflict as exc:
                self._industries[key] = RowError("industry", exc.message)
        refusal = self._industries[key]
        if refusal is not None:
            raise refusal

    def _expected(self, raw: Any) -> date | None:
        """The expected-purchase cell as `cell_date` reads it, once per distinct cell value."""
        key = (raw.__class__, raw)  # the type too: True == 1 == 1.0, but they read differently
        try:
            hit = self._dates.get(key)
        except TypeError:  # not hashable: read it each time
            key, hit = None, None
        if hit is None:
            try:
                hit = cell_date(raw, "expected_purchase", self.ctx.today)
            except InvalidInput as exc:
                hit = _field_error(exc, self.label("expected_purchase"), "date")
            if key is not None and len(self._dates) < 10_000:
                self._dates[key] = hit if hit is not None else _NO_DATE
        if hit is _NO_DATE:
            return None
        if isinstance(hit, RowError):
            raise hit
        return hit

    def _owner_for(self, ref: str | None) -> Staff | None:
        if self.pool:
            return None
        if not ref:
            if self.owner is None:
                raise RowError("owner", t("import.reason.owner_required", column=self.label("owner")))
            return self.owner
        hit = self._owner_cache.get(ref)
        if hit is None:
            try:
                hit = check_owner(self.index, self.index.find(ref, self.label("owner")), self.label("owner"))
            except RowError as exc:
                hit = exc
            self._owner_cache[ref] = hit
        if isinstance(hit, RowError):
            raise hit
        return hit

    def _cached(self, cache: dict, validator, value: str, label_key: str, code: str) -> str:
        hit = cache.get(value)
        if hit is None:
            try:
                hit = validator(value)
            except InvalidInput as exc:
                hit = _field_error(exc, self.label(label_key), code)
            cache[value] = hit
        if isinstance(hit, RowError):
            raise hit
        return hit

    def check(self, row: int, values: dict[str, Any]) -> PreparedCustomer:
        """One row as `customer add` would take it; raises RowError naming the column and what is accepted.

        `values` holds text (stripped, None when blank) for every field but the dates.
        """
        from salesctl.services.customers.normalize import normalize_phone

        label = self.label
        get = values.get
        name, contact, title, phone, status = (_txt(get("name")), _txt(get("contact")), _txt(get("title")),
                                               _txt(get("phone")), _txt(get("status")))
        if not name:
            raise RowError("missing", t("import.reason.missing", fields=label("name")))
        missing = None
        if contact is None or title is None or phone is None or status is None:
            missing = [key for key, value in (("contact", contact), ("title", title), ("phone", phone),
                                              ("status", status)) if value is None]
            if not self.allow_incomplete:
                raise RowError("missing", t("import.reason.missing_required",
                                            fields=", ".join(label(k) for k in missing)))
        name_norm = self._normalize_name(name)
        if not name_norm:
            raise RowError("name", t("import.reason.name", column=label("name"), value=name))
        parsed = self._parse(name_norm)  # parse(normal_form(x)) has x's parts: the keys and the matcher use this one
        phone_value = None
        if phone:
            phone_value = self._phone(phone, normalize_phone)
        key = self._phone_key(phone_value) if phone_value else None
        status_key = self._cached(self._statuses, self._status, status, "status", "status") if status else "following"
        grade_text = _txt(get("grade"))
        grade_value = self._cached(self._grades, self._grade, grade_text, "grade", "grade") if grade_text else None
        email_value = website_value = expected = None
        email_text = _txt(get("email"))
        if email_text:
            try:
                email_value = self._validate_email(email_text)
            except InvalidInput as exc:
                raise _field_error(exc, label("email"), "email") from None
        website_text = _txt(get("website"))
        if website_text:
            try:
                website_value = self._validate_url(website_text)
            except InvalidInput as exc:
                raise _field_error(exc, label("website"), "website") from None
        raw_expected = get("expected_purchase")
        if raw_expected is not None and _txt(raw_expected).lower() not in ("none", "-", "无"):
            expected = self._expected(raw_expected)
        owner = self._owner_for(_txt(get("owner")))
        reporter = owner or self.ctx.actor
        reporter_id, role, own_industry, own_region = self._person(reporter)
        industry = _txt(get("industry")) or (own_industry if own_industry and own_industry != "*" else None)
        region = _txt(get("region")) or own_region
        if owner is not None and role == "rep":
            self._industry(owner, industry)
        credit_value = None
        credit_text = _txt(get("credit_code"))
        if credit_text:
            try:
                credit_value = self._validate_credit_code(credit_text)
            except InvalidInput as exc:
                raise _field_error(exc, label("credit_code"), "credit_code") from None
        not_duplicate = False
        flag_text = _txt(get("not_duplicate"))
        if flag_text:
            not_duplicate = _yes_no(flag_text, label("not_duplicate"))
        rule_text = None
        if grade_value is None:
            rule = self._rules.get(expected)
            if rule is None:
                rule = self._rules[expected] = self._grade_for(expected, self.ctx.today, self.policy)
            grade_value, rule_text = (rule.grade, rule.rule) if rule.grade else ("D", f"{rule.rule} → D")
        owner_id = reporter_id if owner is not None else None
        now = self.now
        record = {
            "name": name, "name_norm": name_norm, "phone_norm": key, "industry": industry,
            "region": region, "address": _txt(get("address")), "website": website_value,
            "email": email_value, "status": status_key, "grade": grade_value, "expected_purchase": expected,
            "owner_id": owner_id, "reported_by_id": reporter_id, "reported_at": now,
            "last_contact_at": None, "incomplete": bool(missing), "created_at": now, "updated_at": now,
            "created_by_id": self.actor_id, "credit_code": credit_value, **self._keys_of(parsed),
        }
        person = None
        if contact or title or phone_value:
            person = {"name": contact or "", "title": title, "phone": phone_value, "phone_norm": key,
                      "email": None, "decision_maker": False, "is_primary": True, "note": None,
                      "created_at": now, "updated_at": now}
        return PreparedCustomer(row, name, name_norm, key, record, person, owner_id,
                                reporter_id, rule_text, missing or [], parsed, email_value, credit_value, not_duplicate)

    def _phone(self, phone: str, normalize) -> str:
        """`normalize_phone`, with a shortcut for the common plain mainland mobile (11 digits, 1[3-9]…).

        Whether phonenumbers takes such a number as a mobile depends on its first five
        digits only (CN metadata: 1(?:610\\d|740[0-5])\\d{6}|1(?:[38]\\d|4[57]|…)\\d{8}), and its
        stored form is then the digits themselves: the first number of each five-digit
        prefix goes through the library and its verdict is reused for the others.
        Anything else (other shapes, prefixes the library refuses) goes through the library.
        """
        if len(phone) == 11 and phone.isdigit() and phone.isascii() and phone[0] == "1" and phone[1] in "3456789" \
                and not phone.startswith("179"):
            known = self._mobiles.get(phone[:5])
            if known:
                return phone
            if known is None:
                try:
                    value = normalize(phone, "phone")
                except InvalidInput as exc:
                    self._mobiles[phone[:5]] = False
                    raise _field_error(exc, self.label("phone"), "phone") from None
                self._mobiles[phone[:5]] = value == phone
                return value
        try:
            return normalize(phone, "phone")
        except InvalidInput as exc:
            raise _field_error(exc, self.label("phone"), "phone") from None


class DuplicateIndex:
    """Names (by the matcher of services.customers.matching) and phone keys of the archive and of the rows seen so far."""

    def __init__(self, session):
        from salesctl.services.customers.matching import NameIndex

        self.names = NameIndex(session)
        self.phones: dict[str, int] = {}
        for key, cid in session.execute(select(Contact.phone_norm, Contact.customer_id)
                                        .where(Contact.phone_norm.is_not(None))):
            self.phones.setdefault(key, cid)
        for key, cid in session.execute(select(Customer.phone_norm, Customer.id).where(Customer.phone_norm.is_not(None))):
            self.phones[key] = cid  # the customer's own phone wins over a contact's
        self.file_phones: dict[str, int] = {}

    def existing(self, name_norm: str, phone_key: str | None) -> tuple[int, str] | None:
        hit = self.names.existing(name_norm)
        if hit is not None:
            return hit
        if phone_key and phone_key in self.phones:
            return self.phones[phone_key], "phone"
        return None

    def in_file(self, name_norm: str, phone_key: str | None) -> tuple[int, str] | None:
        hit = self.names.in_file(name_norm)
        if hit is not None:
            return hit
        if phone_key and phone_key in self.file_phones:
            return self.file_phones[phone_key], "phone"
        return None

    def add(self, name_norm: str, phone_key: str | None, row: int) -> None:
        self.names.add(name_norm, row)
        if phone_key:
            self.file_phones.setdefault(phone_key, row)


def check_duplicate(dupes: DuplicateIndex, prepared: PreparedCustomer, row: int):
    """The import's one call to the duplicate check (the matcher of services.customers may replace the index):
    ("archive", (customer id, matched on)), ("file", (earlier row, matched on)), or None — and a row that is
    no duplicate is remembered for the rows after it."""
    hit = dupes.existing(prepared.name_norm, prepared.phone_key)
    if hit is not None:
        return "archive", hit
    twin = dupes.in_file(prepared.name_norm, prepared.phone_key)
    if twin is not None:
        return "file", twin
    dupes.add(prepared.name_norm, prepared.phone_key, row)
    return None


def describe_duplicates(session, ids: Iterable[int], known: dict | None = None
                        ) -> dict[int, tuple[str, str | None, datetime | None]]:
    """{id: (name, owner handle, first report time)}: all a duplicate refusal may reveal (SPEC 1.6).

    `known`: what the matcher was told of customers out of a staff login's reach (row-level security)."""
    from sqlalchemy.orm import aliased

    owner = aliased(Staff)
    wanted = sorted(set(ids))
    out = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        stmt = (select(Customer.id, Customer.name, owner.handle, Customer.reported_at)
                .join(owner, owner.id == Customer.owner_id, isouter=True).where(Customer.id.in_(chunk)))
        for cid, name, handle, at in session.execute(stmt):
            out[cid] = (name, handle, at)
    for cid in wanted:
        if cid not in out and known and cid in known:
            out[cid] = known[cid]
    return out


def duplicate_reason(info: tuple[str, str | None, datetime | None], customer_id: int, matched_on: str) -> str:
    from salesctl.services.customers.customers import DuplicateCustomer
    from salesctl.services.customers.duplicates import Duplicate

    name, owner, at = info
    return DuplicateCustomer(Duplicate(customer_id, name, owner, at, matched_on)).message


# fields whose cells are read as they are (dates, times, amounts: an xlsx gives real values); the others as text
RAW_FIELDS = frozenset(("expected_purchase", "at", "follow_up", "expected_close", "closed_on", "amount"))


def _row_values(table: Table, values: list) -> dict[str, Any]:
    """{field: value}: text stripped (None when blank), dates and amounts as the cell holds them."""
    out = {}
    width = len(values)
    for key, index in table.columns.items():
        if index < width:
            value = values[index]
            if value.__class__ is str:
                value = value.strip() or None
            elif value is not None and key not in RAW_FIELDS:
                value = cell_text(value)
            out[key] = value
    return out


YES = frozenset(("y", "yes", "true", "1", "x", "✓", "√", "是", "对", "不是重复", "不重复", "确认", "not duplicate"))
NO = frozenset(("n", "no", "false", "0", "否", "不", "重复"))


def _yes_no(text: str, label: str) -> bool:
    value = text.strip().casefold()
    if value in YES:
        return True
    if value in NO:
        return False
    raise RowError("not_duplicate", t("import.reason.yes_no", column=label, value=text))


def _txt(value: Any) -> str | None:
    return value if value is None or value.__class__ is str else cell_text(value)



class CustomerIndex:
    """Customers by id, exact name and normalised name (one query), for rows that name a customer."""

    def __init__(self, session):
        self.session = session
        self.by_id: dict[int, tuple] = {}
        self.by_name: dict[str, list[int]] = {}
        self.by_norm: dict[str, int] = {}
        stmt = select(Customer.id, Customer.name, Customer.name_norm, Customer.owner_id, Customer.last_contact_at)
        for cid, name, norm, owner_id, last in session.execute(stmt):
            self.by_id[cid] = (cid, name, owner_id, last)
            self.by_name.setdefault(name, []).append(cid)
            self.by_norm[norm] = cid

    def find(self, ref: Any, label: str) -> tuple:
        from salesctl.services.customers.normalize import normalize_name

        value = cell_text(ref)
        if not value:
            raise RowError("missing", t("import.reason.missing", fields=label))
        if is_id(value.lstrip("#")) and int(value.lstrip("#")) in self.by_id:
            return self.by_id[int(value.lstrip("#"))]
        ids = self.by_name.get(value)
        if ids and len(ids) == 1:
            return self.by_id[ids[0]]
        norm = normalize_name(value)
        if norm in self.by_norm:
            return self.by_id[self.by_norm[norm]]
        from salesctl.rls import exists_hidden, hidden_customer_named, is_staff_login, pool_customer

        if is_staff_login(self.session):  # the team server: a pool or another rep's customer, refused as on SQLite
            number = value.lstrip("#")
            hidden = int(number) if is_id(number) else hidden_customer_named(self.session, value, norm)
            if exists_hidden(self.session, "customer", hidden):
                if pool_customer(self.session, hidden) is not None:
                    raise RowError("pool", t("import.reason.pool", id=hidden))
                raise RowError("permission", t("err.denied", what=t("err.what.customer", id=hidden)))
        raise RowError("customer", t("import.reason.customer_unknown", column=label, value=value))


class WriteCheck:
    """Who may write visits/deals for a customer (services.visits.owner_for_writing), cached per owner."""

    def __init__(self, ctx, index: StaffIndex, what: str):  # what: a message key taking {id} and {handle}
        self.ctx, self.index, self.what = ctx, index, what

    def owner(self, customer: tuple) -> Staff:
        cid, _name, owner_id, _last = customer
        if owner_id is None:
            raise RowError("pool", t("import.reason.pool", id=cid))
        person = self.index.by_id[owner_id]
        if not self.index.may_act_for(person):
            raise RowError("permission", t("err.denied", what=t(self.what, id=cid, handle=person.handle)))
        return person


def _require_text(values: dict, key: str, label: str) -> str:
    value = cell_text(values.get(key))
    if not value:
        raise RowError("missing", t("import.reason.missing", fields=label))
    return value


