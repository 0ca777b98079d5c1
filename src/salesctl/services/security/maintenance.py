"""Database upkeep: online backup (SQLite) and integrity checks."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from salesctl.errors import Conflict, InvalidInput, PermissionDenied
from salesctl.messages import t
from salesctl.migrations import HEAD
from salesctl.services.context import Ctx


def backup_sqlite(ctx: Ctx, path: str) -> Path:
    """SQLite's online backup API: a consistent copy even while others write."""
    if ctx.actor.role not in ("gm", "director", "manager"):
        raise PermissionDenied(t("err.denied", what=t("err.what.backup")))
    from salesctl.db import is_sqlite

    if not is_sqlite(ctx.url):
        raise InvalidInput(t("err.backup_sqlite_only"))
    target = Path(path).expanduser().resolve()
    if target.exists():
        raise Conflict(t("err.path_exists", path=target))
    if not target.parent.is_dir():
        raise InvalidInput(t("err.path_no_folder", folder=target.parent))
    import os
    import sqlite3

    try:  # created owner-only before any customer data is in it
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise Conflict(t("err.path_exists", path=target)) from None
    except OSError as exc:
        raise InvalidInput(t("err.file_unreadable", field="path", path=target, error=exc.strerror)) from None
    source = ctx.session.connection().connection.dbapi_connection
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
    target.chmod(0o600)
    ctx.audit("db.backup", "database", None, None, {"path": str(target)})
    return target


def check_database(ctx: Ctx) -> dict:
    from salesctl.db import is_sqlite, schema_revision

    revision = schema_revision(ctx.session.get_bind().engine) if hasattr(ctx.session.get_bind(), "engine") else None
    integrity = "ok"
    if is_sqlite(ctx.url):
        rows = [r[0] for r in ctx.session.execute(text("PRAGMA integrity_check"))]
        integrity = "ok" if rows == ["ok"] else "; ".join(rows[:5])
        fk = list(ctx.session.execute(text("PRAGMA foreign_key_check")))
        if fk:
            integrity = f"{len(fk)} broken foreign keys" if integrity == "ok" else integrity
    else:
        ctx.session.execute(text("SELECT 1"))
    return {"ok": integrity == "ok" and revision == HEAD, "integrity": integrity, "schema": revision, "head": HEAD}
