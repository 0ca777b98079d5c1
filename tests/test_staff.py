"""Staff and the org chart through the real CLI: what users see, what is stored, every refusal."""

from __future__ import annotations

import json

from conftest import query


def test_staff_list_json_has_the_contract_keys(org, cli):
    result = cli("staff", "list", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    rows = result.json()
    assert [r["handle"] for r in rows] == ["boss", "dir", "mgr_a", "mgr_b", "rm_b", "rep_a1", "rep_a2", "rep_b1", "asst_b"]
    first = rows[0]
    assert set(first) >= {"id", "handle", "name", "role", "manager", "region", "industry", "active"}
    assert first["manager"] is None
    by = {r["handle"]: r for r in rows}
    assert by["rep_b1"]["manager"] == "rm_b"
    assert by["rep_a1"]["industry"] == "Retail"
    assert isinstance(by["rep_a1"]["id"], int)


def test_staff_list_csv_has_header(org, cli):
    result = cli("staff", "list", "--format", "csv", "--role", "rep", as_="dir")
    lines = result.stdout.splitlines()
    assert lines[0] == "id,handle,name,role,manager,region,industry,active,start_date"
    assert len(lines) == 4


def test_add_prints_id_and_stores_row_and_audit(org, cli, db_url):
    result = cli("staff", "add", "rep_a3", "--name", "新人", "--role", "rep", "--manager", "mgr_a",
                 "--region", "East", "--industry", "*", as_="mgr_a")
    assert result.exit_code == 0, result
    new_id = int(result.stdout.strip())
    assert query(db_url, "select handle, role, industry from staff where id = :i", i=new_id) == [("rep_a3", "rep", "*")]
    audit = query(db_url, "select action, entity_id, after from audit_entry where entity = 'staff' and entity_id = :i", i=new_id)
    assert audit[0][0] == "staff.add"
    assert json.loads(audit[0][2])["handle"] == "rep_a3"


def test_add_json_prints_record(org, cli):
    result = cli("staff", "add", "x1", "--name", "X", "--role", "assistant", "--manager", "mgr_a", "--format", "json", as_="dir")
    assert result.exit_code == 0, result
    assert result.json()["handle"] == "x1" and result.json()["manager"] == "mgr_a"


def _count(url):
    return query(url, "select count(*) from staff")[0][0]


def test_refusals_name_the_field_and_change_nothing(org, cli, db_url):
    before = _count(db_url)
    audit_before = query(db_url, "select count(*) from audit_entry")[0][0]
    cases = [
        (("staff", "add", "z", "--name", "Z", "--role", "boss", "--manager", "mgr_a"), 2, "--role"),
        (("staff", "add", "z", "--name", "Z", "--role", "rep", "--manager", "nobody", "--region", "E", "--industry", "I"), 4, "--manager"),
        (("staff", "add", "rep_a1", "--name", "Z", "--role", "rep", "--manager", "mgr_a", "--region", "E", "--industry", "I"), 5, "already exists"),
        (("staff", "add", "z", "--name", "Z", "--role", "rep", "--manager", "mgr_a"), 2, "--region and --industry"),
        (("staff", "add", "z", "--role", "rep"), 2, "--name"),
        (("staff", "add", "bad handle!", "--name", "Z", "--role", "assistant", "--manager", "mgr_a"), 2, "handle"),
        (("staff", "add", "z", "--name", "Z", "--role", "gm", "--manager", "boss"), 2, "--manager"),
        (("staff", "add", "z", "--name", "Z", "--role", "manager", "--manager", "rep_a1"), 2, "--manager"),
    ]
    for args, code, needle in cases:
        result = cli(*args, as_="dir")
        assert result.exit_code == code, (args, result)
        assert needle in result.stderr, (args, result)
        assert len(result.stderr.strip().splitlines()) == 1, result
        assert result.stdout == ""
    assert _count(db_url) == before
    assert query(db_url, "select count(*) from audit_entry")[0][0] == audit_before


def test_unknown_role_lists_the_valid_ones(org, cli):
    result = cli("staff", "add", "z", "--name", "Z", "--role", "ceo", as_="dir")
    assert result.exit_code == 2
    assert "gm, director, manager, regional_manager, rep, assistant" in result.stderr


def test_refusal_in_chinese_keeps_flag_and_exit_code(org, cli):
    result = cli("staff", "add", "z", "--name", "Z", "--role", "boss", "--manager", "mgr_a", as_="dir", lang="zh")
    assert result.exit_code == 2, result
    assert "不是有效的岗位" in result.stderr
    assert "--role" in result.stderr and "'boss'" in result.stderr
    assert "gm, director, manager, regional_manager, rep, assistant" in result.stderr  # accepted tokens untranslated
    assert "is not a role" not in result.stderr


def test_manager_cycle_is_refused(org, cli, db_url):
    # mgr_b is above rm_b: making mgr_b report to rm_b would close a loop
    result = cli("staff", "edit", "mgr_b", "--manager", "rm_b", "--role", "regional_manager", as_="dir")
    assert result.exit_code == 2, result
    assert "cycle" in result.stderr
    assert query(db_url, "select m.handle from staff s join staff m on s.manager_id = m.id where s.handle = 'mgr_b'") == [("dir",)]


def test_edit_and_deactivate(org, cli, db_url):
    result = cli("staff", "edit", "rep_a2", "--manager", "rm_b", "--region", "North", as_="dir")
    assert result.exit_code == 0, result
    assert query(db_url, "select region from staff where handle = 'rep_a2'") == [("North",)]
    result = cli("staff", "deactivate", "rep_a2", as_="dir")
    assert result.exit_code == 0, result
    assert query(db_url, "select active from staff where handle = 'rep_a2'") in ([(0,)], [(False,)])
    listed = cli("staff", "list", "--format", "json", as_="dir").json()
    assert "rep_a2" not in [r["handle"] for r in listed]
    listed = cli("staff", "list", "--inactive", "--format", "json", as_="dir").json()
    assert {r["handle"]: r["active"] for r in listed}["rep_a2"] is False
    # a deactivated person cannot act
    result = cli("whoami", as_="rep_a2")
    assert result.exit_code == 3


def test_deactivate_someone_with_reports_is_a_conflict(org, cli):
    result = cli("staff", "deactivate", "rm_b", as_="dir")
    assert result.exit_code == 5
    assert "rep_b1" not in result.stderr and "1 active" in result.stderr


def test_only_managers_change_the_org_chart(org, cli):
    result = cli("staff", "add", "z", "--name", "Z", "--role", "assistant", "--manager", "mgr_a", as_="rep_a1")
    assert result.exit_code == 3
    # a manager cannot add people to another manager's team
    result = cli("staff", "add", "z", "--name", "Z", "--role", "assistant", "--manager", "mgr_b", as_="mgr_a")
    assert result.exit_code == 3
    result = cli("staff", "edit", "rep_b1", "--name", "X", as_="mgr_a")
    assert result.exit_code == 3


def test_show_and_tree(org, cli):
    result = cli("staff", "show", "rep_b1", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    data = result.json()
    assert data["chain"] == ["rm_b", "mgr_b", "dir", "boss"]
    assert data["reviewing_manager"] == "rm_b"
    tree = cli("staff", "tree", as_="dir")
    assert tree.exit_code == 0
    lines = tree.stdout.splitlines()
    assert lines[0].startswith("老板 (boss)")
    assert any(line.startswith("        销售乙一 (rep_b1)") for line in lines), tree.stdout


def test_chinese_labels_and_alignment(org, cli):
    result = cli("staff", "list", "--role", "rep", as_="dir", lang="zh")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "员工"
    assert "账号" in lines[1] and "岗位" in lines[1]
    from wcwidth import wcswidth

    # every data row's "role" column starts at the same display column as the header's
    header = lines[1]
    col = wcswidth(header[: header.index("岗位")])
    for line in lines[3:]:
        idx = line.index("销售代表")
        assert wcswidth(line[:idx]) == col, result.stdout


def test_leave(org, cli, db_url):
    result = cli("staff", "leave", "rep_a1", "--from", "2026-12-01", "--to", "2026-12-03", "--reason", "病假", as_="mgr_a")
    assert result.exit_code == 0, result
    assert query(db_url, "select start, \"end\" from leave") in ([("2026-12-01", "2026-12-03")],) or len(query(db_url, "select id from leave")) == 1
    bad = cli("staff", "leave", "rep_a1", "--from", "2026-12-05", "--to", "2026-12-01", as_="mgr_a")
    assert bad.exit_code == 2 and "--to" in bad.stderr
    denied = cli("staff", "leave", "rep_a2", "--from", "2026-12-05", as_="rep_a1")
    assert denied.exit_code == 3
    listed = cli("staff", "leave", "rep_a1", "--list", "--format", "json", as_="mgr_a").json()
    assert listed == [{"id": listed[0]["id"], "handle": "rep_a1", "from": "2026-12-01", "to": "2026-12-03", "reason": "病假",
                       "status": "approved", "decided_by": "mgr_a", "decision_note": None}]  # a manager's: approved


def test_whoami_sources(org, cli, monkeypatch):
    assert "rep_a1" in cli("whoami", as_="rep_a1").stdout
    monkeypatch.setenv("SALESCTL_USER", "mgr_a")
    assert "mgr_a" in cli("whoami").stdout
    monkeypatch.delenv("SALESCTL_USER")
    # init made the first user the config's user
    assert "boss" in cli("whoami").stdout
    result = cli("config", "set", "user", "dir")
    assert result.exit_code == 0 and "Set user" in result.stderr, result
    assert cli("config", "get", "user").stdout == "dir\n"
    assert "(dir)" in cli("whoami").stdout
    bad = cli("config", "set", "colour", "red")
    assert bad.exit_code == 2 and "user, db, lang" in bad.stderr
    unknown = cli("whoami", as_="ghost")
    assert unknown.exit_code == 3
    assert "staff add ghost" in unknown.stderr


def test_audit_lists_writes_for_managers_only_their_team(org, cli):
    cli("staff", "edit", "rep_a1", "--name", "改名", as_="mgr_a")
    rows = cli("audit", "--format", "json", as_="dir").json()
    assert rows[0]["action"] == "staff.edit" and rows[0]["actor"] == "mgr_a"
    assert json.loads(rows[0]["before"])["name"] == "销售甲一"
    assert json.loads(rows[0]["after"])["name"] == "改名"
    # mgr_b sees nothing done by mgr_a's team or above
    assert all(r["actor"] in ("mgr_b", "rm_b", "rep_b1", "asst_b") for r in cli("audit", "--format", "json", as_="mgr_b").json())
