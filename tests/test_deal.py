"""Deals through the five stages via the real CLI: adding, moving, winning, losing, history, pipeline."""

from __future__ import annotations

import pytest

from conftest import query
from test_visit_fixtures import add_deal, assert_refused, counts, make_customer


@pytest.fixture
def shop(org, db_url):
    return {
        "a1": make_customer(db_url, "华光科技", "rep_a1", grade="B"),
        "a1b": make_customer(db_url, "东方电子", "rep_a1", grade="A"),
        "a2": make_customer(db_url, "仁和医院", "rep_a2", grade="B"),
        "b1": make_customer(db_url, "北方零售", "rep_b1", grade="C"),
        "pool": make_customer(db_url, "无主公司", None, grade="D"),
    }


def _deal(cli, deal_id, as_="rep_a1"):
    result = cli("deal", "show", str(deal_id), "--format", "json", as_=as_)
    assert result.exit_code == 0, result
    return result.json()


# --------------------------------------------------------------------------- deal add
def test_add_stores_the_deal_its_first_stage_and_an_audit_entry(shop, cli, db_url):
    result = cli("deal", "add", "华光科技", "--title", "年度采购", "--amount", "120,000.50", "--stage", "项目建立",
                 "--expected-close", "2026-12-31", "--product", "企业版", as_="rep_a1")
    assert result.exit_code == 0, result
    deal_id = int(result.stdout.strip())
    assert "Added deal" in result.stderr
    assert query(db_url, "select d.title, d.amount, d.stage, d.status, s.handle, d.product, d.expected_close "
                         "from deal d join staff s on s.id = d.owner_id where d.id = :i", i=deal_id)[0][:6] == \
        ("年度采购", 12000050, 2, "open", "rep_a1", "企业版")
    assert query(db_url, "select from_stage, to_stage from deal_stage_change where deal_id = :i", i=deal_id) == [(None, 2)]
    assert query(db_url, "select action from audit_entry where entity = 'deal' and entity_id = :i", i=deal_id) == [("deal.add",)]
    data = _deal(cli, deal_id)
    assert data["amount"] == "120000.50" and data["paid"] == "0.00" and data["stage_name"] == "project"
    assert data["expected_close"] == "2026-12-31"


def test_manager_and_assistant_add_deals_owned_by_the_customers_owner(shop, cli, db_url):
    by_manager = add_deal(cli, "华光科技", as_="mgr_a")
    by_assistant = add_deal(cli, "北方零售", as_="asst_b")
    rows = query(db_url, "select d.id, o.handle, c.handle from deal d join staff o on o.id = d.owner_id "
                         "join staff c on c.id = d.created_by_id order by d.id")
    assert rows == [(by_manager, "rep_a1", "mgr_a"), (by_assistant, "rep_b1", "asst_b")]


@pytest.mark.parametrize("args, needle", [
    (("--amount", "100"), "--title"),
    (("--title", "x"), "--amount"),
    (("--title", "x", "--amount", "abc"), "--amount"),
    (("--title", "x", "--amount", "10.001"), "--amount"),
    (("--title", "x", "--amount", "0"), "--amount"),
    (("--title", "x", "--amount", "-5"), "--amount"),
    (("--title", "x", "--amount", "5", "--stage", "4"), "--stage"),
    (("--title", "x", "--amount", "5", "--stage", "closing"), "--stage"),
    (("--title", "x", "--amount", "5", "--expected-close", "soon"), "--expected-close"),
])
def test_add_refusals_name_the_flag_and_write_nothing(shop, cli, db_url, args, needle):
    before = counts(db_url)
    assert_refused(cli("deal", "add", "华光科技", *args, as_="rep_a1"), 2, needle)
    assert counts(db_url) == before


def test_unknown_stage_lists_the_accepted_names(shop, cli):
    result = cli("deal", "add", "华光科技", "--title", "x", "--amount", "5", "--stage", "closing", as_="rep_a1")
    assert "1 information (信息开发)" in result.stderr and "5 after_sales (售后服务)" in result.stderr


