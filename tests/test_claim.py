"""Claims (报备) through the real CLI: first reporter priority, the industry rule, pending requests,
manager decisions, releases, the claim list, and the ledger that cannot be edited."""

from __future__ import annotations

import pytest

from conftest import query

FORM = ("--contact", "张伟", "--title", "采购经理", "--status", "跟进中")


def claim_new(cli, name, *extra, phone="13812345678", as_="rep_a1", need="年内采购收银系统", **kw):
    return cli("claim", "add", name, "--need", need, *FORM, "--phone", phone, *extra, as_=as_, **kw)


def claim(cli, ref, *extra, as_="rep_b1", need="我更了解客户需求", **kw):
    return cli("claim", "add", str(ref), "--need", need, *extra, as_=as_, **kw)


def ok(result):
    assert result.exit_code == 0, result
    return result


def staff_id(url, handle):
    return query(url, "select id from staff where handle = :h", h=handle)[0][0]


def customer_id(url, name):
    return query(url, "select id from customer where name = :n", n=name)[0][0]


def owner_of(url, cid):
    rows = query(url, "select s.handle from customer c left join staff s on s.id = c.owner_id where c.id = :i", i=cid)
    return rows[0][0]


def ledger(url, cid):
    return query(url, "select e.kind, s.handle from ownership_entry e left join staff s on s.id = e.staff_id "
                      "where e.customer_id = :i order by e.id", i=cid)


def counts(url):
    return {tbl: query(url, f"select count(*) from {tbl}")[0][0]
            for tbl in ("customer", "contact", "ownership_entry", "audit_entry", "lead")}


@pytest.fixture
def owned(org, cli, db_url):
    """华为 reported by rep_a1 (East, Retail): granted at once."""
    ok(claim_new(cli, "华为技术有限公司"))
    return customer_id(db_url, "华为技术有限公司")


@pytest.fixture
def pooled(org, cli, db_url):
    """A Retail customer in the pool (reported by rep_a1, then released)."""
    ok(claim_new(cli, "京东商城", phone="13900000000"))
    ok(cli("claim", "release", "京东商城", as_="rep_a1"))
    cid = customer_id(db_url, "京东商城")
    assert owner_of(db_url, cid) is None
    return cid


# --------------------------------------------------------------------------- claim add
def test_new_customer_is_granted_and_its_reporter_listed_first(org, cli, db_url):
    result = ok(claim_new(cli, "华为技术有限公司", "--format", "json"))
    obj = result.json()
    assert set(obj) >= {"id", "customer", "status", "holder", "first_reported_at"}
    assert obj["status"] == "granted" and obj["holder"] == "rep_a1" and obj["customer"] == "华为技术有限公司"
    assert obj["first_reported_at"] == "2026-11-27T17:30:00+08:00"
    cid = customer_id(db_url, "华为技术有限公司")
    assert owner_of(db_url, cid) == "rep_a1"
    assert ledger(db_url, cid) == [("report", "rep_a1"), ("grant", "rep_a1")]
    grant = query(db_url, "select id, need, to_owner_id from ownership_entry where kind = 'grant'")[0]
    assert grant == (obj["id"], "年内采购收银系统", staff_id(db_url, "rep_a1"))
    # the same duplicate detection and the same form as customer add: contact stored
    assert query(db_url, "select name, phone from contact where customer_id = :i", i=cid) == [("张伟", "13812345678")]
    # later reporters are listed after the first one in customer show
    ok(claim(cli, cid, as_="rep_b1", now="2026-11-27T17:31"))
    show = ok(cli("customer", "show", str(cid), "--format", "json", as_="dir")).json()
    handles = [c["handle"] for c in show["claims"]]
    assert handles[0] == "rep_a1" and handles[-1] == "rep_b1"
    assert [c["kind"] for c in show["claims"]] == ["report", "grant", "request"]


def test_table_output_prints_the_claim_id(org, cli, db_url):
    result = ok(claim_new(cli, "华为技术有限公司"))
    grant_id = query(db_url, "select id from ownership_entry where kind = 'grant'")[0][0]
    assert result.stdout.strip() == str(grant_id)
    assert "granted" in result.stderr


