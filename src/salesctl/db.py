"""Database URL resolution, one engine per process, sessions, SQLite pragmas and schema checks."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlmodel import Session

from salesctl import config
from salesctl.errors import InvalidInput, NotInitialised
from salesctl.messages import t
from salesctl.migrations import HEAD, KNOWN_REVISIONS

_engines: dict[str, Engine] = {}
APPLICATION_NAME = "salesctl"

NOT_INITIALISED = "err.not_initialised"  # a message key: raise NotInitialised(t(NOT_INITIALISED))

# Encryption at rest (SQLCipher): `sqlite+pysqlcipher:///path`, the key only in this variable.
CIPHER_DRIVER = "sqlite+pysqlcipher"
KEY_ENV = "SALESCTL_DB_KEY"


def resolve_url(cli_value: str | None = None) -> str:
    """--db, else SALESCTL_DB, else the config file's db, else the default SQLite file."""
    if cli_value is not None and not cli_value.strip():  # `--db ''` is a mistake, not "the default database"
        raise InvalidInput(t("err.db_empty"))
    raw = cli_value or os.environ.get("SALESCTL_DB") or config.load_config().get("db")
    if not raw:
        path = config.default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    raw = str(raw).strip()
    if "://" not in raw:
        if ":" in raw.split("/")[0] and not raw.startswith(("/", ".")):
            raise InvalidInput(t("err.db_not_url_or_path", value=raw))
        raw = f"sqlite:///{Path(raw).expanduser().resolve()}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise InvalidInput(t("err.db_not_url", value=raw)) from None
    if url.drivername == CIPHER_DRIVER and url.password:
        raise InvalidInput(t("err.db_key_in_url", env=KEY_ENV))
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise InvalidInput(t("err.db_no_folder", folder=folder))
    return raw


def _sqlite_pragmas(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA foreign_keys = ON")
    try:
        cursor.execute("PRAGMA journal_mode = WAL")
    except Exception:  # read-only media: keep the default journal
        pass
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin(conn):
    # Writers take the write lock up front, so two processes writing at once queue
    # on busy_timeout instead of failing when a read transaction tries to upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("salesctl_write") else "BEGIN")


def is_encrypted_url(url: str) -> bool:
    return make_url(url).drivername == CIPHER_DRIVER


def cipher_key() -> str:
    key = os.environ.get(KEY_ENV)
    if not key:
        raise InvalidInput(t("err.db_key_unset", env=KEY_ENV))
    return key


def _cipher_quiet(dbapi_connection, _record):
    # SQLCipher logs decryption failures to stderr itself; salesctl reports them in one line
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA cipher_log_level = NONE")
    cursor.close()


def cipher_engine(url: str, key: str) -> Engine:
    """An engine over SQLCipher (not cached): the key pragma runs first on every connection, then our pragmas.

    The key is handed to SQLAlchemy's pysqlcipher dialect in the engine's URL object
    (which SQLAlchemy never prints: its password is masked); the URL users type and
    the audit log never hold it.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.pool import QueuePool

    try:
        import sqlcipher3
    except ImportError:
        raise InvalidInput(t("err.db_no_sqlcipher")) from None
    keyed = make_url(url).set(password=key)
    # QueuePool, not the dialect's SingletonThreadPool: a nested checkout must not share a connection
    engine = create_engine(keyed, module=sqlcipher3, poolclass=QueuePool, connect_args={"timeout": 30})
    path = keyed.database

    def check_key(dbapi_connection, _record):
        # the first read decrypts page 1: a wrong key (or a plain file) fails here, in one clear line
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            if "not a database" not in str(exc):
                raise
            raise InvalidInput(t("err.db_wrong_key", env=KEY_ENV, path=path)) from None
        finally:
            cursor.close()

    event.listen(engine, "connect", _cipher_quiet, insert=True)
    event.listen(engine, "connect", check_key)  # after the dialect's key pragma
    event.listen(engine, "connect", _sqlite_pragmas)  # WAL, busy timeout… only once the key is in
    event.listen(engine, "begin", _begin)
    return engine


def get_engine(url: str) -> Engine:
    engine = _engines.get(url)
    if engine is not None:
        return engine
    from sqlalchemy import create_engine

    from salesctl import storedtext

    storedtext.install()  # text within its column's length and without NUL, the same on both databases

    parsed = make_url(url)
    if parsed.drivername == CIPHER_DRIVER:
        # one engine per URL and key (a process that changes SALESCTL_DB_KEY gets a new one)
        import hashlib

        key = cipher_key()
        cache_key = f"{url}#{hashlib.sha256(key.encode()).hexdigest()[:16]}"
        engine = _engines.get(cache_key)
        if engine is None:
            engine = _engines[cache_key] = cipher_engine(url, key)
        return engine
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = False
        # JIT compilation costs PostgreSQL seconds on a summary's plans and pays back only on
        # long analytical queries: a command's statements are short.
        kwargs["connect_args"] = {"options": "-c jit=off"}
        if parsed.get_backend_name() == "postgresql" and "application_name" not in parsed.query:
            kwargs["connect_args"]["application_name"] = APPLICATION_NAME  # the DB audit trail tells salesctl from psql
    try:
        engine = create_engine(url, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
        raise InvalidInput(t("err.db_no_driver", driver=parsed.drivername, error=exc)) from None
    except ArgumentError as exc:
        raise InvalidInput(t("err.db_bad_url", error=exc)) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin)
    _engines[url] = engine
    return engine


def dispose_all() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def session(url: str, *, write: bool = False) -> Iterator[Session]:
    """One session per command: commits at the end, rolls everything back on any error."""
    engine = get_engine(url)
    with engine.connect() as conn:
        conn.info["salesctl_write"] = write
        with Session(bind=conn, expire_on_commit=False) as sess:
            try:
                yield sess
                if write:
                    sess.commit()
                # a read session just closes: its objects stay readable after the command's block
            except BaseException:
                sess.rollback()
                raise
        conn.info["salesctl_write"] = False


# --------------------------------------------------------------------------- schema
def schema_revision(engine: Engine) -> str | None:
    """The database's Alembic revision, or None for an empty database."""
    try:
        with engine.connect() as conn:
            conn.info["salesctl_write"] = False
            if not inspect(conn).has_table("alembic_version"):
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            return row[0] if row else None
    except DatabaseError as exc:  # OperationalError, or "file is not a database" (a wrong key)
        if "is not permitted to log in" in str(exc.orig or exc):  # the team server: a disabled login (deactivated)
            from salesctl.errors import PermissionDenied

            raise PermissionDenied(t("ts.err.login_disabled", role=engine.url.username)) from None
        raise InvalidInput(_open_error(engine, exc)) from None


def _open_error(engine: Engine, exc: DatabaseError) -> str:
    reason = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc).splitlines()[0]
    if isinstance(exc, OperationalError) or "not a database" not in reason:
        return t("err.db_cannot_open", reason=reason)
    path = engine.url.database
    if engine.url.drivername == CIPHER_DRIVER:
        return t("err.db_wrong_key", env=KEY_ENV, path=path)
    return t("err.db_not_sqlite", path=path, env=KEY_ENV)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def create_private(url: str) -> None:
    """Create a missing SQLite file owner-only (0600); SQLite gives its -wal/-shm files the same mode."""
    path = sqlite_file(url)
    if path is None:
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise InvalidInput(t("err.db_cannot_open", reason=exc.strerror or exc)) from None


