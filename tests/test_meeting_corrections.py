"""Issue 16, item 7 and item 1's last part: meetings are corrected and cancelled, actions are corrected,
and an open action about a customer follows the customer's owner. Every refusal changes nothing."""

from __future__ import annotations

import pytest

from conftest import query
from test_handbook_owner import account  # noqa: F401  (the fixture: rep_a1's customer with open and won deals)
from test_meeting_fixtures import counts, make_customer

MINUTES = "本周重点：回款。\n- [ ] @rep_a1 跟进报价 (due 2026-12-04)\n- [ ] @rep_a2 整理档案\n- [x] @mgr_a 确认培训\n"


def ok(result):
    assert result.exit_code == 0, result
    return result


def _meeting(cli, minutes=MINUTES, *, date=None, customer=None, as_="mgr_a", now=None):
    extra = (["--date", date] if date else []) + (["--customer", customer] if customer else [])
    return ok(cli("meeting", "new", "--minutes", minutes, "--format", "json", *extra, as_=as_, now=now)).json()


def _actions(url, meeting_id=None):
    sql = ("select a.id, s.handle, a.text, a.due, a.done_at is not null, a.cancelled_at is not null, a.carried_from_id, "
           "a.customer_id from action_item a join staff s on s.id = a.owner_id")
    if meeting_id is not None:
        return query(url, sql + " where a.meeting_id = :m order by a.id", m=meeting_id)
    return query(url, sql + " order by a.id")


def _stored(url):
    """Everything a meeting correction may write, to compare before and after a refusal."""
    return (counts(url), query(url, "select id, chair_id, minutes, week, cancelled_at, cancel_reason from meeting order by id"),
            _actions(url))


# --------------------------------------------------------------------------- meeting edit
def test_meeting_edit_rereads_the_minutes_against_the_actions(org, cli, db_url):
    meeting = _meeting(cli)
    (keep, *_), (gone, *_), (done, *_) = _actions(db_url, meeting["id"])
    audits = query(db_url, "select count(*) from audit_entry")[0][0]
    new_minutes = ("本周重点：回款（更正）。\n- [ ] @rep_a1 跟进报价 (due 2026-12-11)\n- [ ] @rep_a2 联系新客户\n"
                   "- [x] @mgr_a 确认培训\n")
    edited = cli("meeting", "edit", str(meeting["id"]), "--minutes", new_minutes, "--chair", "dir",
                 "--reason", "纪要写错", "--format", "json", as_="mgr_a")
    assert edited.exit_code == 0, edited
    assert "1 actions added, 1 changed, 1 cancelled" in edited.stderr
    detail = edited.json()
    assert detail["chair"] == "dir" and detail["minutes"] == new_minutes
    rows = {r[0]: r for r in _actions(db_url, meeting["id"])}
    assert str(rows[keep][3]) == "2026-12-11" and not rows[keep][5]           # kept, due moved
    assert rows[gone][5]                                                     # its line is gone: cancelled
    assert rows[done][4] and not rows[done][5]                               # done stays done
    added = [r for i, r in rows.items() if i not in (keep, gone, done)]
    assert [(r[1], r[2], r[4], r[5]) for r in added] == [("rep_a2", "联系新客户", False, False)]
    assert query(db_url, "select cancel_reason from action_item where id = :i", i=gone) == [("纪要写错",)]
    actions = dict(query(db_url, "select action, count(*) from audit_entry where id > 0 group by action"))
    assert actions.get("meeting.edit") == 1 and actions.get("action.add", 0) >= 4 and actions.get("action.cancel") == 1
    assert query(db_url, "select count(*) from audit_entry")[0][0] == audits + 4  # edit, add, change, cancel
    # the same minutes again change nothing but the audit of the edit itself
    again = ok(cli("meeting", "edit", str(meeting["id"]), "--minutes", new_minutes, as_="mgr_a"))
    assert "0 actions added, 0 changed, 0 cancelled" in again.stderr
    # an action reassigned since keeps its new owner when the minutes are edited again
    ok(cli("meeting", "action", str(keep), "--reassign", "rep_a2", as_="mgr_a"))
    third = ok(cli("meeting", "edit", str(meeting["id"]), "--minutes", new_minutes + "补充说明\n", as_="mgr_a"))
    assert "0 actions added, 0 changed, 0 cancelled" in third.stderr
    assert query(db_url, "select s.handle, a.cancelled_at from action_item a join staff s on s.id = a.owner_id "
                         "where a.id = :i", i=keep) == [("rep_a2", None)]