def test_same_rep_twice_is_unchanged(owned, cli, db_url):
    before = counts(db_url)
    result = ok(claim(cli, "华为技术有限公司", as_="rep_a1", need="又一次", now="2026-11-27T17:40"))
    obj = ok(claim(cli, "华为", "--format", "json", as_="rep_a1")).json()
    assert obj["status"] == "unchanged" and obj["holder"] == "rep_a1"
    assert "nothing changed" in result.stderr
    assert counts(db_url) == before


def test_owned_by_another_rep_is_a_pending_request_naming_owner_and_first_report_only(owned, cli, db_url):
    result = ok(claim(cli, "华为技术", "--format", "json", as_="rep_b1", now="2026-11-28T09:00"))
    obj = result.json()
    assert obj["status"] == "pending" and obj["holder"] == "rep_a1" and obj["customer_id"] == owned
    assert obj["first_reported_at"] == "2026-11-27T17:30:00+08:00"
    assert set(obj) == {"id", "customer", "customer_id", "status", "holder", "first_reported_at"}
    assert "rep_a1" in result.stderr and "2026-11-27 17:30" in result.stderr
    for secret in ("张伟", "13812345678", "采购经理"):
        assert secret not in result.stdout + result.stderr
    assert owner_of(db_url, owned) == "rep_a1"
    request = query(db_url, "select kind, need, from_owner_id, to_owner_id from ownership_entry where id = :i",
                    i=obj["id"])
    assert request == [("request", "我更了解客户需求", staff_id(db_url, "rep_a1"), None)]
    # asking again while pending changes nothing
    before = counts(db_url)
    again = ok(claim(cli, "华为技术", "--format", "json", as_="rep_b1", now="2026-11-28T09:05")).json()
    assert again["status"] == "unchanged" and again["id"] == obj["id"]
    assert counts(db_url) == before


def test_claim_by_phone_finds_the_existing_customer(owned, cli, db_url):
    result = ok(claim_new(cli, "另一个名字", "--format", "json", phone="138-1234-5678", as_="rep_b1"))
    assert result.json()["status"] == "pending" and result.json()["customer_id"] == owned
    assert counts(db_url)["customer"] == 1


def test_outside_the_industry_is_pending_even_when_unowned(pooled, cli, db_url):
    obj = ok(claim(cli, pooled, "--format", "json", as_="rep_a2")).json()  # rep_a2 sells Health
    assert obj["status"] == "pending" and obj["holder"] is None
    assert owner_of(db_url, pooled) is None
    # a new customer outside the rep's industry goes into the pool with a pending request
    new = ok(claim_new(cli, "某零售店", "--industry", "Retail", "--format", "json", phone="13700000000", as_="rep_a2"))
    assert new.json()["status"] == "pending"
    cid = new.json()["customer_id"]
    assert owner_of(db_url, cid) is None
    assert ledger(db_url, cid) == [("report", "rep_a2"), ("request", "rep_a2")]
    assert "outside your industry" in new.stderr


def test_unowned_customer_in_the_industry_is_granted(pooled, cli, db_url):
    obj = ok(claim(cli, pooled, "--format", "json", as_="rep_b1")).json()
    assert obj["status"] == "granted" and obj["holder"] == "rep_b1"
    assert owner_of(db_url, pooled) == "rep_b1"


def test_two_reps_in_the_same_second_one_wins_in_ledger_order(pooled, cli, db_url):
    first = ok(claim(cli, pooled, "--format", "json", as_="rep_b1", need="先到")).json()
    second = ok(claim(cli, pooled, "--format", "json", as_="rep_a1", need="后到")).json()
    assert (first["status"], second["status"]) == ("granted", "pending")
    assert second["holder"] == "rep_b1" and first["id"] < second["id"]
    assert owner_of(db_url, pooled) == "rep_b1"
    entries = query(db_url, "select kind, need, at from ownership_entry where customer_id = :i and id >= :f order by id",
                    i=pooled, f=first["id"])
    assert [(k, n) for k, n, _ in entries] == [("grant", "先到"), ("request", "后到")]
    assert entries[0][2] == entries[1][2]  # the same second: the entry id decides


