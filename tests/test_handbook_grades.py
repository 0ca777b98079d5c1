"""Issue 16, items 4 and 10: automatic regrade never destroys a grade a person set; a lost deal owes nothing."""

from __future__ import annotations

from conftest import query
from test_visit_fixtures import add_deal, make_customer


def ok(result):
    assert result.exit_code == 0, result
    return result


def grades(url, where):
    return dict(query(url, f"select id, grade from customer where {where} order by id"))


def test_auto_regrade_on_the_demo_keeps_undated_and_won_customers_and_lists_reviews(demo, cli, db_url):
    from sqlalchemy import create_engine, text

    # a person graded an undated customer B a month ago (beyond the 14-day hold)
    first = min(grades(db_url, "expected_purchase is null"))
    ok(cli("customer", "regrade", str(first), "B", "--reason", "老板确认有预算"))
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("update grade_change set at = '2026-10-20 00:00:00' where customer_id = :i"), {"i": first})
    engine.dispose()
    undated = grades(db_url, "expected_purchase is null")
    won = grades(db_url, "status <> 'following'")
    assert undated[first] == "B" and won
    dry = ok(cli("customer", "regrade", "--auto", "--dry-run", "--all", "--format", "json"))
    changed = {r["customer_id"] for r in dry.json()}
    assert not changed & set(undated) and not changed & set(won)
    assert "needs review" in dry.stderr and "no expected purchase date" in dry.stderr
    ok(cli("customer", "regrade", "--auto", "--all"))
    assert grades(db_url, "expected_purchase is null") == undated
    assert grades(db_url, "status <> 'following'") == won
    # twice changes nothing
    assert ok(cli("customer", "regrade", "--auto", "--all", "--format", "json")).json() == []


def test_the_rules_by_example(org, cli, db_url):
    soon = make_customer(db_url, "下月采购", "rep_a1", grade="C")
    kept = make_customer(db_url, "没有日期", "rep_a1", grade="B")
    past = make_customer(db_url, "日期已过", "rep_a1", grade="A")
    won = make_customer(db_url, "已成交客户", "rep_a1", grade="B")
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("update customer set expected_purchase = :d where id = :i"), {"d": "2026-12-15", "i": soon})
        conn.execute(text("update customer set expected_purchase = :d where id = :i"), {"d": "2026-11-01", "i": past})
        conn.execute(text("update customer set expected_purchase = :d where id = :i"), {"d": "2027-06-01", "i": won})
    engine.dispose()
    deal = add_deal(cli, "已成交客户", as_="rep_a1")
    ok(cli("deal", "won", str(deal), as_="rep_a1"))
    assert query(db_url, "select status from customer where id = :i", i=won) == [("won",)]  # deal won → 已成交
    # the make_customer grades count as set by hand long ago: the hold does not apply
    with create_engine(db_url).begin() as conn:
        conn.execute(text("update grade_change set at = '2026-01-01 00:00:00'"))
    result = ok(cli("customer", "regrade", "--auto", "--all", "--format", "json", as_="dir"))
    assert [(r["customer_id"], r["from"], r["to"]) for r in result.json()] == [(soon, "C", "A")]
    assert grades(db_url, f"id in ({kept}, {past}, {won})") == {kept: "B", past: "A", won: "B"}
    assert "没有日期" in result.stderr and "日期已过" in result.stderr
    # the owner sees them in `visit due`
    due = ok(cli("visit", "due", "--format", "json", as_="rep_a1")).json()
    assert sorted(r["customer_id"] for r in due if r["kind"] == "review") == [kept, past]
    assert all(r["kind"] != "review" for r in ok(cli("visit", "due", "--format", "json", as_="rep_a2")).json())


# --------------------------------------------------------------------------- item 10
def test_a_lost_deal_owes_nothing(org, cli, db_url):
    make_customer(db_url, "华光科技", "rep_a1")
    deal = add_deal(cli, "华光科技", as_="rep_a1", amount="5000")
    lost = ok(cli("deal", "lost", str(deal), "--reason", "price", "--format", "json", as_="rep_a1")).json()
    assert lost["outstanding"] == "0.00"
    assert ok(cli("deal", "show", str(deal), "--format", "json", as_="rep_a1")).json()["outstanding"] == "0.00"
    listed = ok(cli("deal", "list", "--format", "json", as_="rep_a1")).json()
    assert [r["outstanding"] for r in listed] == ["0.00"]
    other = add_deal(cli, "华光科技", as_="rep_a1", amount="700")
    table = ok(cli("deal", "list", as_="rep_a1")).stdout
    assert "Outstanding" in table and "700.00" in table
    assert other


# --------------------------------------------------------------------------- item 11: annual and department targets
def test_annual_and_department_targets(org, cli, db_url):
    from datetime import date

    from test_commission_data import Data

    data = Data(db_url)
    for handle, amount, day in (("rep_a1", "40000.00", date(2026, 3, 3)), ("rep_b1", "60000.00", date(2026, 11, 9))):
        cust = data.customer(handle, f"{handle}-{amount}")
        deal = data.deal(handle, cust, "合同", amount, won_on=day)
        data.payment(deal, amount, day)
    ok(cli("target", "set", "rep_a1", "--year", "2026", "--amount", "200000", as_="mgr_a"))
    ok(cli("target", "set", "--department", "--year", "2026", "--amount", "1000000", as_="dir"))
    assert cli("target", "set", "--department", "--year", "2026", "--amount", "5", as_="mgr_a").exit_code == 2
    assert cli("target", "set", "dir", "--department", "--year", "2026", "--amount", "5", as_="mgr_a").exit_code == 3
    bad = cli("target", "set", "rep_a1", "--year", "2026", "--month", "2026-11", "--amount", "5", as_="mgr_a")
    assert bad.exit_code == 2 and "--year" in bad.stderr
    rows = {r["handle"]: r for r in ok(cli("target", "list", "--year", "2026", "--format", "json", as_="dir")).json()}
    assert (rows["rep_a1"]["period"], rows["rep_a1"]["collected"], rows["rep_a1"]["attainment"]) == ("2026", "40000.00", "0.2")
    # the department target is shown against the sum of every team
    assert (rows["dir"]["team"], rows["dir"]["collected"], rows["dir"]["attainment"]) == (True, "100000.00", "0.1")
    table = ok(cli("target", "list", "--year", "2026", as_="dir")).stdout
    assert "20.0%" in table and "10.0%" in table
