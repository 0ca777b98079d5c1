"""What every benchmark shares: the machine line and writing its own section of RESULTS.md.

Each benchmark owns the part of RESULTS.md between its `<!-- name:start -->` and
`<!-- name:end -->` markers and replaces only that, so scripts can run in any order.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


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
