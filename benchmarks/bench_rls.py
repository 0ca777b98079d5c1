#!/usr/bin/env python
"""Benchmark: the cost of row-level security on the team server (PostgreSQL), measured in one run.

Two commands of the handbook's day, each run twice on the same generated data:
with RLS (the person's own login: PostgreSQL applies the org-chart policies of
salesctl.rls) and with RLS bypassed (the administrator, who owns the tables, `--as`
the same person, so salesctl's own permission filters are identical). Target: RLS
≤ 1.3× the administrator's time.

- `summary week --team` as a manager;
- `customer list --format json` as a rep.

    python benchmarks/bench_rls.py --admin-url 'postgresql+psycopg://salesctl_admin@/postgres?host=/tmp/pg'
    python benchmarks/bench_rls.py --admin-url … --customers 100000 --visits 1000000 --deals 50000 --staff 200  # the scale set

The admin URL's role needs CREATEDB and CREATEROLE (not a superuser). A fresh
database `salesctl_bench_rls` is generated with benchmarks/generate.py. Each command
runs in a fresh process, once to warm up, then --runs times; the median counts. Both
variants must print the same JSON. Results go to RESULTS.md (this benchmark's section).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import machine, write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
START_MARK = "<!-- bench_rls:start -->"
END_MARK = "<!-- bench_rls:end -->"
DB_NAME = "salesctl_bench_rls"


def _env(home: str, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    env.update(SALESCTL_HOME=home, HOME=home, SALESCTL_DB=url, NO_COLOR="1", SALESCTL_TZ="Asia/Shanghai", LANG="en_US.UTF-8")
    return env


def _run(args: list[str], env: dict) -> tuple[float, bytes]:
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "salesctl", *args], env=env, capture_output=True)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"salesctl {' '.join(args)} failed ({done.returncode}): {done.stderr.decode()[:500]}")
    return elapsed, done.stdout


def _median(args, env, runs) -> tuple[float, bytes]:
    _, out = _run(args, env)  # warm-up
    return statistics.median(_run(args, env)[0] for _ in range(runs)), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", required=True)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--visits", type=int, default=50_000)
    parser.add_argument("--deals", type=int, default=2_500)
    parser.add_argument("--staff", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--quick", action="store_true", help="a fifth of the sizes, 2 runs (run_all.py --quick)")
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.customers, opts.visits, opts.deals, opts.runs = (opts.customers // 5, opts.visits // 5, opts.deals // 5,
                                                               min(opts.runs, 2))

    sys.path.insert(0, str(HERE))
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from generate import generate

    admin = create_engine(opts.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    url = make_url(opts.admin_url).set(database=DB_NAME).render_as_string(hide_password=False)
    info = generate(url, customers=opts.customers, visits=opts.visits, deals=opts.deals, staff=opts.staff,
                    quiet=True)
    now = info["now"]
    manager, rep = info["manager"], info["rep"]
    lines = []
    with tempfile.TemporaryDirectory() as home:
        admin_env = _env(home, url)
        for handle in (manager, rep):
            _run(["--as", info["gm"], "staff", "login", handle, "--enable"], admin_env)
        engine = create_engine(url)
        with engine.connect() as conn:
            roles = dict(conn.execute(text("SELECT handle, login_role FROM staff WHERE login_role IS NOT NULL")).all())
            conn.execute(text("ANALYZE"))
            conn.commit()
        engine.dispose()
        cases = [
            (f"summary week --team as manager {manager}", manager, ["--now", now, "summary", "week", "--team", "--format", "json"]),
            (f"customer list --format json as rep {rep}", rep, ["--now", now, "customer", "list", "--format", "json"]),
        ]
        for label, handle, args in cases:
            login_url = make_url(url).set(username=roles[handle], password=None).render_as_string(hide_password=False)
            bypass, out_admin = _median(["--as", handle, *args], admin_env, opts.runs)
            with_rls, out_login = _median(args, _env(home, login_url), opts.runs)
            if out_admin != out_login:
                raise SystemExit(f"{label}: the login and the administrator print different results")
            ratio = with_rls / bypass
            lines.append(f"| `{label}` | {bypass * 1000:.0f} ms | {with_rls * 1000:.0f} ms | {ratio:.2f}× | "
                         f"{'yes' if ratio <= 1.3 else 'NO'} |")
            print(lines[-1])
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        prefix = DB_NAME
        for name in conn.execute(text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :p)"),
                                 {"p": prefix + "."}).scalars().all() + [prefix + "_users"]:
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    admin.dispose()
    counts = info["counts"]
    section = "\n".join([
        "## Row-level security overhead (team server, PostgreSQL)",
        "",
        f"`benchmarks/bench_rls.py`: data from `benchmarks/generate.py` with {counts.get('staff', opts.staff)} staff, "
        f"{counts.get('customer', opts.customers)} customers, {counts.get('visit', opts.visits)} visits, "
        f"{counts.get('deal', opts.deals)} deals (a reduced scale: stated here; pass the scale-set sizes to repeat it "
        "at full size). Each command in a fresh process, median of "
        f"{opts.runs} runs after a warm-up; both variants print the same JSON.",
        "",
        "| command | administrator `--as` (RLS bypassed) | own login (RLS) | ratio | ≤ 1.3× |",
        "|---|---|---|---|---|",
        *lines,
        "",
        f"Machine: {machine()}.",
    ])
    if not opts.no_write:
        write_section(START_MARK, END_MARK, section)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
