"""PostgreSQL plans for the statements the real commands send: an index can serve every filter, and is used.

The same commands as the SQLite plan test (`test_query_plans.COMMANDS`) run on the demo
company; each SELECT they send is EXPLAINed on PostgreSQL with sequential scans made
expensive (`enable_seqscan = off`), so a remaining Seq Scan of a big table means no index
fits the query's shape. (With the planner left alone, a table of the demo's size is cheaper
to scan; the scale set's plans are in benchmarks/bench_summary.py.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from conftest import TEST_DB
from test_query_plans import BIG, COMMANDS, _id, run_capturing_selects

pytestmark = pytest.mark.skipif(not TEST_DB.startswith("postgresql"), reason="EXPLAIN on PostgreSQL")


def _seq_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in BIG:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", ()):
        found += _seq_scans(child)
    return found


@pytest.mark.parametrize("actor, argv", COMMANDS, ids=[_id(c) for c in COMMANDS])
def test_commands_have_an_index_for_every_big_table(demo, cli, actor, argv):
    from salesctl import db

    result, seen = run_capturing_selects(demo, cli, actor, argv)
    assert result.exit_code in (0, 1), result
    assert seen, "no statements captured"
    engine = db.get_engine(demo)  # the statements' own shape (the administrator: RLS's cost is benchmarks/bench_rls.py's)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        cursor.execute("SET enable_seqscan = off")
        for statement, params in seen:
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, params or None)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            scans = _seq_scans(plan[0]["Plan"])
            if scans:
                pytest.fail(f"{' '.join(argv)}: no index for {', '.join(scans)} in\n{statement}")
    finally:
        raw.rollback()
        raw.close()


def test_the_check_sees_a_filter_no_index_serves(demo):
    from salesctl import db

    raw = db.get_engine(demo).raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) SELECT id FROM visit WHERE content = %s", ("x",))
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        assert _seq_scans(plan[0]["Plan"]) == ["visit"]
    finally:
        raw.rollback()
        raw.close()


# --------------------------------------------------------------------------- the planner left alone
# On the demo company every table is small enough that a Seq Scan is the cheapest plan, so
# the tests above force the planner's hand. Below, a generated company (benchmarks/generate.py,
# a few thousand customers, tens of thousands of visits, ANALYZEd as the generator leaves it)
# is big enough that PostgreSQL's own choice matters: the commands' statements are EXPLAIN
# ANALYZEd as they are sent, with the planner's defaults, and must read visits only through
# an index and never read a big table whole to keep a small part of it.

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
NOW = "2026-11-27T17:30:00+08:00"  # the generator's "now" on its default end date
SELECTIVE = 0.1  # a Seq Scan that keeps less than this share of the rows it reads had an index to use


@pytest.fixture(scope="module")
def company(_template, tmp_path_factory):
    """A generated company (40 staff, 3,000 customers, 30,000 visits, 1,500 deals), shared by this module."""
    from sqlalchemy import text

    from conftest import _wait_for_backends, drop_roles, fresh_database
    from salesctl import db

    sys.path.insert(0, str(BENCH))
    try:
        import generate
    finally:
        sys.path.remove(str(BENCH))
    url = fresh_database(_template, tmp_path_factory.mktemp("plans"))
    made = generate.generate(url, customers=3000, visits=30000, deals=1500, staff=40, seed=5, quiet=True)
    yield url, made
    db.dispose_all()
    with _template[1].connect() as conn:
        name = make_url(url).database
        _wait_for_backends(conn, name)
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        drop_roles(conn, name)


def _explain_analyze(cursor, statement: str, params) -> dict:
    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params or None)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]


def _full_reads(plan: dict) -> list[str]:
    """The plan's Seq Scans that an index should have served: any of visit, and a selective one of a big table."""
    found = []
    table = plan.get("Relation Name")
    if plan.get("Node Type") == "Seq Scan" and table in BIG:
        kept = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1)
        read = kept + plan.get("Rows Removed by Filter", 0) * plan.get("Actual Loops", 1)
        if table == "visit":
            found.append(f"Seq Scan on visit ({read} rows read)")
        elif read and kept < SELECTIVE * read:
            found.append(f"Seq Scan on {table} keeping {kept} of {read} rows ({plan.get('Filter')})")
    for child in plan.get("Plans", ()):
        found += _full_reads(child)
    return found