def upgrade(url: str) -> tuple[str | None, str]:
    """Bring the schema to HEAD with the migrations shipped in the package (creating a missing file, 0600)."""
    create_private(url)
    engine = get_engine(url)
    before = schema_revision(engine)
    if before is not None and before not in KNOWN_REVISIONS:
        raise InvalidInput(t("err.db_newer_schema", rev=before, head=HEAD))
    if before != HEAD:
        from salesctl.migrations.runner import run_upgrade

        run_upgrade(engine)
    return before, HEAD


def ensure_ready(url: str) -> None:
    """Called before every command but init: refuse a newer schema, upgrade an older one.

    A SQLite file that does not exist is not created here (only `init` creates one).
    """
    path = sqlite_file(url)
    try:
        missing = path is not None and not path.exists()
    except OSError as exc:  # a name too long for the file system
        raise InvalidInput(t("err.db_cannot_open", reason=exc.strerror or exc)) from None
    if missing:
        raise NotInitialised(t("err.db_missing", path=path))
    engine = get_engine(url)
    revision = schema_revision(engine)
    if revision is None:
        raise NotInitialised(t(NOT_INITIALISED))
    if revision == HEAD:
        return
    if revision not in KNOWN_REVISIONS:
        raise InvalidInput(t("err.db_newer_schema", rev=revision, head=HEAD))
    import sys

    if engine.dialect.name == "postgresql":
        _require_schema_owner(engine, revision)
    upgrade(url)
    print(t("msg.schema_auto_upgraded", before=revision, after=HEAD), file=sys.stderr)


def _require_schema_owner(engine: Engine, revision: str) -> None:
    """The team server: only the administrator (the schema's owner) upgrades it; a staff login is told whom to ask."""
    with engine.connect() as conn:
        owner, may = conn.execute(text(
            "SELECT pg_get_userbyid(c.relowner), pg_has_role(current_user, c.relowner, 'MEMBER') "
            "OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
            "FROM pg_class c WHERE c.oid = to_regclass('alembic_version')")).one()
        conn.rollback()
    if not may:
        from salesctl.errors import PermissionDenied

        raise PermissionDenied(t("ts.err.schema_behind", rev=revision, head=HEAD, admin=owner))


# Transaction-scoped advisory locks on PostgreSQL, one per uniqueness rule the schema cannot
# express as an index (a phone may be a customer's or any of its contacts'). SQLite needs
# none: a write transaction (BEGIN IMMEDIATE) already holds the database's only write lock.
UNIQUENESS_LOCKS = {"customer": 17_000_001, "claim_decision": 17_000_002}


def lock_uniqueness(sess: Session, rule: str) -> None:
    """Serialise check-then-insert for one rule until this transaction ends (PostgreSQL)."""
    bind = sess.get_bind()
    if bind.dialect.name == "postgresql":
        sess.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UNIQUENESS_LOCKS[rule]})


def has_staff(sess: Session) -> bool:
    from sqlmodel import select

    from salesctl.models import Staff

    return sess.exec(select(Staff.id).limit(1)).first() is not None


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"
