"""PostgreSQL plans for the statements the real commands send: an index can serve every filter.

The same commands as the SQLite plan test (`test_query_plans.COMMANDS`) run on the demo
company; each SELECT they send is EXPLAINed on PostgreSQL with sequential scans made
expensive (`enable_seqscan = off`), so a remaining Seq Scan of a big table means no index
fits the query's shape. (With the planner left alone, a table of the demo's size is cheaper
to scan; the scale set's plans are in benchmarks/bench_summary.py.)
"""

from __future__ import annotations

import json

import pytest

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
    engine = db.get_engine(demo)
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