def test_add_permissions(shop, cli, db_url):
    before = counts(db_url)
    for actor in ("rep_a2", "rep_b1", "mgr_b", "asst_b"):
        result = cli("deal", "add", "华光科技", "--title", "x", "--amount", "5", as_=actor)
        assert result.exit_code == 3, (actor, result)
    assert_refused(cli("deal", "add", str(shop["pool"]), "--title", "x", "--amount", "5", as_="dir"), 3, "pool")
    assert counts(db_url) == before


# --------------------------------------------------------------------------- moving through the stages
def test_advance_forward_by_number_and_by_name(shop, cli, db_url):
    deal_id = add_deal(cli, "华光科技", as_="rep_a1")
    result = cli("deal", "advance", str(deal_id), "--note", "需求确认", as_="rep_a1")
    assert result.exit_code == 0, result
    assert "1 information → 2 project" in result.stderr
    assert cli("deal", "advance", str(deal_id), "--to", "negotiation", as_="rep_a1").exit_code == 0
    assert query(db_url, "select stage, status from deal where id = :i", i=deal_id) == [(3, "open")]
    back = cli("deal", "advance", str(deal_id), "--to", "信息开发", "--reason", "预算冻结", as_="rep_a1")
    assert back.exit_code == 0, back
    assert query(db_url, "select from_stage, to_stage, note from deal_stage_change where deal_id = :i order by id", i=deal_id) == [
        (None, 1, '{"msg":"deal.msg.created","params":{}}'), (1, 2, "需求确认"), (2, 3, None), (3, 1, "预算冻结"),
    ]
    assert query(db_url, "select count(*) from audit_entry where action = 'deal.advance'")[0][0] == 3


@pytest.mark.parametrize("args, needle", [
    (("--to", "1"), "--reason"),                  # backwards without a reason
    (("--to", "2"), "--to"),                      # already there
    (("--to", "4"), "deal won"),                  # 4 is reached by winning
    (("--to", "5"), "deal won"),
    (("--to", "9"), "--to"),
    (("--to", "closing"), "--to"),
])
def test_advance_refusals(shop, cli, db_url, args, needle):
    deal_id = add_deal(cli, "华光科技", as_="rep_a1", stage="2")
    before = counts(db_url)
    assert_refused(cli("deal", "advance", str(deal_id), *args, as_="rep_a1"), 2, needle)
    assert counts(db_url) == before


def test_won_moves_to_stage_4_and_counts_as_won(shop, cli, db_url):
    deal_id = add_deal(cli, "华光科技", as_="rep_a1", stage="3")
    result = cli("deal", "won", str(deal_id), "--contract-date", "2026-11-25", as_="rep_a1")
    assert result.exit_code == 0, result
    assert query(db_url, "select stage, status, won_on from deal where id = :i", i=deal_id)[0][:2] == (4, "won")
    assert str(query(db_url, "select won_on from deal where id = :i", i=deal_id)[0][0]) == "2026-11-25"
    other = add_deal(cli, "东方电子", as_="rep_a1")
    assert cli("deal", "won", str(other), as_="rep_a1").exit_code == 0  # from stage 1, contract date today
    assert str(query(db_url, "select won_on from deal where id = :i", i=other)[0][0]) == "2026-11-27"


def test_won_and_lost_only_while_open_listing_what_is_possible(shop, cli, db_url):
    deal_id = add_deal(cli, "华光科技", as_="rep_a1")
    assert cli("deal", "won", str(deal_id), as_="rep_a1").exit_code == 0
    before = counts(db_url)
    again = cli("deal", "won", str(deal_id), as_="rep_a1")
    assert_refused(again, 2, "already won")
    assert "possible: payment add" in again.stderr
    lost = cli("deal", "lost", str(deal_id), "--reason", "price", as_="rep_a1")
    assert_refused(lost, 2, "only open ones")
    assert "possible:" in lost.stderr
    assert counts(db_url) == before


