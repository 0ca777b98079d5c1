"""Leads found by assistants: lead add/list, and lead assign's ranking (region, shrunk success rate, load)
checked by hand on a fixture."""

from __future__ import annotations

import pytest

from conftest import query

FORM = ("--contact", "张伟", "--title", "采购经理", "--status", "跟进中")
LEAD = ("--contact", "李明", "--phone", "13911112222", "--industry", "Retail", "--region", "East", "--source", "展会")
POLICY = """
[leads]
min_sample = 5
window_months = 12
neighbours = { "East" = ["South"], "North" = ["East"] }
"""
_phones = iter(range(13700000000, 13700009999))


def ok(result):
    assert result.exit_code == 0, result
    return result


def counts(url):
    return {tbl: query(url, f"select count(*) from {tbl}")[0][0]
            for tbl in ("customer", "ownership_entry", "audit_entry", "lead")}


def own_customer(cli, handle, name):
    ok(cli("claim", "add", name, "--need", "x", *FORM, "--phone", str(next(_phones)), as_=handle))
    return name


def deals(cli, handle, customer, won=0, lost=0, old_won=0, open_=0):
    for kind, n in (("won", won), ("lost", lost), ("old", old_won), ("open", open_)):
        for _ in range(n):
            deal = ok(cli("deal", "add", customer, "--title", "采购", "--amount", "1000", as_=handle)).stdout.strip()
            if kind == "won":
                ok(cli("deal", "won", deal, as_=handle))
            elif kind == "lost":
                ok(cli("deal", "lost", deal, "--reason", "price", as_=handle))
            elif kind == "old":  # before the 12-month window: not counted
                ok(cli("deal", "won", deal, "--contract-date", "2025-10-01", as_=handle))


@pytest.fixture
def team(org, cli, db_url, tmp_path, monkeypatch):
    """Retail reps with known records (today 2026-11-27; window from 2025-11-27):

    handle    region  won/closed  load   note
    rep_a1    East    1/1         1      a lucky single deal
    rep_a3    East    5/6         1
    rep_s1    South   0/0         2      South neighbours East
    rep_s2    South   0/0         0
    rep_b1    North   2/4         1      North lists East: a neighbour too; an old win outside the window
    rep_star  West    0/0         0      industry '*'
    rep_old   East    -           -      deactivated: never a candidate; rep_a2 sells Health: neither
    """
    path = tmp_path / "policy.toml"
    path.write_text(POLICY, encoding="utf-8")
    monkeypatch.setenv("SALESCTL_POLICY", str(path))
    for handle, region, industry in (("rep_a3", "East", "Retail"), ("rep_s1", "South", "Retail"),
                                     ("rep_s2", "South", "Retail"), ("rep_star", "West", "*"),
                                     ("rep_old", "East", "Retail")):
        ok(cli("staff", "add", handle, "--name", handle, "--role", "rep", "--manager", "mgr_a", "--region", region,
               "--industry", industry, as_="boss"))
    ok(cli("staff", "deactivate", "rep_old", as_="boss"))
    deals(cli, "rep_a1", own_customer(cli, "rep_a1", "甲一客户"), won=1)
    deals(cli, "rep_a3", own_customer(cli, "rep_a3", "甲三客户"), won=5, lost=1, open_=1)
    deals(cli, "rep_b1", own_customer(cli, "rep_b1", "乙一客户"), won=2, lost=2, old_won=1)
    own_customer(cli, "rep_s1", "南一客户A")
    own_customer(cli, "rep_s1", "南一客户B")
    lead = ok(cli("lead", "add", "新线索超市", *LEAD, as_="asst_b"))
    return int(lead.stdout.strip())


# --------------------------------------------------------------------------- the ranking, by hand
def test_explain_ranks_by_region_then_shrunk_success_rate_then_load(team, cli, db_url):
    before = counts(db_url)
    result = ok(cli("lead", "assign", str(team), "--explain", "--format", "json", as_="dir"))
    # prior = pooled rate of the candidates = (1 + 5 + 2) / (1 + 6 + 4) = 8/11; m = 5
    # rep_a3: (5 + 5·8/11) / (6 + 5) = 95/121 = 0.7851   rep_a1: (1 + 40/11) / (1 + 5) = 51/66 = 0.7727
    # rep_s1, rep_s2, rep_star: (0 + 40/11) / 5 = 8/11 = 0.7273   rep_b1: (2 + 40/11) / (4 + 5) = 62/99 = 0.6263
    # raw rates would put rep_a1 (1/1) above rep_a3 (5/6): the shrinkage stops the lucky single deal
    assert result.json() == {
        "lead": team,
        "candidates": [
            {"handle": "rep_a3", "region_score": 2, "success_rate": "0.7851", "load": 1, "score": [2, "0.7851", -1]},
            {"handle": "rep_a1", "region_score": 2, "success_rate": "0.7727", "load": 1, "score": [2, "0.7727", -1]},
            {"handle": "rep_s2", "region_score": 1, "success_rate": "0.7273", "load": 0, "score": [1, "0.7273", 0]},
            {"handle": "rep_s1", "region_score": 1, "success_rate": "0.7273", "load": 2, "score": [1, "0.7273", -2]},
            {"handle": "rep_b1", "region_score": 1, "success_rate": "0.6263", "load": 1, "score": [1, "0.6263", -1]},
            {"handle": "rep_star", "region_score": 0, "success_rate": "0.7273", "load": 0, "score": [0, "0.7273", 0]},
        ],
        "chosen": None,
    }
    assert "(won + prior × m) / (closed + m)" in result.stderr and "m = 5" in result.stderr
    assert "8 won / 11 closed" in result.stderr and "nothing assigned" in result.stderr
    assert counts(db_url) == before
    table = ok(cli("lead", "assign", str(team), "--explain", as_="dir")).stdout
    assert table.index("rep_a3") < table.index("rep_a1") < table.index("rep_s2") < table.index("rep_star")


