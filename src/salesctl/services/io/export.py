"""`salesctl export TABLE`: any table the acting user may see, as CSV, JSON or XLSX.

Rows come from the same scoped queries as the list commands (`customer_scope`,
`resolve_scope`, the complaint and meeting rules), streamed: CSV and JSON to
stdout go out row by row. A file (`--out`) that holds customer data follows the
one rule of services.archive.write_customer_file: an .xlsx encrypted with the
author's archive password, or, with both opt-out flags, a plain file (mode 600,
audited). What goes to stdout is the user's and is not encrypted.

The customers table uses the import's field names (name, contact, title, phone,
status, …, owner), so an export can be edited and imported again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from salesctl.errors import InvalidInput
from salesctl.messages import t
from salesctl.models import Contact, Customer, GradeChange, OwnershipEntry, Staff, Visit, live_customer

FORMATS = ("csv", "json", "xlsx")


@dataclass(frozen=True)
class Spec:
    name: str
    keys: tuple[str, ...]  # the columns, in order
    customer_data: bool
    rows: Callable  # (ctx) -> iterable of dicts
    money: tuple[str, ...] = ()


def _customers(ctx) -> Iterator[dict]:
    from salesctl.permissions import customer_scope

    owner, reporter = aliased(Staff), aliased(Staff)
    primary = aliased(Contact)
    stmt = (
        select(Customer.id, Customer.name, primary.name, primary.title, primary.phone, Customer.status,
               Customer.industry, Customer.region, Customer.address, Customer.website, Customer.email,
               Customer.expected_purchase, Customer.grade, owner.handle, reporter.handle, Customer.reported_at,
               Customer.last_contact_at, Customer.incomplete, Customer.created_at, Customer.updated_at)
        .select_from(Customer)
        .join(primary, and_(primary.customer_id == Customer.id, primary.is_primary == True), isouter=True)  # noqa: E712
        .join(owner, owner.id == Customer.owner_id, isouter=True)
        .join(reporter, reporter.id == Customer.reported_by_id, isouter=True)
        .where(live_customer())
        .order_by(Customer.id)
    )
    visible = customer_scope(ctx)
    if visible is not None:
        stmt = stmt.where(visible)
    keys = SPECS["customers"].keys
    result = ctx.session.execute(stmt, execution_options={"yield_per": 1000})
    try:
        for record in result:
            row = dict(zip(keys, record))
            row["incomplete"] = bool(row["incomplete"])
            yield row
    finally:
        result.close()


def _scoped_customers(ctx, stmt):
    from salesctl.permissions import customer_scope

    stmt = stmt.where(live_customer())  # a merged record's ledger is exported as KEEP's copies
    visible = customer_scope(ctx)
    return stmt if visible is None else stmt.where(visible)


def _stream(ctx, stmt, keys) -> Iterator[dict]:
    result = ctx.session.execute(stmt, execution_options={"yield_per": 1000})
    try:
        for record in result:
            yield dict(zip(keys, record))
    finally:
        result.close()


def _contacts(ctx):
    stmt = (select(Contact.id, Contact.customer_id, Customer.name, Contact.name, Contact.title, Contact.phone,
                   Contact.email, Contact.decision_maker, Contact.is_primary, Contact.note, Contact.created_at,
                   Contact.updated_at)
            .join(Customer, Customer.id == Contact.customer_id).order_by(Contact.id))
    return _stream(ctx, _scoped_customers(ctx, stmt), SPECS["contacts"].keys)


def _visits(ctx):
    rep, contact = aliased(Staff), aliased(Contact)
    stmt = (select(Visit.id, Visit.customer_id, Customer.name, Visit.at, Visit.kind, contact.name, rep.handle,
                   Visit.content, Visit.result, Visit.problems, Visit.next_step, Visit.follow_up, Visit.follow_up_done)
            .join(Customer, Customer.id == Visit.customer_id)
            .join(rep, rep.id == Visit.rep_id)
            .join(contact, contact.id == Visit.contact_id, isouter=True)
            .order_by(Visit.at, Visit.id))
    return _stream(ctx, _scoped_customers(ctx, stmt), SPECS["visits"].keys)


def _grade_changes(ctx):
    by = aliased(Staff)
    stmt = (select(GradeChange.id, GradeChange.customer_id, Customer.name, GradeChange.at, GradeChange.from_grade,
                   GradeChange.to_grade, by.handle, GradeChange.reason, GradeChange.source, GradeChange.rule)
            .join(Customer, Customer.id == GradeChange.customer_id)
            .join(by, by.id == GradeChange.by_id, isouter=True)
            .order_by(GradeChange.at, GradeChange.id))
    return _stream(ctx, _scoped_customers(ctx, stmt), SPECS["grade-changes"].keys)


def _ownership(ctx):
    staff, old, new, by = aliased(Staff), aliased(Staff), aliased(Staff), aliased(Staff)
    stmt = (select(OwnershipEntry.id, OwnershipEntry.customer_id, Customer.name, OwnershipEntry.kind, staff.handle,
                   old.handle, new.handle, by.handle, OwnershipEntry.at, OwnershipEntry.need, OwnershipEntry.note,
                   OwnershipEntry.ref_id)
            .join(Customer, Customer.id == OwnershipEntry.customer_id)
            .join(staff, staff.id == OwnershipEntry.staff_id, isouter=True)
            .join(old, old.id == OwnershipEntry.from_owner_id, isouter=True)
            .join(new, new.id == OwnershipEntry.to_owner_id, isouter=True)
            .join(by, by.id == OwnershipEntry.by_id, isouter=True)
            .order_by(OwnershipEntry.id))
    return _stream(ctx, _scoped_customers(ctx, stmt), SPECS["ownership"].keys)


def _staff(ctx):
    from salesctl.services.org.staff import staff_rows

    return staff_rows(ctx, include_inactive=True)


def _deals(ctx):
    from salesctl.permissions import resolve_scope
    from salesctl.services.sales.deals import deal_rows

    return deal_rows(ctx, resolve_scope(ctx))


def _payments(ctx):
    from salesctl.permissions import resolve_scope
    from salesctl.services.sales.deals import payment_rows

    return payment_rows(ctx, resolve_scope(ctx))


def _leads(ctx):
    from salesctl.services.sales.leads import list_leads

    return list_leads(ctx)


def _claims(ctx):
    from salesctl.services.sales.claims import list_claims

    return list_claims(ctx)


def _complaints(ctx):
    from salesctl.services.teamwork.complaints import complaint_rows

    return complaint_rows(ctx)


def _reports(ctx):
    from salesctl.permissions import resolve_scope
    from salesctl.services.reports.reports import report_rows

    return report_rows(ctx, resolve_scope(ctx))


def _meetings(ctx):
    from salesctl.services.teamwork.meetings import meeting_rows

    return meeting_rows(ctx)


def _actions(ctx):
    from salesctl.services.teamwork.meetings import action_rows

    return action_rows(ctx)


CONTRACT_KEYS = ("id", "number", "deal_id", "customer", "owner", "signed_on", "amount", "deal_amount", "starts_on",
                 "ends_on", "status", "collected", "open")
RECEIVABLE_KEYS = ("contract_id", "contract", "deal_id", "customer", "owner", "seq", "amount", "due_on", "due_event",
                   "paid", "open", "days_overdue", "bucket", "status")


def _receivables(ctx, table: str):
    from salesctl.permissions import resolve_scope
    from salesctl.services.sales.receivables import export_rows

    return export_rows(ctx, resolve_scope(ctx), table)


SPECS: dict[str, Spec] = {s.name: s for s in (
    Spec("staff", ("id", "handle", "name", "role", "manager", "region", "industry", "active"), False, _staff),
    Spec("customers", ("id", "name", "contact", "title", "phone", "status", "industry", "region", "address", "website",
                       "email", "expected_purchase", "grade", "owner", "reported_by", "reported_at", "last_contact_at",
                       "incomplete", "created_at", "updated_at"), True, _customers),
    Spec("contacts", ("id", "customer_id", "customer", "name", "title", "phone", "email", "decision_maker", "primary",
                      "note", "created_at", "updated_at"), True, _contacts),
    Spec("visits", ("id", "customer_id", "customer", "at", "kind", "contact", "rep", "content", "result", "problems",
                    "next_step", "follow_up", "follow_up_done"), True, _visits),
    Spec("deals", ("id", "customer_id", "customer", "title", "product", "amount", "stage", "stage_name", "status",
                   "owner", "expected_close", "won_on", "lost_on", "lost_reason", "paid", "outstanding"), True, _deals,
         money=("amount", "paid", "outstanding")),
    Spec("payments", ("id", "deal_id", "amount", "date", "customer", "owner", "note"), True, _payments,
         money=("amount",)),
    Spec("leads", ("id", "customer", "customer_id", "industry", "region", "source", "found_by", "status",
                   "assigned_to", "assigned_by", "assigned_at", "created_at", "owner"), True, _leads),
    Spec("grade-changes", ("id", "customer_id", "customer", "at", "from", "to", "by", "reason", "source", "rule"),
         True, _grade_changes),
    Spec("ownership", ("id", "customer_id", "customer", "kind", "staff", "from_owner", "to_owner", "by", "at", "need",
                       "note", "ref_id"), True, _ownership),
    Spec("claims", (), True, _claims),
    Spec("complaints", (), True, _complaints),
    Spec("meetings", (), True, _meetings),
    Spec("actions", (), True, _actions),
    Spec("reports", (), False, _reports),
    # issue 22: contracts and their instalments (services.sales.receivables)
    Spec("contracts", CONTRACT_KEYS, True, lambda ctx: _receivables(ctx, "contracts"),
         money=("amount", "deal_amount", "collected", "open")),
    Spec("receivables", RECEIVABLE_KEYS, True, lambda ctx: _receivables(ctx, "receivables"),
         money=("amount", "paid", "open")),
)}
ALIASES = {"customer": "customers", "contact": "contacts", "visit": "visits", "deal": "deals", "payment": "payments",
           "lead": "leads", "grades": "grade-changes", "grade_changes": "grade-changes", "ledger": "ownership",
           "claim": "claims", "complaint": "complaints", "meeting": "meetings", "action": "actions",
           "action-items": "actions", "report": "reports"}


def resolve_table(name: str) -> Spec:
    key = (name or "").strip().lower()
    key = ALIASES.get(key, key)
    if key not in SPECS:
        raise InvalidInput(t("export.err.table", table=name, accepted=", ".join(SPECS)))
    return SPECS[key]


def resolve_format(fmt: str | None, out: str | None) -> str:
    """--format, else the --out file's suffix, else csv."""
    if fmt:
        value = fmt.strip().lower()
        if value not in FORMATS:
            raise InvalidInput(t("export.err.format", value=fmt, accepted=", ".join(FORMATS)))
        return value
    if out:
        suffix = out.rsplit(".", 1)[-1].lower() if "." in out else ""
        if suffix in FORMATS:
            return suffix
    return "csv"


