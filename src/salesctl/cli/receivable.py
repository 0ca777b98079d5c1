"""`salesctl receivable`: what customers owe under contracts, overdue instalments, ageing (应收账款)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import AllOpt, FormatOpt, ManagerOpt, MineOpt, OutputFormat, RepOpt, TeamOpt

app = typer.Typer(help="Receivables under contracts: instalments, overdue, ageing (应收账款).", no_args_is_help=True)

AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="As of this date (default today): 2027-02-01.")]


def _columns():
    from salesctl.render import Column

    return [
        Column("contract", "receivable.col.contract"),
        Column("seq", "receivable.col.seq", kind="int"),
        Column("customer", "deal.col.customer"),
        Column("owner", "deal.col.owner"),
        Column("due_on", "receivable.col.due_on", kind="date"),
        Column("due_event", "receivable.col.due_event", kind="enum:contract_event"),
        Column("amount", "receivable.col.amount", kind="money"),
        Column("paid", "receivable.col.paid", kind="money"),
        Column("open", "receivable.col.open", kind="money"),
        Column("days_overdue", "receivable.col.days_overdue", kind="int"),
        Column("status", "receivable.col.status", kind="enum:receivable_status"),
    ]


@app.command("list")
def list_(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only instalments past due with money open.")] = False,
    open_: Annotated[bool, typer.Option("--open", help="Only instalments with money open.")] = False,
    as_of: AsOfOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Every instalment in scope: due date, paid, open and days overdue.

    Example: salesctl receivable list --team --overdue --format json
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.periods import parse_date
    from salesctl.permissions import resolve_scope
    from salesctl.services.sales import receivables as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        day = parse_date(as_of, "as-of", ctx.today) if as_of else ctx.today
        rows = list(svc.receivable_rows(ctx, scope, as_of=day, overdue_only=overdue, open_only=open_))
    totals = None
    if fmt in ("table", "markdown"):
        from decimal import Decimal

        totals = {"contract": t("receivable.total"),
                  **{k: sum((r[k] for r in rows), Decimal("0.00")) for k in ("amount", "paid", "open")}}
    render.emit_rows(rows, _columns(), fmt, title=t("receivable.title.list", date=day), totals=totals)


@app.command("ageing")
def ageing(
    by: Annotated[Optional[str], typer.Option("--by", help="Group by rep or team (default: one line for the scope).")] = None,
    as_of: AsOfOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Open receivables by age: not yet due, 1-30, 31-60, 61-90, over 90 days past due.

    Example: salesctl receivable ageing --by rep --as-of 2027-02-01
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.periods import parse_date
    from salesctl.permissions import resolve_scope
    from salesctl.render import Column
    from salesctl.services.sales import receivables as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        day = parse_date(as_of, "as-of", ctx.today) if as_of else ctx.today
        report = svc.ageing(ctx, scope, as_of=day, by=(by or "").strip().lower() or None)
    if fmt == "json":
        render.emit_object(report, fmt)
        return
    columns = [Column("group", "receivable.col.group")] + [
        Column(b, f"receivable.col.{b}", kind="money") for b in (*svc.BUCKETS, "total")]
    totals = {"group": t("receivable.total"), **report["totals"]} if fmt in ("table", "markdown") else None
    render.emit_rows(report["rows"], columns, fmt, title=t("receivable.title.ageing", date=day), totals=totals)
