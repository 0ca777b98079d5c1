"""Issue 16, items 8 and 9: complaints are closed by the owner's managers or the director; a pack is
opened only by the people allowed to read it."""

from __future__ import annotations

import pytest

from conftest import query
from test_archive import PASSWORD, secret_file, seed
from test_meeting_fixtures import counts, make_customer


def ok(result):
    assert result.exit_code == 0, result
    return result


@pytest.fixture
def resolved(org, cli, db_url):
    cid = make_customer(db_url, "华东医疗", "rep_a1")
    complaint = int(ok(cli("complaint", "add", str(cid), "--text", "发货延迟", "--about", "rep_a1", as_="rep_a1")).stdout)
    ok(cli("complaint", "update", str(complaint), "--status", "in_progress", as_="rep_a1"))
    ok(cli("complaint", "resolve", str(complaint), "--resolution", "已补发", as_="rep_a1"))
    return complaint


def _state(url, complaint):
    return query(url, "select status, satisfaction from complaint where id = :c", c=complaint)


def test_the_rep_a_complaint_is_about_cannot_close_it(resolved, cli, db_url):
    before = counts(db_url)
    refused = cli("complaint", "close", str(resolved), "--satisfaction", "5", as_="rep_a1")
    assert refused.exit_code == 3 and "closing complaint" in refused.stderr and refused.stdout == ""
    assert cli("complaint", "close", str(resolved), "--satisfaction", "5", as_="mgr_b").exit_code == 3
    assert counts(db_url) == before and _state(db_url, resolved) == [("resolved", None)]
    ok(cli("complaint", "close", str(resolved), "--satisfaction", "4", as_="mgr_a"))
    assert _state(db_url, resolved) == [("closed", 4)]


def test_the_director_closes_any_complaint(resolved, cli, db_url):
    ok(cli("complaint", "close", str(resolved), "--satisfaction", "3", as_="dir"))
    assert _state(db_url, resolved) == [("closed", 3)]