def test_lost_needs_a_reason_and_is_final(shop, cli, db_url):
    deal_id = add_deal(cli, "华光科技", as_="rep_a1", stage="2")
    before = counts(db_url)
    assert_refused(cli("deal", "lost", str(deal_id), as_="rep_a1"), 2, "--reason")
    assert counts(db_url) == before
    result = cli("deal", "lost", str(deal_id), "--reason", "竞争对手", as_="rep_a1", lang="zh")
    assert result.exit_code == 0, result
    assert query(db_url, "select status, stage, lost_reason from deal where id = :i", i=deal_id) == [("lost", 2, "competitor")]
    assert str(query(db_url, "select lost_on from deal where id = :i", i=deal_id)[0][0]) == "2026-11-27"
    free = add_deal(cli, "华光科技", as_="rep_a1")
    assert cli("deal", "lost", str(free), "--reason", "客户被收购", as_="rep_a1").exit_code == 0
    assert query(db_url, "select lost_reason from deal where id = :i", i=free) == [("客户被收购",)]
    before = counts(db_url)
    for args in (("advance", str(deal_id)), ("won", str(deal_id)), ("lost", str(deal_id), "--reason", "x")):
        result = cli("deal", *args, as_="rep_a1")
        assert result.exit_code == 2, (args, result)
    assert "lost deal is final" in cli("deal", "advance", str(deal_id), as_="rep_a1").stderr
    assert counts(db_url) == before


def test_stage_5_only_when_paid_in_full(shop, cli, db_url):
    deal_id = add_deal(cli, "华光科技", as_="rep_a1", amount="1000")
    assert cli("deal", "won", str(deal_id), as_="rep_a1").exit_code == 0
    assert cli("payment", "add", str(deal_id), "--amount", "400", "--date", "today", as_="rep_a1").exit_code == 0
    before = counts(db_url)
    refused = cli("deal", "advance", str(deal_id), "--to", "5", as_="rep_a1")
    assert_refused(refused, 2, "paid in full: collected 400.00 of 1000.00")
    assert counts(db_url) == before
    paid = cli("payment", "add", str(deal_id), "--amount", "600", "--date", "today", as_="rep_a1")
    assert "paid in full" in paid.stderr
    assert cli("deal", "advance", str(deal_id), "--to", "after-sales", as_="rep_a1").exit_code == 0
    assert query(db_url, "select stage, status from deal where id = :i", i=deal_id) == [(5, "won")]
    # back to 4 needs a reason; a won deal with money collected cannot reopen
    assert_refused(cli("deal", "advance", str(deal_id), "--to", "4", as_="rep_a1"), 2, "--reason")
    assert cli("deal", "advance", str(deal_id), "--to", "4", "--reason", "返修", as_="rep_a1").exit_code == 0
    assert_refused(cli("deal", "advance", str(deal_id), "--to", "3", "--reason", "x", as_="rep_a1"), 2, "cannot reopen")


def test_a_won_deal_without_payments_reopens_with_a_reason(shop, cli, db_url):
    deal_id = add_deal(cli, "华光科技", as_="rep_a1", stage="3")
    assert cli("deal", "won", str(deal_id), as_="rep_a1").exit_code == 0
    result = cli("deal", "advance", str(deal_id), "--to", "3", "--reason", "合同未盖章", as_="rep_a1")
    assert result.exit_code == 0, result
    assert query(db_url, "select stage, status, won_on from deal where id = :i", i=deal_id) == [(3, "open", None)]


def test_writes_on_other_peoples_deals_are_refused(shop, cli, db_url):
    deal_id = add_deal(cli, "华光科技", as_="rep_a1")
    before = counts(db_url)
    for args in (("advance", str(deal_id)), ("won", str(deal_id)), ("lost", str(deal_id), "--reason", "price")):
        for actor in ("rep_a2", "mgr_b"):
            result = cli("deal", *args, as_=actor)
            assert result.exit_code == 3, (args, actor, result)
    assert cli("deal", "show", str(deal_id), as_="rep_b1").exit_code == 3
    assert counts(db_url) == before
    assert cli("deal", "advance", str(deal_id), as_="mgr_a").exit_code == 0
    assert_refused(cli("deal", "show", "999", as_="dir"), 4, "no deal 999")
    assert_refused(cli("deal", "show", "abc", as_="dir"), 2, "deal")


