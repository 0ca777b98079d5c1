"""The claim ledger is append-only and the only way ownership moves: the guard that makes a change of
owner without a ledger entry impossible, and two processes claiming one customer at the same moment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import query

FORM = ("--contact", "张伟", "--title", "采购经理", "--status", "跟进中")


def ok(result):
    assert result.exit_code == 0, result
    return result


def pool_customers(cli, db_url, count):
    """`count` Retail customers in the pool: reported by rep_a1, then released."""
    ids = []
    for i in range(count):
        name = f"公海客户{i}"
        ok(cli("claim", "add", name, "--need", "x", *FORM, "--phone", f"1390000000{i}", as_="rep_a1"))
        ok(cli("claim", "release", name, as_="rep_a1"))
        ids.append(query(db_url, "select id from customer where name = :n", n=name)[0][0])
    return ids


# --------------------------------------------------------------------------- the guard
@pytest.fixture
def session(org, cli, db_url):
    from sqlmodel import Session

    from salesctl import db

    ok(cli("claim", "add", "华为技术有限公司", "--need", "x", *FORM, "--phone", "13812345678", as_="rep_a1"))
    engine = db.get_engine(db_url)
    with Session(engine) as sess:
        yield sess
        sess.rollback()


def _customer(session):
    from sqlmodel import select

    from salesctl.models import Customer

    return session.exec(select(Customer)).one()


def _staff(session, handle):
    from sqlmodel import select

    from salesctl.models import Staff

    return session.exec(select(Staff).where(Staff.handle == handle)).one()


def test_changing_the_owner_without_a_ledger_entry_is_refused(session, db_url):
    from salesctl.services.customers.ownership import LedgerViolation

    customer = _customer(session)
    customer.owner_id = _staff(session, "rep_b1").id
    session.add(customer)
    with pytest.raises(LedgerViolation, match="ledger entry"):
        session.flush()
    session.rollback()
    assert query(db_url, "select s.handle from customer c join staff s on s.id = c.owner_id") == [("rep_a1",)]


def test_an_entry_for_another_owner_does_not_cover_the_change(session):
    from salesctl.models import OwnershipEntry
    from salesctl.services.customers.ownership import LedgerViolation

    customer = _customer(session)
    rep_b1, rep_a2 = _staff(session, "rep_b1"), _staff(session, "rep_a2")
    session.add(OwnershipEntry(customer_id=customer.id, kind="grant", staff_id=rep_a2.id, to_owner_id=rep_a2.id,
                               at=customer.created_at))
    customer.owner_id = rep_b1.id
    with pytest.raises(LedgerViolation):
        session.flush()


def test_ledger_entries_are_never_edited_or_deleted(session):
    from sqlalchemy import delete, update
    from sqlmodel import select

    from salesctl.models import Customer, OwnershipEntry
    from salesctl.services.customers.ownership import LedgerViolation

    entry = session.exec(select(OwnershipEntry).where(OwnershipEntry.kind == "grant")).one()
    entry.need = "rewritten"
    with pytest.raises(LedgerViolation, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(session.exec(select(OwnershipEntry).where(OwnershipEntry.kind == "grant")).one())
    with pytest.raises(LedgerViolation, match="append-only"):
        session.flush()
    session.rollback()
    with pytest.raises(LedgerViolation):
        session.execute(update(OwnershipEntry).values(note="x"))
    with pytest.raises(LedgerViolation):
        session.execute(delete(OwnershipEntry))
    with pytest.raises(LedgerViolation, match="owner_id"):
        session.execute(update(Customer).values(owner_id=None))
    # other bulk updates of customers are fine
    session.execute(update(Customer).values(grade="B"))


def test_a_new_customer_with_an_owner_needs_a_matching_ledger_entry_by_commit(session):
    from salesctl.models import Customer, OwnershipEntry
    from salesctl.services.customers.ownership import LedgerViolation

    rep = _staff(session, "rep_a1")
    template = _customer(session)
    orphan = Customer(name="无台账客户", name_norm="无台账客户", owner_id=rep.id, created_at=template.created_at,
                      updated_at=template.created_at)
    session.add(orphan)
    session.flush()
    with pytest.raises(LedgerViolation, match="ledger"):
        session.commit()
    session.rollback()
    # the same insert with its ledger entry in the transaction commits (how the demo loader works)
    good = Customer(name="有台账客户", name_norm="有台账客户", owner_id=rep.id, created_at=template.created_at,
                    updated_at=template.created_at)
    session.add(good)
    session.flush()
    session.add(OwnershipEntry(customer_id=good.id, kind="report", staff_id=rep.id, to_owner_id=rep.id,
                               at=template.created_at))
    session.commit()


def test_change_owner_is_the_way_and_the_cache_matches_the_ledger(session):
    from salesctl.periods import Clock
    from salesctl.services.context import Ctx
    from salesctl.services.customers.ownership import change_owner, ledger_mismatches

    boss = _staff(session, "boss")
    ctx = Ctx(session=session, actor=boss, clock=Clock.system("2026-11-27T18:00"))
    customer = _customer(session)
    change_owner(ctx, customer, _staff(session, "rep_b1").id, "transfer")
    session.commit()
    assert ledger_mismatches(session) == []


def test_the_demo_company_is_consistent_with_its_ledger(demo):
    from sqlmodel import Session

    from salesctl import db
    from salesctl.services.customers.ownership import ledger_mismatches

    with Session(db.get_engine(demo)) as sess:
        assert ledger_mismatches(sess) == []


# --------------------------------------------------------------------------- two processes at once
def _spawn(db_url, env, handle, args, start_at):
    """`python -m salesctl --db URL --as HANDLE claim add …`, held until start_at so both race."""
    wrapper = (
        "import runpy, sys, time\n"
        "import salesctl.cli, salesctl.services.sales.claims, salesctl.services.customers.customers\n"
        "from salesctl import db\n"
        "db.ensure_ready(sys.argv[3])  # warm up: imports and a pooled connection before the start line\n"
        "time.sleep(max(0.0, float(sys.argv[1]) - time.time()))\n"
        "sys.argv = ['salesctl'] + sys.argv[2:]\n"
        "runpy.run_module('salesctl', run_name='__main__')\n"
    )
    argv = ["--db", db_url, "--as", handle, "--now", "2026-11-27T17:30:00", "claim", "add", *args, "--format", "json"]
    return subprocess.Popen([sys.executable, "-c", wrapper, str(start_at), *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _race(db_url, tmp_path, pairs):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    env["SALESCTL_HOME"] = str(tmp_path / "race-home")
    env["SALESCTL_NO_INPUT"] = "1"
    outcomes = []
    for (handle_1, args_1), (handle_2, args_2) in pairs:
        start_at = time.time() + 2.5
        procs = [_spawn(db_url, env, handle_1, args_1, start_at), _spawn(db_url, env, handle_2, args_2, start_at)]
        results = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            results.append(json.loads(out))
        outcomes.append(results)
    return outcomes


def test_two_processes_claiming_one_unowned_customer_at_once(org, cli, db_url, tmp_path):
    ids = pool_customers(cli, db_url, 3)
    pairs = [(("rep_a1", (str(cid), "--need", "甲一")), ("rep_b1", (str(cid), "--need", "乙一"))) for cid in ids]
    outcomes = _race(db_url, tmp_path, pairs)
    for cid, results in zip(ids, outcomes):
        assert sorted(r["status"] for r in results) == ["granted", "pending"], results
        winner = next(r for r in results if r["status"] == "granted")
        loser = next(r for r in results if r["status"] == "pending")
        claims = query(db_url, "select e.id, e.kind, s.handle from ownership_entry e join staff s on s.id = e.staff_id "
                               "where e.customer_id = :i and e.kind in ('grant', 'request') and e.id > "
                               "(select max(id) from ownership_entry where customer_id = :i and kind = 'release') "
                               "order by e.id", i=cid)
        assert [k for _, k, _ in claims] == ["grant", "request"]  # the winner's entry comes first
        assert claims[0][0] == winner["id"] and claims[1][0] == loser["id"]
        owner = query(db_url, "select s.handle from customer c join staff s on s.id = c.owner_id where c.id = :i", i=cid)
        assert owner == [(claims[0][2],)] and loser["holder"] == claims[0][2]


def test_two_processes_reporting_one_new_customer_at_once(org, cli, db_url, tmp_path):
    form = ("--need", "x", *FORM, "--phone", "13712345678")
    pairs = [(("rep_a1", ("同时新客户",) + form), ("rep_b1", ("同时新客户",) + form))]
    (results,) = _race(db_url, tmp_path, pairs)
    assert sorted(r["status"] for r in results) == ["granted", "pending"], results
    assert query(db_url, "select count(*) from customer where name = '同时新客户'") == [(1,)]
    kinds = [k for (k,) in query(db_url, "select kind from ownership_entry order by id")]
    assert kinds == ["report", "grant", "request"]


# --------------------------------------------------------------------------- query plans (SQLite)
BIG = ("visit", "customer", "deal", "payment", "ownership_entry", "contact", "audit_entry", "lead", "missed_sale_share")
PLAN_CASES = [
    ("zhao.min", ("claim", "list", "--pending")),
    ("zhang.wei", ("claim", "list", "--pending", "--team")),
    ("wang.fang", ("claim", "list")),
    ("zhao.min", ("claim", "list", "--customer", "1")),
    ("zhao.min", ("claim", "expire", "--dry-run", "--rep", "wang.fang")),
    ("zhang.wei", ("lead", "list")),
    ("lin.xue", ("lead", "list")),
    ("zhao.min", ("lead", "assign", "1", "--explain")),
    ("wang.fang", ("claim", "add", "1", "--need", "x")),
]


@pytest.mark.skipif(os.environ.get("SALESCTL_TEST_DB", "sqlite").startswith("postgresql"),
                    reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize("actor, argv", PLAN_CASES, ids=[" ".join(c[1]) + f" ({c[0]})" for c in PLAN_CASES])
def test_claim_and_lead_commands_never_scan_a_big_table(demo, cli, actor, argv, tmp_path, monkeypatch):
    import re
    import sqlite3

    from sqlalchemy import event

    from salesctl import db

    policy = tmp_path / "policy.toml"
    policy.write_text("[pool]\nenabled = true\n", encoding="utf-8")
    monkeypatch.setenv("SALESCTL_POLICY", str(policy))
    ok(cli("lead", "add", "线索公司", "--contact", "李明", "--phone", "13911112222", "--industry", "制造业",
           "--region", "华东", "--source", "展会", as_="lin.xue"))
    engine = db.get_engine(demo)
    seen = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        ok(cli(*argv, as_=actor))
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    con = sqlite3.connect(demo[len("sqlite:///"):])
    try:
        for statement, params in seen:
            aliases = {alias: table for table, alias in
                       re.findall(r"\b(?:FROM|JOIN)\s+(\w+)\s+AS\s+(\w+)", statement, flags=re.I)}
            for row in con.execute("EXPLAIN QUERY PLAN " + statement, params):
                m = re.match(r"SCAN (\w+)", row[3])
                if m and aliases.get(m.group(1), m.group(1)) in BIG:
                    pytest.fail(f"{' '.join(argv)}: full scan ({row[3]}) in\n{statement}")
    finally:
        con.close()
