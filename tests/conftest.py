"""Test isolation and the database fixtures.

Every test gets its own SALESCTL_HOME (config + default database), no SALESCTL_*
from the outside, no colour, a fixed terminal width and timezone. The database
comes from SALESCTL_TEST_DB: unset (or "sqlite") means a fresh SQLite file per
test; a PostgreSQL URL (postgresql+psycopg://user@/postgres?host=/socket/dir)
means a fresh database per test, cloned from a migrated template.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

TEST_DB = os.environ.get("SALESCTL_TEST_DB", "sqlite")
# SALESCTL_TEST_LOGINS=1 (PostgreSQL): every person of the org chart and the demo company gets their own login,
# and `cli(..., as_=person)` connects with it. Read once here: isolated_env clears SALESCTL_* for each test.
TEST_LOGINS = os.environ.get("SALESCTL_TEST_LOGINS") == "1"
FROZEN_NOW = "2026-11-27T17:30:00+08:00"  # a Friday, before the end of office
_counter = itertools.count()

try:  # the fuzz test's profiles (tests/test_fuzz.py): `ci` by default, `--hypothesis-profile=long` for a long run
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", max_examples=500, derandomize=True, deadline=None, database=None,
                                          print_blob=True)
    _hypothesis_settings.register_profile("long", parent=_hypothesis_settings.get_profile("ci"), max_examples=10_000)
    _hypothesis_settings.load_profile("ci")
except ImportError:
    pass


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("SALESCTL_") and key != "SALESCTL_TEST_DB":
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("SALESCTL_HOME", str(home))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("SALESCTL_TZ", "Asia/Shanghai")
    monkeypatch.setenv("SALESCTL_NO_INPUT", "1")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    from salesctl import messages, policy

    messages.set_language(None)
    policy._load.cache_clear()
    yield
    from salesctl import db

    db.dispose_all()


# --------------------------------------------------------------------------- databases
def _is_pg() -> bool:
    return TEST_DB.startswith("postgresql")


@pytest.fixture(scope="session")
def _template(tmp_path_factory):
    """A migrated, empty database to copy for each test."""
    from salesctl import db

    if _is_pg():
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(TEST_DB, isolation_level="AUTOCOMMIT")
        name = f"salesctl_tpl_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(TEST_DB).set(database=name).render_as_string(hide_password=False)
        db.upgrade(url)
        db.dispose_all()
        yield ("pg", admin, name)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("tpl") / "template.db"
        url = f"sqlite:///{path}"
        db.upgrade(url)
        db.dispose_all()  # closing the last connection checkpoints the WAL into the file
        yield ("sqlite", None, path)


def fresh_database(template, tmp_path) -> str:
    kind, admin, source = template
    if kind == "pg":
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = f"salesctl_t{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        return make_url(TEST_DB).set(database=name).render_as_string(hide_password=False)
    target = tmp_path / f"salesctl-{next(_counter)}.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


@pytest.fixture
def db_url(_template, tmp_path, monkeypatch):
    """A fresh, migrated database with no staff; SALESCTL_DB points at it."""
    url = fresh_database(_template, tmp_path)
    monkeypatch.setenv("SALESCTL_DB", url)
    yield url
    from salesctl import db

    db.dispose_all()
    if _template[0] == "pg":
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        with _template[1].connect() as conn:
            name = make_url(url).database
            _wait_for_backends(conn, name)  # login roles' closed sessions: FORCE may not signal other roles
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            drop_roles(conn, name)


def _wait_for_backends(conn, database: str) -> None:
    import time

    from sqlalchemy import text

    for _ in range(100):
        if not conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d"), {"d": database}).scalar():
            return
        time.sleep(0.05)


def drop_roles(conn, database: str) -> None:
    """Roles are cluster-wide: drop this test database's group and logins (its role prefix, salesctl.rls)."""
    from sqlalchemy import text

    from salesctl.rls import group_role, ident, role_prefix

    prefix = role_prefix(database)
    names = conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname = :g OR starts_with(rolname, :p) "
                              "ORDER BY rolname = :g"), {"g": group_role(prefix), "p": prefix + "."}).scalars().all()
    for name in names:
        conn.execute(text(f"DROP ROLE IF EXISTS {ident(name)}"))


# --------------------------------------------------------------------------- the CLI
@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self):
        return json.loads(self.stdout)

    def __repr__(self):  # shown by pytest when an assertion fails
        return f"Run(exit={self.exit_code}, stdout={self.stdout[:2000]!r}, stderr={self.stderr[:2000]!r}, exc={self.exception!r})"


