#!/usr/bin/env python
"""Benchmark: 查重 quality on the labelled pairs, and speed of `customer add` / `customer duplicates` at scale.

Quality: every pair of tests/data/company_pairs.tsv (made by make_company_pairs.py)
goes through the matcher (`salesctl.companynames.compare`); precision and recall are
given for what blocks `customer add` in a script (`same` or `possible`) and for
`same` alone, with the pairs it gets wrong.

Speed: an archive of N customers (names from benchmarks/generate.py's pieces, keys
computed by the matcher, written in bulk; one in a hundred entered a second time by its
short name, so `duplicates` has pairs to find) and one of 100; `customer add` of a new
company is timed as a fresh process against each (median of --runs), and
`customer duplicates --all --format json` against the large one.

    python benchmarks/bench_matching.py                   # quality + speed at 100,000
    python benchmarks/bench_matching.py --customers 20000 --runs 3
    python benchmarks/bench_matching.py --quality-only
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _results import machine, write_section  # noqa: E402

PAIRS = ROOT / "tests" / "data" / "company_pairs.tsv"


# --------------------------------------------------------------------------- quality
def quality() -> tuple[str, dict]:
    from salesctl.companynames import compare_names

    rows = list(csv.DictReader(PAIRS.open(encoding="utf-8"), delimiter="\t"))
    counts = {"blocks": [0, 0, 0], "same": [0, 0, 0]}  # tp, fp, fn
    wrong = []
    for row in rows:
        verdict = compare_names(row["b"], row["a"])
        truth = row["label"] == "same"
        for kind, flagged in (("blocks", verdict.match is not None), ("same", verdict.match == "same")):
            c = counts[kind]
            if flagged and truth:
                c[0] += 1
            elif flagged:
                c[1] += 1
            elif truth:
                c[2] += 1
        if (verdict.match is not None) != truth:
            wrong.append((row["a"], row["b"], row["label"], verdict.match or "different", row["shape"]))
    figures = {}
    for kind, (tp, fp, fn) in counts.items():
        figures[kind] = (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
    same_n = sum(1 for r in rows if r["label"] == "same")
    lines = [
        f"{len(rows)} labelled pairs ({same_n} same company, {len(rows) - same_n} different) in "
        f"`tests/data/company_pairs.tsv`; matcher `salesctl.companynames.compare`.",
        "",
        "| what | precision | recall | goal |",
        "|---|---|---|---|",
        f"| blocks `customer add` in a script (`same` + `possible`) | {figures['blocks'][0]:.3f} | "
        f"{figures['blocks'][1]:.3f} | P ≥ 0.98, R ≥ 0.95 |",
        f"| `same` alone (refused; `--not-duplicate` cannot pass it) | {figures['same'][0]:.3f} | "
        f"{figures['same'][1]:.3f} | |",
        "",
        "Pairs it gets wrong (same+possible vs the label):",
        "",
        "| a | b | label | matcher | shape |",
        "|---|---|---|---|---|",
    ] + [f"| {a} | {b} | {label} | {got} | {shape} |" for a, b, label, got, shape in wrong]
    return "\n".join(lines), figures


# --------------------------------------------------------------------------- speed
def salesctl(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "salesctl", "--db", f"sqlite:///{db}", *args]


CPU: dict[str, list[float]] = {}  # CPU seconds (user + system) of each timed child, by what was timed


def run(cmd: list[str], env: dict, ok=(0,), cpu: str | None = None) -> float:
    """Wall seconds of one fresh process; its CPU seconds go to CPU[cpu] (steadier on a loaded machine)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[3:8])} … failed ({done.returncode}):\n{done.stderr[-2000:]}")
    if cpu:
        CPU.setdefault(cpu, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def make_archive(folder: Path, count: int, env: dict, seed: int = 7) -> Path:
    import generate as g
    from sqlalchemy import create_engine, insert

    from salesctl.companynames import keys, normal_form
    from salesctl.models import Customer, OwnershipEntry

    db = folder / f"archive-{count}.db"
    for step in (["init", "--admin", "chen.zong", "--name", "陈总", "--role", "gm"],
                 ["--as", "chen.zong", "staff", "add", "bench.rep", "--name", "王芳", "--role", "rep",
                  "--manager", "chen.zong", "--industry", "*", "--region", "华东"]):
        run(salesctl(db, *step), env)
    rng = random.Random(seed)
    now = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)
    seen: set[str] = set()
    rows, ledger = [], []
    i = 0
    planted = None
    while len(rows) < count:
        industry = rng.choice(g.INDUSTRIES)
        city, trade = rng.choice(g.CITIES), f"{rng.choice(g.BRANDS)}{rng.choice(g.BRANDS)}"
        name = f"{city}{trade}{rng.choice(g.KINDS_OF_BUSINESS[industry])}{rng.choice(g.LEGAL_FORMS)}"
        if planted:  # one in a hundred is entered again by its short name (region + 字号): a duplicate to find
            name, planted = planted, None
        elif i % 100 == 99:
            planted = f"{city}{trade}"
        i += 1
        norm = normal_form(name)
        if norm in seen:
            continue
        seen.add(norm)
        cid = len(rows) + 1
        rows.append({"id": cid, "name": name, "name_norm": norm, "status": "following", "grade": "C",
                     "owner_id": 2, "reported_by_id": 2, "reported_at": now, "incomplete": True,
                     "created_at": now, "updated_at": now, "created_by_id": 2, "industry": industry,
                     **keys(name)})
        ledger.append({"customer_id": cid, "kind": "report", "staff_id": 2, "to_owner_id": 2, "by_id": 2, "at": now})
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(Customer.__table__), rows[start:start + 5000])
            conn.execute(insert(OwnershipEntry.__table__), ledger[start:start + 5000])
    engine.dispose()
    return db


