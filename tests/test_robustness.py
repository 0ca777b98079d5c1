"""Bad input never crashes salesctl and never slips through (issue 17): each case the fuzz and the hand-written
attacks found, as a test that failed on the landed main."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from decimal import Decimal

import pytest

from conftest import query


def refused(result, code, *needles):
    assert result.exception is None, result
    assert result.exit_code == code, result
    lines = result.stderr.rstrip("\n").split("\n")
    assert lines[0].startswith("error: "), result
    assert len(lines) <= 2 and "Usage:" not in result.stderr, result
    for needle in needles:
        assert needle in result.stderr, (needle, result)


def audit_count(url):
    return query(url, "SELECT count(*) FROM audit_entry")[0][0]


# --------------------------------------------------------------------------- ids
@pytest.mark.parametrize("args, field", [
    (("deal", "show", "99999999999999999999"), "deal"),
    (("deal", "show", "3000000000"), "deal"),
    (("claim", "approve", "3000000000"), "claim_id"),
    (("complaint", "show", "99999999999999999999"), "complaint_id"),
    (("meeting", "show", "3000000000"), "meeting"),
    (("audit", "--id", "99999999999999999999"), "--id"),
    (("customer", "list", "--limit", "99999999999999999999"), "--limit"),
])
def test_ids_beyond_the_columns_range_are_refused_naming_the_field(demo, cli, args, field):
    refused(cli(*args), 2, field)


def test_a_run_of_digits_beyond_the_range_is_no_customer_id(demo, cli):
    result = cli("customer", "show", "99999999999999999999")
    assert result.exception is None and result.exit_code == 4, result


# --------------------------------------------------------------------------- money
def test_money_grammar():
    from salesctl.errors import InvalidInput
    from salesctl.money import MAX_AMOUNT, parse_money

    for text, value in [("1,234.50", "1234.50"), ("1234", "1234.00"), ("¥12", "12.00"), ("12元", "12.00"),
                        ("RMB 5.5", "5.50"), ("-150.50", "-150.50"), ("999,999,999,999.99", "999999999999.99")]:
        assert parse_money(text) == Decimal(value), text
    for text in ["1,2.3", "1e3", "1_000", "12,34", "1,2345", "1.234", "١٢", "²", "", "NaN", "inf", "1 000", "--1",
                 "99999999999999999999999", str(MAX_AMOUNT + Decimal("0.01"))]:
        with pytest.raises(InvalidInput):
            parse_money(text)


@pytest.mark.parametrize("amount, needle", [("1,2.3", "1,2.3"), ("1e3", "1e3"), ("1_000", "1_000"),
                                            ("99999999999999999999999", "largest")])
def test_payment_amounts_outside_the_grammar_write_nothing(demo, cli, amount, needle):
    before = query(demo, "SELECT count(*) FROM payment")
    refused(cli("payment", "add", "1", "--amount", amount, "--date", "today", as_="wang.fang"), 2, "--amount", needle)
    assert query(demo, "SELECT count(*) FROM payment") == before


def test_deal_amount_beyond_the_maximum_is_refused(demo, cli):
    refused(cli("deal", "add", "苏州新华精密机械", "--title", "x", "--amount", "99999999999999999999999", as_="wang.fang"),
            2, "--amount")


# --------------------------------------------------------------------------- files and times
def test_a_text_file_that_is_not_utf8_names_the_file_and_the_encoding(demo, cli, tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_bytes("[plan]\nname = \"提成\"\n".encode("gb18030"))
    refused(cli("commission", "plan", "check", str(plan)), 2, "plan.toml", "UTF-8")


def test_a_minutes_file_that_is_not_utf8_is_refused(demo, cli, tmp_path):
    minutes = tmp_path / "minutes.txt"
    minutes.write_bytes("- 跟进 @wang.fang\n".encode("gb18030"))
    refused(cli("meeting", "new", "--minutes-file", str(minutes), as_="zhang.wei"), 2, "minutes.txt", "UTF-8")


def test_impossible_times_of_day_are_refused(demo, cli):
    before = query(demo, "SELECT count(*) FROM visit")
    refused(cli("visit", "log", "苏州新华精密机械", "--content", "x", "--result", "y", "--contact", "z", "--at", "25:99",
                as_="wang.fang"), 2, "--at", "25:99")
    assert query(demo, "SELECT count(*) FROM visit") == before


def test_dates_at_the_end_of_the_calendar_are_refused_not_overflowed(demo, cli):
    refused(cli("meeting", "list", "--since", "9999-12-31"), 2, "--since")


# --------------------------------------------------------------------------- refusals are one line
def test_a_usage_error_is_one_error_line_with_a_hint(demo, cli):
    result = cli("customer", "list", "--bogus")
    refused(result, 2, "--bogus")
    assert result.stderr.splitlines()[1].startswith("hint: ")


def test_an_echoed_value_is_truncated(demo, cli):
    result = cli("whoami", as_="x" * 100_000)
    assert result.exit_code == 3, result
    assert len(result.stderr) < 1000, len(result.stderr)


# --------------------------------------------------------------------------- swallowed input
@pytest.mark.parametrize("args, as_, needle", [
    (("db", "check", "--format", "xml"), None, "--format"),
    (("--as", "", "whoami"), None, "--as"),
    (("customer", "list", "--grade", ""), None, "grade"),
    (("customer", "add", "某新公司", "--contact", "张三", "--title", "经理", "--phone", "13900001111",
      "--status", "following", "--grade", ""), "wang.fang", "grade"),
    (("staff", "add", "new.rep", "--name", "新人", "--role", "assistant", "--manager", "zhang.wei",
      "--email", "not-an-email"), None, "email"),
    (("staff", "add", "new.rep", "--name", "新人", "--role", "assistant", "--manager", "zhang.wei",
      "--phone", "12abc"), None, "phone"),
    (("customer", "add", "苏州新华精密机械", "--contact", "张三", "--title", "经理", "--phone", "13900001111",
      "--status", "following", "--force-claim"), "zhou.jie", "--need"),
])
def test_bad_input_that_exited_0_is_refused(demo, cli, args, as_, needle):
    before = audit_count(demo)
    refused(cli(*args, as_=as_), 2, needle)
    assert audit_count(demo) == before


def test_db_check_runs_for_someone_who_is_not_staff(demo, cli):
    result = cli("db", "check", as_="root.admin")
    assert result.exit_code == 0, result


def test_a_mistyped_database_path_creates_no_file(demo, cli, tmp_path):
    typo = tmp_path / "typo.db"
    refused(cli("--db", f"sqlite:///{typo}", "staff", "list"), 2, "init")
    assert not typo.exists()
    refused(cli("--db", "", "staff", "list"), 2, "--db")


def test_db_backup_is_audited_and_private(demo, cli, tmp_path):
    if not demo.startswith("sqlite"):
        pytest.skip("SQLite backups")
    target = tmp_path / "copy.db"
    result = cli("db", "backup", str(target))
    assert result.exit_code == 0, result
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert query(demo, "SELECT count(*) FROM audit_entry WHERE action = 'db.backup'") == [(1,)]


def test_a_read_only_database_file_can_be_read(demo, cli, tmp_path):
    if not demo.startswith("sqlite") or os.geteuid() == 0:
        pytest.skip("file permissions on SQLite, not as root")
    path = demo.split("///", 1)[1]
    from salesctl import db

    db.dispose_all()
    os.chmod(path, 0o400)
    try:
        result = cli("staff", "list")
        assert result.exit_code == 0, result
    finally:
        os.chmod(path, 0o600)


@pytest.mark.parametrize("make", [
    lambda tmp: str(tmp / "/".join(["d" * 200] * 30) / "x.csv"),  # a path over PATH_MAX
    lambda tmp: str(tmp / ("p" * 300 + ".csv")),  # a file name over NAME_MAX
])
def test_a_path_over_the_file_systems_limit_is_refused_and_echoed_short(demo, cli, db_url, tmp_path, make):
    path = make(tmp_path)
    before = _customer_rows(db_url)
    for args in (("import", "customers", path), ("export", "customers", "--out", path), ("policy", "check", path),
                 ("customer", "archive", "open", path), ("archive", "password", "set", "--old-password-file", path)):
        result = cli(*args, as_="wang.fang")
        refused(result, 2)
        assert len(result.stderr) < 600 and "characters)" in result.stderr, result
    assert _customer_rows(db_url) == before


# --------------------------------------------------------------------------- stored text: lengths and NUL
def _customer_rows(url):
    return query(url, "SELECT count(*), (SELECT count(*) FROM contact) FROM customer")[0]


def test_text_over_a_columns_length_is_refused_the_same_on_both_databases(demo, cli, db_url):
    before, audits = _customer_rows(db_url), audit_count(db_url)
    result = cli("customer", "add", "长" * 301, "--contact", "王", "--title", "经理", "--phone", "13900003333",
                 "--status", "following", as_="wang.fang")
    refused(result, 2, "name", "301 characters", "at most 300")
    result = cli("customer", "add", "长度测试公司", "--contact", "c" * 201, "--title", "经理", "--phone", "13900003333",
                 "--status", "following", as_="wang.fang")
    refused(result, 2, "contact name", "at most 200")
    assert _customer_rows(db_url) == before and audit_count(db_url) == audits
    added = cli("customer", "add", "长度测试公司", "--contact", "王", "--title", "经理", "--phone", "13900003333",
                "--status", "following", as_="wang.fang")
    assert added.exit_code == 0, added
    result = cli("customer", "edit", "长度测试公司", "--address", "路" * 501, as_="wang.fang")
    refused(result, 2, "customer address", "at most 500")
    assert query(db_url, "SELECT address FROM customer WHERE name = '长度测试公司'") == [(None,)]


def test_nul_and_over_long_text_in_an_import_are_refused_and_nothing_is_written(demo, cli, db_url, tmp_path):
    header = "name,contact,title,phone,status\n"
    files = {
        "nul.csv": (header + "华\x00为,王,经理,13812345679,following\n", ("name", "NUL")),
        "long.csv": (header + "好公司,王,经理,13812345670,following\n" + "长" * 400 + ",李,经理,13812345671,following\n",
                     ("name", "400 characters", "at most 300")),
        "field.csv": (header + '"' + "z" * 200_000 + '",王,经理,13812345678,following\n',
                      ("line 2", "longer than 131072 characters")),
    }
    before, audits = _customer_rows(db_url), audit_count(db_url)
    for name, (body, needles) in files.items():
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        result = cli("import", "customers", str(path), as_="wang.fang")
        refused(result, 2, *needles)
        assert "Traceback" not in result.stderr
    assert _customer_rows(db_url) == before and audit_count(db_url) == audits


def test_a_nul_in_a_minutes_or_content_file_is_refused(demo, cli, db_url, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("背景\x00资料", encoding="utf-8")
    before = query(db_url, "SELECT count(*) FROM profile_section")
    result = cli("customer", "profile", "苏州新华精密机械", "--section", "background", "--text-file", str(notes), as_="wang.fang")
    assert result.exit_code == 2, result
    assert "NUL" in result.stderr
    assert query(db_url, "SELECT count(*) FROM profile_section") == before


# --------------------------------------------------------------------------- terminal injection
def test_escape_sequences_in_stored_text_are_printed_harmlessly(demo, cli, db_url):
    name = "\x1b[2J\x1b]0;owned\x07清屏公司\u202e"
    result = cli("customer", "add", name, "--contact", "\x1b[31m张三", "--title", "经理", "--phone", "13900002222",
                 "--status", "following", as_="wang.fang")
    assert result.exit_code == 0, result
    assert query(db_url, "SELECT name FROM customer WHERE name LIKE '%清屏公司%'") == [(name,)]  # stored as given
    for output in (cli("customer", "list", as_="wang.fang"), cli("customer", "show", "清屏公司", as_="wang.fang"),
                   cli("customer", "list", "--format", "markdown", as_="wang.fang")):
        assert output.exit_code == 0, output
        assert "清屏公司" in output.stdout
        assert "\x1b" not in output.stdout and "\x07" not in output.stdout and "\u202e" not in output.stdout
        assert "\x1b" not in output.stderr
    listed = cli("customer", "list", "--format", "json", as_="wang.fang")
    assert name in [row["name"] for row in listed.json()]  # JSON keeps the data exactly


def test_hand_built_rich_output_at_a_terminal_is_harmless_too(demo, cli, db_url, monkeypatch):
    """Charts, trees and forms drawn with Rich at a terminal go through render.console()/rich_text as well."""
    from salesctl import render

    evil = "\x1b[2J\x1b]0;owned\x07"
    assert cli("staff", "edit", "wang.fang", "--name", evil + "王芳").exit_code == 0
    report = cli("report", "daily", "--date", "2026-11-27", "--summary", evil + "今天拜访了客户", "--plan", evil + "明天",
                 "--submit", "--format", "json", as_="zhou.jie")
    assert report.exit_code == 0, report
    report_id = report.json()["id"]
    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)
    for args in (("staff", "tree"), ("eval", "--month", "2026-11", "--team"), ("report", "show", str(report_id)),
                 ("customer", "list"), ("summary", "week", "--all"), ("deal", "pipeline")):
        result = cli(*args)
        assert result.exit_code == 0, (args, result)
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout, (args, result.stdout[:500])
    assert "今天拜访了客户" in cli("report", "show", str(report_id)).stdout


def test_an_error_line_never_carries_a_newline_or_escape(demo, cli):
    result = cli("customer", "list", "--grade", "\x1b[2J\nforged line")
    refused(result, 2, "--grade")
    assert "\x1b" not in result.stderr and "forged line" in result.stderr.splitlines()[0]


# --------------------------------------------------------------------------- private files
def test_a_fresh_default_database_and_config_file_are_owner_only(cli, tmp_path, monkeypatch):
    from salesctl import config

    result = cli("init", "--admin", "boss", "--name", "老板", "--role", "gm")
    assert result.exit_code == 0, result
    assert cli("config", "set", "user", "boss").exit_code == 0
    for path in (config.default_db_path(), config.config_path()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for suffix in ("-wal", "-shm"):
        extra = config.default_db_path().with_name(config.default_db_path().name + suffix)
        if extra.exists():
            assert stat.S_IMODE(extra.stat().st_mode) == 0o600, extra


def test_a_password_in_the_db_url_is_refused_and_never_printed(cli, tmp_path):
    refused(cli("config", "set", "db", "postgresql+psycopg://sales:secret@db.example/sales"), 2, ".pgpass")
    from salesctl import config

    assert "secret" not in (config.config_path().read_text() if config.config_path().exists() else "")
    config.config_path().write_text('db = "postgresql+psycopg://sales:secret@db.example/sales"\n')
    for result in (cli("config", "get", "db"), cli("config", "get")):
        assert result.exit_code == 0, result
        assert "secret" not in result.stdout and "db.example" in result.stdout


# --------------------------------------------------------------------------- uniqueness kept by the database
def test_one_meeting_per_team_per_week_whatever_the_time_zone(demo, cli, db_url):
    first = cli("meeting", "new", as_="zhang.wei", env={"SALESCTL_TZ": "UTC"})
    assert first.exit_code == 0, first
    second = cli("meeting", "new", as_="zhang.wei", env={"SALESCTL_TZ": "Asia/Shanghai"})
    assert second.exit_code == 5, second
    weeks = query(db_url, "SELECT week FROM meeting WHERE team_manager_id = (SELECT id FROM staff WHERE handle = 'zhang.wei')"
                          " AND week = '2026-W48'")
    assert weeks == [("2026-W48",)]


ADD = """
import sys
from salesctl.cli import app
sys.argv = ["salesctl", "--as", sys.argv[1], "--now", "2026-11-27T17:30:00+08:00", "customer", "add", sys.argv[2],
            "--contact", "张三", "--title", "经理", "--phone", sys.argv[3], "--status", "following"]
app(prog_name="salesctl")
"""


def test_two_simultaneous_adds_with_the_same_phone_give_one_customer(demo, db_url, tmp_path):
    env = {k: v for k, v in os.environ.items()}
    env["SALESCTL_DB"] = db_url
    rounds = 20 if db_url.startswith("postgresql") else 5
    for n in range(rounds):
        phone = f"1390000{n:04d}"
        procs = [subprocess.Popen([sys.executable, "-c", ADD, who, f"竞争公司{n}{who}", phone], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for who in ("wang.fang", "zhou.jie")]
        results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 5], (n, results)
        loser = next(err for code, _, err in results if code == 5)
        assert "duplicate" in loser and "owned by" in loser and "UNIQUE" not in loser.upper().replace("UNIQUE'", ""), loser
        assert query(db_url, "SELECT count(*) FROM customer WHERE phone_norm = :p", p=phone) == [(1,)]
