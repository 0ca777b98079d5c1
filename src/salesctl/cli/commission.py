"""`salesctl commission`: the plan, monthly calculation, statements, settlement, adjustments, what-if."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import (
    AllOpt,
    DryRunOpt,
    FormatOpt,
    ManagerOpt,
    MineOpt,
    MonthOpt,
    OutputFormat,
    RepOpt,
    TeamOpt,
)

app = typer.Typer(help="Commission (提成): plans, monthly calculation, statements, settlement.", no_args_is_help=True)
plan_app = typer.Typer(help="The commission plan TOML: show the plan in use, check a file.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")

AmountOpt = Annotated[Optional[str], typer.Option("--amount", help="Money; negative to deduct, e.g. -150.50.")]
ReasonOpt = Annotated[Optional[str], typer.Option("--reason", help="Why (printed on the statement).")]


def _col(key: str, kind: str = "text"):
    from salesctl.render import Column

    return Column(key, label=f"commission.col.{key}", kind=kind)


def _calc_columns():
    return [_col("handle"), _col("name"), _col("plan", "enum:commission_plan"), _col("base", "money"), _col("target", "money"),
            _col("attainment"), _col("tier"), _col("gross", "money"), _col("factor"),
            _col("compliance", "money"), _col("penalties", "money"), _col("adjustments", "money"),
            _col("net", "money"), _col("status", "enum:commission_status")]


def _line_columns():
    return [_col("seq", "int"), _col("kind", "enum:commission_kind"), _col("source"), _col("base", "money"),
            _col("rate"), _col("amount", "money"), _col("rule"), _col("note")]


def _emit_report(obj: dict, rows: list[dict], columns, fmt: str, title: str, totals: dict | None) -> None:
    """JSON: the whole object; CSV: the rows; table/markdown: the rows with a totals line."""
    from salesctl import render

    if fmt == "json":
        render.emit_object(obj, "json")
    else:
        render.emit_rows(rows, columns, fmt, title=title, totals=totals)


# --------------------------------------------------------------------------- plan
@plan_app.command("show")
def plan_show(
    file: Annotated[Optional[str], typer.Option("--file", help="Show this plan file instead of the configured one.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Show the commission plan in use: tiers, rates, compliance factor, who each plan applies to.

    Example: salesctl commission plan show --format json
    """
    from salesctl.messages import t
    from salesctl.services.pay import plans as svc

    book = svc.load_plan_file(file, "file") if file else svc.current_book()
    columns = [_col("plan", "enum:commission_plan"), _col("applies_to"), _col("basis", "enum:commission_basis"),
               _col("mode", "enum:commission_mode"), _col("tiers"), _col("amount_tiers"),
               _col("overrides"), _col("compliance"), _col("year_end_month", "int")]
    _emit_report(svc.book_dict(book), svc.plan_rows(book), columns, fmt_value(format),
                 t("commission.title.plans", file=book.path), None)


@plan_app.command("check")
def plan_check(file: Annotated[str, typer.Argument(help="The plan TOML to check.")]):
    """Check a plan file; every error at once, each naming the file, line and key (exit 2).

    Example: salesctl commission plan check my-plan.toml
    """
    from pathlib import Path

    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.pay import plans as svc
    from salesctl.services.pay.plan_check import plan_problems

    from salesctl.inputs import read_text_file

    path = Path(file).expanduser()
    text = read_text_file(path, "FILE")  # one reader: UTF-8 expected, else exit 2 naming the file
    problems = plan_problems(text, path)
    if len(problems) > 1:
        for problem in problems:
            render.write(f"{problem}\n")
        raise InvalidInput(t("commission.err.plan_problems", path=path.name, count=len(problems)))
    if problems:
        raise InvalidInput(problems[0])
    book = svc.load_plan_file(file, "file")
    names = ", ".join(p.name for p in book.plans())
    render.write(t("commission.msg.plan_ok", file=file, count=len(book.plans()), names=names) + "\n")


