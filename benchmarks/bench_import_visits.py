#!/usr/bin/env python
"""Benchmark: `salesctl import visits` of 100,000 and 1,000,000 rows vs `sqlite-utils insert` of the same file.

Memory must stay flat in the number of rows (the import reads, checks and writes
1,000 rows at a time), and the CPU per row is shown against the same bare-table
baseline as bench_import.py.

    python benchmarks/bench_import_visits.py                 # 100,000 rows, 3 runs each; 1,000,000 rows once
    python benchmarks/bench_import_visits.py --quick         # 10,000 rows once, no large file, nothing written

The database is made by the real CLI as in bench_import.py (gm, director, manager,
the rep who owns the customers) with `--customers` customers imported from that
benchmark's generator. The visits file (Chinese headers, UTF-8 with BOM, CRLF) names
those customers by name, at times spread over two years, with four contact names;
about 1% of the rows repeat an earlier row exactly (duplicates in the file to find).
Every run is a fresh process on a fresh copy of that database, importing as the
manager; the baseline is timed the same way on a fresh empty database. Results go
into benchmarks/RESULTS.md, in this benchmark's own section.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sqlite3
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from _results import machine, write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_import as base_bench  # noqa: E402  (the database, the timing and the commands)

RESULTS = HERE / "RESULTS.md"
START_MARK = "<!-- bench_import_visits:start -->"
END_MARK = "<!-- bench_import_visits:end -->"
HEADER = ["客户", "拜访时间", "方式", "联系人", "拜访内容", "结果", "下次跟进"]
KINDS = ("拜访", "电话", "email", "活动")
CONTACTS = ("张伟", "李娜", "王芳", "赵六")


def write_visits(path: Path, names: list[str], count: int, seed: int) -> None:
    """Seeded visit rows naming the given customers; ~1% repeat an earlier row exactly."""
    rng = random.Random(seed)
    start = datetime(2024, 12, 1, 8, 0)
    recent: list[list[str]] = []
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(count):
            if recent and rng.random() < 0.01:
                row = rng.choice(recent)
            else:
                at = start + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
                row = [rng.choice(names), at.strftime("%Y-%m-%d %H:%M"), rng.choice(KINDS), rng.choice(CONTACTS),
                       f"第{i}次沟通：介绍方案与报价", "客户有兴趣", ""]
                recent = (recent + [row])[-5000:]
            writer.writerow(row)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000, help="one run of each command (0 leaves it out)")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each command (the median counts)")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--quick", action="store_true", help="10,000 rows, one run, no large file; implies --no-write")
    parser.add_argument("--no-write", action="store_true", help="print the section; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.big_rows, args.runs, args.customers, args.no_write = 10_000, 0, 1, 2_000, True

    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    with tempfile.TemporaryDirectory(prefix="salesctl-bench-visits-") as tmp:
        folder = Path(tmp)
        env.update({"SALESCTL_HOME": str(folder / "home"), "SALESCTL_NOW": base_bench.NOW,
                    "SALESCTL_TZ": "Asia/Shanghai", "SALESCTL_NO_INPUT": "1"})
        template = base_bench.prepare_database(folder, env)
        customers_csv = folder / "customers.csv"
        base_bench.write_csv(customers_csv, base_bench.make_rows(args.customers, args.seed))
        base_bench.timed(base_bench.salesctl_cmd() + ["--db", str(template), "--as", "zhang.wei", "import",
                                                     "customers", str(customers_csv), "--owner", "bench.rep"], env)
        con = sqlite3.connect(template)
        try:
            names = [n for (n,) in con.execute("SELECT name FROM customer ORDER BY id")]
        finally:
            con.close()

        def ours(source: Path) -> dict:
            db = folder / "run.db"
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            shutil.copyfile(template, db)
            result = base_bench.timed(base_bench.salesctl_cmd() + ["--db", str(db), "--as", "zhang.wei", "import",
                                                                  "visits", str(source)], env)
            result["imported"] = base_bench.count_rows(db, "visit")
            result["summary"] = result["stderr"].strip().splitlines()[-1]
            return result

        def theirs(source: Path) -> dict:
            db = folder / "bare.db"
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            result = base_bench.timed(base_bench.sqlite_utils_cmd() + ["insert", str(db), "visits", str(source),
                                                                      "--csv"], env)
            result["imported"] = base_bench.count_rows(db, "visits")
            return result

        visits_csv = folder / "visits.csv"
        write_visits(visits_csv, names, args.rows, args.seed)
        ours(visits_csv)  # warm the page cache and both programs once, then alternate the timed runs
        theirs(visits_csv)
        runs_ours, runs_theirs = [], []
        for i in range(args.runs):
            print(f"run {i + 1}/{args.runs} …", file=sys.stderr)
            runs_theirs.append(theirs(visits_csv))
            runs_ours.append(ours(visits_csv))
        big_ours = big_theirs = None
        if args.big_rows:
            print(f"the large file ({args.big_rows:,} rows), one run each …", file=sys.stderr)
            big_csv = folder / "big.csv"
            write_visits(big_csv, names, args.big_rows, args.seed)
            big_theirs = theirs(big_csv)
            big_ours = ours(big_csv)
            big_csv.unlink()

    for runs, rows in ((runs_ours, args.rows), ([big_ours] if big_ours else [], args.big_rows)):
        for run in runs:
            if not (0.97 * rows <= run["imported"] < rows):
                raise SystemExit(f"salesctl imported {run['imported']} visits of {rows} rows: "
                                 "the repeated rows were not found")

    def figures(runs, count):
        wall, cpu = base_bench.median(runs, "wall"), base_bench.median(runs, "cpu")
        return {"wall": wall, "cpu": cpu, "peak": max(r["peak_mb"] for r in runs),
                "rps_wall": count / wall, "rps_cpu": count / cpu}

    def line(label, f, against, note=""):
        return (f"| {label} | {f['wall']:.2f} | {f['rps_wall']:,.0f} | {f['rps_wall'] / against['rps_wall']:.2f} | "
                f"{f['cpu']:.2f} | {f['rps_cpu']:,.0f} | {f['rps_cpu'] / against['rps_cpu']:.2f} | "
                f"{f['peak']:.0f} | {note} |")

    base, mine = figures(runs_theirs, args.rows), figures(runs_ours, args.rows)
    lines = [
        f"## bench_import_visits: visits from CSV vs sqlite-utils insert, {args.rows:,}"
        + (f" and {args.big_rows:,} rows" if args.big_rows else " rows"),
        "",
        f"`python benchmarks/bench_import_visits.py` — measured {datetime.now().date().isoformat()} on {machine()}. "
        f"{args.rows:,} rows (seed {args.seed}; Chinese headers, UTF-8 with BOM, CRLF) naming {len(names):,} "
        "customers of the database by name, times spread over two years, about 1% of the rows an exact repeat of "
        f"an earlier one; {args.runs} timed runs each after one warm-up, median; every run a fresh process on a "
        "fresh copy of the database. salesctl checked every row as `visit log` does (the customer by name, the "
        "manager's right to log for its owner, kind, time, follow-up), found the repeats (against the archive and "
        "the file's earlier rows) and wrote each visit with the contacts it names (a new name once per customer) "
        f"and the customers' last contact, 1,000 rows at a time in one transaction: `{runs_ours[0]['summary']}`. "
        "The baseline, `sqlite-utils insert bare.db visits FILE --csv`, loads the same file into a bare table.",
        "",
        "| command | wall s | rows/s (wall) | ratio (wall) | CPU s | rows/s (CPU) | ratio (CPU) | peak MiB | memory |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        line(f"sqlite-utils insert, {args.rows:,} rows (baseline)", base, base),
        line(f"salesctl import visits, {args.rows:,} rows", mine, base),
    ]
    if big_ours:
        big_base, big_mine = figures([big_theirs], args.big_rows), figures([big_ours], args.big_rows)
        lines += [
            line(f"sqlite-utils insert, {args.big_rows:,} rows (baseline, one run)", big_base, big_base),
            line(f"salesctl import visits, {args.big_rows:,} rows (one run)", big_mine, big_base,
                 f"peak {big_mine['peak'] / mine['peak']:.2f}× the {args.rows:,}-row run"),
            "", f"At {args.big_rows:,} rows: `{big_ours['summary']}`.",
        ]
    lines += [
        "",
        "As in bench_import: CPU ratios are the stable figures on this shared machine; wall ratios measure the disk "
        "as much as the programs (sqlite-utils commits every 100 rows). Peak memory is the command's own maximum "
        "resident set, measured as a child of a small launcher.",
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        write_section(START_MARK, END_MARK, section, RESULTS)
        print(f"\nwritten to {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
