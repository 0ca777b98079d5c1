"""查重 (issue 18), what test_matching.py leaves open: the labelled set's figures, `--not-duplicate` on
`claim add` and `lead add`, merged customers counted nowhere, and the remaining bad inputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import query

PAIRS = Path(__file__).parent / "data" / "company_pairs.tsv"
FORM = ("--contact", "张伟", "--title", "采购经理", "--status", "跟进中")


# --------------------------------------------------------------------------- quality of the matcher
def _figures(flagged_as):
    from salesctl.companynames import compare_names

    tp = fp = fn = 0
    for row in csv.DictReader(PAIRS.open(encoding="utf-8"), delimiter="\t"):
        for a, b in ((row["a"], row["b"]), (row["b"], row["a"])):  # both orders: compare() is symmetric
            flagged = compare_names(a, b).match in flagged_as
            truth = row["label"] == "same"
            tp += flagged and truth
            fp += flagged and not truth
            fn += truth and not flagged
    return tp / (tp + fp), tp / (tp + fn)


def test_labelled_set_meets_the_goals():
    precision, recall = _figures(("same", "possible"))
    assert precision >= 0.98 and recall >= 0.95, (precision, recall)
    same_precision, _recall = _figures(("same",))
    assert same_precision == 1.0


@pytest.mark.parametrize("a, b, expected", [
    ("南京市熊猫电子有限公司", "南京市熊猫乳电子有限公司", None),  # two complete registrations
    ("南京熊猫", "南京市熊猫乳电子有限公司", "possible"),          # an informal name stays a candidate
    ("Samsung Electronics Co., Ltd.", "Samsung Biologics Co., Ltd.", None),
    ("Samsung Electronics", "Samsung Biologics", None),          # further words differ
    ("Costco", "Costco Wholesale Corporation", "possible"),     # nothing further on one side
    ("Siemens AG", "Simens Ltd", None),
    ("Siemens AG", "Simens", "possible"),
])
def test_close_trade_names_between_complete_and_informal_names(a, b, expected):
    from salesctl.companynames import compare_names

    assert compare_names(a, b).match == expected
    assert compare_names(b, a).match == expected


# --------------------------------------------------------------------------- the archive of the Done-when cases
def add(cli, name, as_, *extra, phone="13800000000"):
    return cli("customer", "add", name, *FORM, "--phone", phone, *extra, as_=as_)


@pytest.fixture
def fuda(org, cli):
    assert add(cli, "东莞富达模具有限公司", "rep_a1", phone="13812345678").exit_code == 0
    assert add(cli, "Cisco", "rep_a1", phone="13812345679").exit_code == 0
    return org


def _audit_after(url, action):
    rows = query(url, "select after from audit_entry where action = :a order by id desc limit 1", a=action)
    return json.loads(rows[0][0]) if isinstance(rows[0][0], str) else rows[0][0]


# --------------------------------------------------------------------------- --not-duplicate on claim add and lead add
CLAIM_FORM = ("--need", "模具采购", "--contact", "李四", "--title", "经理", "--status", "跟进中")
LEAD_FORM = ("--contact", "李四", "--industry", "Retail", "--region", "North", "--source", "展会")


def test_claim_add_possible_match_exits_5_unless_not_duplicate(fuda, cli):
    refused = cli("claim", "add", "富达通模具有限公司", *CLAIM_FORM, "--phone", "13900000001", as_="rep_b1")
    assert refused.exit_code == 5, refused
    assert "东莞富达模具有限公司" in refused.stderr and "rep_a1" in refused.stderr and "--not-duplicate" in refused.stderr
    assert query(fuda, "select count(*) from customer") == [(2,)]
    assert query(fuda, "select count(*) from ownership_entry where kind = 'request'") == [(0,)]
    result = cli("claim", "add", "富达通模具有限公司", *CLAIM_FORM, "--phone", "13900000001", "--not-duplicate",
                 "--format", "json", as_="rep_b1")
    assert result.exit_code == 0, result
    assert result.json()["customer"] == "富达通模具有限公司" and result.json()["status"] == "granted"
    after = _audit_after(fuda, "customer.add")
    assert after["name"] == "富达通模具有限公司"
    assert [(c["name"], c["reason"]) for c in after["not_duplicate_of"]] == [("东莞富达模具有限公司", "contains")]


def test_claim_add_not_duplicate_never_overrides_a_same_match(fuda, cli):
    result = cli("claim", "add", "东莞富达", "--need", "模具采购", "--not-duplicate", as_="rep_b1")
    assert result.exit_code == 5, result
    assert "--not-duplicate" in result.stderr and "东莞富达模具有限公司" in result.stderr
    assert "--force-claim" not in result.stderr
    assert query(fuda, "select count(*) from ownership_entry where kind in ('request', 'grant')") == [(0,)]
    assert query(fuda, "select count(*) from customer") == [(2,)]
    # without it the same match is a claim on the archive's customer, as before
    claimed = cli("claim", "add", "东莞富达", "--need", "模具采购", "--format", "json", as_="rep_b1")
    assert claimed.exit_code == 0 and claimed.json()["customer"] == "东莞富达模具有限公司"


def test_claim_add_asks_at_a_terminal(fuda, cli, monkeypatch):
    import questionary

    from salesctl import render

    asked = []

    class Answer:
        def __init__(self, value):
            self.value = value

        def unsafe_ask(self):
            return self.value

    monkeypatch.setattr(render, "interactive", lambda: True)
    monkeypatch.setattr(questionary, "confirm", lambda message, **kw: asked.append(message) or Answer(False))
    result = cli("claim", "add", "富达通模具有限公司", *CLAIM_FORM, "--phone", "13900000002", as_="rep_b1")
    assert result.exit_code == 0, result
    assert len(asked) == 1 and "东莞富达模具有限公司" in asked[0]
    assert query(fuda, "select count(*) from customer where name = '富达通模具有限公司'") == [(1,)]
    assert _audit_after(fuda, "customer.add")["not_duplicate_of"][0]["name"] == "东莞富达模具有限公司"
    # "yes, the same company": nothing added, exit 5 as in a script
    monkeypatch.setattr(questionary, "confirm", lambda message, **kw: Answer(True))
    same = cli("claim", "add", "富达达模具有限公司", *CLAIM_FORM, "--phone", "13900000003", as_="rep_b1")
    assert same.exit_code == 5, same
    assert query(fuda, "select count(*) from customer where name = '富达达模具有限公司'") == [(0,)]


def test_lead_add_possible_match_exits_5_unless_not_duplicate(fuda, cli):
    refused = cli("lead", "add", "富达通模具有限公司", *LEAD_FORM, "--phone", "13900000004", as_="asst_b")
    assert refused.exit_code == 5, refused
    assert "东莞富达模具有限公司" in refused.stderr and "--not-duplicate" in refused.stderr
    assert query(fuda, "select count(*) from lead") == [(0,)]
    result = cli("lead", "add", "富达通模具有限公司", *LEAD_FORM, "--phone", "13900000004", "--not-duplicate",
                 as_="asst_b")
    assert result.exit_code == 0, result
    assert query(fuda, "select c.name, c.owner_id from lead l join customer c on c.id = l.customer_id") == \
        [("富达通模具有限公司", None)]
    assert [c["name"] for c in _audit_after(fuda, "customer.add")["not_duplicate_of"]] == ["东莞富达模具有限公司"]
    same = cli("lead", "add", "东莞市富达模具有限公司", *LEAD_FORM, "--phone", "13900000005", "--not-duplicate",
               as_="asst_b")
    assert same.exit_code == 5 and "--not-duplicate" in same.stderr and "--force-claim" not in same.stderr
    assert query(fuda, "select count(*) from lead") == [(1,)]


# --------------------------------------------------------------------------- a merged customer is counted nowhere
@pytest.fixture
def merged(org, cli):
    """rep_a1 reported two records of one company this week; mgr_a merged the second into the first."""
    assert add(cli, "东莞富达模具有限公司", "rep_a1", "--grade", "B", phone="13812345678").exit_code == 0
    assert add(cli, "长安富达精工厂", "rep_a1", "--grade", "B", "--not-duplicate", phone="13812345670").exit_code == 0
    ids = dict(query(org, "select name, id from customer"))
    keep, drop = ids["东莞富达模具有限公司"], ids["长安富达精工厂"]
    visit = cli("visit", "log", str(drop), "--content", "上门拜访", "--result", "要求报价", "--contact", "张伟",
                as_="rep_a1")
    assert visit.exit_code == 0, visit
    claim = cli("claim", "add", str(drop), "--need", "模具采购", as_="rep_a2")  # pending: rep_a1 holds it
    assert claim.exit_code == 0, claim
    result = cli("customer", "merge", str(keep), str(drop), as_="mgr_a")
    assert result.exit_code == 0, result
    return keep, drop


def test_merged_customer_is_counted_nowhere(org, cli, merged):
    keep, drop = merged
    listed = cli("customer", "list", "--all", "--format", "json", as_="dir").json()
    assert [r["id"] for r in listed] == [keep]  # once: DROP's contact comes over as a further contact
    assert cli("customer", "grades", "--all", "--format", "json", as_="dir").json() == {"A": 0, "B": 1, "C": 0, "D": 0}
    week = cli("summary", "week", "--format", "json", as_="mgr_a").json()
    totals = week["totals"]
    assert (totals["new_customers"], totals["grade_b"], totals["visits"]) == (1, 1, 1)
    report = cli("report", "weekly", "--format", "json", as_="rep_a1").json()
    assert report["customers"] == {"total": 1, "A": 0, "B": 1, "C": 0, "D": 0, "new": 1}
    assert [r["customer_id"] for r in report["customer_rows"]] == [keep]
    exported = cli("export", "customers", "--format", "json", as_="dir").json()
    assert [r["id"] for r in exported] == [keep]
    ledger = cli("export", "ownership", "--format", "json", as_="dir").json()
    assert {r["customer_id"] for r in ledger} == {keep}
    assert [r["kind"] for r in ledger].count("report") == 2  # both reports, on KEEP
    claims = cli("claim", "list", "--all", "--format", "json", as_="dir").json()
    assert {r["customer_id"] for r in claims} == {keep}
    assert sorted((r["handle"], r["status"]) for r in claims) == [("rep_a1", "granted"), ("rep_a1", "granted"), ("rep_a2", "pending")]
    # DROP's pending claim is KEEP's now, once, and decided there
    pending = cli("claim", "list", "--pending", "--all", "--format", "json", as_="dir").json()
    assert [(r["customer_id"], r["handle"]) for r in pending] == [(keep, "rep_a2")]
    inbox = cli("inbox", "--format", "json", as_="mgr_a").json()
    assert [i for i in inbox if i["key"].startswith("claim:")] == [i for i in inbox if i["key"] == f"claim:{pending[0]['id']}"]
    assert len([i for i in inbox if i["key"].startswith("claim:")]) == 1
    rejected = cli("claim", "reject", str(pending[0]["id"]), "--reason", "已有负责人", as_="mgr_a")
    assert rejected.exit_code == 0, rejected
    assert cli("claim", "list", "--pending", "--all", "--format", "json", as_="dir").json() == []
    # by its id the dropped record is KEEP, for a claim as for a show
    claim = cli("claim", "add", str(drop), "--need", "模具采购", "--format", "json", as_="rep_b1")
    assert claim.exit_code == 0, claim
    assert claim.json()["customer_id"] == keep
    assert query(org, "select owner_id from customer where id = :d", d=drop) == [(None,)]


# --------------------------------------------------------------------------- bad input the other module leaves open
@pytest.mark.parametrize("code", ["91440300708461136I", "9144030070846113OT", "91440300-08461136T", "914403007084611360T"])
def test_credit_code_with_wrong_characters_or_length_exits_2(fuda, cli, code):
    result = add(cli, "华为技术有限公司", "rep_b1", "--credit-code", code, phone="13900000010")
    assert result.exit_code == 2, result
    assert "--credit-code" in result.stderr and "Traceback" not in result.stderr
    assert query(fuda, "select count(*) from customer") == [(2,)]


def test_merge_across_scopes_exits_3_and_changes_nothing(fuda, cli):
    assert add(cli, "北京小米科技有限责任公司", "rep_b1", phone="13900000011").exit_code == 0
    ids = dict(query(fuda, "select name, id from customer"))
    mine, theirs = str(ids["东莞富达模具有限公司"]), str(ids["北京小米科技有限责任公司"])
    for keep, drop in ((mine, theirs), (theirs, mine)):
        result = cli("customer", "merge", keep, drop, "--owner", "rep_a1", as_="mgr_a")
        assert result.exit_code == 3, result
    assert query(fuda, "select count(*) from customer where merged_into_id is not null") == [(0,)]
    assert query(fuda, "select count(*) from audit_entry where action = 'customer.merge'") == [(0,)]
