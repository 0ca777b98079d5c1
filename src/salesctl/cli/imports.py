"""`salesctl import`: customers, visits, deals and staff from spreadsheets; Maven CRM and Salesforce exports."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import (
    DryRunOpt,
    FormatOpt,
    NoEncryptOpt,
    OutputFormat,
    PasswordFileOpt,
    UnderstandUnencryptedOpt,
)

app = typer.Typer(help="Import from spreadsheets (CSV/XLSX) and CRM exports (Maven CRM, Salesforce).",
                  no_args_is_help=True)

FileArg = Annotated[str, typer.Argument(help="The .csv or .xlsx file (UTF-8, UTF-8 with BOM, GBK/GB18030 or UTF-16).")]
DirArg = Annotated[str, typer.Argument(help="The folder holding the export's CSV files.")]
MapOpt = Annotated[Optional[list[str]], typer.Option(
    "--map", help="'column=field' overrides a guessed column (repeatable); field '-' leaves the column out.")]
PartialOpt = Annotated[bool, typer.Option("--partial", help="Import the good rows even when others are rejected.")]
ErrorsFileOpt = Annotated[Optional[str], typer.Option(
    "--errors-file", help="Write the rows not imported, with their reasons, to this .xlsx (encrypted) or, with --no-encrypt, .csv.")]
EncodingOpt = Annotated[Optional[str], typer.Option("--encoding", help="Read a CSV in this encoding instead of detecting it.")]
DelimiterOpt = Annotated[Optional[str], typer.Option(
    "--delimiter", help="Read a CSV with this delimiter instead of detecting it: ',', tab, ';' or '|'.")]
SheetOpt = Annotated[Optional[str], typer.Option("--sheet", help="The workbook's sheet to read (default: the first).")]
UnderOpt = Annotated[Optional[str], typer.Option("--under", help="Put imported managers under this person (default: you).")]


def _duplicate_opt(choices: str):
    return typer.Option("--on-duplicate", help=f"What to do with a row already in the archive or earlier in the file: {choices}.",
                        show_default=True)


class _Bar:
    """A Rich progress bar on stderr (only at a terminal)."""

    def __init__(self, progress):
        self.progress = progress
        self.task = None

    def phase(self, label: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, visible=False)
        self.task = self.progress.add_task(label, total=None if total is None else max(total, 1))

    def advance(self, n: int = 1) -> None:
        if self.task is not None and n:
            self.progress.advance(self.task, n)


@contextmanager
def _progress():
    from salesctl import render
    import sys

    from salesctl.services.io.outcomes import Progress

    if not sys.stderr.isatty():
        yield Progress()  # piped: nothing but the summary
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeRemainingColumn

    bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       console=render.console(stderr=True), transient=True)
    with bar:
        yield _Bar(bar)


def _errors_target(errors_file, password_file, no_encrypt, understood):
    """Check --errors-file and its password before any work: (path, secret) or (None, None)."""
    from pathlib import Path

    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.security import files

    files.check_unencrypted_opt_out(no_encrypt, understood)
    if errors_file is None:
        if no_encrypt:
            raise InvalidInput(t("import.err.no_encrypt_without_file"))
        return None, None
    target = Path(errors_file).expanduser().resolve()
    if not target.parent.is_dir():
        raise InvalidInput(t("archive.err.no_folder", flag="--errors-file", path=target.parent))
    if target.is_dir():
        raise InvalidInput(t("archive.err.is_folder", flag="--errors-file", path=target))
    if no_encrypt:
        return target, None
    if target.suffix.lower() != ".xlsx":
        raise InvalidInput(t("archive.err.plain_format", path=target))
    from salesctl.services.security import passwords

    return target, passwords.obtain_secret(password_file, prompt=t("import.prompt.password"))


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted workbook is an OLE container


def _read_bytes(file, password_file):
    """(path, None) for a plain file, read later as its rows are needed; (path, decrypted bytes) for an
    encrypted workbook, opened with its author's password (asked before any progress bar)."""
    from pathlib import Path

    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.security import files

    source = Path(file).expanduser()
    try:
        with source.open("rb") as handle:
            head = handle.read(len(OLE_MAGIC))
        if head != OLE_MAGIC:
            return source, None
        data = source.read_bytes()
    except OSError as exc:
        raise InvalidInput(t("import.err.cannot_read", path=source, reason=exc.strerror)) from None
    if files.is_encrypted(data):
        from salesctl.services.security import passwords

        secret = passwords.obtain_secret(password_file, prompt=t("archive.prompt.open", path=source.name))
        data = files.decrypt_bytes(data, secret.value, source=secret.source, path=str(source))
    return source, data


