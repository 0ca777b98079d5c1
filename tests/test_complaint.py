"""Customer complaints through the real CLI: escalation, workflow, overdue by severity, permissions."""

from __future__ import annotations

import json

import pytest

from conftest import query
from test_meeting_fixtures import counts, make_customer

T0 = "2026-11-27T09:00"


@pytest.fixture
def customers(org, db_url):
    return {
        "rep_a1": make_customer(db_url, "华东医疗", "rep_a1"),
        "rep_b1": make_customer(db_url, "北方零售集团", "rep_b1"),
        "pool": make_customer(db_url, "公海客户", None),
    }


def _add(cli, customer_id, actor, *extra, now=T0):
    result = cli("complaint", "add", str(customer_id), "--text", "发货延迟两周，客户很不满意", *extra, as_=actor, now=now)
    assert result.exit_code == 0, result
    return int(result.stdout.strip())


def _targets(url, complaint_id):
    return [h for (h,) in query(url, "select s.handle from complaint_escalation e join staff s on s.id = e.staff_id "
                                     "where e.complaint_id = :c order by e.id", c=complaint_id)]


# --------------------------------------------------------------------------- escalation
def test_complaint_on_a_rep_under_a_regional_manager_escalates_to_the_chain_and_the_director(customers, cli, db_url):
    result = cli("complaint", "add", str(customers["rep_b1"]), "--text", "发货延迟", "--severity", "high",
                 "--channel", "phone", as_="rep_b1")
    assert result.exit_code == 0, result
    cid = int(result.stdout)
    assert _targets(db_url, cid) == ["rm_b", "mgr_b", "dir"]
    assert "escalated to rm_b, mgr_b, dir" in result.stderr
    stored = query(db_url, "select c.status, c.severity, c.channel, r.handle, c.text from complaint c "
                           "join staff r on r.id = c.reporter_id where c.id = :c", c=cid)
    assert stored == [("open", "high", "phone", "rep_b1", "发货延迟")]
    assert query(db_url, "select from_status, to_status from complaint_event where complaint_id = :c", c=cid) == [(None, "open")]
    audit = query(db_url, "select action, after from audit_entry where entity = 'complaint' and entity_id = :c", c=cid)
    assert audit[0][0] == "complaint.add" and json.loads(audit[0][1])["escalated_to"] == ["rm_b", "mgr_b", "dir"]
    # it is in each target's inbox, and nobody else's
    for handle in ("rm_b", "mgr_b", "dir"):
        rows = cli("inbox", "--format", "json", as_=handle).json()
        assert [(r["kind"], r["id"]) for r in rows if r["kind"] == "complaint"] == [("complaint", cid)], handle
    for handle in ("mgr_a", "boss"):
        assert [r for r in cli("inbox", "--format", "json", as_=handle).json() if r["kind"] == "complaint"] == []
    # the customer's owner is told about the complaint too (issue 21: the rep's inbox)
    mine = cli("inbox", "--format", "json", as_="rep_b1").json()
    assert [(r["kind"], r["id"]) for r in mine if r["kind"] == "complaint"] == [("complaint", cid)]


def test_escalation_for_a_direct_report_and_about_and_the_pool(customers, cli, db_url):
    a = _add(cli, customers["rep_a1"], "rep_a1")
    assert _targets(db_url, a) == ["mgr_a", "dir"]
    # about someone in another team: that chain too
    b = _add(cli, customers["rep_a1"], "mgr_a", "--about", "rep_b1")
    assert _targets(db_url, b) == ["mgr_a", "rm_b", "mgr_b", "dir"]
    # an unowned customer escalates from whoever recorded it
    c = _add(cli, customers["pool"], "asst_b")
    assert _targets(db_url, c) == ["mgr_b", "dir"]