@pytest.mark.parametrize("args, flag, code", [
    (("claim", "add", "华为"), "--need", 2),
    (("claim", "add", "新公司", "--need", "x", "--contact", "张"), "--title, --phone, --status", 2),
    (("claim", "add", "999", "--need", "x"), "999", 4),
])
def test_refusals_name_the_flag_and_write_nothing(org, cli, db_url, args, flag, code):
    before = counts(db_url)
    result = cli(*args, as_="rep_a1")
    assert result.exit_code == code, result
    assert flag in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert counts(db_url) == before


def test_assistants_and_the_pool_rules(pooled, cli, db_url):
    before = counts(db_url)
    result = claim(cli, pooled, as_="asst_b")
    assert result.exit_code == 3 and "lead add" in result.stderr
    assert counts(db_url) == before


# --------------------------------------------------------------------------- approve / reject
@pytest.fixture
def contested(owned, cli, db_url):
    """rep_b1 (North, under rm_b → mgr_b) asks for rep_a1's customer."""
    obj = ok(claim(cli, owned, "--format", "json", as_="rep_b1", now="2026-11-28T09:00")).json()
    return obj["id"]


def test_approve_cross_industry_claim_needs_a_note_and_moves_ownership(pooled, cli, db_url):
    request = ok(claim(cli, pooled, "--format", "json", as_="rep_a2")).json()["id"]
    before = counts(db_url)
    missing = cli("claim", "approve", str(request), as_="mgr_a")
    assert missing.exit_code == 2 and "--note" in missing.stderr
    assert counts(db_url) == before
    row = ok(cli("claim", "approve", str(request), "--note", "医疗行业项目，王经理批准", "--format", "json",
                 as_="mgr_a", now="2026-11-27T18:00")).json()
    assert row["status"] == "approved" and row["holder"] == "rep_a2" and row["decided_by"] == "mgr_a"
    assert row["decision_note"] == "医疗行业项目，王经理批准" and row["owner_had_info"] is None
    assert owner_of(db_url, pooled) == "rep_a2"
    approve = query(db_url, "select kind, ref_id, note, by_id from ownership_entry order by id desc limit 1")[0]
    assert approve == ("approve", request, "医疗行业项目，王经理批准", staff_id(db_url, "mgr_a"))


def test_contested_claim_records_whether_the_owner_had_the_information(contested, owned, cli, db_url):
    before = counts(db_url)
    # mgr_a manages the owner, not the requester; rm_b manages the requester, not the owner
    assert cli("claim", "approve", str(contested), "--note", "x", "--owner-had-info", "no", as_="mgr_a").exit_code == 3
    refused = cli("claim", "approve", str(contested), "--note", "x", "--owner-had-info", "no", as_="rm_b")
    assert refused.exit_code == 3 and "rep_a1" in refused.stderr
    assert cli("claim", "approve", str(contested), as_="rep_a1").exit_code == 3
    no_info = cli("claim", "approve", str(contested), "--note", "王芳更了解需求", as_="dir")
    assert no_info.exit_code == 2 and "--owner-had-info" in no_info.stderr
    bad = cli("claim", "approve", str(contested), "--note", "x", "--owner-had-info", "maybe", as_="dir")
    assert bad.exit_code == 2 and "yes, no" in bad.stderr
    assert counts(db_url) == before
    row = ok(cli("claim", "approve", str(contested), "--note", "乙一更了解需求", "--owner-had-info", "no",
                 "--format", "json", as_="dir")).json()
    assert row["status"] == "approved" and row["holder"] == "rep_b1" and row["owner_had_info"] is False
    assert owner_of(db_url, owned) == "rep_b1"
    last = query(db_url, "select kind, from_owner_id, to_owner_id, had_info_in_time, note from ownership_entry "
                         "order by id desc limit 1")[0]
    assert last[:3] == ("approve", staff_id(db_url, "rep_a1"), staff_id(db_url, "rep_b1"))
    assert not last[3] and last[4] == "乙一更了解需求"
    # history keeps the previous owner
    history = ok(cli("customer", "history", str(owned), "--format", "json", as_="dir")).json()
    assert any(e["from"] == "rep_a1" and e["to"] == "rep_b1" for e in history)
    # deciding twice is a conflict
    again = cli("claim", "reject", str(contested), "--reason", "x", as_="dir")
    assert again.exit_code == 5 and "already approved" in again.stderr


