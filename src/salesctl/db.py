"""Database URL resolution, one engine per process, sessions, SQLite pragmas and schema checks."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session

from salesctl import config
from salesctl.errors import InvalidInput, NotInitialised
from salesctl.migrations import HEAD, KNOWN_REVISIONS

_engines: dict[str, Engine] = {}

NOT_INITIALISED = "the database has no staff yet: run `salesctl init --admin HANDLE --name NAME` (or `salesctl init --demo`)"


def resolve_url(cli_value: str | None = None) -> str:
    """--db, else SALESCTL_DB, else the config file's db, else the default SQLite file."""
    raw = cli_value or os.environ.get("SALESCTL_DB") or config.load_config().get("db")
    if not raw:
        path = config.default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    raw = str(raw).strip()
    if "://" not in raw:
        if ":" in raw.split("/")[0] and not raw.startswith(("/", ".")):
            raise InvalidInput(
                f"--db: '{raw}' is not a database URL; use a file path, sqlite:///path or postgresql+psycopg://user@host/db"
            )
        raw = f"sqlite:///{Path(raw).expanduser().resolve()}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise InvalidInput(
            f"--db: '{raw}' is not a database URL; use sqlite:///path or postgresql+psycopg://user@host/db"
        ) from None
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise InvalidInput(f"--db: folder {folder} does not exist; create it or choose another path")
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


def get_engine(url: str) -> Engine:
    engine = _engines.get(url)
    if engine is not None:
        return engine
    from sqlalchemy import create_engine

    parsed = make_url(url)
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = False
    try:
        engine = create_engine(url, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
        raise InvalidInput(
            f"--db: no driver for '{parsed.drivername}' ({exc}); use sqlite:///path or postgresql+psycopg://… "
            "(pip install 'salesctl[postgres]')"
        ) from None
    except ArgumentError as exc:
        raise InvalidInput(f"--db: {exc}") from None
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
    except OperationalError as exc:
        raise InvalidInput(f"--db: cannot open the database: {exc.orig}") from None


def upgrade(url: str) -> tuple[str | None, str]:
    """Bring the schema to HEAD with the migrations shipped in the package."""
    engine = get_engine(url)
    before = schema_revision(engine)
    if before is not None and before not in KNOWN_REVISIONS:
        raise InvalidInput(
            f"the database's schema ({before}) was made by a newer salesctl; "
            f"upgrade salesctl instead (this version knows up to {HEAD})"
        )
    if before != HEAD:
        from salesctl.migrations.runner import run_upgrade

        run_upgrade(engine)
    return before, HEAD


def ensure_ready(url: str) -> None:
    """Called before every command but init: refuse a newer schema, upgrade an older one."""
    engine = get_engine(url)
    revision = schema_revision(engine)
    if revision is None:
        raise NotInitialised(NOT_INITIALISED)
    if revision == HEAD:
        return
    if revision not in KNOWN_REVISIONS:
        raise InvalidInput(
            f"the database's schema ({revision}) was made by a newer salesctl; "
            f"upgrade salesctl instead (this version knows up to {HEAD})"
        )
    import sys

    upgrade(url)
    print(f"salesctl: upgraded the database schema from {revision} to {HEAD}", file=sys.stderr)


def has_staff(sess: Session) -> bool:
    from sqlmodel import select

    from salesctl.models import Staff

    return sess.exec(select(Staff.id).limit(1)).first() is not None


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"
