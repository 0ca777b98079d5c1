"""Write .ci/constraints.txt: the exact versions of every installed distribution CI tested with.

Run it in the virtual environment the suite just passed in (after `pip install -e '.[test,postgres]'`):
`python tools/make_constraints.py`. `.ci/run` installs with `-c .ci/constraints.txt`;
`.ci/newest` ignores it and takes the newest versions pyproject.toml allows.
"""

from __future__ import annotations

import importlib.metadata as md
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {"salesctl", "pip", "setuptools", "wheel"}


def main() -> None:
    pins = {}
    for dist in md.distributions():
        name = (dist.metadata["Name"] or "").strip()
        if name and name.lower() not in SKIP:
            pins[name.lower()] = f"{name}=={dist.version}"
    lines = ["# Exact versions the suite passed with (python tools/make_constraints.py); used by .ci/run.", *sorted(pins.values())]
    (ROOT / ".ci" / "constraints.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(pins)} pins to .ci/constraints.txt")


if __name__ == "__main__":
    main()
