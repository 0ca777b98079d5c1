#!/usr/bin/env python
"""Run every benchmark: each benchmarks/bench_*.py and benchmarks/customer_list_memory.py, one after another.

Each script measures its own figures against its own baseline, in the same run,
and rewrites only its own section of benchmarks/RESULTS.md (the others are left as
they are), so a failed or skipped benchmark never wipes another's numbers.

    python benchmarks/run_all.py                         # all of them (the scale set takes a while)
    python benchmarks/run_all.py --quick                 # every benchmark at reduced sizes: a few minutes
    python benchmarks/run_all.py --baseline /work/venv/bin/python   # customer lists against another checkout too
    python benchmarks/run_all.py --only bench_import bench_startup
    python benchmarks/run_all.py --skip bench_summary --pg "postgresql+psycopg://postgres@/postgres?host=/tmp/pgtest"

Arguments after `--` go to every script (e.g. `-- --no-write` to print only).

`--quick` gives each script its `--quick` flag (smaller sizes, fewer runs), or explicit size flags
to one that has none, and `--no-write` (figures printed, RESULTS.md left as the full run wrote
it) unless `--write` is given. bench_rls needs PostgreSQL: it runs only with `--pg`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK_SIZES = {  # scripts without a --quick flag of their own: reduced sizes through the flags they take
    "bench_import": ["--rows", "10000", "--runs", "1"],
    "bench_summary": ["--customers", "10000", "--visits", "100000", "--deals", "5000", "--staff", "40", "--runs", "2"],
}

# SPEC section 3's scale set, for bench_rls (bench_summary's own defaults are these sizes)
SCALE_SET = ["--customers", "100000", "--visits", "1000000", "--deals", "50000", "--staff", "200", "--runs", "3"]


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
    parser.add_argument("--pg", help="PostgreSQL admin URL: bench_rls.py runs against it (the scale set), "
                                     "bench_summary.py and customer_list_memory.py measure it too")
    parser.add_argument("--quick", action="store_true", help="every benchmark at reduced sizes (a few minutes)")
    parser.add_argument("--write", action="store_true", help="with --quick: write the figures into RESULTS.md too")
    parser.add_argument("--baseline", metavar="PYTHON", help="customer_list_memory.py: another checkout's python, "
                                                             "timed on a copy of the same database")
    parser.add_argument("--baseline-schema", metavar="REV", help="customer_list_memory.py: the Alembic revision "
                                                                  "the --baseline checkout knows (its copy is stamped)")
    args = parser.parse_args(argv)

    chosen = [p for p in scripts() if (not args.only or p.stem in args.only) and p.stem not in args.skip]
    unknown = set(args.only or ()) - {p.stem for p in scripts()}
    if unknown:
        parser.error(f"--only: no benchmark named {', '.join(sorted(unknown))}")
    outcomes = []
    quick_db = None
    for script in chosen:
        extra = list(passthrough)
        source = script.read_text(encoding="utf-8")
        if script.stem == "bench_rls":
            if not args.pg:
                print(f"== {script.name}: skipped (needs PostgreSQL: --pg URL)", file=sys.stderr)
                outcomes.append((script.stem, None, 0.0))
                continue
            extra += ["--admin-url", args.pg]
            if not args.quick:  # the full run: the scale set, as RESULTS.md's section reports it
                extra += SCALE_SET
        if script.stem == "bench_summary" and args.pg:
            extra += ["--pg", args.pg]
        if script.stem == "customer_list_memory":
            extra += ["--pg", args.pg] if args.pg else []
            extra += ["--baseline", args.baseline] if args.baseline else []
            extra += ["--baseline-schema", args.baseline_schema] if args.baseline_schema else []
        if args.quick:
            if '"--quick"' in source:
                extra.append("--quick")
            else:
                extra += QUICK_SIZES.get(script.stem, [])
            if script.stem == "bench_summary" and "--db" not in extra:  # never the full scale set's file
                import tempfile

                quick_db = quick_db or Path(tempfile.mkdtemp(prefix="salesctl-quick-")) / "scale-quick.db"
                extra += ["--db", str(quick_db)]
            if not args.write and '"--no-write"' in source:
                extra.append("--no-write")
        print(f"== {script.name} {' '.join(extra)}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(script), *extra])
        outcomes.append((script.stem, done.returncode, time.perf_counter() - started))
    print("\n== summary", file=sys.stderr)
    for name, code, seconds in outcomes:
        verdict = "skipped" if code is None else "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"{name:<24} {verdict:<18} {seconds:7.1f} s", file=sys.stderr)
    return 0 if all(code in (0, None) for _n, code, _s in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
