"""Generated arguments over every command of the real Typer app never crash it and never slip through.

The commands are enumerated from `salesctl.cli.app` itself (lazily loaded groups
included), so a command added later is fuzzed without touching this file. Each
example runs one invocation against the demo company and asserts: no uncaught
exception, an exit code in 0–5, a refusal (exit 2–5) writes nothing (the whole
database is compared before and after) and its stderr is one `error:` line plus an
optional `hint:` line (never Click's usage block).

Bounded for CI by the `ci` hypothesis profile (derandomised, so every run sees the
same examples); `--hypothesis-profile=long` runs ten times as many (see the
README's development section). The profiles are registered in conftest.py.
"""

from __future__ import annotations

import os
import string
import time
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SHARDS = 4  # the commands split over four tests, so `pytest -n 2` spreads them

# Commands that legitimately wait or change the database as a whole: skipped.
SKIP = {
    ("db", "encrypt"),  # rewrites the database file under a key
    ("db", "rekey"),
}


# --------------------------------------------------------------------------- the commands
def all_commands():
    """(path, click command) for every leaf command, walking groups (lazy ones too)."""
    import typer.main
    from typer._click import core as click_core

    from salesctl.cli import app

    root = typer.main.get_command(app)
    found = []

    def walk(command, path, parent):
        if hasattr(command, "list_commands"):
            ctx = click_core.Context(command, info_name=path[-1] if path else "salesctl", parent=parent)
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), path + (name,), ctx)
        else:
            found.append((path, command))

    walk(root, (), None)
    return found


def test_every_command_is_enumerated():
    paths = {path for path, _ in all_commands()}
    # the walk reaches lazily loaded groups and nested groups alike
    assert {("init",), ("customer", "add"), ("customer", "contact", "add"), ("commission", "plan", "check")} <= paths
    assert len(paths) >= 90


# --------------------------------------------------------------------------- the values
HANDLES = ["zhao.min", "wang.fang", "zhang.wei", "chen.jian", "zhou.jie", "wu.lei", "li.na", "nobody"]
HOSTILE = [
    "", " ", "-", "--", "0", "-1", "1", "2", "3", "99999999999999999999", "3000000000", "2147483648",
    "9223372036854775808", "1e3", "1_000", "1,2.3", "1,234.50", "¥12", "12元", "RMB 5", "NaN", "inf", "-0",
    "0.001", "99999999999999999999999", "²", "١٢", "25:99", "24:00", "09:30", "9", "2026-02-30", "2026-13-01",
    "2026-W53", "2026-W00", "2026-11-27", "today", "yesterday", "monday", "this", "last", "2026-11", "2026-Q5",
    "2026-Q4", "0000-01-01", "9999-12-31", "\x1b[2J", "\x1b]0;owned\x07", "\u202e", "\t", "\n", "a\rb",
    "'; DROP TABLE staff; --", "%s%s%n", "{0}", "{field}", "A", "B", "C", "D", "E", "a", "A,B", "*", "?", "%",
    "华为技术有限公司", "苏州新华精密机械", "x" * 300, "长" * 2000, "y" * 100_000, "true", "false", "json",
    "xml", "table", "csv", "markdown", "zh", "en", "-h", "--help",
]


def help_tokens(param) -> list[str]:
    """Words from an option's help text: they are usually the accepted values."""
    import re

    words = re.findall(r"[A-Za-z_][A-Za-z0-9_.\-]*|\d[\d\-:W.Q]*", param.help or "")
    return words[:12]


def path_values(tmp: Path) -> list[str]:
    return [
        str(tmp / "missing.csv"), str(tmp / "latin1.txt"), str(tmp / "utf16.csv"), str(tmp / "empty.txt"),
        str(tmp / "nul.csv"), str(tmp / "plan.toml"), str(tmp / "dir"), str(tmp / ("p" * 300)),
        str(tmp / "/".join(["d" * 200] * 30)), str(tmp / "out.csv"), str(tmp / "big-field.csv"), "-",
    ]


def make_files(tmp: Path) -> None:
    (tmp / "latin1.txt").write_bytes("café, naïve\n".encode("latin-1"))
    (tmp / "utf16.csv").write_bytes("name,phone\n华为,138\n".encode("utf-16"))
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "nul.csv").write_bytes("name,phone\n华\x00为,13812345678\n".encode())
    (tmp / "plan.toml").write_bytes(b"[plan]\nname = \"\xff\xfe\"\n")
    (tmp / "dir").mkdir(exist_ok=True)
    (tmp / "big-field.csv").write_text("name,phone\n\"" + "z" * 200_000 + "\",13812345678\n", encoding="utf-8")


def generic_text():
    # no '/' or '~': a generated value must not name a path outside the test's folder
    return st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/~\x00"), max_size=40)


def value_strategy(param, tmp: Path):
    from enum import Enum

    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    choices = []
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = [m.value for m in annotation]
    pool = HOSTILE + HANDLES + help_tokens(param) + path_values(tmp) + choices
    if annotation is int:
        return st.one_of(st.integers(-5, 40).map(str), st.integers(-(2**70), 2**70).map(str), st.sampled_from(HOSTILE))
    return st.one_of(st.sampled_from(pool), st.sampled_from(choices or HANDLES), generic_text())