def test_meeting_edit_is_for_the_team_manager_or_above(org, cli, db_url):
    meeting = _meeting(cli)
    before = _stored(db_url)
    for who in ("rep_a1", "mgr_b", "asst_b"):
        refused = cli("meeting", "edit", str(meeting["id"]), "--chair", "dir", as_=who)
        assert refused.exit_code == 3, (who, refused)
        assert refused.stderr.startswith("error: ") and refused.stdout == ""
    assert cli("meeting", "cancel", str(meeting["id"]), "--reason", "x", as_="rep_a1").exit_code == 3
    assert _stored(db_url) == before
    ok(cli("meeting", "edit", str(meeting["id"]), "--chair", "dir", as_="dir"))
    assert query(db_url, "select s.handle from meeting m join staff s on s.id = m.chair_id") == [("dir",)]


def test_meeting_edit_refuses_an_owner_outside_the_team_and_changes_nothing(org, cli, db_url):
    meeting = _meeting(cli)
    before = _stored(db_url)
    refused = cli("meeting", "edit", str(meeting["id"]), "--minutes", MINUTES + "- [ ] @rep_b1 乙队事项\n", as_="mgr_a")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "--minutes" in refused.stderr and "@rep_b1" in refused.stderr and "team mgr_a" in refused.stderr
    nothing = cli("meeting", "edit", str(meeting["id"]), as_="mgr_a")
    assert nothing.exit_code == 2 and "--minutes" in nothing.stderr
    assert cli("meeting", "edit", "abc", "--chair", "dir", as_="mgr_a").exit_code == 2
    assert cli("meeting", "edit", "999", "--chair", "dir", as_="mgr_a").exit_code == 4
    assert _stored(db_url) == before


# --------------------------------------------------------------------------- meeting cancel
def test_a_cancelled_meeting_stays_visible_frees_its_week_and_gives_back_carried_actions(org, cli, db_url):
    first = _meeting(cli, "- [ ] @rep_a1 跟进报价 (due 2026-12-04)\n", date="2026-11-16")
    (original, *_), = _actions(db_url, first["id"])
    second = _meeting(cli, "- [ ] @rep_a2 本周新事项\n")  # this week: carries the first meeting's action
    assert [(r[1], r[6]) for r in _actions(db_url, second["id"])] == [("rep_a1", original), ("rep_a2", None)]
    before = _stored(db_url)
    assert cli("meeting", "cancel", str(second["id"]), as_="mgr_a").exit_code == 2  # --reason required
    assert _stored(db_url) == before

    cancelled = cli("meeting", "cancel", str(second["id"]), "--reason", "会议未召开", as_="mgr_a")
    assert cancelled.exit_code == 0, cancelled
    assert "1 open actions cancelled, 1 carried actions back" in cancelled.stderr
    assert query(db_url, "select week, cancel_reason from meeting where id = :m", m=second["id"]) == [(None, "会议未召开")]
    assert all(r[5] for r in _actions(db_url, second["id"]))  # both copies cancelled
    # the original is open again in its own meeting
    opened = ok(cli("meeting", "actions", "--open", "--format", "json", as_="mgr_a")).json()
    assert [r["id"] for r in opened] == [original]
    # still listed and shown, marked cancelled
    listed = {r["id"]: r["status"] for r in ok(cli("meeting", "list", "--format", "json", as_="mgr_a")).json()}
    assert listed == {first["id"]: "recorded", second["id"]: "cancelled"}
    table = ok(cli("meeting", "list", as_="mgr_a")).stdout
    assert "cancelled" in table and "recorded" in table
    shown = ok(cli("meeting", "show", str(second["id"]), as_="rep_a1")).stdout
    assert "Cancelled" in shown and "会议未召开" in shown
    assert ok(cli("meeting", "show", str(second["id"]), "--format", "json", as_="mgr_a")).json()["status"] == "cancelled"
    # the default `meeting show` is the latest meeting held
    assert ok(cli("meeting", "show", "--format", "json", as_="mgr_a")).json()["id"] == first["id"]
    # the week's meeting is recorded again, and carries the original again
    again = _meeting(cli, "纪要\n")
    assert [(r[1], r[6]) for r in _actions(db_url, again["id"])] == [("rep_a1", original)]
    assert query(db_url, "select count(*) from audit_entry where action = 'meeting.cancel'") == [(1,)]


def test_editing_or_cancelling_a_cancelled_meeting_is_refused_and_changes_nothing(org, cli, db_url):
    meeting = _meeting(cli)
    ok(cli("meeting", "cancel", str(meeting["id"]), "--reason", "记错周次", as_="mgr_a"))
    before = _stored(db_url)
    for args in (("edit", str(meeting["id"]), "--minutes", "新纪要\n"), ("edit", str(meeting["id"]), "--chair", "dir"),
                 ("cancel", str(meeting["id"]), "--reason", "再取消")):
        refused = cli("meeting", *args, as_="mgr_a")
        assert refused.exit_code == 5, (args, refused)
        assert "cancelled" in refused.stderr and refused.stdout == ""
    assert cli("meeting", "action", str(_actions(db_url)[0][0]), "--due", "2026-12-20", as_="mgr_a").exit_code == 5
    assert _stored(db_url) == before


