"""`salesctl deal`: deals (商机) through the five stages, and the pipeline funnel."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import AllOpt, FormatOpt, LimitOpt, ManagerOpt, MineOpt, OutputFormat, RepOpt, TeamOpt

app = typer.Typer(help="Deals through the five sales stages (商机).", no_args_is_help=True)

DealArg = Annotated[str, typer.Argument(help="Deal id.")]


def _columns(extra: bool = False):
    from salesctl.render import Column

    columns = [
        Column("id", kind="int"),
        Column("customer", "deal.col.customer"),
        Column("title", "deal.col.title"),
        Column("product", "deal.col.product"),
        Column("amount", "deal.col.amount", kind="money"),
        Column("stage", "deal.col.stage", kind="enum:deal_stage"),
        Column("status", "deal.col.status", kind="enum:deal_status"),
        Column("owner", "deal.col.owner"),
        Column("expected_close", "deal.col.expected_close", kind="date"),
        Column("paid", "deal.col.paid", kind="money"),
        Column("outstanding", "deal.col.outstanding", kind="money"),
    ]
    if extra:
        columns += [
            Column("won_on", "deal.col.won_on", kind="date"),
            Column("lost_on", "deal.col.lost_on", kind="date"),
            Column("lost_reason", "deal.col.lost_reason", kind="enum:deal_lost"),
        ]
    return columns


def _emit_deal(detail: dict, fmt: str, message, *, added: bool = False) -> None:
    """Print the deal after a change (once committed): its id (add) or its row; the message to stderr."""
    from salesctl import render

    deal_id = detail["id"]
    if added:
        render.emit_id(deal_id, detail, fmt, message)
        return
    render.emit_object(detail, fmt, columns=_columns(extra=True))
    render.info(message)


@app.command("add")
def add(
    customer: Annotated[str, typer.Argument(help="Customer id or name.")],
    title: Annotated[Optional[str], typer.Option("--title", help="What the deal is (required).")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="Expected amount, e.g. 120000 or 1234.50 (required).")] = None,
    stage: Annotated[Optional[str], typer.Option("--stage", help="Starting stage 1-3 (number or name; default 1).")] = None,
    expected_close: Annotated[Optional[str], typer.Option("--expected-close", help="Expected close date.")] = None,
    product: Annotated[Optional[str], typer.Option("--product", help="Product.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Add a deal for a customer; its owner is the customer's owner.

    Example: salesctl deal add 华光科技 --title 年度采购 --amount 120000 --stage 2 --expected-close 2026-12-31
    """
    from salesctl.messages import label, t
    from salesctl.services.sales import deals as svc

    with command_context(write=True) as ctx:
        deal = svc.add_deal(ctx, customer, title=title, amount=amount, stage=stage, expected_close=expected_close,
                            product=product)
        d = svc.deal_detail(ctx, deal.id)
    _emit_deal(d, fmt_value(format),
               t("deal.msg.added", id=d["id"], title=d["title"], customer=d["customer"],
                 stage=label("deal_stage", d["stage"])), added=True)


