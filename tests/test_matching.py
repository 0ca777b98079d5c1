"""查重 (issue 18): Chinese company names, stored match keys, lookup, possible matches, credit code, duplicates, merge."""

from __future__ import annotations

import json

import pytest

from conftest import query

FORM = ("--contact", "张伟", "--title", "采购经理", "--status", "跟进中")
VALID_CODE = "91440300708461136T"  # a well-formed 统一社会信用代码 (GB 32100 check character)
OTHER_CODE = "91350100M000100Y43"
VISIT = ("--content", "上门拜访", "--result", "要求报价", "--contact", "张伟")


def add(cli, name, as_, *extra, phone="13800000000"):
    return cli("customer", "add", name, *FORM, "--phone", phone, *extra, as_=as_)


def _new_phone(n: int) -> str:
    return f"139{n:08d}"


@pytest.fixture
def fuda(org, cli):
    result = add(cli, "东莞富达模具有限公司", "rep_a1", phone="13812345678")
    assert result.exit_code == 0, result
    result = add(cli, "Cisco", "rep_a1", phone="13812345679")
    assert result.exit_code == 0, result
    return org


# --------------------------------------------------------------------------- Done when, 1
@pytest.mark.parametrize("name", ["东莞富达", "东莞市富达模具有限公司", "东莞富达模具（长安）有限公司",
                                  "東莞富達模具有限公司", "富达模具", "东莞富达模具有限公司长安分公司"])
def test_same_company_is_refused_naming_the_holder(fuda, cli, name):
    result = add(cli, name, "rep_b1", phone=_new_phone(1))
    assert result.exit_code == 5, result
    assert "东莞富达模具有限公司" in result.stderr and "rep_a1" in result.stderr
    assert "2026-11-27 17:30" in result.stderr  # the first report time
    assert query(fuda, "select count(*) from customer") == [(2,)]


@pytest.mark.parametrize("name", ["CIS Ltd.", "Zinc", "Costco Wholesale Corporation", "上海富达物流有限公司"])
def test_other_companies_are_accepted(fuda, cli, name):
    result = add(cli, name, "rep_b1", phone=_new_phone(2))
    assert result.exit_code == 0, result
    stored = query(fuda, "select name, trade_key from customer where name = :n", n=name)
    assert stored and stored[0][1]


def test_stored_keys_are_indexed_columns(fuda, cli):
    rows = query(fuda, "select name_norm, trade_key, trade_head, trade_tail, region_key from customer "
                       "where name = '东莞富达模具有限公司'")
    assert rows == [("东莞富达模具", "富达", "富达", "富达", "4419")]
    assert query(fuda, "select name_norm, trade_key from customer where name = 'Cisco'") == [("cisco", "cisco")]


# --------------------------------------------------------------------------- lookup
def test_lookup_shows_holder_and_first_report_and_no_contact(fuda, cli):
    result = cli("customer", "lookup", "富达", "--format", "json", as_="rep_b1")
    assert result.exit_code == 0, result
    rows = result.json()
    assert [r["name"] for r in rows] == ["东莞富达模具有限公司"]
    row = rows[0]
    assert set(row) == {"id", "name", "owner", "reported_at", "match", "reason"}
    assert row["owner"] == "rep_a1" and row["match"] == "same" and row["reason"] == "trade_name"
    assert row["reported_at"].startswith("2026-11-27T17:30")
    assert "张伟" not in result.stdout and "13812345678" not in result.stdout
    table = cli("customer", "lookup", "富达", as_="rep_b1", lang="zh")
    assert table.exit_code == 0 and "rep_a1" in table.stdout and "张伟" not in table.stdout


def test_lookup_by_phone_and_close_name(fuda, cli):
    rows = cli("customer", "lookup", "--phone", "138 1234 5678", "--format", "json", as_="rep_b1").json()
    assert [(r["name"], r["match"], r["reason"]) for r in rows] == [("东莞富达模具有限公司", "same", "phone")]
    rows = cli("customer", "lookup", "富达通", "--format", "json", as_="rep_b1").json()
    assert [(r["name"], r["match"]) for r in rows] == [("东莞富达模具有限公司", "possible")]
    empty = cli("customer", "lookup", "华为", "--format", "json", as_="rep_b1")
    assert empty.exit_code == 0 and empty.json() == []


