"""What every benchmark shares: the machine line, measuring one command alone, writing its section of RESULTS.md.

Each benchmark owns the part of RESULTS.md between its `<!-- name:start -->` and
`<!-- name:end -->` markers and replaces only that, so scripts can run in any order.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

# Runs the command as the child of this small process, so RUSAGE_CHILDREN is that command alone. Measuring
# a child of the benchmark itself would be wrong for memory: Linux carries the forking process's peak resident
# set through fork and exec into the child's ru_maxrss, so a benchmark holding a generated file would show its
# own size as every command's peak. argv: stdout file, then the command; stderr passes through; the last line
# of stdout is "peak_kib cpu_s wall_s".
MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
with open(sys.argv[1], "wb") as out:
    done = subprocess.run(sys.argv[2:], stdout=out)
wall = time.perf_counter() - started
if done.returncode:
    sys.exit(done.returncode)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, wall)
"""


def run_alone(cmd: list[str], env: dict, stdout: str = os.devnull) -> dict:
    """Wall and CPU seconds and peak MiB of `cmd` alone (see MEASURE), its stderr and exit code."""
    done = subprocess.run([sys.executable, "-S", "-c", MEASURE, stdout, *cmd], env=env, capture_output=True)
    text = done.stderr.decode("utf-8", "replace")
    if done.returncode:
        return {"returncode": done.returncode, "stderr": text}
    peak_kib, cpu, wall = done.stdout.decode().strip().splitlines()[-1].split()
    return {"returncode": 0, "wall": float(wall), "cpu": float(cpu), "peak_mb": int(peak_kib) / 1024, "stderr": text}


def machine() -> str:
    mem_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs (nproc), {mem_gb:.1f} GB memory, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average {load:.1f} when it ran")


def write_section(start_mark: str, end_mark: str, section: str, results: Path = RESULTS) -> None:
    """Replace the text between the markers (or append the block) in RESULTS.md."""
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    block = f"{start_mark}\n{section.strip()}\n{end_mark}"
    if start_mark in text and end_mark in text:
        text = re.sub(re.escape(start_mark) + r".*?" + re.escape(end_mark), lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    results.write_text(text, encoding="utf-8")
