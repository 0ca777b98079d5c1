"""The team server (PostgreSQL): logins, --as, db security-check, the merged audit list; SQLite keeps its rules."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import make_url

from conftest import TEST_DB, enable_logins, pg_only, query

sqlite_only = pytest.mark.skipif(TEST_DB.startswith("postgresql"), reason="SQLite behaviour")


def _admin(url: str, sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pg_only
def test_a_rep_acts_only_as_their_login(org_logins, cli, db_url):
    result = cli("whoami", as_="rep_a1")
    assert result.exit_code == 0, result
    assert "rep_a1" in result.stdout
    for env in ({"SALESCTL_USER": "boss"},):
        refused = cli("customer", "list", env=env, as_="rep_a1")
        assert refused.exit_code == 3, refused
        assert "team server" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    before = query(db_url, "select count(*) from audit_entry")
    edit = cli("--as", "boss", "staff", "edit", "rep_a2", "--name", "x", env={"SALESCTL_DB": org_logins["rep_a1"]})
    assert edit.exit_code == 3 and "act as the login you connect with" in edit.stderr
    assert query(db_url, "select count(*) from audit_entry") == before


@pg_only
def test_the_administrators_as_works_and_is_audited_with_both_names(org, cli, db_url):
    result = cli("staff", "edit", "rep_a1", "--name", "改名", as_="mgr_a", admin=True)
    assert result.exit_code == 0, result
    admin_role = make_url(db_url).username
    rows = query(db_url, "select s.handle, a.db_user from audit_entry a join staff s on s.id = a.actor_id "
                         "where a.action = 'staff.edit'")
    assert rows == [("mgr_a", admin_role)]
    listed = cli("audit", "--action", "staff.edit", "--format", "json", as_="dir").json()
    assert listed[0]["actor"] == "mgr_a" and listed[0]["db_user"] == admin_role


@pg_only
def test_staff_add_login_prints_the_config_line_and_handles_with_dots(org, cli, db_url, tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("Secret-login-2026\n")
    pw.chmod(0o644)
    args = ("staff", "add", "li.xiao.hua", "--name", "李小华", "--role", "rep", "--manager", "mgr_a",
            "--region", "East", "--industry", "Retail", "--login", "--password-file", str(pw))
    loose = cli(*args, as_="boss", admin=True)
    assert loose.exit_code == 2 and "--password-file" in loose.stderr
    assert query(db_url, "select count(*) from staff where handle = 'li.xiao.hua'") == [(0,)]
    pw.chmod(0o600)
    result = cli(*args, as_="boss", admin=True)
    assert result.exit_code == 0, result
    role = query(db_url, "select login_role from staff where handle = 'li.xiao.hua'")[0][0]
    assert role.endswith(".li.xiao.hua")
    assert f"salesctl config set db 'postgresql+psycopg://{role}@" in result.stderr
    assert "Secret-login-2026" not in result.stdout + result.stderr
    audit = query(db_url, "select after from audit_entry where action = 'staff.login'")
    assert audit and all("Secret" not in a for (a,) in audit)
    # a generated password is shown once, on stderr
    gen = cli("staff", "add", "wu.yi", "--name", "吴一", "--role", "rep", "--manager", "mgr_a", "--region", "East",
              "--industry", "Retail", "--login", as_="boss", admin=True)
    assert gen.exit_code == 0 and "Generated password" in gen.stderr and "Generated" not in gen.stdout
    # the new person connects as themself
    cli.logins = {"li.xiao.hua": make_url(db_url).set(username=role).render_as_string(hide_password=False)}
    who = cli("whoami", as_="li.xiao.hua")
    assert who.exit_code == 0 and "li.xiao.hua" in who.stdout


@pg_only
def test_only_a_role_with_createrole_adds_logins(org_logins, cli, db_url):
    result = cli("staff", "add", "new.rep", "--name", "新人", "--role", "rep", "--manager", "mgr_a", "--region", "East",
                 "--industry", "Retail", "--login", as_="mgr_a")
    assert result.exit_code == 3 and "CREATEROLE" in result.stderr, result
    assert query(db_url, "select count(*) from staff where handle = 'new.rep'") == [(0,)]


@pg_only
def test_a_role_that_is_no_login_and_a_deactivated_login(org_logins, cli, db_url):
    stranger = f"{make_url(db_url).database}_stranger"
    _admin(db_url, f'CREATE ROLE "{stranger}" LOGIN')
    try:
        url = make_url(db_url).set(username=stranger).render_as_string(hide_password=False)
        result = cli("customer", "list", env={"SALESCTL_DB": url})
        assert result.exit_code == 3, result
        assert "not a salesctl login" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    finally:
        from salesctl import db

        db.dispose_all()
        _admin(db_url, f'DROP ROLE "{stranger}"')
    assert cli("staff", "deactivate", "rep_a2", as_="boss").exit_code == 0
    gone = cli("customer", "list", as_="rep_a2")
    assert gone.exit_code == 3 and "refuses the login" in gone.stderr and "disabled" in gone.stderr, gone
    assert len(gone.stderr.strip().splitlines()) == 1 and "Traceback" not in gone.stderr


@sqlite_only
def test_on_sqlite_logins_are_refused_and_as_works_as_before(org, cli, db_url):
    result = cli("staff", "add", "x.y", "--name", "X", "--role", "rep", "--manager", "mgr_a", "--region", "East",
                 "--industry", "Retail", "--login", as_="boss")
    assert result.exit_code == 2 and "team server" in result.stderr
    assert query(db_url, "select count(*) from staff where handle = 'x.y'") == [(0,)]
    assert cli("staff", "login", "rep_a1", "--enable", as_="boss").exit_code == 2
    check = cli("db", "security-check", as_="boss")
    assert check.exit_code == 0 and "team server" in check.stderr
    assert cli("whoami", as_="rep_a1").exit_code == 0


@pg_only
def test_security_check_passes_fresh_and_fails_when_rls_is_switched_off(org_logins, cli, db_url):
    fresh = cli("db", "security-check", "--format", "json", as_="boss")
    assert fresh.exit_code == 0, fresh
    report = fresh.json()
    tables = {r["table"]: r for r in report["tables"]}
    assert tables["customer"]["rls"] and len(tables["customer"]["policies"]) == 3
    assert "DELETE" not in tables["customer"]["privileges"]
    assert tables["audit_entry"]["privileges"] == ["SELECT", "INSERT"]
    # a manager may run it too (cron), through their own login
    assert cli("db", "security-check", as_="mgr_a").exit_code == 0
    _admin(db_url, "ALTER TABLE customer DISABLE ROW LEVEL SECURITY")
    broken = cli("db", "security-check", as_="mgr_a")
    assert broken.exit_code == 1
    assert "customer: row-level security is off" in broken.stderr
    _admin(db_url, "ALTER TABLE customer ENABLE ROW LEVEL SECURITY")
    _admin(db_url, "CREATE TABLE extra_notes (id integer primary key, note text)")
    unclassified = cli("db", "security-check", "--format", "json", as_="boss")
    assert unclassified.exit_code == 1
    assert "extra_notes: not classified in salesctl.rls.TABLES" in unclassified.json()["problems"]
    _admin(db_url, "DROP TABLE extra_notes")
    group = report["group"]
    _admin(db_url, f'GRANT DELETE ON visit TO "{group}"')
    granted = cli("db", "security-check", "--format", "json", as_="boss")
    assert granted.exit_code == 1 and "visit: staff may DELETE" in granted.json()["problems"]


@pg_only
def test_a_role_change_takes_effect_on_the_next_statement(org_logins, cli, db_url):
    assert cli("customer", "add", "乙一的客户", "--contact", "王", "--title", "经理", "--phone", "13911112222",
               "--status", "following", as_="rep_b1").exit_code == 0
    assert "乙一的客户" not in cli("customer", "list", "--format", "json", as_="mgr_a").stdout
    assert cli("staff", "edit", "rep_b1", "--manager", "mgr_a", as_="boss").exit_code == 0
    assert "乙一的客户" in cli("customer", "list", "--format", "json", as_="mgr_a").stdout


@pg_only
def test_the_matcher_finds_another_reps_customer_under_rls_and_reveals_only_holder_and_time(org_logins, cli, db_url):
    # rep_a1 holds the customer; rep_b1 (another team, their own login) cannot see it under RLS
    assert cli("customer", "add", "东莞富达模具有限公司", "--contact", "李雷", "--title", "经理", "--phone", "13922223333",
               "--status", "following", as_="rep_a1").exit_code == 0
    assert "富达" not in cli("customer", "list", "--format", "json", as_="rep_b1").stdout
    for name in ("东莞富达", "东莞市富达模具有限公司", "东莞富达模具（长安）有限公司"):
        result = cli("customer", "add", name, "--contact", "韩梅", "--title", "经理", "--phone", "13800001111",
                     "--status", "following", as_="rep_b1")
        assert result.exit_code == 5, (name, result.stdout, result.stderr)
        assert "rep_a1" in result.stderr and "东莞富达模具有限公司" in result.stderr
        assert "李雷" not in result.stderr and "13922223333" not in result.stderr
    # a phone of the held customer is a same match too
    result = cli("customer", "add", "别的名字贸易有限公司", "--contact", "韩梅", "--title", "经理", "--phone", "13922223333",
                 "--status", "following", as_="rep_b1")
    assert result.exit_code == 5 and "rep_a1" in result.stderr
    # a different company in another city is accepted
    assert cli("customer", "add", "上海富达物流有限公司", "--contact", "韩梅", "--title", "经理", "--phone", "13800002222",
               "--status", "following", as_="rep_b1").exit_code == 0
    # lookup: holder and first-report time, no contact
    rows = json.loads(cli("customer", "lookup", "富达", "--format", "json", as_="rep_b1").stdout)
    held = [r for r in rows if r["name"] == "东莞富达模具有限公司"]
    assert held and held[0]["owner"] == "rep_a1" and held[0]["reported_at"]
    assert set(held[0]) == {"id", "name", "owner", "reported_at", "match", "reason"}
    # claim add on the held customer names the holder (a claim, not a new customer)
    result = cli("claim", "add", "东莞富达", "--need", "扩建门店", "--format", "json", as_="rep_b1")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["customer_id"] == held[0]["id"]
    assert "rep_a1" in result.stdout + result.stderr and "李雷" not in result.stdout + result.stderr
    listing = json.loads(cli("customer", "list", "--format", "json", as_="rep_b1").stdout)
    assert [c["name"] for c in listing] == ["上海富达物流有限公司"]
    # the function itself refuses anyone who is not a staff login's statement: nothing for the group alone
    rows = query(db_url, "select count(*) from salesctl_match_candidates(array['x'], array['富达'], '{}', '{}', "
                         "'{}', '{}', '{}', null, 10)")
    assert rows == [(0,)]  # the administrator is no staff login: the function answers nothing


@pg_only
def test_an_import_by_a_login_finds_the_customers_another_team_holds(org_logins, cli, db_url, tmp_path):
    assert cli("customer", "add", "东莞富达模具有限公司", "--contact", "李雷", "--title", "经理", "--phone", "13922223333",
               "--status", "following", as_="rep_a1").exit_code == 0
    path = tmp_path / "mine.csv"
    path.write_bytes(("客户名称,联系人,职务,手机,状态\r\n"
                      "东莞市富达模具有限公司,张伟,经理,13812345601,跟进中\r\n"   # same: held by rep_a1 (another team)
                      "东莞富达物流有限公司,张伟,经理,13812345602,跟进中\r\n"     # possible: 富达, another trade
                      "别名贸易有限公司,张伟,经理,13922223333,跟进中\r\n"         # same: the held customer's phone
                      "好客户有限公司,张伟,经理,13812345604,跟进中\r\n").encode("utf-8"))
    result = cli("import", "customers", str(path), "--format", "json", as_="rep_b1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert (doc["imported"], doc["duplicate"], doc["possible"]) == (1, 2, 1), doc
    reasons = " ".join(p["reason"] for p in doc["problems"])
    assert "rep_a1" in reasons and "李雷" not in reasons
    assert [c["name"] for c in cli("customer", "list", "--format", "json", as_="rep_b1").json()] == ["好客户有限公司"]


@pg_only
def test_asking_for_a_hidden_customer_by_id_with_psql_leaves_a_trail(org_logins, cli, db_url):
    """`claim add ID` may name a customer out of reach (as on SQLite); counting through ids with psql shows."""
    import psycopg

    assert cli("customer", "add", "甲一的秘密客户", "--contact", "李雷", "--title", "经理", "--phone", "13922224444",
               "--status", "following", as_="rep_a1").exit_code == 0
    (cid,) = query(db_url, "select id from customer where name = '甲一的秘密客户'")[0]
    url = make_url(org_logins["rep_b1"])
    with psycopg.connect(dbname=url.database, user=url.username, host=url.query.get("host"), autocommit=True,
                         application_name="psql") as conn:
        assert conn.execute("select count(*) from customer").fetchone()[0] == 0  # RLS: none of rep_a1's
        row = conn.execute("select customer_name, owner from salesctl_claim_target(%s)", (cid,)).fetchone()
        assert row == ("甲一的秘密客户", "rep_a1")
    shown = cli("audit", "--format", "json", as_="mgr_b").json()
    looked = [e for e in shown if e["action"] == "db.lookup"]
    assert [(e["actor"], e["entity"], e["entity_id"], e["source"]) for e in looked] == [("rep_b1", "customer", cid, "db")]
    # the claim itself is the audited request, as on SQLite; once lodged, reading it back leaves no further trail
    assert cli("claim", "add", str(cid), "--need", "扩建门店", as_="rep_b1").exit_code == 0
    before = query(db_url, "select count(*) from db_audit where operation = 'lookup'")[0][0]
    assert cli("claim", "list", "--format", "json", as_="rep_b1").exit_code == 0
    assert query(db_url, "select count(*) from db_audit where operation = 'lookup'")[0][0] == before
