#!/usr/bin/env python
"""Benchmark: peak memory of `salesctl customer list --format json` at 10,000 vs 100,000 customers.

SPEC section 3 and issue 3: the list streams, so peak memory stays flat as the
database grows, and stays under 150 MB at 100,000 customers.

    python benchmarks/customer_list_memory.py                      # 10k and 100k, SQLite
    python benchmarks/customer_list_memory.py --sizes 1000,20000 --no-write
    python benchmarks/customer_list_memory.py --pg "postgresql+psycopg://postgres@/postgres?host=/tmp/pgtest"  # and PostgreSQL

For each size a fresh database is migrated and filled with bulk inserts through
SQLAlchemy Core (staff, customers, one primary contact each); then the command runs
in a fresh process as the director (who sees every customer) and its peak resident
memory (ru_maxrss of that child alone) is read. The rows printed are counted, so the
figure is for a complete listing. The figures go into benchmarks/RESULTS.md, in this
benchmark's own section (other sections are left alone).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _results import write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
START_MARK = "<!-- customer_list_memory:start -->"
END_MARK = "<!-- customer_list_memory:end -->"
LIMIT_MB = 150
GRADES = "ABCD"
STATUSES = ("following", "won", "paused", "lost")

# runs the command in a child of this small process, so RUSAGE_CHILDREN is that command alone
MEASURE = """
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    done = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.PIPE)
if done.returncode:
    sys.stderr.write(done.stderr.decode()[-2000:])
    sys.exit(done.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def fill(url: str, customers: int, reps: int = 50, batch: int = 5000) -> None:
    """A migrated database with a gm, a director, managers, reps and `customers` customers (bulk SQL)."""
    from sqlalchemy import insert

    from salesctl import db
    from salesctl.models import Contact, Customer, OwnershipEntry, Staff

    db.upgrade(url)
    engine = db.get_engine(url)
    now = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(insert(Staff.__table__), [
            {"id": 1, "handle": "boss", "name": "老板", "role": "gm", "manager_id": None, "active": True, "created_at": now},
            {"id": 2, "handle": "director", "name": "总监", "role": "director", "manager_id": 1, "active": True,
             "created_at": now},
        ])
        managers = [{"id": 3 + i, "handle": f"mgr{i}", "name": f"经理{i}", "role": "manager", "manager_id": 2,
                     "region": f"R{i}", "active": True, "created_at": now} for i in range(5)]
        conn.execute(insert(Staff.__table__), managers)
        rep_rows = [{"id": 10 + i, "handle": f"rep{i}", "name": f"销售{i}", "role": "rep", "manager_id": 3 + i % 5,
                     "region": f"R{i % 5}", "industry": f"I{i % 3}", "active": True, "created_at": now}
                    for i in range(reps)]
        conn.execute(insert(Staff.__table__), rep_rows)
    for start in range(0, customers, batch):
        ids = range(start + 1, min(start + batch, customers) + 1)
        rows, contacts, ledger = [], [], []
        for n in ids:
            owner = 10 + n % reps
            created = now - timedelta(minutes=n)
            phone = f"139{n:08d}"
            rows.append({
                "id": n, "name": f"客户{n:06d}有限公司", "name_norm": f"客户{n:06d}", "phone_norm": phone,
                "industry": f"I{(owner - 10) % 3}", "region": f"R{(owner - 10) % 5}",
                "address": f"某市某区某路{n}号", "status": STATUSES[n % 4], "grade": GRADES[n % 4],
                "expected_purchase": (now + timedelta(days=n % 400)).date(), "owner_id": owner,
                "reported_by_id": owner, "reported_at": created, "last_contact_at": created if n % 3 else None,
                "incomplete": False, "created_at": created, "updated_at": created, "created_by_id": owner,
            })
            contacts.append({"customer_id": n, "name": f"联系人{n}", "title": "经理", "phone": phone,
                             "phone_norm": phone, "decision_maker": False, "is_primary": True,
                             "created_at": created, "updated_at": created})
            ledger.append({"customer_id": n, "kind": "report", "staff_id": owner, "to_owner_id": owner,
                           "by_id": owner, "at": created})
        with engine.begin() as conn:
            conn.execute(insert(Customer.__table__), rows)
            conn.execute(insert(Contact.__table__), contacts)
            conn.execute(insert(OwnershipEntry.__table__), ledger)
    db.dispose_all()


def measure(url: str, home: Path) -> tuple[int, int]:
    """(peak RSS in KiB, rows printed) of `customer list --format json` as the director."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    env.update({"SALESCTL_HOME": str(home), "SALESCTL_DB": url, "SALESCTL_USER": "director",
                "SALESCTL_NO_INPUT": "1", "SALESCTL_NOW": "2026-11-27T17:30:00+08:00"})
    out = home / "list.json"
    cmd = [sys.executable, "-c", MEASURE, str(out), sys.executable, "-m", "salesctl", "customer", "list",
           "--format", "json"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"customer list failed ({done.returncode}): {done.stderr[-1000:]}")
    peak_kib = int(done.stdout.strip().splitlines()[-1])
    with out.open(encoding="utf-8") as fh:
        rows = sum(1 for line in fh if line.startswith("{"))
    out.unlink()
    return peak_kib, rows


def write_results(section: str) -> None:
    write_section(START_MARK, END_MARK, section, RESULTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="customer counts, comma separated")
    parser.add_argument("--pg", help="PostgreSQL admin URL: measure on a temporary database there instead of SQLite")
    parser.add_argument("--no-write", action="store_true", help="print the section; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    sys.path.insert(0, str(HERE.parent / "src"))

    backends = [("SQLite", None)] + ([("PostgreSQL", args.pg)] if args.pg else [])
    results = []  # (backend, size, MB)
    with tempfile.TemporaryDirectory(prefix="salesctl-listmem-") as tmp:
        for backend, pg in backends:
            for size in sizes:
                home = Path(tmp) / f"home-{backend}-{size}"
                home.mkdir()
                admin = name = None
                if pg:
                    from sqlalchemy import create_engine, text
                    from sqlalchemy.engine import make_url

                    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
                    name = f"salesctl_listmem_{uuid.uuid4().hex[:8]}"
                    with admin.connect() as conn:
                        conn.execute(text(f'CREATE DATABASE "{name}"'))
                    url = make_url(pg).set(database=name).render_as_string(hide_password=False)
                else:
                    url = f"sqlite:///{Path(tmp) / f'c{size}.db'}"
                try:
                    print(f"{backend}: filling {size} customers …", file=sys.stderr)
                    fill(url, size)
                    peak_kib, rows = measure(url, home)
                finally:
                    if admin is not None:
                        from salesctl import db

                        db.dispose_all()
                        with admin.connect() as conn:
                            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                        admin.dispose()
                if rows != size:
                    raise SystemExit(f"expected {size} rows, the command printed {rows}")
                results.append((backend, size, peak_kib / 1024))
                print(f"{backend}: {size:>8} customers: peak {peak_kib / 1024:.1f} MB", file=sys.stderr)

    lines = [
        "## customer list --format json: peak memory",
        "",
        f"`python benchmarks/customer_list_memory.py{' --pg URL' if args.pg else ''}` — Python "
        f"{platform.python_version()}, {platform.system()} {platform.machine()}; measured "
        f"{datetime.now().date().isoformat()}. Peak resident memory of the whole "
        f"`salesctl customer list --format json` process (as the director, every customer printed). "
        f"Target: under {LIMIT_MB} MB at 100,000 customers, flat as the database grows.",
        "",
        "| database | customers | peak memory (MB) | target |",
        "|---|---:|---:|---|",
    ]
    for backend, size, mb in results:
        verdict = "ok" if mb < LIMIT_MB else "OVER"
        lines.append(f"| {backend} | {size:,} | {mb:.1f} | < {LIMIT_MB} MB: {verdict} |")
    for backend, _pg in backends:
        mine = [(size, mb) for b, size, mb in results if b == backend]
        if len(mine) >= 2:
            (small, small_mb), (big, big_mb) = mine[0], mine[-1]
            lines += ["", f"{backend}: from {small:,} to {big:,} customers peak memory changes by "
                          f"{big_mb - small_mb:+.1f} MB ({(big_mb / small_mb - 1) * 100:+.0f}%)."]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        write_results(section)
        print(f"written to {RESULTS}", file=sys.stderr)
    over = [size for _backend, size, mb in results if size >= 100_000 and mb >= LIMIT_MB]
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
