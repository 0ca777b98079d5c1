"""Payments collected (回款) via the real CLI: exact money, won deals only, overpayment, scope."""

from __future__ import annotations

import pytest

from conftest import query
from test_visit_fixtures import add_deal, assert_refused, counts, make_customer


@pytest.fixture
def won(org, db_url, cli):
    """A won deal of rep_a1 for 1000.00, an open one, and a won deal of rep_b1."""
    make_customer(db_url, "华光科技", "rep_a1", grade="A")
    make_customer(db_url, "北方零售", "rep_b1", grade="B")
    deals = {
        "a1": add_deal(cli, "华光科技", as_="rep_a1", amount="1000"),
        "open": add_deal(cli, "华光科技", as_="rep_a1", amount="500"),
        "b1": add_deal(cli, "北方零售", as_="rep_b1", amount="300"),
    }
    assert cli("deal", "won", str(deals["a1"]), as_="rep_a1").exit_code == 0
    assert cli("deal", "won", str(deals["b1"]), as_="rep_b1").exit_code == 0
    return deals


def test_add_prints_the_id_and_stores_the_payment(won, cli, db_url):
    result = cli("payment", "add", str(won["a1"]), "--amount", "¥1,234.5", "--date", "2026-11-26", "--note", "首付款",
                 "--allow-overpay", as_="rep_a1")
    assert result.exit_code == 0, result
    pid = int(result.stdout.strip())
    assert "collected 1234.50 of 1000.00" in result.stderr
    stored = query(db_url, "select deal_id, amount, paid_on, note, created_by_id from payment where id = :i", i=pid)[0]
    assert stored[:2] == (won["a1"], 123450) and str(stored[2]) == "2026-11-26" and stored[3] == "首付款"
    assert query(db_url, "select action from audit_entry where entity = 'payment' and entity_id = :i", i=pid) == [("payment.add",)]


