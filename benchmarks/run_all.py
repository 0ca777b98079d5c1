#!/usr/bin/env python
"""Run every benchmark: each benchmarks/bench_*.py and benchmarks/customer_list_memory.py, one after another.

Each script measures its own figures against its own baseline, in the same run,
and rewrites only its own section of benchmarks/RESULTS.md (the others are left as
they are), so a failed or skipped benchmark never wipes another's numbers.

    python benchmarks/run_all.py                         # all of them (the scale set takes a while)
    python benchmarks/run_all.py --only bench_import bench_startup
    python benchmarks/run_all.py --skip bench_summary --pg "postgresql+psycopg://postgres@/postgres?host=/tmp/pgtest"

Arguments after `--` go to every script (e.g. `-- --no-write` to print only).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts() -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    memory = HERE / "customer_list_memory.py"
    if memory.exists():
        found.append(memory)
    return found


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, passthrough = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these (file names without .py)")
    parser.add_argument("--skip", nargs="+", metavar="NAME", default=[], help="leave these out")
    parser.add_argument("--pg", help="PostgreSQL admin URL for customer_list_memory.py (also measures PostgreSQL)")
    args = parser.parse_args(argv)

    chosen = [p for p in scripts() if (not args.only or p.stem in args.only) and p.stem not in args.skip]
    unknown = set(args.only or ()) - {p.stem for p in scripts()}
    if unknown:
        parser.error(f"--only: no benchmark named {', '.join(sorted(unknown))}")
    outcomes = []
    for script in chosen:
        extra = list(passthrough)
        if script.stem == "customer_list_memory" and args.pg:
            extra += ["--pg", args.pg]
        print(f"== {script.name} {' '.join(extra)}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(script), *extra])
        outcomes.append((script.stem, done.returncode, time.perf_counter() - started))
    print("\n== summary", file=sys.stderr)
    for name, code, seconds in outcomes:
        print(f"{name:<24} {'ok' if code == 0 else f'FAILED (exit {code})':<18} {seconds:7.1f} s", file=sys.stderr)
    return 0 if all(code == 0 for _n, code, _s in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
