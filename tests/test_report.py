"""Work reports through the real CLI: the forms compiled from the data, drafts, the snapshot rule,
deadlines on the Chinese workday calendar, review, list, show and `report missing`.

Fixture data is written straight through the models (no other feature's service is needed).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from conftest import query

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 27)  # the conftest's frozen Friday

# --------------------------------------------------------------------------- fixture data


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), TZ)


def backdate_staff(url: str, when: str = "2024-01-01 00:00:00") -> None:
    """The org fixture is created 'now' (2026-11-27); tests on 2025 dates need the staff to exist then."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("update staff set created_at = :w, start_date = :d"), {"w": when, "d": when[:10]})
    engine.dispose()


def seed_rep_day(url: str, rep: str = "rep_a1", day: date = DAY) -> dict:
    """A customer with two contacts, visits, a grade change and a won deal with a payment for one rep.

    On `day`: 10:00 a visit to 苏州新华精密机械 (contact 刘勇) which raised its grade B → A,
    15:30 a call to 宁波泰和钢构 (contact 何洋 has no phone: the primary contact's is used).
    Also: a visit the day before (not on the day's form), another rep's visit that day,
    a contract won and a payment collected on the day.
    """
    from salesctl.models import Contact, Customer, Deal, GradeChange, OwnershipEntry, Payment, Staff, Visit

    engine = create_engine(url)
    ids: dict = {}
    with Session(engine) as s:
        staff = {p.handle: p for p in s.exec(select(Staff)).all()}
        me = staff[rep]
        other = staff["rep_a2"]
        created = at(day - timedelta(days=40), 9)
        c1 = Customer(name="苏州新华精密机械", name_norm="苏州新华精密机械", industry="Retail", region="East",
                      address="苏州市高新区解放路696号", grade="A", status="following", owner_id=me.id,
                      reported_by_id=me.id, reported_at=created, created_at=created, updated_at=created)
        c2 = Customer(name="宁波泰和钢构", name_norm="宁波泰和钢构", industry="Retail", region="East",
                      address="宁波市建设路531号", grade="C", status="following", owner_id=me.id,
                      reported_by_id=me.id, reported_at=created, created_at=created, updated_at=created)
        c3 = Customer(name="别人的客户", name_norm="别人的客户", industry="Health", region="East",
                      address="杭州", grade="B", owner_id=other.id, created_at=created, updated_at=created)
        s.add_all([c1, c2, c3])
        s.flush()
        for customer in (c1, c2, c3):  # the claim ledger names every owner
            s.add(OwnershipEntry(customer_id=customer.id, kind="report", staff_id=customer.owner_id,
                                 to_owner_id=customer.owner_id, by_id=customer.owner_id, at=created))
        k1 = Contact(customer_id=c1.id, name="刘勇", title="技术总监", phone="13800138000", is_primary=True,
                     created_at=created, updated_at=created)
        k2p = Contact(customer_id=c2.id, name="李主管", title="采购主管", phone="0574-1234567", is_primary=True,
                      created_at=created, updated_at=created)
        k2 = Contact(customer_id=c2.id, name="何洋", title="工程师", phone=None, created_at=created, updated_at=created)
        k3 = Contact(customer_id=c3.id, name="王五", phone="13900000000", is_primary=True,
                     created_at=created, updated_at=created)
        s.add_all([k1, k2p, k2, k3])
        s.flush()
        s.add(GradeChange(customer_id=c1.id, from_grade=None, to_grade="B", by_id=me.id, at=created,
                          reason="new customer", source="create"))
        s.add(GradeChange(customer_id=c2.id, from_grade=None, to_grade="C", by_id=me.id, at=created,
                          reason="new customer", source="create"))
        earlier = Visit(customer_id=c1.id, contact_id=k1.id, rep_id=me.id, at=at(day - timedelta(days=1), 11),
                        kind="call", content="约时间", result="同意见面", created_at=at(day - timedelta(days=1), 11))
        v1 = Visit(customer_id=c1.id, contact_id=k1.id, rep_id=me.id, at=at(day, 10), kind="visit",
                   content="介绍新产品方案", result="客户要求报价", problems="预算尚未确定", next_step="准备报价单",
                   follow_up=day + timedelta(days=3), created_at=at(day, 10, 30))
        v2 = Visit(customer_id=c2.id, contact_id=k2.id, rep_id=me.id, at=at(day, 15, 30), kind="call",
                   content="电话回访", result="反馈良好", next_step="下周再联系", created_at=at(day, 15, 40))
        v3 = Visit(customer_id=c3.id, contact_id=k3.id, rep_id=other.id, at=at(day, 11), kind="visit",
                   content="别人的拜访", result="-", created_at=at(day, 11))
        s.add_all([earlier, v1, v2, v3])
        s.flush()
        # logged half an hour after the visit, tied to it
        s.add(GradeChange(customer_id=c1.id, from_grade="B", to_grade="A", by_id=me.id, at=at(day, 10, 30),
                          reason="下个月采购", source="visit", visit_id=v1.id))
        deal = Deal(customer_id=c1.id, owner_id=me.id, title="苏州新华 采购项目", amount=Decimal("100000.00"),
                    stage=4, status="won", won_on=day, created_at=created, updated_at=at(day, 16))
        s.add(deal)
        s.flush()
        s.add(Payment(deal_id=deal.id, amount=Decimal("30000.50"), paid_on=day, note="首付款", created_at=at(day, 16)))
        s.commit()
        ids.update(c1=c1.id, c2=c2.id, c3=c3.id, v1=v1.id, v2=v2.id, deal=deal.id)
    engine.dispose()
    return ids


