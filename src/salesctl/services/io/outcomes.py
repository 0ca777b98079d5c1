"""What an import did, row by row: outcomes, the report, progress, and the errors file (--errors-file)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


from salesctl.errors import InvalidInput, NotFound, PermissionDenied, SalesctlError
from salesctl.services.io.columns import Table, _letter
from salesctl.services.io.sheets import cell_text

STATUSES = ("imported", "incomplete", "duplicate", "possible", "claimed", "skipped", "rejected")
LISTED_IN_TABLE = 50  # problem rows shown in a table; JSON/CSV and --errors-file have all


# --------------------------------------------------------------------------- outcomes
class RowError(Exception):
    """Why one row cannot be imported: a short code (tests, --errors-file) and the message."""

    def __init__(self, code: str, reason: str, *, not_found: bool = False):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.not_found = not_found

    def as_error(self) -> SalesctlError:
        """The same refusal for a flag (--owner, --under) rather than a row: exit 3, 4 or 2."""
        if self.code == "permission":
            return PermissionDenied(self.reason)
        return NotFound(self.reason) if self.not_found else InvalidInput(self.reason)


def _field_error(exc: SalesctlError, label: str, code: str) -> RowError:
    """A validator's message ("--phone: '12' is not…") re-addressed to the column the value came from."""
    message = exc.message
    message = re.sub(r"^--?[^:]+:", f"{label}:", message, count=1) if message.startswith("-") else message
    return RowError(code, message)


@dataclass
class RowResult:
    row: int
    status: str  # imported | incomplete | duplicate | possible (to decide) | claimed | skipped | rejected
    name: str | None
    reason: str | None = None
    code: str | None = None
    values: list | None = None  # the row as read (for --errors-file)
    file: str | None = None  # CRM imports: which file of the folder

    def as_dict(self) -> dict:
        doc = {"row": self.row, "status": self.status, "name": self.name, "code": self.code, "reason": self.reason}
        if self.file:
            doc = {"file": self.file, **doc}
        return doc


@dataclass
class ImportReport:
    """What an import did (or, with --dry-run or when refused, would have done)."""

    kind: str
    source: str
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})
    problems: list[RowResult] = field(default_factory=list)  # every row that is not a plain "imported"
    mapping: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    encoding: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    dry_run: bool = False
    partial: bool = False
    on_duplicate: str = "skip"
    written: bool = False
    refused: str | None = None  # why nothing was written: rejected | duplicates
    notes: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)  # table → rows written
    files: list[dict] = field(default_factory=list)  # CRM imports: per source file, every row accounted for

    def add(self, result: RowResult) -> None:
        self.counts[result.status] += 1
        if result.status != "imported":
            self.problems.append(result)

    @property
    def accepted(self) -> int:
        return self.counts["imported"] + self.counts["incomplete"]

    def decide(self) -> None:
        """All or nothing: refuse when a row is rejected (or a duplicate with --on-duplicate fail)."""
        if self.partial:
            return
        if self.counts["rejected"]:
            self.refused = "rejected"
        elif self.on_duplicate == "fail" and (self.counts["duplicate"] or self.counts["possible"]):
            self.refused = "duplicates"

    @property
    def writes(self) -> bool:
        return not self.dry_run and self.refused is None

    def as_json(self) -> dict:
        doc = {
            "kind": self.kind, "file": self.source, "encoding": self.encoding, "sheet": self.sheet,
            "header_row": self.header_row, "mapping": self.mapping, "ignored": self.ignored, "rows": self.total,
            **self.public_counts(), "dry_run": self.dry_run, "partial": self.partial,
            "on_duplicate": self.on_duplicate, "written": self.written, "refused": self.refused,
            "created": self.created, "notes": self.notes, "problems": [p.as_dict() for p in self.problems],
        }
        if self.files:
            doc["files"] = self.files
        return doc

    def public_counts(self) -> dict[str, int]:
        """imported (all of them, or with --dry-run/refused: the good rows), of which incomplete, and the rest."""
        counts = {s: self.counts[s] for s in STATUSES}
        counts["imported"] = self.accepted
        return counts

    def audit_summary(self) -> dict:
        return {"kind": self.kind, "file": self.source, "rows": self.total, **self.public_counts(),
                "created": self.created, "partial": self.partial, "on_duplicate": self.on_duplicate}


class Progress:
    """What an import reports as it goes (the CLI draws a bar on a terminal; nothing otherwise)."""

    def phase(self, label: str, total: int) -> None:  # noqa: D401
        pass

    def advance(self, n: int = 1) -> None:
        pass


def new_report(table: Table, *, dry_run: bool, partial: bool, on_duplicate: str,
               total: int | None = None) -> ImportReport:
    """The report of an import; `total` when the rows are counted as they stream (else all are read now)."""
    return ImportReport(kind=table.kind, source=str(table.sheet.path),
                        total=len(table.rows) if total is None else total,
                        mapping=table.mapping(), ignored=table.ignored, headers=table.headers,
                        encoding=table.sheet.encoding, sheet=table.sheet.sheet, header_row=table.header_row,
                        dry_run=dry_run, partial=partial, on_duplicate=on_duplicate)



# --------------------------------------------------------------------------- the errors file
def problem_rows(report: ImportReport) -> tuple[list[str], list[list]]:
    """--errors-file: every row not imported as is (rejected, duplicate, claimed, incomplete), with its reason
    and the values as read, so the file can be fixed and imported again."""
    from salesctl.messages import t

    headers = ["row", "status", "reason"] + [h or _letter(i) for i, h in enumerate(report.headers)]
    # rows to decide (possible duplicates): a column to fill with "yes" for another company, read on re-import
    decide = report.counts.get("possible") and "not_duplicate" not in report.mapping.values()
    if decide:
        headers.append(t("import.col.not_duplicate"))
    width = len(report.headers)
    rows = []
    for p in report.problems:
        values = [cell_text(v) if not isinstance(v, str) else v for v in (p.values or [])]
        if decide:
            values = (values + [None] * width)[:width] + [None]
        rows.append([p.row, p.status, p.reason] + values)
    return headers, rows


def problem_csv(report: ImportReport) -> bytes:
    """The errors file as CSV (the one CSV writer: UTF-8 with BOM, CRLF, formula injection neutralised)."""
    from salesctl.spreadsheet import csv_file_bytes

    headers, rows = problem_rows(report)
    return csv_file_bytes(headers, rows)
