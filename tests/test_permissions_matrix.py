"""The access-control matrix: every command that reads or changes a record, × every role outside its reach.

One rep's (rep_a1, team of mgr_a) customer, visit, deal, payment, report,
complaint and meeting action are set up through the CLI, each carrying a
secret string. Then every other kind of person who must not reach them — a
rep of the same team, a rep of another team, another team's assistant,
regional manager and manager — runs every command against them:

* a command naming the record is refused with exit 3, writes nothing, and its
  output carries none of the record's fields (no secret);
* a list/summary/export command succeeds (or is refused) and shows none of it.

The owner, their manager, the director and the gm run the read commands and
do see the record. Failures are collected so one run reports the whole matrix.
"""

from __future__ import annotations

import pytest

from conftest import ORG_HANDLES, TEST_DB, enable_logins, query

SECRETS = ("秘密联系人", "13900001111", "机密内容", "机密项目", "机密总结", "机密投诉", "机密行动", "机密计划")
CUSTOMER = "机密客户"
OUTSIDERS = ("rep_a2", "rep_b1", "asst_b", "rm_b", "mgr_b")
INSIDERS = ("rep_a1", "mgr_a", "dir", "boss")
PASSWORD = "Matrix-pass-2026"


@pytest.fixture
def world(org, cli, tmp_path):
    steps = [
        ("rep_a1", "customer", "add", CUSTOMER, "--contact", "秘密联系人", "--title", "经理", "--phone", "13900001111",
         "--status", "following", "--address", "机密地址"),
        ("rep_a1", "visit", "log", CUSTOMER, "--content", "机密内容", "--result", "顺利", "--contact", "秘密联系人",
         "--at", "2026-11-27T10:00"),
        ("rep_a1", "deal", "add", CUSTOMER, "--title", "机密项目", "--amount", "1000"),
        ("rep_a1", "deal", "won", "1"),
        ("rep_a1", "payment", "add", "1", "--amount", "100", "--date", "2026-11-26"),
        ("rep_a1", "report", "daily", "--date", "2026-11-27", "--summary", "机密总结", "--plan", "机密计划", "--submit"),
        ("rep_a1", "complaint", "add", CUSTOMER, "--text", "机密投诉"),
    ]
    for i, (actor, *args) in enumerate(steps):
        result = cli(*args, as_=actor, now="2026-11-20T09:00+08:00" if i == 0 else None)
        assert result.exit_code == 0, (args, result)
    minutes = tmp_path / "minutes.md"
    minutes.write_text("- [ ] @rep_a1 机密行动 (due 2026-12-04)\n", encoding="utf-8")
    assert cli("meeting", "new", "--date", "2026-11-23", "--minutes-file", str(minutes), as_="mgr_a").exit_code == 0
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n")
    pw.chmod(0o600)
    for person in OUTSIDERS + INSIDERS:
        assert cli("archive", "password", "set", "--password-file", str(pw), as_=person).exit_code == 0
    return {"customer": "1", "deal": "1", "report": "1", "complaint": "1", "meeting": "1", "action": "1", "pw": str(pw),
            "out": str(tmp_path / "out.xlsx")}


