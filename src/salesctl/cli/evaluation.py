"""`salesctl eval`: individual and department scores from weighted KPIs (weights in the commission plan)."""

from __future__ import annotations

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

BAR_WIDTH = 30


def register(root: typer.Typer) -> None:
    root.command("eval")(evaluate)


def _columns():
    from salesctl.render import Column

    def col(key, kind="text"):
        return Column(key, label=f"eval.col.{key}", kind=kind)

    return [col("kind", "enum:eval_kind"), Column("handle", label="commission.col.handle"),
            Column("name", label="commission.col.name"), col("manager"), col("reps", "int"), col("base", "money"),
            col("target", "money"), col("attainment"), col("new_customers", "int"), col("visits", "int"),
            col("compliance"), col("archive"), col("score")]


def bar_lines(rows: list[dict], width: int = BAR_WIDTH) -> list[tuple[str, str, str]]:
    """(who, bar, score) per row: a text bar chart of the scores (0-100)."""
    from decimal import Decimal

    from salesctl.messages import label, t

    out = []
    for row in rows:
        who = row["handle"] if row["kind"] == "rep" else f"{row['handle']} ({label('eval_kind', 'department')})"
        if row["score"] is None:
            out.append((who, "", t("eval.not_scored")))
            continue
        filled = int((Decimal(row["score"]) * width / 100).to_integral_value())
        out.append((who, "█" * filled + "░" * (width - filled), row["score"]))
    return out


def _chart(rows: list[dict]) -> None:
    from salesctl import render
    from salesctl.messages import t

    lines = bar_lines(rows)
    if not lines:
        return
    if render.stdout_is_terminal():
        from rich.bar import Bar
        from rich.table import Table

        table = Table(title=t("eval.chart"), show_header=False, box=None)
        table.add_column(justify="left")
        table.add_column(width=BAR_WIDTH)
        table.add_column(justify="right")
        for row, (who, _, score) in zip(rows, lines):
            value = float(row["score"]) if row["score"] is not None else 0.0  # display only
            colour = "cyan" if row["kind"] == "rep" else "magenta"
            table.add_row(render.escape(who), Bar(100, 0, value, width=BAR_WIDTH, color=colour), score)
        render.console().print(table)
        return
    pad = max(len(who) for who, _, _ in lines)
    text = [f"\n{t('eval.chart')}"] + [f"{who.ljust(pad)}  {bar}  {score}".rstrip() for who, bar, score in lines]
    render.write("\n".join(text) + "\n")


def evaluate(
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Score reps and departments: attainment, new customers, visits, report compliance, archive.

    Example: salesctl eval --quarter 2026-Q4 --team
    """
    from salesctl import render
    from salesctl.messages import scope_text, t
    from salesctl.services.pay import evaluation as svc

    with command_context() as ctx:
        result = svc.evaluate(ctx, month=month, quarter=quarter, mine=mine, team=team, manager=manager,
                              rep=rep, all_=all_)
    fmt = fmt_value(format)
    if fmt == "json":
        render.emit_object(result.as_dict(), "json")
        return
    render.emit_rows(result.rows, _columns(), fmt, title=t("eval.title", period=result.period, scope=scope_text(result.scope)))
    if fmt == "table":
        _chart(result.rows)
