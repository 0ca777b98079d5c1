"""The customer archive through the real CLI: add (validation, duplicates, industry, owners), list, show, edit,
contacts, profiles, permissions, and what is stored and audited."""

from __future__ import annotations

import json

import pytest

from conftest import query

REQUIRED = ("--contact", "张伟", "--title", "采购经理", "--status", "跟进中")


def add(cli, name, *extra, phone="13812345678", as_="rep_a1", **kw):
    return cli("customer", "add", name, *REQUIRED, "--phone", phone, *extra, as_=as_, **kw)


def added_id(result) -> int:
    assert result.exit_code == 0, result
    return int(result.stdout.strip())


def count(url, table="customer"):
    return query(url, f"select count(*) from {table}")[0][0]


def counts(url):
    return {t: count(url, t) for t in ("customer", "contact", "ownership_entry", "grade_change", "audit_entry")}


# --------------------------------------------------------------------------- add
def test_add_stores_the_form_ledger_grade_and_audit(org, cli, db_url):
    result = cli("customer", "add", "华为技术有限公司", "--contact", "张伟", "--title", "采购经理",
                 "--phone", "+86 138-1234-5678", "--status", "跟进中", "--address", "深圳市龙岗区",
                 "--website", "www.huawei.com", "--email", "Buy@Huawei.com", "--expected-purchase", "2026-12-20",
                 as_="rep_a1")
    cid = added_id(result)
    assert "Added customer" in result.stderr
    row = query(db_url, "select name, status, grade, industry, region, website, email, phone_norm, incomplete, "
                        "expected_purchase from customer where id = :i", i=cid)[0]
    assert row[:8] == ("华为技术有限公司", "following", "A", "Retail", "East", "https://www.huawei.com",
                       "buy@huawei.com", "13812345678")
    assert not row[8]
    assert str(row[9]) == "2026-12-20"
    contact = query(db_url, "select name, title, phone, is_primary from contact where customer_id = :i", i=cid)
    assert contact == [("张伟", "采购经理", "13812345678", True)] or contact == [("张伟", "采购经理", "13812345678", 1)]
    rep = query(db_url, "select id from staff where handle = 'rep_a1'")[0][0]
    assert query(db_url, "select owner_id, reported_by_id from customer where id = :i", i=cid) == [(rep, rep)]
    ledger = query(db_url, "select kind, staff_id, from_owner_id, to_owner_id, by_id from ownership_entry "
                           "where customer_id = :i", i=cid)
    assert ledger == [("report", rep, None, rep, rep)]
    grades = query(db_url, "select from_grade, to_grade, source, rule from grade_change where customer_id = :i", i=cid)
    from salesctl.messages import render_stored

    # the rule is stored as its key and numbers (shown in the reader's language)
    assert grades[0][:3] == (None, "A", "create") and '"msg":"grade_rule.a"' in grades[0][3]
    assert "→ A" in render_stored(grades[0][3])
    actions = [a for (a,) in query(db_url, "select action from audit_entry where entity_id = :i and "
                                           "entity = 'customer' order by id", i=cid)]
    assert "customer.add" in actions and "ownership.report" in actions and "customer.grade" in actions


def test_add_json_prints_the_record_and_reported_fields(org, cli):
    result = add(cli, "京东商城", "--grade", "b", "--format", "json")
    assert result.exit_code == 0, result
    obj = result.json()
    assert obj["grade"] == "B" and obj["owner"] == "rep_a1" and obj["reported_by"] == "rep_a1"
    assert obj["status"] == "following" and obj["phone"] == "13812345678" and obj["contact"] == "张伟"
    assert obj["reported_at"].startswith("2026-11-27T17:30:00+08:00")


def test_missing_required_fields_without_a_terminal_exit_2_naming_every_flag(org, cli, db_url):
    before = counts(db_url)
    result = cli("customer", "add", "某公司", "--contact", "张伟", as_="rep_a1")
    assert result.exit_code == 2
    assert "--title, --phone, --status" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert counts(db_url) == before


