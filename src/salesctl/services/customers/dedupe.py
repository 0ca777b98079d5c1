"""查重 commands: `customer lookup` (anyone, before adding), `customer duplicates` and `customer merge` (managers)."""

from __future__ import annotations

from typing import Iterator

from sqlalchemy import and_, func, or_, union, update
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.errors import Conflict, InvalidInput, PermissionDenied
from salesctl.inputs import is_id
from salesctl.messages import stored_text, t
from salesctl.models import MANAGER_ROLES, Contact, Customer, OwnershipEntry, ProfileSection, Staff
from salesctl.permissions import (
    SEES_ALL,
    is_manager_of,
    may_see_customer,
    resolve_scope,
    scope_clause,
    visible_staff_ids,
)
from salesctl.services.context import Ctx

# every (table, column) that references a customer: `customer merge` moves them all to KEEP.
# A feature that adds a table referring to customers adds one line here. (The ownership
# ledger is append-only: DROP's entries are copied onto KEEP, the originals stay.)
CUSTOMER_REFERENCES: list[tuple[str, str]] = [
    ("contact", "customer_id"),
    ("profile_section", "customer_id"),
    ("grade_change", "customer_id"),
    ("lead", "customer_id"),
    ("visit", "customer_id"),
    ("deal", "customer_id"),
    ("complaint", "customer_id"),
    # ("contract", "customer_id"), ("attachment", "customer_id"), ("instalment", "customer_id"): issue 22
]
MIN_MATCH = ("same", "possible")


# --------------------------------------------------------------------------- lookup
def lookup(ctx: Ctx, text: str | None, *, phone: str | None = None, credit_code: str | None = None) -> list[dict]:
    """Rows {id, name, owner, reported_at, match, reason}: nothing else of a customer outside the actor's scope."""
    from salesctl.services.customers.matching import find_matches
    from salesctl.services.customers.normalize import normalize_phone
    from salesctl.services.customers.validation import _clean, validate_credit_code

    text = _clean(text)
    phones = [normalize_phone(phone, "phone")] if _clean(phone) else []
    code = validate_credit_code(credit_code)
    if not text and not phones and not code:
        raise InvalidInput(t("match.err.lookup_empty"))
    matches = find_matches(ctx.session, text, phones=phones, credit_code=code)
    return [{"id": m.customer_id, "name": m.name, "owner": m.owner, "reported_at": m.reported_at,
             "match": m.match, "reason": m.reason} for m in matches]


# --------------------------------------------------------------------------- duplicates
def _visible(ctx: Ctx, alias, scope, ids):
    """Live (not merged) customers inside the scope flags (which resolve_scope keeps inside what the actor sees)."""
    clauses = [alias.merged_into_id.is_(None)]
    narrowed = scope_clause(scope, alias.owner_id)
    if narrowed is not None:
        clauses.append(narrowed)
    elif ids is not None:
        seen = alias.owner_id.in_(select(ids.c.id))
        if ctx.actor.role != "rep":
            seen = seen | alias.owner_id.is_(None)
        clauses.append(seen)
    return and_(*clauses)


def _regions_agree(a, b):
    """SQL for companynames._compatible: either region unknown, or one code prefix of the other (44 ⊃ 4419)."""
    return or_(a.region_key.is_(None), b.region_key.is_(None), a.region_key == b.region_key,
               a.region_key.startswith(b.region_key), b.region_key.startswith(a.region_key))


def _candidate_pairs(min_match: str):
    """(a, b) ids, a < b, of customers sharing an indexed key: one self-join per key column, united.

    Each join is an index lookup on one column (trade_key, phone_norm; for possible also
    trade_head and trade_tail), never an OR inside one join (which a database answers by
    comparing every pair). Name keys also need agreeing regions, so a 字号 shared across
    cities is not sent to the matcher at all.
    """
    a, b = aliased(Customer, name="ca"), aliased(Customer, name="cb")
    live = (a.merged_into_id.is_(None), b.merged_into_id.is_(None))
    columns = ["trade_key"] + (["trade_head", "trade_tail"] if min_match == "possible" else [])
    parts = [select(a.id.label("a_id"), b.id.label("b_id")).select_from(a)
             .join(b, and_(getattr(b, column) == getattr(a, column), b.id > a.id))
             .where(getattr(a, column).is_not(None), _regions_agree(a, b), *live) for column in columns]
    parts.append(select(a.id.label("a_id"), b.id.label("b_id")).select_from(a)
                 .join(b, and_(b.phone_norm == a.phone_norm, b.id > a.id))
                 .where(a.phone_norm.is_not(None), *live))
    return union(*parts).subquery("pairs")