def test_without_a_director_the_gm_gets_it(customers, cli, db_url):
    assert cli("staff", "edit", "mgr_a", "--manager", "boss", as_="boss").exit_code == 0
    assert cli("staff", "edit", "mgr_b", "--manager", "boss", as_="boss").exit_code == 0
    assert cli("staff", "deactivate", "dir", as_="boss").exit_code == 0
    cid = _add(cli, customers["rep_a1"], "rep_a1")
    assert _targets(db_url, cid) == ["mgr_a", "boss"]


def test_add_refusals_write_nothing(customers, cli, db_url):
    before = counts(db_url)
    cases = [
        (("complaint", "add", str(customers["rep_b1"]), "--text", "x"), "rep_a1", 3, "permission denied"),
        (("complaint", "add", str(customers["rep_a1"]), "--text", "x", "--severity", "urgent"), "rep_a1", 2,
         "--severity: 'urgent' is not a severity; accepted: low, normal, high, critical"),
        (("complaint", "add", str(customers["rep_a1"]), "--text", "x", "--channel", "fax"), "rep_a1", 2,
         "accepted: phone, visit, email, other"),
        (("complaint", "add", str(customers["rep_a1"])), "rep_a1", 2, "--text"),
        (("complaint", "add", "99999", "--text", "x"), "rep_a1", 4, "no customer"),
        (("complaint", "add", str(customers["rep_a1"]), "--text", "x", "--about", "ghost"), "rep_a1", 4, "--about"),
    ]
    for args, actor, code, needle in cases:
        result = cli(*args, as_=actor)
        assert result.exit_code == code, (args, result)
        assert needle in result.stderr, (args, result)
        assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    refused = cli("complaint", "add", str(customers["rep_b1"]), "--text", "x", as_="rep_a1")
    assert "北方零售" not in refused.stderr
    assert counts(db_url) == before


# --------------------------------------------------------------------------- workflow
def test_workflow_keeps_every_step_with_who_and_when(customers, cli, db_url):
    cid = _add(cli, customers["rep_b1"], "rep_b1")
    steps = [
        (("complaint", "update", str(cid), "--status", "in_progress", "--note", "已联系客户"), "rm_b", "2026-11-27T10:00"),
        (("complaint", "update", str(cid), "--note", "安排补发"), "rep_b1", "2026-11-27T11:00"),
        (("complaint", "resolve", str(cid), "--resolution", "已补发货物并致歉"), "mgr_b", "2026-11-28T09:00"),
        (("complaint", "close", str(cid), "--satisfaction", "4", "--note", "客户满意"), "dir", "2026-11-29T09:00"),
    ]
    for args, actor, now in steps:
        result = cli(*args, as_=actor, now=now)
        assert result.exit_code == 0, (args, result)
        assert result.stdout.strip() == str(cid)
    events = query(db_url, "select e.from_status, e.to_status, s.handle, e.note from complaint_event e "
                           "join staff s on s.id = e.by_id where e.complaint_id = :c order by e.id", c=cid)
    assert events == [
        (None, "open", "rep_b1", None),
        ("open", "in_progress", "rm_b", "已联系客户"),
        ("in_progress", "in_progress", "rep_b1", "安排补发"),
        ("in_progress", "resolved", "mgr_b", "已补发货物并致歉"),
        ("resolved", "closed", "dir", "客户满意"),
    ]
    assert query(db_url, "select status, resolution, satisfaction from complaint where id = :c", c=cid) == [
        ("closed", "已补发货物并致歉", 4)]
    actions = [a for (a,) in query(db_url, "select action from audit_entry where entity = 'complaint' order by id")]
    assert actions == ["complaint.add", "complaint.in_progress", "complaint.note", "complaint.resolved", "complaint.closed"]
    shown = cli("complaint", "show", str(cid), "--format", "json", as_="rep_b1").json()
    assert [(e["by"], e["to"]) for e in shown["events"]][-1] == ("dir", "closed")
    assert shown["events"][1]["at"] == "2026-11-27T10:00:00+08:00"
    assert shown["satisfaction"] == 4 and shown["status"] == "closed"
    # closed is not in --open, nor in anyone's inbox
    assert cli("complaint", "list", "--open", "--format", "json", as_="dir").json() == []
    assert [r for r in cli("inbox", "--format", "json", as_="mgr_b").json() if r["kind"] == "complaint"] == []


