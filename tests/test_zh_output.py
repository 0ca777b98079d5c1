"""`--lang zh` all the way through: every command's help, and what the read commands print on the demo
company, hold no English word that is not data, a handle, a flag, an accepted value or a unit.

The commands are enumerated from the Typer app itself (lazily loaded groups included), so a command
added later is checked without touching this file. What counts as "not English prose" is decided by
`english_words` below; its allow-list is kept small on purpose, each entry explained.
"""

from __future__ import annotations

import re

import pytest

from conftest import query

# --------------------------------------------------------------------------- what is allowed
# Names of products, formats and tools, which Chinese text writes in Latin letters too.
PROPER_NAMES = {
    "salesctl", "SQLite", "SQLCipher", "PostgreSQL", "Excel", "Apprise", "Salesforce", "Maven", "Analytics",
    "cron", "shell", "mail", "markdown", "Account", "Contact", "Opportunity", "Task", "Lead",
}
# Words the user types as values that are not stored keys (dates and periods as the date parser reads them).
TYPED_WORDS = {"today", "yesterday", "monday", "this", "last", "on", "delivery", "acceptance", "tab", "yes", "no"}


def command_paths(include_groups: bool = True) -> list[tuple[str, ...]]:
    import typer.main
    from typer._click import core as click_core

    from salesctl.cli import app

    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(command, path, parent):
        ctx = click_core.Context(command, info_name=path[-1] if path else "salesctl", parent=parent)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            if hasattr(sub, "list_commands"):
                if include_groups:
                    found.append(path + (name,))
                walk(sub, path + (name,), ctx)
            else:
                found.append(path + (name,))

    walk(root, (), None)
    return found


def command_words() -> set[str]:
    return {part for path in command_paths() for name in path for part in re.split(r"[-_]", name)} | \
        {name for path in command_paths() for name in path}


def accepted_values() -> set[str]:
    """The values a user may type (`following`, `call`, `in_progress`, `json`, `after_sales`): the values of
    the catalogs' enumerations (`<kind>.<value>` keys of the kinds the code renders with `label(kind, …)` or
    an `enum:<kind>` column), the output formats, the config keys, the deal stages' names, the export
    tables, the completion shells and the global options' values, so the list follows the code."""
    from pathlib import Path

    from salesctl.cli.completion import SHELLS
    from salesctl.config import CONFIG_KEYS
    from salesctl.messages import catalog
    from salesctl.render import FORMATS
    from salesctl.services.io.export import SPECS
    from salesctl.services.sales.deals import STAGE_KEYS

    values = set(FORMATS) | set(CONFIG_KEYS) | set(STAGE_KEYS.values()) | set(SPECS) | set(SHELLS) | \
        {"zh", "en", "auto", "always", "never", "xlsx", "skip", "claim", "fail"}  # --lang, --color, --on-duplicate
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parents[1].glob("src/salesctl/**/*.py"))
    kinds = set(re.findall(r'label\("([a-z_]+)"', source)) | set(re.findall(r"enum:([a-z_]+)", source))
    for key in catalog():
        parts = key.split(".")
        if len(parts) > 1 and parts[0] in kinds and re.fullmatch(r"[a-z][a-z0-9_-]*", parts[-1]):
            values.add(parts[-1])
            values.update(parts[-1].split("_"))
    return values


def english_words(text: str, allowed: set[str]) -> list[str]:
    """Words of Latin letters left once data-like tokens are taken out: flags (`--team`, `-f`),
    metavars and placeholders (`<str>`, `{name}`, an argument's name, ALL-CAPS such as KEEP, CSV, SALESCTL_DB), handles,
    file names, paths and e-mail addresses (`wang.fang`, `results.txt`), URLs, keys such as `comment:12`, and
    single letters (grades A-D, `x` of a range)."""
    text = re.sub(r"[\w+]+://\S*", " ", text)  # URLs (dingtalk://TOKEN, sqlite+pysqlcipher:///path)
    text = re.sub(r"(?m)^(error|warning|hint): ", " ", text)  # the fixed prefixes of stderr lines scripts look for
    text = re.sub(r"(?m)^[a-z_]+\t", " ", text)  # the key of a tab-separated pair for scripts (`config path`)
    text = re.sub(r'\{"[^\n]*\}', " ", text)  # JSON documents (the audit log's before and after)
    text = re.sub(r"(?m)^  ([a-z_]+) +(?=<)", " ", text)  # an argument's name in its help section
    text = re.sub(r"<[^>\n]*>|\{[^}\n]*\}", " ", text)  # metavars
    text = re.sub(r"[\w.+-]+@[\w.-]+", " ", text)  # e-mail addresses
    text = re.sub(r"[\w.~-]*/[\w./~-]*", " ", text)  # paths (~/Downloads/sf-export)
    text = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*", " ", text)  # flags
    text = re.sub(r"[\w~/-]*\w\.\w[\w./-]*", " ", text)  # handles, file names, dotted keys
    text = re.sub(r"\b[a-z_]+:\d+\b", " ", text)  # inbox keys
    found = []
    for word in re.findall(r"[A-Za-z][A-Za-z_']*[A-Za-z]", text):
        if word.isupper() or word in allowed or word in PROPER_NAMES or word in TYPED_WORDS:
            continue
        found.append(word)
    return found