class Cli:
    """Runs salesctl in-process with CliRunner; stdout and stderr kept apart."""

    def __init__(self, now: str | None = FROZEN_NOW):
        self.now = now
        self.runner = CliRunner()
        self.logins: dict[str, str] = {}  # handle → own PostgreSQL URL: `as_` connects as that login instead of --as

    def __call__(self, *args: str, as_: str | None = None, input: str | None = None, now: str | None = None,
                 lang: str | None = None, env: dict | None = None, admin: bool = False) -> Run:
        """Run salesctl; `admin=True` keeps the administrator's connection with `--as` even when logins are on."""
        from salesctl.cli import app

        argv: list[str] = []
        if as_ and as_ in self.logins and not admin:
            env = {**(env or {}), "SALESCTL_DB": self.logins[as_]}
        elif as_:
            argv += ["--as", as_]
        if lang:
            argv += ["--lang", lang]
        when = now or self.now
        if when:
            argv += ["--now", when]
        argv += list(args)
        result = self.runner.invoke(app, argv, input=input, env=env, catch_exceptions=True)
        exc = result.exception if not isinstance(result.exception, SystemExit) else None
        if exc is not None:
            import traceback

            traceback.print_exception(exc)
        return Run(result.exit_code, result.stdout, result.stderr, exc)


@pytest.fixture
def cli():
    return Cli()


@pytest.fixture
def demo(db_url, cli):
    """The demo company (dates relative to the frozen now); acting user zhao.min (director)."""
    result = cli("init", "--demo")
    assert result.exit_code == 0, result
    if _is_pg() and TEST_LOGINS:
        # the suite as the people who use it: every `as_=` connects with that person's own login
        handles = [h for (h,) in query(db_url, "select handle from staff where active order by id")]
        cli.logins = enable_logins(cli, db_url, handles, "zhao.min")
    return db_url


@pytest.fixture
def org(db_url, cli):
    """A small hand-made org chart for exact assertions.

    gm (boss) → director (dir) → manager (mgr_a) → reps rep_a1 (East, Retail), rep_a2 (East, Health)
                                → manager (mgr_b) → regional manager (rm_b) → rep rep_b1 (North, Retail)
                                                  → assistant asst_b
    """
    steps = [
        ("init", "--admin", "boss", "--name", "老板", "--role", "gm"),
        ("staff", "add", "dir", "--name", "总监", "--role", "director", "--manager", "boss"),
        ("staff", "add", "mgr_a", "--name", "经理甲", "--role", "manager", "--manager", "dir", "--region", "East"),
        ("staff", "add", "mgr_b", "--name", "经理乙", "--role", "manager", "--manager", "dir", "--region", "North"),
        ("staff", "add", "rm_b", "--name", "区域经理", "--role", "regional_manager", "--manager", "mgr_b", "--region", "North"),
        ("staff", "add", "rep_a1", "--name", "销售甲一", "--role", "rep", "--manager", "mgr_a", "--region", "East", "--industry", "Retail"),
        ("staff", "add", "rep_a2", "--name", "销售甲二", "--role", "rep", "--manager", "mgr_a", "--region", "East", "--industry", "Health"),
        ("staff", "add", "rep_b1", "--name", "销售乙一", "--role", "rep", "--manager", "rm_b", "--region", "North", "--industry", "Retail"),
        ("staff", "add", "asst_b", "--name", "助理乙", "--role", "assistant", "--manager", "mgr_b", "--region", "North"),
    ]
    for step in steps:
        if step[:2] == ("staff", "add"):  # on staff from the frozen day (reports owed from it, as before start dates)
            step = step + ("--start-date", "2026-11-27")
        result = cli(*step, as_=None if step[0] == "init" else "boss")
        assert result.exit_code == 0, (step, result)
    if _is_pg() and TEST_LOGINS:
        # the suite as the people who use it: every `as_=` connects with that person's own login
        cli.logins = enable_logins(cli, db_url, ORG_HANDLES, "boss")
    return db_url


pg_only = pytest.mark.skipif(not TEST_DB.startswith("postgresql"), reason="team server (PostgreSQL) only")


def enable_logins(cli, url: str, handles, admin: str) -> dict[str, str]:
    """Give each handle its own PostgreSQL login (run by the administrator's connection, `--as admin`)."""
    from sqlalchemy.engine import make_url

    for handle in handles:
        result = cli("staff", "login", handle, "--enable", as_=admin, admin=True)
        assert result.exit_code == 0, (handle, result)
    roles = dict(query(url, "select handle, login_role from staff where login_role is not null"))
    return {h: make_url(url).set(username=roles[h], password=None).render_as_string(hide_password=False)
            for h in handles}


ORG_HANDLES = ("boss", "dir", "mgr_a", "mgr_b", "rm_b", "rep_a1", "rep_a2", "rep_b1", "asst_b")


@pytest.fixture
def org_logins(org, cli, db_url):
    """The org chart with one PostgreSQL login per person; `cli(..., as_=h)` then connects as h's own login."""
    if not TEST_DB.startswith("postgresql"):
        pytest.skip("team server (PostgreSQL) only")
    if cli.logins:  # SALESCTL_TEST_LOGINS=1: `org` gave everybody a login already
        return cli.logins
    urls = enable_logins(cli, db_url, ORG_HANDLES, "boss")
    cli.logins = urls
    return urls


def query(url: str, sql: str, **params):
    """Read the stored data directly (tests check what was stored, not only what was printed)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()