def targeted(w):
    """Commands naming rep_a1's records: every outsider must get exit 3."""
    c, d, r, k = w["customer"], w["deal"], w["report"], w["complaint"]
    return [
        ("customer", "show", c),
        ("customer", "show", CUSTOMER),
        ("customer", "edit", c, "--address", "x"),
        ("customer", "history", c),
        ("customer", "contact", "list", c),
        ("customer", "contact", "add", c, "--name", "X", "--title", "T", "--phone", "13900002222"),
        ("customer", "profile", c, "--section", "background", "--text", "x"),
        ("customer", "regrade", c, "B", "--reason", "x"),
        ("customer", "archive", "export", "--rep", "rep_a1", "--out", w["out"], "--password-file", w["pw"]),
        ("visit", "log", c, "--content", "x", "--result", "y", "--contact", "z", "--at", "2026-11-27T11:00"),
        ("visit", "list", "--rep", "rep_a1"),
        ("visit", "due", "--rep", "rep_a1"),
        ("deal", "add", c, "--title", "x", "--amount", "1"),
        ("deal", "show", d),
        ("deal", "advance", d, "--to", "5"),
        ("deal", "lost", d, "--reason", "price"),
        ("deal", "list", "--rep", "rep_a1"),
        ("deal", "pipeline", "--rep", "rep_a1"),
        ("payment", "add", d, "--amount", "1", "--date", "2026-11-26"),
        ("payment", "list", "--rep", "rep_a1"),
        ("report", "show", r),
        ("report", "review", r, "--comment", "x"),
        ("report", "daily", "--rep", "rep_a1", "--date", "2026-11-27"),
        ("report", "list", "--rep", "rep_a1"),
        ("report", "missing", "--rep", "rep_a1"),
        ("summary", "week", "--rep", "rep_a1"),
        ("summary", "week", "--manager", "mgr_a"),
        ("summary", "month", "--rep", "rep_a1"),
        ("customer", "list", "--rep", "rep_a1"),
        ("customer", "grades", "--rep", "rep_a1"),
        ("complaint", "show", k),
        ("complaint", "update", k, "--status", "in_progress", "--note", "x"),
        ("complaint", "resolve", k, "--resolution", "x"),
        ("complaint", "close", k, "--satisfaction", "5"),
        ("meeting", "show", w["meeting"]),
        ("meeting", "action", "done", w["action"]),
        ("commission", "statement", "rep_a1", "--month", "2026-11"),
        ("commission", "calc", "--month", "2026-11", "--rep", "rep_a1"),
        ("commission", "settle", "--month", "2026-11", "--rep", "rep_a1"),
        ("commission", "adjust", "rep_a1", "--month", "2026-11", "--amount", "10", "--reason", "x"),
        ("target", "set", "rep_a1", "--month", "2026-11", "--amount", "1000"),
        ("target", "list", "--rep", "rep_a1"),
        ("eval", "--month", "2026-11", "--rep", "rep_a1"),
        ("claim", "release", c),
        ("staff", "leave", "rep_a1", "--from", "2026-12-01"),
    ]


def listings(w):
    """Commands that list what the actor may see: must not show rep_a1's records to outsiders."""
    return [
        ("customer", "list", "--format", "json"),
        ("customer", "list", "--search", "机密"),
        ("visit", "list", "--since", "2026-11-01", "--format", "json"),
        ("visit", "due", "--days", "30"),
        ("deal", "list", "--format", "json"),
        ("payment", "list", "--format", "json"),
        ("report", "list", "--format", "json"),
        ("complaint", "list", "--format", "json"),
        ("meeting", "list", "--format", "json"),
        ("meeting", "actions", "--format", "json"),
        ("inbox", "--format", "json"),
        ("claim", "list", "--format", "json"),
        ("summary", "week", "--format", "json"),
        ("audit", "--format", "json"),
        ("export", "customers", "--format", "json"),
        ("export", "visits", "--format", "csv"),
    ]


# A team's meeting is the whole team's: its minutes and actions are open to everyone who
# attends it (rep_a2 sits in mgr_a's meeting); only other teams are outsiders there.
TEAM_WIDE = {("meeting", "show"), ("meeting", "actions")}


def _outsiders(args) -> tuple[str, ...]:
    return tuple(p for p in OUTSIDERS if p != "rep_a2") if tuple(args[:2]) in TEAM_WIDE else OUTSIDERS


def _leaks(result) -> list[str]:
    text = result.stdout + result.stderr
    return [s for s in SECRETS if s in text]


def _state(url):
    tables = ("customer", "contact", "visit", "deal", "payment", "report", "report_review", "complaint_event",
              "profile_section", "grade_change", "ownership_entry", "target", "commission_adjustment",
              "commission_settlement", "action_item", "leave")
    return {t: query(url, f"select count(*) from {t}")[0][0] for t in tables} | {
        "owner": query(url, "select owner_id, address, grade from customer where id = 1"),
        "deal": query(url, "select stage, status from deal where id = 1"),
        "complaint": query(url, "select status from complaint where id = 1"),
        "report": query(url, "select status from report where id = 1"),
    }


