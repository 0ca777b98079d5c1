"""Imports from spreadsheets (CSV and XLSX): customers and visits (deals and staff in `imports_other`).

Reading is in `sheets`, the header and the mapping in `columns`, row checks in `checks`,
outcomes and the errors file in `outcomes`, bulk writes in `bulk`.

A file is read as a stream of rows (CSV in UTF-8 with or without BOM, UTF-16, or
GBK/GB18030 as Excel on Chinese Windows saves it; CRLF or LF; comma, semicolon or tab;
XLSX through python-calamine, real Excel dates included: calamine holds the sheet's
cells, which an Excel file's shared-string table makes any reader hold, and rows become
Python lists one at a time). The header row is found among
the first rows and each column is mapped to a field by its Chinese or English name;
`--map 'column=field'` overrides a guess. Every row is then validated with the rules
of the matching `add` command (the same validators: `normalize_phone`,
`validate_status`, `validate_grade`, `check_industry`, `parse_stage`, …) and its
outcome kept with its spreadsheet row number (the header is row 1 of a plain file).

All or nothing: one rejected row (or, with `--on-duplicate fail`, one duplicate)
and nothing is written, unless `--partial`. Accepted rows are written in bulk
(SQLAlchemy Core executemany) with what the `add` commands write one by one: for a
customer its primary contact, the first-report ledger entry (kind "report", so the
owner cache always matches the ledger) and its first grade (source "import"); the
whole import leaves ONE audit entry summarising it. Duplicates are found in memory
against one query of the archive's normalised names and phone keys, and within the
file itself.
"""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Callable

from sqlalchemy import select, update

from salesctl.errors import InvalidInput
from salesctl.messages import t
from salesctl.models import Contact, Customer, GradeChange, OwnershipEntry, Visit
from salesctl.services.io.bulk import allocate_ids, bulk_insert
from salesctl.services.io.checks import (
    CustomerIndex, CustomerValidator, PreparedCustomer, StaffIndex, WriteCheck, _row_values, _txt,
    default_owner, describe_duplicates, duplicate_reason,
)
from salesctl.services.io.columns import Table
from salesctl.services.io.outcomes import ImportReport, Progress, RowError, RowResult, _field_error, new_report
from salesctl.services.io.sheets import cell_date, cell_moment, cell_text

ON_DUPLICATE = ("skip", "claim", "fail")


BATCH_ROWS = 1000  # rows read, checked and written at a time (memory is flat in the file's size)
AUDITED_CONFIRMATIONS = 1000  # rows listed in the audit entry with the possible matches set aside


def batches(table: Table, report: ImportReport, progress: Progress):
    """The file's rows, BATCH_ROWS at a time: counted into the report, the progress bar advanced after each."""
    progress.phase(t("import.progress.checking"), None)
    rows = table.stream()
    while chunk := list(islice(rows, BATCH_ROWS)):
        report.total += len(chunk)
        yield chunk
        progress.advance(len(chunk))


def sort_out(parsed: list[tuple[int, dict]], keys: list, stored: dict, written, report: ImportReport, *,
             name: Callable[[dict], str], exists: Callable[[dict], str], on: str) -> list[tuple[int, dict]]:
    """A batch's checked rows against what is stored (key → id: the archive's, or an earlier batch's as told
    by `written`) and against its earlier rows: the new ones, in order; the others reported as duplicates."""
    seen: dict = {}
    accepted = []
    for (number, item), key in zip(parsed, keys):
        values, label = item.pop("values"), name(item)
        if key in stored:
            where, ref = written.where(stored[key])
            if where == "archive":
                report.add(RowResult(number, "duplicate", label, exists(item), "duplicate", values))
            else:
                report.add(RowResult(number, "duplicate", label, t("import.reason.same_as_row", row=ref, on=on),
                                     "duplicate_in_file", values))
        elif key in seen:
            report.add(RowResult(number, "duplicate", label, t("import.reason.same_as_row", row=seen[key], on=on),
                                 "duplicate_in_file", values))
        else:
            seen[key] = number
            accepted.append((number, item))
            report.add(RowResult(number, "imported", label))
    return accepted


