"""`salesctl export TABLE`: any table you may see as CSV, JSON or XLSX (files with customer data encrypted)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context
from salesctl.cli.options import NoEncryptOpt, PasswordFileOpt, UnderstandUnencryptedOpt


def register(root) -> None:
    root.command("export")(export)


def export(
    table: Annotated[str, typer.Argument(help="customers, contacts, visits, deals, payments, leads, grade-changes, "
                                              "ownership, claims, complaints, meetings, actions, reports or staff.")],
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="csv, json or xlsx (default: the --out suffix, else csv).")] = None,
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
    password_file: PasswordFileOpt = None,
    no_encrypt: NoEncryptOpt = False,
    understood: UnderstandUnencryptedOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out file.")] = False,
    bom: Annotated[bool, typer.Option("--bom", help="CSV on stdout with a UTF-8 BOM, for a redirect meant for Excel "
                                                    "(--out files always have it).")] = False,
    raw: Annotated[bool, typer.Option("--raw", help="Write cells as they are: no leading ' before =, +, -, @ "
                                                    "(for scripts; such a file is unsafe to open in Excel).")] = False,
):
    """Export a table as CSV, JSON or XLSX: to stdout, or to a file encrypted with your archive password.

    Example: salesctl export customers --out customers.xlsx --password-file ~/.salesctl-archive-pw
    """
    import sys
    from pathlib import Path

    from salesctl import render
    from salesctl.errors import Conflict, InvalidInput
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.security import files
    from salesctl.services.io import export as svc

    spec = svc.resolve_table(table)
    fmt = svc.resolve_format(format, out)
    files.check_unencrypted_opt_out(no_encrypt, understood)
    if out is None:
        if no_encrypt:
            raise InvalidInput(t("export.err.no_encrypt_stdout"))
        if fmt == "xlsx" and render.stdout_is_terminal():
            raise InvalidInput(t("export.err.xlsx_terminal"))
        with command_context() as ctx:
            data = svc.open_export(ctx, spec)
            if fmt == "xlsx":
                payload, _rows = svc.xlsx_bytes(data, ctx.clock)
                sys.stdout.flush()
                sys.stdout.buffer.write(payload)
                sys.stdout.buffer.flush()
                return
            if fmt == "csv":
                from salesctl.spreadsheet import write_csv

                write_csv(sys.stdout, list(data.keys), ([row.get(k) for k in data.keys] for row in data.rows),
                          raw=raw, bom=bom, convert=render.csv_value)
                return
            rows = ({k: row.get(k) for k in data.keys} for row in data.rows)
            render.emit_rows(rows, [Column(k) for k in data.keys], fmt)
        return

    target = Path(out).expanduser().resolve()
    if not target.parent.is_dir():
        raise InvalidInput(t("archive.err.no_folder", flag="--out", path=target.parent))
    if target.is_dir():
        raise InvalidInput(t("archive.err.is_folder", flag="--out", path=target))
    if target.exists() and not force:
        raise Conflict(t("export.err.exists", path=target))
    secret = None
    if spec.customer_data and not no_encrypt:
        if fmt != "xlsx" or target.suffix.lower() != ".xlsx":
            raise InvalidInput(t("archive.err.plain_format", path=target))
        from salesctl.services.security import passwords

        secret = passwords.obtain_secret(password_file, prompt=t("export.prompt.password"))
    with command_context(write=spec.customer_data) as ctx:
        data = svc.open_export(ctx, spec)
        if spec.customer_data:
            if no_encrypt:
                payload, rows = svc.file_bytes(data, fmt, ctx.clock, raw=raw)
                xlsx = None
            else:
                xlsx, rows = svc.xlsx_bytes(data, ctx.clock)
                payload = None
            encrypted = files.write_customer_file(ctx, target, xlsx, payload, secret=secret, no_encrypt=no_encrypt,
                                                    understood=understood, what=f"export {spec.name}", rows=rows)
        else:
            payload, rows = svc.file_bytes(data, fmt, ctx.clock, raw=raw)
            files.write_file(target, payload, files.PLAIN_MODE)
            encrypted = False
    render.write(f"{target}\n")
    key = "export.msg.encrypted" if encrypted else "export.msg.plain"
    render.info(t(key, rows=rows, table=spec.name, path=target))
