"""EXPLAIN QUERY PLAN for the hot queries (SQLite): every filter the commands offer is served by an index.

Two checks: the hot queries written by hand must SEARCH with their index, and the
statements the real commands send (captured from the engine while they run on the
demo company) must never SCAN a big table (visits, customers, deals, payments,
reports and the history tables) from end to end. PostgreSQL plans by statistics
and is not checked here.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from conftest import TEST_DB

pytestmark = pytest.mark.skipif(TEST_DB.startswith("postgresql"), reason="EXPLAIN QUERY PLAN is SQLite's")

BIG = ("visit", "customer", "deal", "payment", "report", "grade_change", "deal_stage_change", "ownership_entry",
       "contact", "audit_entry", "lead", "complaint")


def _plan(path: str, sql: str, params=()) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql, params)]
    finally:
        con.close()


def _path(url: str) -> str:
    return url[len("sqlite:///"):]


HAND = [
    ("visits by rep and time", "SELECT id FROM visit WHERE rep_id = ? AND at >= ? AND at < ?", (6, "2026-11-23", "2026-11-30"),
     "ix_visit_rep_at"),
    ("visits of a customer", "SELECT id FROM visit WHERE customer_id = ? ORDER BY at", (1,), "ix_visit_customer_at"),
    ("visits in a week", "SELECT rep_id, count(*) FROM visit WHERE at >= ? AND at < ? GROUP BY rep_id",
     ("2026-11-23", "2026-11-30"), "ix_visit_at"),
    ("open follow-ups due", "SELECT id FROM visit WHERE follow_up_done = 0 AND follow_up < ?", ("2026-11-27",),
     "ix_visit_open_follow_up"),
    ("customers by owner and grade", "SELECT id FROM customer WHERE owner_id = ? AND grade = ?", (6, "A"),
     "ix_customer_owner_grade"),
    ("customer list by grade", "SELECT id, name FROM customer WHERE grade IN ('A') ORDER BY id", (),
     "ix_customer_grade_id"),
    ("payments by date", "SELECT deal_id, amount FROM payment WHERE paid_on >= ? AND paid_on <= ?",
     ("2026-11-01", "2026-11-30"), "ix_payment_paid_on"),
    ("reports by kind and period", "SELECT rep_id, status FROM report WHERE kind = ? AND period_start = ?",
     ("weekly", "2026-11-23"), "ix_report_kind_start"),
    ("deals by owner and status", "SELECT id FROM deal WHERE owner_id = ? AND status = ?", (6, "open"),
     "ix_deal_owner_status"),
    ("deals won in a period", "SELECT owner_id, count(*) FROM deal WHERE won_on >= ? AND won_on <= ? GROUP BY owner_id",
     ("2026-11-01", "2026-11-30"), "ix_deal_won_on"),
    ("grade changes in a period", "SELECT customer_id FROM grade_change WHERE at >= ? AND at < ?",
     ("2026-11-23", "2026-11-30"), "ix_grade_change_at"),
    ("a customer's ledger", "SELECT id FROM ownership_entry WHERE customer_id = ? ORDER BY id", (1,),
     "ix_ownership_customer_id"),
]


@pytest.mark.parametrize("what, sql, params, index", HAND, ids=[h[0] for h in HAND])
def test_hot_queries_search_their_index(demo, what, sql, params, index):
    plan = _plan(_path(demo), sql, params)
    assert any(line.startswith("SEARCH") and index in line for line in plan), (what, plan)
    assert not any("TEMP B-TREE FOR ORDER BY" in line for line in plan), (what, plan)  # lists come in index order


COMMANDS = [
    ("zhao.min", ("visit", "list", "--rep", "wang.fang", "--week", "this")),
    ("zhao.min", ("visit", "list", "--customer", "1", "--all")),
    ("zhao.min", ("visit", "due", "--all")),
    ("wang.fang", ("visit", "due")),
    ("zhao.min", ("summary", "week", "--all")),
    ("zhang.wei", ("summary", "month", "--team")),
    ("wang.fang", ("report", "daily")),
    ("wang.fang", ("report", "weekly")),
    ("zhao.min", ("report", "missing", "--week", "this")),
    ("zhao.min", ("customer", "list", "--grade", "A")),
    ("zhao.min", ("customer", "list", "--rep", "wang.fang", "--grade", "A")),
    ("zhao.min", ("customer", "list", "--stale", "30", "--rep", "wang.fang")),
    ("zhang.wei", ("customer", "grades", "--team")),
    ("zhao.min", ("payment", "list", "--month", "this")),
    ("zhao.min", ("deal", "list", "--rep", "wang.fang", "--status", "open")),
    ("zhao.min", ("deal", "pipeline", "--rep", "wang.fang")),
]


def _aliases(sql: str) -> dict[str, str]:
    """alias → table for the big tables in a statement (FROM visit AS visit_1, JOIN customer AS owner …)."""
    names = {t: t for t in BIG}
    for table, alias in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)\s+AS\s+(\w+)", sql, flags=re.I):
        names[alias] = table
    return names


def _id(case) -> str:
    values = case.values if hasattr(case, "values") else case
    return " ".join(values[1])


def run_capturing_selects(url, cli, actor, argv):
    """Run a command; return its result and every SELECT it sent, with parameters (for EXPLAIN)."""
    from sqlalchemy import event

    from salesctl import db

    engine = db.get_engine(cli.logins.get(actor, url))  # SALESCTL_TEST_LOGINS=1: the actor's own connection
    seen: list[tuple[str, object]] = []

    def grab(_conn, _cursor, statement, parameters, _context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        result = cli(*argv, as_=actor)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return result, seen


@pytest.mark.parametrize("actor, argv", COMMANDS, ids=[_id(c) for c in COMMANDS])
def test_commands_never_scan_a_big_table(demo, cli, actor, argv):
    result, seen = run_capturing_selects(demo, cli, actor, argv)
    assert result.exit_code in (0, 1), result
    assert seen, "no statements captured"
    for statement, params in seen:
        names = _aliases(statement)
        for line in _plan(_path(demo), statement, params):
            m = re.match(r"SCAN (\w+)", line)
            if m and names.get(m.group(1)) in BIG:
                pytest.fail(f"{' '.join(argv)}: full scan of {names[m.group(1)]} ({line}) in\n{statement}")
