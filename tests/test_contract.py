"""Contracts, receivable plans (回款计划), allocation of payments, ageing and reminders, via the real CLI."""

from __future__ import annotations

import pytest

from conftest import query
from test_visit_fixtures import add_deal, assert_refused, make_customer

TABLES = ("contract", "installment", "payment", "payment_allocation", "audit_entry", "attachment")


def counts(url: str) -> dict:
    return {table: query(url, f"select count(*) from {table}")[0][0] for table in TABLES}


@pytest.fixture
def won(org, db_url, cli):
    """A deal of rep_a1 (185000.00) won on 2026-11-20 with contract HT-1 of 200000.00, and an open deal."""
    make_customer(db_url, "华光科技", "rep_a1", grade="A")
    make_customer(db_url, "北方零售", "rep_b1", grade="B")
    deal = add_deal(cli, "华光科技", as_="rep_a1", amount="185000")
    open_deal = add_deal(cli, "华光科技", as_="rep_a1", amount="500", title="二期")
    b1 = add_deal(cli, "北方零售", as_="rep_b1", amount="300")
    assert cli("deal", "won", str(deal), "--contract-date", "2026-11-20", as_="rep_a1").exit_code == 0
    result = cli("contract", "add", str(deal), "--number", "HT-1", "--signed", "2026-11-20", "--amount", "200000",
                 "--ends", "2026-12-20", as_="rep_a1")
    assert result.exit_code == 0, result
    return {"deal": deal, "open": open_deal, "b1": b1, "contract": int(result.stdout)}


def plan_404010(cli):
    return cli("contract", "plan", "HT-1", "--installment", "40%:2026-12-15", "--installment", "50%:2027-01-15",
               "--installment", "10%:on acceptance", as_="rep_a1")


def test_the_done_when_scenario(won, cli, db_url):
    planned = plan_404010(cli)
    assert planned.exit_code == 0, planned
    assert "3 instalments planned" in planned.stderr
    for amount in ("80000.00", "50000.00"):
        paid = cli("payment", "add", str(won["deal"]), "--amount", amount, "--date", "today", as_="rep_a1")
        assert paid.exit_code == 0, paid
    shown = cli("contract", "show", "HT-1", "--format", "json", as_="rep_a1").json()
    assert shown["amount"] == "200000.00" and shown["deal_amount"] == "185000.00"
    assert shown["collected"] == "130000.00" and shown["open"] == "70000.00"
    plan = {i["seq"]: i for i in shown["installments"]}
    assert (plan[1]["amount"], plan[1]["paid"], plan[1]["open"], plan[1]["status"]) == ("80000.00", "80000.00", "0.00", "paid")
    assert (plan[2]["amount"], plan[2]["paid"], plan[2]["open"]) == ("100000.00", "50000.00", "50000.00")
    assert plan[3]["due_on"] is None and plan[3]["due_event"] == "accepted" and plan[3]["status"] == "waiting"
    # stored: integer cents, allocations per instalment
    assert query(db_url, "select i.seq, sum(a.amount) from payment_allocation a join installment i on i.id = a.installment_id"
                         " group by i.seq order by i.seq") == [(1, 8000000), (2, 5000000)]
    # 2027-03-01 is 45 days after instalment 2's due date (2027-01-15): 31-60 bucket
    ageing = cli("receivable", "ageing", "--as-of", "2027-03-01", "--format", "json", as_="mgr_a").json()
    assert ageing["totals"] == {"not_due": "20000.00", "1_30": "0.00", "31_60": "50000.00", "61_90": "0.00",
                                "over_90": "0.00", "total": "70000.00"}
    by_rep = cli("receivable", "ageing", "--by", "rep", "--as-of", "2027-05-01", "--format", "json", as_="dir").json()
    assert by_rep["rows"] == [{"group": "rep_a1", "not_due": "20000.00", "1_30": "0.00", "31_60": "0.00",
                               "61_90": "0.00", "over_90": "50000.00", "total": "70000.00"}]
    by_team = cli("receivable", "ageing", "--by", "team", "--as-of", "2027-02-01", "--format", "json", as_="dir").json()
    assert [(r["group"], r["1_30"]) for r in by_team["rows"]] == [("mgr_a", "50000.00")]
    # before the due date nothing is overdue
    early = cli("receivable", "ageing", "--as-of", "2027-01-15", "--format", "json", as_="rep_a1").json()
    assert early["totals"]["not_due"] == "70000.00"
    listed = cli("receivable", "list", "--overdue", "--as-of", "2027-03-01", "--format", "json", as_="rep_a1").json()
    assert [(r["contract"], r["seq"], r["open"], r["days_overdue"]) for r in listed] == [("HT-1", 2, "50000.00", 45)]
    table = cli("receivable", "ageing", "--as-of", "2027-03-01", as_="rep_a1")
    assert "31-60 days" in table.stdout and "50,000.00" in table.stdout


