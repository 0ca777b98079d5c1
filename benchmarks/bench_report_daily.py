"""Time the end-of-day command on the demo database: `salesctl report daily --submit --summary … --plan …`.

Each run is a fresh process (what a rep or a cron job pays), compared with the
start-up of `salesctl --version` as the baseline and `salesctl whoami` (opening the
database and finding the user: the floor of every database command); N runs
each, interleaved, median
reported. The clock is frozen (SALESCTL_NOW) so the demo data and the report are
the same on every machine. Writes (or replaces) its own section of
benchmarks/RESULTS.md.

Usage: python benchmarks/bench_report_daily.py [-n 15] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
BEGIN = "<!-- bench_report_daily:begin -->"
END = "<!-- bench_report_daily:end -->"
NOW = "2026-11-27T17:30:00+08:00"  # a Friday before the end of office
EXE = [sys.executable, "-m", "salesctl"]


def _env(home: Path, db: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    env.update(SALESCTL_HOME=str(home), SALESCTL_DB=f"sqlite:///{db}", SALESCTL_TZ="Asia/Shanghai",
               SALESCTL_NOW=NOW, SALESCTL_NO_INPUT="1", NO_COLOR="1")
    return env


def _time(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall-clock seconds, and the child's CPU seconds (user + system: less sensitive to a busy machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--quick", action="store_true", help="3 runs of each (run_all.py --quick)")
    args = parser.parse_args()
    if args.quick:
        args.n = min(args.n, 3)

    with tempfile.TemporaryDirectory(prefix="salesctl-bench-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = _env(home, Path(tmp) / "demo.db")
        subprocess.run(EXE + ["init", "--demo"], env=env, check=True, capture_output=True)
        commands = {
            "salesctl --version (start-up baseline)": EXE + ["--version"],
            "salesctl whoami (any database command's floor)": EXE + ["--as", "wang.fang", "whoami"],
            "salesctl report daily (preview, writes nothing)": EXE + ["--as", "wang.fang", "report", "daily"],
            "salesctl report daily --submit --summary … --plan …": EXE + [
                "--as", "wang.fang", "report", "daily", "--submit",
                "--summary", "拜访三家客户，苏州新华要求报价", "--plan", "准备报价单，约技术交流"],
        }
        for argv in commands.values():  # warm the OS file cache and the bytecode
            _time(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        load_before = os.getloadavg()[0]
        for _ in range(args.n):
            for name, argv in commands.items():
                wall, used = _time(argv, env)
                times[name].append(wall)
                cpu[name].append(used)

    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    baseline = medians["salesctl --version (start-up baseline)"]
    lines = [
        BEGIN,
        "## report daily --submit (issue 5)",
        "",
        f"`benchmarks/bench_report_daily.py -n {args.n}`, {datetime.now().strftime('%Y-%m-%d %H:%M')}: "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load_before:.2f} before and {os.getloadavg()[0]:.2f} after (a shared machine: "
        "compare the columns with the start-up baseline of the same run); demo database (SQLite), "
        f"clock frozen at {NOW}.",
        "Each run is a new process; the submit runs resubmit the same report (a new snapshot version each time).",
        "",
        "| command | median wall (s) | min (s) | max (s) | over start-up (s) | median CPU (s) |",
        "|---|---|---|---|---|---|",
    ]
    for name, values in times.items():
        lines.append(f"| `{name}` | {medians[name]:.3f} | {min(values):.3f} | {max(values):.3f} | "
                     f"{medians[name] - baseline:+.3f} | {cpu_medians[name]:.3f} |")
    lines += ["", END]
    section = "\n".join(lines)
    print(section)
    if args.no_write:
        return
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(f"\nwrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
