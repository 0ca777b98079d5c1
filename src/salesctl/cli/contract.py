"""`salesctl contract`: contracts on won deals and their receivable plans (合同、回款计划)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.inputs import DAYS_MAX

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import AllOpt, FormatOpt, LimitOpt, ManagerOpt, MineOpt, OutputFormat, RepOpt, TeamOpt

app = typer.Typer(help="Contracts on won deals and their receivable plans (合同、回款计划).", no_args_is_help=True)

ContractArg = Annotated[str, typer.Argument(help="Contract id or number.")]


def contract_columns():
    from salesctl.render import Column

    return [
        Column("id", kind="int"),
        Column("number", "contract.col.number"),
        Column("deal_id", "contract.col.deal_id", kind="int"),
        Column("customer", "deal.col.customer"),
        Column("owner", "deal.col.owner"),
        Column("signed_on", "contract.col.signed_on", kind="date"),
        Column("amount", "contract.col.amount", kind="money"),
        Column("collected", "contract.col.collected", kind="money"),
        Column("open", "contract.col.open", kind="money"),
        Column("ends_on", "contract.col.ends_on", kind="date"),
        Column("status", "contract.col.status", kind="enum:contract_status"),
    ]


def plan_columns():
    from salesctl.render import Column

    return [
        Column("seq", "receivable.col.seq", kind="int"),
        Column("amount", "receivable.col.amount", kind="money"),
        Column("due_on", "receivable.col.due_on", kind="date"),
        Column("due_event", "receivable.col.due_event", kind="enum:contract_event"),
        Column("paid", "receivable.col.paid", kind="money"),
        Column("open", "receivable.col.open", kind="money"),
        Column("days_overdue", "receivable.col.days_overdue", kind="int"),
        Column("status", "receivable.col.status", kind="enum:receivable_status"),
    ]


@app.command("add")
def add(
    deal: Annotated[str, typer.Argument(help="Deal id (a won deal).")],
    number: Annotated[Optional[str], typer.Option("--number", help="The contract number (required, unique).")] = None,
    signed: Annotated[Optional[str], typer.Option("--signed", help="When it was signed (required): 2026-11-25, today.")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="What the customer owes under it (required), e.g. 200000.")] = None,
    starts: Annotated[Optional[str], typer.Option("--starts", help="First day it runs.")] = None,
    ends: Annotated[Optional[str], typer.Option("--ends", help="Last day it runs (for 即将到期 reminders).")] = None,
    file: Annotated[Optional[str], typer.Option("--file", help="The signed contract, kept as an encrypted attachment.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Record the contract signed on a won deal.

    Example: salesctl contract add 12 --number HT-2026-031 --signed 2026-11-25 --amount 200000 --file 合同.pdf
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import contracts as svc

    with command_context(write=True) as ctx:
        contract, attachment_id = svc.add_contract(ctx, deal, number=number, signed=signed, amount=amount,
                                                   starts=starts, ends=ends, note=note, file=file)
        row = svc.contract_detail(ctx, contract.id)
    render.emit_id(row["id"], row, fmt_value(format),
                   t("contract.msg.added", id=row["id"], number=row["number"], deal=row["deal_id"], amount=row["amount"]))
    if attachment_id is not None:
        render.info(t("contract.msg.attached", id=attachment_id))


@app.command("list")
def list_(
    expiring: Annotated[Optional[int], typer.Option("--expiring", min=0, max=DAYS_MAX, help="Only active contracts ending within this many days.")] = None,
    void: Annotated[bool, typer.Option("--void", help="Include voided contracts.")] = False,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    limit: LimitOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """List contracts (by the deal owner's scope), with what was collected and what is open.

    Example: salesctl contract list --team --expiring 30
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.permissions import resolve_scope
    from salesctl.services.sales import contracts as svc

    with command_context() as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        rows = svc.contract_rows(ctx, scope, expiring=expiring, include_void=void, limit=limit)
    render.emit_rows(rows, contract_columns(), fmt_value(format), title=t("contract.title.list"))


@app.command("show")
def show(
    contract: ContractArg,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Days overdue as of this date (default today).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """One contract with its receivable plan (paid, open, days overdue per instalment).

    Example: salesctl contract show HT-2026-031
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.periods import parse_date
    from salesctl.services.sales import contracts as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        day = parse_date(as_of, "as-of", ctx.today) if as_of else None
        row = svc.contract_detail(ctx, contract, day)
    if fmt == "json":
        render.emit_object(row, fmt)
        return
    render.emit_object(row, fmt, columns=contract_columns())
    if row["installments"] and fmt != "csv":
        render.emit_rows(row["installments"], plan_columns(), fmt, title=t("contract.title.plan", number=row["number"]))


@app.command("edit")
def edit(
    contract: ContractArg,
    number: Annotated[Optional[str], typer.Option("--number", help="A new contract number.")] = None,
    signed: Annotated[Optional[str], typer.Option("--signed", help="A new signing date.")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="A new amount (only before a plan exists).")] = None,
    starts: Annotated[Optional[str], typer.Option("--starts", help="A new first day.")] = None,
    ends: Annotated[Optional[str], typer.Option("--ends", help="A new last day.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A new note.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Change a contract's number, dates, amount or note (audited).

    Example: salesctl contract edit HT-2026-031 --ends 2027-11-30
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import contracts as svc

    with command_context(write=True) as ctx:
        changed = svc.edit_contract(ctx, contract, number=number, signed=signed, amount=amount, starts=starts,
                                    ends=ends, note=note)
        row = svc.contract_detail(ctx, changed.id)
    render.emit_id(row["id"], row, fmt_value(format), t("contract.msg.edited", id=row["id"]))


@app.command("void")
def void(
    contract: ContractArg,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (required).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Void a contract: it is kept, its instalments no longer count; payments stay on the deal.

    Example: salesctl contract void HT-2026-031 --reason "re-signed as HT-2026-040"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import contracts as svc

    with command_context(write=True) as ctx:
        done = svc.void_contract(ctx, contract, reason=reason)
        row = svc.contract_detail(ctx, done.id)
    render.emit_id(row["id"], row, fmt_value(format), t("contract.msg.voided", id=row["id"]))


@app.command("plan")
def plan(
    contract: ContractArg,
    installment: Annotated[Optional[list[str]], typer.Option(
        "--installment", help="SHARE:WHEN, repeatable, in order: 40%:2026-12-15, 50%:on delivery, 10%:on acceptance, 80000.00:2027-01-31.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Set the receivable plan (回款计划): instalments summing exactly to the contract amount.

    Percentages are rounded to cents and the last instalment takes the rest. Payments
    already recorded on the deal are allocated to the new plan, oldest first.

    Example: salesctl contract plan HT-2026-031 --installment "40%:2026-12-15" --installment "50%:on delivery" --installment "10%:on acceptance"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import contracts as svc

    fmt = fmt_value(format)
    with command_context(write=True) as ctx:
        done, items = svc.set_plan(ctx, contract, installment or [])
        row = svc.contract_detail(ctx, done.id)
    render.emit_rows(row["installments"], plan_columns(), fmt, title=t("contract.title.plan", number=row["number"]))
    render.info(t("contract.msg.planned", number=row["number"], count=len(items)))


@app.command("event")
def event(
    contract: ContractArg,
    what: Annotated[str, typer.Argument(metavar="EVENT", help="delivered (发货) or accepted (验收).")],
    date: Annotated[Optional[str], typer.Option("--date", help="When it happened (required).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Record delivery or acceptance: instalments due "on delivery"/"on acceptance" fall due that day.

    Example: salesctl contract event HT-2026-031 delivered --date 2026-12-20
    """
    from salesctl import render
    from salesctl.messages import label, t
    from salesctl.services.sales import contracts as svc

    with command_context(write=True) as ctx:
        done, changed = svc.record_event(ctx, contract, what, on=date)
        row = svc.contract_detail(ctx, done.id)
        kind = svc.parse_event(what, "EVENT")
    day = row["delivered_on"] if kind == "delivered" else row["accepted_on"]
    render.emit_id(row["id"], row, fmt_value(format),
                   t("contract.msg.event", number=row["number"], event=label("contract_event", kind), date=day,
                     count=len(changed)))