@dataclass
class Export:
    spec: Spec
    keys: list[str]
    rows: Iterable[dict]


def open_export(ctx, spec: Spec) -> Export:
    """The rows (a stream) and their columns: the declared ones, else the first row's keys."""
    from salesctl.money import quantize

    source = iter(spec.rows(ctx))
    keys = list(spec.keys)
    first = None
    if not keys:
        first = next(source, None)
        keys = list(first) if first is not None else ["id"]

    def rows():
        if first is not None:
            yield first
        for row in source:
            for key in spec.money:
                if row.get(key) is not None:
                    row[key] = quantize(row[key])
            yield row

    return Export(spec, keys, rows())


def _cell(value):
    from salesctl.render import csv_value

    return csv_value(value)


def csv_bytes(export: Export, *, raw: bool = False) -> bytes:
    """A CSV file (UTF-8 with BOM, CRLF) through the one CSV writer: formula injection neutralised unless raw."""
    from salesctl.render import csv_value
    from salesctl.spreadsheet import csv_file_bytes

    keys = export.keys
    return csv_file_bytes(list(keys), ([row.get(k) for k in keys] for row in export.rows), raw=raw, convert=csv_value)


def json_bytes(export: Export) -> bytes:
    from salesctl.render import json_value

    rows = [{k: json_value(row.get(k)) for k in export.keys} for row in export.rows]
    return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# enumerations shown in the reader's language in a workbook: (table, column) → label kind (messages <kind>.<value>)
