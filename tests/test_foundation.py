"""Init, database URLs and schema versions, start-up imports, languages, help on every command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TEST_DB, query

sqlite_only = pytest.mark.skipif(TEST_DB != "sqlite", reason="SQLite file behaviour")


def test_commands_before_init_exit_2(db_url, cli):
    result = cli("staff", "list")
    assert result.exit_code == 2
    assert "salesctl init" in result.stderr


def test_init_admin_then_again_adds_nobody(db_url, cli):
    result = cli("init", "--admin", "boss", "--name", "老板")
    assert result.exit_code == 0, result
    assert query(db_url, "select handle, role from staff") == [("boss", "gm")]
    again = cli("init", "--admin", "other", "--name", "Other")
    assert again.exit_code == 0
    assert "added nobody" in again.stderr
    assert query(db_url, "select count(*) from staff")[0][0] == 1


def test_init_refuses_missing_fields_and_bad_role(db_url, cli):
    assert cli("init", "--admin", "boss").exit_code == 2
    bad = cli("init", "--admin", "boss", "--name", "B", "--role", "rep")
    assert bad.exit_code == 2 and "--role" in bad.stderr


def test_demo_org(demo, cli):
    rows = cli("staff", "list", "--format", "json").json()
    roles = [r["role"] for r in rows]
    assert roles.count("gm") == 1 and roles.count("director") == 1
    assert roles.count("manager") == 2 and roles.count("regional_manager") == 1
    assert roles.count("rep") == 8 and roles.count("assistant") == 2
    reps = [r for r in rows if r["role"] == "rep"]
    assert len({r["region"] for r in reps}) == 3 and len({r["industry"] for r in reps}) == 3
    # the demo user is the director, from the config file
    assert "zhao.min" in cli("whoami").stdout
    assert query(demo, "select count(*) from customer")[0][0] == 60
    assert set(g for (g,) in query(demo, "select distinct grade from customer")) == {"A", "B", "C", "D"}
    assert query(demo, "select count(*) from visit")[0][0] > 50


@sqlite_only
def test_done_when_command_in_a_subprocess(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    env["SALESCTL_HOME"] = str(tmp_path / "home")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    exe = [sys.executable, "-m", "salesctl"]
    subprocess.run(exe + ["--db", url, "init", "--demo"], check=True, env=env, capture_output=True)
    out = subprocess.run(exe + ["--db", url, "staff", "list", "--format", "json"], check=True, env=env,
                         capture_output=True, text=True)
    import json

    rows = json.loads(out.stdout)
    assert {"id", "handle", "name", "role", "manager", "region", "industry"} <= set(rows[0])
    assert rows[0]["manager"] is None


def test_malformed_url_and_missing_folder(cli, tmp_path):
    result = cli("--db", "not a url:::x", "staff", "list")
    assert result.exit_code == 2 and "--db" in result.stderr
    result = cli("--db", str(tmp_path / "missing" / "x.db"), "init", "--demo")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "missing").exists()
    result = cli("--db", "nosuchdialect://x/y", "staff", "list")
    assert result.exit_code == 2 and "--db" in result.stderr


def test_newer_schema_is_refused(org, cli, db_url):
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999'"))
    engine.dispose()
    result = cli("staff", "list", as_="dir")
    assert result.exit_code == 2
    assert "newer salesctl" in result.stderr
    assert query(db_url, "select version_num from alembic_version") == [("9999",)]


def test_db_check_and_upgrade(org, cli):
    result = cli("db", "check", "--format", "json", as_="dir")
    assert result.exit_code == 0, result
    assert result.json()["ok"] is True
    assert cli("db", "upgrade").exit_code == 0


@sqlite_only
def test_db_backup_is_a_working_copy(org, cli, tmp_path):
    target = tmp_path / "backup.db"
    result = cli("db", "backup", str(target), as_="dir")
    assert result.exit_code == 0, result
    assert query(f"sqlite:///{target}", "select count(*) from staff")[0][0] == 9
    assert cli("db", "backup", str(target), as_="dir").exit_code == 5
    assert cli("db", "backup", str(tmp_path / "b2.db"), as_="rep_a1").exit_code == 3


def test_migrations_match_models():
    """The shipped migrations create exactly the tables and columns models.py declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    import salesctl.models  # noqa: F401
    from salesctl.migrations import HEAD, KNOWN_REVISIONS
    from salesctl.migrations.runner import run_upgrade, script_heads, script_revisions

    assert script_heads() == [HEAD]
    assert set(script_revisions()) == set(KNOWN_REVISIONS)
    engine = create_engine("sqlite://")
    run_upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), SQLModel.metadata)
    assert diff == []