def test_a_rep_of_another_team_sees_no_receivables(won, cli):
    assert plan_404010(cli).exit_code == 0
    assert cli("receivable", "list", "--format", "json", as_="rep_b1").json() == []
    refused = cli("contract", "show", "HT-1", as_="rep_b1")
    assert refused.exit_code == 3, refused
    assert cli("receivable", "list", "--format", "json", as_="mgr_a").json() != []


def test_percentages_round_to_cents_and_the_last_takes_the_rest(won, cli, db_url):
    assert cli("contract", "edit", "HT-1", "--amount", "100.01", as_="rep_a1").exit_code == 0
    result = cli("contract", "plan", "HT-1", "--installment", "50%:2026-12-01", "--installment", "50%:2026-12-31",
                 "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    assert [r["amount"] for r in result.json()] == ["50.01", "50.00"]


def test_amount_plans_and_a_replaced_plan(won, cli, db_url):
    first = cli("contract", "plan", "HT-1", "--installment", "120000:2026-12-15", "--installment", "80000.00:2027-01-31",
                as_="rep_a1")
    assert first.exit_code == 0, first
    again = plan_404010(cli)  # no payments yet: the plan may be replaced
    assert again.exit_code == 0, again
    assert query(db_url, "select count(*) from installment")[0][0] == 3
    assert cli("payment", "add", str(won["deal"]), "--amount", "10", "--date", "today", as_="rep_a1").exit_code == 0
    before = counts(db_url)
    refused = plan_404010(cli)
    assert_refused(refused, 5, "already has payments")
    assert counts(db_url) == before


def test_a_plan_that_does_not_sum_is_refused_showing_the_difference(won, cli, db_url):
    before = counts(db_url)
    result = cli("contract", "plan", "HT-1", "--installment", "100000:2026-12-15", "--installment", "90000:2027-01-31",
                 as_="rep_a1")
    assert_refused(result, 2, "difference 10000.00")
    assert "190000.00" in result.stderr and "200000.00" in result.stderr
    result = cli("contract", "plan", "HT-1", "--installment", "40%:2026-12-15", "--installment", "50%:2027-01-15",
                 as_="rep_a1")
    assert_refused(result, 2, "90%")
    assert counts(db_url) == before


def test_an_instalment_before_the_signing_date_is_refused(won, cli, db_url):
    before = counts(db_url)
    result = cli("contract", "plan", "HT-1", "--installment", "40%:2026-11-01", "--installment", "60%:2027-01-15",
                 as_="rep_a1")
    assert_refused(result, 2, "before the contract was signed (2026-11-20)")
    result = cli("contract", "plan", "HT-1", "--installment", "forty:2026-12-01", as_="rep_a1")
    assert_refused(result, 2, "--installment")
    assert counts(db_url) == before


def test_a_contract_needs_a_won_deal(won, cli, db_url):
    before = counts(db_url)
    result = cli("contract", "add", str(won["open"]), "--number", "HT-2", "--signed", "today", "--amount", "500",
                 as_="rep_a1")
    assert_refused(result, 2, "a contract needs a won deal")
    assert cli("deal", "lost", str(won["open"]), "--reason", "price", as_="rep_a1").exit_code == 0
    before = counts(db_url)
    result = cli("contract", "add", str(won["open"]), "--number", "HT-2", "--signed", "today", "--amount", "500",
                 as_="rep_a1")
    assert_refused(result, 2, "is lost")
    duplicate = cli("contract", "add", str(won["deal"]), "--number", "HT-9", "--signed", "today", "--amount", "5",
                    as_="rep_a1")
    assert_refused(duplicate, 5, "already has contract")
    other_team = cli("contract", "add", str(won["b1"]), "--number", "HT-3", "--signed", "today", "--amount", "5",
                     as_="rep_a1")
    assert other_team.exit_code == 3, other_team
    assert counts(db_url) == before


def test_payment_to_a_named_instalment_and_to_a_paid_one(won, cli, db_url):
    assert plan_404010(cli).exit_code == 0
    third = cli("payment", "add", str(won["deal"]), "--amount", "20000", "--date", "today", "--installment", "3",
                as_="rep_a1")
    assert third.exit_code == 0, third
    assert "#3 20000.00" in third.stderr
    before = counts(db_url)
    refused = cli("payment", "add", str(won["deal"]), "--amount", "1", "--date", "today", "--installment", "3",
                  as_="rep_a1")
    assert_refused(refused, 2, "instalment 3 is already paid")
    missing = cli("payment", "add", str(won["deal"]), "--amount", "1", "--date", "today", "--installment", "7",
                  as_="rep_a1")
    assert_refused(missing, 2, "no instalment 7")
    assert counts(db_url) == before
    # an amount spanning instalments fills the oldest first
    spanning = cli("payment", "add", str(won["deal"]), "--amount", "100000", "--date", "today", as_="rep_a1")
    assert "#1 80000.00, #2 20000.00" in spanning.stderr


def test_overpayment_is_judged_against_the_contract_amount(won, cli, db_url):
    assert plan_404010(cli).exit_code == 0
    ok = cli("payment", "add", str(won["deal"]), "--amount", "190000", "--date", "today", as_="rep_a1")
    assert ok.exit_code == 0, ok  # above the deal's 185000, within the contract's 200000
    over = cli("payment", "add", str(won["deal"]), "--amount", "20000", "--date", "today", as_="rep_a1")
    assert_refused(over, 2, "200000.00")
    allowed = cli("payment", "add", str(won["deal"]), "--amount", "20000", "--date", "today", "--allow-overpay",
                  as_="rep_a1")
    assert allowed.exit_code == 0, allowed
    # the plan is paid in full; the rest stays unallocated
    assert query(db_url, "select sum(amount) from payment_allocation")[0][0] == 20000000


def test_payments_before_the_plan_are_allocated_to_it(won, cli, db_url):
    assert cli("payment", "add", str(won["deal"]), "--amount", "90000", "--date", "2026-11-25", as_="rep_a1").exit_code == 0
    assert plan_404010(cli).exit_code == 0
    plan = cli("contract", "show", "HT-1", "--format", "json", as_="rep_a1").json()["installments"]
    assert [(i["seq"], i["paid"]) for i in plan] == [(1, "80000.00"), (2, "10000.00"), (3, "0.00")]


def test_an_event_dates_the_instalments_waiting_on_it(won, cli, db_url):
    result = cli("contract", "plan", "HT-1", "--installment", "40%:2026-11-21", "--installment", "50%:on delivery",
                 "--installment", "10%:验收后", as_="rep_a1")
    assert result.exit_code == 0, result
    before = counts(db_url)
    assert_refused(cli("contract", "event", "HT-1", "delivered", "--date", "2026-11-01", as_="rep_a1"), 2,
                   "before the contract was signed")
    assert_refused(cli("contract", "event", "HT-1", "shipped-ish", "--date", "today", as_="rep_a1"), 2,
                   "accepted: delivered, accepted")
    assert counts(db_url) == before
    done = cli("contract", "event", "HT-1", "delivered", "--date", "2026-11-24", as_="rep_a1")
    assert done.exit_code == 0, done
    plan = cli("contract", "show", "HT-1", "--format", "json", as_="rep_a1").json()["installments"]
    assert [(i["seq"], i["due_on"], i["days_overdue"]) for i in plan] == [
        (1, "2026-11-21", 6), (2, "2026-11-24", 3), (3, None, 0)]
    assert query(db_url, "select delivered_on from contract")[0][0] is not None


def test_overdue_instalments_are_in_the_owner_and_manager_inbox(won, cli):
    assert cli("contract", "plan", "HT-1", "--installment", "40%:2026-11-21", "--installment", "60%:2026-12-01",
               as_="rep_a1").exit_code == 0
    for who in ("rep_a1", "mgr_a", "dir"):
        rows = cli("inbox", "--format", "json", as_=who).json()
        receivable = [r for r in rows if r["kind"] == "receivable"]
        assert [(r["text"].split(":")[0], r["key"]) for r in receivable] == [
            ("@rep_a1 contract HT-1 instalment 1", f"receivable:overdue:{receivable[0]['id']}"),
            ("@rep_a1 contract HT-1 instalment 2", f"receivable:due:{receivable[1]['id']}"),
        ], who
        assert "overdue since 2026-11-21 (6 days)" in receivable[0]["text"]
        # the contract ends 2026-12-20, within the default 30 days
        assert [r["key"] for r in rows if r["kind"] == "contract"] == [f"contract:ending:{won['contract']}"]
    for who in ("rep_b1", "mgr_b", "rep_a2"):
        rows = cli("inbox", "--format", "json", as_=who).json()
        assert [r for r in rows if r["kind"] in ("receivable", "contract")] == [], who
    only = cli("inbox", "--kind", "receivable", "--format", "json", as_="rep_a1").json()
    assert {r["kind"] for r in only} == {"receivable"}


def test_list_expiring_edit_and_void(won, cli, db_url):
    listed = cli("contract", "list", "--expiring", "30", "--format", "json", as_="mgr_a").json()
    assert [(c["number"], c["ends_on"], c["status"]) for c in listed] == [("HT-1", "2026-12-20", "active")]
    assert cli("contract", "list", "--expiring", "10", "--format", "json", as_="mgr_a").json() == []
    assert cli("contract", "list", "--format", "json", as_="rep_b1").json() == []
    edited = cli("contract", "edit", "HT-1", "--ends", "2027-11-30", "--number", "HT-1A", as_="rep_a1")
    assert edited.exit_code == 0, edited
    assert query(db_url, "select number, ends_on from contract")[0][0] == "HT-1A"
    assert_refused(cli("contract", "void", "HT-1A", as_="rep_a1"), 2, "--reason")
    assert plan_404010(cli).exit_code == 4  # the number changed: HT-1 no longer exists
    voided = cli("contract", "void", "HT-1A", "--reason", "re-signed", as_="rep_a1")
    assert voided.exit_code == 0, voided
    assert query(db_url, "select status, void_reason from contract") == [("void", "re-signed")]
    assert cli("contract", "list", "--format", "json", as_="rep_a1").json() == []
    assert len(cli("contract", "list", "--void", "--format", "json", as_="rep_a1").json()) == 1
    assert_refused(cli("contract", "edit", "HT-1A", "--note", "x", as_="rep_a1"), 2, "is void")
    actions = [r[0] for r in query(db_url, "select action from audit_entry where entity = 'contract' order by id")]
    assert actions == ["contract.add", "contract.edit", "contract.void"]
    # a new contract may follow the voided one
    again = cli("contract", "add", str(won["deal"]), "--number", "HT-2", "--signed", "2026-11-21", "--amount", "190000",
                as_="rep_a1")
    assert again.exit_code == 0, again


def test_deal_won_creates_the_contract_in_the_same_step(org, db_url, cli):
    make_customer(db_url, "华光科技", "rep_a1", grade="A")
    deal = add_deal(cli, "华光科技", as_="rep_a1", amount="1000")
    result = cli("deal", "won", str(deal), "--contract-number", "HT-7", "--contract-amount", "950", as_="rep_a1")
    assert result.exit_code == 0, result
    assert query(db_url, "select number, amount, signed_on, deal_id from contract")[0][:2] == ("HT-7", 95000)
    other = add_deal(cli, "华光科技", as_="rep_a1", amount="1000")
    clash = cli("deal", "won", str(other), "--contract-number", "HT-7", as_="rep_a1")
    assert_refused(clash, 5, "HT-7")
    assert query(db_url, "select status from deal where id = :i", i=other) == [("open",)]  # nothing written


def test_the_pack_has_contracts_and_receivables_sheets_and_exports(won, cli, db_url, tmp_path):
    from test_archive import PASSWORD, data_rows, decrypt, highlighted, secret_file

    assert plan_404010(cli).exit_code == 0
    # an older contract of rep_a1, signed weeks ago and untouched this week
    make_customer(db_url, "老客户", "rep_a1")
    old = add_deal(cli, "老客户", as_="rep_a1", amount="5000")
    assert cli("deal", "won", str(old), "--contract-number", "HT-OLD", "--contract-date", "2026-10-01", as_="rep_a1",
               now="2026-10-01T10:00").exit_code == 0
    assert cli("payment", "add", str(won["deal"]), "--amount", "80000", "--date", "today", as_="rep_a1").exit_code == 0
    pw = secret_file(tmp_path / "pw", PASSWORD + "\n")
    assert cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a1").exit_code == 0
    out = tmp_path / "pack.xlsx"
    result = cli("customer", "archive", "export", "--out", str(out), "--password-file", str(pw), as_="rep_a1")
    assert result.exit_code == 0, result
    wb = decrypt(out, PASSWORD)
    contracts = data_rows(wb["Contracts"])
    assert [c.value for c in wb["Contracts"][2]][:3] == ["ID", "Contract", "Deal"]
    by_number = {row[1].value: row for row in contracts}
    assert set(by_number) == {"HT-1", "HT-OLD"}
    assert highlighted(by_number["HT-1"][0]) and not highlighted(by_number["HT-OLD"][0])
    receivables = data_rows(wb["Receivables"])
    assert [(r[0].value, r[1].value, highlighted(r[0])) for r in receivables] == [
        ("HT-1", 1, True), ("HT-1", 2, True), ("HT-1", 3, True)]
    assert receivables[0][7].value == 80000  # paid, a number in the sheet
    # the other team's rep gets empty sheets
    exported = cli("export", "receivables", "--format", "json", as_="rep_a1").json()
    assert [(r["contract"], r["seq"], r["paid"], r["open"], r["bucket"]) for r in exported] == [
        ("HT-1", 1, "80000.00", "0.00", "not_due"), ("HT-1", 2, "0.00", "100000.00", "not_due"),
        ("HT-1", 3, "0.00", "20000.00", "not_due")]
    assert cli("export", "receivables", "--format", "json", as_="rep_b1").json() == []
    listed = cli("export", "contracts", "--format", "csv", as_="mgr_a").stdout.splitlines()
    assert listed[0].startswith("id,number,deal_id,customer,owner,signed_on,amount")
    assert len(listed) == 3
