"""summary week|month: hand-checked figures on a small fixture, totals, grouping, comparison, permissions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from conftest import query

TZ = ZoneInfo("Asia/Shanghai")
NUMERIC = ("visits", "visits_visit", "visits_call", "visits_email", "visits_event", "customers_contacted",
           "new_customers", "grade_up", "grade_down", "grade_a", "grade_b", "grade_c", "grade_d",
           "deals_advanced", "deals_won", "deals_lost", "daily_submitted", "daily_due", "daily_late",
           "overdue_followups")
MONEY = ("amount_won", "payments")
ROW_KEYS = ["handle", "name", "visits", "visits_visit", "visits_call", "visits_email", "visits_event",
            "customers_contacted", "new_customers", "grade_up", "grade_down", "grade_a", "grade_b", "grade_c",
            "grade_d", "deals_advanced", "deals_won", "deals_lost", "amount_won", "payments", "target",
            "attainment", "daily_submitted", "daily_due", "daily_late", "weekly_report", "overdue_followups"]


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    """A local (Asia/Shanghai) time in 2026; stored as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def sales(org, db_url):
    """The `org` company with one known week of work (2026-W48: Mon 23 – Sun 29 November; now Fri 27 17:30).

    rep_a1: customers c1 (new Tue, B→A Thu), c2 (C→B Wed), c3 (B→D Thu); 4 visits in W48 (one at 00:10
            Monday local, i.e. Sunday in UTC) and one late Sunday 22 (W47) with an open follow-up due 25th;
            deal d1 advanced 1→2→3 and won Thu (100,000), d2 lost Wed; 20,000 paid Fri on d1;
            target 100,000; daily reports Mon (on time), Tue (late), Wed (reviewed); weekly submitted.
    rep_a2: c4 created Mon 00:30 local (new in W48), D→C Tue; one event; d3 created (no advance);
            a quarter target of 90,000 only; on leave Thu; no reports.
    rep_b1: c5 created Sun 22 23:30 local (W47); one call with a follow-up overdue since the 20th;
            d4 won Fri 20 (W47); paid 10,000 on 5 Nov and 30,000.25 on Mon 23; target 80,000; daily
            report Mon, a draft Tue; weekly report a draft.
    """
    from sqlmodel import Session, create_engine, select

    from salesctl.models import (
        Customer, Deal, DealStageChange, GradeChange, Leave, OwnershipEntry, Payment, Report, Staff, Target,
        Visit,
    )

    engine = create_engine(db_url)
    with Session(engine) as s:
        staff = {p.handle: p for p in s.exec(select(Staff)).all()}
        for person in staff.values():
            person.created_at = datetime(2026, 1, 1, tzinfo=TZ)
            person.start_date = date(2026, 1, 1)
        a1, a2, b1, boss = staff["rep_a1"].id, staff["rep_a2"].id, staff["rep_b1"].id, staff["boss"].id

        def customer(name, owner, grade, created):
            c = Customer(name=name, name_norm=name, grade=grade, owner_id=owner, reported_by_id=owner,
                         reported_at=created, created_at=created, updated_at=created, industry="Retail",
                         region="East")
            s.add(c)
            s.flush()
            s.add(OwnershipEntry(customer_id=c.id, kind="report", staff_id=owner, to_owner_id=owner, by_id=owner,
                                 at=created))
            return c

        c1 = customer("客户一", a1, "A", at(24, 10))
        c2 = customer("客户二", a1, "B", at(1, 9, month=10))
        c3 = customer("客户三", a1, "D", at(1, 9, month=10))
        c4 = customer("客户四", a2, "C", at(23, 0, 30))
        c5 = customer("客户五", b1, "B", at(22, 23, 30))
        for cust, frm, to, when in (
            (c1, None, "B", at(24, 10)), (c1, "B", "A", at(26, 15)),
            (c2, "D", "C", at(18)), (c2, "C", "B", at(25, 16)),
            (c3, "B", "D", at(26, 11)),
            (c4, None, "D", at(23, 0, 30)), (c4, "D", "C", at(24, 9)),
            (c5, None, "B", at(22, 23, 30)),
        ):
            s.add(GradeChange(customer_id=cust.id, from_grade=frm, to_grade=to, at=when, by_id=boss))

        def visit(cust, rep, when, kind, follow_up=None, done=False):
            s.add(Visit(customer_id=cust.id, rep_id=rep, at=when, kind=kind, content="x", result="y",
                        follow_up=follow_up, follow_up_done=done, created_at=when))

        visit(c1, a1, at(24, 10), "visit", date(2026, 11, 26), done=True)
        visit(c1, a1, at(25, 11), "call")
        visit(c2, a1, at(26, 9), "email")
        # Monday 00:10 local = Sunday 16:10 UTC: in W48; its follow-up is not overdue: c2 was visited since
        visit(c2, a1, at(23, 0, 10), "visit", date(2026, 11, 24))
        visit(c3, a1, at(22, 23, 50), "visit", date(2026, 11, 25))  # Sunday 23:50 local: W47; overdue
        visit(c4, a2, at(26, 14), "event", date(2026, 11, 27))  # due today: not overdue yet
        visit(c5, b1, at(25, 15), "call", date(2026, 11, 20))  # overdue

        def deal(cust, owner, amount, stage, status, changes, won_on=None, lost_on=None):
            d = Deal(customer_id=cust.id, owner_id=owner, title=f"{cust.name} 项目", amount=Decimal(amount),
                     stage=stage, status=status, won_on=won_on, lost_on=lost_on, created_at=changes[0][2],
                     updated_at=changes[-1][2])
            s.add(d)
            s.flush()
            for frm, to, when in changes:
                s.add(DealStageChange(deal_id=d.id, from_stage=frm, to_stage=to, at=when))
            return d

        d1 = deal(c2, a1, "100000.00", 4, "won",
                  [(None, 1, at(2)), (1, 2, at(24, 11)), (2, 3, at(25, 12)), (3, 4, at(26, 16))],
                  won_on=date(2026, 11, 26))
        deal(c3, a1, "50000.00", 1, "lost", [(None, 1, at(10))], lost_on=date(2026, 11, 25))
        deal(c4, a2, "30000.00", 1, "open", [(None, 1, at(24, 12))])
        d4 = deal(c5, b1, "80000.50", 4, "won", [(None, 1, at(3)), (3, 4, at(20))], won_on=date(2026, 11, 20))
        s.add(Payment(deal_id=d1.id, amount=Decimal("20000.00"), paid_on=date(2026, 11, 27), created_at=at(27)))
        s.add(Payment(deal_id=d4.id, amount=Decimal("30000.25"), paid_on=date(2026, 11, 23), created_at=at(23)))
        s.add(Payment(deal_id=d4.id, amount=Decimal("10000.00"), paid_on=date(2026, 11, 5), created_at=at(5)))
        s.add(Target(staff_id=a1, period="2026-11", amount=Decimal("100000.00"), set_at=at(1)))
        s.add(Target(staff_id=b1, period="2026-11", amount=Decimal("80000.00"), set_at=at(1)))
        s.add(Target(staff_id=a1, period="2026-12", amount=Decimal("1.00"), set_at=at(1)))
        s.add(Target(staff_id=a1, period="2026-Q4", amount=Decimal("999999.00"), set_at=at(1)))  # month wins
        s.add(Target(staff_id=a2, period="2026-Q4", amount=Decimal("90000.00"), set_at=at(1)))  # a third: 30,000
        s.add(Target(staff_id=staff["mgr_a"].id, period="2026-11", team=True, amount=Decimal("500000.00"),
                     set_at=at(1)))
        s.add(Leave(staff_id=a2, start=date(2026, 11, 26), end=date(2026, 11, 26), created_at=at(20)))

        def report(rep, kind, day, status, late=False, label=None):
            s.add(Report(rep_id=rep, kind=kind, period=label or day.isoformat(), period_start=day,
                         period_end=day, status=status, late=late, created_at=at(27), updated_at=at(27)))

        report(a1, "daily", date(2026, 11, 23), "submitted")
        report(a1, "daily", date(2026, 11, 24), "submitted", late=True)
        report(a1, "daily", date(2026, 11, 25), "reviewed")
        report(a1, "weekly", date(2026, 11, 23), "submitted", label="2026-W48")
        report(b1, "daily", date(2026, 11, 23), "submitted")
        report(b1, "daily", date(2026, 11, 24), "draft")
        report(b1, "weekly", date(2026, 11, 23), "draft", label="2026-W48")
        s.commit()
    engine.dispose()
    return db_url


