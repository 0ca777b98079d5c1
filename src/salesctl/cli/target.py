"""`salesctl target`: sales targets per month or quarter (a manager's target is their team's)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import (
    AllOpt,
    FormatOpt,
    ManagerOpt,
    MineOpt,
    MonthOpt,
    OutputFormat,
    QuarterOpt,
    RepOpt,
    TeamOpt,
)

app = typer.Typer(help="Sales targets (销售目标) by month, quarter or year.", no_args_is_help=True)

YearOpt = Annotated[Optional[str], typer.Option("--year", help="A year: 2027, this, last (annual target).")]


def _columns():
    from salesctl.render import Column

    return [
        Column("id", kind="int"),
        Column("handle", label="commission.col.handle"),
        Column("name", label="commission.col.name"),
        Column("period", label="target.col.period"),
        Column("team", label="target.col.team", kind="bool"),
        Column("amount", label="target.col.amount", kind="money"),
        Column("collected", label="target.col.collected", kind="money"),
        Column("attainment", label="target.col.attainment", kind="percent"),
        Column("set_by", label="target.col.set_by"),
        Column("set_at", label="target.col.set_at", kind="datetime"),
    ]


@app.command("set")
def set_(
    handle: Annotated[Optional[str], typer.Argument(help="A rep, or a manager for their team's target (with --department: the director, default you).")] = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    department: Annotated[bool, typer.Option("--department", help="The director's target for the whole department.")] = False,
    amount: Annotated[Optional[str], typer.Option("--amount", help="The target in money, e.g. 100000.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Set (or replace) a target for a month or a quarter.

    Example: salesctl target set wang.fang --month 2026-11 --amount 100000
    """
    from salesctl.messages import t
    from salesctl.money import fmt
    from salesctl.render import emit_id
    from salesctl.services.pay import targets as svc

    with command_context(write=True) as ctx:
        record, created = svc.set_target(ctx, handle, month=month, quarter=quarter, amount=amount, year=year,
                                         department=department)
        person = ctx.session.get(type(ctx.actor), record.staff_id)
        row = {"id": record.id, "handle": person.handle, "name": person.name, "period": record.period,
               "team": record.team, "amount": record.amount, "set_by": ctx.actor.handle, "set_at": record.set_at}
    emit_id(record.id, row, fmt_value(format),
            t("target.msg.set" if created else "target.msg.replaced", id=record.id, handle=person.handle,
              period=record.period, amount=fmt(record.amount)))


@app.command("list")
def list_(
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """List targets with what was collected against them.

    Example: salesctl target list --quarter 2026-Q4 --team
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.pay import targets as svc

    with command_context() as ctx:
        rows = svc.target_rows(ctx, month=month, quarter=quarter, mine=mine, team=team, manager=manager,
                               rep=rep, all_=all_, year=year)
    render.emit_rows(rows, _columns(), fmt_value(format), title=t("target.title"))