def _read(file, kind, map_, encoding, sheet, password_file, delimiter=None, data=None, opened=False):
    """Read and map the file (`opened`: `_read_bytes` was already called and gave `data`)."""
    from salesctl.services.io import columns

    source, data = (file, data) if opened else _read_bytes(file, password_file)
    return columns.load_table(source, kind, overrides=map_ or (), encoding=encoding, sheet=sheet, data=data,
                              delimiter=delimiter)


def _write_errors(ctx, report, target, secret, no_encrypt, understood) -> None:
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.security import files
    from salesctl.services.io import workbook
    from salesctl.services.io import outcomes

    if target is None:
        return
    if not report.problems:
        render.info(t("import.msg.no_errors_file", path=target))
        return
    headers, rows = outcomes.problem_rows(report)
    xlsx = workbook.table_workbook(headers, rows, "errors")
    plain = outcomes.problem_csv(report) if target.suffix.lower() != ".xlsx" else xlsx
    encrypted = files.write_customer_file(ctx, target, xlsx, plain, secret=secret, no_encrypt=no_encrypt,
                                            understood=understood, what=f"import {report.kind} errors",
                                            rows=len(rows))
    render.info(t("import.msg.errors_file" if encrypted else "import.msg.errors_file_plain", path=target, rows=len(rows)))


def _print(report, fmt: str) -> None:
    """stdout: the rows that were not simply imported (or the whole report as JSON); stderr: the summary."""
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column

    if fmt == "json":
        render.emit_object(report.as_json(), "json")
    else:
        if report.mapping and fmt != "csv":
            shown = ", ".join(f"{column} → {key}" for column, key in report.mapping.items())
            render.info(t("import.msg.mapping", mapping=shown, row=report.header_row))
            if report.ignored:
                render.info(t("import.msg.ignored", columns=", ".join(report.ignored)))
        if report.files and fmt != "csv":
            lines = [{"file": f["file"], "rows": f["rows"], "outcome": key, "count": n}
                     for f in report.files for key, n in {**f["outcomes"], **f.get("also", {})}.items() if n]
            render.emit_rows(lines, [Column("file", "import.col.file"), Column("rows", "import.col.rows", "int"),
                                     Column("outcome", "import.col.outcome"), Column("count", "import.col.count", "int")],
                             fmt, title=t("import.title.files"))
        columns = ([Column("file", "import.col.file")] if report.files else []) + [
            Column("row", "import.col.row", "int"), Column("status", "import.col.status"),
            Column("name", "import.col.name"), Column("reason", "import.col.reason")]
        problems = [p.as_dict() for p in report.problems]
        if fmt == "csv":
            render.emit_rows(problems, columns[:-1] + [Column("code", "import.col.code"), columns[-1]], "csv")
        elif problems:
            render.emit_rows(problems[:render_limit()], columns, fmt, title=t("import.title.problems"))
            if len(problems) > render_limit():
                render.info(t("import.msg.more", count=len(problems) - render_limit()))
    for note in report.notes:
        render.info(note)
    render.info(summary_line(report))


def render_limit() -> int:
    from salesctl.services.io.outcomes import LISTED_IN_TABLE

    return LISTED_IN_TABLE


def summary_line(report) -> str:
    """One line: what was (or would be) imported, and every other outcome that happened."""
    from salesctl.messages import t

    c = report.counts
    parts = [t("import.msg.part.imported" if report.written else "import.msg.part.good",
               n=c["imported"] + c["incomplete"])]
    for key in ("incomplete", "duplicate", "possible", "claimed", "skipped", "rejected"):
        if c[key]:
            parts.append(t(f"import.msg.part.{key}", n=c[key]))
    text = t("import.msg.summary", kind=report.kind, rows=report.total, parts=", ".join(parts))
    if report.dry_run:
        return t("import.msg.dry_run", summary=text)
    if report.refused:
        return t("import.msg.refused", summary=text)
    return text


