"""`salesctl meeting`: the weekly Monday meeting (例会): minutes, action items, carry-over, agenda."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import DefaultChangeGroup, command_context, fmt_value, read_text_option
from salesctl.cli.options import DateOpt, FormatOpt, LimitOpt, OutputFormat, SinceOpt
from salesctl.cli.options import DAYS_MAX, ID_MAX  # noqa: F401

app = typer.Typer(help="The weekly meeting: minutes, action items followed to closure, agenda.", no_args_is_help=True)
action_app = typer.Typer(cls=DefaultChangeGroup,
                         help="One action item: mark it done, or correct it (ID --reassign/--due/--cancel).")
app.add_typer(action_app, name="action")

TeamManagerOpt = Annotated[Optional[str], typer.Option("--manager", help="That manager's team (default: your own team).")]
CustomerOpt = Annotated[Optional[str], typer.Option(
    "--customer", help="The customer the minutes' actions are about (name or id), unless a line says `(customer: NAME)`.")]


def _action_columns():
    from salesctl.render import Column

    return [
        Column("id", "meeting.col.id", kind="int"),
        Column("meeting_date", "meeting.col.meeting_date", kind="date"),
        Column("owner", "meeting.col.owner"),
        Column("text", "meeting.col.text"),
        Column("due", "meeting.col.due", kind="date"),
        Column("status", "meeting.col.status", kind="enum:meeting.action_status"),
        Column("overdue", "meeting.col.overdue", kind="bool"),
        Column("done_at", "meeting.col.done_at", kind="datetime"),
        Column("note", "meeting.col.note"),
        Column("carried_from", "meeting.col.carried_from", kind="int"),
        Column("meeting_id", "meeting.col.meeting_id", kind="int"),
        Column("customer", "meeting.col.customer"),
    ]


def _action_line(row: dict) -> str:
    from salesctl.messages import label, t

    # no `[ ]` checkbox: pasted into next week's minutes, these lines must not become new actions
    due = f" (due {row['due'].isoformat()})" if row["due"] else ""
    status = "" if row["status"] == "open" else f" — {label('meeting.action_status', row['status'])}"
    overdue = f" — {t('meeting.col.overdue')}" if row["overdue"] else ""
    about = f" ({t('mtgedit.customer', name=row['customer'])})" if row.get("customer") else ""
    return f"- #{row['id']} @{row['owner']} {row['text']}{about}{due}{status}{overdue}"


def _meeting_text(detail: dict) -> str:
    from salesctl.messages import t
    from salesctl.render import cell

    lines = [f"# {t('meeting.heading', id=detail['id'], when=cell(detail['held_at'], 'datetime'), team=detail['team'], chair=detail['chair'])}"]
    if detail.get("recorded_by"):
        lines.append(t("meeting.recorded_by", handle=detail["recorded_by"]))
    if detail.get("cancelled_at"):
        lines.append(t("mtgedit.cancelled_line", when=cell(detail["cancelled_at"], "datetime"),
                       handle=detail["cancelled_by"] or "-", reason=detail["cancel_reason"] or ""))
    lines += ["", f"## {t('meeting.followup')}", ""]
    lines += [_action_line(r) for r in detail["carried"]] or [t("meeting.nothing")]
    lines += ["", f"## {t('meeting.minutes')}", ""]
    lines.append(detail["minutes"].rstrip() if detail["minutes"].strip() else t("meeting.nothing"))
    lines += ["", f"## {t('meeting.new_actions')}", ""]
    lines += [_action_line(r) for r in detail["actions"]] or [t("meeting.nothing")]
    return "\n".join(lines) + "\n"


@app.command("new")
def new(
    date: DateOpt = None,
    chair: Annotated[Optional[str], typer.Option("--chair", help="Who chaired (default: the team's manager).")] = None,
    minutes: Annotated[Optional[str], typer.Option("--minutes", help="The minutes as text (markdown).")] = None,
    minutes_file: Annotated[Optional[str], typer.Option("--minutes-file", help="The minutes from a markdown file ('-' = stdin).")] = None,
    manager: TeamManagerOpt = None,
    customer: CustomerOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Record the week's meeting; `- [ ] @handle text (due 2026-12-04)` lines become action items.

    The meeting is at the policy's weekday and time (Monday 17:00) in the week of --date
    (default: this week). Every action still open from the team's earlier meetings is
    carried over into this one. An action line ending `(customer: NAME)` is about that
    customer and follows its owner when the customer changes hands. Owners must be in the
    meeting's team (or be its chair).

    Example: salesctl meeting new --minutes-file minutes-2026-11-30.md
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.periods import parse_date
    from salesctl.services.teamwork import meetings as svc

    text = read_text_option(minutes, minutes_file, "minutes")
    field = "--minutes-file" if minutes_file is not None else "--minutes"
    with command_context(write=True) as ctx:
        day = parse_date(date, "date", ctx.today) if date else None
        result = svc.create_meeting(ctx, day=day, chair=chair, manager=manager, minutes=text, field=field,
                                    customer=customer)
        detail = svc.meeting_detail(ctx, str(result.meeting.id))
    message = t("meeting.created", id=result.meeting.id, team=result.team.handle,
                when=render.cell(result.meeting.held_at, "datetime"), chair=result.chair.handle,
                actions=len(result.actions), carried=len(result.carried))
    render.emit_id(result.meeting.id, detail, fmt_value(format), message)


@app.command("show")
def show(
    meeting_id: Annotated[Optional[str], typer.Argument(help="Meeting id (default: your team's latest).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Show a meeting: carried-over actions first, then the minutes and the new action items.

    Example: salesctl meeting show 12 --format markdown
    """
    from salesctl import render
    from salesctl.services.teamwork import meetings as svc

    with command_context() as ctx:
        detail = svc.meeting_detail(ctx, meeting_id)
    if fmt_value(format) == "json":
        render.emit_object(detail, "json")
    elif fmt_value(format) == "csv":
        render.emit_rows(detail["carried"] + detail["actions"], _action_columns(), "csv")
    else:
        render.write(_meeting_text(detail))


