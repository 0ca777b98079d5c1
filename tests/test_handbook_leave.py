"""Issue 16, items 2 and 3: leave is requested and approved; reports are owed from a person's start date."""

from __future__ import annotations

from datetime import date

from conftest import query
from test_commission_data import Data
from test_visit_fixtures import assert_refused

AFTER = "2026-11-28T10:00"  # Saturday: Friday's daily deadline has passed


def ok(result):
    assert result.exit_code == 0, result
    return result


def missing(cli, day="2026-11-27", as_="dir", now=AFTER):
    rows = ok(cli("report", "missing", "--date", day, "--format", "json", as_=as_, now=now)).json()
    return sorted(r["handle"] for r in rows)


def leave_table(url):
    return query(url, "select l.id, s.handle, l.status, d.handle from leave l join staff s on s.id = l.staff_id "
                      "left join staff d on d.id = l.decided_by_id order by l.id")


def test_self_recorded_leave_is_pending_and_excuses_nothing_until_approved(org, cli, db_url):
    assert missing(cli) == ["rep_a1", "rep_a2", "rep_b1"]
    # a backdated leave by the rep themself: a request, not an excuse
    result = ok(cli("staff", "leave", "rep_a1", "--from", "2026-11-27", "--reason", "病假", as_="rep_a1", now=AFTER))
    leave_id = int(result.stdout.strip())
    assert "pending" in result.stderr and "mgr_a" in result.stderr
    assert leave_table(db_url) == [(leave_id, "rep_a1", "pending", None)]
    assert missing(cli) == ["rep_a1", "rep_a2", "rep_b1"]
    pending = ok(cli("staff", "leave", "list", "--pending", "--team", "--format", "json", as_="mgr_a")).json()
    assert [(r["id"], r["handle"], r["status"]) for r in pending] == [(leave_id, "rep_a1", "pending")]
    assert ok(cli("staff", "leave", "list", "--pending", "--team", "--format", "json", as_="mgr_b")).json() == []
    # nobody approves their own leave, nor leave outside their team
    before = leave_table(db_url)
    assert cli("staff", "leave", "approve", str(leave_id), as_="rep_a1").exit_code == 3
    assert cli("staff", "leave", "approve", str(leave_id), as_="mgr_b").exit_code == 3
    assert cli("staff", "leave", "approve", str(leave_id), as_="rep_a2").exit_code == 3
    assert leave_table(db_url) == before
    # the manager approves: now it excuses the day
    row = ok(cli("staff", "leave", "approve", str(leave_id), "--format", "json", as_="mgr_a", now=AFTER)).json()
    assert (row["status"], row["decided_by"]) == ("approved", "mgr_a")
    assert leave_table(db_url) == [(leave_id, "rep_a1", "approved", "mgr_a")]
    assert missing(cli) == ["rep_a2", "rep_b1"]
    again = cli("staff", "leave", "approve", str(leave_id), as_="dir")
    assert again.exit_code == 5 and "approved" in again.stderr
    # cancelled leave excuses nothing again
    ok(cli("staff", "leave", "cancel", str(leave_id), as_="rep_a1"))
    assert missing(cli) == ["rep_a1", "rep_a2", "rep_b1"]


def test_a_manager_recording_leave_for_the_team_approves_it_at_once(org, cli, db_url):
    ok(cli("staff", "leave", "rep_a2", "--from", "2026-11-27", as_="mgr_a", now=AFTER))
    assert leave_table(db_url)[0][2:] == ("approved", "mgr_a")
    assert missing(cli) == ["rep_a1", "rep_b1"]
    # outside the team: refused, nothing stored
    assert cli("staff", "leave", "rep_a1", "--from", "2026-11-27", as_="mgr_b").exit_code == 3
    assert len(leave_table(db_url)) == 1


def test_reject_needs_a_reason_and_rejected_leave_excuses_nothing(org, cli, db_url):
    leave_id = int(ok(cli("staff", "leave", "rep_b1", "--from", "2026-11-27", as_="rep_b1")).stdout)
    assert_refused(cli("staff", "leave", "reject", str(leave_id), as_="rm_b"), 2, "--reason")
    assert leave_table(db_url)[0][2] == "pending"
    ok(cli("staff", "leave", "reject", str(leave_id), "--reason", "月底冲刺", as_="rm_b"))
    assert query(db_url, "select status, decision_note from leave") == [("rejected", "月底冲刺")]
    assert "rep_b1" in missing(cli)
    assert cli("staff", "leave", "approve", str(leave_id), as_="mgr_b").exit_code == 5
    assert cli("staff", "leave", "approve", "999", as_="mgr_b").exit_code == 4
    assert cli("staff", "leave", "approve", "x", as_="mgr_b").exit_code == 2


