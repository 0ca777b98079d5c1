"""The customer archive pack (客户档案): the workbook, what counts as "new or changed", encryption, manifest.

Every Friday each rep sends their archive to the GM and the manager with that
week's additions marked in another colour (SPEC 1.4). The pack is one .xlsx:

- sheets: customers (every handbook field, grade, owner, first reporter, money
  totals), contacts of those customers, visits of the period, grade changes of
  the period;
- row 1 is a legend (a highlighted cell saying what the colour means), row 2 the
  header; both are frozen; data starts on row 3;
- a customer row is highlighted ("added or changed in the period") when, inside
  the period: the customer was created or updated (`created_at`/`updated_at`),
  one of its contacts was created or updated, its grade changed, a visit to it
  took place (`Visit.at`), or it was granted to an owner (claim, assignment,
  transfer: a granting ownership-ledger entry). A contact row is highlighted when
  that contact was created or updated in the period. Every row of the visits and
  grade-changes sheets is of the period, so all of them are highlighted;
- dates are real Excel dates, money numbers with two decimals, column widths fit
  the longest cell (Chinese characters count double, via wcwidth).

The file is then encrypted with the author's archive password (standard Office
encryption, ECMA-376 agile, via msoffcrypto-tool), so Excel, WPS and LibreOffice
open it with that password. Opting out needs two flags and is audited.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import and_, case, func, or_, select, union
from sqlalchemy.orm import aliased

from salesctl.errors import InvalidInput
from salesctl.messages import label, render_stored, t
from salesctl.models import Contact, Customer, Deal, GradeChange, OwnershipEntry, Payment, Staff, Visit
from salesctl.services.io.workbook import MAX_WIDTH, _shown, display_width
from salesctl.services.security.files import (
    ENCRYPTED_MODE, PLAIN_MODE, encrypt_bytes, audit_unencrypted_file, write_file,
)

HIGHLIGHT_RGB = "FFFFF2CC"  # light yellow, readable when printed in grey too
FIRST_DATA_ROW = 3  # row 1 legend, row 2 header
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "0.00"


@dataclass(frozen=True)
class Col:
    key: str
    kind: str = "text"  # text | int | date | datetime | money

    def heading(self) -> str:
        return t(f"archive.col.{self.key}")


CUSTOMER_COLUMNS = (
    Col("id", "int"), Col("name"), Col("contact"), Col("title"), Col("phone"), Col("status"),
    Col("industry"), Col("region"), Col("address"), Col("website"), Col("email"),
    Col("expected_purchase", "date"), Col("grade"), Col("owner"), Col("reported_by"),
    Col("reported_at", "datetime"), Col("created_at", "datetime"), Col("updated_at", "datetime"),
    Col("last_contact_at", "datetime"), Col("open_amount", "money"), Col("paid_amount", "money"),
)
CONTACT_COLUMNS = (
    Col("id", "int"), Col("customer"), Col("contact"), Col("title"), Col("phone"), Col("email"),
    Col("decision_maker"), Col("primary"), Col("note"), Col("created_at", "datetime"),
    Col("updated_at", "datetime"), Col("customer_id", "int"),
)
VISIT_COLUMNS = (
    Col("id", "int"), Col("customer"), Col("at", "datetime"), Col("kind"), Col("contact"), Col("rep"),
    Col("content"), Col("result"), Col("problems"), Col("next_step"), Col("follow_up", "date"),
    Col("customer_id", "int"),
)
GRADE_COLUMNS = (
    Col("id", "int"), Col("customer"), Col("at", "datetime"), Col("from_grade"), Col("to_grade"),
    Col("by"), Col("reason"), Col("source"), Col("rule"), Col("customer_id", "int"),
)


@dataclass(frozen=True)
class ArchivePeriod:
    label: str  # 2026-W48, or 2026-11-01..2026-11-27 for --since
    start: date
    end: date  # inclusive
    start_utc: datetime
    end_utc: datetime  # exclusive
    week: str | None = None  # ISO week label when the period is a week


@dataclass
class Sheet:
    key: str  # customers | contacts | visits | grade_changes
    columns: tuple[Col, ...]
    rows: list[tuple] = field(default_factory=list)
    highlighted: list[bool] = field(default_factory=list)

    @property
    def highlighted_count(self) -> int:
        return sum(1 for flag in self.highlighted if flag)


@dataclass
class Pack:
    author: str  # handle of the acting user (whose password encrypts it)
    author_name: str
    scope: str
    period: ArchivePeriod
    generated_at: datetime
    sheets: list[Sheet]
    new: int  # customers created in the period
    changed: int  # other highlighted customers

    def counts(self) -> dict[str, int]:
        return {sheet.key: len(sheet.rows) for sheet in self.sheets}


# --------------------------------------------------------------------------- the period
def resolve_period(ctx, week: str | None, since: str | None) -> ArchivePeriod:
    """--week W (default: this week) or --since D (D up to today)."""
    from salesctl.periods import parse_date, parse_period

    if week and since:
        raise InvalidInput(t("archive.err.week_and_since"))
    today = ctx.today
    if since:
        start = parse_date(since, "since", today)
        if start > today:
            raise InvalidInput(t("archive.err.since_future", date=start, today=today))
        end, label, week_label = today, f"{start.isoformat()}..{today.isoformat()}", None
    else:
        period = parse_period(week, "week", today)
        start, end, label, week_label = period.start, period.end, period.label, period.label
    start_utc, end_utc = ctx.clock.range_utc(start, end)
    return ArchivePeriod(label, start, end, start_utc, end_utc, week_label)


def _in(column, period: ArchivePeriod):
    return and_(column >= period.start_utc, column < period.end_utc)


# --------------------------------------------------------------------------- the data
def _person(name: str | None, handle: str | None) -> str | None:
    if handle is None:
        return None
    return f"{name} ({handle})" if name and name != handle else handle


def build_pack(ctx, scope, period: ArchivePeriod) -> Pack:
    """Read the archive in scope: a fixed number of queries, aggregated in SQL."""
    from salesctl.permissions import scope_clause
    from salesctl.services.customers.ownership import GRANTING

    session = ctx.session
    clause = scope_clause(scope, Customer.owner_id)
    scoped_ids = select(Customer.id)
    if clause is not None:
        scoped_ids = scoped_ids.where(clause)

    # the primary contact (else the first one) of each customer
    first_contact = (
        select(
            Contact.customer_id.label("customer_id"),
            func.coalesce(func.min(case((Contact.is_primary.is_(True), Contact.id))), func.min(Contact.id)).label("contact_id"),
        )
        .where(Contact.customer_id.in_(scoped_ids))
        .group_by(Contact.customer_id)
        .subquery("first_contact")
    )
    open_deals = (
        select(Deal.customer_id.label("customer_id"), func.sum(Deal.amount).label("amount"))
        .where(Deal.status == "open", Deal.customer_id.in_(scoped_ids))
        .group_by(Deal.customer_id)
        .subquery("open_deals")
    )
    paid = (
        select(Deal.customer_id.label("customer_id"), func.sum(Payment.amount).label("amount"))
        .join(Payment, Payment.deal_id == Deal.id)
        .where(Deal.customer_id.in_(scoped_ids))
        .group_by(Deal.customer_id)
        .subquery("paid")
    )
    owner = aliased(Staff, name="owner")
    reporter = aliased(Staff, name="reporter")
    primary = aliased(Contact, name="primary_contact")
    stmt = (
        select(
            Customer.id, Customer.name, primary.name, primary.title, func.coalesce(primary.phone, Customer.phone_norm),
            Customer.status, Customer.industry, Customer.region, Customer.address, Customer.website, Customer.email,
            Customer.expected_purchase, Customer.grade, owner.name, owner.handle, reporter.name, reporter.handle,
            Customer.reported_at, Customer.created_at, Customer.updated_at, Customer.last_contact_at,
            func.coalesce(open_deals.c.amount, 0), func.coalesce(paid.c.amount, 0),
        )
        .outerjoin(first_contact, first_contact.c.customer_id == Customer.id)
        .outerjoin(primary, primary.id == first_contact.c.contact_id)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .outerjoin(reporter, reporter.id == Customer.reported_by_id)
        .outerjoin(open_deals, open_deals.c.customer_id == Customer.id)
        .outerjoin(paid, paid.c.customer_id == Customer.id)
        .order_by(Customer.id)
    )
    if clause is not None:
        stmt = stmt.where(clause)

    # which customers were added or changed in the period (one UNION query)
    touched = union(
        select(Customer.id.label("cid")).where(
            Customer.id.in_(scoped_ids), or_(_in(Customer.created_at, period), _in(Customer.updated_at, period))),
        select(Contact.customer_id).where(
            Contact.customer_id.in_(scoped_ids), or_(_in(Contact.created_at, period), _in(Contact.updated_at, period))),
        select(GradeChange.customer_id).where(GradeChange.customer_id.in_(scoped_ids), _in(GradeChange.at, period)),
        select(Visit.customer_id).where(Visit.customer_id.in_(scoped_ids), _in(Visit.at, period)),
        select(OwnershipEntry.customer_id).where(
            OwnershipEntry.customer_id.in_(scoped_ids), OwnershipEntry.kind.in_(GRANTING), _in(OwnershipEntry.at, period)),
    )
    highlighted_ids = set(session.execute(touched).scalars())

    customers = Sheet("customers", CUSTOMER_COLUMNS)
    new = changed = 0
    for r in session.execute(stmt):
        (cid, name, contact, title, phone, status, industry, region, address, website, email, expected,
         grade, owner_name, owner_handle, rep_name, rep_handle, reported_at, created_at, updated_at,
         last_contact, open_amount, paid_amount) = r
        row = (cid, name, contact, title, phone, label("customer_status", status), industry, region, address,
               website, email, expected,
               grade, _person(owner_name, owner_handle), _person(rep_name, rep_handle), reported_at, created_at,
               updated_at, last_contact, _money(open_amount), _money(paid_amount))
        flag = cid in highlighted_ids
        customers.rows.append(row)
        customers.highlighted.append(flag)
        if flag:
            if created_at is not None and period.start_utc <= created_at < period.end_utc:
                new += 1
            else:
                changed += 1

    contacts = Sheet("contacts", CONTACT_COLUMNS)
    contact_stmt = (
        select(Contact.id, Customer.name, Contact.name, Contact.title, Contact.phone, Contact.email,
               Contact.decision_maker, Contact.is_primary, Contact.note, Contact.created_at, Contact.updated_at,
               Contact.customer_id)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.customer_id.in_(scoped_ids))
        .order_by(Contact.customer_id, Contact.id)
    )
    for r in session.execute(contact_stmt):
        row = list(r)
        row[6], row[7] = _yes_no(row[6]), _yes_no(row[7])
        contacts.rows.append(tuple(row))
        contacts.highlighted.append(_within(row[9], period) or _within(row[10], period))

    visits = Sheet("visits", VISIT_COLUMNS)
    rep = aliased(Staff, name="visit_rep")
    visit_contact = aliased(Contact, name="visit_contact")
    visit_stmt = (
        select(Visit.id, Customer.name, Visit.at, Visit.kind, visit_contact.name, rep.name, rep.handle,
               Visit.content, Visit.result, Visit.problems, Visit.next_step, Visit.follow_up, Visit.customer_id)
        .join(Customer, Customer.id == Visit.customer_id)
        .outerjoin(visit_contact, visit_contact.id == Visit.contact_id)
        .outerjoin(rep, rep.id == Visit.rep_id)
        .where(Visit.customer_id.in_(scoped_ids), _in(Visit.at, period))
        .order_by(Visit.at, Visit.id)
    )
    for (vid, cname, at, kind, contact, rep_name, rep_handle, content, result, problems, next_step, follow_up,
         customer_id) in session.execute(visit_stmt):
        visits.rows.append((vid, cname, at, label("visit_kind", kind), contact, _person(rep_name, rep_handle), content, result, problems,
                            next_step, follow_up, customer_id))
        visits.highlighted.append(True)

    grades = Sheet("grade_changes", GRADE_COLUMNS)
    by = aliased(Staff, name="grade_by")
    grade_stmt = (
        select(GradeChange.id, Customer.name, GradeChange.at, GradeChange.from_grade, GradeChange.to_grade,
               by.name, by.handle, GradeChange.reason, GradeChange.source, GradeChange.rule, GradeChange.customer_id)
        .join(Customer, Customer.id == GradeChange.customer_id)
        .outerjoin(by, by.id == GradeChange.by_id)
        .where(GradeChange.customer_id.in_(scoped_ids), _in(GradeChange.at, period))
        .order_by(GradeChange.at, GradeChange.id)
    )
    for gid, cname, at, from_grade, to_grade, by_name, by_handle, reason, source, rule, customer_id in session.execute(grade_stmt):
        grades.rows.append((gid, cname, at, from_grade, to_grade, _person(by_name, by_handle), render_stored(reason),
                            label("grade_source", source), render_stored(rule), customer_id))
        grades.highlighted.append(True)

    sheets = [customers, contacts, visits, grades]
    from salesctl.services.sales.receivables import pack_sheets  # issue 22: Contracts, Receivables

    for key, (columns, rows, marks) in pack_sheets(ctx, scope, period.start, period.end).items():
        sheets.append(Sheet(key, tuple(Col(k, kind) for k, kind in columns), rows, marks))
    return Pack(ctx.actor.handle, ctx.actor.name, scope.label, period, ctx.now, sheets, new, changed)


def _money(value) -> Decimal:
    from salesctl.money import quantize

    return quantize(Decimal(value or 0) if not isinstance(value, Decimal) else value)


def _yes_no(flag) -> str:
    return t("yes") if flag else t("no")


def _within(moment: datetime | None, period: ArchivePeriod) -> bool:
    return moment is not None and period.start_utc <= moment < period.end_utc


def column_widths(sheet: Sheet) -> list[float]:
    widths = [display_width(col.heading()) for col in sheet.columns]
    for row in sheet.rows:
        for i, (value, col) in enumerate(zip(row, sheet.columns)):
            w = display_width(_shown(value, col.kind))
            if w > widths[i]:
                widths[i] = w
    return [min(max(w, 4) + 2, MAX_WIDTH) for w in widths]


def legend_text(pack: Pack) -> str:
    return t("archive.legend", start=pack.period.start.isoformat(), end=pack.period.end.isoformat(),
             label=pack.period.label, author=pack.author, scope=pack.scope)


def workbook_bytes(pack: Pack, clock) -> bytes:
    """The .xlsx (unencrypted) as bytes; streams rows with openpyxl's write-only mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill(fill_type="solid", start_color=HIGHLIGHT_RGB, end_color=HIGHLIGHT_RGB)
    bold = Font(bold=True)
    wb = Workbook(write_only=True)
    wb.properties.creator = pack.author
    wb.properties.title = t("archive.title", author=pack.author_name, label=pack.period.label)
    wb.properties.subject = pack.period.label
    wb.properties.keywords = f"salesctl archive; scope {pack.scope}"
    wb.properties.created = clock.local(pack.generated_at).replace(tzinfo=None)
    legend = legend_text(pack)

    def excel_value(value, kind):
        if value is None:
            return None
        if kind == "datetime":
            return clock.local(value).replace(tzinfo=None)
        if isinstance(value, str):
            return ILLEGAL_CHARACTERS_RE.sub("", value)
        return value

    for sheet in pack.sheets:
        ws = wb.create_sheet(title=t(f"archive.sheet.{sheet.key}"))
        for i, width in enumerate(column_widths(sheet), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = f"A{FIRST_DATA_ROW}"
        legend_cell = WriteOnlyCell(ws, value=legend)
        legend_cell.fill = fill
        legend_cell.font = bold
        ws.append([legend_cell])
        header = []
        for col in sheet.columns:
            cell = WriteOnlyCell(ws, value=col.heading())
            cell.font = bold
            cell.alignment = Alignment(vertical="center")
            header.append(cell)
        ws.append(header)
        kinds = [col.kind for col in sheet.columns]
        for row, flag in zip(sheet.rows, sheet.highlighted):
            out = []
            for value, kind in zip(row, kinds):
                value = excel_value(value, kind)
                formatted = value is not None and kind in ("date", "datetime", "money")
                formula_like = isinstance(value, str) and value.startswith("=")
                if not flag and not formatted and not formula_like:
                    out.append(value)
                    continue
                cell = WriteOnlyCell(ws, value=value)
                if formula_like:
                    cell.data_type = "s"  # data, never a formula
                if kind == "date":
                    cell.number_format = DATE_FORMAT
                elif kind == "datetime":
                    cell.number_format = DATETIME_FORMAT
                elif kind == "money":
                    cell.number_format = MONEY_FORMAT
                if flag:
                    cell.fill = fill
                out.append(cell)
            ws.append(out)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()



# --------------------------------------------------------------------------- export
def export_archive(ctx, scope, period: ArchivePeriod, target: Path, secret, *, encrypt: bool,
                   action: str = "archive.export") -> dict:
    """Build, (encrypt,) write and audit one pack. The password is checked before anything is built.

    Returns what the command prints and the Friday manifest records (no customer data).
    """
    from salesctl.services.security.passwords import require_author_password, warning_for

    warning = None
    if encrypt:
        age = require_author_password(ctx, secret)
        warning = warning_for(age)
    pack = build_pack(ctx, scope, period)
    data = workbook_bytes(pack, ctx.clock)
    if encrypt:
        data = encrypt_bytes(data, secret.value)
    result = describe(pack, target, data, encrypted=encrypt)
    write_file(target, data, ENCRYPTED_MODE if encrypt else PLAIN_MODE)
    audit = {k: v for k, v in result.items() if k in ("file", "scope", "period", "rows", "highlighted", "new",
                                                      "changed", "encrypted", "sha256")}
    ctx.audit(action, "archive", None, None, audit)
    if not encrypt:
        audit_unencrypted_file(ctx, target, "customer archive pack", len(pack.sheets[0].rows))
    result["warning"] = warning
    return result


def describe(pack: Pack, target: Path, data: bytes, *, encrypted: bool) -> dict:
    return {
        "file": str(target),
        "handle": pack.author,
        "name": pack.author_name,
        "scope": pack.scope,
        "period": pack.period.label,
        "start": pack.period.start,
        "end": pack.period.end,
        "generated_at": pack.generated_at,
        "rows": pack.counts(),
        "highlighted": pack.sheets[0].highlighted_count,
        "new": pack.new,
        "changed": pack.changed,
        "encrypted": encrypted,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }


def preview(ctx, scope, period: ArchivePeriod, target: Path) -> dict:
    """What a --dry-run reports: the counts, without building or writing the file."""
    pack = build_pack(ctx, scope, period)
    result = describe(pack, target, b"", encrypted=True)
    result.pop("sha256")
    result.pop("bytes")
    return result


# --------------------------------------------------------------------------- the Friday pack
def friday_folder(*, create: bool = True) -> Path:
    """config `archive_dir`, else policy [archive] folder, else <data dir>/archive (created)."""
    from salesctl import config
    from salesctl.policy import section

    configured = config.load_config().get("archive_dir") or section("archive").get("folder") or ""
    if configured:
        folder = Path(str(configured)).expanduser()
        if not folder.is_dir():
            raise InvalidInput(t("archive.err.folder_missing", path=folder))
        return folder.resolve()
    folder = config.data_dir() / "archive"
    if create:
        folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    return folder.resolve()


def friday_names(handle: str, period: ArchivePeriod) -> tuple[str, str]:
    iso_year, iso_week, _ = period.start.isocalendar()
    stem = f"archive-{handle}-{iso_year}-W{iso_week:02d}"
    return f"{stem}.xlsx", f"{stem}.json"


def write_manifest(path: Path, result: dict) -> None:
    from salesctl.render import json_value

    manifest = {k: result[k] for k in ("handle", "name", "scope", "period", "start", "end", "generated_at", "rows",
                                       "highlighted", "new", "changed", "encrypted", "sha256", "bytes")}
    manifest["file"] = Path(result["file"]).name
    manifest["tool"] = "salesctl"
    text = json.dumps(json_value(manifest), ensure_ascii=False, indent=2) + "\n"
    write_file(path, text.encode("utf-8"), ENCRYPTED_MODE)


# --------------------------------------------------------------------------- opening a pack
def summarize(data: bytes, path: str, *, encrypted: bool) -> dict:
    """Sheets, row counts and highlighted rows of a (decrypted) pack, read back from the workbook."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True)
    except Exception:
        raise InvalidInput(t("archive.err.not_office", path=path)) from None
    sheets, marked = [], []
    legend = None
    for ws in wb.worksheets:
        rows = hl = 0
        for number, row in enumerate(ws.iter_rows(), start=1):
            if number == 1:
                legend = legend or (row[0].value if row else None)
            if number < FIRST_DATA_ROW or not row or all(c.value is None for c in row):
                continue
            rows += 1
            if _is_highlighted(row[0]):
                hl += 1
                marked.append({"sheet": ws.title, "row": number, "id": row[0].value,
                               "text": row[1].value if len(row) > 1 else None})
        sheets.append({"sheet": ws.title, "rows": rows, "highlighted": hl})
    props = wb.properties
    wb.close()
    return {"file": path, "encrypted": encrypted, "author": props.creator, "period": props.subject,
            "legend": legend, "sheets": sheets, "highlighted_rows": marked}


def require_open_scope(ctx, author: str | None) -> None:
    """A pack is opened by the people allowed to read it: its author, the author's managers, director, gm."""
    from salesctl.errors import PermissionDenied
    from salesctl.permissions import SEES_ALL, may_see_staff

    if ctx.actor.role in SEES_ALL:
        return
    person = ctx.session.execute(select(Staff).where(Staff.handle == (author or ""))).scalars().first()
    if person is None or not may_see_staff(ctx, person):
        raise PermissionDenied(t("err.denied", what=t("handbook.what.open_pack", author=author or "?")))


def _is_highlighted(cell) -> bool:
    fill = getattr(cell, "fill", None)
    if fill is None or fill.fill_type != "solid":
        return False
    rgb = getattr(fill.fgColor, "rgb", None)
    return isinstance(rgb, str) and rgb.upper() == HIGHLIGHT_RGB
