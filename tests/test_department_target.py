"""Issue 16, item 11's last part: the director's department target in `summary month --all`, against the
sum of the teams (table and JSON); attainment a percentage in tables, a decimal ratio in JSON."""

from __future__ import annotations

from datetime import date

from conftest import query


def ok(result):
    assert result.exit_code == 0, result
    return result


def _sales(db_url):
    from test_commission_data import Data

    data = Data(db_url)
    for handle, amount, day in (("rep_a1", "40000.00", date(2026, 11, 3)), ("rep_b1", "60000.00", date(2026, 11, 9)),
                                ("rep_a2", "5000.00", date(2026, 10, 20))):
        cust = data.customer(handle, f"{handle}-{amount}")
        deal = data.deal(handle, cust, "合同", amount, won_on=day)
        data.payment(deal, amount, day)


def test_summary_month_all_shows_the_department_target_against_the_teams(org, cli, db_url):
    _sales(db_url)
    ok(cli("target", "set", "--department", "--month", "2026-11", "--amount", "200000", as_="dir"))
    ok(cli("target", "set", "mgr_a", "--month", "2026-11", "--amount", "80000", as_="dir"))
    ok(cli("target", "set", "mgr_b", "--quarter", "2026-Q4", "--amount", "300000", as_="dir"))  # a third: 100000
    ok(cli("target", "set", "rm_b", "--month", "2026-11", "--amount", "999", as_="mgr_b"))  # inside mgr_b's team
    ok(cli("target", "set", "rep_a1", "--month", "2026-11", "--amount", "50000", as_="mgr_a"))
    before = query(db_url, "select count(*) from target")

    doc = ok(cli("summary", "month", "--month", "2026-11", "--all", "--format", "json", as_="dir")).json()
    assert set(doc) >= {"period", "scope", "rows", "totals"}  # the existing keys stay
    assert doc["totals"]["attainment"] == "0.800"  # rep_a1's 40000 of 50000: unchanged
    assert doc["department"] == {
        "director": "dir", "period": "2026-11", "target": "200000.00", "teams_target": "180000.00",
        "reps_target": "50000.00", "payments": "100000.00", "attainment": "0.500",
        "teams": [{"manager": "mgr_a", "target": "80000.00", "payments": "40000.00", "attainment": "0.500"},
                  {"manager": "mgr_b", "target": "100000.00", "payments": "60000.00", "attainment": "0.600"}]}
    table = ok(cli("summary", "month", "--month", "2026-11", "--all", as_="dir")).stdout
    assert ("Department target 2026-11 (dir): 200,000.00; teams' targets 180,000.00; reps' targets 50,000.00; "
            "collected 100,000.00 (50.0% of target)") in table
    assert "team mgr_a: target 80,000.00, collected 40,000.00 (50.0%)" in table
    assert "team mgr_b: target 100,000.00, collected 60,000.00 (60.0%)" in table
    assert "80.0%" in table  # the rep's attainment column is a percentage too
    # the same under --by, and for the director's own team; not for a manager's team or a week
    grouped = ok(cli("summary", "month", "--month", "2026-11", "--all", "--by", "manager", "--format", "json", as_="dir")).json()
    assert grouped["department"] == doc["department"]
    assert ok(cli("summary", "month", "--month", "2026-11", "--team", "--format", "json", as_="dir")).json()["department"] \
        == doc["department"]
    assert "department" not in ok(cli("summary", "month", "--month", "2026-11", "--format", "json", as_="mgr_a")).json()
    assert "department" not in ok(cli("summary", "week", "--all", "--format", "json", as_="dir")).json()
    assert "Department target" not in ok(cli("summary", "month", "--month", "2026-11", "--team", as_="mgr_a")).stdout
    assert query(db_url, "select count(*) from target") == before  # reading writes nothing


def test_without_a_department_target_the_summary_is_as_before(org, cli, db_url):
    _sales(db_url)
    ok(cli("target", "set", "mgr_a", "--month", "2026-11", "--amount", "80000", as_="dir"))
    doc = ok(cli("summary", "month", "--month", "2026-11", "--all", "--format", "json", as_="dir")).json()
    assert "department" not in doc
    assert "Department target" not in ok(cli("summary", "month", "--month", "2026-11", "--all", as_="dir")).stdout
    # a quarter's department target counts a third for the month
    ok(cli("target", "set", "--department", "--quarter", "2026-Q4", "--amount", "300000", as_="dir"))
    doc = ok(cli("summary", "month", "--month", "2026-11", "--all", "--format", "json", as_="dir")).json()
    assert (doc["department"]["target"], doc["department"]["attainment"]) == ("100000.00", "1.000")
