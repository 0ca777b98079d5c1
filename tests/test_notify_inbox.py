"""The rep's inbox (issue 21): claim decisions, claims on their customers, assigned leads, report
comments, today's follow-ups; each leaves when handled; `inbox done KEY` hides a notice."""

from __future__ import annotations

import json
from datetime import date

from conftest import query
from test_meeting_fixtures import add_report, make_customer


def _rows(cli, handle, **kw):
    result = cli("inbox", "--format", "json", as_=handle, **kw)
    assert result.exit_code == 0, result
    return result.json()


def _kinds(rows):
    return [(r["kind"], r["customer"]) for r in rows]


def _company(cli, db_url):
    """rep_a1 owns 华东医疗 and 东方电子; rep_b1 claims 华东医疗; the director approves."""
    east = make_customer(db_url, "华东医疗", "rep_a1")
    make_customer(db_url, "东方电子", "rep_a1")
    claim = cli("claim", "add", "华东医疗", "--need", "北方分公司要采购", as_="rep_b1", now="2026-11-26T09:00")
    assert claim.exit_code == 0, claim
    claim_id = int(claim.stdout)
    return east, claim_id


def test_a_reps_inbox_lists_every_kind_and_each_leaves_when_handled(org, cli, db_url):
    east, claim_id = _company(cli, db_url)
    # rep_a1: someone claims their customer
    rows = _rows(cli, "rep_a1")
    assert ("claim_against", "华东医疗") in _kinds(rows)
    against = next(r for r in rows if r["kind"] == "claim_against")
    assert against["key"] == f"claim-against:{claim_id}" and "rep_b1" in against["text"]
    # the director approves: rep_a1's item goes, rep_b1 learns the decision
    approved = cli("claim", "approve", str(claim_id), "--note", "北方分公司归乙队", "--owner-had-info", "no",
                   as_="dir", now="2026-11-26T15:00")
    assert approved.exit_code == 0, approved
    assert "claim_against" not in [r["kind"] for r in _rows(cli, "rep_a1")]
    decided = [r for r in _rows(cli, "rep_b1") if r["kind"] == "claim_decided"]
    assert [(r["customer"], r["text"]) for r in decided] == [("华东医疗", "your claim was approved by dir: 北方分公司归乙队")]
    # a lead assigned to rep_b1, not yet contacted
    lead = cli("lead", "add", "北方新零售", "--contact", "王经理", "--phone", "13911112222", "--industry", "Retail",
               "--region", "North", "--source", "展会", as_="asst_b", now="2026-11-26T10:00")
    assert lead.exit_code == 0, lead
    assigned = cli("lead", "assign", lead.stdout.strip(), "--to", "rep_b1", as_="mgr_b", now="2026-11-26T11:00")
    assert assigned.exit_code == 0, assigned
    # a comment on rep_b1's report
    report = add_report(db_url, "rep_b1", date(2026, 11, 25))
    assert cli("report", "review", str(report), "--comment", "多跟进北方新零售", as_="rm_b",
               now="2026-11-26T12:00").exit_code == 0
    # a follow-up due today on the customer rep_b1 now owns
    logged = cli("visit", "log", "华东医疗", "--contact", "李总", "--content", "介绍方案", "--result", "要报价",
                 "--follow-up", "2026-11-27", "--at", "2026-11-26T16:00", as_="rep_b1", now="2026-11-26T16:30")
    assert logged.exit_code == 0, logged

    rows = _rows(cli, "rep_b1")
    kinds = _kinds(rows)
    for expected in (("claim_decided", "华东医疗"), ("lead", "北方新零售"), ("comment", None), ("followup", "华东医疗")):
        assert expected in kinds, (expected, kinds)
    comment = next(r for r in rows if r["kind"] == "comment")
    assert comment["id"] == report and "多跟进北方新零售" in comment["text"] and comment["key"].startswith("comment:")
    assert next(r for r in rows if r["kind"] == "followup")["text"] == "follow-up due today"
    # keys are stable from run to run
    assert [r["key"] for r in _rows(cli, "rep_b1")] == [r["key"] for r in rows]
    # nothing of rep_b1's shows in rep_a2's inbox
    assert _rows(cli, "rep_a2") == []

    # handled: a visit to the lead's customer and a new visit to 华东医疗 (the follow-up is done)
    for name in ("北方新零售", "华东医疗"):
        done = cli("visit", "log", name, "--contact", "李总" if name == "华东医疗" else "王经理", "--content", "拜访",
                   "--result", "推进", as_="rep_b1")
        assert done.exit_code == 0, done
    # notices are hidden with inbox done
    for row in rows:
        if row["kind"] in ("claim_decided", "comment"):
            hidden = cli("inbox", "done", row["key"], as_="rep_b1")
            assert hidden.exit_code == 0, hidden and f"Hid {row['key']}" in hidden.stderr
    assert _rows(cli, "rep_b1") == []
    stored = query(db_url, "select s.handle, d.key from inbox_dismissal d join staff s on s.id = d.staff_id order by d.id")
    assert [k for _, k in stored] == [r["key"] for r in rows if r["kind"] in ("claim_decided", "comment")]
    audit = query(db_url, "select after from audit_entry where action = 'inbox.done'")
    assert [json.loads(a[0])["item"] for a in audit] == [k for _, k in stored]


def test_inbox_done_refuses_unknown_and_actionable_items(org, cli, db_url):
    _, claim_id = _company(cli, db_url)
    unknown = cli("inbox", "done", "comment:999", as_="rep_a1")
    assert unknown.exit_code == 4 and "comment:999" in unknown.stderr
    actionable = cli("inbox", "done", f"claim-against:{claim_id}", as_="rep_a1")
    assert actionable.exit_code == 2 and "leaves the inbox when it is handled" in actionable.stderr
    # another person's item is not in your inbox
    assert cli("inbox", "done", f"claim-against:{claim_id}", as_="rep_a2").exit_code == 4
    assert query(db_url, "select count(*) from inbox_dismissal") == [(0,)]


def test_a_manager_sees_the_team_and_the_director_only_escalations(org, cli, db_url):
    _, claim_id = _company(cli, db_url)
    report = add_report(db_url, "rep_a1", date(2026, 11, 27), submitted="2026-11-27T17:00:00+08:00")
    mgr = _rows(cli, "mgr_a")
    assert ("report", report) in [(r["kind"], r["id"]) for r in mgr]
    director = _rows(cli, "dir")
    assert not [r for r in director if r["kind"] == "report"]
    # a rep sees their own missing daily reports once the deadline has passed
    late = _rows(cli, "rep_a2", now="2026-11-27T18:30")
    assert [(r["kind"], r["key"]) for r in late] == [("missing", "missing:daily:2026-11-27")]
    zh = cli("inbox", as_="rep_a2", now="2026-11-27T18:30", lang="zh")
    assert "未交报告" in zh.stdout and "2026-11-27 的日报未提交" in zh.stdout
