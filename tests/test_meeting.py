"""The weekly meeting through the real CLI: minutes → action items, carry-over, closure, agenda, permissions."""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import query
from test_meeting_fixtures import (
    add_claim_request,
    add_visit,
    add_won_deal,
    counts,
    decide_claim,
    make_customer,
)

MINUTES = """# 销售部例会 2026-11-23

本周重点：华东区回款。

- [ ] @rep_a1 跟进华东医疗的报价 (due 2026-12-04)
- [ ] @rep_a2 整理客户档案（截止 2026-12-02）
* [x] @mgr_a 确认培训时间
- [ ] @rep_a1 @rep_a2 联合拜访大客户 (due friday)
- 普通的一行，不是待办
- [ ] @rep_a2 没有截止日期的事项
"""


# --------------------------------------------------------------------------- parsing
def test_parse_minutes_chinese_text_handles_and_due_forms():
    from salesctl.services.teamwork.meetings import parse_minutes

    monday = date(2026, 11, 23)
    text = (
        "- [ ] @wang.fang 跟进报价，并发送合同 (due 2026-12-04)\n"
        "- [ ] @li_na.2 联系客户（截止 2026-12-02）\n"
        "- [X] @zhang.wei 已完成的事项\n"
        "- [ ] @wang.fang 周五前完成 (due friday)\n"
        "- [ ] @wang.fang 下周一 （截止：周一）\n"
        "- [ ] @wang.fang 月日 (due 12-10)\n"
        "  - [ ] @a.b, @c_d 两人负责\n"
        "1. [ ] @wang.fang 编号列表\n"
        "- not an action\n"
        "- [ ] @wang.fang. trailing dot\n"
    )
    actions = parse_minutes(text, monday)
    got = [(a.line, a.handles, a.text, a.due, a.done) for a in actions]
    assert got == [
        (1, ["wang.fang"], "跟进报价，并发送合同", date(2026, 12, 4), False),
        (2, ["li_na.2"], "联系客户", date(2026, 12, 2), False),
        (3, ["zhang.wei"], "已完成的事项", None, True),
        (4, ["wang.fang"], "周五前完成", date(2026, 11, 27), False),
        (5, ["wang.fang"], "下周一", date(2026, 11, 30), False),
        (6, ["wang.fang"], "月日", date(2026, 12, 10), False),
        (7, ["a.b", "c_d"], "两人负责", None, False),
        (8, ["wang.fang"], "编号列表", None, False),
        (10, ["wang.fang."], "trailing dot", None, False),
    ]


@pytest.mark.parametrize("line, needle", [
    ("- [ ] 没有负责人的待办", "line 2: an action item needs an owner"),
    ("- [ ] @rep_a1 做事 (due someday)", "line 2: due 'someday' is not a date"),
    ("- [ ] @rep_a1 (due 2026-12-01)", "line 2: the action for @rep_a1 has no text"),
])
def test_parse_minutes_refusals_name_the_line(line, needle):
    from salesctl.errors import InvalidInput
    from salesctl.services.teamwork.meetings import parse_minutes

    with pytest.raises(InvalidInput) as info:
        parse_minutes("纪要\n" + line + "\n", date(2026, 11, 23), "--minutes-file")
    assert needle in info.value.message
    assert info.value.message.startswith("--minutes-file: ")


# --------------------------------------------------------------------------- meeting new
def _actions(url, meeting_id):
    return query(url, "select s.handle, a.text, a.due, a.done_at is not null, a.carried_from_id "
                      "from action_item a join staff s on s.id = a.owner_id where a.meeting_id = :m order by a.id",
                 m=meeting_id)


