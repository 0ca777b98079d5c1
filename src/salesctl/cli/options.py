"""Shared option aliases, so every command spells them the same way (imports only typer)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from salesctl.inputs import DAYS_MAX, ID_MAX  # noqa: F401  (the bounds of int options)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", envvar="SALESCTL_FORMAT", help="Output: table, json, csv or markdown.", show_default=True),
]
MineOpt = Annotated[bool, typer.Option("--mine", help="Only the acting user's own.")]
TeamOpt = Annotated[bool, typer.Option("--team", help="The acting user's team.")]
ManagerOpt = Annotated[Optional[str], typer.Option("--manager", help="That manager's team (handle).")]
RepOpt = Annotated[Optional[str], typer.Option("--rep", help="One rep (handle).")]
AllOpt = Annotated[bool, typer.Option("--all", help="Everyone the acting user may see.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")]
CheckOpt = Annotated[bool, typer.Option("--check", help="Exit 1 when something is found (for cron).")]
DateOpt = Annotated[Optional[str], typer.Option("--date", help="A date: 2026-11-27, today, yesterday, monday.")]
WeekOpt = Annotated[Optional[str], typer.Option("--week", help="An ISO week: 2026-W48, this, last.")]
MonthOpt = Annotated[Optional[str], typer.Option("--month", help="A month: 2026-11, this, last.")]
QuarterOpt = Annotated[Optional[str], typer.Option("--quarter", help="A quarter: 2026-Q4, this, last.")]
SinceOpt = Annotated[Optional[str], typer.Option("--since", help="From this date on.")]
LimitOpt = Annotated[Optional[int], typer.Option("--limit", min=1, max=ID_MAX, help="At most this many rows.")]
# Files with customer data are encrypted with the author's archive password unless both opt-out flags are given.
PasswordFileOpt = Annotated[Optional[str], typer.Option(
    "--password-file", help="File holding your archive password (trailing newline ignored); else SALESCTL_ARCHIVE_PASSWORD or a prompt.")]
NoEncryptOpt = Annotated[bool, typer.Option("--no-encrypt", help="Write the file unencrypted (needs the next flag; audited).")]
UnderstandUnencryptedOpt = Annotated[bool, typer.Option(
    "--i-understand-this-file-is-unencrypted", help="Confirm --no-encrypt: the file holds customer data in clear.")]