# --------------------------------------------------------------------------- help
def test_every_command_and_group_help_is_chinese(cli):
    allowed = command_words() | accepted_values()
    paths = [()] + command_paths()
    assert len(paths) > 150  # the walk found the lazily loaded groups too
    leaks = {}
    for path in paths:
        result = cli(*path, "--help", lang="zh")
        assert result.exit_code == 0, (path, result)
        words = english_words(result.stdout.replace("用法：root ", "用法：salesctl "), allowed)
        if words:
            leaks[" ".join(path)] = sorted(set(words))
    assert not leaks, "\n".join(f"{k}: {v}" for k, v in leaks.items())


def test_the_allow_list_catches_untranslated_help(cli):
    """The checker itself: an English help text is caught, the same text in Chinese is not."""
    allowed = command_words() | accepted_values()
    assert english_words("  --contact <str>   Whom you met (required).", allowed) == ["Whom", "you", "met"]
    assert english_words("  --kind <str>  visit（拜访）、call（电话）  [默认：visit]", allowed) == []
    english = cli("visit", "log", "--help", lang="en")
    assert len(english_words(english.stdout, allowed)) > 20


# --------------------------------------------------------------------------- output
def _setup(cli) -> None:
    """Records of every kind the read commands show, written in English (their stored texts must not be)."""
    steps = [
        ("wang.fang", "visit", "log", "苏州新华精密机械", "--contact", "刘勇", "--content", "报价", "--result", "同意",
         "--kind", "call", "--grade", "B", "--reason", "预算推迟"),
        ("zhang.wei", "customer", "regrade", "苏州博雅重工股份有限公司", "C", "--reason", "有新项目"),
        ("zhao.min", "customer", "regrade", "--auto"),
        ("wang.fang", "contract", "add", "1", "--number", "HT-1", "--signed", "2026-11-20", "--amount", "10000"),
        ("wang.fang", "contract", "plan", "HT-1", "--installment", "50%:2026-11-25", "--installment", "50%:on delivery"),
        ("wang.fang", "complaint", "add", "上海永安自动化", "--text", "发货延迟", "--severity", "high", "--channel", "phone"),
        ("zhou.jie", "claim", "add", "苏州新华精密机械", "--need", "医院项目"),
        ("wang.fang", "claim", "add", "无锡新客户科技", "--contact", "王五", "--title", "经理", "--phone", "13912345001",
         "--status", "following", "--need", "新需求"),
        ("wang.fang", "claim", "release", "苏州博雅重工股份有限公司", "--reason", "客户转向别家"),
        ("zhang.wei", "claim", "missed", "某连锁超市", "--region", "华东", "--industry", "制造业", "--amount", "3000",
         "--note", "被竞品拿下"),
        ("lin.xue", "lead", "add", "杭州线索公司", "--contact", "李明", "--phone", "13912345002", "--industry", "制造业",
         "--region", "华东", "--source", "展会"),
        ("zhang.wei", "meeting", "new", "--minutes", "# 周会\n\n- [ ] @wang.fang 发报价 (due 2026-12-04)\n"),
        ("wang.fang", "staff", "leave", "wang.fang", "--from", "2026-12-01", "--reason", "病假"),
        ("liu.yang", "report", "review", "109", "--comment", "继续跟进"),
        ("zhang.wei", "target", "set", "wang.fang", "--month", "2026-11", "--amount", "100000"),
        ("wang.fang", "deal", "lost", "2", "--reason", "price"),
        ("zhao.min", "complaint", "update", "1", "--status", "in_progress", "--note", "已联系客户"),
    ]
    for who, *args in steps:
        result = cli(*args, as_=who, lang="en")
        assert result.exit_code == 0, (args, result)
    # the claim: decided by the manager, so the rep's inbox holds a decision
    claim = query_one(cli, "claim", "list", "--pending", as_="zhang.wei")
    result = cli("claim", "reject", str(claim["id"]), "--reason", "王芳已掌握", as_="zhang.wei", lang="en")
    assert result.exit_code == 0, result


def query_one(cli, *args, as_):
    result = cli(*args, "--format", "json", as_=as_)
    assert result.exit_code == 0, result
    return result.json()[0]