def add_times(db: Path, env: dict, runs: int, tag: str) -> list[float]:
    times = []
    for n in range(runs):
        work = db.with_name(f"{db.stem}-run.db")
        shutil.copy(db, work)
        times.append(run(salesctl(work, "--as", "bench.rep", "customer", "add", f"宁波{tag}{n}号精工模具有限公司",
                                  "--contact", "张伟", "--title", "采购经理", "--phone", f"1390000{n:04d}",
                                  "--status", "跟进中"), env, cpu=f"add-{db.stem}"))
    return times


def speed(customers: int, runs: int) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    env.update({"SALESCTL_NO_INPUT": "1", "SALESCTL_LANG": "en"})
    folder = Path(tempfile.mkdtemp(prefix="bench-match-"))
    try:
        started = time.perf_counter()
        small = make_archive(folder, 100, env)
        large = make_archive(folder, customers, env)
        built = time.perf_counter() - started
        small_t = add_times(small, env, runs, "甬江")
        large_t = add_times(large, env, runs, "甬江")
        dup_t, list_t = [], []
        for _ in range(max(1, runs // 2)):  # interleaved, so a change of load hits both alike
            dup_t.append(run(salesctl(large, "--as", "chen.zong", "customer", "duplicates", "--all", "--format", "json"),
                             env, cpu="duplicates"))
            list_t.append(run(salesctl(large, "--as", "chen.zong", "customer", "list", "--all", "--format", "json"),
                              env, cpu="list"))
        pairs = subprocess.run(salesctl(large, "--as", "chen.zong", "customer", "duplicates", "--all", "--format",
                                        "json"), env=env, capture_output=True, text=True).stdout.count('"keep"')
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    med = statistics.median
    cpu_small, cpu_large = CPU[f"add-{small.stem}"], CPU[f"add-{large.stem}"]
    return "\n".join([
        f"Archives of 100 and {customers:,} customers (generated names, keys by the matcher; built in {built:.0f} s); "
        f"each `customer add` is a fresh process on a fresh copy, median of {runs}.",
        "",
        "| command | archive | median wall s | median CPU s | wall s of each run |",
        "|---|---|---|---|---|",
        f"| `customer add` (new company) | 100 | {med(small_t):.2f} | {med(cpu_small):.2f} | "
        f"{', '.join(f'{x:.2f}' for x in small_t)} |",
        f"| `customer add` (new company) | {customers:,} | {med(large_t):.2f} | {med(cpu_large):.2f} | "
        f"{', '.join(f'{x:.2f}' for x in large_t)} |",
        f"| `customer duplicates --all --format json` ({pairs} pairs) | {customers:,} | {med(dup_t):.2f} | "
        f"{med(CPU['duplicates']):.2f} | {', '.join(f'{x:.2f}' for x in dup_t)} |",
        f"| baseline: `customer list --all --format json` (one pass over the archive) | {customers:,} | "
        f"{med(list_t):.2f} | {med(CPU['list']):.2f} | {', '.join(f'{x:.2f}' for x in list_t)} |",
        "",
        f"- `customer add` against {customers:,} customers / against 100: **{med(large_t) / med(small_t):.2f}× wall, "
        f"{med(cpu_large) / med(cpu_small):.2f}× CPU** "
        "(1.0 = the same time; the candidates are index lookups on the stored keys).",
        f"- `customer duplicates --all` / listing the same archive once: **{med(dup_t) / med(list_t):.2f}× wall, "
        f"{med(CPU['duplicates']) / med(CPU['list']):.2f}× CPU** "
        f"(a union of indexed self-joins on trade_key and phone_norm, regions compared in SQL; "
        f"about {customers // 100:,} short-name duplicates were planted).",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--quick", action="store_true", help="10,000 customers, 2 runs (run_all.py --quick)")
    parser.add_argument("--no-write", action="store_true", help="print the section; leave RESULTS.md alone")
    args = parser.parse_args()
    if args.quick:
        args.customers, args.runs = min(args.customers, 10_000), min(args.runs, 2)
    text, figures = quality()
    print(text.split("\n\nPairs")[0])
    sections = [f"Machine: {machine()}.", "", "### Quality (labelled pairs)", "", text]
    if not args.quality_only:
        timing = speed(args.customers, args.runs)
        print(timing)
        sections += ["", "### Speed", "", timing]
    if args.no_write:
        return
    write_section("<!-- matching:start -->", "<!-- matching:end -->",
                  "## 查重 (issue 18): `benchmarks/bench_matching.py`\n\n" + "\n".join(sections))


if __name__ == "__main__":
    main()