# --------------------------------------------------------------------------- possible matches
def test_possible_match_exits_5_in_a_script_and_not_duplicate_is_audited(fuda, cli):
    result = add(cli, "富达通模具有限公司", "rep_b1", phone=_new_phone(3))
    assert result.exit_code == 5, result
    assert "--not-duplicate" in result.stderr and "东莞富达模具有限公司" in result.stderr
    assert query(fuda, "select count(*) from customer where name = '富达通模具有限公司'") == [(0,)]
    result = add(cli, "富达通模具有限公司", "rep_b1", "--not-duplicate", phone=_new_phone(3))
    assert result.exit_code == 0, result
    audit = query(fuda, "select after from audit_entry where action = 'customer.add' order by id desc limit 1")
    after = json.loads(audit[0][0]) if isinstance(audit[0][0], str) else audit[0][0]
    assert [c["name"] for c in after["not_duplicate_of"]] == ["东莞富达模具有限公司"]


def test_not_duplicate_never_overrides_a_same_match(fuda, cli):
    result = add(cli, "东莞富达", "rep_b1", "--not-duplicate", phone=_new_phone(4))
    assert result.exit_code == 5, result
    assert "--not-duplicate" in result.stderr and "--force-claim" in result.stderr
    assert query(fuda, "select count(*) from customer") == [(2,)]


def test_force_claim_turns_a_same_match_into_a_claim(fuda, cli):
    result = cli("customer", "add", "东莞富达", *FORM, "--phone", _new_phone(5), "--force-claim", "--need", "模具采购",
                 "--format", "json", as_="rep_b1")
    assert result.exit_code == 0, result
    assert result.json()["holder"] == "rep_a1"
    assert query(fuda, "select kind from ownership_entry order by id desc limit 1") == [("request",)]


def test_claim_add_finds_the_same_company(fuda, cli):
    result = cli("claim", "add", "东莞市富达模具有限公司", "--need", "模具采购", "--format", "json", as_="rep_b1")
    assert result.exit_code == 0, result
    assert result.json()["customer"] == "东莞富达模具有限公司"
    assert query(fuda, "select count(*) from customer") == [(2,)]


# --------------------------------------------------------------------------- credit code
def test_credit_code_is_validated_and_unique(fuda, cli):
    bad = add(cli, "华为技术有限公司", "rep_b1", "--credit-code", "91440300708461136X", phone=_new_phone(6))
    assert bad.exit_code == 2 and "--credit-code" in bad.stderr and "GB 32100" in bad.stderr
    short = add(cli, "华为技术有限公司", "rep_b1", "--credit-code", "9144030070846", phone=_new_phone(6))
    assert short.exit_code == 2 and "--credit-code" in short.stderr
    assert query(fuda, "select count(*) from customer") == [(2,)]
    ok = add(cli, "华为技术有限公司", "rep_b1", "--credit-code", VALID_CODE.lower(), phone=_new_phone(6))
    assert ok.exit_code == 0, ok
    assert query(fuda, "select credit_code from customer where name = '华为技术有限公司'") == [(VALID_CODE,)]
    again = add(cli, "深圳某某公司", "rep_a1", "--credit-code", VALID_CODE, phone=_new_phone(7))
    assert again.exit_code == 5 and "华为技术有限公司" in again.stderr and "rep_b1" in again.stderr
    edit = cli("customer", "edit", "东莞富达模具有限公司", "--credit-code", VALID_CODE, as_="rep_a1")
    assert edit.exit_code == 5 and "华为技术有限公司" in edit.stderr
    edit = cli("customer", "edit", "东莞富达模具有限公司", "--credit-code", OTHER_CODE, as_="rep_a1")
    assert edit.exit_code == 0, edit
    assert query(fuda, "select credit_code from customer where name = '东莞富达模具有限公司'") == [(OTHER_CODE,)]


def test_rename_recomputes_the_keys(fuda, cli):
    result = cli("customer", "edit", "Cisco", "--name", "苏州富达物流有限公司", as_="rep_a1")
    assert result.exit_code == 0, result
    assert query(fuda, "select trade_key, region_key from customer where name = '苏州富达物流有限公司'") == [("富达", "3205")]
    clash = cli("customer", "edit", "苏州富达物流有限公司", "--name", "东莞富达", as_="rep_a1")
    assert clash.exit_code == 5 and "东莞富达模具有限公司" in clash.stderr


