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


def _take_turns(once, variants: list[tuple[list[str], dict]], runs: int) -> list[float]:
    """`runs` rounds, each variant once per round (the order reversed every other round); medians."""
    times: list[list[float]] = [[] for _ in variants]
    for round_ in range(runs):
        order = list(range(len(variants)))
        if round_ % 2:
            order.reverse()
        for i in order:
            times[i].append(once(*variants[i]))
    return [statistics.median(ts) for ts in times]


def _interleaved(variants: list[tuple[list[str], dict]], runs: int) -> list[tuple[float, bytes]]:
    """Each variant once to warm up, then `runs` rounds taking turns (order reversed every other round),
    so a change in the shared machine's load falls on both alike; medians."""
    outs = [_run(args, env)[1] for args, env in variants]
    return [(median, out) for median, out in zip(_take_turns(lambda a, e: _run(a, e)[0], variants, runs), outs)]


def _in_process(variants: list[tuple[list[str], dict]], runs: int) -> list[float]:
    """The same commands run in this process, after a warm-up of each: no interpreter start-up or imports,
    each variant's engine and pool kept (as a long-running job would), turns taken; medians of wall time."""
    from typer.testing import CliRunner

    from salesctl.cli import app

    runner = CliRunner()

    def once(args, env) -> float:
        began = time.perf_counter()
        result = runner.invoke(app, args, env=env)
        elapsed = time.perf_counter() - began
        if result.exit_code != 0:
            raise SystemExit(f"salesctl {' '.join(args)} failed in-process ({result.exit_code}): {result.output[:300]}")
        return elapsed

    for args, env in variants:
        once(args, env)
    return _take_turns(once, variants, runs)


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
            login_env = _env(home, login_url)
            (bypass, out_admin), (with_rls, out_login) = _interleaved([
                (["--as", handle, *args], admin_env), (args, login_env)], opts.runs)
            if out_admin != out_login:
                raise SystemExit(f"{label}: the login and the administrator print different results")
            warm_admin, warm_rls = _in_process([(["--as", handle, *args], admin_env), (args, login_env)],
                                               opts.runs * 3)
            ratio, warm = with_rls / bypass, warm_rls / warm_admin
            lines.append(f"| `{label}` | {bypass * 1000:.0f} ms | {with_rls * 1000:.0f} ms | {ratio:.2f}× | "
                         f"{warm_admin * 1000:.0f} ms | {warm_rls * 1000:.0f} ms | {warm:.2f}× | "
                         f"{'yes' if warm <= 1.3 else 'NO'} |")
            print(lines[-1], flush=True)
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
        f"{counts.get('deal', opts.deals)} deals{'' if opts.customers >= 100_000 else ' (a reduced scale; pass the scale-set sizes to repeat it at full size)'}. "
        "Each command in a fresh process, "
        f"{opts.runs} rounds after a warm-up, the variants taking turns (so the shared machine's load falls "
        "on both alike); medians of wall time (the policies run in the server, so the client's CPU time would not "
        "show them). Both variants print the same JSON. \"In one process\": the same two commands run "
        f"{opts.runs * 3} times each in one Python process (no interpreter start-up or imports, which are the same "
        "for both variants and dominate a fresh process on a loaded machine), turns taken: the command's own work, "
        "where RLS could cost; the target is judged on it.",
        "",
        "| command | fresh process: administrator `--as` (RLS bypassed) | fresh process: own login (RLS) | ratio "
        "| in one process: administrator | in one process: own login | ratio | ≤ 1.3× |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
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