def by_handle(doc):
    return {r["handle"]: r for r in doc["rows"]}


def assert_totals_are_sums(doc, key_of_rows="rows"):
    rows = doc[key_of_rows]
    for key in NUMERIC:
        assert doc["totals"][key] == sum(r[key] for r in rows), key
    for key in MONEY:
        assert Decimal(doc["totals"][key]) == sum(Decimal(r[key]) for r in rows), key


# --------------------------------------------------------------------------- known numbers
def test_team_week_hand_checked(sales, cli):
    run = cli("summary", "week", "--team", "--format", "json", as_="mgr_a")
    assert run.exit_code == 0, run
    doc = run.json()
    assert doc["period"] == "2026-W48"
    assert doc["scope"] == "team:mgr_a"
    assert list(doc) == ["period", "scope", "rows", "totals"]
    assert [r["handle"] for r in doc["rows"]] == ["rep_a1", "rep_a2"]
    assert list(doc["rows"][0]) == ROW_KEYS
    a1, a2 = doc["rows"]
    assert a1 == {
        "handle": "rep_a1", "name": "销售甲一",
        "visits": 4, "visits_visit": 2, "visits_call": 1, "visits_email": 1, "visits_event": 0,
        "customers_contacted": 2, "new_customers": 1, "grade_up": 2, "grade_down": 1,
        "grade_a": 1, "grade_b": 1, "grade_c": 0, "grade_d": 1,
        "deals_advanced": 1, "deals_won": 1, "deals_lost": 1, "amount_won": "100000.00", "payments": "20000.00",
        "target": "100000.00", "attainment": "0.200",
        "daily_submitted": 3, "daily_due": 5, "daily_late": 1, "weekly_report": "submitted",
        "overdue_followups": 1,
    }
    assert a2 == {
        "handle": "rep_a2", "name": "销售甲二",
        "visits": 1, "visits_visit": 0, "visits_call": 0, "visits_email": 0, "visits_event": 1,
        "customers_contacted": 1, "new_customers": 1, "grade_up": 1, "grade_down": 0,
        "grade_a": 0, "grade_b": 0, "grade_c": 1, "grade_d": 0,
        "deals_advanced": 0, "deals_won": 0, "deals_lost": 0, "amount_won": "0.00", "payments": "0.00",
        "target": "30000.00", "attainment": "0.000",
        "daily_submitted": 0, "daily_due": 4, "daily_late": 0, "weekly_report": "pending",
        "overdue_followups": 0,
    }
    totals = doc["totals"]
    assert totals["visits"] == 5 and totals["target"] == "130000.00" and totals["attainment"] == "0.154"
    assert "handle" not in totals and not any(k.startswith("_") for k in totals)
    assert_totals_are_sums(doc)