def _day(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def test_meeting_new_turns_minutes_into_action_items(org, cli, db_url, tmp_path):
    path = tmp_path / "minutes.md"
    path.write_text(MINUTES, encoding="utf-8")
    result = cli("meeting", "new", "--minutes-file", str(path), as_="mgr_a")
    assert result.exit_code == 0, result
    meeting_id = int(result.stdout.strip())
    assert "6 action items, 0 carried over" in result.stderr
    (team, chair, held_at, minutes, by), = query(
        db_url, "select t.handle, c.handle, m.held_at, m.minutes, b.handle from meeting m join staff t on t.id = m.team_manager_id "
                "join staff c on c.id = m.chair_id join staff b on b.id = m.created_by_id where m.id = :m", m=meeting_id)
    assert (team, chair, by) == ("mgr_a", "mgr_a", "mgr_a")
    # Monday 17:00 of the frozen week (Friday 2026-11-27), stored as UTC
    assert str(held_at).startswith("2026-11-23 09:00")
    assert minutes == MINUTES
    rows = [(h, t, _day(d), done, cf) for h, t, d, done, cf in _actions(db_url, meeting_id)]
    assert rows == [
        ("rep_a1", "跟进华东医疗的报价", date(2026, 12, 4), False, None),
        ("rep_a2", "整理客户档案", date(2026, 12, 2), False, None),
        ("mgr_a", "确认培训时间", date(2026, 11, 30), True, None),
        ("rep_a1", "联合拜访大客户", date(2026, 11, 27), False, None),
        ("rep_a2", "联合拜访大客户", date(2026, 11, 27), False, None),
        ("rep_a2", "没有截止日期的事项", date(2026, 11, 30), False, None),  # no due: the next meeting
    ]
    audit = query(db_url, "select action from audit_entry where entity in ('meeting', 'action_item') order by id")
    assert [a for (a,) in audit] == ["meeting.new"] + ["action.add"] * 6


def test_meeting_new_json_and_show(org, cli):
    result = cli("meeting", "new", "--minutes", MINUTES, "--format", "json", as_="mgr_a")
    assert result.exit_code == 0, result
    record = result.json()
    assert record["team"] == "mgr_a" and record["chair"] == "mgr_a"
    assert record["held_at"] == "2026-11-23T17:00:00+08:00"
    assert [a["owner"] for a in record["actions"]] == ["rep_a1", "rep_a2", "mgr_a", "rep_a1", "rep_a2", "rep_a2"]
    assert record["actions"][2]["status"] == "done"
    shown = cli("meeting", "show", str(record["id"]), "--format", "json", as_="rep_a1").json()
    assert shown == record


def test_unknown_handle_exits_2_naming_line_and_handle_and_writes_nothing(org, cli, db_url, tmp_path):
    path = tmp_path / "m.md"
    path.write_text("纪要\n- [ ] @rep_a1 好的\n- [ ] @nobody.here 跟进客户 (due 2026-12-04)\n", encoding="utf-8")
    before = counts(db_url)
    result = cli("meeting", "new", "--minutes-file", str(path), as_="mgr_a")
    assert result.exit_code == 2, result
    assert "line 3" in result.stderr and "@nobody.here" in result.stderr and "--minutes-file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert counts(db_url) == before


def test_other_refusals_write_nothing(org, cli, db_url):
    assert cli("meeting", "new", as_="mgr_a").exit_code == 0
    before = counts(db_url)
    cases = [
        (("meeting", "new"), "mgr_a", 5, "already has a meeting on 2026-11-23"),
        (("meeting", "new", "--date", "2026-11-30", "--chair", "rep_b1"), "mgr_a", 2, "--chair"),
        (("meeting", "new", "--date", "2026-11-30", "--chair", "ghost"), "mgr_a", 4, "--chair"),
        (("meeting", "new", "--date", "2026-11-30", "--minutes", "- [ ] 无人负责"), "mgr_a", 2, "line 1"),
        (("meeting", "new", "--date", "someday"), "mgr_a", 2, "--date"),
        (("meeting", "new", "--date", "2026-11-30", "--manager", "mgr_b"), "rep_a1", 3, "permission denied"),
        (("meeting", "new", "--date", "2026-11-30", "--manager", "rep_a1"), "mgr_a", 2, "--manager"),
    ]
    for args, actor, code, needle in cases:
        result = cli(*args, as_=actor)
        assert result.exit_code == code, (args, result)
        assert needle in result.stderr, (args, result)
        assert len(result.stderr.strip().splitlines()) == 1, result
    assert counts(db_url) == before


def test_chair_defaults_to_the_team_manager_and_can_be_whoever_records(org, cli, db_url):
    # a rep under a regional manager records the meeting: the team is rm_b's, chaired by rm_b by default
    first = cli("meeting", "new", "--date", "2026-11-16", as_="rep_b1")
    assert first.exit_code == 0, first
    # the manager travels: the rep chairs
    second = cli("meeting", "new", "--date", "2026-11-23", "--chair", "rep_b1", "--format", "json", as_="rep_b1")
    assert second.exit_code == 0, second
    assert second.json()["chair"] == "rep_b1" and second.json()["team"] == "rm_b"
    stored = query(db_url, "select t.handle, c.handle from meeting m join staff t on t.id = m.team_manager_id "
                           "join staff c on c.id = m.chair_id order by m.id")
    assert stored == [("rm_b", "rm_b"), ("rm_b", "rep_b1")]
    # the director records the meeting of a manager's team
    third = cli("meeting", "new", "--manager", "mgr_a", "--format", "json", as_="dir")
    assert third.exit_code == 0 and third.json()["team"] == "mgr_a" and third.json()["chair"] == "mgr_a"


# --------------------------------------------------------------------------- carry-over and closure
def test_carry_over_lists_open_actions_at_the_top_and_counts_them_once(org, cli, db_url):
    week1 = ("- [ ] @rep_a1 报价单 (due 2026-11-20)\n"
             "- [ ] @rep_a2 客户回访 (due 2026-11-25)\n"
             "- [ ] @rep_a2 已经处理 (due 2026-11-20)\n")
    r1 = cli("meeting", "new", "--date", "2026-11-16", "--minutes", week1, as_="mgr_a", now="2026-11-16T18:00")
    assert r1.exit_code == 0, r1
    m1 = int(r1.stdout)
    done_id = query(db_url, "select id from action_item where text = '已经处理'")[0][0]
    assert cli("meeting", "action", "done", str(done_id), "--note", "已完成", as_="rep_a2", now="2026-11-18T10:00").exit_code == 0

    r2 = cli("meeting", "new", "--date", "2026-11-23", "--minutes", "- [ ] @rep_a1 新的事项 (due 2026-11-30)\n",
             as_="mgr_a", now="2026-11-23T18:00")
    assert r2.exit_code == 0, r2
    m2 = int(r2.stdout)
    assert "2 carried over" in r2.stderr
    carried = query(db_url, "select a.text, a.carried_from_id, o.meeting_id from action_item a "
                            "join action_item o on o.id = a.carried_from_id where a.meeting_id = :m order by a.id", m=m2)
    assert [(t, mid) for t, _, mid in carried] == [("报价单", m1), ("客户回访", m1)]

    shown = cli("meeting", "show", str(m2), as_="rep_a1", now="2026-11-24T09:00")
    assert shown.exit_code == 0, shown
    text = shown.stdout
    assert text.index("跟进会议讨论问题解决方案") < text.index("报价单") < text.index("Minutes") < text.index("新的事项")

    # open actions: each carried item once (the old copy is "carried", the new one open)
    rows = cli("meeting", "actions", "--open", "--format", "json", as_="mgr_a", now="2026-11-24T09:00").json()
    assert sorted(r["text"] for r in rows) == ["客户回访", "报价单", "新的事项"]
    assert all(r["meeting_id"] == m2 for r in rows)
    everything = cli("meeting", "actions", "--format", "json", as_="mgr_a", now="2026-11-24T09:00").json()
    status = {(r["meeting_id"], r["text"]): r["status"] for r in everything}
    assert status[(m1, "报价单")] == "carried" and status[(m2, "报价单")] == "open"
    assert status[(m1, "已经处理")] == "done"
    listed = {r["id"]: r for r in cli("meeting", "list", "--format", "json", as_="mgr_a").json()}
    assert (listed[m1]["open_actions"], listed[m2]["open_actions"], listed[m2]["carried_over"]) == (0, 3, 2)

    # marking the old (carried) id done closes the open copy
    old_id = query(db_url, "select id from action_item where meeting_id = :m and text = '报价单'", m=m1)[0][0]
    new_id = query(db_url, "select id from action_item where meeting_id = :m and text = '报价单'", m=m2)[0][0]
    done = cli("meeting", "action", "done", str(old_id), as_="rep_a1", now="2026-11-25T10:00")
    assert done.exit_code == 0, done
    assert done.stdout.strip() == str(new_id) and f"carried over to {new_id}" in done.stderr
    assert query(db_url, "select done_at is not null from action_item where id = :i", i=new_id) == [(True,)]
    assert query(db_url, "select done_at is null from action_item where id = :i", i=old_id) == [(True,)]

    # the next meeting carries only what is still open, once
    r3 = cli("meeting", "new", "--date", "2026-11-30", as_="mgr_a", now="2026-11-30T18:00")
    m3 = int(r3.stdout)
    assert sorted(t for (t,) in query(db_url, "select text from action_item where meeting_id = :m", m=m3)) == ["客户回访", "新的事项"]


def test_action_done_refusals_and_audit(org, cli, db_url):
    r = cli("meeting", "new", "--minutes", "- [ ] @rep_a1 打电话 (due 2026-11-25)\n", as_="mgr_a")
    action_id = query(db_url, "select id from action_item")[0][0]
    before = counts(db_url)
    for actor, code in (("rep_a2", 3), ("mgr_b", 3), ("rep_b1", 3)):
        result = cli("meeting", "action", "done", str(action_id), as_=actor)
        assert result.exit_code == code, (actor, result)
        assert "permission denied" in result.stderr
    assert cli("meeting", "action", "done", "999", as_="mgr_a").exit_code == 4
    assert counts(db_url) == before
    ok = cli("meeting", "action", "done", str(action_id), "--note", "客户已确认", "--format", "json", as_="mgr_a")
    assert ok.exit_code == 0, ok
    assert ok.json()["status"] == "done" and ok.json()["note"] == "客户已确认"
    audit = query(db_url, "select action, before, after from audit_entry where entity = 'action_item' and entity_id = :i "
                          "order by id", i=action_id)
    assert audit[-1][0] == "action.done"
    assert json.loads(audit[-1][1])["done_at"] is None and json.loads(audit[-1][2])["done_note"] == "客户已确认"
    again = cli("meeting", "action", "done", str(action_id), as_="rep_a1")
    assert again.exit_code == 5 and "already done" in again.stderr
    assert r.exit_code == 0


def test_actions_filters_overdue_with_a_frozen_clock(org, cli):
    minutes = ("- [ ] @rep_a1 早到期 (due 2026-11-24)\n"
               "- [ ] @rep_a2 晚到期 (due 2026-12-04)\n"
               "- [x] @rep_a1 已完成 (due 2026-11-20)\n")
    assert cli("meeting", "new", "--minutes", minutes, as_="mgr_a").exit_code == 0
    overdue = cli("meeting", "actions", "--overdue", "--format", "json", as_="mgr_a").json()
    assert [(r["owner"], r["text"], r["overdue"]) for r in overdue] == [("rep_a1", "早到期", True)]
    later = cli("meeting", "actions", "--overdue", "--format", "json", as_="mgr_a", now="2026-12-05T09:00").json()
    assert [r["text"] for r in later] == ["早到期", "晚到期"]
    mine = cli("meeting", "actions", "--owner", "rep_a2", "--format", "json", as_="mgr_a").json()
    assert [r["text"] for r in mine] == ["晚到期"]
    csv_out = cli("meeting", "actions", "--open", "--format", "csv", as_="rep_a1").stdout.splitlines()
    assert csv_out[0].startswith("id,meeting_date,owner,text,due,status,overdue")
    assert len(csv_out) == 3


def test_meetings_are_seen_by_the_team_and_those_above_only(org, cli):
    a = cli("meeting", "new", "--minutes", "- [ ] @rep_a1 甲队事项\n", as_="mgr_a")
    b = cli("meeting", "new", "--minutes", "- [ ] @rep_b1 乙队事项\n", as_="rm_b")
    assert a.exit_code == 0 and b.exit_code == 0
    a_id, b_id = int(a.stdout), int(b.stdout)
    seen = {actor: sorted(r["id"] for r in cli("meeting", "list", "--format", "json", as_=actor).json())
            for actor in ("rep_a1", "rep_b1", "mgr_a", "mgr_b", "asst_b", "dir")}
    assert seen == {"rep_a1": [a_id], "rep_b1": [b_id], "mgr_a": [a_id], "mgr_b": [b_id], "asst_b": [b_id],
                    "dir": [a_id, b_id]}
    refused = cli("meeting", "show", str(b_id), as_="rep_a1")
    assert refused.exit_code == 3 and "乙队" not in refused.stderr and refused.stdout == ""
    assert cli("meeting", "show", str(b_id), as_="mgr_a").exit_code == 3
    assert cli("meeting", "show", str(b_id), as_="mgr_b").exit_code == 0
    actions_a1 = cli("meeting", "actions", "--format", "json", as_="rep_a1").json()
    assert [r["text"] for r in actions_a1] == ["甲队事项"]
    assert cli("meeting", "show", "999", as_="mgr_a").exit_code == 4


# --------------------------------------------------------------------------- agenda
def test_agenda_drafts_the_coming_monday_from_the_data(org, cli, db_url):
    own = make_customer(db_url, "华东医疗", "rep_a1")
    other = make_customer(db_url, "北方零售", "rep_b1")
    add_visit(db_url, own, "rep_a1", "2026-11-24T10:00:00+08:00")
    add_visit(db_url, own, "rep_a1", "2026-11-26T15:00:00+08:00")
    add_visit(db_url, own, "rep_a1", "2026-11-16T15:00:00+08:00")  # the week before: not counted
    add_visit(db_url, other, "rep_b1", "2026-11-24T10:00:00+08:00")  # another team: not counted
    add_won_deal(db_url, own, "rep_a1", "10000.00", date(2026, 11, 25), payment="2500.50", paid_on=date(2026, 11, 26))
    add_won_deal(db_url, other, "rep_b1", "999.00", date(2026, 11, 25))
    pending = add_claim_request(db_url, own, "rep_a2", "2026-11-25T09:00:00+08:00", need="客户是医疗行业")
    decided = add_claim_request(db_url, own, "rep_a2", "2026-11-20T09:00:00+08:00")
    decide_claim(db_url, decided, "mgr_a", "2026-11-21T09:00:00+08:00")
    add_claim_request(db_url, other, "rep_b1", "2026-11-25T09:00:00+08:00")  # another team
    assert cli("complaint", "add", str(own), "--text", "发票开错了", as_="rep_a1").exit_code == 0
    assert cli("meeting", "new", "--minutes", "- [ ] @rep_a1 跟进发票 (due 2026-11-27)\n", as_="mgr_a").exit_code == 0

    # Monday morning, before the meeting: the agenda is for today, the week is the one just ended
    result = cli("meeting", "agenda", "--format", "json", as_="mgr_a", now="2026-11-30T10:00")
    assert result.exit_code == 0, result
    data = result.json()
    assert (data["meeting_date"], data["time"], data["team"], data["week"]) == ("2026-11-30", "17:00", "mgr_a", "2026-W48")
    assert [(a["owner"], a["text"], a["overdue"]) for a in data["open_actions"]] == [("rep_a1", "跟进发票", True)]
    assert data["headline"] == {"visits": 2, "new_customers": 0, "deals_won": 1, "won_amount": "10000.00",
                                "payments": 1, "payment_amount": "2500.50"}
    assert [(c["id"], c["customer"], c["requested_by"]) for c in data["pending_claims"]] == [(pending, "华东医疗", "rep_a2")]
    assert [(c["customer"], c["status"]) for c in data["open_complaints"]] == [("华东医疗", "open")]
    # the reps joined on Friday 2026-11-27: that day's report is missing after its 18:00 deadline
    assert [(m["handle"], m["days"]) for m in data["missing_reports"]] == [
        ("rep_a1", ["2026-11-27"]), ("rep_a2", ["2026-11-27"])]

    text = cli("meeting", "agenda", as_="mgr_a", now="2026-11-30T10:00").stdout
    for needle in ("2026-11-30 17:00", "跟进会议讨论问题解决方案", "跟进发票", "10,000.00", "华东医疗", "@rep_a2", "发票开错了"):
        assert needle in text, needle
    # after the meeting has started, the agenda is for next week's
    assert cli("meeting", "agenda", "--format", "json", as_="mgr_a", now="2026-11-30T17:30").json()["meeting_date"] == "2026-12-07"


def test_agenda_is_for_managers_and_their_assistants(org, cli):
    assert cli("meeting", "agenda", as_="rep_a1").exit_code == 3
    assert cli("meeting", "agenda", "--manager", "mgr_b", as_="mgr_a").exit_code == 3
    assert cli("meeting", "agenda", as_="asst_b").exit_code == 0
    assert cli("meeting", "agenda", "--manager", "rm_b", as_="mgr_b").exit_code == 0
    zh = cli("meeting", "agenda", as_="mgr_a", lang="zh")
    assert "部门例会议程" in zh.stdout and "缺交的日报" in zh.stdout