@pytest.mark.parametrize("args, flag", [
    (("--phone", "12345"), "--phone"),
    (("--phone", "call me"), "--phone"),
    (("--status", "hot"), "--status"),
    (("--grade", "E"), "--grade"),
    (("--email", "not-an-email"), "--email"),
    (("--website", "http://"), "--website"),
    (("--expected-purchase", "next spring"), "--expected-purchase"),
])
def test_invalid_values_exit_2_name_the_flag_and_write_nothing(org, cli, db_url, args, flag):
    before = counts(db_url)
    base = {"--contact": "张伟", "--title": "经理", "--phone": "13812345678", "--status": "following"}
    base.update(dict([args]))
    argv = [x for kv in base.items() for x in kv]
    result = cli("customer", "add", "某公司", *argv, as_="rep_a1")
    assert result.exit_code == 2, result
    assert flag in result.stderr
    assert counts(db_url) == before


def test_status_accepts_both_languages_and_lists_the_accepted_values(org, cli, db_url):
    for i, word in enumerate(("已成交", "paused", "流失", "Following")):
        result = cli("customer", "add", f"客户{i}", "--contact", "A", "--title", "B", "--phone", f"1381234560{i}",
                     "--status", word, as_="rep_a1")
        added_id(result)
    assert [s for (s,) in query(db_url, "select status from customer order by id")] == ["won", "paused", "lost", "following"]
    bad = cli("customer", "add", "X", "--contact", "A", "--title", "B", "--phone", "13800000000", "--status", "active",
              as_="rep_a1")
    assert bad.exit_code == 2 and "跟进中/following, 已成交/won, 暂停/paused, 流失/lost" in bad.stderr


def test_phone_forms_are_normalised(org, cli, db_url):
    cases = {"(010) 1234 5678": "010-12345678", "+44 20 7946 0958": "+442079460958", "0086 139 1234 5678": "13912345678"}
    for i, (typed, stored) in enumerate(cases.items()):
        cid = added_id(add(cli, f"公司{i}", phone=typed))
        assert query(db_url, "select phone from contact where customer_id = :i", i=cid) == [(stored,)]


@pytest.mark.parametrize("variant", ["华为技术", "华为技术股份有限公司", "  华为技术 有限公司 ", "ＨＵＡＷＥＩ Co., Ltd."])
def test_duplicate_by_name_variant_exits_5_and_writes_nothing(org, cli, db_url, variant):
    added_id(add(cli, "华为技术有限公司"))
    added_id(add(cli, "Huawei", phone="13900000000"))
    before = counts(db_url)
    result = add(cli, variant, phone="13700000000", as_="rep_b1")
    assert result.exit_code == 5, result
    assert "owned by rep_a1" in result.stderr and "first reported 2026-11-27 17:30" in result.stderr
    assert "张伟" not in result.stderr and "1381234" not in result.stderr  # no contacts or other fields
    assert result.stdout == ""
    assert counts(db_url) == before


def test_duplicate_by_phone_exits_5(org, cli, db_url):
    added_id(add(cli, "华为技术有限公司", phone="13812345678"))
    before = counts(db_url)
    result = add(cli, "完全不同的公司", phone="+86 138 1234 5678", as_="rep_b1")
    assert result.exit_code == 5
    assert "华为技术有限公司" in result.stderr and "rep_a1" in result.stderr and "phone" in result.stderr
    assert counts(db_url) == before
    # the phone of a second (non-primary) contact counts too
    cid = query(db_url, "select id from customer")[0][0]
    assert cli("customer", "contact", "add", str(cid), "--name", "李娜", "--phone", "010-88886666", as_="rep_a1").exit_code == 0
    assert add(cli, "又一家公司", phone="01088886666", as_="rep_b1").exit_code == 5


def test_force_claim_records_a_request_and_exits_0(org, cli, db_url):
    cid = added_id(add(cli, "华为技术有限公司"))
    before = counts(db_url)
    result = add(cli, "华为技术", "--force-claim", "--need", "客户明年扩建门店", "--format", "json", phone="13700000000",
                 as_="rep_b1")
    assert result.exit_code == 0, result
    obj = result.json()
    assert obj["status"] == "pending" and obj["holder"] == "rep_a1" and obj["customer"] == "华为技术有限公司"
    assert "claim request" in result.stderr.lower()
    rep_b1 = query(db_url, "select id from staff where handle = 'rep_b1'")[0][0]
    rep_a1 = query(db_url, "select id from staff where handle = 'rep_a1'")[0][0]
    entries = query(db_url, "select kind, staff_id, need, from_owner_id from ownership_entry where customer_id = :i "
                            "order by id", i=cid)
    assert entries[-1] == ("request", rep_b1, "客户明年扩建门店", rep_a1)
    after = counts(db_url)
    assert after["customer"] == before["customer"] and after["contact"] == before["contact"]
    assert after["ownership_entry"] == before["ownership_entry"] + 1
    assert query(db_url, "select owner_id from customer where id = :i", i=cid) == [(rep_a1,)]
    # the owner claiming their own customer is a conflict
    assert add(cli, "华为技术", "--force-claim", "--need", "x", phone="13700000001", as_="rep_a1").exit_code == 5