READS = [  # (acting user, arguments): a real invocation of each read command
    ("zhao.min", ("whoami",)), ("zhao.min", ("config", "list")), ("zhao.min", ("config", "path")),
    ("zhao.min", ("db", "check")),
    ("zhao.min", ("staff", "list")), ("zhao.min", ("staff", "show", "wang.fang")), ("zhao.min", ("staff", "tree")),
    ("zhang.wei", ("staff", "leave", "list", "--team")),
    ("zhao.min", ("customer", "list", "--all")), ("zhao.min", ("customer", "show", "苏州新华精密机械")),
    ("zhao.min", ("customer", "show", "上海永安自动化")),
    ("zhao.min", ("customer", "grades", "--all")), ("zhao.min", ("customer", "grades", "--all", "--by", "owner")),
    ("zhao.min", ("customer", "history", "苏州新华精密机械")), ("zhao.min", ("customer", "history", "苏州博雅重工股份有限公司")),
    ("zhao.min", ("customer", "lookup", "苏州新华")), ("zhao.min", ("customer", "duplicates", "--all")),
    ("zhao.min", ("customer", "contact", "list", "苏州新华精密机械")),
    ("wang.fang", ("customer", "profile", "苏州新华精密机械")),
    ("zhao.min", ("visit", "list", "--all", "--week", "this")), ("zhao.min", ("visit", "due", "--all")),
    ("zhao.min", ("deal", "list", "--all")), ("zhao.min", ("deal", "show", "1")), ("zhao.min", ("deal", "show", "3")),
    ("zhao.min", ("deal", "show", "2")), ("zhao.min", ("deal", "list", "--all", "--status", "lost")),
    ("zhao.min", ("deal", "pipeline", "--all")),
    ("zhao.min", ("payment", "list", "--all", "--month", "this")),
    ("zhao.min", ("contract", "list", "--all")), ("zhao.min", ("contract", "show", "HT-1")),
    ("zhao.min", ("receivable", "list", "--all")), ("zhao.min", ("receivable", "ageing", "--all", "--by", "rep")),
    ("zhao.min", ("attach", "list", "customer", "1")),
    ("wang.fang", ("report", "daily",)), ("zhao.min", ("report", "list", "--all")),
    ("hu.yan", ("report", "show", "109")), ("hu.yan", ("report", "list")),
    ("zhao.min", ("report", "missing", "--all", "--date", "yesterday")),
    ("zhao.min", ("summary", "week", "--all")), ("zhao.min", ("summary", "month", "--all")),
    ("zhao.min", ("calendar", "--year", "2026")),
    ("zhang.wei", ("meeting", "list",)), ("zhang.wei", ("meeting", "show",)), ("zhang.wei", ("meeting", "actions",)),
    ("zhang.wei", ("meeting", "agenda",)),
    ("zhao.min", ("complaint", "list",)), ("zhao.min", ("complaint", "show", "1")), ("zhao.min", ("complaint", "overdue",)),
    ("zhao.min", ("inbox",)), ("zhang.wei", ("inbox",)), ("zhou.jie", ("inbox",)), ("wang.fang", ("inbox",)),
    ("zhao.min", ("notify", "status")),
    ("zhao.min", ("claim", "list", "--all")), ("zhao.min", ("claim", "missed", "--list")),
    ("zhang.wei", ("lead", "list",)), ("zhang.wei", ("lead", "assign", "1", "--explain")),
    ("zhao.min", ("target", "list", "--all", "--month", "2026-11")),
    ("zhao.min", ("commission", "calc", "--all", "--month", "2026-11")),
    ("zhao.min", ("commission", "statement", "wang.fang", "--month", "2026-11")),
    ("zhao.min", ("commission", "plan", "show")),
    ("zhao.min", ("eval", "--all", "--month", "2026-11")),
    ("zhao.min", ("archive", "password", "status")),
    ("zhao.min", ("audit",)),
]


@pytest.fixture
def zh_demo(demo, cli):
    _setup(cli)
    return demo


def test_read_commands_print_chinese_on_the_demo_company(zh_demo, cli):
    from salesctl.config import CONFIG_KEYS

    # a hint may name a command, `config list` the keys and languages one types; stored keys (following,
    # call) may not show
    allowed = command_words() | set(CONFIG_KEYS) | {"zh", "en"}
    import conftest

    if conftest.TEST_DB.startswith("postgresql"):  # the team server's audit names the database role (data)
        from sqlalchemy.engine import make_url

        allowed.add(make_url(conftest.TEST_DB).username or "postgres")
    leaks = {}
    for who, args in READS:
        result = cli(*args, as_=who, lang="zh")
        assert result.exit_code in (0, 1), (args, result)  # 1: a --check style "something found"
        words = english_words(result.stdout + result.stderr, allowed)
        if words:
            leaks[" ".join(args)] = sorted(set(words))
    assert not leaks, "\n".join(f"{k}: {v}" for k, v in leaks.items())


