"""`salesctl notify`: deliver everyone's new inbox items (cron), the queue, extra channels."""

from __future__ import annotations

from typing import Annotated

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import DryRunOpt, FormatOpt, OutputFormat

app = typer.Typer(help="E-mail and group-robot notifications: send, status, subscribe.", no_args_is_help=True)


@app.command("send")
def send(dry_run: DryRunOpt = False, format: FormatOpt = OutputFormat.table):
    """Deliver each person's new inbox items, one message per person and channel (for cron, every 15
    minutes). Failed deliveries are retried on later runs with backoff; nothing is sent twice. In quiet
    hours ([notify] in the policy) only urgent items go out. Exits 1 when a delivery failed.

    Example: */15 * * * * SALESCTL_USER=zhao.min salesctl notify send
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.teamwork import notify as svc

    with command_context(write=not dry_run) as ctx:
        result = svc.send(ctx, dry_run=dry_run)
        rules = svc.policy()
    columns = [Column("handle", "notify.col.handle"), Column("channel", "notify.col.channel"),
               Column("items", "notify.col.items", "int"), Column("result", "notify.col.status", "enum:notify.status"),
               Column("subject", "notify.col.subject")]
    fmt = fmt_value(format)
    if fmt == "json":
        render.emit_object({"messages": result.messages, "sent": result.sent, "failed": result.failed,
                            "items": result.items, "waiting": result.waiting, "quiet": result.quiet}, "json")
    else:
        render.emit_rows(result.messages, columns, fmt, title=t("notify.title.status"), empty_message=t("notify.empty"))
    if result.quiet:
        render.info(t("notify.msg.quiet", start=rules["quiet_start"], end=rules["quiet_end"]))
    if dry_run:
        render.info(t("notify.msg.dry", messages=len(result.messages), items=result.items))
    else:
        render.info(t("notify.msg.sent", sent=result.sent, items=result.items, failed=result.failed,
                      waiting=result.waiting))
    for message in result.messages:
        if message.get("error"):
            render.warn(message["error"])
    if result.failed:
        raise typer.Exit(1)


@app.command("status")
def status(format: FormatOpt = OutputFormat.table):
    """The queue (items waiting per person and channel, failures and their next try) and the last
    deliveries. The director and GM see everyone's; others their own.

    Example: salesctl notify status
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.teamwork import notify as svc

    with command_context() as ctx:
        queue = svc.status_rows(ctx)
        log = svc.log_rows(ctx)
    fmt = fmt_value(format)
    if fmt == "json":
        render.emit_object({"queue": queue, "log": log}, "json")
        return
    render.emit_rows(queue, [Column("handle", "notify.col.handle"), Column("channel", "notify.col.channel"),
                             Column("items", "notify.col.items", "int"),
                             Column("status", "notify.col.status", "enum:notify.status"),
                             Column("attempts", "notify.col.attempts", "int"),
                             Column("next_try", "notify.col.next_try", "datetime"),
                             Column("error", "notify.col.error")],
                     fmt, title=t("notify.title.status"), empty_message=t("notify.empty"))
    render.emit_rows(log, [Column("at", "notify.col.at", "datetime"), Column("handle", "notify.col.handle"),
                           Column("channel", "notify.col.channel"), Column("purpose", "notify.col.purpose"),
                           Column("items", "notify.col.items", "int"),
                           Column("status", "notify.col.status", "enum:notify.status"),
                           Column("error", "notify.col.error")],
                     fmt, title=t("notify.title.log"), empty_message="")


@app.command("subscribe")
def subscribe(
    handle: Annotated[str, typer.Argument(help="Whose notifications (you, or someone in your team).")],
    url: Annotated[str, typer.Argument(help="An Apprise URL: dingtalk://TOKEN, wecombot://KEY, feishu://TOKEN, "
                                            "json://HOST:PORT/PATH, mailto://…")],
    format: FormatOpt = OutputFormat.table,
):
    """Also deliver a person's notifications to a channel, e.g. the team's group robot.

    Example: salesctl notify subscribe zhang.wei dingtalk://TOKEN
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.teamwork import delivery
    from salesctl.services.teamwork import notify as svc

    with command_context(write=True) as ctx:
        channel = svc.subscribe(ctx, handle, url)
        row = {"id": channel.id, "handle": handle, "scheme": channel.scheme, "channel": delivery.redact_url(channel.url)}
    render.emit_id(row["id"], row, fmt_value(format),
                   t("notify.msg.subscribed", handle=handle, channel=row["channel"], id=row["id"]))