def test_cross_industry_is_refused_with_a_claim_hint(org, cli, db_url):
    before = counts(db_url)
    result = add(cli, "协和医院", "--industry", "Health", phone="13700000000", as_="rep_a1")
    assert result.exit_code == 5
    assert "--industry" in result.stderr and "claim add" in result.stderr
    assert counts(db_url) == before
    # the same industry in another spelling is fine; a rep with industry '*' may sell anywhere
    added_id(add(cli, "华联超市", "--industry", "retail", phone="13700000001", as_="rep_a1"))
    assert cli("staff", "add", "rep_any", "--name", "通才", "--role", "rep", "--manager", "mgr_a", "--region", "East",
               "--industry", "*", as_="boss").exit_code == 0
    cid = added_id(add(cli, "协和医院", "--industry", "Health", phone="13700000002", as_="rep_any"))
    assert query(db_url, "select industry from customer where id = :i", i=cid) == [("Health",)]


def test_industry_and_region_default_to_the_owners(org, cli, db_url):
    cid = added_id(add(cli, "北方超市", as_="rep_b1"))
    assert query(db_url, "select industry, region from customer where id = :i", i=cid) == [("Retail", "North")]
    cid = added_id(add(cli, "南方超市", "--region", "South", phone="13800000001", as_="rep_b1"))
    assert query(db_url, "select region from customer where id = :i", i=cid) == [("South",)]


def test_assistant_must_name_an_owner_in_the_managers_team(org, cli, db_url):
    before = counts(db_url)
    missing = add(cli, "助理录入", as_="asst_b")
    assert missing.exit_code == 2 and "--owner" in missing.stderr
    outside = add(cli, "助理录入", "--owner", "rep_a1", phone="13800000000", as_="asst_b")
    assert outside.exit_code == 3
    assert counts(db_url) == before
    cid = added_id(add(cli, "助理录入", "--owner", "rep_b1", phone="13800000000", as_="asst_b"))
    rows = query(db_url, "select o.handle, r.handle, c.handle from customer x join staff o on o.id = x.owner_id "
                         "join staff r on r.id = x.reported_by_id join staff c on c.id = x.created_by_id "
                         "where x.id = :i", i=cid)
    assert rows == [("rep_b1", "rep_b1", "asst_b")]
    # an assistant is not an owner
    assert add(cli, "助理自己", "--owner", "asst_b", phone="13800000009", as_="mgr_b").exit_code == 2


def test_a_rep_cannot_add_for_another_rep(org, cli, db_url):
    result = add(cli, "代别人加", "--owner", "rep_a2", phone="13800000000", as_="rep_a1")
    assert result.exit_code == 3
    assert count(db_url) == 0
    # a manager may, for their team
    added_id(add(cli, "经理代加", "--owner", "rep_a1", phone="13800000001", as_="mgr_a"))


# --------------------------------------------------------------------------- list
@pytest.fixture
def book(org, cli):
    """Customers of three reps, with distinct grades and dates."""
    ids = {}
    specs = [
        ("甲一A", "rep_a1", "A", "13800000001", "跟进中", ()),
        ("甲一C", "rep_a1", "C", "13800000002", "暂停", ()),
        ("甲二B", "rep_a2", "B", "13800000003", "跟进中", ()),
        ("乙一D", "rep_b1", "D", "13800000004", "跟进中", ("--region", "West")),
    ]
    for name, rep, grade, phone, status, extra in specs:
        ids[name] = added_id(cli("customer", "add", name, "--contact", "张伟", "--title", "采购经理", "--status", status,
                                 "--phone", phone, "--grade", grade, *extra, as_=rep, now="2026-10-01T10:00"))
    return ids