# --------------------------------------------------------------------------- calc, statement
@app.command("calc")
def calc(
    month: MonthOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Commission for a month, one row per rep: base, attainment, tier, gross, factor, penalties, net.

    Example: salesctl commission calc --month 2026-11 --team
    """
    from salesctl.messages import scope_text, t
    from salesctl.services.pay import commission as svc

    with command_context() as ctx:
        result = svc.calc(ctx, month, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    totals = dict(result.totals, handle=t("commission.total"))
    _emit_report(result.as_dict(), result.rows, _calc_columns(), fmt_value(format),
                 t("commission.title.calc", month=result.month, scope=scope_text(result.scope)), totals)


@app.command("statement")
def statement(
    handle: Annotated[Optional[str], typer.Argument(help="Whose statement (default: yours).")] = None,
    month: MonthOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Every line of a month's commission: which payment, which rate and rule, so it can be checked by hand.

    Example: salesctl commission statement wang.fang --month 2026-11
    """
    from salesctl.messages import label, t
    from salesctl.services.pay import commission as svc

    with command_context() as ctx:
        st = svc.statement(ctx, handle, month)
    data = st.as_dict()
    data.update({k: st.row.get(k) for k in ("base", "target", "attainment", "tier", "gross", "factor")})
    title = t("commission.title.statement", handle=st.staff.handle, name=st.staff.name, month=st.month,
              plan=label("commission_plan", st.plan), status=label("commission_status", data["status"]))
    totals = {"kind": t("commission.statement_total"), "amount": st.net}
    _emit_report(data, data["lines"], _line_columns(), fmt_value(format), title, totals)


# --------------------------------------------------------------------------- settle, adjust
@app.command("settle")
def settle(
    month: MonthOpt = None,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    dry_run: DryRunOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Lock a month: store each rep's statement; later corrections land in the next open month.

    Example: salesctl commission settle --month 2026-11 --team
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.money import display
    from salesctl.services.pay import commission as svc

    with command_context(write=not dry_run) as ctx:
        statements = svc.settle(ctx, month, team=team, manager=manager, rep=rep, all_=all_, dry_run=dry_run)
    rows = [st.row for st in statements]
    totals = svc._totals(rows)
    label = statements[0].month
    title = t("commission.title.settle_dry" if dry_run else "commission.title.settle", month=label)
    _emit_report({"month": label, "dry_run": dry_run, "rows": rows, "totals": totals}, rows, _calc_columns(),
                 fmt_value(format), title, dict(totals, handle=t("commission.total")))
    key = "commission.msg.dry_run" if dry_run else "commission.msg.settled"
    render.info(t(key, month=label, count=len(rows), total=display(totals["net"])))


@app.command("adjust")
def adjust(
    handle: Annotated[str, typer.Argument(help="Whose commission.")],
    month: MonthOpt = None,
    amount: AmountOpt = None,
    reason: ReasonOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Add a manual adjustment line to an open month (a settled month never changes).

    Example: salesctl commission adjust wang.fang --month 2026-11 --amount 200 --reason "展会奖励"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.money import fmt
    from salesctl.services.pay import commission as svc

    with command_context(write=True) as ctx:
        record = svc.adjust(ctx, handle, month, amount, reason)
        person = ctx.session.get(type(ctx.actor), record.staff_id)
        row = {"id": record.id, "handle": person.handle, "month": record.month, "amount": record.amount,
               "reason": record.reason, "by": ctx.actor.handle, "at": record.at}
    render.emit_id(record.id, row, fmt_value(format),
                   t("commission.msg.adjusted", id=record.id, amount=fmt(record.amount), handle=row["handle"],
                     month=record.month))


# --------------------------------------------------------------------------- what-if
@app.command("whatif")
def whatif(
    plan: Annotated[Optional[str], typer.Option("--plan", help="The plan TOML to try.")] = None,
    month: MonthOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Recompute a month with another plan, writing nothing, and show the difference per rep.

    Example: salesctl commission whatif --plan new-plan.toml --month 2026-11
    """
    from pathlib import Path

    from salesctl import render
    from salesctl.messages import scope_text, t
    from salesctl.services.pay import commission as svc

    with command_context() as ctx:
        result = svc.whatif(ctx, plan, month, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    columns = [_col("handle"), _col("name"), _col("plan"), _col("whatif_plan"), _col("status", "enum:commission_status"),
               _col("gross", "money"), _col("whatif_gross", "money"), _col("net", "money"),
               _col("whatif_net", "money"), _col("difference", "money")]
    _emit_report(result.as_dict(), result.rows, columns, fmt_value(format),
                 t("commission.title.whatif", file=Path(result.plan_file).name, month=result.month, scope=scope_text(result.scope)),
                 dict(result.totals, handle=t("commission.total")))
    render.info(t("commission.msg.whatif"))