@st.composite
def invocation(draw, commands, tmp: Path):
    path, command = draw(st.sampled_from(commands))
    argv: list[str] = []
    if draw(st.integers(0, 5)) == 0:
        argv += ["--as", draw(st.sampled_from(HANDLES + ["", "x" * 1000, "\x1b[2J"]))]
    if draw(st.booleans()):
        argv += ["--lang", draw(st.sampled_from(["en", "zh"]))]
    argv += list(path)
    positional: list[str] = []
    for param in command.params:
        if param.param_type_name == "argument":
            if param.required or draw(st.booleans()):
                positional.append(draw(value_strategy(param, tmp)))
            continue
        if getattr(param, "hidden", False) or not draw(st.integers(0, 2)) == 0 and not param.required:
            continue
        name = draw(st.sampled_from(param.opts))
        if param.is_flag:
            argv.append(name)
        else:
            argv += [name, draw(value_strategy(param, tmp))]
    if draw(st.integers(0, 9)) == 0:
        argv.append(draw(st.sampled_from(["--bogus", "--format", "extra", "-x"])))
    return path, argv + ["--"] + positional if any(p.startswith("-") for p in positional) else argv + positional


# --------------------------------------------------------------------------- the database dump
class Dump:
    """Every row of every table, to compare before and after a refused command (one engine, reused)."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine, inspect

        self.engine = create_engine(url)
        with self.engine.connect() as conn:
            self.tables = sorted(inspect(conn).get_table_names())

    def __call__(self):
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return {table: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{table}"')).all()))
                    for table in self.tables}

    def close(self):
        self.engine.dispose()


def check_result(path, argv, result, before, dump):
    import traceback

    if result.exception is not None and not isinstance(result.exception, SystemExit):
        frames = traceback.extract_tb(result.exception.__traceback__)
        inner = [f"{f.filename.split('/site-packages/')[-1].split('/src/')[-1]}:{f.lineno}" for f in frames[-4:]]
        raise AssertionError(f"traceback {type(result.exception).__name__}: {str(result.exception)[:300]} at {inner}; "
                             f"argv={argv!r}"[:3000])
    code = result.exit_code
    assert 0 <= code <= 5, (argv, code, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, (argv, result.stderr[-4000:])
    if code >= 2:
        lines = result.stderr.rstrip("\n").split("\n")
        assert lines[0].startswith("error: "), (argv, code, result.stderr[:2000])
        assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith(("hint: ", "提示："))), (
            argv, code, result.stderr[:2000])
        assert "Usage:" not in result.stderr and "Try '" not in result.stderr, (argv, result.stderr[:2000])
        assert len(result.stderr) < 2000, (argv, len(result.stderr))
        after = dump()
        assert after == before, (argv, code, result.stderr[:500],
                                 [t for t in after if after[t] != before.get(t)])


STATS = {"invocations": 0, "tracebacks": 0}


@pytest.mark.parametrize("shard", range(SHARDS))
def test_generated_arguments(shard, demo, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from salesctl.cli import app

    work = tmp_path / "work"
    work.mkdir()
    make_files(work)
    monkeypatch.chdir(work)  # relative output paths land in the test's folder
    monkeypatch.setenv("EDITOR", "true")
    monkeypatch.setenv("VISUAL", "true")
    commands = sorted((p, c) for p, c in all_commands() if p not in SKIP)[shard::SHARDS]
    runner = CliRunner()
    dump = Dump(demo)
    state = {"dump": dump()}
    collect = os.environ.get("FUZZ_COLLECT")
    report = os.environ.get("FUZZ_REPORT")

    examples = os.environ.get("FUZZ_EXAMPLES")  # a quick local run: FUZZ_EXAMPLES=50

    @settings(suppress_health_check=list(HealthCheck), **({"max_examples": int(examples)} if examples else {}))
    @given(invocation(commands, work))
    def run(example):
        path, argv = example
        before = state["dump"]
        started = time.monotonic()
        result = runner.invoke(app, ["--now", "2026-11-27T17:30:00+08:00"] + argv, catch_exceptions=True)
        if collect and time.monotonic() - started > 2:
            with open(collect + ".slow", "a", encoding="utf-8") as fh:
                fh.write(f"{time.monotonic() - started:.1f}s {argv!r:.300} {result.stderr[:200]!r}\n")
        STATS["invocations"] += 1
        if report and STATS["invocations"] % 100 == 0:  # a long run's progress, readable while it runs
            with open(f"{report}.{shard}", "w", encoding="utf-8") as fh:
                fh.write(f"{STATS['invocations']} {STATS['tracebacks']}\n")
        if result.exit_code == 0 or result.exit_code == 1:
            state["dump"] = dump()
        try:
            check_result(path, argv, result, before, dump)
        except AssertionError as exc:
            crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
            STATS["tracebacks"] += crashed
            state["dump"] = dump()
            if not collect:
                raise
            with open(collect, "a", encoding="utf-8") as fh:  # a long run counts failures instead of stopping
                fh.write(repr((shard, crashed, argv, str(exc)[:3000])) + "\n")

    try:
        run()
    finally:
        dump.close()
    if report:
        with open(report, "a", encoding="utf-8") as fh:
            fh.write(f"{shard} {STATS['invocations']} {STATS['tracebacks']}\n")