def add_visit(url: str, rep: str, customer_id: int, moment: datetime, content: str = "再次拜访") -> None:
    from salesctl.models import Staff, Visit

    engine = create_engine(url)
    with Session(engine) as s:
        me = s.exec(select(Staff).where(Staff.handle == rep)).one()
        s.add(Visit(customer_id=customer_id, rep_id=me.id, at=moment, kind="visit", content=content,
                    result="ok", created_at=moment))
        s.commit()
    engine.dispose()


def counts(url: str) -> tuple:
    return tuple(query(url, f"select count(*) from {table}")[0][0]
                 for table in ("report", "report_version", "report_review", "audit_entry"))


TEXTS = ("--summary", "拜访两家客户，苏州新华要求报价", "--plan", "明天准备报价单")


# --------------------------------------------------------------------------- the daily form
def test_daily_form_rows_come_from_the_visits_and_show_the_grade_change(org, cli, db_url):
    ids = seed_rep_day(db_url)
    before = counts(db_url)
    result = cli("report", "daily", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert (doc["kind"], doc["period"], doc["weekday"], doc["handle"], doc["region"]) == \
        ("daily", "2026-11-27", "friday", "rep_a1", "East")
    assert doc["status"] == "unsaved" and doc["id"] is None and doc["late"] is False
    assert doc["deadline"] == "2026-11-27T18:00:00+08:00"
    rows = doc["rows"]
    # only rep_a1's contacts of that day, in time order (not yesterday's, not rep_a2's)
    assert [(r["no"], r["customer"], r["contact"]) for r in rows] == [
        (1, "苏州新华精密机械", "刘勇"), (2, "宁波泰和钢构", "何洋")]
    first, second = rows
    assert first["time"] == "2026-11-27T10:00:00+08:00" and first["visit_id"] == ids["v1"]
    assert first["phone"] == "13800138000" and first["address"] == "苏州市高新区解放路696号"
    assert first["what_happened"] == "介绍新产品方案; 客户要求报价; 预算尚未确定"
    assert first["grade"] == "A"  # the grade after that visit (the visit raised it B → A)
    assert first["follow_up_memo"] == "准备报价单; 2026-11-30"
    # 何洋 has no phone: the customer's (primary contact's) phone
    assert second["phone"] == "0574-1234567" and second["grade"] == "C" and second["kind"] == "call"
    assert doc["grade_changes"] == [{
        "id": doc["grade_changes"][0]["id"], "at": "2026-11-27T10:30:00+08:00", "customer_id": ids["c1"],
        "customer": "苏州新华精密机械", "from": "B", "to": "A", "reason": "下个月采购", "source": "visit", "by": "rep_a1"}]
    assert doc["summary"] is None and doc["plan"] is None
    # no terminal, no --draft/--submit: printed, nothing written
    assert counts(db_url) == before
    assert "--draft" in result.stderr


def test_daily_form_as_text_in_both_languages(org, cli, db_url):
    seed_rep_day(db_url)
    en = cli("report", "daily", as_="rep_a1")
    assert en.exit_code == 0, en
    assert en.stdout.startswith("Sales rep's daily work report\n")
    for needle in ("Date: 2026-11-27 Friday", "Region: East", "Filled by: 销售甲一 (rep_a1)",
                   "Visit: 介绍新产品方案; 客户要求报价; problems: 预算尚未确定", "B → A", "Today's summary",
                   "Tomorrow's plan", "准备报价单 (follow up 2026-11-30)"):
        assert needle in en.stdout, needle
    zh = cli("report", "daily", as_="rep_a1", lang="zh")
    for needle in ("销售员工作日报告", "日期: 2026-11-27 星期五", "地区: East", "填写人: 销售甲一 (rep_a1)", "序列号",
                   "客户姓名", "联络人", "联系电话", "拜访时间", "拜访情况", "客户级别", "跟进备忘", "今日工作总结",
                   "明天的工作安排", "拜访: 介绍新产品方案", "苏州新华精密机械"):
        assert needle in zh.stdout, needle
    assert "Customer" not in zh.stdout


def test_daily_markdown_for_mail(org, cli, db_url):
    seed_rep_day(db_url)
    cli("report", "daily", "--submit", *TEXTS, as_="rep_a1")
    md = cli("report", "show", "--date", "2026-11-27", "--format", "markdown", as_="rep_a1")
    assert md.exit_code == 0, md
    lines = md.stdout.splitlines()
    assert lines[0] == "# Sales rep's daily work report"
    assert "- **Status**: submitted" in lines
    assert "## Customer contacts" in lines and "## Today's summary" in lines
    table = [line for line in lines if line.startswith("| 1 ")]
    assert table and "苏州新华精密机械" in table[0] and "| A " in table[0]
    assert "明天准备报价单" in lines


def test_an_empty_day_still_compiles(org, cli):
    result = cli("report", "daily", "--date", "2026-11-26", as_="rep_a2")
    assert result.exit_code == 0, result
    assert "No customer contacts logged." in result.stdout and "No grade changes." in result.stdout


# --------------------------------------------------------------------------- drafts and submission
def test_submit_needs_every_text_and_writes_nothing_otherwise(org, cli, db_url):
    seed_rep_day(db_url)
    before = counts(db_url)
    result = cli("report", "daily", "--submit", as_="rep_a1")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "--summary, --plan" in result.stderr and result.stdout == ""
    half = cli("report", "daily", "--submit", "--summary", "x", as_="rep_a1")
    assert half.exit_code == 2 and half.stderr.startswith("error: --plan: required")
    blank = cli("report", "daily", "--submit", "--summary", "   ", "--plan", "p", as_="rep_a1")
    assert blank.exit_code == 2 and blank.stderr.startswith("error: --summary:")
    both = cli("report", "daily", "--submit", "--draft", *TEXTS, as_="rep_a1")
    assert both.exit_code == 2 and "--draft" in both.stderr
    bad_date = cli("report", "daily", "--date", "someday", as_="rep_a1")
    assert bad_date.exit_code == 2 and "--date" in bad_date.stderr
    weekly = cli("report", "weekly", "--submit", "--summary", "s", as_="rep_a1")
    assert weekly.exit_code == 2
    assert "--situation, --remember, --plan, --support" in weekly.stderr
    monthly = cli("report", "monthly", "--submit", as_="rep_a1")
    assert monthly.exit_code == 2
    assert "--results, --problems, --situation, --remember, --plan, --support" in monthly.stderr
    assert counts(db_url) == before


def test_draft_is_updated_in_place_then_submitted(org, cli, db_url, tmp_path):
    seed_rep_day(db_url)
    first = cli("report", "daily", "--draft", "--summary", "上午拜访苏州新华", as_="rep_a1")
    assert first.exit_code == 0, first
    report_id = int(first.stdout.strip())
    plan_file = tmp_path / "plan.txt"
    plan_file.write_text("明天准备报价单\n", encoding="utf-8")
    again = cli("report", "daily", "--draft", "--plan-file", str(plan_file), as_="rep_a1")
    assert int(again.stdout.strip()) == report_id
    assert query(db_url, "select count(*), min(status) from report") == [(1, "draft")]
    texts = json.loads(query(db_url, "select texts from report")[0][0])
    assert texts == {"summary": "上午拜访苏州新华", "plan": "明天准备报价单"}
    # the stored draft's texts count for --submit
    done = cli("report", "daily", "--submit", as_="rep_a1")
    assert done.exit_code == 0, done
    assert int(done.stdout.strip()) == report_id
    assert "version 1, on time" in done.stderr
    assert query(db_url, "select status, late from report") == [("submitted", False)]
    actions = [a for (a,) in query(db_url, "select action from audit_entry where entity = 'report' order by id")]
    assert actions == ["report.draft", "report.draft", "report.submit"]
    # a draft after submission is refused: resubmit instead
    refused = cli("report", "daily", "--draft", "--summary", "改", as_="rep_a1")
    assert refused.exit_code == 5 and "--submit" in refused.stderr


def test_submitted_report_is_a_snapshot_and_resubmission_keeps_versions(org, cli, db_url):
    ids = seed_rep_day(db_url)
    sub = cli("report", "daily", "--submit", *TEXTS, "--format", "json", as_="rep_a1")
    assert sub.exit_code == 0, sub
    submitted = sub.json()
    assert submitted["status"] == "submitted" and submitted["version"] == 1 and len(submitted["rows"]) == 2
    report_id = submitted["id"]
    # the data changes afterwards: a new visit that day, the customer's address and grade
    add_visit(db_url, "rep_a1", ids["c2"], at(DAY, 16, 45), content="补充拜访")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("update customer set address = '新地址', grade = 'D' where id = :i"), {"i": ids["c1"]})
    engine.dispose()
    shown = cli("report", "show", str(report_id), "--format", "json", as_="rep_a1").json()
    assert [r["customer"] for r in shown["rows"]] == ["苏州新华精密机械", "宁波泰和钢构"]
    assert shown["rows"][0]["address"] == "苏州市高新区解放路696号" and shown["rows"][0]["grade"] == "A"
    assert shown["summary"] == "拜访两家客户，苏州新华要求报价"
    # a preview shows today's data (and says so), without writing
    preview = cli("report", "daily", "--format", "json", as_="rep_a1")
    assert len(preview.json()["rows"]) == 3 and f"report show {report_id}" in preview.stderr
    # resubmission before review: version 2 with the new data; version 1 kept as it was
    again = cli("report", "daily", "--submit", "--plan", "明天去宁波", as_="rep_a1", now="2026-11-27T19:10")
    assert again.exit_code == 0, again
    versions = query(db_url, "select version, snapshot from report_version where report_id = :i order by version",
                     i=report_id)
    assert [v for v, _ in versions] == [1, 2]
    v1, v2 = (json.loads(s) for _, s in versions)
    assert len(v1["rows"]) == 2 and v1["plan"] == "明天准备报价单"
    assert len(v2["rows"]) == 3 and v2["plan"] == "明天去宁波" and v2["summary"] == "拜访两家客户，苏州新华要求报价"
    latest = cli("report", "show", str(report_id), "--format", "json", as_="rep_a1").json()
    assert latest["version"] == 2 and len(latest["rows"]) == 3
    # the first hand-in (on time) stays the report's submission time: a correction is not late
    assert latest["submitted_at"] == "2026-11-27T17:30:00+08:00" and latest["late"] is False


