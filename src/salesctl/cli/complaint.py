"""`salesctl complaint`: customer complaints (客户投诉), escalated to the manager chain and the director."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value, read_text_option
from salesctl.cli.options import CheckOpt, FormatOpt, OutputFormat
from salesctl.cli.options import DAYS_MAX, ID_MAX  # noqa: F401

app = typer.Typer(help="Customer complaints: record, escalate, follow through to the satisfaction check.",
                  no_args_is_help=True)

NoteOpt = Annotated[Optional[str], typer.Option("--note", help="What was done or decided.")]


def _columns(long: bool = False):
    from salesctl.render import Column

    columns = [
        Column("id", "complaint.col.id", kind="int"),
        Column("customer", "complaint.col.customer"),
        Column("owner", "complaint.col.owner"),
        Column("severity", "complaint.col.severity", kind="enum:complaint.severity"),
        Column("status", "complaint.col.status", kind="enum:complaint.status"),
        Column("overdue", "complaint.col.overdue", kind="bool"),
        Column("text", "complaint.col.text"),
        Column("escalated_to", "complaint.col.escalated_to"),
        Column("created_at", "complaint.col.created_at", kind="datetime"),
        Column("last_update_at", "complaint.col.last_update_at", kind="datetime"),
    ]
    if long:
        columns += [
            Column("channel", "complaint.col.channel", kind="enum:complaint.channel"),
            Column("reported_by", "complaint.col.reported_by"),
            Column("about", "complaint.col.about"),
            Column("resolution", "complaint.col.resolution"),
            Column("satisfaction", "complaint.col.satisfaction", kind="int"),
            Column("hours_since_update", "complaint.col.hours_since_update"),
        ]
    return columns


def _emit_change(ctx_result, fmt: str) -> None:
    from salesctl import render
    from salesctl.messages import label, t

    complaint, before, detail = ctx_result
    if fmt == "json":
        render.emit_object(detail, "json")
    else:
        render.write(f"{complaint.id}\n")
    if before == complaint.status:
        render.info(t("complaint.noted", id=complaint.id))
    else:
        render.info(t("complaint.changed", id=complaint.id, before=label("complaint.status", before),
                      after=label("complaint.status", complaint.status)))


def _step(complaint_id: int, status: Optional[str], note: Optional[str], fmt: str, *,
          resolution: Optional[str] = None, satisfaction: Optional[int] = None) -> None:
    from salesctl.services.teamwork import complaints as svc

    with command_context(write=True) as ctx:
        complaint, before = svc.change_status(ctx, complaint_id, status, note=note, resolution=resolution,
                                      satisfaction=satisfaction)
        detail = svc.complaint_detail(ctx, complaint.id)
    _emit_change((complaint, before, detail), fmt)


@app.command("add")
def add(
    customer: Annotated[str, typer.Argument(help="Customer id or name.")],
    text: Annotated[Optional[str], typer.Option("--text", help="What the customer complained about.")] = None,
    text_file: Annotated[Optional[str], typer.Option("--text-file", help="The complaint text from a file ('-' = stdin).")] = None,
    severity: Annotated[Optional[str], typer.Option("--severity", help="low, normal (default), high or critical.")] = None,
    channel: Annotated[Optional[str], typer.Option("--channel", help="phone, visit, email or other (default).")] = None,
    about: Annotated[Optional[str], typer.Option("--about", help="The staff member complained about (handle).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Record a customer complaint; it goes at once to every manager above the customer's owner and to the director.

    Example: salesctl complaint add 华东医疗 --text "发货延迟两周" --severity high --channel phone
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.teamwork import complaints as svc

    body = read_text_option(text, text_file, "text")
    with command_context(write=True) as ctx:
        result = svc.add_complaint(ctx, customer, text=body, severity=severity, channel=channel, about=about)
        detail = svc.complaint_detail(ctx, result.complaint.id)
    targets = ", ".join(p.handle for p in result.targets) or "-"
    render.emit_id(result.complaint.id, detail, fmt_value(format),
                   t("complaint.added", id=result.complaint.id, customer=result.customer.name, targets=targets))


@app.command("list")
def list_(
    open_: Annotated[bool, typer.Option("--open", help="Only those not finished (open, in progress, resolved).")] = False,
    status: Annotated[Optional[str], typer.Option("--status", help="Only this status.")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help="Only this customer (id or name).")] = None,
    long: Annotated[bool, typer.Option("--long", help="More columns in the table.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """List the complaints you may see (escalated to you, on your or your team's customers, recorded by you).

    Example: salesctl complaint list --open --format json
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.teamwork import complaints as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        rows = svc.complaint_rows(ctx, open_only=open_, status=status, customer=customer)
        render.emit_rows(rows, _columns(long or fmt != "table"), fmt, title=t("complaint.title.list"))


@app.command("show")
def show(
    complaint_id: Annotated[int, typer.Argument(min=1, max=ID_MAX, help="Complaint id.")],
    format: FormatOpt = OutputFormat.table,
):
    """Show one complaint with every step: who, when, from which status to which, and the note.

    Example: salesctl complaint show 4
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.teamwork import complaints as svc

    with command_context() as ctx:
        detail = svc.complaint_detail(ctx, complaint_id)
    fmt = fmt_value(format)
    if fmt == "json":
        render.emit_object(detail, "json")
        return
    render.emit_object(detail, fmt, columns=_columns(long=True))
    if fmt != "csv":
        render.emit_rows(detail["events"], [
            Column("at", "complaint.col.at", kind="datetime"), Column("by", "complaint.col.by"),
            Column("from", "complaint.col.from", kind="enum:complaint.status"),
            Column("to", "complaint.col.to", kind="enum:complaint.status"), Column("note", "complaint.col.note"),
        ], fmt, title=t("complaint.title.events"))


@app.command("update")
def update(
    complaint_id: Annotated[int, typer.Argument(min=1, max=ID_MAX, help="Complaint id.")],
    status: Annotated[Optional[str], typer.Option("--status", help="in_progress, rejected or duplicate (resolve/close have their own commands).")] = None,
    note: NoteOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Move a complaint along its workflow, or add a note (either resets the overdue clock).

    open → in_progress → resolved → closed; rejected/duplicate from open or in_progress;
    resolved → in_progress reopens it.

    Example: salesctl complaint update 4 --status in_progress --note "已联系客户，安排补发"
    """
    _step(complaint_id, status, note, fmt_value(format))


@app.command("resolve")
def resolve(
    complaint_id: Annotated[int, typer.Argument(min=1, max=ID_MAX, help="Complaint id.")],
    resolution: Annotated[Optional[str], typer.Option("--resolution", help="How it was resolved (required).")] = None,
    note: NoteOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Mark a complaint in progress as resolved, with the resolution.

    Example: salesctl complaint resolve 4 --resolution "已补发货物并致歉"
    """
    from salesctl.errors import InvalidInput
    from salesctl.messages import t

    if not (resolution and resolution.strip()):
        raise InvalidInput(t("complaint.err.resolution_missing"))
    _step(complaint_id, "resolved", note, fmt_value(format), resolution=resolution)


@app.command("close")
def close(
    complaint_id: Annotated[int, typer.Argument(min=1, max=ID_MAX, help="Complaint id.")],
    satisfaction: Annotated[Optional[str], typer.Option("--satisfaction", help="The customer's satisfaction, 1-5 (required).")] = None,
    note: NoteOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Close a resolved complaint with the customer's satisfaction (客户满意度调查, 1-5).

    Example: salesctl complaint close 4 --satisfaction 4 --note "客户表示满意"
    """
    from salesctl.services.teamwork import complaints as svc

    score = svc.parse_satisfaction(satisfaction)
    _step(complaint_id, "closed", note, fmt_value(format), satisfaction=score)


@app.command("overdue")
def overdue(
    check: CheckOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """List complaints open or in progress with no update for the policy's hours (per severity).

    Example: salesctl complaint overdue --check
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.teamwork import complaints as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        rows = svc.complaint_rows(ctx, overdue=True)
        count = render.emit_rows(rows, _columns(long=fmt != "table"), fmt, title=t("complaint.title.overdue"),
                                 empty_message=t("complaint.none_overdue"))
    if count:
        render.info(t("complaint.overdue_found", count=count))
    if check and count:
        raise typer.Exit(1)