@pytest.fixture
def pack(org, cli, tmp_path):
    seed(org)
    pw = secret_file(tmp_path / "a1.pw", PASSWORD + "\n")
    ok(cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a1", now="2026-11-01T10:00"))
    path = tmp_path / "a1.xlsx"
    ok(cli("customer", "archive", "export", "--out", str(path), "--password-file", str(pw), as_="rep_a1"))
    return path, pw


def test_a_pack_is_opened_only_inside_the_authors_scope(pack, cli, db_url, tmp_path):
    path, pw = pack
    for outsider in ("rep_a2", "mgr_b", "rep_b1"):
        refused = cli("customer", "archive", "open", str(path), "--password-file", str(pw), "--format", "json",
                      as_=outsider)
        assert refused.exit_code == 3 and "rep_a1" in refused.stderr and refused.stdout == "", (outsider, refused)
    out = tmp_path / "opened.xlsx"
    assert cli("customer", "archive", "open", str(path), "--password-file", str(pw), "--out", str(out),
               as_="rep_a2").exit_code == 3
    assert not out.exists()
    for reader in ("rep_a1", "mgr_a", "dir", "boss"):
        data = ok(cli("customer", "archive", "open", str(path), "--password-file", str(pw), "--format", "json",
                      as_=reader)).json()
        assert data["author"] == "rep_a1"


# --------------------------------------------------------------------------- item 6: missed sales are correctable
def _penalties(cli, now="2027-01-05T10:00"):
    st = ok(cli("commission", "statement", "rep_a1", "--month", "2026-12", "--format", "json", as_="mgr_a", now=now)).json()
    return [x["source"] for x in st["lines"] if x["kind"] == "penalty"]


def test_a_missed_sale_is_void_before_settlement_and_refused_after(org, cli, db_url):
    from datetime import date

    from test_commission_data import Data

    data = Data(db_url)
    data.backdate("rep_a1", to=date(2026, 1, 1))
    wrong = data.missed_sale("rep_a1", "2000.00", date(2026, 6, 1), name="简称客户")
    kept = data.missed_sale("rep_a1", "500.00", date(2026, 7, 1), name="真漏单")
    assert _penalties(cli) == [f"missed_sale:{wrong}", f"missed_sale:{kept}"]
    before = counts(db_url)
    assert cli("claim", "missed", "void", str(wrong), "--reason", "x", as_="rep_a1").exit_code == 3
    missing = cli("claim", "missed", "void", str(wrong), as_="mgr_a")
    assert missing.exit_code == 2 and "--reason" in missing.stderr
    assert cli("claim", "missed", "void", "999", "--reason", "x", as_="mgr_a").exit_code == 4
    assert counts(db_url) == before
    ok(cli("claim", "missed", "void", str(wrong), "--reason", "客户其实在档案中", as_="mgr_a"))
    assert query(db_url, "select void_reason from missed_sale where id = :i", i=wrong) == [("客户其实在档案中",)]
    assert query(db_url, "select count(*) from audit_entry where action = 'claim.missed_void'") == [(1,)]
    assert _penalties(cli) == [f"missed_sale:{kept}"]
    listed = ok(cli("claim", "missed", "--list", "--format", "json", as_="mgr_a")).json()
    assert [r.get("void") for r in listed] == ["客户其实在档案中", None]
    assert cli("claim", "missed", "void", str(wrong), "--reason", "again", as_="mgr_a").exit_code == 5
    # once the year-end statement is settled, the sale stays: a correction is an adjustment
    ok(cli("commission", "settle", "--month", "2026-12", "--rep", "rep_a1", as_="mgr_a", now="2027-01-04T10:00"))
    before = counts(db_url)
    settled = cli("claim", "missed", "void", str(kept), "--reason", "x", as_="mgr_a", now="2027-01-05T10:00")
    assert settled.exit_code == 5 and "commission adjust" in settled.stderr
    assert counts(db_url) == before
    assert query(db_url, "select voided_at from missed_sale where id = :i", i=kept) == [(None,)]


# --------------------------------------------------------------------------- item 7 (part): actions stay in the team
def test_meeting_new_refuses_action_owners_outside_the_team(org, cli, db_url):
    before = counts(db_url)
    refused = cli("meeting", "new", "--minutes", "- [ ] @rep_a1 甲队事项\n- [ ] @rep_b1 @mgr_b 乙队事项\n", as_="mgr_a")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "@mgr_b, @rep_b1" in refused.stderr and "team mgr_a" in refused.stderr and "--minutes" in refused.stderr
    assert counts(db_url) == before and query(db_url, "select count(*) from meeting") == [(0,)]
    ok(cli("meeting", "new", "--minutes", "- [ ] @rep_a1 甲队事项\n- [ ] @mgr_a 经理事项\n", as_="mgr_a"))
    assert query(db_url, "select count(*) from action_item") == [(2,)]


def test_meeting_actions_are_reassigned_redated_and_cancelled(org, cli, db_url):
    ok(cli("meeting", "new", "--minutes", "- [ ] @rep_a1 跟进报价 (due 2026-12-04)\n- [ ] @rep_a2 整理档案\n", as_="mgr_a"))
    (first, _), (second, _) = query(db_url, "select id, owner_id from action_item order by id")
    before = counts(db_url)
    assert cli("meeting", "action", str(first), "--reassign", "rep_a2", as_="rep_a1").exit_code == 3
    outside = cli("meeting", "action", str(first), "--reassign", "rep_b1", as_="mgr_a")
    assert outside.exit_code == 2 and "@rep_b1" in outside.stderr
    assert cli("meeting", "action", str(first), "--cancel", as_="mgr_a").exit_code == 2  # --reason needed
    assert cli("meeting", "action", str(first), as_="mgr_a").exit_code == 2
    assert counts(db_url) == before
    row = ok(cli("meeting", "action", str(first), "--reassign", "rep_a2", "--due", "2026-12-11", "--format", "json",
                 as_="mgr_a")).json()
    assert (row["owner"], row["due"], row["status"]) == ("rep_a2", "2026-12-11", "open")
    ok(cli("meeting", "action", str(second), "--cancel", "--reason", "不再需要", as_="mgr_a"))
    assert query(db_url, "select cancel_reason from action_item where id = :i", i=second) == [("不再需要",)]
    listed = {r["id"]: r["status"] for r in ok(cli("meeting", "actions", "--format", "json", as_="mgr_a")).json()}
    assert listed[second] == "cancelled"
    assert second not in [r["id"] for r in ok(cli("meeting", "actions", "--open", "--format", "json", as_="mgr_a")).json()]
    assert cli("meeting", "action", "done", str(second), as_="mgr_a").exit_code == 5
    assert cli("meeting", "action", str(second), "--due", "2026-12-20", as_="mgr_a").exit_code == 5
    ok(cli("meeting", "action", "done", str(first), as_="rep_a2"))  # the old form still works
    # the cancelled action is not carried into the next meeting
    nxt = ok(cli("meeting", "new", "--date", "2026-12-07", "--minutes", "纪要\n", "--format", "json", as_="mgr_a",
                 now="2026-12-07T18:00")).json()
    assert query(db_url, "select count(*) from action_item where meeting_id = :m", m=nxt["id"]) == [(0,)]