# --------------------------------------------------------------------------- duplicates and merge
@pytest.fixture
def twins(fuda, cli):
    """Two records of one company, entered before this check existed (as an old import would have)."""
    from sqlalchemy import create_engine, text

    result = add(cli, "富达通模具", "rep_a2", "--not-duplicate", phone=_new_phone(8))
    assert result.exit_code == 0, result
    engine = create_engine(fuda)
    with engine.begin() as conn:  # make it the same trade name, as the archive held before this issue
        conn.execute(text("update customer set name = '东莞市富达模具厂', name_norm = '东莞市富达模具厂', "
                          "trade_key = '富达', trade_head = '富达', trade_tail = '富达', "
                          "reported_at = '2026-11-20 01:00:00.000000' where name = '富达通模具'"))
    engine.dispose()
    ids = dict(query(fuda, "select name, id from customer"))
    visit = cli("visit", "log", str(ids["东莞市富达模具厂"]), *VISIT, as_="rep_a2")
    assert visit.exit_code == 0, visit
    profile = cli("customer", "profile", str(ids["东莞市富达模具厂"]), "--section", "background", "--text", "老客户", as_="rep_a2")
    assert profile.exit_code == 0, profile
    return ids


def test_duplicates_lists_the_pairs(twins, fuda, cli):
    rows = cli("customer", "duplicates", "--all", "--format", "json", as_="dir").json()
    assert [(r["keep_name"], r["drop_name"], r["match"]) for r in rows] == [("东莞富达模具有限公司", "东莞市富达模具厂", "same")]
    assert cli("customer", "duplicates", "--format", "json", as_="mgr_b").json() == []  # outside mgr_b's team
    bad = cli("customer", "duplicates", "--min-match", "maybe", as_="dir")
    assert bad.exit_code == 2 and "--min-match" in bad.stderr


def test_merge_moves_everything_and_the_dropped_id_resolves(twins, fuda, cli):
    keep, drop = twins["东莞富达模具有限公司"], twins["东莞市富达模具厂"]
    refused = cli("customer", "merge", str(keep), str(drop), as_="mgr_a")
    assert refused.exit_code == 5 and "--owner" in refused.stderr  # rep_a1 and rep_a2 both own one
    dry = cli("customer", "merge", str(keep), str(drop), "--owner", "rep_a1", "--dry-run", "--format", "json", as_="mgr_a")
    assert dry.exit_code == 0 and dry.json()["moved"]["contact"] == 1
    assert query(fuda, "select merged_into_id from customer where id = :d", d=drop) == [(None,)]
    result = cli("customer", "merge", str(keep), str(drop), "--owner", "rep_a1", "--format", "json", as_="mgr_a")
    assert result.exit_code == 0, result
    for table in ("contact", "visit", "profile_section", "grade_change"):
        assert query(fuda, f"select count(*) from {table} where customer_id = :d", d=drop) == [(0,)], table
    staff = dict(query(fuda, "select handle, id from staff"))
    reports = query(fuda, "select staff_id from ownership_entry where customer_id = :k and kind = 'report' order by at", k=keep)
    assert sorted(reports) == sorted([(staff["rep_a2"],), (staff["rep_a1"],)])  # both reports stay in the ledger
    shown = cli("customer", "show", str(keep), "--format", "json", as_="mgr_a").json()
    assert [c["kind"] for c in shown["claims"]].count("report") == 2 and len(shown["contacts"]) == 2
    # the first reporter is whoever reported first (the older record, by rep_a2)
    assert query(fuda, "select owner_id, reported_by_id from customer where id = :k", k=keep) == [(staff["rep_a1"], staff["rep_a2"])]
    assert query(fuda, "select merged_into_id, owner_id from customer where id = :d", d=drop) == [(keep, None)]
    shown = cli("customer", "show", str(drop), "--format", "json", as_="mgr_a").json()
    assert shown["id"] == keep
    by_name = cli("customer", "show", "东莞市富达模具厂", "--format", "json", as_="mgr_a").json()
    assert by_name["id"] == keep
    listed = [r["id"] for r in cli("customer", "list", "--all", "--format", "json", as_="dir").json()]
    assert keep in listed and drop not in listed
    audit = query(fuda, "select after from audit_entry where action = 'customer.merge'")
    assert len(audit) == 1
    after = json.loads(audit[0][0]) if isinstance(audit[0][0], str) else audit[0][0]
    assert after["keep"] == keep and after["drop"] == drop and after["moved"]["visit"] == 1
    again = cli("customer", "merge", str(keep), str(drop), as_="mgr_a")
    assert again.exit_code == 3 and "already merged" in again.stderr
    name_again = add(cli, "东莞市富达模具厂", "rep_b1", phone=_new_phone(9))
    assert name_again.exit_code == 5  # the dropped name is never reused


