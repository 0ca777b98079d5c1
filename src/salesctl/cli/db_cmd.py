"""`salesctl db`: schema upgrade, online backup, integrity check."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="The database: upgrade, backup, check.", no_args_is_help=True)


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
    from salesctl.messages import t
    from salesctl.services.maintenance import backup_sqlite

    with command_context() as ctx:
        target = backup_sqlite(ctx, path)
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
    from salesctl.services.maintenance import check_database

    with command_context() as ctx:
        result = check_database(ctx)
    if format == "json":
        render.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        render.write(t("msg.check_ok", rev=result["schema"], head=result["head"]) if result["ok"]
                     else f"integrity: {result['integrity']}\n")
        render.write("\n")
    if not result["ok"]:
        raise typer.Exit(1)