# --------------------------------------------------------------------------- start-up
def test_help_and_version_import_no_database_modules():
    code = (
        "import sys\n"
        "from salesctl.cli import main\n"
        "for argv in (['salesctl', '--help'], ['salesctl', '--version']):\n"
        "    sys.argv = argv\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'alembic', 'pydantic'))\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout, out.stdout[-500:]
    assert "salesctl 0." in out.stdout


def _walk(command, path=()):
    yield path, command
    if hasattr(command, "list_commands"):
        from typer._click import Context

        ctx = Context(command)
        for name in command.list_commands(ctx):
            yield from _walk(command.get_command(ctx, name), path + (name,))


def test_every_command_has_help_with_an_example():
    import typer

    from salesctl.cli import app

    root = typer.main.get_command(app)
    names = {path[0] for path, _ in _walk(root) if len(path) == 1}
    assert {"init", "staff", "customer", "visit", "deal", "payment", "report", "summary", "claim", "lead",
            "commission", "meeting", "complaint", "inbox", "archive", "import", "export", "audit", "whoami"} <= names
    missing = []
    for path, command in _walk(root):
        if not path:
            continue
        text = (command.help or "").strip()
        if not text:
            missing.append(" ".join(path))
        elif not hasattr(command, "commands") and "Example:" not in text:
            missing.append(" ".join(path) + " (no example)")
    assert missing == []


def test_language_switch(org, cli):
    en = cli("staff", "list", "--role", "gm", as_="dir", lang="en")
    zh = cli("staff", "list", "--role", "gm", as_="dir", lang="zh")
    assert "Handle" in en.stdout and "总经理" not in en.stdout
    assert "账号" in zh.stdout and "总经理" in zh.stdout
    assert cli("staff", "list", as_="dir", lang="fr").exit_code == 2


def test_message_catalogs_have_both_languages():
    from salesctl.messages import catalog

    entries = catalog()
    assert entries
    for key, pair in entries.items():
        assert len(pair) == 2 and all(isinstance(p, str) and p for p in pair), key


@sqlite_only
def test_two_processes_add_staff_at_once(tmp_path):
    """WAL + busy timeout + BEGIN IMMEDIATE: concurrent writers wait, both succeed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    env["SALESCTL_HOME"] = str(tmp_path / "home")
    db = tmp_path / "c.db"
    exe = [sys.executable, "-m", "salesctl", "--db", str(db)]
    subprocess.run(exe + ["init", "--admin", "boss", "--name", "B"], check=True, env=env, capture_output=True)
    procs = []
    for n in range(2):
        script = (
            "import sys, subprocess\n"
            f"exe = {exe!r}\n"
            "codes = []\n"
            f"for i in range(8):\n"
            f"    r = subprocess.run(exe + ['--as', 'boss', 'staff', 'add', 'p{n}_' + str(i), '--name', 'P', '--role', 'director', '--manager', 'boss'], capture_output=True, text=True)\n"
            "    codes.append(r.returncode)\n"
            "    if r.returncode: print(r.stderr, file=sys.stderr)\n"
            "sys.exit(max(codes))\n"
        )
        procs.append(subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True))
    for p in procs:
        _, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    assert query(f"sqlite:///{db}", "select count(*) from staff")[0][0] == 17


@sqlite_only
def test_wal_mode_is_on(org, db_url):
    assert query(db_url, "pragma journal_mode")[0][0] == "wal"
