"""`salesctl inbox`: what waits on you — complaints, pending claims, reports to review, overdue actions."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import CheckOpt, FormatOpt, OutputFormat


def register(root: typer.Typer) -> None:
    root.command("inbox")(inbox)


def inbox(
    kind: Annotated[Optional[list[str]], typer.Option("--kind", help="Only this kind: complaint, claim, report or action (repeatable).")] = None,
    check: CheckOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Show what waits on you, with counts per kind: complaints escalated to you, claims and
    reports of your team to decide, overdue meeting actions.

    Example: salesctl inbox --format json
    """
    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.teamwork import inbox as svc

    kinds = tuple(k.strip().lower() for k in kind) if kind else svc.KINDS
    for k in kinds:
        if k not in svc.KINDS:
            raise InvalidInput(t("inbox.err.bad_kind", value=k, accepted=", ".join(svc.KINDS)))
    columns = [
        Column("kind", "inbox.col.kind", kind="enum:inbox.kind"),
        Column("id", "inbox.col.id", kind="int"),
        Column("customer", "inbox.col.customer"),
        Column("text", "inbox.col.text"),
        Column("since", "inbox.col.since", kind="datetime"),
    ]
    with command_context() as ctx:
        rows = svc.inbox_rows(ctx, kinds)
        handle = ctx.actor.handle
    counts = svc.counts(rows)
    render.emit_rows(rows, columns, fmt_value(format), title=t("inbox.title", handle=handle),
                     empty_message=t("inbox.empty"))
    render.info(t("inbox.counts", **counts))
    if check and rows:
        raise typer.Exit(1)