@pytest.mark.parametrize("setup, args, needle", [
    ([], ("update", "{id}", "--status", "resolved"), "complaint {id} is open; it cannot become resolved; legal next: in_progress, rejected, duplicate"),
    ([], ("close", "{id}", "--satisfaction", "5"), "legal next: in_progress, rejected, duplicate"),
    ([], ("resolve", "{id}", "--resolution", "x"), "legal next: in_progress, rejected, duplicate"),
    ([("update", "{id}", "--status", "in_progress")], ("update", "{id}", "--status", "closed"),
     "complaint {id} is in_progress; it cannot become closed; legal next: resolved, rejected, duplicate"),
    ([("update", "{id}", "--status", "in_progress")], ("update", "{id}", "--status", "open"),
     "legal next: resolved, rejected, duplicate"),
    ([("update", "{id}", "--status", "duplicate")], ("update", "{id}", "--status", "in_progress"),
     "legal next: none (duplicate is final)"),
    ([("update", "{id}", "--status", "rejected")], ("update", "{id}", "--note", "再看看"), "rejected (final)"),
    ([], ("update", "{id}", "--status", "fixed"), "--status: 'fixed' is not a status; accepted: open, in_progress, resolved, closed, rejected, duplicate"),
    ([], ("update", "{id}"), "give --status S"),
    ([("update", "{id}", "--status", "in_progress"), ("resolve", "{id}", "--resolution", "ok")],
     ("close", "{id}"), "--satisfaction: required"),
    ([("update", "{id}", "--status", "in_progress"), ("resolve", "{id}", "--resolution", "ok")],
     ("close", "{id}", "--satisfaction", "6"), "--satisfaction: '6' is not 1-5"),
    ([("update", "{id}", "--status", "in_progress"), ("resolve", "{id}", "--resolution", "ok")],
     ("close", "{id}", "--satisfaction", "0"), "--satisfaction: '0' is not 1-5"),
    ([("update", "{id}", "--status", "in_progress")], ("resolve", "{id}"), "--resolution: required"),
    ([("update", "{id}", "--status", "in_progress")], ("update", "{id}", "--status", "resolved"), "--resolution: required"),
    ([("update", "{id}", "--status", "in_progress"), ("resolve", "{id}", "--resolution", "ok"), ("close", "{id}", "--satisfaction", "3")],
     ("update", "{id}", "--status", "in_progress"), "legal next: none (closed is final)"),
])
def test_illegal_transitions_exit_2_listing_the_legal_ones(customers, cli, db_url, setup, args, needle):
    cid = _add(cli, customers["rep_a1"], "rep_a1")
    for step in setup:
        result = cli("complaint", *[a.format(id=cid) for a in step], as_="mgr_a")
        assert result.exit_code == 0, (step, result)
    before = counts(db_url)
    status_before = query(db_url, "select status from complaint where id = :c", c=cid)
    result = cli("complaint", *[a.format(id=cid) for a in args], as_="mgr_a")
    assert result.exit_code == 2, result
    assert needle.format(id=cid) in result.stderr, result
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert counts(db_url) == before
    assert query(db_url, "select status from complaint where id = :c", c=cid) == status_before