def _indexes(plan: dict) -> set[str]:
    names = {plan["Index Name"]} if "Index Name" in plan else set()
    for child in plan.get("Plans", ()):
        names |= _indexes(child)
    return names


def _commands(made: dict) -> list[tuple[str, tuple[str, ...]]]:
    gm, manager, rep = made["gm"], made["manager"], made["rep"]
    return [
        (gm, ("summary", "week", "--all")),
        (gm, ("summary", "month", "--all")),
        (manager, ("summary", "week", "--team")),
        (manager, ("summary", "month", "--team")),
        (gm, ("visit", "due", "--all")),
        (rep, ("visit", "due")),
        (gm, ("visit", "list", "--rep", rep, "--week", "this")),
        (gm, ("report", "missing", "--week", "this")),
        (gm, ("customer", "list", "--grade", "A")),
        (gm, ("customer", "list", "--rep", rep)),
        (gm, ("customer", "list", "--stale", "30", "--rep", rep)),
        (gm, ("deal", "list", "--rep", rep, "--status", "open")),
        (gm, ("payment", "list", "--month", "this")),
    ]


def test_generated_company_plans_read_through_indexes(company, cli, monkeypatch):
    from salesctl import db

    url, made = company
    monkeypatch.setenv("SALESCTL_DB", url)
    failures = []
    for actor, argv in _commands(made):
        result, seen = run_capturing_selects(url, cli, actor, argv)
        assert result.exit_code in (0, 1), (argv, result)
        assert seen, f"{' '.join(argv)}: no statements captured"
        raw = db.get_engine(url).raw_connection()
        try:
            cursor = raw.cursor()
            for statement, params in seen:
                for problem in _full_reads(_explain_analyze(cursor, statement, params)):
                    failures.append(f"{' '.join(argv)}: {problem} in\n  {' '.join(statement.split())[:400]}")
        finally:
            raw.rollback()
            raw.close()
    assert not failures, "\n".join(failures)


def test_overdue_follow_ups_probe_the_open_ones(company, cli, monkeypatch):
    """The issue's case: only the open follow-ups are read (their index), and for each one the
    customer's later visits are probed by (customer_id, at); no visit is hashed or read whole."""
    from salesctl import db

    url, made = company
    monkeypatch.setenv("SALESCTL_DB", url)
    for argv in (("summary", "week", "--all"), ("visit", "due", "--all")):
        result, seen = run_capturing_selects(url, cli, made["gm"], argv)
        assert result.exit_code == 0, result
        statements = [(s, p) for s, p in seen if "follow_up_done" in s]
        assert statements, f"{' '.join(argv)}: no follow-up statement captured"
        raw = db.get_engine(url).raw_connection()
        try:
            for statement, params in statements:
                plan = _explain_analyze(raw.cursor(), statement, params)
                assert {"ix_visit_open_follow_up", "ix_visit_customer_at"} <= _indexes(plan), (argv, plan)
                assert _full_reads(plan) == [], (argv, plan)
        finally:
            raw.rollback()
            raw.close()


def test_the_full_read_check_sees_a_filter_no_index_serves(company):
    from salesctl import db

    url, _made = company
    raw = db.get_engine(url).raw_connection()
    try:
        cursor = raw.cursor()
        plan = _explain_analyze(cursor, "SELECT id FROM visit WHERE content = %s", ("x",))
        assert _full_reads(plan) == ["Seq Scan on visit (30000 rows read)"]
        plan = _explain_analyze(cursor, "SELECT id FROM customer WHERE address = %s", ("x",))
        assert len(_full_reads(plan)) == 1 and "keeping 0 of 3000 rows" in _full_reads(plan)[0]
    finally:
        raw.rollback()
        raw.close()
