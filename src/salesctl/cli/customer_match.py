"""`salesctl customer lookup|duplicates|merge` (查重), and the "is this the same company?" question of `customer add`.

Mounted on the `customer` group by cli/customer.py (its commands join that group).
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.customer_options import CreditCodeOpt, PhoneOpt
from salesctl.cli.options import AllOpt, DryRunOpt, FormatOpt, LimitOpt, OutputFormat, TeamOpt

app = typer.Typer()


def confirm_not_duplicate(exc) -> None:
    """At a terminal: ask whether a possible match is the same company; yes (or no answer) → exit 5 as in a script."""
    from salesctl import prompts
    from salesctl.messages import t

    listing = "; ".join(f"{m.name} ({m.owner or '-'})" for m in exc.candidates[:5])
    answer = prompts.confirm(t("match.prompt.same_company", name=exc.name, listing=listing), default=True)
    if answer:
        raise exc


def unless_possible_duplicate(attempt, not_duplicate: bool):
    """The one possible-match mechanism of `customer add`, `claim add` and `lead add`.

    Runs `attempt(not_duplicate)` (a whole write transaction). A possible match raises
    PossibleDuplicate: in a script it exits 5 listing the candidates; at a terminal the
    question is asked outside the transaction and a "no" runs `attempt(True)`, so the
    audit entry records the candidates that were set aside.
    """
    from salesctl import render
    from salesctl.services.customers.customers import PossibleDuplicate

    try:
        return attempt(not_duplicate)
    except PossibleDuplicate as exc:
        if not render.interactive():
            raise
        confirm_not_duplicate(exc)
        return attempt(True)


def _match_columns():
    from salesctl.render import Column

    return [Column("id", kind="int"), Column("name"), Column("owner", label="match.col.owner"),
            Column("reported_at", label="match.col.reported_at", kind="datetime"),
            Column("match", label="match.col.match", kind="enum:match_kind"),
            Column("reason", label="match.col.reason", kind="enum:customer_match")]


@app.command("lookup")
def lookup(
    text: Annotated[Optional[str], typer.Argument(help="A company name, whole or in part (东莞富达, 富达模具).")] = None,
    phone: PhoneOpt = None,
    credit_code: CreditCodeOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Before adding or claiming: which customers this is (same) or may be (possible), who holds them, since when.

    Shows only name, owner and first report time of any customer (no contacts, no fields).
    Example: salesctl customer lookup 东莞富达 --phone 13812345678
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.customers import dedupe

    with command_context() as ctx:
        rows = dedupe.lookup(ctx, text, phone=phone, credit_code=credit_code)
    fmt = fmt_value(format)
    if not rows and fmt == "table":
        render.info(t("match.msg.none"))
        return
    render.emit_rows(rows, _match_columns(), fmt, title=t("match.title.lookup", text=text or phone or credit_code))


@app.command("duplicates")
def duplicates(
    team: TeamOpt = False,
    all_: AllOpt = False,
    min_match: Annotated[str, typer.Option("--min-match", help="same (default) or possible (also close trade names).")] = "same",
    limit: LimitOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Pairs already in the archive that the matcher links, for a manager to merge (customer merge KEEP DROP).

    Example: salesctl customer duplicates --all --min-match possible
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.customers import dedupe

    columns = [Column("keep", label="match.col.keep", kind="int"), Column("keep_name", label="match.col.keep_name"),
               Column("keep_owner", label="match.col.owner"), Column("drop", label="match.col.drop", kind="int"),
               Column("drop_name", label="match.col.drop_name"), Column("drop_owner", label="match.col.owner"),
               Column("match", label="match.col.match", kind="enum:match_kind"),
               Column("reason", label="match.col.reason", kind="enum:customer_match")]
    fmt = fmt_value(format)
    with command_context() as ctx:
        rows = dedupe.duplicate_pairs(ctx, team=team, all_=all_, min_match=min_match, limit=limit)
        if fmt == "table":
            rows = list(rows)
            if not rows:
                render.info(t("match.msg.no_pairs"))
                return
        render.emit_rows(rows, columns, fmt, title=t("match.title.duplicates"))


@app.command("merge")
def merge(
    keep: Annotated[str, typer.Argument(help="The customer that stays (id or name).")],
    drop: Annotated[str, typer.Argument(help="The duplicate merged into KEEP (id or name).")],
    owner: Annotated[Optional[str], typer.Option("--owner", help="Who keeps it when the two have different owners.")] = None,
    dry_run: DryRunOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Merge DROP into KEEP: contacts, profile, visits, deals, grades, claims, complaints move; DROP's id resolves to KEEP.

    Managers and above, both customers in their scope. Example: salesctl customer merge 12 57 --dry-run
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.customers import dedupe

    with command_context(write=not dry_run) as ctx:
        result = dedupe.merge(ctx, keep, drop, owner=owner, dry_run=dry_run)
    fmt = fmt_value(format)
    if fmt == "json":
        render.emit_object(result, fmt)
    else:
        rows = [{"table": name, "rows": n} for name, n in result["moved"].items()]
        render.emit_rows(rows, [Column("table", label="match.col.table"), Column("rows", label="match.col.rows", kind="int")],
                         fmt, title=t("match.title.merge", keep=result["keep_name"], drop=result["drop_name"]))
    moved = sum(result["moved"].values())
    render.info(t("match.msg.dry_run") if dry_run else
                t("match.msg.merged", keep=f"{result['keep']} {result['keep_name']}",
                  drop=f"{result['drop']} {result['drop_name']}", moved=moved))
