"""`salesctl attach`: files on customers, visits, deals, contracts and complaints, stored encrypted."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import FormatOpt, OutputFormat

app = typer.Typer(help="Files on customers, visits, deals, contracts, complaints (stored encrypted).", no_args_is_help=True)

EntityArg = Annotated[str, typer.Argument(metavar="ENTITY", help="customer, visit, deal, contract or complaint.")]
RecordArg = Annotated[str, typer.Argument(metavar="ID", help="The record's id (a customer also by name).")]
AttachmentArg = Annotated[str, typer.Argument(metavar="ATTACHMENT", help="Attachment id.")]


def _columns():
    from salesctl.render import Column

    return [
        Column("id", kind="int"),
        Column("filename", "attach.col.filename"),
        Column("content_type", "attach.col.content_type"),
        Column("size", "attach.col.size", kind="int"),
        Column("added_by", "attach.col.added_by"),
        Column("added_at", "attach.col.added_at", kind="datetime"),
        Column("note", "deal.col.note"),
        Column("removed", "attach.col.removed", kind="bool"),
    ]


@app.command("add")
def add(
    entity: EntityArg,
    record: RecordArg,
    file: Annotated[str, typer.Argument(metavar="FILE", help="The file to keep.")],
    note: Annotated[Optional[str], typer.Option("--note", help="What it is, e.g. 报价单.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Keep a file on a record, encrypted (type detected from its bytes; programs refused).

    Example: salesctl attach add customer 12 报价单.pdf --note "quote v2"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.security import attachments as svc

    with command_context(write=True) as ctx:
        done = svc.add_attachment(ctx, entity, record, file, note=note)
    row = done.row
    render.emit_id(row["id"], row, fmt_value(format),
                   t("attach.msg.added", id=row["id"], file=row["filename"], type=row["content_type"], size=row["size"],
                     entity=row["entity"], record=row["entity_id"]))
    if done.deduplicated:
        render.info(t("attach.msg.dedup"))


@app.command("list")
def list_(
    entity: EntityArg,
    record: RecordArg,
    removed: Annotated[bool, typer.Option("--removed", help="Include removed ones (managers, director, gm).")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """The files kept on a record.

    Example: salesctl attach list deal 7
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.security import attachments as svc

    with command_context() as ctx:
        rows = svc.list_attachments(ctx, entity, record, removed=removed)
    render.emit_rows(rows, _columns(), fmt_value(format), title=t("attach.title.list", entity=entity, id=record),
                     empty_message=t("attach.empty"))


@app.command("get")
def get(
    attachment: AttachmentArg,
    out: Annotated[Optional[str], typer.Option("--out", help="Where to write it (a new file, or a folder).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """Decrypt a file to --out (audited).

    Example: salesctl attach get 3 --out ~/Desktop/
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.security import attachments as svc

    with command_context(write=True) as ctx:
        got = svc.get_attachment(ctx, attachment, out, force=force)
    svc.write_out(got)  # after the audit entry is committed
    row = got.row
    render.emit_id(row["id"], row, fmt_value(format), t("attach.msg.got", id=row["id"], path=row["out"]))


@app.command("remove")
def remove(
    attachment: AttachmentArg,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (required).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Hide a file (kept for the audit; managers can still get it).

    Example: salesctl attach remove 3 --reason "wrong customer"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.security import attachments as svc

    with command_context(write=True) as ctx:
        row = svc.remove_attachment(ctx, attachment, reason=reason)
    render.emit_id(row["id"], row, fmt_value(format), t("attach.msg.removed", id=row["id"]))