def test_all_company_week_and_other_team(sales, cli):
    doc = cli("summary", "week", "--all", "--format", "json", as_="dir").json()
    assert doc["scope"] == "all"
    rows = by_handle(doc)
    assert sorted(rows) == ["rep_a1", "rep_a2", "rep_b1"]
    b1 = rows["rep_b1"]
    assert (b1["visits"], b1["visits_call"], b1["new_customers"], b1["deals_won"]) == (1, 1, 0, 0)
    assert b1["payments"] == "30000.25"
    # attainment is month to date: (10,000 + 30,000.25) / 80,000
    assert b1["target"] == "80000.00" and b1["attainment"] == "0.500"
    assert (b1["daily_submitted"], b1["daily_due"], b1["weekly_report"], b1["overdue_followups"]) == (1, 5, "draft", 1)
    assert_totals_are_sums(doc)
    assert doc["totals"]["payments"] == "50000.25"
    assert doc["totals"]["target"] == "210000.00"
    assert doc["totals"]["attainment"] == "0.286"  # (20,000 + 0 + 40,000.25) / 210,000

    other = cli("summary", "week", "--manager", "mgr_b", "--format", "json", as_="dir").json()
    assert other["scope"] == "team:mgr_b"
    assert [r["handle"] for r in other["rows"]] == ["rep_b1"]