@app.command("advance")
def advance(
    deal: DealArg,
    to: Annotated[Optional[str], typer.Option("--to", help="Target stage: 1-5, or a name (information, project, negotiation, purchase, after_sales, 信息开发 …). Default: the next.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note kept with the stage change.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (required when moving backwards).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Move a deal to another stage (backwards needs --reason).

    Example: salesctl deal advance 12 --to 商务谈判 --note 已提交报价
    """
    from salesctl.messages import label, t
    from salesctl.services.sales import deals as svc

    with command_context(write=True) as ctx:
        moved, before = svc.advance(ctx, deal, to=to, note=note, reason=reason)
        d = svc.deal_detail(ctx, moved.id)
    _emit_deal(d, fmt_value(format),
               t("deal.msg.moved", id=d["id"], before=label("deal_stage", before),
                 after=label("deal_stage", d["stage"])))


@app.command("won")
def won(
    deal: DealArg,
    contract_date: Annotated[Optional[str], typer.Option("--contract-date", help="When the contract was signed (default: today).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note kept with the stage change.")] = None,
    contract_number: Annotated[Optional[str], typer.Option("--contract-number", help="Also record the contract (see `contract add`).")] = None,
    contract_amount: Annotated[Optional[str], typer.Option("--contract-amount", help="The contract's amount (default: the deal amount).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Contract signed: the deal moves to stage 4 (purchase & collection) and counts as won.

    Example: salesctl deal won 12 --contract-date 2026-11-25
    """
    from salesctl.messages import label, t
    from salesctl.services.sales import deals as svc

    with command_context(write=True) as ctx:
        moved = svc.mark_won(ctx, deal, contract_date=contract_date, note=note, contract_number=contract_number,
                             contract_amount=contract_amount)
        d = svc.deal_detail(ctx, moved.id)
    _emit_deal(d, fmt_value(format),
               t("deal.msg.won", id=d["id"], date=d["won_on"], stage=label("deal_stage", d["stage"])))


@app.command("lost")
def lost(
    deal: DealArg,
    reason: Annotated[Optional[str], typer.Option("--reason", help="price, competitor, budget, timing, no_need, relationship, other, or your own words (required).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Mark an open deal (stage 1-3) lost, with a reason.

    Example: salesctl deal lost 12 --reason competitor
    """
    from salesctl.messages import label, t
    from salesctl.services.sales import deals as svc

    with command_context(write=True) as ctx:
        moved = svc.mark_lost(ctx, deal, reason=reason)
        d = svc.deal_detail(ctx, moved.id)
    _emit_deal(d, fmt_value(format),
               t("deal.msg.lost", id=d["id"], stage=label("deal_stage", d["stage"]),
                 reason=label("deal_lost", d["lost_reason"])))


@app.command("list")
def list_(
    stage: Annotated[Optional[str], typer.Option("--stage", help="Only this stage (number or name).")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open deals (stages 1-3).")] = False,
    status: Annotated[Optional[str], typer.Option("--status", help="open, won or lost.")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help="Only this customer (id or name).")] = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    limit: LimitOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """List deals with their stage and the money collected.

    Example: salesctl deal list --open --team --format json
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.permissions import resolve_scope
    from salesctl.services.sales import deals as svc

    with command_context() as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        rows = svc.deal_rows(ctx, scope, stage=stage, open_only=open_only, status=status, customer=customer, limit=limit)
        render.emit_rows(rows, _columns(), fmt_value(format), title=t("deal.title.list"))


@app.command("show")
def show(deal: DealArg, format: FormatOpt = OutputFormat.table):
    """Show one deal: its stage history (who, when), payments and what may happen next.

    Example: salesctl deal show 12
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.sales import deals as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        detail = svc.deal_detail(ctx, deal)
    columns = _columns(extra=True) + [Column("next", "deal.col.next")]
    if fmt in ("json", "csv"):
        render.emit_object(detail, fmt, columns=[c for c in columns if c.key != "next"])
        return
    render.emit_object(detail, fmt, columns=columns)
    render.emit_rows(detail["history"], [
        Column("at", kind="datetime"),
        Column("from_stage", "deal.col.from_stage", kind="enum:deal_stage"),
        Column("to_stage", "deal.col.to_stage", kind="enum:deal_stage"),
        Column("by", "deal.col.by"),
        Column("note", "deal.col.note"),
    ], fmt, title=t("deal.title.history"))
    if detail.get("owners"):
        render.emit_rows(detail["owners"], [
            Column("at", kind="datetime"),
            Column("from", "deal.col.from_owner"),
            Column("to", "deal.col.to_owner"),
            Column("by", "deal.col.by"),
            Column("reason", "deal.col.reason"),
        ], fmt, title=t("deal.title.owners"))
    render.emit_rows(detail["payments"], [
        Column("id", kind="int"),
        Column("date", "payment.col.date", kind="date"),
        Column("amount", "deal.col.amount", kind="money"),
        Column("note", "deal.col.note"),
    ], fmt, title=t("deal.title.payments"))


@app.command("reassign")
def reassign(
    deal: DealArg,
    to: Annotated[Optional[str], typer.Option("--to", help="Who the deal goes to (required).")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (required unless they own the customer).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Give a deal to another person (manager or above), for cases the owner rule does not cover.

    Example: salesctl deal reassign 12 --to li.na --reason "li.na ran the tender"
    """
    from salesctl.messages import t
    from salesctl.services.sales import deals as svc
    from salesctl.services.sales.handover import reassign_deal

    with command_context(write=True) as ctx:
        moved = reassign_deal(ctx, deal, to=to, reason=reason)
        d = svc.deal_detail(ctx, moved.id)
    _emit_deal(d, fmt_value(format), t("handover.msg.reassigned", id=d["id"], handle=d["owner"]))


@app.command("pipeline")
def pipeline(
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """The sales funnel: deals and amounts per stage, conversion between stages, won and lost.

    Example: salesctl deal pipeline --team --format json
    """
    from salesctl import render
    from salesctl.messages import scope_text, t
    from salesctl.permissions import resolve_scope
    from salesctl.render import Column
    from salesctl.services.sales import deals as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        funnel = svc.pipeline(ctx, scope)
    if fmt == "json":
        render.emit_object(funnel.as_json(), fmt)
        return
    title = f"{t('deal.title.pipeline')} ({scope_text(funnel.scope)})"
    if fmt == "table" and render.stdout_is_terminal():
        _draw_funnel(funnel, title)
        return
    columns = [
        Column("stage", "deal.col.stage", kind="int"),
        Column("name", "deal.col.name"),
        Column("count", "deal.col.count", kind="int"),
        Column("amount", "deal.col.amount", kind="money"),
        Column("reached", "deal.col.reached", kind="int"),
        Column("conversion", "deal.col.conversion", kind="rate"),
    ]
    rows = svc.pipeline_rows(funnel)
    if fmt != "csv":
        from salesctl.messages import label

        for row in rows:
            row["name"] = label("deal_stage", row["stage"]) if row["stage"] else t(f"deal.pipeline.{row['name']}")
            row["conversion"] = svc.percent(row.get("conversion"))
    render.emit_rows(rows, columns, fmt, title=title)


def _draw_funnel(funnel, title: str) -> None:
    """Rich bars, one per stage, with the conversion to the next stage between them."""
    from salesctl import render
    from rich.table import Table

    from salesctl.messages import label, t
    from salesctl.money import display
    from salesctl.services.sales import deals as svc

    console = render.console()
    table = Table(title=title, show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column(t("deal.col.stage"), no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column(t("deal.col.count"), justify="right")
    table.add_column(t("deal.col.amount"), justify="right")
    table.add_column(t("deal.col.conversion"), justify="right")
    widest = max([s["count"] for s in funnel.stages] + [1])
    for entry in funnel.stages:
        s = entry["stage"]
        width = round(30 * entry["count"] / widest) if entry["count"] else 0
        colour = "cyan" if s <= 3 else "green"
        bar = f"[{colour}]{'█' * width}[/{colour}]" if width else "[dim]·[/dim]"
        rate = funnel.conversion(s)
        table.add_row(label("deal_stage", s), bar, str(entry["count"]), display(entry["amount"]),
                      f"↓ {svc.percent(rate)}" if rate is not None else "")
    console.print(table)
    console.print(f"[green]{t('deal.pipeline.won')}[/green]: {funnel.won['count']} · {display(funnel.won['amount'])}    "
                  f"[red]{t('deal.pipeline.lost')}[/red]: {funnel.lost['count']} · {display(funnel.lost['amount'])}",
                  highlight=False)