def test_every_read_command_is_run():
    """A new list/show/summary command must be added to READS (or it goes unchecked)."""
    read_verbs = {"list", "show", "tree", "grades", "history", "lookup", "duplicates", "due", "pipeline", "ageing",
                  "missing", "week", "month", "calendar", "actions", "agenda", "overdue", "inbox", "status", "eval",
                  "audit", "whoami", "path", "check", "statement", "calc"}
    run = {" ".join(args[:3]) for _, args in READS} | {" ".join(args[:2]) for _, args in READS} | \
        {args[0] for _, args in READS}
    missing = [" ".join(p) for p in command_paths(include_groups=False)
               if p[-1] in read_verbs and " ".join(p) not in run
               and p not in {("db", "security-check"), ("commission", "plan", "check"), ("policy", "check")}]
    assert not missing, missing


def test_the_archive_workbook_cells_are_labels_in_chinese(demo, cli, tmp_path):
    import io

    import msoffcrypto
    import openpyxl

    pw = tmp_path / "pw"
    pw.write_text("correct horse battery staple 42\n", encoding="utf-8")
    pw.chmod(0o600)
    assert cli("archive", "password", "set", "--password-file", str(pw), as_="wang.fang").exit_code == 0
    assert cli("customer", "regrade", "苏州新华精密机械", "B", "--reason", "预算推迟", as_="wang.fang").exit_code == 0
    added = cli("customer", "add", "无锡测试机械有限公司", "--contact", "王五", "--title", "经理", "--phone", "13912345009",
                "--status", "following", "--expected-purchase", "2026-12-20", as_="wang.fang")  # written in English
    assert added.exit_code == 0, added
    out = tmp_path / "pack.xlsx"
    result = cli("customer", "archive", "export", "--out", str(out), "--password-file", str(pw), as_="wang.fang",
                 lang="zh")
    assert result.exit_code == 0, result
    with open(out, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        office.load_key(password="correct horse battery staple 42")
        plain = io.BytesIO()
        office.decrypt(plain)
    wb = openpyxl.load_workbook(plain)

    def column(sheet, heading):
        rows = list(sheet.iter_rows(min_row=2, values_only=True))  # row 1 is the legend
        index = rows[0].index(heading)
        return {row[index] for row in rows[1:]}

    sheets = {ws.title: ws for ws in wb.worksheets}
    statuses = column(sheets["客户"], "客户状态")
    assert statuses and statuses <= {"跟进中", "已成交", "暂停", "流失"}, statuses
    kinds = column(sheets["拜访"], "方式")
    assert kinds and kinds <= {"拜访", "电话", "邮件", "活动"}, kinds
    grades = sheets["级别变更"]
    assert {"新建", "手工"} <= column(grades, "来源")
    reasons = column(grades, "原因")
    assert "新客户" in reasons and "预算推迟" in reasons and "new customer" not in reasons
    assert "23 天后采购（≤30）→ A" in column(grades, "规则")
    # what was stored stays the key, whatever the language it was written in
    assert query(demo, "select distinct status from customer order by 1") == [("following",), ("lost",), ("paused",), ("won",)]


def test_decided_claims_and_assigned_leads_say_their_state_once(demo, cli):
    """"已已驳回" and "已assigned": the state is a label, not glued onto a prefix that says it again."""
    claim = cli("claim", "add", "苏州新华精密机械", "--need", "医院项目", as_="zhou.jie")
    assert claim.exit_code == 0, claim
    cid = query(demo, "select max(id) from ownership_entry where kind = 'request'")[0][0]
    assert cli("claim", "reject", str(cid), "--reason", "王芳已掌握", as_="zhang.wei").exit_code == 0
    again = cli("claim", "reject", str(cid), "--reason", "再次", as_="zhang.wei", lang="zh")
    assert again.exit_code == 5
    assert "已驳回" in again.stderr and "已已" not in again.stderr
    lead = cli("lead", "add", "杭州线索公司", "--contact", "李明", "--phone", "13912345002", "--industry", "制造业",
               "--region", "华东", "--source", "展会", as_="lin.xue")
    assert lead.exit_code == 0, lead
    lid = query(demo, "select max(id) from lead")[0][0]
    assert cli("lead", "assign", str(lid), "--yes", as_="zhang.wei").exit_code == 0
    twice = cli("lead", "assign", str(lid), "--yes", as_="zhang.wei", lang="zh")
    assert twice.exit_code == 5
    assert "已分配" in twice.stderr and "assigned" not in twice.stderr and "已已" not in twice.stderr