def import_customers(ctx, table: Table, *, owner: str | None = None, on_duplicate: str = "skip",
                     partial: bool = False, allow_incomplete: bool = False, not_duplicate: bool = False,
                     dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """`import customers`: validate every row as `customer add` does and write the good ones in bulk.

    The file is read, checked and written BATCH_ROWS rows at a time inside a savepoint of
    the command's transaction; a refusal (or --dry-run) rolls the savepoint back, so
    nothing is written, and an interruption leaves the transaction uncommitted. Rows that
    are only a `possible` match of a customer or an earlier row are held back as rows to
    decide ("possible"), unless `not_duplicate` (--not-duplicate) or the row's
    not-duplicate column says they are another company: then they are imported and the
    audit entry lists the candidates set aside.
    """
    from salesctl.services.customers.matching import BatchMatcher, Probe

    if on_duplicate not in ON_DUPLICATE:
        raise InvalidInput(t("import.err.on_duplicate", value=on_duplicate, accepted=", ".join(ON_DUPLICATE)))
    progress = progress or Progress()
    session = ctx.session
    report = new_report(table, dry_run=dry_run, partial=partial, on_duplicate=on_duplicate, total=0)
    index = StaffIndex(ctx)
    base_owner = default_owner(ctx, index, owner, has_column="owner" in table.columns)
    validator = CustomerValidator(ctx, index, owner=base_owner, allow_incomplete=allow_incomplete, labels=table.label)
    matcher = BatchMatcher(session)
    existing_hits: list[tuple[RowResult, int, str, int | None]] = []  # result, customer id, matched on, requester
    held: list[tuple[RowResult, list]] = []  # possible matches to decide: result, hits
    confirmed: list[dict] = []  # possible matches set aside by --not-duplicate or the column (audited)
    confirmed_count = 0
    created = {"customer": 0, "contact": 0}
    note = f"import {table.sheet.path.name}"
    savepoint = session.begin_nested()
    for chunk in batches(table, report, progress):
        checked: dict[int, tuple[PreparedCustomer, list]] = {}
        for number, values in chunk:
            row = _row_values(table, values)
            try:
                checked[number] = (validator.check(number, row), values)
            except RowError as exc:
                report.add(RowResult(number, "rejected", _txt(row.get("name")), exc.reason, exc.code, values))
        accepted: list[PreparedCustomer] = []

        def accept(probe, hits) -> bool:
            nonlocal confirmed_count
            prepared, values = checked[probe.row]
            if hits and hits[0].match == "same":
                hit = hits[0]
                if hit.where == "archive":
                    result = RowResult(probe.row, "duplicate", prepared.name, None, "duplicate", values)
                    existing_hits.append((result, hit.ref, hit.reason, prepared.owner_id or prepared.reporter_id))
                    report.add(result)
                else:
                    report.add(RowResult(probe.row, "duplicate", prepared.name,
                                         t("import.reason.same_as_row", row=hit.ref, on=hit.reason),
                                         "duplicate_in_file", values))
                return False
            if hits:
                if not (not_duplicate or prepared.not_duplicate):
                    result = RowResult(probe.row, "possible", prepared.name, None, "possible_duplicate", values)
                    held.append((result, hits))
                    report.add(result)
                    return False
                confirmed_count += 1
                if len(confirmed) < AUDITED_CONFIRMATIONS:
                    confirmed.append({"row": probe.row, "name": prepared.name, "candidates": [
                        {("id" if h.where == "archive" else "row"): h.ref, "reason": h.reason} for h in hits]})
            accepted.append(prepared)
            if prepared.missing:
                report.add(RowResult(probe.row, "incomplete", prepared.name,
                                     t("import.reason.incomplete",
                                       fields=", ".join(table.label(k) for k in prepared.missing)),
                                     "incomplete", values))
            else:
                report.counts["imported"] += 1
            return True

        # a NUL or an over-long name is refused before the matcher sends it to the database (PostgreSQL
        # refuses a NUL even as a query parameter), with the message the writer gives
        from salesctl import storedtext

        storedtext.check_column(Customer.__table__.c.name, [p.name for p, _values in checked.values()])
        storedtext.check_column(Customer.__table__.c.name_norm, [p.name_norm for p, _values in checked.values()])
        matcher.check([Probe(p.row, p.name_norm, p.parsed, p.phone_key, p.email, p.credit_code)
                       for p, _values in checked.values()], accept)
        if accepted:
            ids = write_customers(ctx, accepted, note=note)
            matcher.written(ids, [p.row for p in accepted])
            created["customer"] += len(accepted)
            created["contact"] += sum(1 for p in accepted if p.contact)
    if existing_hits:
        info = describe_duplicates(session, [cid for _r, cid, _m, _o in existing_hits], known=matcher.described)
        for result, cid, matched_on, _requester in existing_hits:
            result.reason = duplicate_reason(info[cid], cid, matched_on)
    if held:
        _describe_possible(session, held, matcher.described)
    if on_duplicate == "claim" and existing_hits:
        _plan_claims(ctx, report, existing_hits)
    report.decide()
    if not report.writes:
        savepoint.rollback()
        return report
    savepoint.commit()
    report.created.update(created)
    if on_duplicate == "claim":
        report.created["claim_request"] = _record_claims(ctx, report, existing_hits, table.sheet.path.name,
                                                          matcher.described)
    report.written = True
    summary = {**report.audit_summary(), "sha256": table.sheet.sha256, "encoding": table.sheet.encoding,
               "allow_incomplete": allow_incomplete}
    if confirmed_count:
        summary.update({"not_duplicate": bool(not_duplicate), "not_duplicate_rows": confirmed_count,
                        "not_duplicate_of": confirmed})
    ctx.audit("import.customers", "customer", None, None, summary)
    return report


def _describe_possible(session, held: list[tuple[RowResult, list]], known: dict | None = None) -> None:
    """A held row's reason: its candidates as `customer add` lists them, earlier rows by number."""
    from salesctl.messages import label
    from salesctl.services.customers.customers import _describe
    from salesctl.services.customers.matching import POSSIBLE_SHOWN, Match

    info = describe_duplicates(session, [h.ref for _r, hits in held for h in hits[:POSSIBLE_SHOWN]
                                         if h.where == "archive"], known=known)
    for result, hits in held:
        shown = []
        for hit in hits[:POSSIBLE_SHOWN]:
            if hit.where == "archive" and hit.ref in info:
                name, owner, at = info[hit.ref]
                shown.append(_describe(Match(hit.ref, name, owner, at, "possible", hit.reason, hit.part)))
            else:
                shown.append(t("import.reason.possible_row", row=hit.ref, on=label("customer_match", hit.reason)))
        listing = "; ".join(shown) + (" …" if len(hits) > POSSIBLE_SHOWN else "")
        result.reason = t("import.reason.possible", listing=listing)


def _plan_claims(ctx, report: ImportReport, hits) -> None:
    """--on-duplicate claim: a duplicate of someone else's customer becomes a pending claim request."""
    owners = dict(ctx.session.execute(select(Customer.id, Customer.owner_id)
                                      .where(Customer.id.in_([cid for _r, cid, _m, _o in hits]))).all())
    for result, cid, _matched_on, requester in hits:
        if owners.get(cid) is not None and owners.get(cid) == requester:
            result.reason = f"{result.reason}; " + t("import.reason.already_yours")
            continue
        report.counts["duplicate"] -= 1
        report.counts["claimed"] += 1
        result.status = "claimed"
        result.code = "claimed"


def _record_claims(ctx, report: ImportReport, hits, source: str, known: dict | None = None) -> int:
    """The pending requests; a customer held out of a staff login's reach (row-level security) is known by
    what the matcher was told of it (its owner), as `claim add` does."""
    from salesctl.directory import find_staff
    from salesctl.services.customers.ownership import record_entry

    claimed = [(r, cid, requester) for r, cid, _m, requester in hits if r.status == "claimed"]
    done = 0
    for start in range(0, len(claimed), 500):
        chunk = claimed[start:start + 500]
        customers = {c.id: c for c in ctx.session.execute(
            select(Customer).where(Customer.id.in_([cid for _r, cid, _q in chunk]))).scalars()}
        for result, cid, requester in chunk:
            if cid not in customers:
                _name, owner, _at = (known or {}).get(cid, (None, None, None))
                holder = find_staff(ctx.session, owner) if owner else None
                customers[cid] = Customer(id=cid, name=_name or "", name_norm="",
                                          owner_id=holder.id if holder else None)
            record_entry(ctx, customers[cid], "request", staff_id=requester,
                         note=f"{source} row {result.row}")
            done += 1
    return done


def write_customers(ctx, prepared: list[PreparedCustomer], *, progress: Progress | None = None,
                    note: str = "import", reported_at: dict[int, datetime] | None = None) -> list[int]:
    """Insert customers with their primary contact, first-report ledger entry and first grade, in bulk.

    Returns the new ids in the order given. `reported_at` (row → time) lets a CRM import
    date the first report (and creation) when its source knows it.
    """
    session = ctx.session
    progress = progress or Progress()
    ids = allocate_ids(session, Customer.__table__, len(prepared))
    actor_id = ctx.actor.id
    now = ctx.now
    reason = t("import.reason.grade", source=note)
    when = reported_at or {}
    for new_id, item in zip(ids, prepared):  # the customer rows themselves get their ids and dates
        item.customer["id"] = new_id
        moment = when.get(item.row)
        if moment is not None:
            item.customer["reported_at"] = item.customer["created_at"] = moment
    progress.phase(t("import.progress.writing"), len(prepared))  # counts customers, not the rows behind them

    # generators, written one batch at a time: four lists of 100,000 dicts would be most of the memory
    def contacts():
        for item in prepared:
            if item.contact is not None:
                item.contact["customer_id"] = item.customer["id"]
                yield item.contact

    def ledger():
        for item in prepared:
            record = item.customer
            yield {"customer_id": record["id"], "kind": "report", "staff_id": item.reporter_id,
                   "from_owner_id": None, "to_owner_id": item.owner_id, "by_id": actor_id,
                   "at": record["reported_at"] or now,
                   "note": note if item.owner_id is not None else f"{note}; pool", "need": None, "ref_id": None,
                   "had_info_in_time": None}

    def grades():
        for item in prepared:
            record = item.customer
            yield {"customer_id": record["id"], "from_grade": None, "to_grade": record["grade"], "by_id": actor_id,
                   "at": record["reported_at"] or now, "reason": reason, "source": "import", "rule": item.grade_rule,
                   "visit_id": None}

    bulk_insert(session, Customer.__table__, (item.customer for item in prepared), progress=progress)
    bulk_insert(session, Contact.__table__, contacts())
    bulk_insert(session, OwnershipEntry.__table__, ledger())
    bulk_insert(session, GradeChange.__table__, grades())
    return ids


# --------------------------------------------------------------------------- customers named in other files

# --------------------------------------------------------------------------- visits
def import_visits(ctx, table: Table, *, on_duplicate: str = "skip", partial: bool = False, dry_run: bool = False,
                  progress: Progress | None = None) -> ImportReport:
    """`import visits`: rows checked as `visit log` checks them; a visit belongs to the customer's owner.

    Read, checked and written BATCH_ROWS rows at a time inside a savepoint, as `import customers`
    is: a visit already stored (same customer, time, kind and content), the archive's or one an
    earlier batch wrote ("same as row N", told apart by its id), is found by two indexed queries
    per batch (`_new_visits`); the batch's own rows are compared in a dictionary. A refusal or
    --dry-run rolls the savepoint back, so nothing is written.
    """
    if on_duplicate not in ("skip", "fail"):
        raise InvalidInput(t("import.err.on_duplicate_kind", value=on_duplicate, kind="visits"))
    from salesctl.services.io.bulk import WrittenRows

    progress = progress or Progress()
    session = ctx.session
    report = new_report(table, dry_run=dry_run, partial=partial, on_duplicate=on_duplicate, total=0)
    staff = StaffIndex(ctx)
    customers = CustomerIndex(session)
    check = WriteCheck(ctx, staff, "import.what.log_visits_for")
    written = WrittenRows()
    from sqlalchemy import func

    before = session.execute(select(func.max(Visit.id))).scalar() or 0  # the visits stored when the import began
    latest: dict[int, datetime] = {}  # customer → the latest visit written (last_contact_at at the end)
    contacts: dict[tuple[int, str], int] = {}  # (customer, contact name) → contact id, of the customers named so far
    loaded: set[int] = set()
    created = {"visit": 0, "contact": 0}
    savepoint = session.begin_nested()
    for chunk in batches(table, report, progress):
        parsed = [checked for checked in (_visit_row(ctx, table, customers, check, report, number, values)
                                          for number, values in chunk) if checked is not None]
        accepted = _new_visits(session, parsed, report, written, ctx.clock, before)
        if accepted:
            made, visits = _write_visits(ctx, accepted, contacts, loaded)
            written.add([v["id"] for v in visits], [number for number, _item in accepted])
            created["contact"] += made
            created["visit"] += len(visits)
            for _number, item in accepted:
                cid = item["customer"][0]
                if latest.get(cid) is None or item["at"] > latest[cid]:
                    latest[cid] = item["at"]
    report.decide()
    if not report.writes:
        savepoint.rollback()
        return report
    touched = [{"cid": cid, "last": at, "now": ctx.now} for cid, at in latest.items()
               if customers.by_id[cid][3] is None or at > customers.by_id[cid][3]]
    if touched:
        from sqlalchemy import bindparam

        table_c = Customer.__table__
        for start in range(0, len(touched), 20_000):
            session.connection().execute(
                update(table_c).where(table_c.c.id == bindparam("cid"))
                .values(last_contact_at=bindparam("last"), updated_at=bindparam("now")), touched[start:start + 20_000])
    savepoint.commit()
    report.created.update({**created, "customer_last_contact": len(touched)})
    report.written = True
    ctx.audit("import.visits", "visit", None, None, {**report.audit_summary(), "sha256": table.sheet.sha256})
    return report


def _visit_row(ctx, table: Table, customers: CustomerIndex, check: WriteCheck, report: ImportReport, number: int,
               values: list) -> tuple[int, dict] | None:
    """One visit row as `visit log` takes it, or None when it is rejected (the report says why)."""
    from salesctl.services.sales.visits import parse_kind

    clock, label = ctx.clock, table.label
    row = _row_values(table, values)  # text fields are stripped text or None already; the times as the cell holds them
    text = row.get
    name = text("customer")
    try:
        customer = customers.find(text("customer"), label("customer"))
        owner = check.owner(customer)
        missing = [label(k) for k in ("content", "result", "contact") if not text(k)]
        if row.get("at") is None:
            missing.insert(0, label("at"))
        if missing:
            raise RowError("missing", t("import.reason.missing", fields=", ".join(missing)))
        try:
            kind = parse_kind(text("kind"))
        except InvalidInput as exc:
            raise _field_error(exc, label("kind"), "kind") from None
        try:
            moment = cell_moment(row.get("at"), "at", clock)
        except InvalidInput as exc:
            raise _field_error(exc, label("at"), "date") from None
        if moment > clock.now:
            raise RowError("future", t("import.reason.future", column=label("at"), value=cell_text(row.get("at"))))
        follow = None
        if cell_text(row.get("follow_up")):
            try:
                follow = cell_date(row.get("follow_up"), "follow_up", clock.today)
            except InvalidInput as exc:
                raise _field_error(exc, label("follow_up"), "date") from None
            if follow < clock.local(moment).date():
                raise RowError("date", t("import.reason.follow_before", column=label("follow_up"), follow=follow,
                                         day=clock.local(moment).date()))
    except RowError as exc:
        report.add(RowResult(number, "rejected", name, exc.reason, exc.code, values))
        return None
    return number, {"customer": customer, "owner": owner, "kind": kind, "at": moment, "follow_up": follow,
                    "contact": text("contact"), "content": text("content"), "result": text("result"),
                    "problems": text("problems"), "next_step": text("next_step"), "values": values}


def _new_visits(session, parsed: list[tuple[int, dict]], report: ImportReport, written, clock, before: int
                ) -> list[tuple[int, dict]]:
    """The batch's rows that are new: not a stored visit nor an earlier row of the file.

    Two queries a batch: the archive's visits (ids up to `before`, those stored when the import
    began) of the batch's customers within its span of times, a day wider either way, compared in
    Python (a stored time in another written form still compares); and the visits this import
    wrote in earlier batches at exactly the batch's times (written here, so in the one stored form),
    through the time index. Neither grows with the file."""
    from datetime import timedelta

    if not parsed:
        return []
    utc = clock.now_utc.tzinfo
    keys = [(item["customer"][0], item["at"].astimezone(utc), item["kind"], item["content"]) for _n, item in parsed]
    stored: dict[tuple, int] = {}
    columns = (Visit.id, Visit.customer_id, Visit.at, Visit.kind, Visit.content)
    if before:
        ids = sorted({key[0] for key in keys})
        low = min(k[1] for k in keys) - timedelta(days=1)
        high = max(k[1] for k in keys) + timedelta(days=1)
        for start in range(0, len(ids), 500):
            for vid, cid, at, kind, content in session.execute(
                    select(*columns).where(Visit.customer_id.in_(ids[start:start + 500]), Visit.id <= before,
                                           Visit.at >= low, Visit.at <= high)):
                stored.setdefault((cid, at, kind, (content or "").strip()), vid)
    if written.batches:
        times = sorted({key[1] for key in keys})
        for start in range(0, len(times), 500):
            for vid, cid, at, kind, content in session.execute(
                    select(*columns).where(Visit.at.in_(times[start:start + 500]), Visit.id > before)):
                stored.setdefault((cid, at, kind, (content or "").strip()), vid)
    return sort_out(parsed, keys, stored, written, report, name=lambda item: item["customer"][1],
                    exists=lambda _item: t("import.reason.visit_exists"), on="customer, time, kind, content")


def _write_visits(ctx, accepted: list[tuple[int, dict]], contacts: dict[tuple[int, str], int], loaded: set[int]
                  ) -> tuple[int, list[dict]]:
    """A batch's visits, with the contacts they name that the customer does not have yet: (contacts made, visits).

    `contacts` ((customer, name) → id) and `loaded` (customers whose contacts it holds) last the whole import:
    they grow with the customers named, not with the rows."""
    session = ctx.session
    now, actor_id = ctx.now, ctx.actor.id
    ids = sorted({item["customer"][0] for _n, item in accepted} - loaded)
    loaded.update(ids)
    for start in range(0, len(ids), 500):
        for cid, contact_id, name in session.execute(select(Contact.customer_id, Contact.id, Contact.name)
                                                     .where(Contact.customer_id.in_(ids[start:start + 500]))
                                                     .order_by(Contact.id)):
            contacts.setdefault((cid, (name or "").strip().lower()), contact_id)
    new_contacts: dict[tuple[int, str], dict] = {}
    for _n, item in accepted:
        key = (item["customer"][0], item["contact"].lower())
        if key not in contacts and key not in new_contacts:
            new_contacts[key] = {"customer_id": key[0], "name": item["contact"], "title": None, "phone": None,
                                 "phone_norm": None, "email": None, "decision_maker": False, "is_primary": False,
                                 "note": None, "created_at": now, "updated_at": now}
    contact_rows = list(new_contacts.values())
    for new_id, (key, record) in zip(allocate_ids(session, Contact.__table__, len(contact_rows)), new_contacts.items()):
        record["id"] = new_id
        contacts[key] = new_id
    visits = []
    for new_id, (_n, item) in zip(allocate_ids(session, Visit.__table__, len(accepted)), accepted):
        cid = item["customer"][0]
        visits.append({"id": new_id, "customer_id": cid, "contact_id": contacts[(cid, item["contact"].lower())],
                       "rep_id": item["owner"].id, "at": item["at"], "kind": item["kind"], "content": item["content"],
                       "result": item["result"], "problems": item["problems"], "next_step": item["next_step"],
                       "follow_up": item["follow_up"], "follow_up_done": False, "created_by_id": actor_id,
                       "created_at": now})
    bulk_insert(session, Contact.__table__, contact_rows)
    bulk_insert(session, Visit.__table__, visits)
    return len(contact_rows), visits
