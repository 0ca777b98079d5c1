"""`salesctl payment`: money collected on won deals (回款)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.inputs import ID_MAX

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import (
    AllOpt,
    DateOpt,
    FormatOpt,
    LimitOpt,
    ManagerOpt,
    MineOpt,
    MonthOpt,
    OutputFormat,
    RepOpt,
    SinceOpt,
    TeamOpt,
    WeekOpt,
)

app = typer.Typer(help="Payments collected on won deals (回款).", no_args_is_help=True)


def _columns():
    from salesctl.render import Column

    return [
        Column("id", kind="int"),
        Column("deal_id", "payment.col.deal_id", kind="int"),
        Column("amount", "deal.col.amount", kind="money"),
        Column("date", "payment.col.date", kind="date"),
        Column("customer", "deal.col.customer"),
        Column("owner", "deal.col.owner"),
        Column("note", "deal.col.note"),
    ]


@app.command("add")
def add(
    deal: Annotated[str, typer.Argument(help="Deal id (a won deal).")],
    amount: Annotated[Optional[str], typer.Option("--amount", help="Amount received, e.g. 36000 or 1234.50 (required).")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="When it was received (required): 2026-11-27, today, yesterday.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note, e.g. 首付款.")] = None,
    allow_overpay: Annotated[bool, typer.Option("--allow-overpay", help="Accept collections above the deal amount.")] = False,
    installment: Annotated[Optional[int], typer.Option("--installment", min=1, max=ID_MAX, help="Pay this instalment of the contract's plan (default: the oldest open one).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Record money collected on a won deal.

    Example: salesctl payment add 12 --amount 36000 --date today --note 首付款
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import deals as svc

    if render.interactive() and not allow_overpay:  # ask before the write transaction opens
        from salesctl import prompts

        with command_context() as ctx:
            over = svc.payment_overpay(ctx, deal, amount=amount, on=date, installment=installment)
        if over is not None:
            allow_overpay = prompts.confirm(t("payment.prompt.overpay", total=over[0], amount=over[1]))
    with command_context(write=True) as ctx:
        done = svc.add_payment(ctx, deal, amount=amount, on=date, note=note, allow_overpay=allow_overpay,
                               installment=installment)
    row = done.row
    render.emit_id(row["id"], row, fmt_value(format),
                   t("payment.msg.added", id=row["id"], deal=done.deal_id, amount=row["amount"], paid=done.collected,
                     total=done.deal_amount))
    if row.get("installments"):
        render.info(t("payment.msg.allocated", items=", ".join(f"#{i['seq']} {i['amount']}" for i in row["installments"])))
    if done.paid_in_full:
        render.info(t("payment.msg.paid_in_full", deal=done.deal_id))


@app.command("list")
def list_(
    deal: Annotated[Optional[str], typer.Option("--deal", help="Only this deal (id).")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help="Only this customer (id or name).")] = None,
    date: DateOpt = None,
    week: WeekOpt = None,
    month: MonthOpt = None,
    since: SinceOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    limit: LimitOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """List payments collected, by date (with a total in tables).

    Example: salesctl payment list --month this --team --format json
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.permissions import resolve_scope
    from salesctl.services.sales import deals as svc
    from salesctl.services.sales.visits import period_bounds

    fmt = fmt_value(format)
    with command_context() as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        bounds = period_bounds(ctx, day=date, week=week, month=month, since=since)
        rows = svc.payment_rows(ctx, scope, deal=deal, customer=customer, bounds=bounds, limit=limit)
        totals = None
        if fmt in ("table", "markdown"):
            rows = list(rows)
            totals = {"customer": t("deal.pipeline.total"), "amount": svc.total_amount(rows)}
        render.emit_rows(rows, _columns(), fmt, title=t("payment.title.list"), totals=totals)
