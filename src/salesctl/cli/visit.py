"""`salesctl visit`: visits, calls, emails and events (拜访), and the follow-ups due."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import DAYS_MAX, ID_MAX  # noqa: F401
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

app = typer.Typer(help="Visits, calls and follow-ups (拜访).", no_args_is_help=True)


def _list_columns():
    from salesctl.render import Column

    return [
        Column("id", kind="int"),
        Column("at", "visit.col.at", kind="datetime"),
        Column("customer", "visit.col.customer"),
        Column("contact", "visit.col.contact"),
        Column("kind", "visit.col.kind", kind="enum:visit_kind"),
        Column("content", "visit.col.content"),
        Column("result", "visit.col.result"),
        Column("problems", "visit.col.problems"),
        Column("next_step", "visit.col.next_step"),
        Column("follow_up", "visit.col.follow_up", kind="date"),
        Column("rep", "visit.col.rep"),
    ]


def _ask(message_key: str) -> str:
    from salesctl import prompts
    from salesctl.messages import t

    return prompts.text(t(message_key))


@app.command("log")
def log(
    customer: Annotated[str, typer.Argument(help="Customer id or name.")],
    content: Annotated[Optional[str], typer.Option("--content", help="What was discussed (required).")] = None,
    result: Annotated[Optional[str], typer.Option("--result", help="The result (required).")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="Whom you met (required); a new name is added as a contact.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="visit, call, email or event.")] = "visit",
    at: Annotated[Optional[str], typer.Option("--at", help="When, e.g. 2026-11-27T10:00 (default: now).")] = None,
    problems: Annotated[Optional[str], typer.Option("--problems", help="Problems found (optional).")] = None,
    next_step: Annotated[Optional[str], typer.Option("--next-step", help="The next step.")] = None,
    follow_up: Annotated[Optional[str], typer.Option("--follow-up", help="Follow up on this date.")] = None,
    grade: Annotated[Optional[str], typer.Option("--grade", help="Regrade the customer: A, B, C or D.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why the new grade (with --grade).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Log a visit, call, email or event with a customer you own (or act for).

    Example: salesctl visit log 华光科技 --contact 李总 --content 介绍新方案 --result 要求报价 --follow-up 2026-12-02
    """
    from salesctl import render
    from salesctl.messages import label, t
    from salesctl.services.sales import visits as svc

    if render.interactive():
        content = content or _ask("visit.prompt.content")
        result = result or _ask("visit.prompt.result")
        contact = contact or _ask("visit.prompt.contact")
    with command_context(write=True) as ctx:
        logged = svc.log_visit(ctx, customer, content=content, result=result, contact=contact, kind=kind, at=at,
                               problems=problems, next_step=next_step, follow_up=follow_up, grade=grade,
                               reason=reason)
        row = svc.visit_row(logged)
        when = ctx.clock.local(logged.visit.at).strftime("%Y-%m-%d %H:%M")
    name = logged.customer.name
    if logged.contact_added:
        render.info(t("visit.msg.contact_added", name=logged.contact.name, customer=name))
    if grade is not None:
        if logged.grade_change is not None:
            render.info(t("visit.msg.regraded", customer=name, before=logged.grade_before, after=logged.grade_change.to_grade))
        else:
            render.info(t("visit.msg.grade_unchanged", customer=name, grade=logged.customer.grade))
    render.emit_id(logged.visit.id, row, fmt_value(format),
                   t("visit.msg.logged", id=logged.visit.id, customer=name, kind=label("visit_kind", row["kind"]),
                     contact=logged.contact.name, at=when))


@app.command("list")
def list_(
    date: DateOpt = None,
    week: WeekOpt = None,
    month: MonthOpt = None,
    since: SinceOpt = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help="Only this customer (id or name).")] = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    limit: LimitOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """List visits, oldest first (by the rep they belong to).

    Example: salesctl visit list --week this --team --format json
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.permissions import resolve_scope
    from salesctl.services.sales import visits as svc

    with command_context() as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        bounds = svc.period_bounds(ctx, day=date, week=week, month=month, since=since)
        rows = svc.visit_rows(ctx, scope, bounds=bounds, customer=customer, limit=limit)
        render.emit_rows(rows, _list_columns(), fmt_value(format), title=t("visit.title.list"))


@app.command("due")
def due(
    days: Annotated[int, typer.Option("--days", min=0, max=DAYS_MAX, help="Also list what falls due in the next N days.")] = 0,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    check: CheckOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Follow-ups due or overdue, and A/B customers without contact for too long.

    Example: salesctl visit due --team --check
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.permissions import resolve_scope
    from salesctl.render import Column
    from salesctl.services.sales import visits as svc

    with command_context() as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        rows = svc.due_rows(ctx, scope, days=days)
    columns = [
        Column("id", kind="int"),
        Column("status", "visit.col.status", kind="enum:due_status"),
        Column("due", "visit.col.due", kind="date"),
        Column("days_overdue", "visit.col.days_overdue", kind="int"),
        Column("kind", "visit.col.due_kind", kind="enum:due_kind"),
        Column("customer", "visit.col.customer"),
        Column("grade", "visit.col.grade"),
        Column("owner", "visit.col.owner"),
        Column("last_contact_at", "visit.col.last_contact_at", kind="datetime"),
        Column("next_step", "visit.col.next_step"),
    ]
    render.emit_rows(rows, columns, fmt_value(format), title=t("visit.title.due"),
                     empty_message=t("visit.msg.nothing_due"))
    overdue = sum(1 for r in rows if r["status"] == "overdue")
    if check and overdue:
        render.info(t("visit.msg.overdue", count=overdue))
        raise typer.Exit(1)
