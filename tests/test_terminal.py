"""At a real pseudo-terminal (pexpect): Ctrl-C cancels the whole command, prompts and editors are
never inside a write transaction, the editor helper works, and `report daily`'s end-of-day flow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import FROZEN_NOW, query

pexpect = pytest.importorskip("pexpect")

ESC = "\x1b"


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SALESCTL_NO_INPUT", "VISUAL", "EDITOR")}
    env.update({"SALESCTL_NOW": FROZEN_NOW, "TERM": "xterm", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def spawn(*args, as_: str = "wang.fang", columns: int = 160, **env):
    child = pexpect.spawn(sys.executable, ["-m", "salesctl", "--as", as_, *args], env=_env(**env), encoding="utf-8",
                          timeout=60, dimensions=(50, columns))
    return child


def finish(child) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    text = child.before
    child.close()
    return child.exitstatus, text


def editor_script(tmp_path, body: str, name: str = "editor.py") -> str:
    script = tmp_path / name
    script.write_text(body, encoding="utf-8")
    return f"{sys.executable} {script}"


def customers(url) -> int:
    return query(url, "select count(*) from customer")[0][0]


# --------------------------------------------------------------------------- Ctrl-C
def test_ctrl_c_at_the_first_text_prompt_exits_130_at_once(demo):
    before = customers(demo)
    child = spawn("customer", "add", "终端测试公司")
    child.expect("Contact person")
    child.sendintr()
    code, text = finish(child)
    assert code == 130
    assert "cancelled, nothing written" in text
    assert "Title" not in text and "Aborted" not in text  # no next question, no click 'Aborted!'
    assert customers(demo) == before


def test_ctrl_c_at_the_grade_picker_adds_nothing(demo):
    before = customers(demo)
    child = spawn("customer", "add", "终端测试公司", "--contact", "王五", "--title", "经理", "--phone", "13812345678")
    child.expect("[Ss]tatus")
    child.send("\r")  # the status picker: the first status
    child.expect("[Gg]rade")
    child.sendintr()
    code, text = finish(child)
    assert code == 130 and "cancelled, nothing written" in text
    assert customers(demo) == before


def test_the_cancel_line_is_in_the_display_language(demo):
    child = spawn("--lang", "zh", "customer", "add", "终端测试公司", as_="wang.fang")
    child.expect("联")
    child.sendintr()
    code, text = finish(child)
    assert code == 130 and "已取消，未写入任何内容" in text


# --------------------------------------------------------------------------- no prompt inside a transaction
def test_an_open_prompt_does_not_lock_out_a_colleague(demo):
    # wang.fang's payment would overpay deal 1: the question waits at her terminal...
    child = spawn("payment", "add", "1", "--amount", "999999", "--date", "today", "--note", "终端")
    child.expect("(y/N)")
    # ...while zhou.jie logs a visit from another process
    other = subprocess.run([sys.executable, "-m", "salesctl", "--as", "wang.fang", "visit", "log", "上海永安自动化",
                            "--contact", "刘军", "--content", "回访", "--result", "满意"],
                           env=_env(SALESCTL_NO_INPUT="1"), capture_output=True, text=True, timeout=120)
    assert other.returncode == 0, other.stderr
    assert "locked" not in other.stderr
    child.send("n")
    code, text = finish(child)
    assert code == 2 and "overpay" in text.lower() or "exceed" in text.lower()
    assert query(demo, "select count(*) from payment where note = '终端'") == [(0,)]
    assert query(demo, "select count(*) from visit where content = '回访'") == [(1,)]


def test_yes_at_the_overpay_question_records_the_payment(demo):
    child = spawn("payment", "add", "1", "--amount", "999999", "--date", "today", "--note", "终端")
    child.expect("(y/N)")
    child.send("y")
    code, text = finish(child)
    assert code == 0, text
    assert query(demo, "select count(*) from payment where note = '终端'") == [(1,)]


# --------------------------------------------------------------------------- the editor
WRITE_BACKGROUND = (
    "import sys, pathlib\n"
    "pathlib.Path(sys.argv[1]).write_text('成立于1998年，年产值三亿', encoding='utf-8')\n"
)


def test_customer_profile_opens_the_editor_and_saves_its_text(demo, tmp_path):
    child = spawn("customer", "profile", "上海永安自动化", "--section", "background",
                  EDITOR=editor_script(tmp_path, WRITE_BACKGROUND))
    code, text = finish(child)
    assert code == 0, text
    stored = query(demo, "select p.text from profile_section p join customer c on c.id = p.customer_id "
                         "where c.name = '上海永安自动化' and p.section = 'background'")
    assert stored == [("成立于1998年，年产值三亿",)]


def test_an_editor_that_fails_writes_nothing(demo, tmp_path):
    failing = editor_script(tmp_path, "raise SystemExit(3)\n", "failing.py")
    child = spawn("customer", "profile", "上海永安自动化", "--section", "background", VISUAL=failing,
                  EDITOR="/bin/false-not-used")
    code, text = finish(child)
    assert code == 2 and "editor failed" in text
    assert query(demo, "select count(*) from profile_section p join customer c on c.id = p.customer_id "
                       "where c.name = '上海永安自动化' and p.section = 'background'") == [(0,)]


# --------------------------------------------------------------------------- report daily
FILL_DAILY = (
    "import sys, pathlib\n"
    "p = pathlib.Path(sys.argv[1])\n"
    "text = p.read_text(encoding='utf-8')\n"
    "out = []\n"
    "for line in text.splitlines():\n"
    "    out.append(line)\n"
    "    if line.startswith('== summary'): out.append('拜访三家客户，华光要报价')\n"
    "    if line.startswith('== plan'): out.append('给苏州新华发报价')\n"
    "p.write_text('\\n'.join(out), encoding='utf-8')\n"
    "import os; open(os.environ['SEEN'], 'w', encoding='utf-8').write(text)\n"
)


def test_report_daily_at_a_terminal_submits_in_the_documented_keystrokes(demo, tmp_path):
    seen = tmp_path / "template.txt"
    child = spawn("report", "daily", EDITOR=editor_script(tmp_path, FILL_DAILY), SEEN=str(seen))
    child.expect("What now")
    shown = child.before
    assert "拜访三家客户，华光要报价" in shown and "给苏州新华发报价" in shown  # the filled form, before asking
    child.send("\r")  # Submit is the first choice: one keystroke
    code, text = finish(child)
    assert code == 0, text
    assert "Submitted daily report" in text
    assert query(demo, "select status from report r join staff s on s.id = r.rep_id "
                       "where s.handle = 'wang.fang' and r.period = '2026-11-27'") == [("submitted",)]
    texts = json.loads(query(demo, "select texts from report r join staff s on s.id = r.rep_id "
                                   "where s.handle = 'wang.fang' and r.period = '2026-11-27'")[0][0])
    assert texts == {"summary": "拜访三家客户，华光要报价", "plan": "给苏州新华发报价"}
    template = seen.read_text(encoding="utf-8")
    assert "# Contacts of the period" in template and "# Your last plan" in template


def test_report_daily_without_an_editor_asks_one_line_each(demo):
    child = spawn("--lang", "zh", "report", "daily")
    child.expect("今日工作总结：")
    child.send("拜访三家客户\r")
    child.expect("明天的工作安排：")
    child.send("发报价\r")
    child.expect("接下来")
    child.send("\r")
    code, text = finish(child)
    assert code == 0, text
    assert query(demo, "select status from report r join staff s on s.id = r.rep_id "
                       "where s.handle = 'wang.fang' and r.period = '2026-11-27'") == [("submitted",)]


def test_report_daily_with_an_empty_plan_does_not_offer_submit_first(demo):
    child = spawn("report", "daily")
    child.expect("Today's summary:")
    child.send("拜访三家客户\r")
    child.expect("Tomorrow's plan:")
    child.send("\r")
    child.expect("still empty")
    child.send("\r")  # the first choice is now Save draft
    code, text = finish(child)
    assert code == 0, text
    assert query(demo, "select status from report r join staff s on s.id = r.rep_id "
                       "where s.handle = 'wang.fang' and r.period = '2026-11-27'") == [("draft",)]


def test_ctrl_c_in_the_report_flow_writes_nothing(demo):
    child = spawn("report", "daily")
    child.expect("Today's summary:")
    child.sendintr()
    code, text = finish(child)
    assert code == 130 and "cancelled, nothing written" in text
    assert query(demo, "select count(*) from report r join staff s on s.id = r.rep_id "
                       "where s.handle = 'wang.fang' and r.period = '2026-11-27'") == [(0,)]


# --------------------------------------------------------------------------- narrow terminals
def test_customer_list_at_80_columns_keeps_names_whole_and_says_what_was_hidden(demo, cli):
    names = [r[0] for r in query(demo, "select name from customer")]
    result = cli("customer", "list", "--all", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    from wcwidth import wcswidth

    assert all(wcswidth(line) <= 80 for line in lines), [line for line in lines if wcswidth(line) > 80]
    for name in names[:10]:
        assert any(name in line for line in lines)  # whole, never cut
    assert "hidden to fit the terminal: Region, Industry, Contact, Phone, Last contact" in result.stderr
    header = lines[1]
    for kept in ("ID", "Name", "Grade", "Status", "Owner"):
        assert kept in header
    wide = cli("customer", "list", "--all", env={"COLUMNS": "250"})
    assert "hidden" not in wide.stderr and "Industry" in wide.stdout


def test_customer_list_in_a_real_80_column_terminal(demo):
    child = spawn("customer", "list", "--all", columns=80, COLUMNS="80")
    code, text = finish(child)
    assert code == 0
    assert "hidden to fit the terminal" in text
    assert "苏州新华精密机械" in text and "wang.fang" in text
