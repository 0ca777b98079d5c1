"""Chinese all the way through the command line (Click's own words, help texts), `config` that a
person can trust (validated, comments kept, unset/list, lang takes effect), -V and --color."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import query  # noqa: F401


def run(*args, env=None):
    full = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "salesctl", *args], capture_output=True, text=True, env=full,
                          timeout=120)


def test_customer_add_help_is_chinese_with_lang_zh(cli):
    result = cli("customer", "add", "--help", lang="zh")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("用法：") and " customer add [选项]" in out.splitlines()[0]
    assert "新增客户" in out and "参数" in out and "选项" in out and "联系人的职务" in out and "[必填]" in out
    for english in ("Usage:", "Options", "Arguments", "Add a customer", "required]", "Contact person", "Show this"):
        assert english not in out


def test_clicks_own_error_words_are_chinese(cli):
    result = run("--lang", "zh", "customer", "add")
    assert result.returncode == 2
    # one refusal line (issue 17) whose words are Chinese, and the hint naming the command's help
    assert "缺少参数 'name'" in result.stderr
    assert "提示" in result.stderr and "salesctl customer add --help" in result.stderr
    assert "Usage" not in result.stderr and "Missing" not in result.stderr and "Try" not in result.stderr
    english = run("--lang", "en", "customer", "add")
    assert "Missing argument 'name'." in english.stderr


def test_root_help_in_chinese_even_before_the_command(cli):
    result = run("--lang", "zh", "--help")
    assert result.returncode == 0 and result.stdout.startswith("用法：salesctl")
    assert "销售部管理制度" in result.stdout and "显示版本并退出" in result.stdout


def test_short_version_flag(cli):
    assert cli("-V").stdout.strip().startswith("salesctl ")
    assert cli("-V").stdout == cli("--version").stdout


def test_color_option(cli):
    assert cli("--color", "never", "-V").exit_code == 0
    bad = cli("--color", "sometimes", "-V")
    assert bad.exit_code == 2 and "auto, always, never" in bad.stderr


# --------------------------------------------------------------------------- config
def test_config_set_lang_takes_effect(demo, cli):
    assert cli("config", "set", "lang", "zh").exit_code == 0
    result = cli("customer", "list", "--all")
    assert "客户" in result.stdout and "Customers" not in result.stdout
    assert cli("config", "unset", "lang").exit_code == 0
    assert "Customers" in cli("customer", "list", "--all").stdout


def test_config_set_refuses_unknown_keys_and_values(cli):
    from salesctl.config import config_path

    bad_key = cli("config", "set", "colour", "red")
    assert bad_key.exit_code == 2 and "user, db, lang, policy" in bad_key.stderr
    bad_lang = cli("config", "set", "lang", "fr")
    assert bad_lang.exit_code == 2 and "zh, en" in bad_lang.stderr
    missing = cli("config", "set", "policy", "/nonexistent/policy.toml")
    assert missing.exit_code == 2 and "policy" in missing.stderr
    assert not config_path().exists()  # nothing written


def test_config_set_keeps_comments_and_tables_and_stores_absolute_paths(cli, tmp_path, monkeypatch):
    from salesctl.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# my settings\nuser = \"wang.fang\"  # me\n\n[team]\nname = \"华东\"\n", encoding="utf-8")
    policy = tmp_path / "policy.toml"
    policy.write_text("[workday]\nend_of_office = \"18:00\"\n", encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text("[workday\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli("config", "set", "policy", "broken.toml").exit_code == 2
    assert cli("config", "set", "policy", "policy.toml").exit_code == 0
    assert cli("config", "set", "user", "zhou.jie").exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert "# my settings" in text and "# me" in text and "[team]" in text and 'name = "华东"' in text
    assert 'user = "zhou.jie"' in text and f'policy = "{policy}"' in text
    listed = cli("config", "list", "--format", "json").json()
    assert {r["key"]: r["value"] for r in listed}["user"] == "zhou.jie"
    from salesctl.config import CONFIG_KEYS

    assert [r["key"] for r in listed] == list(CONFIG_KEYS)  # every known key, in one order
    assert [r["key"] for r in listed][:6] == ["user", "db", "lang", "policy", "commission_plan", "archive_dir"]
    assert cli("config", "unset", "user").exit_code == 0
    assert "user =" not in path.read_text(encoding="utf-8") and "# my settings" in path.read_text(encoding="utf-8")