@app.command("list")
def list_(
    manager: TeamManagerOpt = None,
    since: SinceOpt = None,
    limit: LimitOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """List the meetings you may see (your teams' and the teams below you), newest first.

    A cancelled meeting stays listed, with status cancelled.

    Example: salesctl meeting list --since 2026-10-01
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.periods import parse_date
    from salesctl.render import Column
    from salesctl.services.teamwork import meetings as svc

    columns = [
        Column("id", "meeting.col.id", kind="int"),
        Column("held_at", "meeting.col.held_at", kind="datetime"),
        Column("team", "meeting.col.team"),
        Column("chair", "meeting.col.chair"),
        Column("actions", "meeting.col.actions", kind="int"),
        Column("open_actions", "meeting.col.open_actions", kind="int"),
        Column("carried_over", "meeting.col.carried_over", kind="int"),
        Column("status", "meeting.col.status_meeting", kind="enum:meeting.status"),
    ]
    with command_context() as ctx:
        start = parse_date(since, "since", ctx.today) if since else None
        render.emit_rows(svc.meeting_rows(ctx, manager=manager, since=start, limit=limit), columns,
                         fmt_value(format), title=t("meeting.title.list"))


@app.command("edit")
def edit(
    meeting_id: Annotated[str, typer.Argument(help="Meeting id (see `meeting list`).")],
    minutes: Annotated[Optional[str], typer.Option("--minutes", help="The corrected minutes as text (markdown).")] = None,
    minutes_file: Annotated[Optional[str], typer.Option("--minutes-file", help="The corrected minutes from a markdown file ('-' = stdin).")] = None,
    chair: Annotated[Optional[str], typer.Option("--chair", help="Who chaired.")] = None,
    customer: CustomerOpt = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (kept in the audit log; the reason of actions cancelled).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Correct a meeting's minutes or chair (the team's manager or above).

    New minutes replace the old: an action line still there keeps its action (its due date,
    customer and `[x]` are updated), a new line adds an action, and an open action whose
    line is gone is cancelled. Done actions stay done. A cancelled meeting cannot be edited.

    Example: salesctl meeting edit 12 --minutes-file minutes-2026-11-30.md
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.teamwork import meetings as svc
    from salesctl.services.teamwork.meeting_edit import edit_meeting

    text = read_text_option(minutes, minutes_file, "minutes") if (minutes is not None or minutes_file is not None) else None
    field = "--minutes-file" if minutes_file is not None else "--minutes"
    with command_context(write=True) as ctx:
        changes = edit_meeting(ctx, meeting_id, minutes=text, chair=chair, customer=customer, reason=reason, field=field)
        detail = svc.meeting_detail(ctx, str(changes["id"]))
    render.emit_id(changes["id"], detail, fmt_value(format),
                   t("mtgedit.msg.edited", id=changes["id"], added=len(changes["added"]),
                     changed=len(changes["changed"]), cancelled=len(changes["cancelled"])))


@app.command("cancel")
def cancel(
    meeting_id: Annotated[str, typer.Argument(help="Meeting id (see `meeting list`).")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why it is cancelled (required).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Cancel a meeting recorded by mistake or not held (the team's manager or above).

    The meeting stays in `meeting list/show`, marked cancelled, but is not the team's meeting
    of its week: that week's meeting can be recorded again. Its open actions are cancelled
    and the actions it carried over return to the meeting they came from.

    Example: salesctl meeting cancel 12 --reason "记错了周次"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.teamwork import meetings as svc
    from salesctl.services.teamwork.meeting_edit import cancel_meeting

    with command_context(write=True) as ctx:
        result = cancel_meeting(ctx, meeting_id, reason=reason)
        detail = svc.meeting_detail(ctx, str(result["id"]))
    render.emit_id(result["id"], detail, fmt_value(format),
                   t("mtgedit.msg.cancelled", id=result["id"], cancelled=len(result["cancelled"]),
                     returned=len(result["returned"])))


@app.command("actions")
def actions(
    open_: Annotated[bool, typer.Option("--open", help="Only actions not done (carried ones count once).")] = False,
    owner: Annotated[Optional[str], typer.Option("--owner", help="Only this person's actions (handle).")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open actions past their due date.")] = False,
    meeting: Annotated[Optional[int], typer.Option("--meeting", min=1, max=ID_MAX, help="Only this meeting's actions (id).")] = None,
    manager: TeamManagerOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """List action items from the meetings you may see, by due date.

    Status is open, done, or carried (moved to a later meeting, where it is open again).

    Example: salesctl meeting actions --open --owner wang.fang
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.teamwork import meetings as svc

    with command_context() as ctx:
        rows = svc.action_rows(ctx, open_only=open_, overdue=overdue, owner=owner, meeting_id=meeting, manager=manager)
        render.emit_rows(rows, _action_columns(), fmt_value(format), title=t("meeting.title.actions"))


@action_app.command("done")
def action_done(
    action_id: Annotated[int, typer.Argument(min=1, max=ID_MAX, help="Action item id (see `meeting actions`).")],
    note: Annotated[Optional[str], typer.Option("--note", help="How it was resolved.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Mark an action item done (a carried item closes its open copy).

    Example: salesctl meeting action done 17 --note "报价已发给客户"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.teamwork import meetings as svc

    with command_context(write=True) as ctx:
        item, asked = svc.mark_done(ctx, action_id, note)
        row = svc.action_detail(ctx, item.id)
    if fmt_value(format) == "json":
        render.emit_object(row, "json")
    else:
        render.write(f"{item.id}\n")
    if asked != item.id:
        render.info(t("meeting.action_done_carried", asked=asked, id=item.id))
    else:
        render.info(t("meeting.action_done", id=item.id))


@action_app.command("change")
def action_change(
    action_id: Annotated[int, typer.Argument(min=1, max=ID_MAX, help="Action item id (see `meeting actions`).")],
    reassign: Annotated[Optional[str], typer.Option("--reassign", help="Give it to someone else in the team.")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="A new due date.")] = None,
    cancel: Annotated[bool, typer.Option("--cancel", help="Cancel it (with --reason).")] = False,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why it is cancelled.")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help="The customer it is about (name or id; 'none' unlinks).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Correct an action item: another owner in the team, another due date, the customer it is about, or cancel it.

    Example: salesctl meeting action 17 --reassign li.na --due 2026-12-11
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.teamwork import meetings as svc
    from salesctl.services.teamwork.action_edit import change_action

    with command_context(write=True) as ctx:
        item = change_action(ctx, action_id, reassign=reassign, due=due, cancel=cancel, reason=reason, customer=customer)
        row = svc.action_detail(ctx, item.id)
    if fmt_value(format) == "json":
        render.emit_object(row, "json")
    else:
        render.write(f"{item.id}\n")
    if cancel:
        render.info(t("handbook.msg.action_cancelled", id=item.id))
    else:
        render.info(t("handbook.msg.action_changed", id=item.id, owner=row["owner"], due=row["due"] or "-"))


@app.command("agenda")
def agenda(
    date: Annotated[Optional[str], typer.Option("--date", help="A day in the meeting's week (default: the coming meeting).")] = None,
    manager: TeamManagerOpt = None,
    format: FormatOpt = OutputFormat.markdown,
):
    """Draft the coming meeting's agenda from the data: open actions, the week's numbers,
    pending claims, open complaints, missing daily reports.

    Example: salesctl meeting agenda > agenda.md
    """
    from salesctl import render
    from salesctl.periods import parse_date
    from salesctl.services.teamwork import meetings as svc

    with command_context() as ctx:
        day = parse_date(date, "date", ctx.today) if date else None
        data = svc.agenda(ctx, manager=manager, day=day)
    if fmt_value(format) == "json":
        render.emit_object(data, "json")
        return
    if fmt_value(format) == "csv":
        render.emit_rows(data["open_actions"], _action_columns(), "csv")
        return
    render.write(_agenda_text(data))


def _agenda_text(data: dict) -> str:
    from salesctl.messages import label, t
    from salesctl.money import display
    from salesctl.render import cell

    h = data["headline"]
    lines = [f"# {t('meeting.agenda.title', team=data['team'], day=data['meeting_date'].isoformat(), time=data['time'])}", ""]
    lines += [f"## 1. {t('meeting.followup')}", ""]
    lines += [_action_line(r) for r in data["open_actions"]] or [t("meeting.nothing")]
    lines += ["", f"## 2. {t('meeting.agenda.week', week=data['week'])}", ""]
    lines += [
        f"- {t('meeting.agenda.visits')}: {h['visits']}",
        f"- {t('meeting.agenda.new_customers')}: {h['new_customers']}",
        f"- {t('meeting.agenda.deals_won')}: {h['deals_won']} ({display(h['won_amount'])})",
        f"- {t('meeting.agenda.payments')}: {h['payments']} ({display(h['payment_amount'])})",
    ]
    lines += ["", f"## 3. {t('meeting.agenda.claims')}", ""]
    lines += [f"- #{c['id']} {c['customer']} — @{c['requested_by']} ({cell(c['at'], 'datetime')})"
              + (f": {c['need']}" if c["need"] else "") for c in data["pending_claims"]] or [t("meeting.nothing")]
    lines += ["", f"## 4. {t('meeting.agenda.complaints')}", ""]
    lines += [f"- #{c['id']} {c['customer']} (@{c['owner'] or '-'}, {label('complaint.severity', c['severity'])}, "
              f"{label('complaint.status', c['status'])}): {c['text']}" for c in data["open_complaints"]] or [t("meeting.nothing")]
    lines += ["", f"## 5. {t('meeting.agenda.missing')}", ""]
    lines += [f"- @{m['handle']} {m['name']}: {m['missing']} ({', '.join(d.isoformat() for d in m['days'])})"
              for m in data["missing_reports"]] or [t("meeting.nothing")]
    lines += ["", f"## 6. {t('meeting.agenda.other')}", "", ""]
    return "\n".join(lines)