def names(result):
    assert result.exit_code == 0, result
    return [r["name"] for r in result.json()]


def test_list_scopes_follow_the_org_chart(book, cli):
    assert names(cli("customer", "list", "--format", "json", as_="rep_a1")) == ["甲一A", "甲一C"]
    assert names(cli("customer", "list", "--format", "json", as_="mgr_a")) == ["甲一A", "甲一C", "甲二B"]
    assert names(cli("customer", "list", "--format", "json", as_="mgr_b")) == ["乙一D"]
    assert names(cli("customer", "list", "--format", "json", as_="dir")) == ["甲一A", "甲一C", "甲二B", "乙一D"]
    assert names(cli("customer", "list", "--rep", "rep_a2", "--format", "json", as_="mgr_a")) == ["甲二B"]
    assert names(cli("customer", "list", "--manager", "mgr_b", "--format", "json", as_="dir")) == ["乙一D"]
    assert names(cli("customer", "list", "--team", "--format", "json", as_="rm_b")) == ["乙一D"]
    assert names(cli("customer", "list", "--mine", "--format", "json", as_="dir")) == []


def test_a_rep_listing_or_showing_another_reps_customer_is_refused(book, cli, db_url):
    result = cli("customer", "list", "--rep", "rep_a2", as_="rep_a1")
    assert result.exit_code == 3 and result.stdout == ""
    shown = cli("customer", "show", str(book["甲二B"]), as_="rep_a1")
    assert shown.exit_code == 3
    assert "甲二B" not in shown.stderr and "张伟" not in shown.stderr and shown.stdout == ""
    assert cli("customer", "show", "甲二B", as_="rep_a1").exit_code == 3
    assert cli("customer", "history", str(book["甲二B"]), as_="rep_a1").exit_code == 3
    assert cli("customer", "contact", "list", str(book["甲二B"]), as_="rep_a1").exit_code == 3
    before = counts(db_url)
    assert cli("customer", "edit", str(book["甲二B"]), "--address", "x", as_="rep_a1").exit_code == 3
    assert cli("customer", "regrade", str(book["甲二B"]), "A", "--reason", "x", as_="rep_a1").exit_code == 3
    assert cli("customer", "profile", str(book["甲二B"]), "--section", "plan", "--text", "x", as_="rep_a1").exit_code == 3
    assert cli("customer", "list", "--manager", "mgr_b", as_="mgr_a").exit_code == 3
    assert counts(db_url) == before


def test_list_filters(book, cli):
    def run(*args):
        return names(cli("customer", "list", *args, "--format", "json", as_="dir"))

    assert run("--grade", "A,B") == ["甲一A", "甲二B"]
    assert run("--grade", "a") == ["甲一A"]
    assert run("--status", "暂停") == ["甲一C"]
    assert run("--status", "following,paused", "--region", "East") == ["甲一A", "甲一C", "甲二B"]
    assert run("--region", "West") == ["乙一D"]
    assert run("--industry", "Health") == ["甲二B"]
    assert run("--search", "甲一") == ["甲一A", "甲一C"]
    assert run("--search", "13800000003") == ["甲二B"]
    assert run("--sort", "grade") == ["甲一A", "甲二B", "甲一C", "乙一D"]
    assert run("--sort", "grade", "--limit", "2") == ["甲一A", "甲二B"]
    assert run("--incomplete") == []
    bad = cli("customer", "list", "--grade", "A,X", as_="dir")
    assert bad.exit_code == 2 and "--grade" in bad.stderr and bad.stdout == ""
    assert cli("customer", "list", "--sort", "size", as_="dir").exit_code == 2
    assert cli("customer", "list", "--status", "happy", as_="dir").exit_code == 2