def test_outsiders_are_refused_everything_without_leaks(world, cli, db_url):
    before = _state(db_url)
    failures = []
    for args in targeted(world):
        for person in _outsiders(args):
            result = cli(*args, as_=person)
            if result.exit_code != 3:
                failures.append(f"{person}: {' '.join(args)} → exit {result.exit_code}: {result.stderr.strip()[:160]}")
            elif _leaks(result):
                failures.append(f"{person}: {' '.join(args)} leaked {_leaks(result)}")
            elif len(result.stderr.strip().splitlines()) != 1:
                failures.append(f"{person}: {' '.join(args)} refusal is not one line: {result.stderr!r}")
    assert failures == [], "\n".join(failures)
    assert _state(db_url) == before


def test_listings_show_outsiders_nothing_of_it(world, cli):
    failures = []
    for args in listings(world):
        for person in _outsiders(args):
            result = cli(*args, as_=person)
            if result.exit_code not in (0, 3):
                failures.append(f"{person}: {' '.join(args)} → exit {result.exit_code}: {result.stderr.strip()[:160]}")
            if _leaks(result) or (result.exit_code == 0 and CUSTOMER in result.stdout):
                failures.append(f"{person}: {' '.join(args)} shows rep_a1's records")
    assert failures == [], "\n".join(failures)


def test_the_owner_the_chain_above_and_the_top_do_see_it(world, cli):
    reads = [
        (("customer", "show", world["customer"]), "秘密联系人"),
        (("visit", "list", "--rep", "rep_a1", "--since", "2026-11-01"), "机密内容"),
        (("deal", "show", world["deal"]), "机密项目"),
        (("report", "show", world["report"]), "机密总结"),
        (("complaint", "show", world["complaint"]), "机密投诉"),
        (("meeting", "actions",), "机密行动"),
        (("commission", "statement", "rep_a1", "--month", "2026-11"), "rep_a1"),
        (("summary", "week", "--rep", "rep_a1", "--format", "json"), "rep_a1"),
    ]
    failures = []
    for args, needle in reads:
        for person in INSIDERS:
            result = cli(*args, as_=person)
            if result.exit_code != 0 or needle not in result.stdout:
                failures.append(f"{person}: {' '.join(args)} → exit {result.exit_code}, {needle!r} shown: {needle in result.stdout}")
    assert failures == [], "\n".join(failures)


def test_first_reporter_rule_reveals_only_owner_and_time(world, cli):
    """A duplicate or a claim on another rep's customer may name it, its owner and first report time, nothing else."""
    dup = cli("customer", "add", "机密客户有限公司", "--contact", "x", "--title", "y", "--phone", "13700000000",
              "--status", "following", as_="rep_b1")
    assert dup.exit_code == 5
    assert "rep_a1" in dup.stderr and not _leaks(dup) and "机密地址" not in dup.stderr
    claim = cli("claim", "add", CUSTOMER, "--need", "我们也在跟进", "--format", "json", as_="rep_b1")
    assert claim.exit_code == 0, claim
    data = claim.json()
    assert data["status"] == "pending" and data["holder"] == "rep_a1"
    assert not _leaks(claim) and "机密地址" not in claim.stdout + claim.stderr


@pytest.mark.skipif(not TEST_DB.startswith("postgresql"), reason="team server (PostgreSQL) only")
def test_the_matrix_holds_with_real_logins(world, cli, db_url):
    """The same matrix, each person connecting with their own PostgreSQL login (row-level security on)."""
    cli.logins = enable_logins(cli, db_url, ORG_HANDLES, "boss")
    assert cli("customer", "list", env={"SALESCTL_USER": "boss"}, as_="rep_a2").exit_code == 3  # really their login
    test_outsiders_are_refused_everything_without_leaks(world, cli, db_url)
    test_listings_show_outsiders_nothing_of_it(world, cli)
    test_the_owner_the_chain_above_and_the_top_do_see_it(world, cli)
    test_first_reporter_rule_reveals_only_owner_and_time(world, cli)
