"""Imports of deals (checked as `deal add`/`won`/`lost`) and of staff (through `staff add`)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from sqlalchemy import select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import t
from salesctl.models import Deal, DealStageChange
from salesctl.services.io.bulk import allocate_ids, bulk_insert
from salesctl.services.io.checks import (
    CustomerIndex, StaffIndex, WriteCheck, _row_values,
)
from salesctl.services.io.columns import Table
from salesctl.services.io.outcomes import ImportReport, Progress, RowError, RowResult, _field_error, new_report
from salesctl.services.io.sheets import cell_date, cell_text


# --------------------------------------------------------------------------- deals
DEAL_STATUS_WORDS = {
    "open": "open", "进行中": "open", "跟进中": "open", "跟进": "open", "未成交": "open",
    "won": "won", "赢单": "won", "成交": "won", "已成交": "won", "签约": "won", "已签约": "won", "closed won": "won",
    "lost": "lost", "输单": "lost", "丢单": "lost", "失败": "lost", "已丢单": "lost", "closed lost": "lost",
}


def import_deals(ctx, table: Table, *, on_duplicate: str = "skip", partial: bool = False, dry_run: bool = False,
                 progress: Progress | None = None) -> ImportReport:
    """`import deals`: rows checked as `deal add`/`won`/`lost` check them; the owner is the customer's owner.

    Read, checked and written BATCH_ROWS rows at a time inside a savepoint, as the customer and
    visit imports are: a deal already stored for the customer under the same title, the archive's
    or one an earlier batch wrote ("same as row N", told apart by its id), is found by one query
    per batch. A refusal or --dry-run rolls the savepoint back, so nothing is written.
    """
    from salesctl.services.io.bulk import WrittenRows
    from salesctl.services.io.imports import batches

    if on_duplicate not in ("skip", "fail"):
        raise InvalidInput(t("import.err.on_duplicate_kind", value=on_duplicate, kind="deals"))
    progress = progress or Progress()
    session = ctx.session
    report = new_report(table, dry_run=dry_run, partial=partial, on_duplicate=on_duplicate, total=0)
    staff = StaffIndex(ctx)
    customers = CustomerIndex(session)
    check = WriteCheck(ctx, staff, "import.what.add_deals_for")
    written = WrittenRows()
    created = {"deal": 0, "deal_stage_change": 0}
    savepoint = session.begin_nested()
    for chunk in batches(table, report, progress):
        parsed = [checked for checked in (_deal_row(ctx, table, customers, check, report, number, values)
                                          for number, values in chunk) if checked is not None]
        accepted = _new_deals(session, parsed, report, written)
        if accepted:
            ids = _write_deals(ctx, [item for _n, item in accepted], table.sheet.path.name)
            written.add(ids, [number for number, _item in accepted])
            created["deal"] += len(ids)
            created["deal_stage_change"] += len(ids)
    report.decide()
    if not report.writes:
        savepoint.rollback()
        return report
    savepoint.commit()
    report.created.update(created)
    report.written = True
    ctx.audit("import.deals", "deal", None, None, {**report.audit_summary(), "sha256": table.sheet.sha256})
    return report


def _deal_row(ctx, table: Table, customers: CustomerIndex, check: WriteCheck, report: ImportReport, number: int,
              values: list) -> tuple[int, dict] | None:
    """One deal row as `deal add`/`won`/`lost` take it, or None when it is rejected (the report says why)."""
    from salesctl.money import parse_money
    from salesctl.services.sales.deals import OPEN_STAGES, parse_lost_reason, parse_stage

    today, label = ctx.today, table.label
    row = _row_values(table, values)
    name = cell_text(row.get("title")) or cell_text(row.get("customer"))
    try:
        customer = customers.find(row.get("customer"), label("customer"))
        owner = check.owner(customer)
        missing = [label(k) for k in ("title", "amount") if not cell_text(row.get(k))]
        if missing:
            raise RowError("missing", t("import.reason.missing", fields=", ".join(missing)))
        raw_amount = row.get("amount")
        try:
            numeric = isinstance(raw_amount, (int, float)) and not isinstance(raw_amount, bool)
            amount = parse_money(Decimal(str(raw_amount)) if numeric else cell_text(raw_amount), "amount")
        except InvalidInput as exc:
            raise _field_error(exc, label("amount"), "amount") from None
        if amount <= 0:
            raise RowError("amount", t("import.reason.amount", column=label("amount"), value=cell_text(raw_amount)))
        status_text = (cell_text(row.get("status")) or "").strip()
        stage_text = cell_text(row.get("stage"))
        try:
            stage = parse_stage(stage_text, label("stage")) if stage_text else None
        except InvalidInput as exc:
            raise RowError("stage", exc.message) from None
        if status_text:
            status = DEAL_STATUS_WORDS.get(status_text.lower()) or DEAL_STATUS_WORDS.get(status_text)
            if status is None:
                raise RowError("status", t("import.reason.deal_status", column=label("status"), value=status_text))
        else:
            status = "won" if stage in (4, 5) else "open"
        closed = None
        if cell_text(row.get("closed_on")):
            try:
                closed = cell_date(row.get("closed_on"), "closed_on", today)
            except InvalidInput as exc:
                raise _field_error(exc, label("closed_on"), "date") from None
        expected = None
        if cell_text(row.get("expected_close")):
            try:
                expected = cell_date(row.get("expected_close"), "expected_close", today)
            except InvalidInput as exc:
                raise _field_error(exc, label("expected_close"), "date") from None
        reason = None
        if status == "open":
            stage = stage or 1
            if stage not in OPEN_STAGES:
                raise RowError("stage", t("import.reason.open_stage", column=label("stage"), stage=stage))
            expected = expected or closed
            closed = None
        elif status == "won":
            if stage not in (None, 4):
                raise RowError("stage", t("import.reason.won_stage", column=label("stage"), stage=stage))
            stage = 4
            if closed is None:
                raise RowError("missing", t("import.reason.missing", fields=label("closed_on")))
            if closed > today:
                raise RowError("future", t("import.reason.future", column=label("closed_on"), value=closed))
        else:
            stage = stage or 1
            if stage not in OPEN_STAGES:
                raise RowError("stage", t("import.reason.open_stage", column=label("stage"), stage=stage))
            try:
                reason = parse_lost_reason(cell_text(row.get("lost_reason")))
            except InvalidInput as exc:
                raise _field_error(exc, label("lost_reason"), "missing") from None
            closed = closed or today
            if closed > today:
                raise RowError("future", t("import.reason.future", column=label("closed_on"), value=closed))
    except RowError as exc:
        report.add(RowResult(number, "rejected", name, exc.reason, exc.code, values))
        return None
    return number, {"customer": customer, "owner": owner, "title": cell_text(row.get("title")),
                    "product": cell_text(row.get("product")), "amount": amount, "stage": stage, "status": status,
                    "expected": expected, "closed": closed, "reason": reason, "values": values}


def _new_deals(session, parsed: list[tuple[int, dict]], report: ImportReport, written) -> list[tuple[int, dict]]:
    """The batch's rows that are new: no deal of the customer has the title (stored, or an earlier row's)."""
    from salesctl.services.io.imports import sort_out

    stored: dict[tuple[int, str], int] = {}
    ids = sorted({item["customer"][0] for _n, item in parsed})
    for start in range(0, len(ids), 500):
        for did, cid, title in session.execute(select(Deal.id, Deal.customer_id, Deal.title)
                                               .where(Deal.customer_id.in_(ids[start:start + 500]))
                                               .order_by(Deal.id)):
            stored.setdefault((cid, title.strip().lower()), did)
    keys = [(item["customer"][0], item["title"].lower()) for _n, item in parsed]
    return sort_out(parsed, keys, stored, written, report, name=lambda item: item["title"],
                    exists=lambda item: t("import.reason.deal_exists", customer=item["customer"][1]),
                    on="customer, title")


def _write_deals(ctx, accepted: list[dict], source: str) -> list[int]:
    """A batch's deals, each with its first stage change; returns their ids in order."""
    session = ctx.session
    now, actor_id = ctx.now, ctx.actor.id
    deal_ids = allocate_ids(session, Deal.__table__, len(accepted))
    deals, moves = [], []
    for new_id, item in zip(deal_ids, accepted):
        deals.append({"id": new_id, "customer_id": item["customer"][0], "owner_id": item["owner"].id,
                      "title": item["title"], "product": item["product"], "amount": item["amount"],
                      "stage": item["stage"], "status": item["status"], "expected_close": item["expected"],
                      "won_on": item["closed"] if item["status"] == "won" else None,
                      "lost_on": item["closed"] if item["status"] == "lost" else None,
                      "lost_reason": item["reason"], "created_by_id": actor_id, "created_at": now, "updated_at": now})
        note = t("import.note.deal", source=source)
        if item["status"] == "won":
            note += f"; won: contract {item['closed'].isoformat()}"
        elif item["status"] == "lost":
            note += f"; lost: {item['reason']}"
        moves.append({"deal_id": new_id, "from_stage": None, "to_stage": item["stage"], "by_id": actor_id, "at": now,
                      "note": note})
    bulk_insert(session, Deal.__table__, deals)
    bulk_insert(session, DealStageChange.__table__, moves)
    return deal_ids


