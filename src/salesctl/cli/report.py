"""`salesctl report`: the daily, weekly and monthly work reports (compile, draft, submit), show, list, review, missing."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value, read_text_option
from salesctl.cli.options import (
    AllOpt,
    CheckOpt,
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

app = typer.Typer(help="Daily, weekly and monthly work reports (工作计划和报告制度).", no_args_is_help=True)

DraftOpt = Annotated[bool, typer.Option("--draft", help="Save the texts as a draft (run again to update it).")]
SubmitOpt = Annotated[bool, typer.Option("--submit", help="Hand the report in (every text section needed).")]
FileRepOpt = Annotated[Optional[str], typer.Option("--rep", help="File it for this rep (their manager or assistant).")]


def _text_opt(name: str, what: str):
    return (
        Annotated[Optional[str], typer.Option(f"--{name}", help=what)],
        Annotated[Optional[str], typer.Option(f"--{name}-file", help=f"Read --{name} from a file ('-' = stdin).")],
    )


SummaryOpt, SummaryFileOpt = _text_opt("summary", "Summary (总结).")
PlanOpt, PlanFileOpt = _text_opt("plan", "Plan for the next period (计划).")
SituationOpt, SituationFileOpt = _text_opt("situation", "Your situation (您的情况描述).")
RememberOpt, RememberFileOpt = _text_opt("remember", "Things to remember (要记住的事情).")
SupportOpt, SupportFileOpt = _text_opt("support", "Support and resources needed (需要的支持).")
ResultsOpt, ResultsFileOpt = _text_opt("results", "The month's results (工作成果).")
ProblemsOpt, ProblemsFileOpt = _text_opt("problems", "The month's problems (存在问题).")

# --------------------------------------------------------------------------- filing (daily/weekly/monthly)
def _file(kind: str, period_text: str | None, rep: str | None, given: dict, draft: bool, submit: bool, format) -> None:
    from salesctl.cli.report_flow import file_report

    file_report(kind, period_text, rep, given, draft=draft, submit=submit, fmt=fmt_value(format))


@app.command("daily")
def daily(
    date: DateOpt = None,
    summary: SummaryOpt = None,
    summary_file: SummaryFileOpt = None,
    plan: PlanOpt = None,
    plan_file: PlanFileOpt = None,
    draft: DraftOpt = False,
    submit: SubmitOpt = False,
    rep: FileRepOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """The daily work report (销售员工作日报告), compiled from the day's contacts.

    You write only today's summary and tomorrow's plan.

    Without a terminal and without --draft/--submit it prints the compiled form and
    writes nothing; at a terminal it asks for the missing texts.

    Example: salesctl report daily --submit --summary "拜访三家客户" --plan "给苏州新华发报价"
    """
    _file("daily", date, rep, {
        "summary": read_text_option(summary, summary_file, "summary"),
        "plan": read_text_option(plan, plan_file, "plan"),
    }, draft, submit, format)


@app.command("weekly")
def weekly(
    week: WeekOpt = None,
    summary: SummaryOpt = None,
    summary_file: SummaryFileOpt = None,
    situation: SituationOpt = None,
    situation_file: SituationFileOpt = None,
    remember: RememberOpt = None,
    remember_file: RememberFileOpt = None,
    plan: PlanOpt = None,
    plan_file: PlanFileOpt = None,
    support: SupportOpt = None,
    support_file: SupportFileOpt = None,
    draft: DraftOpt = False,
    submit: SubmitOpt = False,
    rep: FileRepOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """The weekly report (销售人员周报), due before the end of work on Friday.

    Last week's plan is shown beside this week's summary.

    Example: salesctl report weekly --week 2026-W48 --submit --summary … --situation … --remember … --plan … --support …
    """
    _file("weekly", week, rep, {
        "summary": read_text_option(summary, summary_file, "summary"),
        "situation": read_text_option(situation, situation_file, "situation"),
        "remember": read_text_option(remember, remember_file, "remember"),
        "plan": read_text_option(plan, plan_file, "plan"),
        "support": read_text_option(support, support_file, "support"),
    }, draft, submit, format)


@app.command("monthly")
def monthly(
    month: MonthOpt = None,
    results: ResultsOpt = None,
    results_file: ResultsFileOpt = None,
    problems: ProblemsOpt = None,
    problems_file: ProblemsFileOpt = None,
    situation: SituationOpt = None,
    situation_file: SituationFileOpt = None,
    remember: RememberOpt = None,
    remember_file: RememberFileOpt = None,
    plan: PlanOpt = None,
    plan_file: PlanFileOpt = None,
    support: SupportOpt = None,
    support_file: SupportFileOpt = None,
    draft: DraftOpt = False,
    submit: SubmitOpt = False,
    rep: FileRepOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """The monthly report (销售人员月报), due on the last day of the month.

    The summary is split into results and problems, then next month's plan.

    Example: salesctl report monthly --month 2026-11 --draft --results-file results.txt
    """
    _file("monthly", month, rep, {
        "results": read_text_option(results, results_file, "results"),
        "problems": read_text_option(problems, problems_file, "problems"),
        "situation": read_text_option(situation, situation_file, "situation"),
        "remember": read_text_option(remember, remember_file, "remember"),
        "plan": read_text_option(plan, plan_file, "plan"),
        "support": read_text_option(support, support_file, "support"),
    }, draft, submit, format)


# --------------------------------------------------------------------------- show, list, review, missing
@app.command("show")
def show(
    report_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="Report id (or use --rep with --date/--week/--month).")] = None,
    rep: RepOpt = None,
    date: DateOpt = None,
    week: WeekOpt = None,
    month: MonthOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Show one report (a submitted one exactly as it was submitted).

    Example: salesctl report show --rep wang.fang --date yesterday --format markdown
    """
    from salesctl.cli import report_render as view
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.reports import reports as svc

    periods = [(k, v) for k, v in (("daily", date), ("weekly", week), ("monthly", month)) if v is not None]
    if report_id is not None and (periods or rep):
        raise InvalidInput(t("report.err.id_or_period"))
    if len(periods) > 1:
        raise InvalidInput(t("report.err.one_period"))
    if report_id is None and not periods and not rep:
        raise InvalidInput(t("report.err.id_or_period_required"))
    with command_context() as ctx:
        if report_id is not None:
            report, person = svc.get_report(ctx, report_id)
        else:
            kind, text = periods[0] if periods else ("daily", None)
            report, person = svc.find_report(ctx, rep, kind, text)
        doc = svc.show(ctx, report, person)
    view.render_form(doc, fmt_value(format))


