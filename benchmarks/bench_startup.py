#!/usr/bin/env python
"""Benchmark: start-up. `salesctl --version` vs `python -c 'import typer'`, and a read command on the demo database.

SPEC section 3: `salesctl --help` and `--version` import no database or ORM module
(checked here with `python -X importtime`), `--version` within 1.3× of a bare
`python -c 'import typer'` (the least any Typer program pays), and a read command,
`salesctl customer list --limit 20` on the demo company, well under a second.

    python benchmarks/bench_startup.py              # 20 runs of each, median
    python benchmarks/bench_startup.py --runs 5 --no-write

Every run is a fresh process; wall clock and CPU (user + sys of that child alone,
from os.wait4) are recorded and the median of --runs is kept, after one warm-up
run of each command. The demo database is made by `salesctl init --demo` in a
temporary home. Results go into benchmarks/RESULTS.md, in this benchmark's own
section.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _results import machine, write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
START_MARK = "<!-- bench_startup:start -->"
END_MARK = "<!-- bench_startup:end -->"
VERSION_TARGET = 1.3
READ_TARGET_S = 1.0
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "openpyxl")


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr.decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(cmd: list[str], env: dict, runs: int) -> dict:
    timed(cmd, env)  # warm the page cache
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = timed(cmd, env)
        walls.append(wall)
        cpus.append(cpu)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus)}


def heavy_imports(cmd: list[str], env: dict) -> list[str]:
    """Top-level packages among HEAVY that the command imports (python -X importtime)."""
    done = subprocess.run([sys.executable, "-X", "importtime"] + cmd, env=env, capture_output=True, text=True)
    found = set()
    for line in done.stderr.splitlines():
        if "|" not in line:
            continue
        module = line.rsplit("|", 1)[-1].strip()
        top = module.split(".")[0]
        if top in HEAVY:
            found.add(top)
    return sorted(found)


def write_results(section: str) -> None:
    write_section(START_MARK, END_MARK, section, RESULTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each command (the median counts)")
    parser.add_argument("--no-write", action="store_true", help="print the section; leave RESULTS.md alone")
    args = parser.parse_args(argv)

    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    python = [sys.executable]
    salesctl = python + ["-m", "salesctl"]
    with tempfile.TemporaryDirectory(prefix="salesctl-bench-startup-") as home:
        env.update({"SALESCTL_HOME": home, "SALESCTL_NO_INPUT": "1", "SALESCTL_TZ": "Asia/Shanghai",
                    "SALESCTL_NOW": "2026-11-27T17:30:00+08:00"})
        done = subprocess.run(salesctl + ["init", "--demo"], env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"salesctl init --demo failed: {done.stderr}")
        env["SALESCTL_USER"] = "zhao.min"
        typer_only = measure(python + ["-c", "import typer"], env, args.runs)
        version = measure(salesctl + ["--version"], env, args.runs)
        help_ = measure(salesctl + ["--help"], env, args.runs)
        listing = measure(salesctl + ["customer", "list", "--limit", "20"], env, args.runs)
        listing_json = measure(salesctl + ["customer", "list", "--limit", "20", "--format", "json"], env, args.runs)
        # where a read command's time goes: importing the ORM, the models and the service, before any query
        imports_only = measure(python + ["-c", "import salesctl.cli, salesctl.services.customers.customers, salesctl.render"],
                               env, args.runs)
        heavy_version = heavy_imports(["-m", "salesctl", "--version"], env)
        heavy_help = heavy_imports(["-m", "salesctl", "--help"], env)

    def row(label, m, target=""):
        return (f"| {label} | {m['wall'] * 1000:.0f} | {m['wall'] / typer_only['wall']:.2f} | {m['cpu'] * 1000:.0f} | "
                f"{m['cpu'] / typer_only['cpu']:.2f} | {target} |")

    v_ratio = max(version["wall"] / typer_only["wall"], version["cpu"] / typer_only["cpu"])
    lines = [
        "## bench_startup: start-up and a read command on the demo database",
        "",
        f"`python benchmarks/bench_startup.py` — measured {datetime.now().date().isoformat()} on {machine()}. "
        f"{args.runs} runs of each command after one warm-up, median; each a fresh process (`python -m salesctl`). "
        "Ratios are against `python -c 'import typer'`, timed in the same run.",
        "",
        "| command | wall ms | ratio (wall) | CPU ms | ratio (CPU) | target |",
        "|---|---:|---:|---:|---:|---|",
        row("python -c 'import typer' (baseline)", typer_only),
        row("salesctl --version", version,
            f"≤ {VERSION_TARGET}×: {'met' if v_ratio <= VERSION_TARGET else 'MISSED'}"),
        row("salesctl --help", help_),
        row("salesctl customer list --limit 20 (demo)", listing,
            f"< {READ_TARGET_S:.0f} s: {'met' if listing['wall'] < READ_TARGET_S else 'MISSED'}"),
        row("salesctl customer list --limit 20 --format json (demo)", listing_json),
        row("imports alone: salesctl.cli + services.customers (SQLAlchemy, SQLModel, the models)", imports_only),
        "",
        f"Of the read command's {listing['cpu'] * 1000:.0f} ms CPU, {imports_only['cpu'] * 1000:.0f} ms "
        f"({imports_only['cpu'] / listing['cpu']:.0%}) is importing SQLAlchemy, SQLModel/pydantic and building the "
        "models; opening the database, the query and the table take the rest.",
        "",
        f"Heavy modules imported (python -X importtime; any of {', '.join(HEAVY)}): `--version`: "
        f"{', '.join(heavy_version) or 'none'}; `--help`: {', '.join(heavy_help) or 'none'}.",
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        write_results(section)
        print(f"\nwritten to {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
