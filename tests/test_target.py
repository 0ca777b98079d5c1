"""Targets through the real CLI: set (and replace) by month or quarter, team targets, list, refusals."""

from __future__ import annotations

import json
from datetime import date

from conftest import query
from test_commission_data import Data, counts


def test_set_prints_id_stores_row_and_audit(org, cli, db_url):
    result = cli("target", "set", "rep_a1", "--month", "2026-11", "--amount", "100,000", as_="mgr_a")
    assert result.exit_code == 0, result
    target_id = int(result.stdout.strip())
    assert "Set target" in result.stderr
    assert query(db_url, "select s.handle, t.period, t.amount, t.team, b.handle from target t join staff s on s.id = t.staff_id "
                         "join staff b on b.id = t.set_by_id where t.id = :i", i=target_id) == [
        ("rep_a1", "2026-11", 10000000, False, "mgr_a")]
    audit = query(db_url, "select action, before, after from audit_entry where entity = 'target'")
    assert len(audit) == 1 and audit[0][0] == "target.set" and audit[0][1] is None
    assert json.loads(audit[0][2])["amount"] == "100000.00"
    # setting the period again replaces the amount (one row, audited before/after)
    again = cli("target", "set", "rep_a1", "--month", "2026-11", "--amount", "120000", "--format", "json", as_="dir")
    assert again.exit_code == 0, again
    assert again.json()["id"] == target_id and again.json()["amount"] == "120000.00" and again.json()["set_by"] == "dir"
    assert "Replaced target" in again.stderr
    assert query(db_url, "select count(*), max(amount) from target") == [(1, 12000000)]
    audit = query(db_url, "select before, after from audit_entry where entity = 'target' order by id")
    assert json.loads(audit[1][0])["amount"] == "100000.00" and json.loads(audit[1][1])["amount"] == "120000.00"


def test_quarter_and_team_targets(org, cli, db_url):
    assert cli("target", "set", "rep_a2", "--quarter", "2026-Q4", "--amount", "300000", as_="mgr_a").exit_code == 0
    assert cli("target", "set", "mgr_a", "--quarter", "2026-Q4", "--amount", "500000", as_="dir").exit_code == 0
    assert cli("target", "set", "rm_b", "--month", "this", "--amount", "80000", as_="mgr_b").exit_code == 0
    assert query(db_url, "select s.handle, t.period, t.team from target t join staff s on s.id = t.staff_id order by t.id") == [
        ("rep_a2", "2026-Q4", False), ("mgr_a", "2026-Q4", True), ("rm_b", "2026-11", True)]


def test_refusals_write_nothing(org, cli, db_url):
    before = counts(db_url)
    cases = [
        (("rep_a1", "--month", "2026-11", "--amount", "1000"), "rep_a1", 3, "permission denied"),
        (("rep_b1", "--month", "2026-11", "--amount", "1000"), "mgr_a", 3, "permission denied"),
        (("mgr_a", "--month", "2026-11", "--amount", "1000"), "mgr_a", 3, "permission denied"),
        (("rep_a1", "--month", "2026-11", "--amount", "1000"), "asst_b", 3, "permission denied"),
        (("dir", "--month", "2026-11", "--amount", "1000"), "boss", 2, "targets are for reps and for managers' teams"),
        (("asst_b", "--month", "2026-11", "--amount", "1000"), "dir", 2, "targets are for reps and for managers' teams"),
        (("rep_a1", "--amount", "1000"), "mgr_a", 2, "--month or --quarter"),
        (("rep_a1", "--month", "2026-11", "--quarter", "2026-Q4", "--amount", "1000"), "mgr_a", 2, "--month/--quarter"),
        (("rep_a1", "--month", "2026-13", "--amount", "1000"), "mgr_a", 2, "--month"),
        (("rep_a1", "--quarter", "2026-Q5", "--amount", "1000"), "mgr_a", 2, "--quarter"),
        (("rep_a1", "--month", "2026-11"), "mgr_a", 2, "--amount"),
        (("rep_a1", "--month", "2026-11", "--amount", "lots"), "mgr_a", 2, "--amount"),
        (("rep_a1", "--month", "2026-11", "--amount", "-5"), "mgr_a", 2, "--amount"),
        (("nobody", "--month", "2026-11", "--amount", "1000"), "mgr_a", 4, "nobody"),
    ]
    for args, who, code, needle in cases:
        result = cli("target", "set", *args, as_=who)
        assert result.exit_code == code, (args, who, result)
        assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1, (args, result)
        assert result.stdout == ""
    assert counts(db_url) == before


def test_list_shows_what_was_collected_against_each_target(org, cli, db_url):
    data = Data(db_url)
    for handle, amount, day in (("rep_a1", "40000.00", date(2026, 11, 3)), ("rep_a1", "5000.00", date(2026, 10, 3)),
                                ("rep_a2", "60000.00", date(2026, 12, 1)), ("rep_b1", "7000.00", date(2026, 11, 9))):
        cust = data.customer(handle, f"{handle}-{amount}")
        deal = data.deal(handle, cust, "合同", amount, won_on=day)
        data.payment(deal, amount, day)
    assert cli("target", "set", "rep_a1", "--month", "2026-11", "--amount", "50000", as_="mgr_a").exit_code == 0
    assert cli("target", "set", "rep_a2", "--quarter", "2026-Q4", "--amount", "300000", as_="mgr_a").exit_code == 0
    assert cli("target", "set", "mgr_a", "--quarter", "2026-Q4", "--amount", "500000", as_="dir").exit_code == 0
    assert cli("target", "set", "rep_b1", "--month", "2026-11", "--amount", "10000", as_="mgr_b").exit_code == 0
    result = cli("target", "list", "--format", "json", as_="mgr_a")
    assert result.exit_code == 0, result
    rows = {(r["handle"], r["period"]): r for r in result.json()}
    assert set(rows) == {("rep_a1", "2026-11"), ("rep_a2", "2026-Q4"), ("mgr_a", "2026-Q4")}
    a1 = rows[("rep_a1", "2026-11")]
    assert set(a1) == {"id", "handle", "name", "period", "team", "amount", "collected", "attainment", "set_by", "set_at"}
    assert (a1["amount"], a1["collected"], a1["attainment"], a1["team"]) == ("50000.00", "40000.00", "0.8", False)
    assert (rows[("rep_a2", "2026-Q4")]["collected"], rows[("rep_a2", "2026-Q4")]["attainment"]) == ("60000.00", "0.2")
    team = rows[("mgr_a", "2026-Q4")]  # the team's collections in the quarter
    assert (team["team"], team["collected"], team["attainment"]) == (True, "105000.00", "0.21")
    own = cli("target", "list", "--format", "json", as_="rep_b1").json()
    assert [(r["handle"], r["collected"]) for r in own] == [("rep_b1", "7000.00")]
    quarter = cli("target", "list", "--quarter", "2026-Q4", "--format", "csv", as_="dir")
    lines = quarter.stdout.splitlines()
    assert lines[0] == "id,handle,name,period,team,amount,collected,attainment,set_by,set_at"
    assert len(lines) == 3
    table = cli("target", "list", "--month", "2026-11", as_="dir")
    assert "rep_a1" in table.stdout and "40,000.00" in table.stdout and "rep_a2" not in table.stdout
    for who, flags in (("asst_b", ()), ("rep_a1", ("--rep", "rep_a2")), ("mgr_a", ("--manager", "mgr_b"))):
        refused = cli("target", "list", *flags, as_=who)
        assert refused.exit_code == 3 and refused.stdout == ""
