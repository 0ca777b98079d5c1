"""Regenerate migrations/versions/0001_initial.py from models.py.

Only while 0001 is unreleased (before the first tagged release): after that,
schema changes are new revisions made with `alembic revision --autogenerate`.
Usage: python tools/regen_initial_migration.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import create_engine

from salesctl.migrations.runner import HERE, alembic_config


def main() -> None:
    from alembic import command

    target = HERE / "versions" / "0001_initial.py"
    if target.exists():
        target.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
        cfg = alembic_config(engine)
        command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
    generated = next((HERE / "versions").glob("0001_*.py"))
    if generated != target:
        generated.rename(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