def test_a_refusal_speaks_chinese_with_lang_zh_keeping_the_flag_and_exit_code(customers, cli):
    cid = _add(cli, customers["rep_a1"], "rep_a1")
    assert cli("complaint", "update", str(cid), "--status", "in_progress", as_="mgr_a").exit_code == 0
    en = cli("complaint", "close", str(cid), "--satisfaction", "6", as_="mgr_a")
    zh = cli("complaint", "close", str(cid), "--satisfaction", "6", as_="mgr_a", lang="zh")
    assert zh.exit_code == en.exit_code == 2, zh
    assert "--satisfaction" in zh.stderr and "'6'" in zh.stderr and "非常不满意" in zh.stderr, zh
    assert "is not" not in zh.stderr


def test_reject_duplicate_and_reopen_are_legal(customers, cli, db_url):
    a = _add(cli, customers["rep_a1"], "rep_a1")
    b = _add(cli, customers["rep_a1"], "rep_a1")
    c = _add(cli, customers["rep_a1"], "rep_a1")
    assert cli("complaint", "update", str(a), "--status", "rejected", "--note", "不属实", as_="mgr_a").exit_code == 0
    assert cli("complaint", "update", str(b), "--status", "in_progress", as_="rep_a1").exit_code == 0
    assert cli("complaint", "update", str(b), "--status", "duplicate", "--note", f"同 {a}", as_="rep_a1").exit_code == 0
    assert cli("complaint", "update", str(c), "--status", "in_progress", as_="rep_a1").exit_code == 0
    assert cli("complaint", "resolve", str(c), "--resolution", "已处理", as_="rep_a1").exit_code == 0
    assert cli("complaint", "update", str(c), "--status", "in_progress", "--note", "客户仍不满意", as_="dir").exit_code == 0
    assert query(db_url, "select id, status from complaint order by id") == [(a, "rejected"), (b, "duplicate"), (c, "in_progress")]


# --------------------------------------------------------------------------- permissions
def test_who_sees_and_who_updates(customers, cli, db_url):
    b = _add(cli, customers["rep_b1"], "rep_b1")
    a = _add(cli, customers["rep_a1"], "rep_a1")
    seen = {actor: sorted(r["id"] for r in cli("complaint", "list", "--format", "json", as_=actor).json())
            for actor in ("rep_a1", "rep_a2", "rep_b1", "rm_b", "mgr_a", "mgr_b", "asst_b", "dir", "boss")}
    assert seen == {"rep_a1": [a], "rep_a2": [], "rep_b1": [b], "rm_b": [b], "mgr_a": [a], "mgr_b": [b],
                    "asst_b": [b], "dir": sorted([a, b]), "boss": sorted([a, b])}
    before = counts(db_url)
    for actor in ("rep_a1", "rep_a2", "mgr_a", "asst_b"):
        result = cli("complaint", "update", str(b), "--status", "in_progress", as_=actor)
        assert result.exit_code == 3, (actor, result)
        assert "permission denied" in result.stderr and "发货" not in result.stderr
    assert cli("complaint", "show", str(b), as_="rep_a2").exit_code == 3
    assert cli("complaint", "update", "999", "--status", "in_progress", as_="dir").exit_code == 4
    assert counts(db_url) == before
    # the owner and every escalation target may update
    assert cli("complaint", "update", str(b), "--status", "in_progress", as_="rep_b1").exit_code == 0
    for actor in ("rm_b", "mgr_b", "dir"):
        assert cli("complaint", "update", str(b), "--note", f"{actor} 跟进", as_=actor).exit_code == 0
    # whoever recorded a complaint sees it
    c = _add(cli, customers["rep_b1"], "dir")
    assert c in [r["id"] for r in cli("complaint", "list", "--format", "json", as_="dir").json()]