def test_show_json_has_the_contract_keys(org, cli, db_url):
    seed_rep_day(db_url)
    cli("report", "daily", "--submit", *TEXTS, as_="rep_a1")
    doc = cli("report", "show", "--date", "today", "--format", "json", as_="rep_a1").json()
    assert {"id", "kind", "period", "handle", "status", "late", "submitted_at", "rows", "grade_changes",
            "summary", "plan"} <= set(doc)
    assert isinstance(doc["id"], int) and doc["handle"] == "rep_a1"


# --------------------------------------------------------------------------- review
def test_review_by_the_reps_manager_only(org, cli, db_url):
    seed_rep_day(db_url)
    draft = cli("report", "daily", "--draft", "--summary", "s", as_="rep_a1")
    report_id = draft.stdout.strip()
    before = counts(db_url)
    early = cli("report", "review", report_id, "--comment", "好", as_="mgr_a")
    assert early.exit_code == 5 and "draft" in early.stderr
    cli("report", "daily", "--submit", "--plan", "p", as_="rep_a1")
    before = counts(db_url)
    for who in ("rep_a1", "rep_a2", "mgr_b", "rm_b", "asst_b"):
        refused = cli("report", "review", report_id, "--comment", "好", as_=who)
        assert refused.exit_code == 3, (who, refused)
        assert "苏州" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert cli("report", "review", report_id, as_="mgr_a").exit_code == 2
    assert cli("report", "review", "999", "--comment", "x", as_="mgr_a").exit_code == 4
    assert counts(db_url) == before
    ok = cli("report", "review", report_id, "--comment", "报价前先确认预算", as_="mgr_a")
    assert ok.exit_code == 0, ok
    assert query(db_url, "select status from report") == [("reviewed",)]
    assert query(db_url, "select comment from report_review") == [("报价前先确认预算",)]
    assert query(db_url, "select count(*) from audit_entry where action = 'report.review'") == [(1,)]
    shown = cli("report", "show", report_id, as_="rep_a1")
    assert "Status: reviewed" in shown.stdout
    assert "Manager's comment: 报价前先确认预算 — 经理甲 (mgr_a)" in shown.stdout
    doc = cli("report", "show", report_id, "--format", "json", as_="rep_a1").json()
    assert (doc["status"], doc["reviewed_by"], doc["comment"]) == ("reviewed", "mgr_a", "报价前先确认预算")
    # after review the report is closed to changes
    before = counts(db_url)
    refused = cli("report", "daily", "--submit", *TEXTS, as_="rep_a1")
    assert refused.exit_code == 5 and "reviewed" in refused.stderr
    assert counts(db_url) == before
    # a director (above the manager) may add guidance too
    assert cli("report", "review", report_id, "--comment", "同意", as_="dir").exit_code == 0