def test_list_stale_and_last_contact_sort(book, cli, db_url):
    from datetime import datetime, timezone

    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("update customer set last_contact_at = :t where id = :i"),
                     {"t": datetime(2026, 11, 25, 2, 0), "i": book["甲一A"]})
        conn.execute(text("update customer set last_contact_at = :t where id = :i"),
                     {"t": datetime(2026, 11, 1, 2, 0), "i": book["甲二B"]})
    engine.dispose()
    # created 2026-10-01 and never contacted counts as no contact since creation
    stale = names(cli("customer", "list", "--stale", "14", "--format", "json", as_="dir"))
    assert stale == ["甲一C", "甲二B", "乙一D"]
    assert names(cli("customer", "list", "--stale", "60", "--format", "json", as_="dir")) == []
    ordered = names(cli("customer", "list", "--sort", "last_contact", "--format", "json", as_="dir"))
    assert ordered == ["甲一C", "乙一D", "甲二B", "甲一A"]


def test_list_json_and_csv_shapes(book, cli):
    rows = cli("customer", "list", "--format", "json", as_="dir").json()
    keys = {"id", "name", "grade", "status", "owner", "reported_by", "reported_at", "industry", "region",
            "last_contact_at", "expected_purchase", "address", "phone", "contact", "incomplete"}
    assert set(rows[0]) == keys
    first = rows[0]
    assert first["owner"] == "rep_a1" and first["reported_by"] == "rep_a1" and first["phone"] == "13800000001"
    assert first["reported_at"] == "2026-10-01T10:00:00+08:00" and first["incomplete"] is False
    csv_out = cli("customer", "list", "--format", "csv", as_="dir").stdout.splitlines()
    assert csv_out[0] == ("id,name,grade,status,owner,reported_by,reported_at,industry,region,last_contact_at,"
                          "expected_purchase,address,phone,contact,incomplete")
    assert len(csv_out) == 5
    empty = cli("customer", "list", "--grade", "A", "--format", "json", as_="rep_b1")
    assert empty.exit_code == 0 and empty.json() == []


def test_list_table_shows_status_in_the_display_language(book, cli):
    en = cli("customer", "list", as_="dir", lang="en")
    zh = cli("customer", "list", as_="dir", lang="zh")
    assert "paused" in en.stdout and "暂停" not in en.stdout
    assert "暂停" in zh.stdout and "跟进中" in zh.stdout and "级别" in zh.stdout


def test_refusal_in_chinese_keeps_flag_and_accepted_values(book, cli):
    en = cli("customer", "list", "--sort", "bogus", as_="dir", lang="en")
    zh = cli("customer", "list", "--sort", "bogus", as_="dir", lang="zh")
    assert en.exit_code == zh.exit_code == 2
    assert "is not a sort order" in en.stderr
    assert "不是有效的排序方式" in zh.stderr and "is not a sort order" not in zh.stderr
    assert "--sort" in zh.stderr and "bogus" in zh.stderr and "name, grade, last_contact, created" in zh.stderr


def test_list_streams_from_a_generator(book, monkeypatch):
    """The service yields rows one by one from a streamed result (never .all() of the table)."""
    import inspect

    from salesctl.services.customers import reads as customers

    assert inspect.isgeneratorfunction(customers.list_customers)
    source = inspect.getsource(customers.list_customers)
    assert "yield_per" in source and ".all()" not in source


# --------------------------------------------------------------------------- show
def _insert_visit(url, customer_id, rep_handle, at, *, grade=None, content="拜访"):
    """A visit (and a grade set at it, as `visit log --grade` does) written through the models."""
    from sqlmodel import Session, create_engine, select

    from salesctl.models import Customer, GradeChange, Staff, Visit

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            rep = session.exec(select(Staff).where(Staff.handle == rep_handle)).one()
            visit = Visit(customer_id=customer_id, rep_id=rep.id, at=at, kind="visit", content=content, result="顺利",
                          created_by_id=rep.id, created_at=at)
            session.add(visit)
            session.flush()
            if grade:
                customer = session.get(Customer, customer_id)
                session.add(GradeChange(customer_id=customer_id, from_grade=customer.grade, to_grade=grade,
                                        by_id=rep.id, at=at, reason="拜访后调整", source="visit", visit_id=visit.id))
                customer.grade = grade
                session.add(customer)
            customer = session.get(Customer, customer_id)
            customer.last_contact_at = at
            session.add(customer)
            session.commit()
            return visit.id
    finally:
        engine.dispose()


