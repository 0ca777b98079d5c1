"""Encryption at rest for the embedded database (SQLCipher): encrypt a plain file, change the key, back up.

`--db sqlite+pysqlcipher:///path` with the key in SALESCTL_DB_KEY opens an
encrypted file (see db.cipher_engine). This module converts files:

- `encrypt_database`: a plain SQLite file → an encrypted one (SQLCipher's
  `sqlcipher_export` into a new file, checked, then renamed over the original,
  or written to --out). The source is switched out of WAL mode first, which only
  succeeds when no other connection has it open, so nobody is writing to the
  plaintext while it is converted and no plaintext WAL is left beside the result.
- `rekey_database`: `PRAGMA rekey` in place (SQLCipher rewrites every page in one
  transaction).
- `backup_encrypted`: SQLite's online backup into a new file keyed with the same
  key, so a backup of an encrypted database stays encrypted.

Only the gm and the director may encrypt or re-key the department's database.
Keys never reach the audit log, messages or the URL.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

from salesctl.errors import Conflict, InvalidInput, PermissionDenied
from salesctl.messages import t

ADMIN_ROLES = ("gm", "director")
BACKUP_ROLES = ("gm", "director", "manager")
NEW_KEY_ENV = "SALESCTL_DB_NEW_KEY"


def available() -> bool:
    try:
        import sqlcipher3  # noqa: F401
    except ImportError:
        return False
    return True


def _sqlcipher():
    try:
        import sqlcipher3
    except ImportError:
        raise InvalidInput(t("enc.err.no_sqlcipher")) from None
    return sqlcipher3


def _quote(key: str) -> str:
    return "'" + key.replace("'", "''") + "'"


def sqlite_file(url: str, command: str) -> Path:
    """The file behind a SQLite URL (refusing PostgreSQL and in-memory databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise InvalidInput(t("enc.err.not_sqlite", command=command))
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise InvalidInput(t("enc.err.not_sqlite", command=command))
    return Path(database).expanduser().resolve()


def require_admin(ctx, what: str) -> None:
    if ctx.actor.role not in ADMIN_ROLES:
        raise PermissionDenied(t("err.denied", what=what))


def _connect(path: Path, key: str | None):
    sqlcipher3 = _sqlcipher()
    conn = sqlcipher3.connect(str(path), isolation_level=None, timeout=2)
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        conn.execute(f"PRAGMA key = {_quote(key)}")
    return conn


def _take_exclusive(conn, path: Path) -> None:
    """Leave WAL mode (only possible with no other connection open), so the file is complete and unshared."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as exc:
        if "not a database" in str(exc):
            raise InvalidInput(t("enc.err.cannot_read", path=path)) from None
        raise
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except Exception:
        mode = None
    if str(mode).lower() != "delete":
        raise Conflict(t("enc.err.busy", path=path))


def _table_counts(conn) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def encrypt_database(source: Path, target: Path, key: str) -> dict[str, int]:
    """Write an encrypted copy of a plain SQLite file to `target` (a new file) and check it."""
    if target.exists():
        raise Conflict(t("enc.err.exists", path=target))
    conn = _connect(source, None)
    try:
        _take_exclusive(conn, source)
        counts = _table_counts(conn)
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), key))
        try:
            conn.execute("SELECT sqlcipher_export('encrypted')")
            version = conn.execute("PRAGMA main.user_version").fetchone()[0]
            conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        finally:
            conn.execute("DETACH DATABASE encrypted")
    except BaseException:
        conn.close()
        _remove(target)
        raise
    conn.close()
    try:
        os.chmod(target, 0o600)
        check = _connect(target, key)
        try:
            integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
            copied = _table_counts(check)
        finally:
            check.close()
        if integrity != "ok" or copied != counts:
            raise InvalidInput(t("enc.err.verify_failed", path=target))
    except BaseException:
        _remove(target)
        raise
    return counts


def replace_file(encrypted: Path, original: Path) -> None:
    """Move the encrypted file over the original; no plaintext journal may be left beside it."""
    for suffix in ("-wal", "-shm", "-journal"):
        leftover = Path(str(original) + suffix)
        if leftover.exists():
            leftover.unlink()
    os.replace(encrypted, original)


def _remove(path: Path) -> None:
    for candidate in (path, Path(str(path) + "-journal"), Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        try:
            candidate.unlink()
        except FileNotFoundError:
            pass


def rekey_database(path: Path, old_key: str, new_key: str) -> None:
    conn = _connect(path, old_key)
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except Exception as exc:
            if "not a database" in str(exc):
                raise InvalidInput(t("enc.err.wrong_key", path=path)) from None
            raise
        _take_exclusive(conn, path)
        conn.execute(f"PRAGMA rekey = {_quote(new_key)}")
    finally:
        conn.close()
    check = _connect(path, new_key)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise InvalidInput(t("enc.err.verify_failed", path=path))
    finally:
        check.close()


def audit_in(url: str, key: str, actor_id: int, clock, action: str, after: dict) -> None:
    """Record an audit entry inside an encrypted database opened with `key` (a fresh, uncached engine)."""
    from sqlmodel import Session

    from salesctl import db
    from salesctl.models import Staff
    from salesctl.services.context import Ctx

    engine = db.cipher_engine(url, key)
    try:
        with engine.connect() as conn:
            conn.info["salesctl_write"] = True
            with Session(bind=conn) as sess:
                ctx = Ctx(session=sess, actor=sess.get(Staff, actor_id), clock=clock, url=url)
                ctx.audit(action, "database", None, None, after)
                sess.commit()
    finally:
        engine.dispose()


def backup_encrypted(ctx, path: str) -> Path:
    """Online backup of an encrypted database into a new file keyed with the same key."""
    from salesctl import db

    if ctx.actor.role not in BACKUP_ROLES:
        raise PermissionDenied(t("err.denied", what=t("enc.what.backup")))
    target = Path(path).expanduser().resolve()
    if target.exists():
        raise Conflict(t("enc.err.backup_exists", path=target))
    if not target.parent.is_dir():
        raise InvalidInput(t("enc.err.backup_no_folder", path=target.parent))
    source = ctx.session.connection().connection.dbapi_connection
    dest = _connect(target, db.cipher_key())
    try:
        source.backup(dest)
    except BaseException:
        dest.close()
        _remove(target)
        raise
    dest.close()
    target.chmod(0o600)
    ctx.audit("db.backup", "database", None, None, {"path": str(target), "encrypted": True})
    return target


def new_key(path: str | None, *, env: str, confirm: bool = True):
    """The new key: --key-file (private), else the environment variable, else asked twice at a terminal."""
    from salesctl.services.security.passwords import check_strength, obtain_secret

    flag = "--new-key-file" if env == NEW_KEY_ENV else "--key-file"
    secret = obtain_secret(path, flag=flag, env=env, prompt=t("enc.prompt.key"),
                           confirm=t("enc.prompt.again") if confirm else None)
    check_strength(secret.value, secret.source)
    return secret