ENUMS = {("customers", "status"): "customer_status", ("deals", "status"): "deal_status",
         ("deals", "lost_reason"): "deal_lost", ("visits", "kind"): "visit_kind", ("staff", "role"): "role"}


def heading(key: str) -> str:
    """A column's heading in the display language (export.col.<key>, else archive.col.<key>, else col.<key>)."""
    from salesctl.messages import catalog

    names = catalog()
    for prefix in ("export.col.", "archive.col.", "col."):
        if prefix + key in names:
            return t(prefix + key)
    return key


def xlsx_bytes(export: Export, clock) -> tuple[bytes, int]:
    """A one-sheet workbook (io.workbook.table_workbook) in the display language: headings and enumeration
    values translated, datetimes local, money numbers and dates dates."""
    from datetime import date, datetime
    from decimal import Decimal

    from salesctl.messages import label as enum_label
    from salesctl.services.io.workbook import table_workbook

    enums = [ENUMS.get((export.spec.name, key)) for key in export.keys]
    rows = []
    kinds = ["text"] * len(export.keys)
    for row in export.rows:
        out = []
        for i, key in enumerate(export.keys):
            value = row.get(key)
            if isinstance(value, datetime):
                value = clock.local(value).replace(tzinfo=None)
                kinds[i] = "datetime"
            elif isinstance(value, date):
                kinds[i] = "date"
            elif isinstance(value, Decimal):
                kinds[i] = "money"
            elif isinstance(value, bool):
                value = t("yes") if value else t("no")
            elif isinstance(value, (list, dict)):
                value = _cell(value)
            elif enums[i] and isinstance(value, str):
                value = enum_label(enums[i], value)
            out.append(value)
        rows.append(out)
    return table_workbook([heading(k) for k in export.keys], rows, export.spec.name, kinds), len(rows)


def file_bytes(export: Export, fmt: str, clock, *, raw: bool = False) -> tuple[bytes, int | None]:
    if fmt == "xlsx":
        return xlsx_bytes(export, clock)
    materialised = list(export.rows)
    export.rows = materialised
    data = csv_bytes(export, raw=raw) if fmt == "csv" else json_bytes(export)
    return data, len(materialised)