def test_show_and_list_respect_scope(org, cli, db_url):
    seed_rep_day(db_url)
    rid = cli("report", "daily", "--submit", *TEXTS, as_="rep_a1").stdout.strip()
    cli("report", "daily", "--draft", "--summary", "x", as_="rep_b1")
    assert cli("report", "show", rid, as_="rep_a2").exit_code == 3
    assert cli("report", "show", rid, as_="mgr_b").exit_code == 3
    assert cli("report", "show", rid, as_="mgr_a").exit_code == 0
    assert cli("report", "show", "--rep", "rep_a1", "--date", "2026-11-26", as_="mgr_a").exit_code == 4
    assert cli("report", "show", as_="mgr_a").exit_code == 2
    rows = cli("report", "list", "--format", "json", as_="dir").json()
    assert [(r["handle"], r["status"]) for r in rows] == [("rep_a1", "submitted"), ("rep_b1", "draft")]
    assert {"id", "kind", "period", "handle", "name", "status", "late", "submitted_at"} <= set(rows[0])
    team = cli("report", "list", "--team", "--format", "json", as_="mgr_a").json()
    assert [r["handle"] for r in team] == ["rep_a1"]
    assert [r["handle"] for r in cli("report", "list", "--format", "json", as_="rep_b1").json()] == ["rep_b1"]
    assert cli("report", "list", "--rep", "rep_a1", as_="rep_b1").exit_code == 3
    drafts = cli("report", "list", "--status", "draft", "--format", "json", as_="dir").json()
    assert [r["handle"] for r in drafts] == ["rep_b1"]
    assert cli("report", "list", "--kind", "weekly", "--format", "json", as_="dir").json() == []
    assert cli("report", "list", "--since", "2026-11-28", "--format", "json", as_="dir").json() == []
    bad = cli("report", "list", "--kind", "yearly", as_="dir")
    assert bad.exit_code == 2 and "daily, weekly, monthly" in bad.stderr
    csv_out = cli("report", "list", "--format", "csv", as_="dir").stdout.splitlines()
    assert csv_out[0].startswith("id,kind,period,handle,name,status,late")