def test_only_approved_leave_counts_in_the_compliance_factor(org, cli, db_url):
    data = Data(db_url)
    data.backdate("rep_a1", "rep_a2", "rep_b1", to=date(2026, 10, 1))
    # rep_a1 files every November daily except two days, then asks for leave on them
    days = [d for d in (date(2026, 11, x) for x in range(1, 31)) if d.weekday() < 5]
    data.daily_reports("rep_a1", days[0], days[-1], missing={date(2026, 11, 4), date(2026, 11, 12)})

    def factor():
        rows = ok(cli("commission", "calc", "--month", "2026-11", "--rep", "rep_a1", "--format", "json",
                      as_="dir", now="2026-12-01T10:00")).json()
        return rows["rows"][0]["factor"] if isinstance(rows, dict) else rows[0]["factor"]

    assert factor() == "0.96"
    first = int(ok(cli("staff", "leave", "rep_a1", "--from", "2026-11-04", as_="rep_a1", now="2026-12-01T10:00")).stdout)
    assert factor() == "0.96"  # pending: still missing
    ok(cli("staff", "leave", "approve", str(first), as_="mgr_a", now="2026-12-01T10:05"))
    assert factor() == "0.98"


# --------------------------------------------------------------------------- start dates
def test_staff_added_today_owe_nothing_until_their_start_date(org, cli, db_url):
    ok(cli("staff", "add", "rep_new", "--name", "新人", "--role", "rep", "--manager", "mgr_a", "--region", "East",
           "--industry", "Retail", as_="mgr_a"))
    # added on Friday 2026-11-27: starts on the first workday after, Monday 2026-11-30
    assert query(db_url, "select start_date from staff where handle = 'rep_new'")[0][0] in ("2026-11-30", date(2026, 11, 30))
    shown = ok(cli("staff", "show", "rep_new", "--format", "json", as_="mgr_a")).json()
    assert shown["start_date"] == "2026-11-30"
    assert "rep_new" not in missing(cli)
    assert "rep_new" in missing(cli, day="2026-11-30", now="2026-12-01T10:00")
    # an explicit start date, and editing it
    ok(cli("staff", "edit", "rep_new", "--start-date", "2026-12-02", as_="mgr_a"))
    assert "rep_new" not in missing(cli, day="2026-11-30", now="2026-12-01T10:00")
    bad = cli("staff", "edit", "rep_new", "--start-date", "someday", as_="mgr_a")
    assert bad.exit_code == 2 and "start-date" in bad.stderr
    ok(cli("staff", "add", "rep_old", "--name", "老人", "--role", "rep", "--manager", "mgr_a", "--region", "East",
           "--industry", "Retail", "--start-date", "2026-11-02", as_="mgr_a"))
    assert "rep_old" in missing(cli, day="2026-11-26")


def test_the_demo_company_still_shows_late_and_missing_reports(demo, cli):
    statuses = set()
    for day in ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"):
        rows = ok(cli("report", "missing", "--date", day, "--all", "--format", "json")).json()
        statuses |= {r["status"] for r in rows}
    assert statuses == {"missing", "late"}


def test_a_pending_leave_request_waits_in_the_deciding_managers_inbox(org, cli, db_url):
    def leave_items(who):
        rows = ok(cli("inbox", "--format", "json", as_=who, now=AFTER)).json()
        return [(r["kind"], r["id"], r["key"]) for r in rows if r["kind"] == "leave"]

    result = ok(cli("staff", "leave", "rep_a1", "--from", "2026-11-30", "--reason", "事假", as_="rep_a1", now=AFTER))
    leave_id = int(result.stdout.strip())
    assert leave_items("mgr_a") == [("leave", leave_id, f"leave:{leave_id}")]
    assert leave_items("mgr_b") == [] and leave_items("rep_a1") == [] and leave_items("dir") == []
    zh = ok(cli("inbox", "--kind", "leave", as_="mgr_a", lang="zh", now=AFTER))
    assert "申请休假" in zh.stdout
    ok(cli("staff", "leave", "approve", str(leave_id), as_="mgr_a", now=AFTER))
    assert leave_items("mgr_a") == []