def duplicate_pairs(ctx: Ctx, *, team: bool = False, all_: bool = False, min_match: str = "same",
                    limit: int | None = None) -> Iterator[dict]:
    """Pairs of live customers the matcher links (same; with min_match=possible also close trade names)."""
    from salesctl.companynames import compare, parse

    if min_match not in MIN_MATCH:
        raise InvalidInput(t("match.err.min_match", value=min_match))
    scope = resolve_scope(ctx, team=team, all_=all_)
    ids = visible_staff_ids(ctx)
    pairs = _candidate_pairs(min_match)
    a, b = aliased(Customer, name="a"), aliased(Customer, name="b")
    owner_a, owner_b = aliased(Staff, name="oa"), aliased(Staff, name="ob")
    stmt = (
        select(a.id, a.name, owner_a.handle, b.id, b.name, owner_b.handle,
               and_(a.phone_norm.is_not(None), a.phone_norm == b.phone_norm))
        .select_from(pairs)
        .join(a, a.id == pairs.c.a_id)
        .join(b, b.id == pairs.c.b_id)
        .join(owner_a, owner_a.id == a.owner_id, isouter=True)
        .join(owner_b, owner_b.id == b.owner_id, isouter=True)
        .where(_visible(ctx, a, scope, ids), _visible(ctx, b, scope, ids))
        .order_by(a.id, b.id)
    )
    result = ctx.session.execute(stmt, execution_options={"yield_per": 1000})
    count = 0
    try:
        for aid, aname, ahandle, bid, bname, bhandle, same_phone in result:
            if same_phone:
                match, reason = "same", "phone"
            else:
                verdict = compare(parse(aname), parse(bname))
                if verdict.match is None or (verdict.match == "possible" and min_match == "same"):
                    continue
                match, reason = verdict.match, verdict.reason
            yield {"keep": aid, "keep_name": aname, "keep_owner": ahandle, "drop": bid, "drop_name": bname,
                   "drop_owner": bhandle, "match": match, "reason": reason}
            count += 1
            if limit and count >= limit:
                break
    finally:
        result.close()


# --------------------------------------------------------------------------- merge
def _require_merge(ctx: Ctx, customer: Customer) -> None:
    actor = ctx.actor
    if actor.role not in SEES_ALL and actor.role not in MANAGER_ROLES:
        raise PermissionDenied(t("err.denied", what=t("match.denied.merge")))
    if not may_see_customer(ctx, customer):
        raise PermissionDenied(t("err.denied", what=t("match.denied.merge")))
    if customer.owner_id is not None and actor.role not in SEES_ALL:
        owner = ctx.session.get(Staff, customer.owner_id)
        if owner.id != actor.id and not is_manager_of(ctx, owner):
            raise PermissionDenied(t("err.denied", what=t("match.denied.merge")))


def _exact(ctx: Ctx, ref: str) -> Customer:
    """KEEP and DROP by id or name; a merged record is refused (not silently followed)."""
    from salesctl.services.customers.lookup import find_customer

    value = (ref or "").strip()
    if is_id(value):
        customer = ctx.session.get(Customer, int(value))
        if customer is not None:
            return customer
    return find_customer(ctx, ref)


def _move_rows(ctx: Ctx, keep: Customer, drop: Customer, references: list[tuple[str, str]]) -> None:
    """Every row referring to DROP onto KEEP (profile sections merged, KEEP's primary contact kept)."""
    from salesctl.rls import is_staff_login, merge_move

    session = ctx.session
    header = t("match.note.merge", name=drop.name, id=drop.id)
    if is_staff_login(session):  # the team server: append-only history and rows out of the login's reach move too
        session.flush()
        merge_move(session, keep.id, drop.id, header=header, at=ctx.now, refs=references)
        session.expire_all()
        return
    # profile sections are one per (customer, section): DROP's text is appended to KEEP's
    own = {s.section: s for s in session.exec(select(ProfileSection).where(ProfileSection.customer_id == keep.id))}
    for section in session.exec(select(ProfileSection).where(ProfileSection.customer_id == drop.id)).all():
        if section.section in own:
            target = own[section.section]
            target.text = f"{target.text}\n\n{header}:\n{section.text}"
            target.updated_at = ctx.now
            session.add(target)
            session.delete(section)
    session.flush()
    # one primary contact per customer: KEEP's stays primary, DROP's come as further contacts
    if session.exec(select(Contact.id).where(Contact.customer_id == keep.id, Contact.is_primary == True)).first():  # noqa: E712
        session.execute(update(Contact).where(Contact.customer_id == drop.id).values(is_primary=False))
    tables = ProfileSection.metadata.tables
    for table_name, column in references:
        table = tables[table_name]
        session.execute(update(table).where(table.c[column] == drop.id).values({column: keep.id}))


