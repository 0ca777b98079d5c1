"""Every role of the org chart connects to the team server with psycopg directly (not through salesctl).

The data is set up through salesctl by the administrator (`--as`); then each
person opens their own login with psycopg and proves what PostgreSQL itself
enforces: they read exactly the rows permissions.py allows on every table (all
visible rows are dumped and searched for other reps' customer names, phones and
contacts), their UPDATE and DELETE of other people's rows change nothing, they
cannot delete or alter audit entries or ledger rows, and they cannot create or
alter tables. An UPDATE made with psycopg shows up in `salesctl audit`.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from conftest import ORG_HANDLES, TEST_DB, enable_logins, query

pytestmark = pytest.mark.skipif(not TEST_DB.startswith("postgresql"), reason="team server (PostgreSQL) only")

psycopg = pytest.importorskip("psycopg")

# customer name → (owner, contact, phone)
DATA = {
    "甲一私有客户": ("rep_a1", "甲一联系人", "13900000001"),
    "甲二私有客户": ("rep_a2", "甲二联系人", "13900000002"),
    "乙一私有客户": ("rep_b1", "乙一联系人", "13900000003"),
}
POOL = "公海线索客户"
# who sees which customers (permissions.py: rep own; managers their team and the pool; assistant their
# manager's team and the pool; director and gm everything)
SEES = {
    "rep_a1": {"甲一私有客户"},
    "rep_a2": {"甲二私有客户"},
    "rep_b1": {"乙一私有客户"},
    "mgr_a": {"甲一私有客户", "甲二私有客户", POOL},
    "mgr_b": {"乙一私有客户", POOL},
    "rm_b": {"乙一私有客户", POOL},
    "asst_b": {"乙一私有客户", POOL},
    "dir": set(DATA) | {POOL},
    "boss": set(DATA) | {POOL},
}


def connect(url: str):
    u = make_url(url)
    return psycopg.connect(dbname=u.database, user=u.username, host=u.query.get("host") or u.host,
                           port=u.port, autocommit=True)


@pytest.fixture
def world(org, cli, db_url, tmp_path):
    for name, (owner, contact, phone) in DATA.items():
        steps = [
            ("customer", "add", name, "--contact", contact, "--title", "经理", "--phone", phone, "--status", "following"),
            ("visit", "log", name, "--content", f"{name}拜访内容", "--result", "顺利", "--contact", contact,
             "--at", "2026-11-26T17:00"),
            ("deal", "add", name, "--title", f"{name}项目", "--amount", "1000"),
            ("report", "daily", "--date", "2026-11-26", "--summary", f"{name}日报", "--plan", "计划", "--submit"),
        ]
        for step in steps:
            result = cli(*step, as_=owner, now="2026-11-26T09:00+08:00" if step[1] == "add" and step[0] == "customer" else "2026-11-26T18:00+08:00")
            assert result.exit_code == 0, (owner, step, result)
    deal_ids = dict(query(db_url, "select c.name, d.id from deal d join customer c on c.id = d.customer_id"))
    for name, (owner, _, _) in DATA.items():
        assert cli("deal", "won", str(deal_ids[name]), as_=owner).exit_code == 0
        assert cli("payment", "add", str(deal_ids[name]), "--amount", "100", "--date", "2026-11-27",
                   "--note", f"{name}回款", as_=owner).exit_code == 0
    lead = cli("lead", "add", POOL, "--contact", "线索联系人", "--title", "主任", "--phone", "13900000009",
               "--source", "展会", "--industry", "Retail", "--region", "North", as_="asst_b")
    assert lead.exit_code == 0, lead
    pw = tmp_path / "pw"
    pw.write_text("Archive-pass-2026\n")
    pw.chmod(0o600)
    for person in ("rep_a1", "rep_b1"):
        assert cli("archive", "password", "set", "--password-file", str(pw), as_=person).exit_code == 0
    return enable_logins(cli, db_url, ORG_HANDLES, "boss")


def _tables(conn) -> list[str]:
    from salesctl.rls import TABLES

    present = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    return [t for t in TABLES if t in present]


def _dump(conn, table) -> str:
    return "\n".join(repr(row) for row in conn.execute(f'SELECT * FROM "{table}"'))


@pytest.mark.parametrize("person", ORG_HANDLES)
def test_each_login_reads_exactly_what_the_handbook_allows(world, person, db_url):
    with connect(world[person]) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM customer")}
        assert names == SEES[person]
        everything = "\n".join(_dump(conn, t) for t in _tables(conn))
        hidden = [n for n in set(DATA) - SEES[person]]
        for name in hidden:
            _, contact, phone = DATA[name]
            for secret in (name, contact, phone, f"{name}拜访内容", f"{name}项目", f"{name}回款", f"{name}日报"):
                assert secret not in everything, (person, secret)
        for name in SEES[person] - {POOL}:
            assert DATA[name][1] in everything  # their own contacts are there
        # archive passwords (hashes only): one's own; a manager's team's too (a manager resets a forgotten one)
        seen = {r[0] for r in conn.execute(
            "SELECT s.handle FROM archive_password a JOIN staff s ON s.id = a.staff_id")}
        owners_seen = {DATA[n][0] for n in SEES[person] - {POOL}}
        expected = {"rep_a1", "rep_b1"} & ({person} | (owners_seen if person not in ("rep_a1", "rep_a2", "rep_b1", "asst_b")
                                                      else set()))
        assert seen == expected, (person, seen)
        # the org chart itself is open to every login
        assert conn.execute("SELECT count(*) FROM staff").fetchone()[0] == 9


@pytest.mark.parametrize("person", ("rep_a2", "rep_b1", "asst_b", "rm_b", "mgr_b"))
def test_updates_and_deletes_of_other_peoples_rows_change_nothing(world, person, db_url):
    before = query(db_url, "select id, address, grade, owner_id from customer order by id")
    contacts = query(db_url, "select id, phone from contact order by id")
    with connect(world[person]) as conn:
        cur = conn.execute("UPDATE customer SET address = 'hacked', owner_id = salesctl_me() WHERE name = '甲一私有客户'")
        assert cur.rowcount == 0
        cur = conn.execute("UPDATE contact SET phone = '0' WHERE name = '甲一联系人'")
        assert cur.rowcount == 0
        for table in ("customer", "contact", "visit", "deal", "payment", "report"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f'DELETE FROM "{table}"')
    assert query(db_url, "select id, address, grade, owner_id from customer order by id") == before
    assert query(db_url, "select id, phone from contact order by id") == contacts


@pytest.mark.parametrize("person", ("rep_a1", "mgr_a", "boss"))
def test_nobody_but_the_administrator_changes_the_trail_or_the_schema(world, person, db_url):
    counts = {t: query(db_url, f"select count(*) from {t}")[0][0] for t in ("audit_entry", "db_audit", "ownership_entry")}
    with connect(world[person]) as conn:
        for sql in ("DELETE FROM audit_entry", "UPDATE audit_entry SET action = 'x'", "DELETE FROM db_audit",
                    "UPDATE db_audit SET db_user = 'x'", "DELETE FROM ownership_entry",
                    "UPDATE ownership_entry SET note = 'x'", "TRUNCATE audit_entry",
                    "INSERT INTO db_audit (at, db_user, operation, table_name) VALUES (now(), 'x', 'insert', 'x')",
                    "CREATE TABLE sneaky (id integer)", "ALTER TABLE customer ADD COLUMN sneaky integer",
                    "ALTER TABLE customer DISABLE ROW LEVEL SECURITY", "DROP POLICY salesctl_select ON customer",
                    "DROP TABLE visit", "UPDATE staff SET role = 'gm' WHERE id = salesctl_me()",
                    "UPDATE staff SET login_role = 'x' WHERE id = salesctl_me()"):
            if person == "boss" and "role = 'gm'" in sql:
                continue  # the gm is the gm already
            with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException)):
                conn.execute(sql)
    assert {t: query(db_url, f"select count(*) from {t}")[0][0] for t in counts} == counts
    assert query(db_url, "select count(*) from staff where role = 'gm'") == [(1,)]


def test_a_psql_update_of_ones_own_customer_shows_in_salesctl_audit(world, cli, db_url):
    role = make_url(world["rep_a1"]).username
    with connect(world["rep_a1"]) as conn:
        conn.execute("SET application_name = 'psql'")
        cur = conn.execute("UPDATE customer SET address = '直接改的地址' WHERE name = '甲一私有客户'")
        assert cur.rowcount == 1
    cli.logins = world
    rows = cli("audit", "--format", "json", as_="rep_a1").json()
    direct = [r for r in rows if r["source"] == "db"]
    assert direct and direct[0]["action"] == "db.update" and direct[0]["entity"] == "customer"
    assert direct[0]["db_user"] == role and direct[0]["actor"] == "rep_a1"
    assert "直接改的地址" in direct[0]["after"]
    # the other team's manager sees nothing of it; rep_a1's manager does
    assert not [r for r in cli("audit", "--format", "json", as_="mgr_b").json() if r["source"] == "db"]
    assert [r for r in cli("audit", "--format", "json", as_="mgr_a").json() if r["source"] == "db"]


def test_a_manager_resets_a_team_members_archive_password_through_their_own_login(world, cli, db_url, tmp_path):
    """`archive password reset` works under row-level security for the manager of the person only (0011)."""
    temp = tmp_path / "temp"
    temp.write_text("Temporary-pass-2026\n")
    temp.chmod(0o600)
    cli.logins = world
    count = lambda: query(db_url, "SELECT count(*) FROM archive_password a JOIN staff s ON s.id = a.staff_id "
                                  "WHERE s.handle = 'rep_a1'")[0][0]
    before = count()
    for actor in ("rep_a2", "mgr_b"):
        result = cli("archive", "password", "reset", "rep_a1", "--password-file", str(temp), as_=actor)
        assert result.exit_code == 3, (actor, result)
    assert count() == before
    result = cli("archive", "password", "reset", "rep_a1", "--password-file", str(temp), as_="mgr_a")
    assert result.exit_code == 0, result
    assert count() == before + 1


@pytest.mark.parametrize("person", ("rep_a1", "mgr_a", "dir"))
def test_the_policies_leave_the_planner_its_indexes(world, person):
    """Issue 15 item 8 (migration 0015): the customer rule can be served from the owner index for every role
    (a constant sees-all arm in the OR made a sequential scan the only plan), and the customer owner's
    reading of visits and deals probes the customer by primary key instead of hashing every visible customer."""
    with connect(world[person]) as conn:
        conn.execute("SET enable_seqscan = off")  # with a few rows the planner would scan anyway
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN SELECT id, name FROM customer"))
        assert "Seq Scan on customer" not in plan, plan
        for table in ("visit", "deal"):
            plan = "\n".join(r[0] for r in conn.execute(f'EXPLAIN SELECT id FROM "{table}"'))
            assert "hashed SubPlan" not in plan, plan
            assert "customer_pkey" in plan, plan
        # still exactly the handbook's rows
        assert {r[0] for r in conn.execute("SELECT name FROM customer")} == SEES[person]