def test_a_manager_ranks_only_their_own_team(team, cli):
    ranked = ok(cli("lead", "assign", str(team), "--explain", "--format", "json", as_="mgr_a")).json()
    handles = [c["handle"] for c in ranked["candidates"]]
    # rep_b1 is in mgr_b's team; the pooled prior is now (1 + 5) / (1 + 6) = 6/7, m = 5:
    # rep_a1 = (1 + 30/7) / 6 = 37/42 = 0.8810, rep_a3 = (5 + 30/7) / 11 = 65/77 = 0.8442, no deals = 6/7 = 0.8571
    assert handles == ["rep_a1", "rep_a3", "rep_s2", "rep_s1", "rep_star"]
    assert [c["success_rate"] for c in ranked["candidates"]] == ["0.8810", "0.8442", "0.8571", "0.8571", "0.8571"]


# --------------------------------------------------------------------------- assigning
def test_without_a_terminal_yes_or_to_is_required(team, cli, db_url):
    before = counts(db_url)
    result = cli("lead", "assign", str(team), as_="dir")
    assert result.exit_code == 2 and "--yes" in result.stderr and "--to" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert counts(db_url) == before


def test_yes_takes_the_top_candidate(team, cli, db_url):
    result = ok(cli("lead", "assign", str(team), "--yes", "--explain", "--format", "json", as_="dir"))
    assert result.json()["chosen"] == "rep_a3"
    customer = query(db_url, "select c.id, s.handle from lead l join customer c on c.id = l.customer_id "
                             "join staff s on s.id = c.owner_id where l.id = :i", i=team)[0]
    assert customer[1] == "rep_a3"
    entry = query(db_url, "select e.kind, s.handle, e.from_owner_id from ownership_entry e join staff s "
                          "on s.id = e.to_owner_id where e.customer_id = :c order by e.id desc limit 1", c=customer[0])
    assert entry == [("assign", "rep_a3", None)]
    lead = query(db_url, "select l.status, a.handle, b.handle from lead l join staff a on a.id = l.assigned_to_id "
                         "join staff b on b.id = l.assigned_by_id where l.id = :i", i=team)
    assert lead == [("assigned", "rep_a3", "dir")]
    assert query(db_url, "select count(*) from audit_entry where action = 'lead.assign'") == [(1,)]
    again = cli("lead", "assign", str(team), "--yes", as_="dir")
    assert again.exit_code == 5 and "rep_a3" in again.stderr


def test_to_gives_it_to_a_chosen_rep(team, cli, db_url):
    row = ok(cli("lead", "assign", str(team), "--to", "rep_s1", "--format", "json", as_="mgr_a")).json()
    assert row["status"] == "assigned" and row["assigned_to"] == "rep_s1" and row["assigned_by"] == "mgr_a"
    assert row["owner"] == "rep_s1"


@pytest.mark.parametrize("args, as_, code, text", [
    (("--to", "rep_a2"), "mgr_a", 5, "Health"),          # cross-industry
    (("--to", "rep_b1"), "mgr_a", 3, "rep_b1"),          # not mgr_a's team
    (("--to", "rep_old"), "mgr_a", 2, "rep_old"),        # deactivated
    (("--to", "nobody"), "mgr_a", 4, "nobody"),
    (("--yes",), "rep_a1", 3, "assigning lead"),
    (("--yes",), "asst_b", 3, "assigning lead"),
])
def test_assign_refusals_write_nothing(team, cli, db_url, args, as_, code, text):
    before = counts(db_url)
    result = cli("lead", "assign", str(team), *args, as_=as_)
    assert result.exit_code == code, result
    assert text in result.stderr
    assert counts(db_url) == before


def test_unknown_lead_is_not_found(org, cli):
    result = cli("lead", "assign", "42", "--yes", as_="dir")
    assert result.exit_code == 4 and "42" in result.stderr