# --------------------------------------------------------------------------- history and show
def test_stage_history_keeps_who_and_when(shop, cli):
    added = cli("deal", "add", "华光科技", "--title", "x", "--amount", "10", as_="rep_a1", now="2026-11-26T16:00")
    deal_id = int(added.stdout)
    assert cli("deal", "advance", str(deal_id), as_="mgr_a", now="2026-11-27T09:00").exit_code == 0
    assert cli("deal", "won", str(deal_id), "--note", "签约", as_="rep_a1", now="2026-11-27T10:00").exit_code == 0
    data = _deal(cli, deal_id)
    history = [(h["from_stage"], h["to_stage"], h["by"], h["at"]) for h in data["history"]]
    assert history == [
        (None, 1, "rep_a1", "2026-11-26T16:00:00+08:00"),
        (1, 2, "mgr_a", "2026-11-27T09:00:00+08:00"),
        (2, 4, "rep_a1", "2026-11-27T10:00:00+08:00"),
    ]
    assert data["history"][-1]["note"] == "won: contract 2026-11-27; 签约"
    assert data["status"] == "won" and data["next"][0] == "payment add"
    table = cli("deal", "show", str(deal_id), as_="rep_a1")
    assert "Stage history" in table.stdout and "4 purchase & collection" in table.stdout


# --------------------------------------------------------------------------- list and pipeline
@pytest.fixture
def pipeline_fixture(shop, cli):
    """rep_a1: open at 1 (100), 1 (50.50), 3 (300); won at 4 (1000), won+paid at 5 (200); lost at 2 (70).
    rep_a2: open at 2 (20). rep_b1: won at 4 (999.99), lost at 1 (5)."""
    ids = {}
    ids["o1"] = add_deal(cli, "华光科技", as_="rep_a1", amount="100")
    ids["o1b"] = add_deal(cli, "东方电子", as_="rep_a1", amount="50.50")
    ids["o3"] = add_deal(cli, "华光科技", as_="rep_a1", amount="300", stage="3")
    ids["w4"] = add_deal(cli, "华光科技", as_="rep_a1", amount="1000", stage="2")
    assert cli("deal", "won", str(ids["w4"]), as_="rep_a1").exit_code == 0
    ids["w5"] = add_deal(cli, "东方电子", as_="rep_a1", amount="200")
    assert cli("deal", "won", str(ids["w5"]), as_="rep_a1").exit_code == 0
    assert cli("payment", "add", str(ids["w5"]), "--amount", "200", "--date", "today", as_="rep_a1").exit_code == 0
    assert cli("deal", "advance", str(ids["w5"]), "--to", "5", as_="rep_a1").exit_code == 0
    ids["l2"] = add_deal(cli, "东方电子", as_="rep_a1", amount="70", stage="2")
    assert cli("deal", "lost", str(ids["l2"]), "--reason", "budget", as_="rep_a1").exit_code == 0
    ids["a2"] = add_deal(cli, "仁和医院", as_="rep_a2", amount="20", stage="2")
    ids["b4"] = add_deal(cli, "北方零售", as_="rep_b1", amount="999.99")
    assert cli("deal", "won", str(ids["b4"]), as_="rep_b1").exit_code == 0
    ids["bl"] = add_deal(cli, "北方零售", as_="rep_b1", amount="5")
    assert cli("deal", "lost", str(ids["bl"]), "--reason", "price", as_="rep_b1").exit_code == 0
    return ids


def _pipeline(cli, *args, as_):
    result = cli("deal", "pipeline", *args, "--format", "json", as_=as_)
    assert result.exit_code == 0, result
    return result.json()