def test_reject_keeps_the_owner_and_needs_a_reason(contested, owned, cli, db_url):
    before = counts(db_url)
    missing = cli("claim", "reject", str(contested), as_="dir")
    assert missing.exit_code == 2 and "--reason" in missing.stderr
    assert counts(db_url) == before
    row = ok(cli("claim", "reject", str(contested), "--reason", "甲一已及时掌握信息", "--format", "json", as_="dir")).json()
    assert row["status"] == "rejected" and row["holder"] == "rep_a1" and row["decision_note"] == "甲一已及时掌握信息"
    assert owner_of(db_url, owned) == "rep_a1"
    assert query(db_url, "select kind, ref_id from ownership_entry order by id desc limit 1") == [("reject", contested)]
    # a rejected rep may ask again later: a new request
    again = ok(claim(cli, owned, "--format", "json", as_="rep_b1", now="2026-11-29T10:00")).json()
    assert again["status"] == "pending" and again["id"] != contested


def test_decisions_on_what_is_not_a_pending_claim(owned, cli, db_url):
    grant = query(db_url, "select id from ownership_entry where kind = 'grant'")[0][0]
    report = query(db_url, "select id from ownership_entry where kind = 'report'")[0][0]
    granted = cli("claim", "approve", str(grant), as_="mgr_a")
    assert granted.exit_code == 5 and "granted at once" in granted.stderr
    assert cli("claim", "approve", str(report), as_="mgr_a").exit_code == 4  # a pool report is not a claim
    assert cli("claim", "approve", "999", as_="mgr_a").exit_code == 4


def test_regional_manager_approves_their_rep_on_an_unowned_customer(pooled, cli, db_url):
    request = ok(claim(cli, pooled, "--format", "json", as_="rep_a2")).json()["id"]
    assert cli("claim", "approve", str(request), "--note", "x", as_="rm_b").exit_code == 3  # not rep_a2's manager
    wanted = ok(claim(cli, "京东商城", "--format", "json", as_="rep_b1")).json()  # in industry: granted
    assert wanted["status"] == "granted"


# --------------------------------------------------------------------------- claim list
def test_claim_list_scopes_and_statuses(contested, owned, pooled, cli, db_url):
    cross = ok(claim(cli, pooled, "--format", "json", as_="rep_a2")).json()["id"]
    rows = ok(cli("claim", "list", "--format", "json", as_="dir")).json()
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert set(rows[0]) >= {"id", "customer", "customer_id", "handle", "status", "holder", "need", "at",
                            "decided_by", "decided_at"}
    statuses = {r["id"]: r["status"] for r in rows}
    assert statuses[contested] == "pending" and statuses[cross] == "pending"
    pending = ok(cli("claim", "list", "--pending", "--format", "json", as_="dir")).json()
    assert {r["id"] for r in pending} == {contested, cross}
    assert {r["id"]: r["why_pending"] for r in pending} == {contested: "owned", cross: "industry"}
    # a manager sees their team's claims; a rep their own
    team_a = ok(cli("claim", "list", "--pending", "--team", "--format", "json", as_="mgr_a")).json()
    assert [r["handle"] for r in team_a] == ["rep_a2"]
    mine = ok(cli("claim", "list", "--format", "json", as_="rep_b1")).json()
    assert {r["handle"] for r in mine} == {"rep_b1"}
    assert cli("claim", "list", "--rep", "rep_a1", as_="rep_b1").exit_code == 3
    bad = cli("claim", "list", "--status", "done", as_="dir")
    assert bad.exit_code == 2 and "granted, pending, approved, rejected" in bad.stderr
    granted = ok(cli("claim", "list", "--status", "granted", "--customer", str(owned), "--format", "json",
                     as_="dir")).json()
    assert [(r["handle"], r["status"]) for r in granted] == [("rep_a1", "granted")]
    csv = ok(cli("claim", "list", "--format", "csv", as_="dir")).stdout.splitlines()
    assert csv[0].startswith("id,customer,customer_id,handle,status")