def test_manager_files_for_a_rep_but_another_rep_may_not(org, cli, db_url):
    seed_rep_day(db_url)
    before = counts(db_url)
    refused = cli("report", "daily", "--rep", "rep_a1", "--draft", "--summary", "x", as_="rep_a2")
    assert refused.exit_code == 3 and counts(db_url) == before
    ok = cli("report", "daily", "--rep", "rep_a1", "--draft", "--summary", "经理代填", as_="mgr_a")
    assert ok.exit_code == 0, ok
    assert query(db_url, "select s.handle from report r join staff s on s.id = r.rep_id") == [("rep_a1",)]


# --------------------------------------------------------------------------- deadlines and late marking
def test_late_across_a_public_holiday_and_an_adjusted_working_saturday(org, cli, db_url):
    backdate_staff(db_url)
    # Tue 2025-09-30 is the last workday before the National Day holidays (Oct 1-8)
    late = cli("report", "daily", "--date", "2025-09-30", "--submit", *TEXTS, as_="rep_a1", now="2025-10-01T09:00")
    assert late.exit_code == 0, late
    assert "late: due 2025-09-30 18:00" in late.stderr
    # Sat 2025-10-11 is an adjusted working Saturday: a report is owed and due that evening
    on_time = cli("report", "daily", "--date", "2025-10-11", "--submit", *TEXTS, as_="rep_a2", now="2025-10-11T17:40")
    assert "on time" in on_time.stderr, on_time
    after = cli("report", "daily", "--date", "2025-10-11", "--submit", *TEXTS, as_="rep_b1", now="2025-10-13T09:00")
    assert "late" in after.stderr
    # a holiday owes nothing; filed anyway, it is due by the end of the next workday (Thu 2025-10-09)
    holiday = cli("report", "daily", "--date", "2025-10-06", "--submit", *TEXTS, as_="rep_a2", now="2025-10-09T17:00")
    assert "on time" in holiday.stderr, holiday
    rows = query(db_url, "select s.handle, r.period, r.late from report r join staff s on s.id = r.rep_id order by r.id")
    assert rows == [("rep_a1", "2025-09-30", True), ("rep_a2", "2025-10-11", False),
                    ("rep_b1", "2025-10-11", True), ("rep_a2", "2025-10-06", False)]
    saturday = cli("report", "missing", "--date", "2025-10-11", "--format", "json", as_="dir", now="2025-10-13T09:00")
    assert [(r["handle"], r["status"]) for r in saturday.json()] == [("rep_a1", "missing"), ("rep_b1", "late")]
    holiday_missing = cli("report", "missing", "--date", "2025-10-06", "--check", "--format", "json", as_="dir",
                          now="2025-10-09T09:00")
    assert holiday_missing.exit_code == 0 and holiday_missing.json() == []
    assert "not a workday" in holiday_missing.stderr


