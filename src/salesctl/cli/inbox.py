"""`salesctl inbox`: what waits on you — for every role — and `inbox done KEY` to hide a notice."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import CheckOpt, FormatOpt, OutputFormat

app = typer.Typer(help="What waits on you; `inbox done KEY` hides a notice.", invoke_without_command=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="inbox")


@app.callback()
def inbox(
    typer_ctx: typer.Context,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", help="Only this kind (repeatable): complaint, claim, report, action, claim_decided, claim_against, lead, comment, followup, missing, recall.")] = None,
    check: CheckOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Show what waits on you, with counts per kind. A rep sees decisions on their claims, claims on
    their customers, leads assigned to them, comments on their reports, follow-ups due, their missing
    reports, recall warnings, complaints and meeting actions; a manager also the team's reports and
    claims to decide and overdue actions; the director and GM their escalations.

    Example: salesctl inbox --format json
    """
    if typer_ctx.invoked_subcommand is not None:
        return
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.teamwork import inbox as svc

    kinds = svc.check_kinds(kind)
    columns = [
        Column("kind", "inbox.col.kind", kind="enum:inbox.kind"),
        Column("id", "inbox.col.id", kind="int"),
        Column("customer", "inbox.col.customer"),
        Column("text", "inbox.col.text"),
        Column("since", "inbox.col.since", kind="datetime"),
        Column("key", "inbox.col.key"),
    ]
    with command_context() as ctx:
        rows = svc.inbox_rows(ctx, kinds)
        handle = ctx.actor.handle
    render.emit_rows(rows, columns, fmt_value(format), title=t("inbox.title", handle=handle),
                     empty_message=t("inbox.empty"))
    render.info(svc.counts_text(rows))
    if check and rows:
        raise typer.Exit(1)


@app.command("done")
def done(key: Annotated[str, typer.Argument(help="The item's key, as `salesctl inbox` shows it (e.g. comment:12).")]):
    """Hide a notice (a claim decision, a report comment, a recall warning) from your inbox and from
    notifications. Other items leave the inbox when the thing is done.

    Example: salesctl inbox done comment:12
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.teamwork import inbox as svc

    with command_context(write=True) as ctx:
        result = svc.dismiss(ctx, key)
    render.info(t("inbox.msg.done", key=result["key"]))