def _finish(report) -> None:
    """After printing: a refused import is an error (exit 2 for rejected rows, 5 for duplicates with fail)."""
    from salesctl.errors import Conflict, InvalidInput
    from salesctl.messages import t

    if report.refused == "rejected":
        raise InvalidInput(t("import.err.refused_rejected", rejected=report.counts["rejected"], rows=report.total),
                           hint=t("import.hint.partial"))
    if report.refused == "duplicates":
        raise Conflict(t("import.err.refused_duplicates", duplicates=report.counts["duplicate"], rows=report.total),
                       hint=t("import.hint.partial"))


def _run_file(kind, file, *, map_, encoding, sheet, dry_run, errors_file, password_file, no_encrypt, understood,
              format, call, delimiter=None):
    from pathlib import Path

    from salesctl.messages import t

    target, secret = _errors_target(errors_file, password_file, no_encrypt, understood)
    source, data = _read_bytes(file, password_file)
    with _progress() as progress:
        progress.phase(t("files.progress.reading", file=Path(file).name), None)  # visible from the first second
        table = _read(source, kind, map_, encoding, sheet, password_file, delimiter, data=data, opened=True)
        with command_context(write=not dry_run or target is not None) as ctx:
            report = call(ctx, table, progress)
            _write_errors(ctx, report, target, secret, no_encrypt, understood)
    _print(report, fmt_value(format))
    _finish(report)


@app.command("customers")
def customers(
    file: FileArg,
    map_: MapOpt = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="Owner of rows that name none (default: you).")] = None,
    on_duplicate: Annotated[str, _duplicate_opt("skip, claim (a claim request for the owner) or fail")] = "skip",
    partial: PartialOpt = False,
    allow_incomplete: Annotated[bool, typer.Option(
        "--allow-incomplete", help="Import rows missing only contact, title, phone or status, flagged incomplete.")] = False,
    not_duplicate: Annotated[bool, typer.Option(
        "--not-duplicate", help="Rows that are only a possible match (close trade name) are other companies: import them (audited).")] = False,
    dry_run: DryRunOpt = False,
    errors_file: ErrorsFileOpt = None,
    password_file: PasswordFileOpt = None,
    no_encrypt: NoEncryptOpt = False,
    understood: UnderstandUnencryptedOpt = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    delimiter: DelimiterOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Import customers; columns are guessed from their Chinese or English names, every row checked as `customer add` does.

    Example: salesctl import customers 客户名单.xlsx --owner wang.fang --allow-incomplete --dry-run
    """
    from salesctl.services.io import imports as svc

    _run_file("customers", file, map_=map_, encoding=encoding, sheet=sheet, dry_run=dry_run, errors_file=errors_file,
              password_file=password_file, no_encrypt=no_encrypt, understood=understood, format=format,
              delimiter=delimiter, call=lambda ctx, table, progress: svc.import_customers(
                  ctx, table, owner=owner, on_duplicate=on_duplicate, partial=partial,
                  allow_incomplete=allow_incomplete, not_duplicate=not_duplicate, dry_run=dry_run, progress=progress))


@app.command("visits")
def visits(
    file: FileArg,
    map_: MapOpt = None,
    on_duplicate: Annotated[str, _duplicate_opt("skip or fail")] = "skip",
    partial: PartialOpt = False,
    dry_run: DryRunOpt = False,
    errors_file: ErrorsFileOpt = None,
    password_file: PasswordFileOpt = None,
    no_encrypt: NoEncryptOpt = False,
    understood: UnderstandUnencryptedOpt = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    delimiter: DelimiterOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Import visits, calls and emails of customers already in the archive (checked as `visit log` does).

    Example: salesctl import visits 拜访记录.csv --dry-run
    """
    from salesctl.services.io import imports as svc

    _run_file("visits", file, map_=map_, encoding=encoding, sheet=sheet, dry_run=dry_run, errors_file=errors_file,
              password_file=password_file, no_encrypt=no_encrypt, understood=understood, format=format,
              delimiter=delimiter, call=lambda ctx, table, progress: svc.import_visits(
                  ctx, table, on_duplicate=on_duplicate, partial=partial, dry_run=dry_run, progress=progress))


