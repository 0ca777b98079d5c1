"""`salesctl summary`: team summaries for a week or a month (week, month)."""

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
    RepOpt,
    TeamOpt,
    WeekOpt,
)

app = typer.Typer(help="Team summaries: visits, customers, grades, deals, payments and reports per rep.",
                  no_args_is_help=True)

ByOpt = Annotated[Optional[str], typer.Option("--by", help="One row per region, industry or manager instead of per rep.")]
CompareOpt = Annotated[Optional[bool], typer.Option(
    "--compare/--no-compare", help="Show ▲/▼ change against the previous period (default: on at a terminal).")]
BAR_WIDTH = 40


@app.command("week")
def week(
    week: WeekOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    by: ByOpt = None,
    compare: CompareOpt = None,
    send: Annotated[bool, typer.Option("--send", help="Also e-mail it (HTML with charts) to the manager and the director.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """Summarise a week per rep: visits, customers, grades, deals, payments, reports.

    Example: salesctl summary week --team --send   (cron: 0 9 * * 1)
    """
    _run("week", week, mine=mine, team=team, manager=manager, rep=rep, all_=all_, by=by, compare=compare,
         format=format)
    if send:
        _send("week", week, mine=mine, team=team, manager=manager, rep=rep, all_=all_, by=by)


def _send(kind: str, period: str | None, *, mine, team, manager, rep, all_, by) -> None:
    """--send (issue 21): the same summary, mailed after it was printed."""
    from salesctl import render
    from salesctl.cli import summary_mail
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.reports import summaries as svc

    with command_context(write=True) as ctx:
        summary = svc.team_summary(ctx, kind, period, mine=mine, team=team, manager=manager, rep=rep,
                                   all_=all_, by=by.strip().lower() if by else None, compare=False)
        sent = summary_mail.send_summary(ctx, summary)
    done = [f"{row['handle']} <{row['email']}>" for row in sent if "error" not in row]
    if done:
        render.info(t("notify.msg.summary_sent", recipients=", ".join(done)))
    errors = [row["error"] for row in sent if "error" in row]
    if errors:
        raise InvalidInput(errors[0])


@app.command("month")
def month(
    month: MonthOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    by: ByOpt = None,
    compare: CompareOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Summarise a month per rep, with targets and attainment.

    Example: salesctl summary month --month 2026-11 --manager zhang.wei --by region
    """
    _run("month", month, mine=mine, team=team, manager=manager, rep=rep, all_=all_, by=by, compare=compare,
         format=format)


def _run(kind: str, period: str | None, *, mine, team, manager, rep, all_, by, compare, format) -> None:
    from salesctl import render
    from salesctl.services.reports import summaries as svc

    fmt = fmt_value(format)
    terminal = render.stdout_is_terminal()
    want_previous = compare if compare is not None else (terminal and fmt == "table")
    with command_context() as ctx:
        summary = svc.team_summary(ctx, kind, period, mine=mine, team=team, manager=manager, rep=rep,
                                   all_=all_, by=by.strip().lower() if by else None, compare=want_previous)
        drawings = svc.charts(ctx, summary) if fmt == "table" and terminal else None
    if fmt == "json":
        import json

        doc = summary.to_json(with_previous=compare is True)
        render.write(json.dumps(render.json_value(doc), ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        rows = [svc.public_row(r) for r in summary.rows]
        keys = list(rows[0]) if rows else _csv_keys(summary)
        render.emit_rows(rows, [render.Column(k) for k in keys], "csv")
        return
    _table(summary, fmt, terminal)
    if drawings is not None:
        _draw(drawings, summary)


def _csv_keys(summary) -> list[str]:
    from salesctl.services.reports.summaries import ROW_KEYS

    if summary.group:
        return [summary.group, "reps"] + [k for k in ROW_KEYS if k not in ("handle", "name")]
    return list(ROW_KEYS)


# --------------------------------------------------------------------------- the table
def _columns(summary):
    from salesctl.render import Column

    first = Column("who", label=f"summary.col.{summary.group}" if summary.group else "summary.col.rep")
    report = "summary.col.weekly_report" if summary.report_kind == "weekly" else "summary.col.monthly_report"
    cols = [first]
    if summary.group:
        cols.append(Column("reps", label="summary.col.reps", justify="right"))
    for key, label, justify in (
        ("visits", "visits", "right"),
        ("kinds", "kinds", "right"),
        ("customers_contacted", "contacted", "right"),
        ("new_customers", "new_customers", "right"),
        ("grade_moves", "grade_moves", "right"),
        ("by_grade", "by_grade", "right"),
        ("deals", "deals", "right"),
        ("amount_won", "amount_won", "right"),
        ("payments", "payments", "right"),
        ("target", "target", "right"),
        ("attainment", "attainment", "right"),
        ("daily", "daily", "right"),
        ("weekly_report", None, "left"),
        ("overdue_followups", "overdue", "right"),
    ):
        cols.append(Column(key, label=report if label is None else f"summary.col.{label}", justify=justify))
    return cols


def _short_money(value) -> str:
    """A change in money kept narrow for the table: 850, 12.5k, 1.2M."""
    value = float(value)
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 1_000:
        return f"{value / 1_000:.1f}k"
    return f"{value:.0f}"


def _display(row: dict, change: dict, *, who: str, escape, joiner: str) -> dict:
    """One row of the table as text; a change against the previous period follows the value (▲/▼)."""
    from salesctl.messages import t
    from salesctl.money import display

    def num(key, money=False):
        value = row.get(key)
        text = display(value) if money else str(value or 0)
        delta = change.get(key)
        if not delta:
            return text
        amount = _short_money(abs(delta)) if money else str(abs(delta))
        return f"{text}{joiner}{'▲' if delta > 0 else '▼'}{amount}"

    late = row.get("daily_late") or 0
    daily = f"{row.get('daily_submitted', 0)}/{row.get('daily_due', 0)}"
    if late:
        daily += f" ({t('summary.late_count', n=late)})"
    report = row.get("weekly_report")
    if report and "/" not in report:
        report = t(f"summary.report.{report}")
    attainment = row.get("attainment")
    return {
        "who": escape(who),
        "reps": str(row.get("reps", "")),
        "visits": num("visits"),
        "kinds": "/".join(str(row.get(f"visits_{k}", 0)) for k in ("visit", "call", "email", "event")),
        "customers_contacted": num("customers_contacted"),
        "new_customers": num("new_customers"),
        "grade_moves": f"↑{row.get('grade_up', 0)} ↓{row.get('grade_down', 0)}",
        "by_grade": "/".join(str(row.get(f"grade_{g}", 0)) for g in "abcd"),
        "deals": f"{row.get('deals_advanced', 0)}/{row.get('deals_won', 0)}/{row.get('deals_lost', 0)}",
        "amount_won": num("amount_won", money=True),
        "payments": num("payments", money=True),
        "target": display(row["target"]) if row.get("target") is not None else "",
        "attainment": f"{float(attainment) * 100:.1f}%" if attainment is not None else "",
        "daily": daily,
        "weekly_report": escape(report or ""),
        "overdue_followups": num("overdue_followups"),
    }


def _table(summary, fmt: str, terminal: bool) -> None:
    from salesctl import render
    from salesctl.messages import scope_text, t

    rich = terminal and fmt == "table"
    escape = render.escape if rich else (lambda s: s)
    joiner = "\n" if rich else " "
    row_changes, total_change = summary.changes()
    body = []
    for row in summary.rows:
        if summary.group:
            key = row[summary.group]
            who = key if key is not None else t("summary.none")
        else:
            who = row["name"] if rich else f"{row['name']} ({row['handle']})"
        body.append(_display(row, row_changes.get(summary.row_key(row), {}), who=who, escape=escape, joiner=joiner))
    totals = dict(summary.totals)
    owed, done = totals.get("_reports_owed", 0), totals.get("_reports_in", 0)
    totals["weekly_report"] = f"{done}/{owed}" if owed else None
    totals["reps"] = sum(r.get("reps", 1) for r in summary.rows)
    foot = _display(totals, total_change, who=t("summary.total"), escape=escape, joiner=joiner) if summary.rows else None
    scope = scope_text(summary.scope.label)
    title = t("summary.title", period=summary.period.label, first=summary.period.start, last=summary.period.end,
              scope=scope)
    no_activity = t("summary.no_activity", period=summary.period.label, scope=scope)
    columns = _columns(summary)
    if rich and summary.rows:
        _rich_table(title, columns, body, foot)
    else:
        render.emit_rows(body, columns, fmt, title=title, totals=foot, empty_message=no_activity)
    if (summary.rows or fmt == "markdown") and not summary.has_activity:
        render.write(no_activity + "\n")
    if summary.rows:
        render.write(t("summary.legend") + "\n")
    if summary.previous is not None and summary.rows:
        render.write(t("summary.compare_note", previous=summary.previous.period.label) + "\n")
    if summary.department is not None:
        render.write(_department_text(summary.department))


def _percent(ratio) -> str:
    return f"{float(ratio) * 100:.1f}%" if ratio is not None else "-"


def _department_text(dept: dict) -> str:
    """The director's target for the month against the sum of the teams (issue 16)."""
    from salesctl.messages import t
    from salesctl.money import display

    def money(value) -> str:
        return display(value) if value is not None else "-"

    lines = [t("dept.line", period=dept["period"], director=dept["director"], target=money(dept["target"]),
               teams=money(dept["teams_target"]), reps=money(dept["reps_target"]), payments=money(dept["payments"]),
               attainment=_percent(dept["attainment"]))]
    for team in dept["teams"]:
        lines.append(t("dept.team", manager=team["manager"], target=money(team["target"]),
                       payments=money(team["payments"]), attainment=_percent(team["attainment"])))
    return "\n".join(lines) + "\n"


# columns left out, in this order, when the terminal is too narrow for all of them
NARROW_DROPS = ("kinds", "by_grade", "grade_moves", "target", "customers_contacted", "daily", "weekly_report")


def _rich_table(title, columns, body, foot) -> None:
    """A compact Rich table (light rules, no cell wrapping); on a narrow terminal it drops the
    least important columns rather than squeezing every cell into an ellipsis."""
    from salesctl import render
    from rich import box
    from rich.table import Table

    from salesctl.messages import t

    console = render.console()

    def build(cols):
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_footer=foot is not None,
                      header_style="bold", pad_edge=False, collapse_padding=True, padding=(0, 1))
        for c in cols:
            # one word per header line keeps the columns narrow; cells never wrap
            table.add_column(c.heading().replace(" ", "\n", 1), justify=c.justify or "left", no_wrap=True,
                             footer=foot[c.key] if foot else "")
        for row in body:
            table.add_row(*(row[c.key] for c in cols))
        return table

    unbounded = console.options.update_width(10_000)
    shown = list(columns)
    table = build(shown)
    hidden = []
    for key in NARROW_DROPS:
        if console.measure(table, options=unbounded).maximum <= console.width:
            break
        shown = [c for c in shown if c.key != key]
        hidden.append(key)
        table = build(shown)
    console.print(table)
    if hidden:
        console.print(t("summary.narrow", n=len(hidden)), highlight=False)


# --------------------------------------------------------------------------- charts (terminal only)
def _bar(value, biggest) -> str:
    if not biggest or not value:
        return ""
    return "█" * max(1, round(BAR_WIDTH * value / biggest))


def _draw(charts, summary) -> None:
    from salesctl import render
    from rich.table import Table

    from salesctl.messages import label, t
    from salesctl.money import display
    from salesctl.render import escape

    console = render.console()
    console.print()
    def heading(text):
        console.print(render.rich_text(text, style="bold"))

    heading(t("summary.chart.grades"))
    grades = Table(show_header=False, box=None)
    grades.add_column()
    grades.add_column(width=BAR_WIDTH, no_wrap=True)
    grades.add_column(justify="right")
    grades.add_column(justify="right")
    total = sum(charts.grades.values())
    biggest = max(charts.grades.values() or [0])
    colours = {"A": "green", "B": "cyan", "C": "yellow", "D": "white"}
    for grade, count in charts.grades.items():
        share = f"{100 * count / total:.0f}%" if total else "0%"
        grades.add_row(label("grade", grade), f"[{colours[grade]}]{_bar(count, biggest)}[/]", str(count), share)
    console.print(grades)
    console.print()

    heading(t("summary.chart.pipeline"))
    funnel = Table(show_header=False, box=None)
    funnel.add_column()
    funnel.add_column(width=BAR_WIDTH, justify="center", no_wrap=True)
    funnel.add_column(justify="right")
    funnel.add_column(justify="right")
    biggest = max([s["count"] for s in charts.stages] or [0])
    for s in charts.stages:
        funnel.add_row(f"{s['stage']} {t('summary.stage.' + str(s['stage']))}",
                       f"[magenta]{_bar(s['count'], biggest)}[/]",
                       t("summary.chart.deals", n=s["count"]), display(s["amount"]))
    console.print(funnel)
    console.print()

    period = summary.period.label
    heading(t("summary.chart.upgraded", period=period))
    movers = Table(show_header=False, box=None)
    for _ in range(3):
        movers.add_column()
    for item in charts.upgraded_to_a:
        movers.add_row(escape(item["customer"]), f"{item['from']} → A", escape(item["owner"] or ""))
    if not charts.upgraded_to_a:
        movers.add_row(t("summary.none"), "", "")
    console.print(movers)
    console.print()
    heading(t("summary.chart.won", period=period))
    won = Table(show_header=False, box=None)
    for justify in ("left", "left", "left", "right"):
        won.add_column(justify=justify)
    for item in charts.deals_won:
        won.add_row(f"#{item['deal_id']} {escape(item['title'])}", escape(item["customer"]), escape(item["owner"]),
                    display(item["amount"]))
    if not charts.deals_won:
        won.add_row(t("summary.none"), "", "", "")
    console.print(won)