def test_show_json_has_contacts_profile_grades_claims_and_visits(book, cli, db_url):
    from datetime import datetime, timezone

    cid = book["甲一A"]
    assert cli("customer", "contact", "add", str(cid), "--name", "李娜", "--title", "总监", "--decision-maker",
               as_="rep_a1").exit_code == 0
    assert cli("customer", "profile", str(cid), "--section", "competitor", "--text", "中兴", as_="rep_a1").exit_code == 0
    assert cli("customer", "regrade", str(cid), "B", "--reason", "推迟", as_="rep_a1").exit_code == 0
    add(cli, "甲一A有限公司", "--force-claim", "--need", "熟悉", phone="13700000000", as_="rep_b1")
    _insert_visit(db_url, cid, "rep_a1", datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc))
    obj = cli("customer", "show", str(cid), "--format", "json", as_="mgr_a").json()
    assert obj["name"] == "甲一A" and obj["grade"] == "B" and obj["owner"] == "rep_a1"
    assert [c["name"] for c in obj["contacts"]] == ["张伟", "李娜"]
    assert obj["contacts"][1]["decision_maker"] is True and obj["contacts"][0]["primary"] is True
    assert obj["profile"][0]["section"] == "competitor" and obj["profile"][0]["text"] == "中兴"
    assert [(g["from"], g["to"], g["source"]) for g in obj["grade_history"]] == [(None, "A", "create"), ("A", "B", "hand")]
    assert obj["grade_history"][1]["by"] == "rep_a1" and obj["grade_history"][1]["reason"] == "推迟"
    claims = obj["claims"]
    assert [c["kind"] for c in claims] == ["report", "request"]
    assert claims[0]["handle"] == "rep_a1" and claims[1]["handle"] == "rep_b1" and claims[1]["need"] == "熟悉"
    assert set(claims[0]) >= {"id", "kind", "handle", "at", "need"}
    assert obj["last_visits"][0]["rep"] == "rep_a1" and obj["last_visits"][0]["at"].startswith("2026-11-20T10:00")
    table = cli("customer", "show", "甲一A", as_="rep_a1")
    assert table.exit_code == 0
    assert "Grade history" in table.stdout and "李娜" in table.stdout and "中兴" in table.stdout


def test_show_finds_by_name_and_unknown_is_4(book, cli):
    assert cli("customer", "show", "甲一A", "--format", "json", as_="dir").json()["id"] == book["甲一A"]
    missing = cli("customer", "show", "没有这家", as_="dir")
    assert missing.exit_code == 4


