"""Read commands import only what they use: a deny-list of heavy modules, checked in a fresh process.

Every database command pays for SQLAlchemy, SQLModel/pydantic and the models; nothing
else heavy may ride along on a read (file formats, encryption, calendars, prompts,
markdown rendering, migrations when the schema is already at the head, notification and
matching libraries).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

DENY = ("openpyxl", "msoffcrypto", "holidays", "questionary", "rich.markdown", "alembic", "prompt_toolkit",
        "apprise", "rapidfuzz", "charset_normalizer", "python_calamine", "cryptography", "pexpect", "hypothesis",
        "tomlkit", "email.mime", "sqlalchemy.ext.asyncio", "phonenumbers", "opencc", "cpca", "stdnum", "sqlcipher3",
        "salesctl.services.io", "salesctl.policy_schema")
# `--help` and `--version` touch no database at all: not even the ORM or pydantic
LIGHT_DENY = ("sqlalchemy", "sqlmodel", "pydantic", "salesctl.models", "salesctl.db", "rich.table") + DENY

READS = [
    ("zhao.min", ("whoami",)),
    ("zhao.min", ("customer", "list", "--limit", "20")),
    ("zhao.min", ("customer", "list", "--format", "json", "--limit", "20")),
    ("zhao.min", ("staff", "list")),
    ("wang.fang", ("visit", "list")),
    ("zhao.min", ("deal", "list")),
]

PROBE = """
import json, sys
from salesctl.cli import main
sys.argv = ["salesctl", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
print("\\nMODULES " + json.dumps(sorted(sys.modules)), file=sys.stderr)
sys.exit(code if isinstance(code, int) else 0)
"""


def loaded_modules(argv: list[str], env: dict) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-1500:]
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("MODULES ")][-1]
    return set(json.loads(line[len("MODULES "):]))


@pytest.mark.parametrize("actor, argv", READS, ids=[" ".join(a) for _, a in READS])
def test_read_commands_import_nothing_heavy(demo, actor, argv):
    env = {k: v for k, v in os.environ.items()}
    env["SALESCTL_DB"] = demo
    modules = loaded_modules(["--as", actor, *argv], env)
    assert "sqlalchemy" in modules  # it really ran a database command
    heavy = sorted(m for m in modules for denied in DENY if m == denied or m.startswith(denied + "."))
    assert heavy == [], f"{' '.join(argv)} imported {heavy}"


# a command group's help: typer 0.29 builds its pydantic adapters for the options' choices, but no database
GROUP_HELP_DENY = ("sqlalchemy", "sqlmodel", "salesctl.models", "salesctl.db") + DENY


@pytest.mark.parametrize("argv, deny", [(("--version",), LIGHT_DENY), (("--help",), LIGHT_DENY),
                                        (("customer", "--help"), GROUP_HELP_DENY)],
                         ids=["--version", "--help", "customer --help"])
def test_help_and_version_stay_light(argv, deny):
    env = {k: v for k, v in os.environ.items()}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(argv))], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-1500:]
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("MODULES ")][-1]
    modules = set(json.loads(line[len("MODULES "):]))
    assert "typer" in modules  # it really ran the CLI
    heavy = sorted(m for m in modules for denied in deny if m == denied or m.startswith(denied + "."))
    assert heavy == [], f"{' '.join(argv)} imported {heavy}"