def test_merge_refusals(twins, fuda, cli):
    keep, drop = twins["东莞富达模具有限公司"], twins["东莞市富达模具厂"]
    assert cli("customer", "merge", str(keep), str(keep), as_="mgr_a").exit_code == 3
    rep = cli("customer", "merge", str(keep), str(drop), as_="rep_a1")
    assert rep.exit_code == 3
    other = cli("customer", "merge", str(keep), str(drop), "--owner", "rep_a1", as_="mgr_b")
    assert other.exit_code == 3
    assert query(fuda, "select count(*) from customer where merged_into_id is not null") == [(0,)]


# --------------------------------------------------------------------------- imports use the matcher
def test_import_finds_the_same_company_in_the_archive_and_in_the_file(fuda, cli, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("客户名称,联系人,职务,手机,状态\r\n"
                    "东莞市富达模具有限公司,李四,经理,13700000001,跟进中\r\n"       # 2: the archive's 东莞富达模具
                    "苏州华强电子有限公司,王五,经理,13700000002,跟进中\r\n"         # 3: new
                    "華強電子（吴江）有限公司,赵六,经理,13700000003,跟进中\r\n"     # 4: row 3's branch
                    "上海富达物流有限公司,钱七,经理,13700000004,跟进中\r\n",        # 5: another company
                    encoding="utf-8")
    result = cli("import", "customers", str(path), "--partial", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    problems = {p["row"]: (p["status"], p["code"], p["reason"]) for p in doc["problems"]}
    assert problems[2][:2] == ("duplicate", "duplicate") and "东莞富达模具有限公司" in problems[2][2]
    assert problems[4][:2] == ("duplicate", "duplicate_in_file") and "3" in problems[4][2]
    assert set(problems) == {2, 4}
    stored = query(fuda, "select name, trade_key, region_key from customer where name in "
                         "('苏州华强电子有限公司', '上海富达物流有限公司') order by name")
    assert stored == [("上海富达物流有限公司", "富达", "31"), ("苏州华强电子有限公司", "华强", "3205")]


# --------------------------------------------------------------------------- migration 0005
def test_migration_0005_fills_the_keys_of_existing_customers(fuda, cli):
    from alembic import command
    from sqlalchemy import create_engine, text

    from salesctl.migrations.runner import alembic_config

    assert add(cli, "東莞富達模具廠", "rep_b1", "--not-duplicate", phone=_new_phone(10)).exit_code == 5  # same
    engine = create_engine(fuda)
    command.downgrade(alembic_config(engine), "0001")
    with engine.begin() as conn:  # as 0.1.0 stored them: English suffixes cut without a word boundary
        conn.execute(text("update customer set name_norm = 'cis' where name = 'Cisco'"))
        conn.execute(text("insert into customer (name, name_norm, status, grade, incomplete, created_at, updated_at) "
                          "values ('東莞富達模具有限公司', '東莞富達模具', 'following', 'D', true, "
                          "'2026-11-01 00:00:00.000000', '2026-11-01 00:00:00.000000')"))
    engine.dispose()
    if cli.logins:  # the team server: a staff login does not upgrade the schema; it is told whom to ask
        refused = cli("customer", "duplicates", "--all", "--format", "json", as_="dir")
        assert refused.exit_code == 3 and "0001" in refused.stderr and "salesctl db upgrade" in refused.stderr, refused
        assert query(fuda, "select version_num from alembic_version") == [("0001",)]
    result = cli("customer", "duplicates", "--all", "--format", "json", as_="dir", admin=True)  # upgrades on the way
    assert result.exit_code == 0, result
    assert "0001" in result.stderr
    rows = query(fuda, "select name, name_norm, trade_key, region_key from customer order by id")
    assert rows[0] == ("东莞富达模具有限公司", "东莞富达模具", "富达", "4419")
    assert rows[1] == ("Cisco", "cisco", "cisco", None)
    assert rows[2][0] == "東莞富達模具有限公司" and rows[2][1].startswith("东莞富达模具~") and rows[2][2] == "富达"
    assert [(r["keep_name"], r["drop_name"]) for r in result.json()] == [("东莞富达模具有限公司", "東莞富達模具有限公司")]