# --------------------------------------------------------------------------- edit
def test_edit_fields_and_audit(book, cli, db_url):
    cid = book["甲一A"]
    result = cli("customer", "edit", str(cid), "--address", "上海", "--phone", "021 6666 8888", "--status", "won",
                 "--expected-purchase", "2027-01-15", "--title", "总经理", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    obj = result.json()
    assert obj["address"] == "上海" and obj["phone"] == "021-66668888" and obj["status"] == "won"
    assert obj["expected_purchase"] == "2027-01-15"
    assert query(db_url, "select phone_norm from customer where id = :i", i=cid) == [("02166668888",)]
    audit = query(db_url, "select before, after from audit_entry where action = 'customer.edit' and entity_id = :i", i=cid)
    assert json.loads(audit[0][0])["address"] is None and json.loads(audit[0][1])["address"] == "上海"
    cleared = cli("customer", "edit", str(cid), "--expected-purchase", "none", "--format", "json", as_="rep_a1")
    assert cleared.json()["expected_purchase"] is None
    assert cli("customer", "edit", str(cid), as_="rep_a1").exit_code == 2
    assert cli("customer", "edit", str(cid), "--email", "bad", as_="rep_a1").exit_code == 2


def test_edit_grade_goes_to_history_and_rename_checks_duplicates(book, cli, db_url):
    cid = book["甲一A"]
    assert cli("customer", "edit", str(cid), "--grade", "C", "--reason", "需求变了", as_="rep_a1").exit_code == 0
    assert query(db_url, "select from_grade, to_grade, source, reason from grade_change where customer_id = :i "
                         "order by id", i=cid)[-1] == ("A", "C", "hand", "需求变了")
    before = counts(db_url)
    dup = cli("customer", "edit", str(cid), "--name", "甲一C有限公司", as_="rep_a1")
    assert dup.exit_code == 5 and "甲一C" in dup.stderr
    phone_dup = cli("customer", "edit", str(cid), "--phone", "13800000003", as_="rep_a1")
    assert phone_dup.exit_code == 5
    assert counts(db_url) == before
    assert cli("customer", "edit", str(cid), "--industry", "Health", as_="rep_a1").exit_code == 5
    assert cli("customer", "edit", str(cid), "--name", "甲一A股份有限公司", as_="rep_a1").exit_code == 0


def test_manager_moves_a_customer_with_a_transfer_entry(book, cli, db_url):
    cid = book["甲一A"]
    before = counts(db_url)
    assert cli("customer", "edit", str(cid), "--owner", "rep_a2", as_="rep_a1").exit_code == 3
    assert cli("customer", "edit", str(cid), "--owner", "rep_b1", as_="mgr_a").exit_code == 3
    assert counts(db_url) == before
    result = cli("customer", "edit", str(cid), "--owner", "rep_a2", "--reason", "调岗", "--format", "json", as_="mgr_a")
    assert result.exit_code == 0, result
    assert result.json()["owner"] == "rep_a2" and result.json()["reported_by"] == "rep_a1"
    ids = dict(query(db_url, "select handle, id from staff"))
    entries = query(db_url, "select kind, from_owner_id, to_owner_id, by_id, note from ownership_entry "
                            "where customer_id = :i order by id", i=cid)
    assert entries[-1] == ("transfer", ids["rep_a1"], ids["rep_a2"], ids["mgr_a"], "调岗")
    # the first report never changes
    assert query(db_url, "select reported_by_id from customer where id = :i", i=cid) == [(ids["rep_a1"],)]
    assert cli("customer", "show", str(cid), as_="rep_a1").exit_code == 3
    assert cli("customer", "show", str(cid), as_="rep_a2").exit_code == 0


# --------------------------------------------------------------------------- contacts, profile
def test_contacts_add_list_edit_and_primary(book, cli, db_url):
    cid = book["甲一A"]
    result = cli("customer", "contact", "add", str(cid), "--name", "李娜", "--title", "技术总监", "--phone",
                 "139-1234-5678", "--decision-maker", as_="rep_a1")
    new = added_id(result)
    rows = cli("customer", "contact", "list", str(cid), "--format", "json", as_="rep_a1").json()
    assert [(r["name"], r["primary"], r["decision_maker"]) for r in rows] == [("张伟", True, False), ("李娜", False, True)]
    assert rows[1]["phone"] == "13912345678"
    edited = cli("customer", "contact", "edit", str(new), "--primary", "--no-decision-maker", "--format", "json",
                 as_="rep_a1")
    assert edited.exit_code == 0 and edited.json()["primary"] is True and edited.json()["decision_maker"] is False
    listed = cli("customer", "list", "--format", "json", "--search", "甲一A", as_="rep_a1").json()[0]
    assert listed["contact"] == "李娜" and listed["phone"] == "13912345678"
    assert query(db_url, "select count(*) from contact where customer_id = :i and is_primary = :t", i=cid, t=True) == [(1,)]
    assert cli("customer", "contact", "add", str(cid), "--phone", "13900000000", as_="rep_a1").exit_code == 2
    assert cli("customer", "contact", "add", str(cid), "--name", "X", "--phone", "bad", as_="rep_a1").exit_code == 2
    assert cli("customer", "contact", "edit", str(new), "--title", "x", as_="rep_b1").exit_code == 3
    assert cli("customer", "contact", "edit", "9999", "--title", "x", as_="rep_a1").exit_code == 4
    actions = [a for (a,) in query(db_url, "select action from audit_entry where entity = 'contact'")]
    assert actions == ["customer.contact.add", "customer.contact.edit"]


def test_profile_from_flag_file_stdin_and_append(book, cli, db_url, tmp_path):
    cid = str(book["甲一A"])
    assert cli("customer", "profile", cid, "--section", "background", "--text", "集团下属", as_="rep_a1").exit_code == 0
    path = tmp_path / "project.txt"
    path.write_text("预算 50 万\n", encoding="utf-8")
    assert cli("customer", "profile", cid, "--section", "project", "--text-file", str(path), as_="rep_a1").exit_code == 0
    assert cli("customer", "profile", cid, "--section", "plan", as_="rep_a1", input="下月演示\n").exit_code == 0
    assert cli("customer", "profile", cid, "--section", "plan", "--text", "签约", "--append", as_="rep_a1").exit_code == 0
    rows = cli("customer", "profile", cid, "--format", "json", as_="rep_a1").json()
    assert [(r["section"], r["text"]) for r in rows] == [
        ("background", "集团下属"), ("project", "预算 50 万"), ("plan", "下月演示\n\n签约")]
    assert rows[0]["updated_by"] == "rep_a1"
    before = counts(db_url)
    bad = cli("customer", "profile", cid, "--section", "gossip", "--text", "x", as_="rep_a1")
    assert bad.exit_code == 2 and "background, project, relationship, plan, competitor" in bad.stderr
    empty = cli("customer", "profile", cid, "--section", "plan", as_="rep_a1", input="")
    assert empty.exit_code == 2 and "--text" in empty.stderr
    assert counts(db_url) == before
    assert query(db_url, "select count(*) from audit_entry where action = 'customer.profile'") == [(4,)]


# --------------------------------------------------------------------------- history
def test_history_is_one_timeline_with_visit_grades_as_one_event(book, cli, db_url):
    from datetime import datetime, timezone

    cid = book["甲一A"]
    assert cli("customer", "regrade", str(cid), "B", "--reason", "预算推迟", as_="rep_a1", now="2026-11-02T09:00").exit_code == 0
    visit_id = _insert_visit(db_url, cid, "rep_a1", datetime(2026, 11, 10, 2, 0, tzinfo=timezone.utc), grade="A",
                             content="签约前拜访")
    _insert_visit(db_url, cid, "rep_a1", datetime(2026, 11, 12, 2, 0, tzinfo=timezone.utc), content="回访")
    assert cli("customer", "edit", str(cid), "--owner", "rep_a2", as_="mgr_a", now="2026-11-20T09:00").exit_code == 0
    result = cli("customer", "history", str(cid), "--format", "json", as_="mgr_a")
    assert result.exit_code == 0, result
    events = result.json()
    assert [e["event"] for e in events] == ["created", "grade", "visit", "visit", "owner"]
    assert events[0]["by"] == "rep_a1" and events[0]["to"] == "A"
    assert (events[1]["from"], events[1]["to"]) == ("A", "B") and "预算推迟" in events[1]["text"]
    merged = events[2]
    assert merged["visit_id"] == visit_id and (merged["from"], merged["to"]) == ("B", "A")
    assert "签约前拜访" in merged["text"] and "B → A" in merged["text"]
    assert events[3]["grade_change_id"] is None
    assert events[4]["from"] == "rep_a1" and events[4]["to"] == "rep_a2"
    assert [e["at"][:10] for e in events] == ["2026-10-01", "2026-11-02", "2026-11-10", "2026-11-12", "2026-11-20"]
    table = cli("customer", "history", str(cid), as_="mgr_a")
    assert "签约前拜访" in table.stdout and table.stdout.count("B → A") == 1


# --------------------------------------------------------------------------- prompts
def test_missing_fields_are_asked_at_a_terminal(org, cli, db_url, monkeypatch):
    import questionary

    from salesctl import render

    answers = iter(["王五", "财务总监", "13812345678"])

    class Answer:
        def __init__(self, value):
            self.value = value

        def unsafe_ask(self):
            return self.value

    asked = []

    def fake_text(message, **kw):
        asked.append(message)
        return Answer(next(answers))

    def fake_select(message, choices, **kw):
        asked.append(message)
        values = [c.value for c in choices]
        if "" in values:  # the grade picker: shows each grade's meaning
            assert any("within 1 month" in str(c.title) for c in choices)
            return Answer("B")
        return Answer("paused")

    monkeypatch.setattr(render, "interactive", lambda: True)
    monkeypatch.setattr(questionary, "text", fake_text)
    monkeypatch.setattr(questionary, "select", fake_select)
    result = cli("customer", "add", "问询公司", as_="rep_a1")
    assert result.exit_code == 0, result
    assert len(asked) == 5
    assert query(db_url, "select name, status, grade from customer") == [("问询公司", "paused", "B")]
    assert query(db_url, "select name, title, phone from contact") == [("王五", "财务总监", "13812345678")]