def test_weekly_deadline_moves_to_the_last_workday_before_a_holiday_friday(org, cli, db_url):
    backdate_staff(db_url)
    weekly_texts = ("--summary", "s", "--situation", "ok", "--remember", "r", "--plan", "p", "--support", "无")
    # 2025-W40: Friday Oct 3 is National Day; due Tue Sep 30
    doc = cli("report", "weekly", "--week", "2025-W40", "--format", "json", as_="rep_a1", now="2025-09-29T10:00").json()
    assert doc["deadline"] == "2025-09-30T18:00:00+08:00"
    late = cli("report", "weekly", "--week", "2025-W40", "--submit", *weekly_texts, as_="rep_a1", now="2025-10-02T10:00")
    assert "late" in late.stderr, late
    # 2025-W41: due Fri Oct 10; the adjusted working Saturday Oct 11 does not move it
    sat = cli("report", "weekly", "--week", "2025-W41", "--submit", *weekly_texts, as_="rep_a2", now="2025-10-11T10:00")
    assert "late: due 2025-10-10 18:00" in sat.stderr, sat
    fri = cli("report", "weekly", "--week", "2025-W41", "--submit", *weekly_texts, as_="rep_b1", now="2025-10-10T16:00")
    assert "on time" in fri.stderr
    # 2026-W01: Thursday Jan 1 and Friday Jan 2 2026 are holidays: due Wed 2025-12-31
    doc = cli("report", "weekly", "--week", "2026-W01", "--format", "json", as_="rep_a1", now="2025-12-29T10:00").json()
    assert doc["deadline"] == "2025-12-31T18:00:00+08:00"
    # monthly: the last day of the month
    doc = cli("report", "monthly", "--month", "2026-02", "--format", "json", as_="rep_a1", now="2026-02-02T10:00").json()
    assert doc["deadline"] == "2026-02-28T18:00:00+08:00"


# --------------------------------------------------------------------------- weekly and monthly forms
def test_weekly_summary_shows_last_weeks_plan_and_the_weeks_tables(org, cli, db_url):
    ids = seed_rep_day(db_url)
    last = cli("report", "weekly", "--week", "2026-W47", "--submit", "--summary", "上周总结", "--situation", "正常",
               "--remember", "带样品", "--plan", "拜访苏州新华，争取签约", "--support", "需要技术支持",
               as_="rep_a1", now="2026-11-20T17:00")
    assert last.exit_code == 0, last
    doc = cli("report", "weekly", "--format", "json", as_="rep_a1").json()
    assert (doc["period"], doc["period_start"], doc["period_end"]) == ("2026-W48", "2026-11-23", "2026-11-29")
    assert doc["last_plan"]["period"] == "2026-W47"
    assert doc["last_plan"]["plan"] == "拜访苏州新华，争取签约" and doc["last_plan"]["support"] == "需要技术支持"
    # details: the week's contacts (yesterday's call included)
    assert [r["date"] for r in doc["rows"]] == ["2026-11-26", "2026-11-27", "2026-11-27"]
    assert doc["customers"] == {"total": 2, "A": 1, "B": 0, "C": 1, "D": 0, "new": 0}
    assert [(r["grade"], r["customer"], r["contact"], r["phone"]) for r in doc["customer_rows"]] == [
        ("A", "苏州新华精密机械", "刘勇", "13800138000"), ("C", "宁波泰和钢构", "李主管", "0574-1234567")]
    assert [(s["kind"], s["customer"], s["amount"]) for s in doc["sales"]] == [
        ("won", "苏州新华精密机械", "100000.00"), ("payment", "苏州新华精密机械", "30000.50")]
    assert doc["sales_total"] == {"won": "100000.00", "collected": "30000.50"}
    assert [(g["from"], g["to"]) for g in doc["grade_changes"]] == [("B", "A")]
    text_out = cli("report", "weekly", as_="rep_a1", lang="zh").stdout
    for needle in ("销售人员周报", "本周工作细节", "本周工作总结", "上周工作计划 (2026-W47)", "拜访苏州新华，争取签约",
                   "累计客户数", "共 2 个客户", "您的情况描述", "本周销售业绩", "100,000.00", "回款金额：30,000.50",
                   "要记住的事情", "下周工作计划", "需要的支持和资源"):
        assert needle in text_out, needle
    md = cli("report", "weekly", "--format", "markdown", as_="rep_a1").stdout
    assert "| Last week's plan (2026-W47)" in md and "拜访苏州新华，争取签约" in md