def test_previous_week_and_month(sales, cli):
    doc = cli("summary", "week", "--week", "2026-W47", "--rep", "rep_a1", "--format", "json", as_="mgr_a").json()
    assert doc["period"] == "2026-W47" and doc["scope"] == "rep:rep_a1"
    (a1,) = doc["rows"]
    # the Sunday 23:50 visit belongs to W47; the 00:10 Monday one does not
    assert (a1["visits"], a1["visits_visit"], a1["grade_up"], a1["customers_contacted"]) == (1, 1, 1, 1)
    # W47 ended before today: follow-ups due before Monday 23rd only (none of rep_a1's)
    assert a1["overdue_followups"] == 0
    assert a1["weekly_report"] == "missing" and a1["daily_due"] == 5 and a1["daily_submitted"] == 0

    month = cli("summary", "month", "--month", "2026-11", "--all", "--format", "json", as_="boss").json()
    assert month["period"] == "2026-11"
    rows = by_handle(month)
    assert rows["rep_b1"]["deals_won"] == 1 and rows["rep_b1"]["amount_won"] == "80000.50"
    assert rows["rep_b1"]["payments"] == "40000.25" and rows["rep_b1"]["attainment"] == "0.500"
    assert rows["rep_a1"]["visits"] == 5 and rows["rep_a1"]["grade_up"] == 3
    # the month's own report: nobody filed a monthly one; due on the 30th
    assert {r["weekly_report"] for r in month["rows"]} == {"pending"}
    assert_totals_are_sums(month)


def test_by_region_and_manager_match_the_rows(sales, cli):
    flat = cli("summary", "week", "--format", "json", as_="dir").json()
    region = cli("summary", "week", "--by", "region", "--format", "json", as_="dir").json()
    assert list(region) == ["period", "scope", "rows", "totals"]
    assert [r["region"] for r in region["rows"]] == ["East", "North"]
    east = region["rows"][0]
    assert east["reps"] == 2 and east["visits"] == 5 and east["payments"] == "20000.00"
    assert east["weekly_report"] == "1/2"
    assert "handle" not in east
    assert region["totals"] == flat["totals"]
    assert_totals_are_sums(region)

    team = cli("summary", "week", "--team", "--format", "json", as_="mgr_a").json()
    team_by_region = cli("summary", "week", "--team", "--by", "region", "--format", "json", as_="mgr_a").json()
    assert team_by_region["totals"] == team["totals"]

    managers = cli("summary", "week", "--by", "manager", "--format", "json", as_="dir").json()
    # the nearest manager or regional manager up the chain
    assert {r["manager"]: r["reps"] for r in managers["rows"]} == {"mgr_a": 2, "rm_b": 1}
    assert managers["totals"] == flat["totals"]


def test_compare_adds_previous_only_when_asked(sales, cli):
    plain = cli("summary", "week", "--team", "--format", "json", as_="mgr_a").json()
    assert "previous" not in plain
    doc = cli("summary", "week", "--team", "--compare", "--format", "json", as_="mgr_a").json()
    assert doc["previous"]["period"] == "2026-W47"
    assert doc["previous"]["totals"]["visits"] == 1
    assert doc["totals"] == plain["totals"]
    table = cli("summary", "week", "--team", "--compare", as_="mgr_a")
    assert table.exit_code == 0, table
    line = next(l for l in table.stdout.splitlines() if l.startswith("销售甲一"))
    assert "4 ▲3" in line  # 4 visits against 1 the week before
    assert "change against 2026-W47" in table.stdout
    piped = cli("summary", "week", "--team", as_="mgr_a")
    assert "▲" not in piped.stdout and "change against" not in piped.stdout


