"""Generate docs/commands.md, the command reference, from every command's own `--help`.

`python tools/build_commands_md.py` rewrites it; `tests/test_commands_doc.py` fails when the
file is stale, so the reference cannot drift from the code (as sqlite-utils does with cog).
Help is rendered at 100 columns without colour, in English and, where the help is
translated, in Chinese (`--lang zh`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "commands.md"
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "LANG": "en_US.UTF-8", "SALESCTL_NO_INPUT": "1"}


def command_paths() -> list[tuple[str, ...]]:
    import typer

    from salesctl.cli import app

    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = []

    def walk(group, path, ctx):
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if command is None or getattr(command, "hidden", False):
                continue
            paths.append(path + (name,))
            if hasattr(command, "list_commands"):
                walk(command, path + (name,), ctx)

    import click

    with click.Context(root, info_name="salesctl") as ctx:
        walk(root, (), ctx)
    return paths


def help_text(path: tuple[str, ...], lang: str) -> str:
    from typer.testing import CliRunner

    from salesctl.cli import app

    argv = ["--lang", lang, *path, "--help"]
    result = CliRunner().invoke(app, argv, env=ENV, prog_name="salesctl")
    return result.output.rstrip() + "\n"


def build() -> str:
    saved = dict(os.environ)
    try:
        for key in [k for k in os.environ if k.startswith("SALESCTL_") or k in ("LC_ALL", "LC_MESSAGES")]:
            os.environ.pop(key)
        os.environ.update(ENV)
        return _build()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _build() -> str:
    from salesctl import messages

    messages.set_language(None)
    paths = [()] + command_paths()
    languages = ["en"]
    if help_text((), "zh") != help_text((), "en"):
        languages.append("zh")
    out = ["# Command reference", "",
           "Generated from each command's `--help` by `python tools/build_commands_md.py`; do not edit by hand.", ""]
    for lang in languages:
        title = {"en": "English", "zh": "中文 (`--lang zh`)"}[lang]
        out += [f"## {title}", ""]
        for path in paths:
            name = " ".join(("salesctl",) + path)
            out += [f"### {name}" + ("" if lang == "en" else " (zh)"), "", "```text", help_text(path, lang).rstrip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    TARGET.write_text(build(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
