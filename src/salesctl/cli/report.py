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

# section key -> message key of its heading, per form
SECTION_LABELS = {
    "daily": {"summary": "report.section.summary_daily", "plan": "report.section.plan_daily"},
    "weekly": {"summary": "report.section.summary_weekly", "situation": "report.section.situation",
               "remember": "report.section.remember", "plan": "report.section.plan_weekly",
               "support": "report.section.support"},
    "monthly": {"results": "report.section.results", "problems": "report.section.problems",
                "situation": "report.section.situation", "remember": "report.section.remember",
                "plan": "report.section.plan_monthly", "support": "report.section.support"},
}


# --------------------------------------------------------------------------- filing (daily/weekly/monthly)
def _file(kind: str, period_text: str | None, rep: str | None, given: dict, draft: bool, submit: bool, format) -> None:
    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.reports import reports as svc

    fmt = fmt_value(format)
    if draft and submit:
        raise InvalidInput(t("report.err.draft_or_submit"))
    action = "submit" if submit else "draft" if draft else None
    given = {k: v for k, v in given.items() if v is not None}

    if render.interactive() and action != "draft":
        # a person at a terminal: show the form, ask for the texts outside any transaction
        with command_context() as ctx:
            filing = svc.prepare(ctx, kind, period_text, rep, given)
            doc = svc.document(ctx, filing)
        render_form(doc, "table")
        if not given or filing.missing():
            given.update(_ask_texts(kind, filing.sections, filing.texts))
        if action is None:
            action = _ask_action()
            if action is None:
                return

    if action is None:  # no terminal, no --draft/--submit: print the compiled form, write nothing
        with command_context() as ctx:
            filing = svc.prepare(ctx, kind, period_text, rep, given)
            doc = svc.document(ctx, filing)
        render_form(doc, fmt)
        report = filing.report
        if report is not None and report.status != "draft":
            render.info(t("report.msg.already_submitted", id=report.id, at=doc["submitted_at"]))
        else:
            render.info(t("report.msg.preview"))
        return

    with command_context(write=True) as ctx:
        filing = svc.prepare(ctx, kind, period_text, rep, given)
        if action == "submit":
            report, doc = svc.submit(ctx, filing)
        else:
            report = svc.save_draft(ctx, filing)
            doc = svc.document(ctx, filing)
    kind_label = t(f"report.kind.{kind}")
    if action == "submit":
        timing = t("report.msg.late", deadline=_when(doc["deadline"])) if report.late else t("report.msg.on_time")
        message = t("report.msg.submitted", kind=kind_label, id=report.id, period=doc["period"],
                    version=doc["version"], timing=timing)
    else:
        message = t("report.msg.draft_saved", kind=kind_label, id=report.id, period=doc["period"])
    if fmt in ("json", "markdown"):
        render_form(doc, fmt)
        render.info(message)
    else:
        render.emit_id(report.id, None, fmt, message)


def _editor_template(kind: str, sections, texts: dict) -> str:
    from salesctl.messages import t

    lines = [f"# {t('report.editor.help')}", ""]
    for key in sections:
        lines.append(f"== {key}: {t(SECTION_LABELS[kind][key])} ==")
        lines.append(texts.get(key) or "")
        lines.append("")
    return "\n".join(lines)


def parse_editor_text(text: str, sections) -> dict[str, str]:
    """The sections written in the editor: text under each `== key: heading ==` line (# lines ignored)."""
    import re

    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r"^==\s*([a-z]+)\b.*==\s*$", line.strip())
        if m and m.group(1) in sections:
            current = m.group(1)
            found[current] = []
        elif current is not None:
            found[current].append(line)
    return {k: "\n".join(v).strip() for k, v in found.items()}


def _ask_texts(kind: str, sections, texts: dict) -> dict[str, str]:
    """Ask for the free-text sections: in $VISUAL/$EDITOR when set, else with questionary."""
    import os

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if editor:
        import shlex
        import subprocess
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".md", prefix=f"salesctl-{kind}-", delete=False,
                                         encoding="utf-8") as fh:
            fh.write(_editor_template(kind, sections, texts))
            path = fh.name
        try:
            subprocess.run(shlex.split(editor) + [path], check=False)
            with open(path, encoding="utf-8") as fh:
                return parse_editor_text(fh.read(), sections)
        finally:
            os.unlink(path)
    import questionary

    from salesctl.messages import t

    answers = {}
    for key in sections:
        answer = questionary.text(t("report.prompt.text", section=t(SECTION_LABELS[kind][key])),
                                  default=texts.get(key) or "", multiline=True).ask()
        if answer is None:
            raise typer.Abort()
        answers[key] = answer
    return answers