# --------------------------------------------------------------------------- staff
def handle_from_name(name: str) -> str | None:
    """anna.snelling from 'Anna Snelling' (ASCII names only; Chinese names need a handle column)."""
    folded = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().strip().lower()
    if not folded or not name.isascii():
        return None
    slug = re.sub(r"[^a-z0-9\-]+", ".", folded).strip(".")
    return re.sub(r"\.{2,}", ".", slug) or None


def import_staff(ctx, table: Table, *, under: str | None = None, on_duplicate: str = "skip", partial: bool = False,
                 dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """`import staff`: each row through `staff add` (same checks), managers before their reports.

    A row's manager may be someone in the org chart or a row of the same file; rows
    without a manager go under `--under` (default: the acting user). Runs in a
    savepoint per row, so one bad row does not spoil the others; all or nothing still
    applies to the whole file unless --partial.
    """
    from salesctl.services.org.staff import add_staff

    if on_duplicate not in ("skip", "fail"):
        raise InvalidInput(t("import.err.on_duplicate_kind", value=on_duplicate, kind="staff"))
    session = ctx.session
    report = new_report(table, dry_run=dry_run, partial=partial, on_duplicate=on_duplicate)
    index = StaffIndex(ctx)
    boss = index.flag(under, "--under") if under else ctx.actor
    label = table.label
    pending = []
    handles_in_file: dict[str, int] = {}
    for number, values in table.rows:
        row = _row_values(table, values)
        name = cell_text(row.get("name"))
        handle = cell_text(row.get("handle")) or handle_from_name(name or "")
        if not name:
            report.add(RowResult(number, "rejected", handle, t("import.reason.missing", fields=label("name")), "missing", values))
            continue
        if not handle:
            report.add(RowResult(number, "rejected", name, t("import.reason.handle_required", column=label("handle")),
                                 "missing", values))
            continue
        if handle in index.by_handle:
            report.add(RowResult(number, "duplicate", handle, t("import.reason.staff_exists", handle=handle),
                                 "duplicate", values))
            continue
        if handle in handles_in_file:
            report.add(RowResult(number, "duplicate", handle,
                                 t("import.reason.same_as_row", row=handles_in_file[handle], on="handle"),
                                 "duplicate_in_file", values))
            continue
        handles_in_file[handle] = number
        pending.append((number, values, handle, name, row))
    # the file's people by name too, so a manager column may hold a name
    file_names = {name.lower(): handle for _n, _v, handle, name, _r in pending}
    savepoint = session.begin_nested()
    done: set[str] = set()
    progress_made = True
    waiting = pending
    while waiting and progress_made:
        progress_made = False
        later = []
        for number, values, handle, name, row in waiting:
            manager_ref = cell_text(row.get("manager"))
            role = cell_text(row.get("role")) or "rep"
            manager_handle = None
            if manager_ref:
                ref = file_names.get(manager_ref.lower(), manager_ref)
                if ref in handles_in_file and ref not in done:
                    later.append((number, values, handle, name, row))
                    continue
                manager_handle = ref
            elif role.strip().lower() not in ("gm", "总经理"):
                manager_handle = boss.handle
            nested = session.begin_nested()
            try:
                add_staff(ctx, handle, name=name, role=role, manager=manager_handle,
                          region=cell_text(row.get("region")), industry=cell_text(row.get("industry")),
                          email=cell_text(row.get("email")), phone=cell_text(row.get("phone")))
            except (InvalidInput, NotFound, Conflict, PermissionDenied) as exc:
                nested.rollback()
                code = {"role": "role", "manager": "manager"}.get(exc.message.split(":")[0].strip("- "), "staff")
                report.add(RowResult(number, "rejected", handle, exc.message, code, values))
            else:
                nested.commit()
                report.add(RowResult(number, "imported", handle))
                done.add(handle)
            progress_made = True
        waiting = later
    for number, values, handle, _name, row in waiting:
        report.add(RowResult(number, "rejected", handle,
                             t("import.reason.manager_cycle", column=label("manager"), value=cell_text(row.get("manager"))),
                             "manager", values))
    report.problems.sort(key=lambda r: r.row)
    report.decide()
    if not report.writes:
        savepoint.rollback()
        return report
    savepoint.commit()
    report.created["staff"] = len(done)
    report.written = True
    ctx.audit("import.staff", "staff", None, None, {**report.audit_summary(), "sha256": table.sheet.sha256})
    return report


