"""A database made by release 0.1.0 upgrades to the head and keeps its data, on both databases.

`tests/data/salesctl-0.1.0.db` is the demo company written by 0.1.0 (schema revision 0001).
On PostgreSQL the same rows are loaded into a database migrated to 0001, then upgraded.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "data" / "salesctl-0.1.0.db"
DIRECTOR = "zhao.min"


def fixture_facts() -> dict:
    with sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True) as conn:
        return {
            "revision": conn.execute("SELECT version_num FROM alembic_version").fetchone()[0],
            "customers": conn.execute("SELECT count(*) FROM customer").fetchone()[0],
            "staff": conn.execute("SELECT count(*) FROM staff").fetchone()[0],
            "visits": conn.execute("SELECT count(*) FROM visit").fetchone()[0],
            "collected": conn.execute("SELECT sum(amount) FROM payment").fetchone()[0],
            "first": conn.execute(
                "SELECT c.name, s.handle FROM customer c JOIN staff s ON s.id = c.owner_id ORDER BY c.id LIMIT 1"
            ).fetchone(),
        }


def check_upgraded(cli, url: str, facts: dict, monkeypatch) -> None:
    from sqlalchemy import create_engine, text

    from salesctl import db
    from salesctl.migrations import HEAD

    monkeypatch.setenv("SALESCTL_DB", url)
    listed = cli("customer", "list", "--all", "--format", "json", as_=DIRECTOR)
    assert listed.exit_code == 0, listed
    rows = listed.json()
    assert len(rows) == facts["customers"]
    first = min(rows, key=lambda r: r["id"])
    assert (first["name"], first["owner"]) == tuple(facts["first"])
    staff = cli("staff", "list", "--format", "json", as_=DIRECTOR)
    assert staff.exit_code == 0 and len(staff.json()) == facts["staff"]
    # the upgraded database takes new writes (sequences and defaults survived)
    logged = cli("visit", "log", first["name"], "--kind", "call", "--content", "after the upgrade", "--result", "ok", "--contact", "王经理", as_=first["owner"])
    assert logged.exit_code == 0, logged
    db.dispose_all()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert conn.execute(text("SELECT count(*) FROM visit")).scalar() == facts["visits"] + 1
        assert conn.execute(text("SELECT sum(amount) FROM payment")).scalar() == facts["collected"]
    engine.dispose()


def test_fixture_is_release_0_1_0():
    assert fixture_facts()["revision"] == "0001"


def test_a_0_1_0_sqlite_database_upgrades_to_head(cli, tmp_path, monkeypatch, _template):
    if _template[0] != "sqlite":
        pytest.skip("the SQLite file upgrade runs in the SQLite suite")
    facts = fixture_facts()
    copy = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, copy)
    check_upgraded(cli, f"sqlite:///{copy}", facts, monkeypatch)


def test_a_0_1_0_postgresql_database_upgrades_to_head(cli, monkeypatch, _template):
    if _template[0] != "pg":
        pytest.skip("needs SALESCTL_TEST_DB=postgresql…")
    from sqlalchemy import MetaData, Table, create_engine, text
    from sqlalchemy.engine import make_url

    from salesctl import db
    from salesctl.migrations.runner import run_upgrade

    facts = fixture_facts()
    admin = _template[1]
    name = f"salesctl_up_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)
    try:
        engine = create_engine(url)
        run_upgrade(engine, "0001")
        old = create_engine(f"sqlite:///file:{FIXTURE}?mode=ro&uri=true")
        source = MetaData()
        source.reflect(old)
        with old.connect() as src, engine.begin() as dst:
            target = MetaData()
            for table in source.sorted_tables:
                if table.name == "alembic_version":
                    continue
                rows = [dict(r._mapping) for r in src.execute(table.select())]
                if rows:
                    dst.execute(Table(table.name, target, autoload_with=dst).insert(), rows)
                if "id" in table.c:
                    dst.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"coalesce((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false)"))
        old.dispose()
        engine.dispose()
        check_upgraded(cli, url, facts, monkeypatch)
    finally:
        db.dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