def test_add_json_and_list_rows_have_the_contract_keys(won, cli):
    result = cli("payment", "add", str(won["a1"]), "--amount", "100", "--date", "yesterday", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    row = result.json()
    assert row == {"id": row["id"], "deal_id": won["a1"], "amount": "100.00", "date": "2026-11-26",
                   "customer": "华光科技", "owner": "rep_a1", "note": None}
    listed = cli("payment", "list", "--format", "json", as_="rep_a1").json()
    assert listed == [row]


def test_decimal_sums_stay_exact(won, cli, db_url):
    for amount in ("0.10", "0.20"):
        assert cli("payment", "add", str(won["a1"]), "--amount", amount, "--date", "today", as_="rep_a1").exit_code == 0
    detail = cli("deal", "show", str(won["a1"]), "--format", "json", as_="rep_a1").json()
    assert detail["paid"] == "0.30" and detail["outstanding"] == "999.70"
    assert [p["amount"] for p in detail["payments"]] == ["0.10", "0.20"]
    assert query(db_url, "select sum(amount) from payment")[0][0] == 30  # integer cents, no float anywhere
    table = cli("payment", "list", as_="rep_a1")
    assert "0.30" in table.stdout.splitlines()[-1]  # the total row
    listed = cli("deal", "list", "--format", "json", as_="rep_a1").json()
    assert [d["paid"] for d in listed if d["id"] == won["a1"]] == ["0.30"]
    # 0.1 + 0.2 in binary floating point is 0.30000000000000004: never seen here
    assert "0.3000" not in table.stdout


@pytest.mark.parametrize("args, needle", [
    (("--amount", "0.001", "--date", "today"), "--amount"),        # a fraction of a cent
    (("--amount", "10.005", "--date", "today"), "--amount"),
    (("--amount", "0", "--date", "today"), "--amount"),
    (("--amount", "-10", "--date", "today"), "--amount"),
    (("--amount", "ten", "--date", "today"), "--amount"),
    (("--date", "today"), "--amount"),
    (("--amount", "10"), "--date"),
    (("--amount", "10", "--date", "2026-11-28"), "--date"),        # the future
    (("--amount", "10", "--date", "someday"), "--date"),
    (("--amount", "1000.01", "--date", "today"), "--allow-overpay"),
])
def test_refusals_name_the_flag_and_write_nothing(won, cli, db_url, args, needle):
    before = counts(db_url)
    assert_refused(cli("payment", "add", str(won["a1"]), *args, as_="rep_a1"), 2, needle)
    assert counts(db_url) == before


def test_overpay_counts_what_was_already_collected(won, cli, db_url):
    assert cli("payment", "add", str(won["a1"]), "--amount", "999.99", "--date", "today", as_="rep_a1").exit_code == 0
    assert cli("payment", "add", str(won["a1"]), "--amount", "0.01", "--date", "today", as_="rep_a1").exit_code == 0
    refused = cli("payment", "add", str(won["a1"]), "--amount", "0.01", "--date", "today", as_="rep_a1")
    assert_refused(refused, 2, "collections would reach 1000.01, more than the deal amount 1000.00")
    assert cli("payment", "add", str(won["a1"]), "--amount", "0.01", "--date", "today", "--allow-overpay", as_="rep_a1").exit_code == 0
    assert query(db_url, "select sum(amount) from payment where deal_id = :i", i=won["a1"])[0][0] == 100001


def test_payments_only_on_won_deals(won, cli, db_url):
    before = counts(db_url)
    result = cli("payment", "add", str(won["open"]), "--amount", "10", "--date", "today", as_="rep_a1")
    assert_refused(result, 2, f"run `salesctl deal won {won['open']}` first")
    assert counts(db_url) == before
    lost = add_deal(cli, "华光科技", as_="rep_a1")
    assert cli("deal", "lost", str(lost), "--reason", "price", as_="rep_a1").exit_code == 0
    before = counts(db_url)
    assert_refused(cli("payment", "add", str(lost), "--amount", "10", "--date", "today", as_="rep_a1"), 2, "this one is lost")
    assert_refused(cli("payment", "add", "999", "--amount", "10", "--date", "today", as_="rep_a1"), 4, "no deal 999")
    assert counts(db_url) == before


def test_permissions(won, cli, db_url):
    before = counts(db_url)
    for actor in ("rep_a2", "rep_b1", "mgr_b", "asst_b"):
        result = cli("payment", "add", str(won["a1"]), "--amount", "10", "--date", "today", as_=actor)
        assert result.exit_code == 3, (actor, result)
    assert counts(db_url) == before
    assert cli("payment", "add", str(won["a1"]), "--amount", "10", "--date", "today", as_="mgr_a").exit_code == 0
    assert cli("payment", "add", str(won["b1"]), "--amount", "20", "--date", "today", as_="asst_b").exit_code == 0

    def listed(*args, as_):
        result = cli("payment", "list", *args, "--format", "json", as_=as_)
        assert result.exit_code == 0, result
        return [(r["deal_id"], r["amount"]) for r in result.json()]

    assert listed(as_="rep_a1") == [(won["a1"], "10.00")]
    assert listed(as_="rep_a2") == []
    assert listed(as_="mgr_b") == [(won["b1"], "20.00")]
    assert listed(as_="dir") == [(won["a1"], "10.00"), (won["b1"], "20.00")]
    assert listed("--manager", "mgr_b", as_="dir") == [(won["b1"], "20.00")]
    assert listed("--deal", str(won["a1"]), as_="dir") == [(won["a1"], "10.00")]
    assert listed("--customer", "北方零售", as_="dir") == [(won["b1"], "20.00")]
    assert cli("payment", "list", "--deal", str(won["a1"]), as_="rep_b1").exit_code == 3
    assert cli("payment", "list", "--rep", "rep_a1", as_="mgr_b").exit_code == 3


def test_list_by_period(won, cli):
    for day in ("2026-10-30", "2026-11-02", "2026-11-27"):
        assert cli("payment", "add", str(won["a1"]), "--amount", "1", "--date", day, as_="rep_a1").exit_code == 0

    def dates(*args):
        return [r["date"] for r in cli("payment", "list", *args, "--format", "json", as_="rep_a1").json()]

    assert dates() == ["2026-10-30", "2026-11-02", "2026-11-27"]
    assert dates("--month", "2026-11") == ["2026-11-02", "2026-11-27"]
    assert dates("--month", "last") == ["2026-10-30"]
    assert dates("--week", "this") == ["2026-11-27"]
    assert dates("--since", "2026-11-01") == ["2026-11-02", "2026-11-27"]
    assert dates("--date", "today") == ["2026-11-27"]
    csv_lines = cli("payment", "list", "--format", "csv", as_="rep_a1").stdout.splitlines()
    assert csv_lines[0] == "id,deal_id,amount,date,customer,owner,note" and csv_lines[1].split(",")[2] == "1.00"