def test_monthly_form_has_results_and_problems(org, cli, db_url):
    seed_rep_day(db_url)
    result = cli("report", "monthly", "--submit", "--results", "签约一单", "--problems", "回款慢", "--situation", "ok",
                 "--remember", "r", "--plan", "下月计划", "--support", "无", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert (doc["kind"], doc["period"], doc["results"], doc["problems"]) == ("monthly", "2026-11", "签约一单", "回款慢")
    assert doc["deadline"] == "2026-11-30T18:00:00+08:00" and doc["late"] is False
    assert len(doc["rows"]) == 3 and doc["sales_total"]["won"] == "100000.00"
    zh = cli("report", "show", str(doc["id"]), as_="rep_a1", lang="zh").stdout
    for needle in ("销售人员月报", "本月工作细节", "工作成果", "存在问题", "回款慢", "本月销售业绩", "下个月的工作计划"):
        assert needle in zh, needle


# --------------------------------------------------------------------------- report missing
def test_missing_check_exit_codes_and_late(org, cli, db_url):
    after_six = "2026-11-27T19:00"
    result = cli("report", "missing", "--check", "--format", "json", as_="dir", now=after_six)
    assert result.exit_code == 1
    assert result.json() == [
        {"id": None, "handle": h, "name": n, "period": "2026-11-27", "kind": "daily",
         "deadline": "2026-11-27T18:00:00+08:00", "status": "missing"}
        for h, n in (("rep_a1", "销售甲一"), ("rep_a2", "销售甲二"), ("rep_b1", "销售乙一"))]
    # before the deadline a rep without a submitted report is also missing; a draft does not count
    cli("report", "daily", "--draft", "--summary", "s", as_="rep_a1")
    early = cli("report", "missing", "--format", "json", as_="dir", now="2026-11-27T12:00")
    assert [r["handle"] for r in early.json()] == ["rep_a1", "rep_a2", "rep_b1"]
    cli("report", "daily", "--submit", *TEXTS, as_="rep_a1", now="2026-11-27T17:00")
    cli("report", "daily", "--submit", *TEXTS, as_="rep_a2", now="2026-11-27T17:59")
    one_left = cli("report", "missing", "--check", as_="dir", now=after_six)
    assert one_left.exit_code == 1 and "rep_b1" in one_left.stdout and "rep_a1" not in one_left.stdout
    cli("report", "daily", "--submit", *TEXTS, as_="rep_b1", now="2026-11-27T18:30")
    late = cli("report", "missing", "--check", "--format", "json", as_="dir", now=after_six)
    assert late.exit_code == 0, late  # late is listed, but nobody is missing
    assert [(r["handle"], r["status"], isinstance(r["id"], int)) for r in late.json()] == [("rep_b1", "late", True)]
    table = cli("report", "missing", as_="dir", now=after_six)
    assert "rep_b1" in table.stdout and "late" in table.stdout
    # the same in scope: mgr_a's team has filed on time
    mine = cli("report", "missing", "--team", "--check", as_="mgr_a", now=after_six)
    assert mine.exit_code == 0 and "Everyone in scope has filed." in mine.stdout


def test_missing_scope_flags(org, cli):
    now = "2026-11-27T19:00"

    def handles(*args, as_):
        result = cli("report", "missing", "--format", "json", *args, as_=as_, now=now)
        assert result.exit_code == 0, result
        return [r["handle"] for r in result.json()]

    assert handles(as_="mgr_a") == ["rep_a1", "rep_a2"]
    assert handles("--team", as_="mgr_a") == ["rep_a1", "rep_a2"]
    assert handles("--manager", "mgr_b", as_="dir") == ["rep_b1"]
    assert handles("--rep", "rep_a2", as_="dir") == ["rep_a2"]
    assert handles(as_="rep_b1") == ["rep_b1"]
    assert handles(as_="asst_b") == ["rep_b1"]
    assert cli("report", "missing", "--team", as_="rep_a1", now=now).exit_code == 3
    assert cli("report", "missing", "--manager", "mgr_b", as_="mgr_a", now=now).exit_code == 3
    both = cli("report", "missing", "--date", "today", "--week", "this", as_="dir", now=now)
    assert both.exit_code == 2 and "--date" in both.stderr


def test_leave_excuses_missing_reports(org, cli, db_url):
    now = "2026-11-27T19:00"
    backdate_staff(db_url)
    assert cli("staff", "leave", "rep_a2", "--from", "2026-11-27", as_="mgr_a").exit_code == 0
    daily = cli("report", "missing", "--format", "json", as_="dir", now=now).json()
    assert [r["handle"] for r in daily] == ["rep_a1", "rep_b1"]
    # the day before: rep_a2 owed one
    assert "rep_a2" in [r["handle"] for r in cli("report", "missing", "--date", "2026-11-26", "--format", "json",
                                                 as_="dir", now=now).json()]
    # weekly: one day of leave does not excuse the week; leave for every workday of it does
    weekly = cli("report", "missing", "--week", "2026-W48", "--format", "json", as_="dir", now=now).json()
    assert [r["handle"] for r in weekly] == ["rep_a1", "rep_a2", "rep_b1"]
    assert all(r["period"] == "2026-W48" and r["kind"] == "weekly" for r in weekly)
    assert cli("staff", "leave", "rep_b1", "--from", "2026-11-23", "--to", "2026-11-27", as_="mgr_b").exit_code == 0
    weekly = cli("report", "missing", "--week", "2026-W48", "--format", "json", as_="dir", now=now).json()
    assert [r["handle"] for r in weekly] == ["rep_a1", "rep_a2"]
    monthly = cli("report", "missing", "--month", "2026-11", "--check", "--format", "json", as_="dir", now=now)
    assert monthly.exit_code == 1 and [r["handle"] for r in monthly.json()] == ["rep_a1", "rep_a2", "rep_b1"]


def test_missing_ignores_non_reps_and_staff_who_joined_later(org, cli, db_url):
    # the org was created on 2026-11-27: nobody owed a report the day before
    result = cli("report", "missing", "--date", "2026-11-26", "--check", "--format", "json", as_="dir")
    assert result.exit_code == 0 and result.json() == []
    today = cli("report", "missing", "--format", "json", as_="boss").json()
    assert {r["handle"] for r in today} == {"rep_a1", "rep_a2", "rep_b1"}  # no managers, no assistant


# --------------------------------------------------------------------------- no terminal, no prompt
@pytest.fixture
def no_prompts(monkeypatch):
    """Fail loudly if anything tries to prompt or open an editor."""
    import questionary

    def boom(*args, **kwargs):
        raise AssertionError("prompted without a terminal")

    for name in ("text", "select", "confirm"):
        monkeypatch.setattr(questionary, name, boom)
    monkeypatch.setenv("EDITOR", f"{sys.executable} -c 'raise SystemExit(7)'")
    monkeypatch.delenv("SALESCTL_NO_INPUT")  # only the missing terminal keeps it quiet


def test_non_terminal_runs_never_prompt(org, cli, db_url, no_prompts):
    seed_rep_day(db_url)
    before = counts(db_url)
    preview = cli("report", "daily", as_="rep_a1", input="")
    assert preview.exit_code == 0 and preview.exception is None, preview
    assert "Sales rep's daily work report" in preview.stdout
    missing = cli("report", "daily", "--submit", as_="rep_a1", input="")
    assert missing.exit_code == 2 and missing.exception is None, missing
    weekly = cli("report", "weekly", "--submit", "--summary", "s", as_="rep_a1", input="")
    assert weekly.exit_code == 2 and weekly.exception is None
    assert counts(db_url) == before
    done = cli("report", "daily", "--submit", *TEXTS, as_="rep_a1", input="")
    assert done.exit_code == 0 and done.exception is None


def test_terminal_opens_the_editor_for_the_texts_then_submits(org, cli, db_url, monkeypatch, tmp_path):
    import questionary

    from salesctl import render

    seed_rep_day(db_url)
    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "out = []\n"
        "for line in p.read_text(encoding='utf-8').splitlines():\n"
        "    out.append(line)\n"
        "    if line.startswith('== summary'): out.append('编辑器里写的总结')\n"
        "    if line.startswith('== plan'): out.append('编辑器里写的计划')\n"
        "p.write_text('\\n'.join(out), encoding='utf-8')\n", encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setattr(render, "interactive", lambda: True)

    class Answer:
        def __init__(self, value):
            self.value = value

        def unsafe_ask(self):
            return self.value

    monkeypatch.setattr(questionary, "select", lambda *a, **k: Answer("submit"))
    result = cli("report", "daily", as_="rep_a1")
    assert result.exit_code == 0, result
    assert "Sales rep's daily work report" in result.stdout  # the form was shown first
    texts = json.loads(query(db_url, "select texts from report")[0][0])
    assert texts == {"summary": "编辑器里写的总结", "plan": "编辑器里写的计划"}
    assert query(db_url, "select status from report") == [("submitted",)]


def test_editor_text_parsing():
    from salesctl.cli.report_render import parse_editor_text

    written = "# help line\n== summary: 今日工作总结 ==\n第一行\n\n第二行\n# ignored\n== plan: 明天 ==\n计划\n"
    assert parse_editor_text(written, ("summary", "plan")) == {"summary": "第一行\n\n第二行", "plan": "计划"}