def test_no_candidate_in_the_industry(org, cli, db_url):
    lead = ok(cli("lead", "add", "医院", "--contact", "王", "--phone", "13911113333", "--industry", "Mining",
                  "--region", "East", "--source", "电话", as_="asst_b")).stdout.strip()
    result = cli("lead", "assign", lead, "--yes", as_="dir")
    assert result.exit_code == 5 and "Mining" in result.stderr


# --------------------------------------------------------------------------- lead add / list
def test_lead_add_puts_a_customer_in_the_pool_found_by_the_assistant(org, cli, db_url):
    result = ok(cli("lead", "add", "新线索超市", *LEAD, "--format", "json", as_="asst_b"))
    row = result.json()
    assert row["status"] == "open" and row["found_by"] == "asst_b" and row["source"] == "展会"
    assert row["industry"] == "Retail" and row["region"] == "East" and row["owner"] is None
    customer = query(db_url, "select c.owner_id, s.handle, c.incomplete from customer c join staff s "
                             "on s.id = c.reported_by_id where c.id = :i", i=row["customer_id"])[0]
    assert customer[0] is None and customer[1] == "asst_b" and customer[2]  # no title: flagged incomplete
    assert query(db_url, "select kind, to_owner_id from ownership_entry") == [("report", None)]
    assert query(db_url, "select count(*) from audit_entry where action = 'lead.add'") == [(1,)]


@pytest.mark.parametrize("args, as_, code, text", [
    (("新线索", "--contact", "李明", "--phone", "13911112222"), "asst_b", 2, "--industry, --region, --source"),
    (("新线索", *LEAD), "rep_a1", 3, "claim add"),
    (("新线索", *LEAD[:2], "--phone", "12", *LEAD[4:]), "asst_b", 2, "--phone"),
])
def test_lead_add_refusals(org, cli, db_url, args, as_, code, text):
    before = counts(db_url)
    result = cli("lead", "add", *args, as_=as_)
    assert result.exit_code == code, result
    assert text in result.stderr
    assert counts(db_url) == before


def test_a_lead_already_in_the_archive_is_a_duplicate(org, cli, db_url):
    own_customer(cli, "rep_a1", "新线索超市有限公司")
    before = counts(db_url)
    result = cli("lead", "add", "新线索超市", *LEAD, as_="asst_b")
    assert result.exit_code == 5 and "rep_a1" in result.stderr
    assert counts(db_url) == before


def test_lead_list_visibility(team, cli):
    ok(cli("lead", "add", "第二线索", *LEAD[:2], "--phone", "13911119999", *LEAD[4:], as_="dir"))
    assert [r["customer"] for r in ok(cli("lead", "list", "--format", "json", as_="asst_b")).json()] == ["新线索超市"]
    assert len(ok(cli("lead", "list", "--open", "--format", "json", as_="mgr_a")).json()) == 2
    assert ok(cli("lead", "list", "--format", "json", as_="rep_a3")).json() == []
    ok(cli("lead", "assign", str(team), "--yes", as_="dir"))
    assert [r["id"] for r in ok(cli("lead", "list", "--format", "json", as_="rep_a3")).json()] == [team]
    assert [r["status"] for r in ok(cli("lead", "list", "--status", "assigned", "--format", "json",
                                        as_="dir")).json()] == ["assigned"]
    assert cli("lead", "list", "--status", "won", as_="dir").exit_code == 2


def test_a_rep_claiming_an_open_lead_waits_for_the_manager(team, cli, db_url):
    obj = ok(cli("claim", "add", "新线索超市", "--need", "我认识采购", "--format", "json", as_="rep_a1")).json()
    assert obj["status"] == "pending" and obj["holder"] is None
    pending = ok(cli("claim", "list", "--pending", "--format", "json", as_="dir")).json()
    assert [(r["id"], r["why_pending"]) for r in pending] == [(obj["id"], "lead")]
    ok(cli("claim", "approve", str(obj["id"]), as_="mgr_a"))
    lead = query(db_url, "select l.status, s.handle from lead l join staff s on s.id = l.assigned_to_id "
                         "where l.id = :i", i=team)
    assert lead == [("assigned", "rep_a1")]
    refused = cli("lead", "assign", str(team), "--yes", as_="dir")
    assert refused.exit_code == 5


def test_at_a_terminal_the_manager_picks_from_the_ranking(team, cli, db_url, monkeypatch):
    import questionary

    from salesctl import render

    offered = {}

    class Answer:
        def __init__(self, choices):
            offered["choices"] = [c.value for c in choices]

        def unsafe_ask(self):
            return "rep_s2"

    monkeypatch.setattr(render, "interactive", lambda: True)
    monkeypatch.setattr(questionary, "select", lambda message, choices, **kw: Answer(choices))
    result = ok(cli("lead", "assign", str(team), as_="mgr_a"))
    assert offered["choices"] == ["rep_a1", "rep_a3", "rep_s2", "rep_s1", "rep_star", ""]
    assert "rep_s2" in result.stderr
    assert query(db_url, "select s.handle from lead l join staff s on s.id = l.assigned_to_id") == [("rep_s2",)]