@app.command("list")
def list_(
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    kind: Annotated[Optional[str], typer.Option("--kind", help="daily, weekly or monthly.")] = None,
    since: SinceOpt = None,
    status: Annotated[Optional[str], typer.Option("--status", help="draft, submitted or reviewed.")] = None,
    limit: LimitOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """List reports in scope, newest period first.

    Example: salesctl report list --team --kind daily --status submitted
    """
    from salesctl.cli import report_render as view
    from salesctl import render
    from salesctl.messages import t
    from salesctl.periods import parse_date
    from salesctl.permissions import resolve_scope
    from salesctl.render import Column
    from salesctl.services.reports import reports as svc

    with command_context() as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        start = parse_date(since, "since", ctx.today) if since else None
        rows = svc.report_rows(ctx, scope, kind=svc.parse_kind(kind), since=start, status=status, limit=limit)
        columns = [Column("id", "report.col.id", "int"), Column("kind", "report.col.kind", "enum:report.kind"),
                   Column("period", "report.col.period"), Column("handle", "report.col.handle"),
                   Column("name", "report.col.name"), Column("status", "report.col.status", "enum:report.status"),
                   Column("late", "report.col.late", "bool"), Column("deadline", "report.col.deadline", "datetime"),
                   Column("submitted_at", "report.col.submitted_at", "datetime"),
                   Column("version", "report.col.version", "int"), Column("comment", "report.col.comment")]
        render.emit_rows(view.parsed_times(rows), columns, fmt_value(format), title=t("report.title.list"))


@app.command("review")
def review(
    report_ids: Annotated[Optional[list[str]], typer.Argument(metavar="[ID]...", help="Report ids (one or more).")] = None,
    comment: Annotated[Optional[str], typer.Option("--comment", help="Your guidance for the rep (指导和支持).")] = None,
    comment_file: Annotated[Optional[str], typer.Option("--comment-file", help="Read --comment from a file ('-' = stdin).")] = None,
    team: Annotated[bool, typer.Option("--team", help="Every submitted report of your team for the period (instead of ids).")] = False,
    manager: ManagerOpt = None,
    date: DateOpt = None,
    week: WeekOpt = None,
    month: MonthOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Review submitted reports with a comment (the rep's manager only): by id, or the team's for a period.

    Each report gets its own review and audit entry; the batch is all or nothing (one report outside
    your team refuses it, exit 3).

    Example: salesctl report review --team --date yesterday --comment 已阅
    """
    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.permissions import resolve_scope
    from salesctl.render import Column
    from salesctl.services.reports import review as svc
    from salesctl.services.reports.reports import parse_report_period

    periods = [(k, v) for k, v in (("daily", date), ("weekly", week), ("monthly", month)) if v is not None]
    by_period = team or manager is not None
    if bool(report_ids) == by_period or (by_period and len(periods) != 1) or (report_ids and periods):
        raise InvalidInput(t("report.err.review_ids_or_team"))
    text = read_text_option(comment, comment_file, "comment")
    fmt = fmt_value(format)
    label = None
    with command_context(write=True) as ctx:
        if by_period:
            kind, period_text = periods[0]
            ids = svc.waiting_reports(ctx, resolve_scope(ctx, team=team, manager=manager), kind, period_text)
            label = parse_report_period(kind, period_text, ctx.today).label
        else:
            ids = report_ids
        done = svc.review_many(ctx, ids, text) if ids else []
        rows = [{"id": report.id, "kind": report.kind, "period": report.period, "handle": rep.handle,
                 "status": report.status, "reviewed_by": ctx.actor.handle, "comment": text.strip()}
                for report, rep in done]
    if report_ids and len(rows) == 1:
        report, rep = done[0]
        render.emit_id(report.id, rows[0], fmt, t("report.msg.reviewed", id=report.id, handle=rep.handle,
                                                  period=report.period))
        return
    columns = [Column("id", "report.col.id", "int"), Column("kind", "report.col.kind", "enum:report.kind"),
               Column("period", "report.col.period"), Column("handle", "report.col.handle"),
               Column("status", "report.col.status", "enum:report.status")]
    render.emit_rows(rows, columns, fmt, empty_message=t("report.msg.none_waiting", period=label) if not rows else None)
    if rows:
        render.info(t("report.msg.reviewed_many", count=len(rows)))


@app.command("missing")
def missing(
    date: DateOpt = None,
    week: WeekOpt = None,
    month: MonthOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    check: CheckOpt = False,
    notify: Annotated[bool, typer.Option("--notify", help="E-mail each rep whose report is missing; after the deadline also their manager.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """List reps whose report is missing or was submitted late (--check for cron).

    Missing: not submitted (before or after the deadline); late: submitted after it.
    Daily reports of today unless --date, --week or --month is given; only reps owe
    reports, and only for workdays they were not on leave. With --check it exits 1
    when anyone is missing (for cron).

    Example: salesctl report missing --team --check || mail -s "missing reports" zhang.wei@example.com
    """
    from salesctl.cli import report_render as view
    from salesctl import render
    from salesctl.messages import t
    from salesctl.permissions import resolve_scope
    from salesctl.render import Column
    from salesctl.services.reports import reports as svc

    with command_context(write=notify) as ctx:
        kind, period = svc.missing_period({"date": date, "week": week, "month": month}, ctx.today)
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        owed = svc.missing_reports(ctx, scope, kind, period)
        told = _notify_missing(ctx, owed) if notify else None
    if not owed.workdays and kind == "daily":
        render.info(t("report.not_a_workday", day=period.label))
    columns = [Column("handle", "report.col.handle"), Column("name", "report.col.name"),
               Column("period", "report.col.period"), Column("status", "report.col.status", "enum:report.status"),
               Column("deadline", "report.col.deadline", "datetime"), Column("id", "report.col.id", "int")]
    fmt = fmt_value(format)
    render.emit_rows(view.parsed_times(owed.rows), columns, fmt,
                     title=t("report.title.missing", kind=t(f"report.kind.{kind}"), period=period.label),
                     empty_message=t("report.none_missing"))
    if not owed.rows and fmt in ("json", "csv"):
        render.info(t("report.none_missing"))
    if told is not None:
        render.info(t("notify.msg.missing_sent", reps=len(told["reps"]), managers=len(told["managers"])))
        for handle in told["no_address"]:
            render.warn(t("notify.err.no_email", handle=handle))
        for error in told["failed"]:
            render.warn(error)
        if told["no_address"] or told["failed"]:
            raise typer.Exit(2)
    if check and any(r["status"] == "missing" for r in owed.rows):
        raise typer.Exit(1)


def _notify_missing(ctx, owed):
    """report missing --notify (issue 21)."""
    from salesctl.services.teamwork import handoffs

    return handoffs.notify_missing(ctx, owed)