# --------------------------------------------------------------------------- formats
def test_table_csv_and_markdown(sales, cli):
    table = cli("summary", "week", "--team", as_="mgr_a")
    assert table.exit_code == 0, table
    out = table.stdout
    assert "Summary 2026-W48 (2026-11-23 – 2026-11-29) — team:mgr_a" in out
    a1 = next(l for l in out.splitlines() if l.startswith("销售甲一 (rep_a1)"))
    for cell in ("2/1/1/0", "↑2 ↓1", "1/1/0/1", "1/1/1", "100,000.00", "20,000.00", "20.0%", "3/5 (1 late)",
                 "submitted"):
        assert cell in a1, cell
    total = next(l for l in out.splitlines() if l.startswith("Total"))
    assert "8/9 (1 late)" not in total and "3/9 (1 late)" in total and "1/2" in total
    assert "No activity" not in out
    assert table.stderr == ""

    csv_out = cli("summary", "week", "--team", "--format", "csv", as_="mgr_a").stdout.splitlines()
    assert csv_out[0].split(",") == ROW_KEYS
    assert csv_out[1].startswith("rep_a1,销售甲一,4,2,1,1,0,2,1,2,1,1,1,0,1,1,1,1,100000.00,20000.00,100000.00,0.200,")
    assert len(csv_out) == 3

    md = cli("summary", "week", "--team", "--format", "markdown", as_="mgr_a").stdout
    assert md.startswith("## Summary 2026-W48")
    assert "| Rep" in md and "| 销售甲一 (rep_a1)" in md and "| Total" in md

    zh = cli("summary", "week", "--team", as_="mgr_a", lang="zh").stdout
    assert "工作汇总 2026-W48" in zh and "合计" in zh and "已提交" in zh


def test_terminal_draws_charts_and_compares(sales, cli, monkeypatch):
    from salesctl import render

    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)
    run = cli("summary", "week", "--team", as_="mgr_a")
    assert run.exit_code == 0, run
    out = run.stdout
    assert "Grade distribution" in out and "A important" in out and "█" in out
    for n, name in enumerate(("Information development", "Project establishment", "Business negotiation",
                              "Purchase and payment", "After-sales service"), start=1):
        assert f"{n} {name}" in out
    assert "Upgraded to A in 2026-W48" in out and "客户一" in out and "B → A" in out
    assert "Deals won in 2026-W48" in out and "客户二 项目" in out and "100,000.00" in out
    assert "▲" in out  # --compare is on by default at a terminal
    zh = cli("summary", "week", "--team", as_="mgr_a", lang="zh").stdout
    assert "信息开发" in zh and "购卡/回款" in zh and "售后服务" in zh


def test_empty_week_prints_no_activity(sales, cli):
    run = cli("summary", "week", "--week", "2026-W30", "--team", as_="mgr_a")
    assert run.exit_code == 0, run
    assert "No activity in 2026-W30 for team:mgr_a" in run.stdout
    assert "销售甲一" in run.stdout  # still a table, with every rep at zero
    doc = cli("summary", "week", "--week", "2026-W30", "--team", "--format", "json", as_="mgr_a").json()
    assert doc["totals"]["visits"] == 0 and doc["totals"]["payments"] == "0.00"
    assert_totals_are_sums(doc)
    md = cli("summary", "week", "--week", "2026-W30", "--team", "--format", "markdown", as_="mgr_a").stdout
    assert "No activity" in md


def test_empty_company(org, cli):
    run = cli("summary", "month", "--manager", "mgr_b", as_="boss")
    assert run.exit_code == 0, run
    assert "No activity" in run.stdout
    doc = cli("summary", "month", "--format", "json", as_="boss").json()
    assert doc["totals"]["visits"] == 0 and doc["totals"]["target"] is None
    assert {r["handle"] for r in doc["rows"]} == {"rep_a1", "rep_a2", "rep_b1"}