def merge(ctx: Ctx, keep_ref: str, drop_ref: str, *, owner: str | None = None, dry_run: bool = False) -> dict:
    """Move every row referring to DROP onto KEEP; DROP stays as a record 'merged into KEEP'."""
    from salesctl.audit import snapshot
    from salesctl.directory import find_staff
    from salesctl.services.customers.ownership import change_owner

    session = ctx.session
    keep, drop = _exact(ctx, keep_ref), _exact(ctx, drop_ref)
    for customer in (keep, drop):
        _require_merge(ctx, customer)
    if keep.id == drop.id:
        raise PermissionDenied(t("match.err.merge_self", id=keep.id))
    for customer in (keep, drop):
        if customer.merged_into_id:
            raise PermissionDenied(t("match.err.merged_already", name=customer.name, id=customer.id,
                                     into=customer.merged_into_id))
    handles = dict(session.execute(select(Staff.id, Staff.handle).where(
        Staff.id.in_([i for i in (keep.owner_id, drop.owner_id) if i is not None]))).all())
    final_owner = keep.owner_id if keep.owner_id is not None else drop.owner_id
    if owner is not None:
        person = find_staff(session, owner, "owner")
        if person.id not in (keep.owner_id, drop.owner_id):
            raise InvalidInput(t("match.err.merge_owner_not_theirs", handle=person.handle))
        final_owner = person.id
    elif keep.owner_id is not None and drop.owner_id is not None and keep.owner_id != drop.owner_id:
        raise Conflict(t("match.err.merge_owners", keep=keep.name, drop=drop.name,
                         keep_owner=handles.get(keep.owner_id), drop_owner=handles.get(drop.owner_id)))

    moved: dict[str, int] = {}
    tables = ProfileSection.metadata.tables
    for table_name, column in CUSTOMER_REFERENCES:
        table = tables.get(table_name)
        if table is None or column not in table.c:
            continue
        moved[table_name] = session.execute(
            select(func.count()).select_from(table).where(table.c[column] == drop.id)).scalar_one()
    entries = session.exec(select(OwnershipEntry).where(OwnershipEntry.customer_id == drop.id)
                           .order_by(OwnershipEntry.id)).all()
    moved["ownership_entry"] = len(entries)
    result = {"keep": keep.id, "keep_name": keep.name, "drop": drop.id, "drop_name": drop.name,
              "owner": handles.get(final_owner) if final_owner in handles else None, "moved": moved,
              "dry_run": dry_run}
    if dry_run:
        return result

    before = {"keep": snapshot(keep), "drop": snapshot(drop)}
    references = [(n, c) for n, c in CUSTOMER_REFERENCES if n in tables and c in tables[n].c]
    _move_rows(ctx, keep, drop, references)
    note = stored_text("match.note.merge", name=drop.name, id=drop.id)
    copies: dict[int, int] = {}  # DROP's entry id → its copy on KEEP, so a decision refers to the copied request
    for entry in entries:  # both reports stay in KEEP's ledger (copies; the ledger is never updated)
        copy = OwnershipEntry(customer_id=keep.id, kind=entry.kind, staff_id=entry.staff_id,
                              from_owner_id=entry.from_owner_id, to_owner_id=entry.to_owner_id,
                              by_id=entry.by_id, at=entry.at, need=entry.need,
                              note=stored_text("text.joined", first=entry.note, rest=note) if entry.note else note,
                              ref_id=copies.get(entry.ref_id, entry.ref_id),
                              had_info_in_time=entry.had_info_in_time)
        session.add(copy)
        session.flush()
        copies[entry.id] = copy.id
    # the first reporter is whoever reported either customer first
    if drop.reported_at is not None and (keep.reported_at is None or drop.reported_at < keep.reported_at):
        keep.reported_at, keep.reported_by_id = drop.reported_at, drop.reported_by_id
    for field in ("credit_code", "email", "website", "address", "phone_norm", "industry", "region"):
        if getattr(keep, field) is None and getattr(drop, field) is not None:
            value = getattr(drop, field)
            if field == "credit_code":
                drop.credit_code = None
                session.add(drop)
                session.flush()
            setattr(keep, field, value)
    if keep.last_contact_at is None or (drop.last_contact_at and drop.last_contact_at > keep.last_contact_at):
        keep.last_contact_at = drop.last_contact_at or keep.last_contact_at
    keep.updated_at = ctx.now
    drop.merged_into_id = keep.id
    drop.updated_at = ctx.now
    session.add_all([keep, drop])
    session.flush()
    # one granting entry last, so the ledger's owner and the cached owner agree after the move
    change_owner(ctx, keep, final_owner, "transfer", staff_id=final_owner,
                 note=stored_text("match.reason.merge", name=drop.name, id=drop.id))
    if drop.owner_id is not None:
        change_owner(ctx, drop, None, "transfer", note=stored_text("match.reason.merge", name=drop.name, id=drop.id))
    ctx.audit("customer.merge", "customer", keep.id, before,
              {"keep": keep.id, "drop": drop.id, "moved": moved, "owner": final_owner,
               "after": snapshot(keep)})
    return result
