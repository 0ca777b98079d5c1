"""A manager's Monday in one go: `report review ID ID … --comment` and `report review --team --date yesterday`.

Each report is reviewed in its own record and audit entry, the batch is one transaction, and one report
outside the manager's team refuses the whole batch (exit 3, nothing written). The rep sees the comment
in `report list` and `report show`.
"""

from __future__ import annotations

from conftest import query

YESTERDAY = "2026-11-26"  # the frozen clock's day before (a Thursday)


def reviews(url):
    return query(url, "select r.report_id, r.comment, s.handle from report_review r join staff s on s.id = r.reviewer_id "
                      "order by r.report_id")


def audits(url):
    return query(url, "select entity_id from audit_entry where action = 'report.review' order by entity_id")


def team_reports(url, manager="zhang.wei", period=YESTERDAY):
    return query(url, "select r.id, s.handle, r.status from report r join staff s on s.id = r.rep_id "
                      "join staff m on m.id = s.manager_id where m.handle = :m and r.kind = 'daily' and r.period = :p "
                      "order by r.id", m=manager, p=period)


def outside_report(url):
    return query(url, "select r.id from report r join staff s on s.id = r.rep_id where s.handle = 'hu.yan' "
                      "and r.status = 'submitted' order by r.id desc limit 1")[0][0]


def test_several_ids_each_get_their_own_review_and_audit_entry(demo, cli):
    ids = [rid for rid, _handle, status in team_reports(demo) if status == "submitted"]
    assert len(ids) >= 2
    result = cli("report", "review", *map(str, ids), "--comment", "报价前先确认预算", "--format", "json", as_="zhang.wei")
    assert result.exit_code == 0, result
    assert sorted(row["id"] for row in result.json()) == ids
    assert reviews(demo) == [(rid, "报价前先确认预算", "zhang.wei") for rid in ids]
    assert audits(demo) == [(rid,) for rid in ids]
    assert {status for rid, _h, status in team_reports(demo) if rid in ids} == {"reviewed"}


def test_the_team_of_yesterday_in_one_command(demo, cli):
    waiting = [rid for rid, _handle, status in team_reports(demo) if status == "submitted"]
    result = cli("report", "review", "--team", "--date", "yesterday", "--comment", "已阅", as_="zhang.wei")
    assert result.exit_code == 0, result
    assert "Reviewed" in result.stderr and str(len(waiting)) in result.stderr
    assert [r for r, _c, _h in reviews(demo)] == waiting
    assert {c for _r, c, _h in reviews(demo)} == {"已阅"}
    assert audits(demo) == [(rid,) for rid in waiting]
    # nothing left waiting: a second run reviews nothing and says so
    again = cli("report", "review", "--team", "--date", "yesterday", "--comment", "已阅", as_="zhang.wei", lang="zh")
    assert again.exit_code == 0 and "没有等待批阅" in again.stdout
    assert len(reviews(demo)) == len(waiting)


def test_one_report_outside_the_team_refuses_the_whole_batch(demo, cli):
    inside = [rid for rid, _handle, status in team_reports(demo) if status == "submitted"]
    before = query(demo, "select id, status, updated_at from report order by id")
    result = cli("report", "review", str(inside[0]), str(outside_report(demo)), str(inside[1]), "--comment", "已阅",
                 as_="zhang.wei")
    assert result.exit_code == 3, result
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert reviews(demo) == [] and audits(demo) == []
    assert query(demo, "select id, status, updated_at from report order by id") == before


def test_a_draft_in_the_batch_refuses_it(demo, cli):
    inside = [rid for rid, _handle, status in team_reports(demo) if status == "submitted"]
    draft = cli("report", "daily", "--draft", "--summary", "拜访两家", "--plan", "报价", as_="wang.fang")
    assert draft.exit_code == 0, draft
    draft_id = query(demo, "select max(id) from report where status = 'draft'")[0][0]
    result = cli("report", "review", str(inside[0]), str(draft_id), "--comment", "已阅", as_="zhang.wei")
    assert result.exit_code == 5, result
    assert reviews(demo) == [] and audits(demo) == []


def test_the_rep_sees_the_comment_in_list_and_show(demo, cli):
    rid, handle, _status = next(r for r in team_reports(demo) if r[2] == "submitted")
    assert cli("report", "review", str(rid), "--comment", "下周重点跟进苏州新华", as_="zhang.wei").exit_code == 0
    listed = cli("report", "list", "--format", "json", as_=handle)
    assert listed.exit_code == 0, listed
    row = next(r for r in listed.json() if r["id"] == rid)
    assert row["status"] == "reviewed" and row["comment"] == "下周重点跟进苏州新华"
    table = cli("report", "list", as_=handle, lang="zh")
    assert "批阅意见" in table.stdout and "下周重点跟进苏州新华" in table.stdout
    shown = cli("report", "show", str(rid), as_=handle)
    assert shown.exit_code == 0 and "下周重点跟进苏州新华" in shown.stdout


def test_ids_or_a_period_not_both(demo, cli):
    for args in (("1", "--team", "--date", "yesterday"), ("--team",), ("--team", "--date", "today", "--week", "this"),
                 ("1", "--date", "today"), ()):
        result = cli("report", "review", *args, "--comment", "已阅", as_="zhang.wei")
        assert result.exit_code == 2, (args, result)
    assert reviews(demo) == []
