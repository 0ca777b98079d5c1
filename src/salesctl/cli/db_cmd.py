"""`salesctl db`: schema upgrade, online backup, integrity check."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

app = typer.Typer(help="The database: upgrade, backup, check, encrypt, rekey.", no_args_is_help=True)


@app.command("upgrade")
def upgrade():
    """Bring the database schema up to this version (commands also do it on their own).

    Example: salesctl db upgrade
    """
    from salesctl import db, render
    from salesctl.cli.common import state
    from salesctl.messages import t

    url = db.resolve_url(state.db)
    before, after = db.upgrade(url)
    render.info(t("msg.up_to_date", rev=after) if before == after else t("msg.upgraded", before=before, after=after))


@app.command("backup")
def backup(path: Annotated[str, typer.Argument(help="Where to write the copy (a new file).")]):
    """Copy a SQLite database safely while others use it (SQLite online backup).

    Example: salesctl db backup ~/salesctl-2026-11-27.db
    """
    from salesctl import render
    from salesctl.cli.common import command_context
    from salesctl.db import is_encrypted_url
    from salesctl.messages import t
    from salesctl.services.security.maintenance import backup_sqlite

    with command_context() as ctx:
        if is_encrypted_url(ctx.url):  # the copy keeps the same key: it stays encrypted
            from salesctl.services.security.encryption import backup_encrypted

            target = backup_encrypted(ctx, path)
        else:
            target = backup_sqlite(ctx, path)
    with command_context(write=True) as ctx:  # the copy is made from a read transaction; its audit entry commits here
        ctx.audit("db.backup", "database", None, None, {"path": str(target), "encrypted": is_encrypted_url(ctx.url)})
    render.info(t("msg.backup_done", path=target))


@app.command("check")
def check(format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table"):
    """Check integrity and the schema version.

    Example: salesctl db check
    """
    import json

    from salesctl import render
    from salesctl.cli.common import command_context
    from salesctl.messages import t
    from salesctl.errors import InvalidInput
    from salesctl.services.security.maintenance import check_database

    if format not in ("table", "json"):
        raise InvalidInput(t("err.bad_choice", field="--format", value=format, accepted="table, json"))
    with command_context(actor=False) as ctx:  # the tool for after a crash: an OS administrator need not be staff
        result = check_database(ctx)
    if format == "json":
        render.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        render.write(t("msg.check_ok", rev=result["schema"], head=result["head"]) if result["ok"]
                     else t("msg.integrity", integrity=result["integrity"]) + "\n")
        render.write("\n")
    if not result["ok"]:
        raise typer.Exit(1)


@app.command("encrypt")
def encrypt(
    key_file: Annotated[Optional[str], typer.Option("--key-file", help="File holding the new key (mode 600); else SALESCTL_DB_KEY.")] = None,
    out: Annotated[Optional[str], typer.Option("--out", help="Write the encrypted copy here and keep the original.")] = None,
):
    """Encrypt a plain SQLite database with SQLCipher (in place, or to --out).

    Example: SALESCTL_DB_KEY=… salesctl db encrypt   (then use --db sqlite+pysqlcipher:///path)
    """
    from pathlib import Path

    from salesctl import config, db, render
    from salesctl.cli.common import clock, command_context, state
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.security import encryption

    url = db.resolve_url(state.db)
    if db.is_encrypted_url(url):
        raise InvalidInput(t("enc.err.already"))
    source = encryption.sqlite_file(url, "db encrypt")
    with command_context() as ctx:
        encryption.require_admin(ctx, t("err.what.encrypt"))
        actor_id = ctx.actor.id
    secret = encryption.new_key(key_file, env=db.KEY_ENV)
    target = Path(out).expanduser().resolve() if out else source.with_name(f".{source.name}.encrypting")
    if out and not target.parent.is_dir():
        raise InvalidInput(t("err.out_no_folder", folder=target.parent))
    db.dispose_all()  # our own connections must not keep the file busy
    encryption.encrypt_database(source, target, secret.value)
    cipher_url = f"{db.CIPHER_DRIVER}:///{target}"
    encryption.audit_in(cipher_url, secret.value, actor_id, clock(), "db.encrypt",
                        {"path": str(target if out else source), "source": str(source), "cipher": "sqlcipher"})
    if out:
        render.info(t("enc.msg.copied", path=target, url=f"{db.CIPHER_DRIVER}:///{target}", env=db.KEY_ENV))
        return
    encryption.replace_file(target, source)
    new_url = f"{db.CIPHER_DRIVER}:///{source}"
    if not state.db:
        config.set_value("db", new_url)  # the default/configured database: point the config at it
        render.info(t("enc.msg.config", url=new_url))
    render.info(t("enc.msg.encrypted", path=source, url=new_url, env=db.KEY_ENV))


@app.command("rekey")
def rekey(
    new_key_file: Annotated[Optional[str], typer.Option("--new-key-file", help="File holding the new key (mode 600); else SALESCTL_DB_NEW_KEY.")] = None,
):
    """Change the key of an encrypted database (the current key is SALESCTL_DB_KEY).

    Example: SALESCTL_DB_KEY=old SALESCTL_DB_NEW_KEY=new salesctl --db sqlite+pysqlcipher:///salesctl.db db rekey
    """
    from salesctl import db, render
    from salesctl.cli.common import clock, command_context, state
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.security import encryption

    url = db.resolve_url(state.db)
    if not db.is_encrypted_url(url):
        raise InvalidInput(t("enc.err.not_encrypted"))
    path = encryption.sqlite_file(url, "db rekey")
    with command_context() as ctx:  # opens with the current key: a wrong key stops here
        encryption.require_admin(ctx, t("err.what.rekey"))
        actor_id = ctx.actor.id
    old_key = db.cipher_key()
    secret = encryption.new_key(new_key_file, env=encryption.NEW_KEY_ENV)
    if secret.value == old_key:
        raise InvalidInput(t("enc.err.same_key", source=secret.source))
    db.dispose_all()
    encryption.rekey_database(path, old_key, secret.value)
    encryption.audit_in(url, secret.value, actor_id, clock(), "db.rekey", {"path": str(path), "cipher": "sqlcipher"})
    render.info(t("enc.msg.rekeyed", path=path, env=db.KEY_ENV))


@app.command("security-check")
def security_check(format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table"):
    """Team server: every table's row-level security, policies and staff privileges; exit 1 on a problem (cron-able).

    Example: salesctl db security-check --format json
    """
    import json

    from salesctl import db, render
    from salesctl.cli.common import command_context, state
    from salesctl.messages import t

    url = db.resolve_url(state.db)
    if db.is_sqlite(url):
        if format == "json":
            render.write(json.dumps({"ok": True, "applies": False, "tables": [], "problems": []}) + "\n")
        else:
            render.info(t("ts.msg.check_sqlite"))
        return
    from salesctl.services.security.server_check import run_check

    with command_context() as ctx:
        report = run_check(ctx)
    if format == "json":
        render.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        from salesctl.render import Column

        rows = [{"table": r["table"], "kind": r["kind"] or "-", "rls": r["rls"], "policies": ", ".join(r["policies"]),
                 "privileges": ", ".join(r["privileges"]), "problems": "; ".join(r["problems"])} for r in report["tables"]]
        render.emit_rows(rows, [Column("table"), Column("kind"), Column("rls", kind="bool"), Column("policies"),
                                Column("privileges"), Column("problems")], "table", title=t("ts.title.security"))
        for problem in report["problems"]:
            render.error(problem)
        render.info(t("ts.msg.check_ok", tables=len(report["tables"]), group=report["group"]) if report["ok"]
                    else t("ts.msg.check_failed", count=len(report["problems"])))
    if not report["ok"]:
        raise typer.Exit(1)
