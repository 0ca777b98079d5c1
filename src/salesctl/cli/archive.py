"""`salesctl archive`: your archive password (set, status) and the Friday pack for cron."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import (
    AllOpt,
    DryRunOpt,
    FormatOpt,
    ManagerOpt,
    MineOpt,
    OutputFormat,
    PasswordFileOpt,
    RepOpt,
    TeamOpt,
)

app = typer.Typer(help="Archive passwords and the Friday archive pack.", no_args_is_help=True)
password_app = typer.Typer(help="Your archive password: set it, see how old it is.", no_args_is_help=True)
app.add_typer(password_app, name="password")


OldPasswordFileOpt = Annotated[Optional[str], typer.Option(
    "--old-password-file", help="File holding your current archive password (needed to change it); else a prompt.")]


@password_app.command("set")
def password_set(password_file: PasswordFileOpt = None, old_password_file: OldPasswordFileOpt = None):
    """Set (or change) your archive password: asked twice without echo at a terminal.

    Changing an existing password needs the current one (--old-password-file or a prompt);
    a forgotten one is reset by your manager with `archive password reset`.

    Example: salesctl archive password set --password-file ~/.salesctl-archive-pw --old-password-file ~/.old-pw
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.security import passwords

    old = None
    if old_password_file is not None:
        old = passwords.obtain_secret(old_password_file, flag="--old-password-file", env="", prompt="")
    else:  # ask for the current one first, and only when there is one (nothing is asked in a transaction)
        with command_context() as ctx:
            has_one = passwords.current(ctx.session, ctx.actor.id) is not None
        if has_one and render.interactive():
            old = passwords.obtain_secret(None, flag="--old-password-file", env="", prompt=t("archive.prompt.old"))
    secret = passwords.obtain_secret(password_file, prompt=t("archive.prompt.new"), confirm=t("archive.prompt.again"))
    passwords.check_strength(secret.value, secret.source)  # before opening the database
    with command_context(write=True) as ctx:
        passwords.set_password(ctx, secret.value, secret.source, old=old)
        handle, today = ctx.actor.handle, ctx.today
        rules = passwords.policy()
    render.info(t("archive.msg.password_set", handle=handle, set_on=today, warn=rules["warn_days"],
                  max=rules["max_days"]))


@password_app.command("reset")
def password_reset(
    handle: Annotated[str, typer.Argument(help="The person whose archive password is reset (in your team).")],
    password_file: PasswordFileOpt = None,
):
    """Reset a team member's forgotten archive password (manager or above; audited).

    Tell the person the new password; they change it with `archive password set`.

    Example: salesctl archive password reset wang.fang --password-file ~/.tmp-pw
    """
    from salesctl import render
    from salesctl.directory import find_staff
    from salesctl.messages import t
    from salesctl.services.security import passwords

    secret = passwords.obtain_secret(password_file, prompt=t("archive.prompt.new"), confirm=t("archive.prompt.again"))
    passwords.check_strength(secret.value, secret.source)
    with command_context(write=True) as ctx:
        person = find_staff(ctx.session, handle)
        passwords.reset_password(ctx, person, secret.value, secret.source)
        today = ctx.today
    render.info(t("archive.msg.password_reset", handle=handle, set_on=today))


@password_app.command("status")
def password_status(
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """When each person's archive password was set, and whether it is due for a change.

    Example: salesctl archive password status --team
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.permissions import resolve_scope
    from salesctl.render import Column
    from salesctl.services.security import passwords

    with command_context() as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        rows = passwords.status_rows(ctx, scope)
    render.emit_rows(rows, [Column("id", "archive.col.id", "int"), Column("handle", "archive.col.handle"),
                            Column("name", "archive.col.person"), Column("set_at", "archive.col.set_at", "datetime"),
                            Column("age_days", "archive.col.age_days", "int"),
                            Column("state", "archive.col.state", "enum:pwstate")],
                     fmt_value(format), title=t("archive.title.passwords"))


@app.command("friday")
def friday(
    password_file: PasswordFileOpt = None,
    dry_run: DryRunOpt = False,
    send: Annotated[bool, typer.Option("--send", help="Also mail the encrypted pack to the GM and your manager.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """Write your weekly pack (encrypted) and its manifest into the archive folder: for your own Friday cron job.
    With --send it is mailed (encrypted, never the password) to the general manager and your manager.

    Example: salesctl archive friday --send --password-file ~/.salesctl-archive-pw   (cron: 0 16 * * 5)
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.permissions import resolve_scope
    from salesctl.services.security import archive as svc
    from salesctl.services.security import passwords

    # the file must be private (checked first: a readable password file is already a leak)
    secret = passwords.obtain_secret(password_file, prompt=t("archive.prompt.password", handle=""))
    folder = svc.friday_folder(create=not dry_run)
    with command_context(write=not dry_run) as ctx:
        period = svc.resolve_period(ctx, None, None)
        xlsx_name, manifest_name = svc.friday_names(ctx.actor.handle, period)
        target = folder / xlsx_name
        scope = resolve_scope(ctx, mine=True)
        if dry_run:
            age = passwords.require_author_password(ctx, secret)
            result = svc.preview(ctx, scope, period, target)
            result["warning"] = passwords.warning_for(age)
        else:
            result = svc.export_archive(ctx, scope, period, target, secret, encrypt=True, action="archive.friday")
            svc.write_manifest(folder / manifest_name, result)
    result["manifest"] = str(folder / manifest_name)
    if result.get("warning"):
        render.warn(result["warning"])
    shown = {k: v for k, v in result.items() if k != "warning"}
    if fmt_value(format) == "json":
        render.emit_object(shown, "json")
    else:
        render.write(f"{target}\n")
    key = "archive.msg.friday_dry" if dry_run else "archive.msg.friday"
    render.info(t(key, path=target, manifest=folder / manifest_name, customers=result["rows"]["customers"],
                  highlighted=result["highlighted"], new=result["new"], changed=result["changed"],
                  period=result["period"]))
    if send and not dry_run:
        _send_pack(result, target)


def _send_pack(result: dict, target) -> None:
    """archive friday --send (issue 21): after the pack is written, so a mail failure never loses it."""
    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.teamwork import handoffs

    with command_context(write=True) as ctx:
        sent = handoffs.send_archive(ctx, result, target)
    errors = [row["error"] for row in sent if "error" in row]
    done = [f"{row['handle']} <{row['email']}>" for row in sent if "error" not in row]
    if done:
        render.info(t("notify.msg.archive_sent", recipients=", ".join(done)))
    if errors:
        raise InvalidInput(errors[0])
