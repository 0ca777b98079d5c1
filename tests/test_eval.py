"""Evaluation (`salesctl eval`): weighted KPI scores per rep and per manager's team."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from test_commission_data import NOVEMBER, Data, counts, local

NOW = "2026-12-01T10:00"


def _build(url, cli):
    """rep_a1: target 100,000, 80,000 collected, 2 new customers, 20 visits, 18 of 21 reports on time, 2 of 5 complete."""
    data = Data(url)
    data.backdate("rep_a1", "rep_a2", "rep_b1", to=date(2026, 10, 1))
    c1 = data.customer("rep_a1", "一号", reported_at=local(date(2026, 11, 2)))             # complete: visited in Nov
    c2 = data.customer("rep_a1", "二号", reported_at=local(date(2026, 11, 20)),
                       last_contact_at=local(date(2026, 10, 15)))                          # complete: contact in Oct
    c3 = data.customer("rep_a1", "三号", incomplete=True)                                  # flagged incomplete
    c4 = data.customer("rep_a1", "四号", contact=None)                                     # no primary contact
    data.customer("rep_a1", "五号", last_contact_at=local(date(2026, 5, 1)))               # no contact in 90 days
    data.customer("rep_b1", "北方", reported_at=local(date(2026, 10, 30)))                 # reported in October
    data.visits("rep_a1", c1, [date(2026, 11, d) for d in range(2, 12)])
    data.visits("rep_a1", c3, [date(2026, 11, d) for d in range(16, 21)])
    data.visits("rep_a1", c4, [date(2026, 11, d) for d in range(23, 28)])
    data.visits("rep_a1", c1, [date(2026, 10, 28)])                                       # October: not counted
    data.visits("rep_a2", c1, [date(2026, 11, d) for d in range(2, 12)])
    deal = data.deal("rep_a1", c1, "合同", "80000.00", won_on=date(2026, 11, 2))
    data.payment(deal, "80000.00", date(2026, 11, 5))
    data.daily_reports("rep_a1", *NOVEMBER, missing={date(2026, 11, 4), date(2026, 11, 12)}, late={date(2026, 11, 18)})
    assert cli("target", "set", "rep_a1", "--month", "2026-11", "--amount", "100000", as_="mgr_a").exit_code == 0
    return data


def _rows(cli, as_, *flags):
    result = cli("eval", "--format", "json", *flags, as_=as_, now=NOW)
    assert result.exit_code == 0, result
    return result.json(), {(r["kind"], r["handle"]): r for r in result.json()["rows"]}


def test_individual_scores_from_weighted_kpis(org, cli, db_url):
    _build(db_url, cli)
    doc, rows = _rows(cli, "dir", "--month", "2026-11")
    assert doc["period"] == "2026-11" and doc["weights"] == {
        "attainment": "0.4", "new_customers": "0.15", "visits": "0.15", "compliance": "0.15", "archive": "0.15"}
    a1 = rows[("rep", "rep_a1")]
    assert (a1["base"], a1["target"], a1["attainment"], a1["attainment_score"]) == ("80000.00", "100000.00", "0.8", "80.0")
    assert (a1["new_customers"], a1["new_customers_score"]) == (2, "66.7")     # goal 3 a month
    assert (a1["visits"], a1["visits_score"]) == (20, "50.0")                  # goal 40 a month
    assert (a1["compliance"], a1["compliance_score"]) == ("0.8571", "85.7")    # 18 of 21 on time
    assert (a1["archive"], a1["archive_score"]) == ("0.4", "40.0")             # 2 of 5 complete
    # 0.40×80 + 0.15×66.7 + 0.15×50 + 0.15×85.7 + 0.15×40 = 68.36
    assert a1["score"] == "68.4" and a1["manager"] == "mgr_a"
    # no target, no customers: those KPIs are left out and the other weights rescaled
    a2 = rows[("rep", "rep_a2")]
    assert (a2["attainment_score"], a2["archive_score"], a2["visits_score"], a2["compliance_score"]) == (
        None, None, "25.0", "0.0")
    assert a2["score"] == "8.3"  # (0.15×0 + 0.15×25 + 0.15×0) / 0.45
    assert rows[("rep", "rep_b1")]["new_customers"] == 0


def test_department_rows_pool_each_managers_team(org, cli, db_url):
    _build(db_url, cli)
    _, rows = _rows(cli, "dir", "--month", "2026-11")
    assert [k for k in rows if k[0] == "department"] == [("department", "mgr_a"), ("department", "mgr_b"),
                                                          ("department", "rm_b")]
    dept = rows[("department", "mgr_a")]
    assert (dept["reps"], dept["base"], dept["target"], dept["attainment_score"]) == (2, "80000.00", "100000.00", "80.0")
    assert (dept["new_customers"], dept["new_customers_score"]) == (2, "33.3")   # goal 3 × 2 reps
    assert (dept["visits"], dept["visits_score"]) == (30, "37.5")
    assert (dept["compliance"], dept["compliance_score"], dept["archive_score"]) == ("0.4286", "42.9", "40.0")
    assert dept["score"] == "55.1"  # 32 + 4.995 + 5.625 + 6.435 + 6 = 55.055
    # a team target, when set, is the department's target
    assert cli("target", "set", "mgr_a", "--month", "2026-11", "--amount", "200000", as_="dir").exit_code == 0
    _, rows = _rows(cli, "dir", "--month", "2026-11")
    assert (rows[("department", "mgr_a")]["target"], rows[("department", "mgr_a")]["attainment_score"]) == (
        "200000.00", "40.0")


def test_scopes_and_refusals(org, cli, db_url):
    _build(db_url, cli)
    snapshot = counts(db_url)
    _, rows = _rows(cli, "rep_a1")
    assert list(rows) == [("rep", "rep_a1")]
    _, rows = _rows(cli, "mgr_a", "--month", "2026-11")
    assert list(rows) == [("rep", "rep_a1"), ("rep", "rep_a2"), ("department", "mgr_a")]
    _, rows = _rows(cli, "dir", "--month", "2026-11", "--manager", "mgr_b")
    assert list(rows) == [("rep", "rep_b1"), ("department", "mgr_b"), ("department", "rm_b")]
    for who, flags, code in (("asst_b", (), 3), ("rep_a1", ("--team",), 3), ("mgr_a", ("--manager", "mgr_b"), 3),
                             ("mgr_a", ("--month", "2026-11", "--quarter", "2026-Q4"), 2),
                             ("mgr_a", ("--quarter", "Q4"), 2)):
        result = cli("eval", *flags, as_=who, now=NOW)
        assert result.exit_code == code, (who, flags, result)
        assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert counts(db_url) == snapshot


def test_quarter_goals_scale_by_three(org, cli, db_url):
    _build(db_url, cli)
    _, rows = _rows(cli, "mgr_a", "--quarter", "2026-Q4")
    a1 = rows[("rep", "rep_a1")]
    assert (a1["target"], a1["attainment_score"]) == ("100000.00", "80.0")  # the sum of the quarter's month targets
    assert (a1["new_customers"], a1["new_customers_score"]) == (2, "22.2")  # goal 9 a quarter
    assert (a1["visits"], a1["visits_score"]) == (21, "17.5")               # October's visit counts too; goal 120


def test_table_chart_and_csv(org, cli, db_url):
    _build(db_url, cli)
    table = cli("eval", "--month", "2026-11", as_="mgr_a", now=NOW)
    assert table.exit_code == 0, table
    assert "Evaluation 2026-11 · team:mgr_a" in table.stdout and "Scores (0-100)" in table.stdout
    chart = {line.split()[0]: line for line in table.stdout.split("Scores (0-100)")[1].strip().splitlines()}
    assert chart["rep_a1"].count("█") == 21 and chart["rep_a1"].rstrip().endswith("68.4")  # 68.4% of 30
    assert chart["mgr_a"].count("█") == 17 and "(department)" in chart["mgr_a"]
    csv = cli("eval", "--month", "2026-11", "--format", "csv", as_="mgr_a", now=NOW)
    lines = csv.stdout.splitlines()
    assert lines[0] == ("kind,handle,name,manager,reps,base,target,attainment,new_customers,visits,compliance,"
                        "archive,score")
    assert lines[1].startswith("rep,rep_a1,销售甲一,mgr_a,,80000.00,100000.00,0.8,2,20,0.8571,0.4,68.4")
    zh = cli("eval", "--month", "2026-11", as_="mgr_a", now=NOW, lang="zh")
    assert "绩效考核" in zh.stdout and "部门" in zh.stdout


def test_weights_come_from_the_plan_file(org, cli, db_url, tmp_path):
    from pathlib import Path

    from salesctl.config import set_value

    _build(db_url, cli)
    text = (Path(__file__).resolve().parents[1] / "data" / "commission.toml").read_text(encoding="utf-8")
    text = (text.replace('attainment = "0.40"', 'attainment = "1"').replace('new_customers = "0.15"', 'new_customers = "0"')
            .replace('visits = "0.15"', 'visits = "0"').replace('compliance = "0.15"', 'compliance = "0"')
            .replace('archive = "0.15"', 'archive = "0"'))
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    set_value("commission_plan", str(path))
    doc, rows = _rows(cli, "mgr_a", "--month", "2026-11")
    assert rows[("rep", "rep_a1")]["score"] == "80.0"
    assert rows[("rep", "rep_a2")]["score"] is None  # nothing with weight can be scored
    assert Decimal(doc["weights"]["attainment"]) == 1
