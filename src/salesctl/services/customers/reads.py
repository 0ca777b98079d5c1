"""The customer archive's reads (SPEC 1.4): rows, the list, one customer's page and its history."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Iterator

from sqlalchemy import Integer, String, and_, or_, type_coerce
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.errors import InvalidInput
from salesctl.messages import label, render_stored, t
from salesctl.models import (
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
    require_change_customer,
    require_see_customer,
    resolve_scope,
    scope_clause,
)
from salesctl.services.context import Ctx
from salesctl.services.customers.lookup import find_customer
from salesctl.services.customers.normalize import normalize_name
from salesctl.services.customers.validation import SORTS, validate_grade, validate_status


# --------------------------------------------------------------------------- rows
def _row_select(stored: bool = False):
    """The list's columns; `stored`: the timestamps, the date and the flag untyped, as the database keeps them."""
    owner = aliased(Staff, name="owner_staff")
    reporter = aliased(Staff, name="reporter_staff")
    primary = aliased(Contact, name="primary_contact")
    reported_at, last_contact_at = Customer.reported_at, Customer.last_contact_at
    expected, flag = Customer.expected_purchase, Customer.incomplete
    if stored:
        reported_at, last_contact_at = type_coerce(reported_at, String), type_coerce(last_contact_at, String)
        expected, flag = type_coerce(expected, String), type_coerce(flag, Integer)
    stmt = (
        select(
            Customer.id, Customer.name, Customer.grade, Customer.status,
            owner.handle.label("owner"), reporter.handle.label("reported_by"), reported_at.label("reported_at"),
            Customer.industry, Customer.region, last_contact_at.label("last_contact_at"),
            expected.label("expected_purchase"), Customer.address, primary.phone.label("phone"),
            primary.name.label("contact"), flag.label("incomplete"),
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


def _list_statement(
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
    stored: bool = False,
):
    """The list's statement, filters checked (InvalidInput before anything runs)."""
    stmt, primary = _row_select(stored=stored)
    grades = [validate_grade(g) for g in _csv_list(grade)] or ([validate_grade(grade)] if grade is not None else [])
    statuses = [validate_status(s) for s in _csv_list(status)] or ([validate_status(status)] if status is not None else [])
    if sort is not None and sort not in SORTS:
        raise InvalidInput(t("customer.err.bad_sort", value=sort, accepted=", ".join(SORTS)))
    if stale is not None and stale < 0:
        raise InvalidInput(t("customer.err.negative_stale", value=stale))
    scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    merged = Customer.merged_into_id
    if ctx.session.get_bind().dialect.name == "sqlite":  # nearly every row qualifies: SQLite's index on it
        merged = merged + 0  # would cost a look-up per row where reading the table in id order costs none
    stmt = stmt.where(merged.is_(None))  # a merged record is no longer listed
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
    return stmt


def list_customers(ctx: Ctx, **filters) -> Iterator[dict]:
    """Customers the actor may see, filtered (the keyword arguments of `_list_statement`); streamed from
    the database (never the whole table in memory)."""
    stmt = _list_statement(ctx, **filters)
    # Core execution (no ORM entities to load): plain rows, streamed in batches
    result = ctx.session.connection().execute(stmt, execution_options={"yield_per": 1000})
    try:
        for record in result:
            yield _as_row(record)
    finally:
        result.close()


# how `customer_records` hands each key over (render.emit_records converts by these)
RECORD_KINDS = {"reported_at": "utc", "last_contact_at": "utc", "expected_purchase": "date", "incomplete": "bool"}


def customer_records(ctx: Ctx, **filters) -> Iterator[tuple]:
    """The same customers as `list_customers`, for JSON and CSV of up to millions of rows: one tuple
    per customer in ROW_KEYS order, values as stored (no per-value type conversion): the timestamps
    as naive UTC (SQLite's text or a datetime), the date as ISO text or a date, `incomplete` as 0/1
    or a bool (RECORD_KINDS). Filters are checked when this is called, before a row is read."""
    stmt = _list_statement(ctx, stored=True, **filters)
    result = ctx.session.connection().execute(stmt, execution_options={"yield_per": 2000})

    def rows() -> Iterator[tuple]:
        try:
            for partition in result.partitions():
                yield from partition
        finally:
            result.close()

    return rows()


def customer_json_lines(ctx: Ctx, **filters) -> Iterator[bytes] | None:
    """The JSON of `customer_records`' rows written by SQLite itself (sqljson), one line of bytes per customer,
    for the long lists it pays for (no --limit, at least sqljson.MIN_ROWS customers); None otherwise, and
    on PostgreSQL. Filters are checked when this is called, before a row is read."""
    from sqlalchemy import func

    from salesctl import sqljson

    conn = ctx.session.connection()
    if filters.get("limit") or not sqljson.available(conn):
        return None
    stmt = _list_statement(ctx, stored=True, **filters)  # the filters' errors first
    if (conn.execute(select(func.max(Customer.id))).scalar() or 0) < sqljson.MIN_ROWS:
        return None
    return sqljson.json_lines(conn, stmt, ROW_KEYS, RECORD_KINDS, _stored_span(conn))


def _stored_span(conn):
    """The span of customers' stored timestamps, from the indexed creation and last-contact times (the first
    report is as old as the record in nearly every archive; a value outside is converted all the same)."""
    from sqlalchemy import func

    ends = [conn.execute(select(agg(col))).scalar() for agg in (func.min, func.max)
            for col in (Customer.created_at, Customer.last_contact_at)]
    starts = [d.replace(tzinfo=None) for d in ends[:2] if d is not None]
    stops = [d.replace(tzinfo=None) for d in ends[2:] if d is not None]
    return (min(starts) if starts else None), (max(stops) if stops else None)
    merged = Customer.merged_into_id
    if ctx.session.get_bind().dialect.name == "sqlite":  # nearly every row qualifies: SQLite's index on it
        merged = merged + 0  # would cost a look-up per row where reading the table in id order costs none
    stmt = stmt.where(merged.is_(None))  # a merged record is no longer listed
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
        why = render_stored(g.reason) or ""
        if g.rule:
            why = f"{why} ({render_stored(g.rule)})" if why else render_stored(g.rule)
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
            text += f": {render_stored(e.need or e.note)}"
        events.append((e.at, 3, e.id, {
            "event": "owner" if granting else "claim", "by": people.get(e.by_id), "text": text,
            "from": people.get(e.from_owner_id), "to": people.get(e.to_owner_id),
            "visit_id": None, "grade_change_id": None, "entry_id": e.id,
        }))
    events.sort(key=lambda item: (item[0], item[1], item[2]))
    return [{"at": at, **data} for at, _order, _id, data in events]
