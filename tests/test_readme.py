"""Every `console` block of the README runs (tools/readme_examples.py describes the format).

One test per file (README.md's own head, then each docs/readme/ fragment), against a fresh
demo company on whichever database SALESCTL_TEST_DB names, at the frozen clock. With
README_UPDATE=1 (`python tools/readme_examples.py --update`) a differing output is
written back into its fragment instead of failing; exit codes are never rewritten.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


rx = _load("readme_examples")
UPDATE = os.environ.get("README_UPDATE") == "1"  # read now: the isolated_env fixture clears the environment
FILES = [p for p in rx.example_files() if rx.parse(p).blocks]


def run_file(path, cli, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    home = os.environ["HOME"]

    def invoke(argv, env, now):
        result = cli(*argv, env=env or None, now=now)
        assert result.exception is None, f"{path.name}: {argv} raised {result.exception!r}"
        return result.exit_code, result.stdout, result.stderr

    fragment = rx.parse(path)
    return fragment, rx.run_fragment(fragment, invoke, work, home)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_readme_examples(path, demo, cli, tmp_path, monkeypatch):
    fragment, outcomes = run_file(path, cli, tmp_path, monkeypatch)
    assert outcomes, f"{path.name}: no command ran"
    failures = rx.report(fragment, outcomes)
    if failures and UPDATE and path.name != "README.md":
        path.write_text(rx.rewrite(fragment, outcomes), encoding="utf-8")
        failures = "\n".join(line for line in failures.splitlines() if "README expects" in line)
        assert not failures, f"rewrote {path.name}; exit codes still differ:\n{failures}"
        return
    assert not failures, f"README examples differ ({path.name}):\n{failures}"


def test_readme_is_assembled_from_its_fragments(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = "\n\n".join(f.read_text(encoding="utf-8").strip() for f in sorted((ROOT / "docs" / "readme").glob("*.md")))
    assert f"{rx.START}\n{body}\n{rx.END}" in text, "README.md is stale: run `python tools/build_docs.py`"


def test_readme_every_console_block_is_run_or_says_why():
    for path in rx.example_files():
        for block in rx.parse(path).blocks:
            assert block.commands, f"{path.name}:{block.line}: an empty console block"
            if block.skip:
                assert len(block.skip) > 8, f"{path.name}:{block.line}: skip names its reason"


def _mutate_output_char(text: str) -> str:
    """Change one character of one shown output line (the first `Added customer` line)."""
    line = next(x for x in text.splitlines() if x.startswith("Added customer 61:"))
    return text.replace(line, line.replace("grade B", "grade C", 1), 1)


def _drop_exit_marker(text: str) -> str:
    return text.replace("  # exit 5", "", 1)


@pytest.mark.parametrize("mutate", [_mutate_output_char, _drop_exit_marker], ids=["one-output-char", "exit-marker"])
def test_readme_runner_fails_on_a_mutated_copy(mutate, demo, cli, tmp_path, monkeypatch):
    source = ROOT / "docs" / "readme" / "20-customers.md"
    text = source.read_text(encoding="utf-8")
    mutated = mutate(text)
    assert mutated != text and len(mutated) == len(text) - (0 if mutate is _mutate_output_char else len("  # exit 5"))
    copy = tmp_path / "20-customers.md"
    copy.write_text(mutated, encoding="utf-8")
    fragment, outcomes = run_file(copy, cli, tmp_path, monkeypatch)
    failures = rx.report(fragment, outcomes)
    assert failures.startswith("20-customers.md:"), failures
    assert [o.ok for o in outcomes].count(False) == 1, failures


def test_readme_comparison_rules():
    assert rx.matches(["a", "…", "z"], ["a", "b", "c", "z"]) and rx.matches(["a", "…", "z"], ["a", "z"])
    assert rx.matches(["Wrote …/x.xlsx: 8"], ["Wrote /tmp/w/x.xlsx: 8"])
    assert not rx.matches(["Wrote …/x.xlsx: 8"], ["Wrote /tmp/w/x.xlsx: 9"])
    assert not rx.matches([], ["something"]) and rx.matches([], [])
    assert not rx.matches(["a (b)"], ["a (c)"]) and not rx.matches(["a"], ["a", "b"])
    assert rx.split_comment('salesctl x "a # b"  # exit 5: why') == ('salesctl x "a # b"', "exit 5: why")