# --------------------------------------------------------------------------- release
def test_release_returns_the_customer_to_the_pool(owned, cli, db_url):
    before = counts(db_url)
    assert cli("claim", "release", str(owned), as_="rep_b1").exit_code == 3
    assert cli("claim", "release", str(owned), as_="mgr_b").exit_code == 3
    assert counts(db_url) == before
    result = ok(cli("claim", "release", str(owned), "--reason", "客户转向其他供应商", "--format", "json", as_="rep_a1"))
    obj = result.json()
    assert obj["status"] == "released" and obj["previous_owner"] == "rep_a1" and obj["holder"] is None
    assert owner_of(db_url, owned) is None
    assert query(db_url, "select kind, from_owner_id, to_owner_id, note from ownership_entry order by id desc limit 1") == [
        ("release", staff_id(db_url, "rep_a1"), None, "客户转向其他供应商")]
    again = cli("claim", "release", str(owned), as_="mgr_a")
    assert again.exit_code == 5 and "pool" in again.stderr


def test_manager_may_release_a_team_customer(owned, cli, db_url):
    ok(cli("claim", "release", str(owned), as_="mgr_a"))
    assert owner_of(db_url, owned) is None


# --------------------------------------------------------------------------- the ledger is append-only
def test_the_cli_has_no_command_that_edits_the_ledger():
    import typer
    from typer._click import Context

    from salesctl.cli import app

    root = typer.main.get_command(app)
    ctx = Context(root)

    def subcommands(name):
        group = root.get_command(ctx, name)
        return set(group.list_commands(Context(group)))

    assert subcommands("claim") == {"add", "list", "approve", "reject", "release", "expire", "missed"}
    assert subcommands("lead") == {"add", "list", "assign"}


def test_every_claim_write_is_audited(contested, cli, db_url):
    ok(cli("claim", "approve", str(contested), "--note", "x", "--owner-had-info", "yes", as_="dir"))
    actions = [a for (a,) in query(db_url, "select action from audit_entry order by id")]
    assert "ownership.grant" in actions and "ownership.request" in actions and "ownership.approve" in actions


def test_the_account_moves_with_a_pool_customer_even_from_a_team_the_new_owner_cannot_see(org, cli, db_url):
    """rep_a1's open deal stays on a customer rep_a1 released; rep_b1 (another team) claims it: the deal goes
    with the customer, on SQLite and on the team server with everyone on their own login (a narrow
    SECURITY DEFINER function there, since rep_b1 cannot see rep_a1's deal)."""
    from conftest import ORG_HANDLES, TEST_DB, enable_logins

    if TEST_DB.startswith("postgresql") and not cli.logins:
        cli.logins = enable_logins(cli, db_url, ORG_HANDLES, "boss")
    ok(claim_new(cli, "京东商城", phone="13900000000"))
    ok(cli("deal", "add", "京东商城", "--title", "年度采购", "--amount", "120000", as_="rep_a1"))
    ok(cli("claim", "release", "京东商城", as_="rep_a1"))
    claimed = ok(cli("claim", "add", "京东商城", "--need", "扩建门店", "--format", "json", as_="rep_b1")).json()
    assert claimed["status"] == "granted", claimed
    cid = customer_id(db_url, "京东商城")
    assert owner_of(db_url, cid) == "rep_b1"
    deals = ok(cli("deal", "list", "--format", "json", as_="rep_b1")).json()
    assert [(d["title"], d["owner"]) for d in deals] == [("年度采购", "rep_b1")]
    assert ok(cli("deal", "list", "--format", "json", as_="rep_a1")).json() == []
    assert query(db_url, "select s1.handle, s2.handle, s3.handle from deal_owner_change c join staff s1 on s1.id = c.from_owner_id "
                         "join staff s2 on s2.id = c.to_owner_id join staff s3 on s3.id = c.by_id") == [("rep_a1", "rep_b1", "rep_b1")]
    audited = query(db_url, "select entity_id from audit_entry where action = 'deal.owner'")
    assert len(audited) == 1