def test_pipeline_json_on_a_known_fixture(pipeline_fixture, cli):
    everyone = _pipeline(cli, as_="dir")
    assert everyone == {
        "stages": [
            {"stage": 1, "name": "information", "count": 2, "amount": "150.50"},
            {"stage": 2, "name": "project", "count": 1, "amount": "20.00"},
            {"stage": 3, "name": "negotiation", "count": 1, "amount": "300.00"},
            {"stage": 4, "name": "purchase", "count": 2, "amount": "1999.99"},
            {"stage": 5, "name": "after_sales", "count": 1, "amount": "200.00"},
        ],
        "won": {"count": 3, "amount": "2199.99"},
        "lost": {"count": 2, "amount": "75.00"},
    }
    mine = _pipeline(cli, as_="rep_a1")
    assert [s["count"] for s in mine["stages"]] == [2, 0, 1, 1, 1]
    assert mine["won"] == {"count": 2, "amount": "1200.00"} and mine["lost"] == {"count": 1, "amount": "70.00"}
    team_a = _pipeline(cli, "--team", as_="mgr_a")
    assert [s["count"] for s in team_a["stages"]] == [2, 1, 1, 1, 1]
    team_b = _pipeline(cli, "--manager", "mgr_b", as_="dir")
    assert [s["count"] for s in team_b["stages"]] == [0, 0, 0, 1, 0] and team_b["lost"]["count"] == 1
    assert cli("deal", "pipeline", "--manager", "mgr_a", as_="mgr_b").exit_code == 3
    assert cli("deal", "pipeline", "--team", as_="rep_a1").exit_code == 3


def test_pipeline_table_shows_conversion(pipeline_fixture, cli):
    result = cli("deal", "pipeline", "--mine", as_="rep_a1")
    assert result.exit_code == 0, result
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line[:1].isdigit()}
    # reached: 1 → 6 deals (all), 2 → 4 (3, won x2, lost at 2), 3 → 3, 4 → 2, 5 → 1
    assert "66.7%" in lines["1"] and "75.0%" in lines["2"] and "66.7%" in lines["3"] and "50.0%" in lines["4"]
    csv_lines = cli("deal", "pipeline", "--format", "csv", as_="rep_a1").stdout.splitlines()
    assert csv_lines[0] == "stage,name,count,amount,reached,conversion"
    assert csv_lines[1] == "1,information,2,150.50,6,0.6667"


def test_deal_list_filters_and_scope(pipeline_fixture, cli):
    ids = pipeline_fixture

    def listed(*args, as_="rep_a1"):
        result = cli("deal", "list", *args, "--format", "json", as_=as_)
        assert result.exit_code == 0, result
        return [r["id"] for r in result.json()]

    assert listed() == [ids[k] for k in ("o1", "o1b", "o3", "w4", "w5", "l2")]
    assert listed("--open") == [ids["o1"], ids["o1b"], ids["o3"]]
    assert listed("--stage", "购卡/回款", as_="dir") == [ids["w4"], ids["b4"]]
    assert listed("--status", "lost", as_="dir") == [ids["l2"], ids["bl"]]
    assert listed("--team", as_="mgr_a") == [ids[k] for k in ("o1", "o1b", "o3", "w4", "w5", "l2", "a2")]
    assert listed("--rep", "rep_b1", as_="dir") == [ids["b4"], ids["bl"]]
    assert listed("--customer", "东方电子") == [ids["o1b"], ids["w5"], ids["l2"]]
    row = cli("deal", "list", "--format", "json", as_="rep_a1").json()[4]
    assert row["amount"] == "200.00" and row["paid"] == "200.00" and row["stage"] == 5 and row["owner"] == "rep_a1"
    assert cli("deal", "list", "--rep", "rep_a2", as_="rep_a1").exit_code == 3
    assert_refused(cli("deal", "list", "--stage", "x", as_="rep_a1"), 2, "--stage")