@app.command("deals")
def deals(
    file: FileArg,
    map_: MapOpt = None,
    on_duplicate: Annotated[str, _duplicate_opt("skip or fail")] = "skip",
    partial: PartialOpt = False,
    dry_run: DryRunOpt = False,
    errors_file: ErrorsFileOpt = None,
    password_file: PasswordFileOpt = None,
    no_encrypt: NoEncryptOpt = False,
    understood: UnderstandUnencryptedOpt = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    delimiter: DelimiterOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Import deals (open, won or lost) of customers already in the archive (checked as `deal add/won/lost` do).

    Example: salesctl import deals 商机.xlsx --map '项目=title'
    """
    from salesctl.services.io import imports_other as other

    _run_file("deals", file, map_=map_, encoding=encoding, sheet=sheet, dry_run=dry_run, errors_file=errors_file,
              password_file=password_file, no_encrypt=no_encrypt, understood=understood, format=format,
              delimiter=delimiter, call=lambda ctx, table, progress: other.import_deals(
                  ctx, table, on_duplicate=on_duplicate, partial=partial, dry_run=dry_run, progress=progress))


@app.command("staff")
def staff(
    file: FileArg,
    map_: MapOpt = None,
    under: UnderOpt = None,
    on_duplicate: Annotated[str, _duplicate_opt("skip or fail")] = "skip",
    partial: PartialOpt = False,
    dry_run: DryRunOpt = False,
    errors_file: ErrorsFileOpt = None,
    password_file: PasswordFileOpt = None,
    no_encrypt: NoEncryptOpt = False,
    understood: UnderstandUnencryptedOpt = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    delimiter: DelimiterOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Import people into the org chart (checked as `staff add` does); managers may be rows of the same file.

    Example: salesctl import staff 员工.csv --under li.qiang
    """
    from salesctl.services.io import imports_other as other

    _run_file("staff", file, map_=map_, encoding=encoding, sheet=sheet, dry_run=dry_run, errors_file=errors_file,
              password_file=password_file, no_encrypt=no_encrypt, understood=understood, format=format,
              delimiter=delimiter, call=lambda ctx, table, progress: other.import_staff(
                  ctx, table, under=under, on_duplicate=on_duplicate, partial=partial, dry_run=dry_run,
                  progress=progress))


@app.command("maven-crm")
def maven_crm(
    folder: DirArg,
    under: UnderOpt = None,
    partial: PartialOpt = False,
    dry_run: DryRunOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Import the Maven Analytics CRM sample: its sales teams, accounts, and 8,800 opportunities with payments.

    Example: salesctl import maven-crm ../shared/data/maven-crm --under zhao.min
    """
    from salesctl.services.io.maven import import_maven

    with command_context(write=not dry_run) as ctx:
        with _progress() as progress:
            report = import_maven(ctx, folder, under=under, partial=partial, dry_run=dry_run, progress=progress)
    _print(report, fmt_value(format))
    _finish(report)


@app.command("salesforce")
def salesforce(
    folder: DirArg,
    owner: Annotated[Optional[str], typer.Option("--owner", help="Who owns everything imported (required: Salesforce users are not staff).")] = None,
    partial: PartialOpt = False,
    dry_run: DryRunOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Import a Salesforce data export: Account, Contact, Opportunity, Task and Lead CSV files.

    Example: salesctl import salesforce ~/Downloads/sf-export --owner zhang.wei --dry-run
    """
    from salesctl.services.io.salesforce import import_salesforce

    with command_context(write=not dry_run) as ctx:
        with _progress() as progress:
            report = import_salesforce(ctx, folder, owner=owner, partial=partial, dry_run=dry_run, progress=progress)
    _print(report, fmt_value(format))
    _finish(report)