# --------------------------------------------------------------------------- permissions and input
def test_rep_sees_only_themself(sales, cli):
    doc = cli("summary", "week", "--format", "json", as_="rep_a1").json()
    assert doc["scope"] == "rep:rep_a1" and [r["handle"] for r in doc["rows"]] == ["rep_a1"]
    assert cli("summary", "week", "--all", "--format", "json", as_="rep_a1").json()["rows"] == doc["rows"]
    audit_before = query(sales, "select count(*) from audit_entry")
    for args in (("--team",), ("--rep", "rep_a2"), ("--manager", "mgr_a")):
        run = cli("summary", "week", *args, as_="rep_a1")
        assert run.exit_code == 3, (args, run)
        assert run.stdout == ""
        assert len(run.stderr.strip().splitlines()) == 1 and "permission denied" in run.stderr
        assert "rep_a2" not in run.stderr or args[0] == "--rep"
    assert "--team" in cli("summary", "week", "--team", as_="rep_a1").stderr
    assert query(sales, "select count(*) from audit_entry") == audit_before


def test_manager_limited_to_their_team(sales, cli):
    for args in (("--manager", "mgr_b"), ("--rep", "rep_b1")):
        run = cli("summary", "month", *args, as_="mgr_a")
        assert run.exit_code == 3, run
        assert "销售乙一" not in run.stderr and run.stdout == ""
    doc = cli("summary", "week", "--format", "json", as_="mgr_a").json()
    assert doc["scope"] == "team:mgr_a"
    # the assistant sees their manager's team
    doc = cli("summary", "week", "--format", "json", as_="asst_b").json()
    assert doc["scope"] == "team:mgr_b" and [r["handle"] for r in doc["rows"]] == ["rep_b1"]


def test_bad_input_exits_2(sales, cli):
    run = cli("summary", "week", "--by", "colour", as_="dir")
    assert run.exit_code == 2 and "--by" in run.stderr and "region, industry, manager" in run.stderr
    run = cli("summary", "week", "--week", "2026-13", as_="dir")
    assert run.exit_code == 2 and "--week" in run.stderr
    run = cli("summary", "month", "--month", "November", as_="dir")
    assert run.exit_code == 2 and "--month" in run.stderr
    run = cli("summary", "week", "--team", "--all", as_="mgr_a")
    assert run.exit_code == 2 and "--team" in run.stderr
    run = cli("summary", "week", "--rep", "nobody", as_="dir")
    assert run.exit_code == 4 and "nobody" in run.stderr


# --------------------------------------------------------------------------- a fixed number of queries
def test_query_count_does_not_grow_with_reps(sales, cli, db_url):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlmodel import Session, create_engine, select

    from salesctl.models import Customer, OwnershipEntry, Staff, Visit

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def run_counted():
        statements.clear()
        event.listen(Engine, "before_cursor_execute", count)
        try:
            result = cli("summary", "week", "--all", "--compare", "--format", "json", as_="dir")
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        assert result.exit_code == 0, result
        return len(statements), result.json()

    before, _ = run_counted()
    engine = create_engine(db_url)
    with Session(engine) as s:
        boss = s.exec(select(Staff).where(Staff.handle == "mgr_a")).one()
        for i in range(25):
            rep = Staff(handle=f"extra{i}", name=f"Extra {i}", role="rep", manager_id=boss.id, region="East",
                        industry="Retail", created_at=at(1, month=1))
            s.add(rep)
            s.flush()
            c = Customer(name=f"extra customer {i}", name_norm=f"extra customer {i}", grade="C", owner_id=rep.id,
                         reported_by_id=rep.id, created_at=at(24), updated_at=at(24))
            s.add(c)
            s.flush()
            s.add(OwnershipEntry(customer_id=c.id, kind="report", staff_id=rep.id, to_owner_id=rep.id, at=at(24)))
            s.add(Visit(customer_id=c.id, rep_id=rep.id, at=at(25), kind="visit", created_at=at(25)))
        s.commit()
    engine.dispose()
    after, doc = run_counted()
    assert len(doc["rows"]) == 28 and doc["totals"]["visits"] == 6 + 25
    assert after == before