def test_list_json_rows_and_filters(customers, cli):
    a = _add(cli, customers["rep_a1"], "rep_a1", "--severity", "critical", "--channel", "visit")
    b = _add(cli, customers["rep_a1"], "rep_a1")
    assert cli("complaint", "update", str(b), "--status", "rejected", as_="mgr_a").exit_code == 0
    rows = cli("complaint", "list", "--format", "json", as_="mgr_a").json()
    first = rows[0]
    assert {"id", "customer", "owner", "severity", "channel", "status", "overdue", "text", "escalated_to",
            "created_at", "reported_by"} <= set(first)
    assert (first["id"], first["customer"], first["owner"], first["severity"], first["channel"], first["escalated_to"]) == (
        a, "华东医疗", "rep_a1", "critical", "visit", "mgr_a, dir")
    assert [r["id"] for r in cli("complaint", "list", "--open", "--format", "json", as_="mgr_a").json()] == [a]
    assert [r["id"] for r in cli("complaint", "list", "--status", "rejected", "--format", "json", as_="mgr_a").json()] == [b]
    table = cli("complaint", "list", as_="mgr_a", lang="zh").stdout
    assert "紧急" in table and "不成立" in table and "客户投诉" in table


# --------------------------------------------------------------------------- overdue
def test_overdue_by_severity_with_a_frozen_clock(customers, cli, db_url):
    ids = {sev: _add(cli, customers["rep_a1"], "rep_a1", "--severity", sev, now=T0)
           for sev in ("critical", "high", "normal", "low")}

    def overdue(now):
        result = cli("complaint", "overdue", "--format", "json", as_="mgr_a", now=now)
        assert result.exit_code == 0, result
        return sorted(r["severity"] for r in result.json())

    assert overdue("2026-11-27T12:59") == []
    assert overdue("2026-11-27T13:01") == ["critical"]  # 4 hours
    assert overdue("2026-11-28T09:01") == ["critical", "high"]  # 24 hours
    assert overdue("2026-11-29T09:01") == ["critical", "high", "normal"]  # 48 hours
    assert overdue("2026-11-30T09:01") == ["critical", "high", "low", "normal"]  # 72 hours

    # an update (even a note) restarts the clock; resolved ones are not watched
    assert cli("complaint", "update", str(ids["critical"]), "--note", "已回电", as_="rep_a1", now="2026-11-27T13:30").exit_code == 0
    assert overdue("2026-11-27T17:00") == []
    assert overdue("2026-11-27T17:31") == ["critical"]
    assert cli("complaint", "update", str(ids["high"]), "--status", "in_progress", as_="mgr_a", now="2026-11-28T09:00").exit_code == 0
    assert cli("complaint", "resolve", str(ids["high"]), "--resolution", "ok", as_="mgr_a", now="2026-11-28T09:00").exit_code == 0
    assert "high" not in overdue("2026-12-10T09:00")

    check = cli("complaint", "overdue", "--check", as_="mgr_a", now="2026-11-27T17:31")
    assert check.exit_code == 1 and "1 complaint(s) overdue" in check.stderr
    assert cli("complaint", "overdue", "--check", as_="mgr_a", now="2026-11-27T17:00").exit_code == 0
    # the list flags them too
    rows = {r["id"]: r for r in cli("complaint", "list", "--format", "json", as_="mgr_a", now="2026-11-27T17:31").json()}
    assert rows[ids["critical"]]["overdue"] is True and rows[ids["normal"]]["overdue"] is False
    # someone who may not see them finds nothing overdue
    assert cli("complaint", "overdue", "--check", as_="mgr_b", now="2026-12-10T09:00").exit_code == 0


def test_overdue_hours_come_from_the_policy(customers, cli, tmp_path, monkeypatch):
    policy = tmp_path / "policy.toml"
    policy.write_text("[complaint]\noverdue_hours = { low = 1, normal = 2, high = 1, critical = 1 }\n", encoding="utf-8")
    monkeypatch.setenv("SALESCTL_POLICY", str(policy))
    _add(cli, customers["rep_a1"], "rep_a1", "--severity", "normal", now=T0)
    assert cli("complaint", "overdue", "--check", as_="dir", now="2026-11-27T10:30").exit_code == 0
    assert cli("complaint", "overdue", "--check", as_="dir", now="2026-11-27T11:01").exit_code == 1