# --------------------------------------------------------------------------- actions
def test_reassigning_an_action_to_an_inactive_person_is_refused_and_changes_nothing(org, cli, db_url):
    _meeting(cli)
    first = _actions(db_url)[0][0]
    ok(cli("staff", "deactivate", "rep_a2", as_="boss"))
    before = _stored(db_url)
    refused = cli("meeting", "action", str(first), "--reassign", "rep_a2", as_="mgr_a")
    assert refused.exit_code == 2 and "--reassign" in refused.stderr and "rep_a2" in refused.stderr
    assert "deactivated" in refused.stderr
    assert _stored(db_url) == before


def test_an_action_is_linked_to_a_customer_in_the_minutes_or_by_option(org, cli, db_url):
    east = make_customer(db_url, "华东医疗", "rep_a1")
    other = make_customer(db_url, "南方超市", "rep_a1")
    before = _stored(db_url)
    unknown = cli("meeting", "new", "--minutes", "- [ ] @rep_a1 报价 (customer: 不存在的公司)\n", as_="mgr_a")
    assert unknown.exit_code == 4 and "line 1" in unknown.stderr
    hidden = cli("meeting", "new", "--minutes", f"- [ ] @rep_b1 报价 (customer: {east})\n", as_="mgr_b")
    assert hidden.exit_code == 3
    assert _stored(db_url) == before
    meeting = _meeting(cli, "- [ ] @rep_a1 跟进报价 (customer: 华东医疗) (due 2026-12-04)\n"
                            "- [ ] @rep_a1 送样品（截止 周五）（客户：南方超市）\n- [ ] @rep_a2 整理档案\n",
                       customer="华东医疗")
    rows = _actions(db_url, meeting["id"])
    assert [(r[2], r[7]) for r in rows] == [("跟进报价", east), ("送样品", other), ("整理档案", east)]
    assert str(rows[0][3]) == "2026-12-04" and str(rows[1][3]) == "2026-11-27"
    assert [a["customer"] for a in meeting["actions"]] == ["华东医疗", "南方超市", "华东医疗"]
    row = ok(cli("meeting", "action", str(rows[2][0]), "--customer", "none", "--format", "json", as_="mgr_a")).json()
    assert row["customer_id"] is None
    ok(cli("meeting", "action", str(rows[2][0]), "--customer", str(other), as_="mgr_a"))
    assert _actions(db_url, meeting["id"])[2][7] == other
    assert "(customer 南方超市)" in ok(cli("meeting", "show", str(meeting["id"]), as_="mgr_a")).stdout


def test_open_actions_about_a_customer_follow_its_new_owner(org, cli, db_url):
    cid = make_customer(db_url, "华东医疗", "rep_a1")
    meeting = _meeting(cli, "- [ ] @rep_a1 跟进报价 (customer: 华东医疗)\n- [x] @rep_a1 已发资料 (customer: 华东医疗)\n"
                            "- [ ] @rep_a1 别的事\n- [ ] @mgr_a 拜访客户老板 (customer: 华东医疗)\n")
    follow, sent, other, boss = (r[0] for r in _actions(db_url, meeting["id"]))
    ok(cli("customer", "edit", str(cid), "--owner", "rep_a2", "--reason", "甲一调岗", as_="mgr_a"))
    owners = {r[0]: r[1] for r in _actions(db_url)}
    assert owners == {follow: "rep_a2", sent: "rep_a1", other: "rep_a1", boss: "rep_a2"}
    moved = query(db_url, "select entity_id, actor_id, after from audit_entry where action = 'action.owner' order by entity_id")
    assert [m[0] for m in moved] == [follow, boss]
    assert all("甲一调岗" in m[2] and '"entry"' in m[2] for m in moved)
    mgr_a = query(db_url, "select id from staff where handle = 'mgr_a'")[0][0]
    assert {m[1] for m in moved} == {mgr_a}
    # the new owner sees them as theirs; the old owner no longer has them open
    mine = ok(cli("meeting", "actions", "--open", "--owner", "rep_a2", "--format", "json", as_="rep_a2")).json()
    assert sorted(r["id"] for r in mine) == sorted([follow, boss])
    # a carried copy keeps its customer, and moves as the open end of the chain
    nxt = _meeting(cli, "纪要\n", date="2026-12-07", now="2026-12-07T18:00")
    copies = {r[6]: r for r in _actions(db_url, nxt["id"])}
    assert copies[follow][7] == cid
    ok(cli("customer", "edit", str(cid), "--owner", "rep_a1", "--reason", "调回", as_="mgr_a", now="2026-12-07T18:30"))
    assert query(db_url, "select s.handle from action_item a join staff s on s.id = a.owner_id where a.id = :i",
                 i=copies[follow][0]) == [("rep_a1",)]
    assert query(db_url, "select s.handle from action_item a join staff s on s.id = a.owner_id where a.id = :i",
                 i=follow) == [("rep_a2",)]  # the carried original is history, not moved


