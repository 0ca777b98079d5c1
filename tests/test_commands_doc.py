"""docs/commands.md is generated from `--help` and must match the code (run tools/build_commands_md.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_builder():
    spec = importlib.util.spec_from_file_location("build_commands_md", ROOT / "tools" / "build_commands_md.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_reference_is_current():
    builder = load_builder()
    expected = builder.build()
    current = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert current == expected, "docs/commands.md is stale: run `python tools/build_commands_md.py`"


def test_every_command_is_in_the_reference_with_a_summary():
    builder = load_builder()
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    for path in builder.command_paths():
        assert f"### salesctl {' '.join(path)}\n" in text
    for block in text.split("```text\n")[1:]:
        help_part = block.split("```")[0]
        lines = [line for line in help_part.splitlines()[1:] if line.strip()]
        assert lines and not lines[0].lstrip().startswith(("Options:", "Arguments:")), help_part[:200]
