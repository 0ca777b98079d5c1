"""Small conventions users expect (issue 19, item 9): completion for the named shell, a bare group's
help with exit 0, the grade chart readable on light and dark terminals, help that fits 80 columns."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import FROZEN_NOW


def run(*args, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_") or k == "SALESCTL_HOME"}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "salesctl", *args], capture_output=True, text=True, env=full,
                          timeout=120)


@pytest.mark.parametrize("shell, marker", [("zsh", "#compdef salesctl"), ("fish", "complete --command salesctl"),
                                           ("bash", "complete -o default -F _salesctl_completion salesctl")])
def test_show_completion_honours_the_named_shell(shell, marker):
    for login in ("/bin/bash", "/usr/bin/zsh", "/usr/bin/fish"):  # whatever shell runs salesctl
        result = run("--show-completion", shell, SHELL=login)
        assert result.returncode == 0, result
        assert marker in result.stdout
        assert result.stderr == ""


def test_show_completion_of_an_unknown_shell_is_refused():
    result = run("--show-completion", "tcsh")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --show-completion: 'tcsh'") and "bash, zsh, fish" in result.stderr
    assert result.stdout == ""


def test_install_completion_for_the_named_shell_writes_its_file(tmp_path):
    result = run("--install-completion", "fish", HOME=str(tmp_path))
    assert result.returncode == 0, result
    script = tmp_path / ".config" / "fish" / "completions" / "salesctl.fish"
    assert "complete --command salesctl" in script.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang, usage, commands", [("en", "Usage: ", "Commands"), ("zh", "用法：", "命令")])
def test_a_bare_group_prints_its_help_and_exits_0(cli, lang, usage, commands):
    for path in (("customer",), ("staff", "leave"), ("commission", "plan"), ()):
        result = cli(*path, lang=lang)
        assert result.exit_code == 0, (path, result)
        assert result.stdout.startswith(usage) and commands in result.stdout
        assert result.stderr == ""


def test_the_grade_chart_d_bars_are_visible_on_light_and_dark_backgrounds(demo):
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SALESCTL_NO_INPUT", "NO_COLOR")}
    env.update({"SALESCTL_NOW": FROZEN_NOW, "TERM": "xterm-256color", "COLUMNS": "120"})
    child = pexpect.spawn(sys.executable, ["-m", "salesctl", "--as", "zhao.min", "--color", "always", "customer",
                                           "grades", "--all"], env=env, encoding="utf-8", timeout=60,
                          dimensions=(50, 120))
    child.expect(pexpect.EOF)
    text = child.before
    child.close()
    assert child.exitstatus == 0, text
    styles = {}
    for codes, block in re.findall(r"\x1b\[([0-9;]+)m([█▓▒░])", text):
        styles.setdefault(block, set()).add(codes)
    assert "░" in styles, text  # the demo company has D customers
    invisible = {"30", "37", "90", "97", "38;5;0", "38;5;7", "38;5;15", "38;5;16", "38;5;231"}  # black or white
    for block, used in styles.items():
        assert not (used & invisible), (block, used)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_help_fits_80_columns_and_never_breaks_a_flag(cli, lang):
    from wcwidth import wcswidth

    from test_zh_output import command_paths

    for path in [()] + command_paths():
        result = cli(*path, "--help", lang=lang, env={"COLUMNS": "80"})
        assert result.exit_code == 0, (path, result)
        lines = result.stdout.splitlines()
        wide = [line for line in lines if wcswidth(line) > 80]
        assert not wide, (path, wide)
        broken = [line for line in lines if re.search(r"(^|\s)--?[A-Za-z][\w-]*-$", line)]
        assert not broken, (path, broken)
