"""`salesctl customer archive`: export the archive pack (encrypted .xlsx, the period's additions highlighted) and open one.

Mounted under `salesctl customer` by cli/customer.py.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import (
    AllOpt,
    FormatOpt,
    ManagerOpt,
    MineOpt,
    NoEncryptOpt,
    OutputFormat,
    PasswordFileOpt,
    RepOpt,
    SinceOpt,
    TeamOpt,
    UnderstandUnencryptedOpt,
    WeekOpt,
)

app = typer.Typer(help="The customer archive pack (客户档案): export an encrypted .xlsx, open one.",
                  no_args_is_help=True)


@app.command("export")
def export(
    out: Annotated[str, typer.Option("--out", "-o", help="The .xlsx file to write.")],
    week: WeekOpt = None,
    since: SinceOpt = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    password_file: PasswordFileOpt = None,
    no_encrypt: NoEncryptOpt = False,
    understood: UnderstandUnencryptedOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """Export the customer archive as an .xlsx encrypted with your archive password; the period's new/changed rows highlighted.

    Example: salesctl customer archive export --week this --out archive.xlsx --password-file ~/.salesctl-archive-pw
    """
    from salesctl import render
    from salesctl.permissions import resolve_scope
    from salesctl.services.security import archive as svc
    from salesctl.services.security import files
    from salesctl.services.security import passwords

    files.check_unencrypted_opt_out(no_encrypt, understood)
    target = files.check_out_path(out, overwrite=force)
    secret = None
    if not no_encrypt:
        if password_file is None and not _env_password() and render.interactive():
            with command_context() as ctx:  # nobody should type a password that cannot be used
                passwords.require_usable(ctx)
                handle = ctx.actor.handle
        else:
            handle = None
        secret = passwords.obtain_secret(password_file, prompt=_prompt(handle))
    with command_context(write=True) as ctx:
        scope = resolve_scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
        period = svc.resolve_period(ctx, week, since)
        result = svc.export_archive(ctx, scope, period, target, secret, encrypt=not no_encrypt)
    _report(result, fmt_value(format))


@app.command("open")
def open_(
    file: Annotated[str, typer.Argument(help="The pack (.xlsx) to open.")],
    password_file: Annotated[Optional[str], typer.Option("--password-file", help="File holding the AUTHOR's archive password; else SALESCTL_ARCHIVE_PASSWORD or a prompt.")] = None,
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="Write the decrypted .xlsx here (mode 600); without it, print a summary.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out file.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """Open a pack with its author's password: print a summary, or decrypt it to --out.

    Example: salesctl customer archive open archive-wang.fang-2026-W48.xlsx --password-file wang.fang.pw
    """
    from pathlib import Path

    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.security import archive as svc
    from salesctl.services.security import files
    from salesctl.services.security import passwords

    source = Path(file).expanduser()
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise InvalidInput(t("import.err.cannot_read", path=source, reason=exc.strerror)) from None
    encrypted = files.is_encrypted(data)
    if encrypted:
        secret = passwords.obtain_secret(password_file, prompt=t("archive.prompt.open", path=source.name))
        data = files.decrypt_bytes(data, secret.value, source=secret.source, path=str(source))
    summary = svc.summarize(data, str(source), encrypted=encrypted)
    with command_context() as ctx:  # a rep opens their own packs, a manager their team's (exit 3 otherwise)
        svc.require_open_scope(ctx, summary["author"])
    if out is None:
        _print_summary(summary, fmt_value(format))
        return
    target = files.check_out_path(out, overwrite=force)
    with command_context(write=True) as ctx:
        files.write_file(target, data, files.PLAIN_MODE)
        ctx.audit("archive.open", "archive", None, None,
                  {"file": str(source.resolve()), "out": str(target), "author": summary["author"],
                   "rows": {s["sheet"]: s["rows"] for s in summary["sheets"]}})
        files.audit_unencrypted_file(ctx, target, "decrypted customer archive pack", None)
    render.write(f"{target}\n")
    render.warn(t("archive.msg.decrypted", path=target))


def _env_password() -> bool:
    import os

    from salesctl.services.security.passwords import PASSWORD_ENV

    return bool(os.environ.get(PASSWORD_ENV))


def _prompt(handle: str | None) -> str:
    from salesctl.messages import t

    return t("archive.prompt.password", handle=f" ({handle})" if handle else "")


def _report(result: dict, fmt: str) -> None:
    """stdout: the file's path (or the whole result as JSON); stderr: what was written."""
    from salesctl import render
    from salesctl.messages import t

    if result.get("warning"):
        render.warn(result["warning"])
    shown = {k: v for k, v in result.items() if k != "warning"}
    if fmt == "json":
        render.emit_object(shown, "json")
    else:
        render.write(f"{result['file']}\n")
    key = "archive.msg.exported" if result["encrypted"] else "archive.msg.exported_plain"
    render.info(t(key, path=result["file"], customers=result["rows"]["customers"], highlighted=result["highlighted"],
                  new=result["new"], changed=result["changed"], period=result["period"]))


def _print_summary(summary: dict, fmt: str) -> None:
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column

    if fmt == "json":
        render.emit_object(summary, "json")
        return
    render.info(t("archive.msg.summary", path=summary["file"], author=summary["author"] or "?",
                  period=summary["period"] or "?",
                  encrypted=t("yes") if summary["encrypted"] else t("no")))
    render.emit_rows(summary["sheets"], [Column("sheet", "archive.col.sheet"), Column("rows", "archive.col.rows", "int"),
                                         Column("highlighted", "archive.col.highlighted", "int")], fmt)
    if fmt in ("table", "markdown") and summary["highlighted_rows"]:
        render.write("\n")
        render.emit_rows(summary["highlighted_rows"],
                         [Column("sheet", "archive.col.sheet"), Column("row", "archive.col.row", "int"),
                          Column("id", "archive.col.id"), Column("text", "archive.col.text")],
                         fmt, title=t("archive.title.highlighted"))
