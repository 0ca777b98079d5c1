"""`salesctl inbox`: complaints, pending claims, reports to review and overdue actions waiting on the actor
(the rep's own kinds and `inbox done` are in test_notify_inbox.py)."""

from __future__ import annotations

from datetime import date

from test_meeting_fixtures import add_claim_request, add_report, decide_claim, make_customer


def _setup(cli, db_url):
    a1 = make_customer(db_url, "华东医疗", "rep_a1")
    b1 = make_customer(db_url, "北方零售集团", "rep_b1")
    # complaints: one open on rep_b1's customer, one closed
    open_c = cli("complaint", "add", str(b1), "--text", "发货延迟", "--severity", "high", as_="rep_b1", now="2026-11-26T10:00")
    assert open_c.exit_code == 0, open_c
    done_c = cli("complaint", "add", str(b1), "--text", "已经解决", as_="rep_b1", now="2026-11-25T10:00")
    cid, done_id = int(open_c.stdout), int(done_c.stdout)
    for step in (("update", "--status", "in_progress"), ("resolve", "--resolution", "ok"), ("close", "--satisfaction", "5")):
        assert cli("complaint", step[0], str(done_id), *step[1:], as_="mgr_b").exit_code == 0
    # claims: rep_b1 asks for rep_a1's customer (pending); an older request already decided
    pending = add_claim_request(db_url, a1, "rep_b1", "2026-11-25T09:00:00+08:00", need="客户在北方有分公司")
    decided = add_claim_request(db_url, a1, "rep_b1", "2026-11-20T09:00:00+08:00")
    decide_claim(db_url, decided, "mgr_b", "2026-11-21T09:00:00+08:00")
    # reports: rep_b1's submitted one waits for review; a reviewed one does not
    report = add_report(db_url, "rep_b1", date(2026, 11, 26))
    add_report(db_url, "rep_b1", date(2026, 11, 25), status="reviewed")
    add_report(db_url, "rep_a1", date(2026, 11, 26))
    # actions: rm_b's team meeting with an overdue action of rep_b1, a later one, a done one
    minutes = ("- [ ] @rep_b1 给客户回电 (due 2026-11-25)\n"
               "- [ ] @rep_b1 准备报价 (due 2026-12-04)\n"
               "- [x] @rep_b1 已完成 (due 2026-11-20)\n"
               "- [ ] @rm_b 区域计划 (due 2026-11-24)\n")
    assert cli("meeting", "new", "--minutes", minutes, as_="rm_b").exit_code == 0
    assert cli("meeting", "new", "--minutes", "- [ ] @rep_a1 甲队逾期 (due 2026-11-24)\n", as_="mgr_a").exit_code == 0
    return {"complaint": cid, "claim": pending, "report": report}


def test_inbox_of_a_manager_lists_every_kind_with_counts(org, cli, db_url):
    ids = _setup(cli, db_url)
    result = cli("inbox", "--format", "json", as_="mgr_b")
    assert result.exit_code == 0, result
    rows = result.json()
    assert all(set(r) == {"kind", "id", "customer", "text", "since", "key"} for r in rows)
    assert [r["key"] for r in rows[:3]] == [f"complaint:{ids['complaint']}", f"claim:{ids['claim']}",
                                           f"report:{ids['report']}"]
    got = [(r["kind"], r["id"], r["customer"]) for r in rows]
    assert got[:3] == [("complaint", ids["complaint"], "北方零售集团"), ("claim", ids["claim"], "华东医疗"),
                       ("report", ids["report"], None)]
    actions = [r for r in rows if r["kind"] == "action"]
    assert [r["text"] for r in actions] == ["@rm_b 区域计划 (due 2026-11-24)", "@rep_b1 给客户回电 (due 2026-11-25)"]
    assert actions[0]["since"] == "2026-11-25T00:00:00+08:00"
    assert rows[0]["since"] == "2026-11-26T10:00:00+08:00"
    assert "发货延迟" in rows[0]["text"] and "rep_b1" in rows[2]["text"]
    assert "Waiting: 1 complaint, 1 claim, 1 report, 2 action." in result.stderr


def test_inbox_scopes(org, cli, db_url):
    ids = _setup(cli, db_url)

    def kinds(actor):
        return [(r["kind"], r["id"]) for r in cli("inbox", "--format", "json", as_=actor).json()]

    # the regional manager: the complaint, the claim and report of their rep, their team's overdue actions
    rm = kinds("rm_b")
    assert ("complaint", ids["complaint"]) in rm and ("claim", ids["claim"]) in rm and ("report", ids["report"]) in rm
    assert len([k for k, _ in rm if k == "action"]) == 2
    # a rep: the complaint about their customer, their own open actions, the decision on their old claim
    rep = cli("inbox", "--format", "json", as_="rep_b1").json()
    assert [(r["kind"], r["text"]) for r in rep] == [
        ("complaint", "[high, open] 发货延迟"),
        ("action", "@rep_b1 给客户回电 (due 2026-11-25)"), ("action", "@rep_b1 准备报价 (due 2026-12-04)"),
        ("claim_decided", "your claim was rejected by mgr_b")]
    # another team's manager sees none of mgr_b's team
    mgr_a = cli("inbox", "--format", "json", as_="mgr_a").json()
    assert [(r["kind"], r["text"]) for r in mgr_a if r["kind"] != "report"] == [("action", "@rep_a1 甲队逾期 (due 2026-11-24)")]
    assert len([r for r in mgr_a if r["kind"] == "report"]) == 1
    # the assistant decides nothing
    assert kinds("asst_b") == []
    # the director: escalations only, not every claim and daily of the department
    director = kinds("dir")
    assert ("complaint", ids["complaint"]) in director
    assert ("claim", ids["claim"]) not in director and not [k for k, _ in director if k == "report"]


def test_inbox_table_kind_filter_and_check(org, cli, db_url):
    _setup(cli, db_url)
    table = cli("inbox", as_="mgr_b")
    assert table.exit_code == 0
    assert "Inbox of mgr_b" in table.stdout and "北方零售集团" in table.stdout and "Waiting:" in table.stderr
    only = cli("inbox", "--kind", "claim", "--format", "json", as_="mgr_b").json()
    assert [r["kind"] for r in only] == ["claim"]
    bad = cli("inbox", "--kind", "email", as_="mgr_b")
    assert bad.exit_code == 2 and "accepted: complaint, claim, report, action, claim_decided" in bad.stderr
    assert cli("inbox", "--check", as_="mgr_b").exit_code == 1
    assert cli("inbox", "--check", as_="asst_b").exit_code == 0
    zh = cli("inbox", as_="mgr_b", lang="zh")
    assert "客户投诉" in zh.stdout and "待处理：" in zh.stderr
