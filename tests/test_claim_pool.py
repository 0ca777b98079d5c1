"""The opt-in customer pool recall (公海: claim expire, warnings, protections, cooling) and missed sales (漏单)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import query

FORM = ("--contact", "张伟", "--title", "采购经理", "--status", "跟进中")
POLICY = """
[pool]
enabled = true
no_visit_days = { A = 15, B = 30, C = 60, D = 90 }
warn_days_before = 5
cooling_days = 30
protect_stage_from = 3
protect_payment_within_days = 90
"""


def ok(result):
    assert result.exit_code == 0, result
    return result


def cid(url, name):
    return query(url, "select id from customer where name = :n", n=name)[0][0]


def owner(url, name):
    return query(url, "select s.handle from customer c left join staff s on s.id = c.owner_id where c.name = :n",
                 n=name)[0][0]


def counts(url):
    return {tbl: query(url, f"select count(*) from {tbl}")[0][0]
            for tbl in ("customer", "ownership_entry", "audit_entry", "missed_sale", "missed_sale_share")}


def report(cli, name, when, as_="rep_a1", phone="13800000000"):
    return ok(cli("claim", "add", name, "--need", "x", *FORM, "--phone", phone, as_=as_, now=when))


@pytest.fixture
def pool_on(tmp_path, monkeypatch):
    path = tmp_path / "policy.toml"
    path.write_text(POLICY, encoding="utf-8")
    monkeypatch.setenv("SALESCTL_POLICY", str(path))
    return path


@pytest.fixture
def idle(org, cli, db_url, pool_on):
    """Customers of rep_a1 (and one of rep_b1) at different stages of neglect; today is 2026-11-27."""
    report(cli, "久未拜访", "2026-08-01T10:00", phone="13800000001")         # D, idle 118 days → recall
    report(cli, "快到期", "2026-09-01T10:00", phone="13800000002")           # D, idle 87 days → warn
    report(cli, "常拜访", "2026-08-01T10:00", phone="13800000003")           # visited 2026-11-01 → nothing
    ok(cli("visit", "log", "常拜访", "--contact", "张伟", "--content", "回访", "--result", "良好",
           "--at", "2026-11-01T10:00", as_="rep_a1", now="2026-11-01T18:00"))
    report(cli, "谈判中", "2026-08-01T10:00", phone="13800000004")           # open deal at stage 3 → protected
    ok(cli("deal", "add", "谈判中", "--title", "采购", "--amount", "10000", "--stage", "3", as_="rep_a1",
           now="2026-08-02T10:00"))
    report(cli, "已回款", "2026-05-01T10:00", phone="13800000005")           # payment within 90 days → protected
    deal = ok(cli("deal", "add", "已回款", "--title", "采购", "--amount", "10000", as_="rep_a1",
                  now="2026-05-02T10:00")).stdout.strip()
    ok(cli("deal", "won", deal, as_="rep_a1", now="2026-05-03T10:00"))
    ok(cli("payment", "add", deal, "--amount", "5000", "--date", "2026-10-01", as_="rep_a1", now="2026-10-01T12:00"))
    report(cli, "重要客户", "2026-11-01T10:00", phone="13800000006")         # A (limit 15), idle 26 → recall
    ok(cli("customer", "regrade", "重要客户", "A", "--reason", "马上采购", as_="rep_a1", now="2026-11-01T11:00"))
    report(cli, "乙一客户", "2026-08-01T10:00", as_="rep_b1", phone="13800000007")  # another team's → recall
    return db_url


def test_expire_is_off_unless_the_policy_turns_it_on(org, cli, db_url):
    before = counts(db_url)
    result = cli("claim", "expire", as_="dir")
    assert result.exit_code == 2 and "[pool]" in result.stderr and "enabled" in result.stderr
    assert counts(db_url) == before


def test_dry_run_lists_recalls_and_warnings_and_writes_nothing(idle, cli, db_url):
    before = counts(db_url)
    result = ok(cli("claim", "expire", "--dry-run", "--format", "json", as_="mgr_a"))
    rows = {r["customer"]: r for r in result.json()}
    assert set(rows) == {"久未拜访", "快到期", "重要客户"}  # mgr_a's team only; protected and visited left out
    assert rows["久未拜访"]["action"] == "recall" and rows["久未拜访"]["days_idle"] == 118
    assert rows["久未拜访"]["limit_days"] == 90 and rows["久未拜访"]["owner"] == "rep_a1"
    assert rows["快到期"]["action"] == "warn" and rows["快到期"]["recall_on"] == "2026-11-30"
    assert rows["重要客户"]["action"] == "recall" and rows["重要客户"]["grade"] == "A"
    assert "would be recalled" in result.stderr
    assert counts(db_url) == before
    # anyone may preview their own; only managers and above recall
    mine = ok(cli("claim", "expire", "--dry-run", "--format", "json", as_="rep_b1")).json()
    assert [r["customer"] for r in mine] == ["乙一客户"]
    assert cli("claim", "expire", as_="rep_a1").exit_code == 3
    assert counts(db_url) == before


def test_expire_recalls_to_the_pool_with_ledger_entries(idle, cli, db_url):
    result = ok(cli("claim", "expire", "--format", "json", as_="mgr_a"))
    actions = {r["customer"]: r["action"] for r in result.json()}
    assert actions == {"久未拜访": "recall", "快到期": "warn", "重要客户": "recall"}
    assert "2 customers recalled" in result.stderr and "1 owners warned" in result.stderr
    assert owner(db_url, "久未拜访") is None and owner(db_url, "重要客户") is None
    for kept in ("快到期", "常拜访", "谈判中", "已回款"):
        assert owner(db_url, kept) == "rep_a1"
    assert owner(db_url, "乙一客户") == "rep_b1"  # not mgr_a's team
    entry = query(db_url, "select kind, from_owner_id, to_owner_id, note from ownership_entry "
                          "where customer_id = :i order by id desc limit 1", i=cid(db_url, "久未拜访"))[0]
    rep = query(db_url, "select id from staff where handle = 'rep_a1'")[0][0]
    assert entry[:3] == ("recall", rep, None) and "118" in entry[3]
    # running again the same day changes nothing more
    again = ok(cli("claim", "expire", "--format", "json", as_="mgr_a")).json()
    assert [r["action"] for r in again] == ["warn"]
    # the director's run covers every team
    ok(cli("claim", "expire", as_="dir"))
    assert owner(db_url, "乙一客户") is None


def test_a_former_owner_cannot_reclaim_during_the_cooling_period(idle, cli, db_url):
    ok(cli("claim", "expire", as_="mgr_a"))
    before = counts(db_url)
    refused = cli("claim", "add", "久未拜访", "--need", "我还想要", as_="rep_a1")
    assert refused.exit_code == 5 and "2026-12-27" in refused.stderr
    assert counts(db_url) == before
    # after the cooling period the former owner may claim it again; others at once
    later = ok(cli("claim", "add", "久未拜访", "--need", "重新跟进", "--format", "json", as_="rep_a1",
                   now="2026-12-27T09:00")).json()
    assert later["status"] == "granted"
    other = ok(cli("claim", "add", "重要客户", "--need", "我来跟进", "--format", "json", as_="rep_b1")).json()
    assert other["status"] == "granted"


def test_recall_warnings_for_visit_due(idle, cli, db_url):
    from sqlmodel import Session, select

    from salesctl import db
    from salesctl.models import Staff
    from salesctl.periods import Clock
    from salesctl.permissions import resolve_scope
    from salesctl.services.sales.pool import recall_warnings
    from salesctl.services.context import Ctx

    with Session(db.get_engine(db_url)) as sess:
        actor = sess.exec(select(Staff).where(Staff.handle == "rep_a1")).one()
        ctx = Ctx(session=sess, actor=actor, clock=Clock.system("2026-11-27T17:30:00+08:00"))
        rows = recall_warnings(ctx, resolve_scope(ctx))
        by_name = {r["customer"]: r for r in rows}
        assert set(by_name) == {"久未拜访", "快到期", "重要客户"}
        warn = by_name["快到期"]
        assert warn["kind"] == "recall" and warn["status"] == "upcoming" and str(warn["due"]) == "2026-11-30"
        assert warn["owner"] == "rep_a1" and "2026-11-30" in warn["next_step"]
        assert by_name["久未拜访"]["status"] == "overdue"
        assert set(warn) >= {"id", "kind", "status", "due", "days_overdue", "customer_id", "customer", "grade",
                             "owner", "visit_id", "last_contact_at", "next_step"}
        assert recall_warnings(ctx, None) and len(recall_warnings(ctx, None)) == 4


def test_recall_warnings_are_empty_when_the_pool_is_off(org, cli, db_url):
    from sqlmodel import Session

    from salesctl import db
    from salesctl.periods import Clock
    from salesctl.services.sales.pool import recall_warnings
    from salesctl.services.context import Ctx

    report(cli, "久未拜访", "2026-01-01T10:00")
    with Session(db.get_engine(db_url)) as sess:
        ctx = Ctx(session=sess, actor=None, clock=Clock.system("2026-11-27"))
        assert recall_warnings(ctx, None) == []


# --------------------------------------------------------------------------- missed sales
@pytest.fixture
def three_east_retail(org, cli):
    """East Retail reps: rep_a1, plus rep_a3 and rep_any ('*') under mgr_a; rep_a2 sells Health."""
    for handle, industry in (("rep_a3", "Retail"), ("rep_any", "*")):
        ok(cli("staff", "add", handle, "--name", handle, "--role", "rep", "--manager", "mgr_a", "--region", "East",
               "--industry", industry, as_="boss"))


def test_missed_sale_is_split_equally_to_the_cent(three_east_retail, cli, db_url):
    result = ok(cli("claim", "missed", "某连锁超市", "--region", "East", "--industry", "Retail", "--amount", "100",
                    "--note", "被竞品拿下，档案中无此客户", "--date", "2026-11-20", "--format", "json", as_="mgr_a"))
    obj = result.json()
    assert obj["amount"] == "100.00" and obj["occurred_on"] == "2026-11-20" and obj["recorded_by"] == "mgr_a"
    # remainder cents go to the first reps in handle order
    assert obj["shares"] == [{"handle": "rep_a1", "amount": "33.34"}, {"handle": "rep_a3", "amount": "33.33"},
                             {"handle": "rep_any", "amount": "33.33"}]
    stored = query(db_url, "select s.handle, m.amount from missed_sale_share m join staff s on s.id = m.staff_id "
                           "order by m.id")
    assert [(h, int(a)) for h, a in stored] == [("rep_a1", 3334), ("rep_a3", 3333), ("rep_any", 3333)]
    total = query(db_url, "select sum(amount) from missed_sale_share")[0][0]
    assert int(total) == query(db_url, "select amount from missed_sale")[0][0] == 10000
    assert query(db_url, "select name, region, industry, note from missed_sale") == [
        ("某连锁超市", "East", "Retail", "被竞品拿下，档案中无此客户")]
    assert query(db_url, "select count(*) from customer") == [(0,)]  # not an archive entry
    assert query(db_url, "select count(*) from audit_entry where action = 'claim.missed'") == [(1,)]
    listed = ok(cli("claim", "missed", "--list", "--format", "json", as_="rep_a3")).json()
    assert [r["name"] for r in listed] == ["某连锁超市"] and "rep_a3 33.33" in listed[0]["shares"]
    assert ok(cli("claim", "missed", "--list", "--format", "json", as_="rep_b1")).json() == []


def test_split_amount_sums_exactly():
    from salesctl.services.sales.missed import split_amount

    for amount, n in ((Decimal("0.05"), 3), (Decimal("1000.00"), 7), (Decimal("12345.67"), 4)):
        parts = split_amount(amount, n)
        assert sum(parts) == amount and max(parts) - min(parts) <= Decimal("0.01")
        assert parts == sorted(parts, reverse=True)


@pytest.mark.parametrize("args, as_, code, text", [
    (("某超市", "--region", "East", "--industry", "Retail", "--amount", "100", "--note", "x"), "rep_a1", 3, "missed"),
    (("某超市", "--region", "North", "--industry", "Retail", "--amount", "100", "--note", "x"), "mgr_a", 3, "rep_b1"),
    (("某超市", "--region", "East", "--industry", "Retail", "--amount", "100"), "mgr_a", 2, "--note"),
    (("某超市", "--region", "East", "--industry", "Retail", "--amount", "0", "--note", "x"), "mgr_a", 2, "--amount"),
    (("某超市", "--region", "East", "--industry", "Retail", "--amount", "1.234", "--note", "x"), "mgr_a", 2, "--amount"),
    (("某超市", "--region", "West", "--industry", "Retail", "--amount", "100", "--note", "x"), "mgr_a", 2, "--region"),
    (("某超市", "--region", "East", "--industry", "Retail", "--amount", "100", "--note", "x", "--date", "2027-01-01"),
     "mgr_a", 2, "--date"),
])
def test_missed_sale_refusals_write_nothing(org, cli, db_url, args, as_, code, text):
    before = counts(db_url)
    result = cli("claim", "missed", *args, as_=as_)
    assert result.exit_code == code, result
    assert text in result.stderr and len(result.stderr.strip().splitlines()) <= 2
    assert counts(db_url) == before


def test_a_customer_in_the_archive_is_not_a_missed_sale(org, cli, db_url):
    report(cli, "某连锁超市有限公司", "2026-11-01T10:00")
    before = counts(db_url)
    result = cli("claim", "missed", "某连锁超市", "--region", "East", "--industry", "Retail", "--amount", "100",
                 "--note", "x", as_="dir")
    assert result.exit_code == 5 and "rep_a1" in result.stderr
    assert counts(db_url) == before


def test_the_director_records_across_teams(org, cli, db_url):
    obj = ok(cli("claim", "missed", "北方超市", "--region", "north", "--industry", "retail", "--amount", "500",
                 "--note", "x", "--format", "json", as_="dir")).json()
    assert obj["shares"] == [{"handle": "rep_b1", "amount": "500.00"}]


def test_the_penalty_reaches_the_year_end_commission_statement(three_east_retail, cli, db_url):
    ok(cli("claim", "missed", "某连锁超市", "--region", "East", "--industry", "Retail", "--amount", "100",
           "--note", "x", "--date", "2026-11-20", as_="mgr_a"))
    november = ok(cli("commission", "statement", "rep_a1", "--month", "2026-11", "--format", "json", as_="mgr_a",
                      now="2026-12-31T12:00")).json()
    assert not any(line["kind"] == "penalty" for line in november["lines"])
    december = ok(cli("commission", "statement", "rep_a1", "--month", "2026-12", "--format", "json", as_="mgr_a",
                      now="2026-12-31T12:00")).json()
    penalties = [line for line in december["lines"] if line["kind"] == "penalty"]
    assert [line["amount"] for line in penalties] == ["-33.34"]


def test_visit_due_shows_the_recall_warning_to_the_owner(idle, cli):
    result = cli("visit", "due", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    recalls = {r["customer"]: r for r in result.json() if r["kind"] == "recall"}
    assert set(recalls) == {"久未拜访", "快到期", "重要客户"}
    assert recalls["快到期"]["status"] == "upcoming" and recalls["快到期"]["due"] == "2026-11-30"
    # an overdue recall makes the cron check fail
    assert cli("visit", "due", "--check", as_="rep_a1").exit_code == 1


def test_visit_due_has_no_recall_rows_when_the_pool_is_off(org, cli):
    rows = cli("visit", "due", "--format", "json", as_="rep_a1").json()
    assert [r for r in rows if r["kind"] == "recall"] == []