def test_staff_handover_counts_the_actions_it_moves(org, cli, db_url):
    make_customer(db_url, "华东医疗", "rep_a1")
    make_customer(db_url, "南方超市", "rep_a1")
    _meeting(cli, "- [ ] @rep_a1 跟进报价 (customer: 华东医疗)\n- [ ] @rep_a1 送样品 (customer: 南方超市)\n"
                  "- [ ] @rep_a1 自己的事\n")
    dry = ok(cli("staff", "handover", "rep_a1", "--to", "rep_a2", "--dry-run", "--format", "json", as_="mgr_a")).json()
    assert dry["actions"] == 2 and [r["actions"] for r in dry["moved"]] == [1, 1]
    assert "2 open meeting actions" in cli("staff", "handover", "rep_a1", "--to", "rep_a2", "--dry-run", as_="mgr_a").stderr
    assert query(db_url, "select count(*) from action_item a join staff s on s.id = a.owner_id "
                         "where s.handle = 'rep_a2'") == [(0,)]
    done = ok(cli("staff", "handover", "rep_a1", "--to", "rep_a2", as_="mgr_a"))
    assert "2 open meeting actions" in done.stderr
    assert sorted(query(db_url, "select a.text, s.handle from action_item a join staff s on s.id = a.owner_id")) == [
        ("自己的事", "rep_a1"), ("跟进报价", "rep_a2"), ("送样品", "rep_a2")]


# --------------------------------------------------------------------------- the one owner-change mechanism
@pytest.mark.parametrize("path", ["claim approve", "customer edit --owner"])
def test_every_owner_change_moves_deals_and_actions_and_locks_out_the_old_owner(path, account, cli, db_url):
    """Done when, item 1: after `claim approve` and after `customer edit --owner`, `deal list --customer C`
    shows the new owner on every open deal, the old owner is refused (exit 3), the new owner works them,
    and the ledger (and the audit log, for the actions) shows the moves."""
    cid, (d1, d2), won = account["cid"], account["open"], account["won"]
    meeting = _meeting(cli, "- [ ] @rep_a1 跟进华光科技的二期 (customer: 华光科技)\n")
    (action, *_), = _actions(db_url, meeting["id"])
    if path == "claim approve":
        new_owner, actor, kind = "rep_b1", "dir", "approve"
        request = ok(cli("claim", "add", str(cid), "--need", "我更了解客户需求", "--format", "json", as_="rep_b1")).json()["id"]
        ok(cli("claim", "approve", str(request), "--note", "乙一更了解需求", "--owner-had-info", "no", as_="dir"))
    else:
        new_owner, actor, kind = "rep_a2", "mgr_a", "transfer"
        ok(cli("customer", "edit", str(cid), "--owner", "rep_a2", "--reason", "甲一调岗", as_="mgr_a"))
    listed = ok(cli("deal", "list", "--customer", str(cid), "--all", "--format", "json", as_="dir")).json()
    assert {r["id"]: r["owner"] for r in listed} == {d1: new_owner, d2: new_owner, won: "rep_a1"}
    entry, entry_kind = query(db_url, "select id, kind from ownership_entry where customer_id = :c order by id desc",
                              c=cid)[0]
    assert entry_kind == kind
    assert query(db_url, "select count(*) from deal_owner_change where entry_id = :e", e=entry) == [(2,)]
    moved = query(db_url, "select a.entity_id, s.handle, a.after from audit_entry a join staff s on s.id = a.actor_id "
                          "where a.action = 'action.owner'")
    assert [(m[0], m[1]) for m in moved] == [(action, actor)] and f'"entry": {entry}' in moved[0][2]
    assert query(db_url, "select s.handle from action_item a join staff s on s.id = a.owner_id where a.id = :i",
                 i=action) == [(new_owner,)]
    before = (counts(db_url), _actions(db_url))
    assert cli("deal", "advance", str(d1), as_="rep_a1").exit_code == 3
    assert cli("deal", "won", str(d2), as_="rep_a1").exit_code == 3
    assert cli("payment", "add", str(won), "--amount", "100", "--date", "2026-11-27", as_="rep_a1").exit_code == 3
    assert (counts(db_url), _actions(db_url)) == before
    ok(cli("deal", "advance", str(d1), as_=new_owner))
    ok(cli("deal", "won", str(d2), as_=new_owner))
    ok(cli("payment", "add", str(won), "--amount", "100", "--date", "2026-11-27", as_=new_owner))
    ok(cli("meeting", "action", "done", str(action), "--note", "已跟进", as_=new_owner))