def _ask_action() -> str | None:
    import questionary

    from salesctl.messages import t

    choice = questionary.select(t("report.prompt.action"), choices=[
        questionary.Choice(t("report.prompt.submit"), "submit"),
        questionary.Choice(t("report.prompt.draft"), "draft"),
        questionary.Choice(t("report.prompt.discard"), "discard"),
    ]).ask()
    return None if choice in (None, "discard") else choice


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
    render_form(doc, fmt_value(format))


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
                   Column("version", "report.col.version", "int")]
        render.emit_rows(_parsed_times(rows), columns, fmt_value(format), title=t("report.title.list"))


@app.command("review")
def review(
    report_id: Annotated[str, typer.Argument(metavar="ID", help="Report id.")],
    comment: Annotated[Optional[str], typer.Option("--comment", help="Your guidance for the rep (指导和支持).")] = None,
    comment_file: Annotated[Optional[str], typer.Option("--comment-file", help="Read --comment from a file ('-' = stdin).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Review a submitted report with a comment (the rep's manager only).

    Example: salesctl report review 42 --comment "报价前先确认预算"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.reports import reports as svc

    text = read_text_option(comment, comment_file, "comment")
    with command_context(write=True) as ctx:
        report, rep = svc.review(ctx, report_id, text)
        row = {"id": report.id, "kind": report.kind, "period": report.period, "handle": rep.handle,
               "status": report.status, "reviewed_by": ctx.actor.handle, "comment": text.strip()}
    render.emit_id(report.id, row, fmt_value(format),
                   t("report.msg.reviewed", id=report.id, handle=rep.handle, period=report.period))


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
    render.emit_rows(_parsed_times(owed.rows), columns, fmt,
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


def _parsed_times(rows):
    """Rows whose ISO time strings become datetimes again (so tables show local minutes, JSON ISO)."""
    from datetime import datetime

    for row in rows:
        for key in ("deadline", "submitted_at"):
            if isinstance(row.get(key), str):
                row[key] = datetime.fromisoformat(row[key])
        yield row


# --------------------------------------------------------------------------- the form, rendered
def _when(value: str | None, with_date: bool = True) -> str:
    from datetime import datetime

    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return moment.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def _status_text(doc: dict) -> str:
    from salesctl.messages import label, t

    text = label("report.status", doc.get("status"))
    if doc.get("late"):
        text += t("report.late_suffix")
    return text


def _what_happened(row: dict) -> str:
    from salesctl.messages import label, t

    parts = [p for p in (row.get("content"), row.get("result")) if p]
    text = f"{label('report.visit', row.get('kind'))}: " + "; ".join(parts)
    if row.get("problems"):
        text += f"; {t('report.visit.problems')}: {row['problems']}"
    return text


def _memo(row: dict) -> str:
    from salesctl.messages import t

    parts = [row.get("next_step") or ""]
    if row.get("follow_up"):
        parts.append(f"({t('report.visit.follow_up', date=row['follow_up'])})")
    return " ".join(p for p in parts if p)


def _contacts_table(doc: dict) -> tuple:
    from salesctl.messages import t

    daily = doc["kind"] == "daily"
    heads = ["no", "customer", "contact", "phone", "address", "time", "what_happened", "grade", "follow_up_memo"]
    body = []
    for row in doc.get("rows", []):
        when = _when(row["time"], with_date=False) if daily else _when(row["time"])[5:]
        body.append([str(row["no"]), row.get("customer") or "", row.get("contact") or "", row.get("phone") or "",
                     row.get("address") or "", when, _what_happened(row), row.get("grade") or "", _memo(row)])
    return [t(f"report.col.{h}") for h in heads], body, {0}


def _grade_changes_table(doc: dict) -> tuple:
    from salesctl.messages import t

    heads = ["at", "customer", "change", "reason", "by"]
    body = [[_when(c["at"]), c.get("customer") or "", f"{c.get('from') or '—'} → {c.get('to')}",
             c.get("reason") or "", c.get("by") or ""] for c in doc.get("grade_changes", [])]
    return [t(f"report.col.{h}") for h in heads], body, set()


def _customer_table(doc: dict) -> tuple:
    from salesctl.messages import t

    heads = ["no", "grade", "customer", "contact", "phone", "address", "new"]
    body = [[str(r["no"]), r.get("grade") or "", r.get("customer") or "", r.get("contact") or "", r.get("phone") or "",
             r.get("address") or "", t("yes") if r.get("new") else ""] for r in doc.get("customer_rows", [])]
    return [t(f"report.col.{h}") for h in heads], body, {0}


def _sales_table(doc: dict) -> tuple:
    from decimal import Decimal

    from salesctl.messages import t
    from salesctl.money import display

    heads = ["no", "sale_kind", "date", "customer", "contact", "phone", "address", "amount"]
    body = [[str(r["no"]), t(f"report.sale.{r['kind']}"), r["date"], r.get("customer") or "", r.get("contact") or "",
             r.get("phone") or "", r.get("address") or "", display(Decimal(r["amount"]))] for r in doc.get("sales", [])]
    return [t(f"report.col.{h}") for h in heads], body, {0, 7}


def form_blocks(doc: dict) -> list[tuple]:
    """The form as a list of blocks (title, fields, section, table, text, line, beside), in the handbook's order."""
    from datetime import date as _date
    from decimal import Decimal

    from salesctl.messages import t
    from salesctl.money import display

    kind = doc["kind"]
    blocks: list[tuple] = [("title", t(f"report.title.{kind}"))]
    if kind == "daily":
        day = _date.fromisoformat(doc["period_start"])
        period = (t("report.field.date"), f"{doc['period']} {t(f'report.weekday.{day.weekday()}')}")
    elif kind == "weekly":
        period = (t("report.field.week"), t("report.week_range", label=doc["period"], start=doc["period_start"],
                                                end=doc["period_end"]))
    else:
        period = (t("report.field.month"), doc["period"])
    fields = [period, (t("report.field.region"), doc.get("region") or ""),
              (t("report.field.filled_by"), f"{doc.get('name')} ({doc.get('handle')})"),
              (t("report.field.status"), _status_text(doc)),
              (t("report.field.deadline"), _when(doc.get("deadline")))]
    if doc.get("submitted_at"):
        fields.append((t("report.field.submitted_at"), _when(doc["submitted_at"])))
    if doc.get("id"):
        version = f" · {t('report.field.version')} {doc['version']}" if doc.get("version") else ""
        fields.append((t("report.field.id"), f"{doc['id']}{version}"))
    for review in doc.get("reviews") or []:
        fields.append((t("report.field.review"),
                       f"{review['comment']} — {review.get('name')} ({review['by']}), {_when(review['at'])}"))
    blocks.append(("fields", fields))

    def text_section(key: str, heading: str):
        blocks.append(("section", t(heading)))
        blocks.append(("text", doc.get(key)))

    def grade_changes():
        blocks.append(("section", t("report.section.grade_changes")))
        if doc.get("grade_changes"):
            blocks.append(("table", *_grade_changes_table(doc)))
        else:
            blocks.append(("line", t("report.no_grade_changes")))

    if kind == "daily":
        blocks.append(("section", t("report.section.contacts")))
        blocks.append(("table", *_contacts_table(doc)) if doc.get("rows") else ("line", t("report.no_contacts")))
        grade_changes()
        text_section("summary", "report.section.summary_daily")
        text_section("plan", "report.section.plan_daily")
        return blocks

    blocks.append(("section", t(f"report.section.details_{kind}")))
    blocks.append(("table", *_contacts_table(doc)) if doc.get("rows") else ("line", t("report.no_contacts")))
    last = doc.get("last_plan") or {}
    last_text = last.get("plan")
    if last.get("support"):
        last_text = f"{last_text or ''}\n{t('report.section.support')}: {last['support']}".strip()
    if kind == "weekly":
        blocks.append(("section", t("report.section.summary_weekly")))
        blocks.append(("beside", (f"{t('report.section.last_plan_weekly')} ({last.get('period', '')})", last_text),
                       (t("report.section.summary_weekly"), doc.get("summary"))))
    else:
        blocks.append(("section", t("report.section.summary_monthly")))
        blocks.append(("beside", (f"{t('report.section.last_plan_monthly')} ({last.get('period', '')})", last_text),
                       (t("report.section.results"), doc.get("results"))))
        text_section("problems", "report.section.problems")
    counts = doc.get("customers") or {}
    blocks.append(("section", t("report.section.customers")))
    blocks.append(("line", t("report.customers_line", **{k: counts.get(k, 0) for k in ("total", "A", "B", "C", "D", "new")})))
    text_section("situation", "report.section.situation")
    blocks.append(("section", t("report.section.customer_table")))
    blocks.append(("table", *_customer_table(doc)) if doc.get("customer_rows") else ("line", t("report.no_customers")))
    blocks.append(("section", t(f"report.section.sales_{kind}")))
    if doc.get("sales"):
        blocks.append(("table", *_sales_table(doc)))
        total = doc.get("sales_total") or {}
        blocks.append(("line", t("report.sales_total", won=display(Decimal(total.get("won", "0"))),
                                 collected=display(Decimal(total.get("collected", "0"))))))
    else:
        blocks.append(("line", t("report.no_sales")))
    grade_changes()
    text_section("remember", "report.section.remember")
    text_section("plan", f"report.section.plan_{kind}")
    text_section("support", "report.section.support")
    return blocks


def _md_cell(text: str) -> str:
    return (text or "").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def form_markdown(blocks: list[tuple]) -> str:
    from tabulate import tabulate

    from salesctl.messages import t

    out: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind == "title":
            out.append(f"# {block[1]}\n")
        elif kind == "fields":
            out.append("\n".join(f"- **{label}**: {_md_cell(value)}" for label, value in block[1]) + "\n")
        elif kind == "section":
            out.append(f"## {block[1]}\n")
        elif kind == "table":
            heads, body, _right = block[1], block[2], block[3]
            out.append(tabulate([[_md_cell(c) for c in row] for row in body], headers=heads, tablefmt="github",
                                disable_numparse=True) + "\n")
        elif kind == "text":
            out.append((block[1] or f"_{t('report.empty_text')}_") + "\n")
        elif kind == "line":
            out.append(f"{block[1]}\n")
        elif kind == "beside":
            (left_head, left), (right_head, right) = block[1], block[2]
            out.append(tabulate([[_md_cell(left or t("report.no_last_plan")), _md_cell(right or t("report.empty_text"))]],
                                headers=[left_head, right_head], tablefmt="github", disable_numparse=True) + "\n")
    return "\n".join(out)


def form_plain(blocks: list[tuple]) -> str:
    from tabulate import tabulate
    from wcwidth import wcswidth

    from salesctl.messages import t

    out: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind == "title":
            out.append(block[1])
            out.append("=" * max(wcswidth(block[1]), 4))
        elif kind == "fields":
            out.extend(f"{label}: {value}" for label, value in block[1])
        elif kind == "section":
            out.append("")
            out.append(block[1])
            out.append("-" * max(wcswidth(block[1]), 4))
        elif kind == "table":
            heads, body, _right = block[1], block[2], block[3]
            out.append(tabulate(body, headers=heads, tablefmt="simple", disable_numparse=True))
        elif kind == "text":
            out.append(block[1] or t("report.empty_text"))
        elif kind == "line":
            out.append(block[1])
        elif kind == "beside":
            for head, body in (block[1], block[2]):
                out.append(f"[{head}]")
                out.append(body or (t("report.no_last_plan") if head == block[1][0] else t("report.empty_text")))
    return "\n".join(out) + "\n"


def form_rich(blocks: list[tuple]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from salesctl.messages import t

    console = Console()
    for block in blocks:
        kind = block[0]
        if kind == "title":
            console.rule(Text(block[1], style="bold"))
        elif kind == "fields":
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold")
            grid.add_column()
            for label, value in block[1]:
                grid.add_row(Text(label), Text(value))
            console.print(grid)
        elif kind == "section":
            console.print()
            console.print(Text(block[1], style="bold underline"))
        elif kind == "table":
            heads, body, right = block[1], block[2], block[3]
            table = Table(header_style="bold", show_lines=False)
            for i, head in enumerate(heads):
                table.add_column(head, justify="right" if i in right else "left", overflow="fold")
            for row in body:
                table.add_row(*[Text(c) for c in row])
            console.print(table)
        elif kind == "text":
            console.print(Text(block[1]) if block[1] else Text(t("report.empty_text"), style="dim"))
        elif kind == "line":
            console.print(Text(block[1]))
        elif kind == "beside":
            (left_head, left), (right_head, right) = block[1], block[2]
            table = Table(show_header=True, header_style="bold", expand=True)
            table.add_column(left_head, ratio=1)
            table.add_column(right_head, ratio=1)
            table.add_row(Text(left or t("report.no_last_plan"), style="" if left else "dim"),
                          Text(right or t("report.empty_text"), style="" if right else "dim"))
            console.print(table)


def render_form(doc: dict, fmt: str) -> None:
    """A report document as JSON, CSV (its contact rows), markdown, Rich (terminal) or plain text (piped)."""
    from salesctl import render

    if fmt == "json":
        render.emit_object(doc, "json")
        return
    if fmt == "csv":
        from salesctl.render import Column

        keys = ["no", "date", "time", "customer", "contact", "phone", "address", "kind", "what_happened", "grade",
                "follow_up_memo"]
        render.emit_rows(iter(doc.get("rows", [])), [Column(k) for k in keys], "csv")
        return
    blocks = form_blocks(doc)
    if fmt == "markdown":
        render.write(form_markdown(blocks))
    elif render.stdout_is_terminal():
        form_rich(blocks)
    else:
        render.write(form_plain(blocks))
