#!/usr/bin/env python
"""Benchmark: `salesctl summary week --all` on the scale set vs the same aggregates in hand-written SQL.

SPEC section 3: on the scale set (200 staff, 100,000 customers, 1,000,000 visits,
50,000 deals over 3 years) `summary week` for the whole company must take at most
2× the time of the same aggregates written by hand and run with the `sqlite3`
command-line shell, plus the program's start-up (`salesctl --version`).

    python benchmarks/bench_summary.py --db /tmp/scale.db              # generates it first if missing
    python benchmarks/bench_summary.py --db /tmp/small.db --customers 2000 --visits 20000 --deals 1000 --staff 40
    python benchmarks/bench_summary.py --quick                         # 5,000 customers, 50,000 visits, 3 runs
    python benchmarks/bench_summary.py --pg "postgresql+psycopg://postgres@/postgres?host=/tmp/pgI"

With --pg (a superuser URL of the server) it also measures PostgreSQL, in its own section:
`summary week --all` against the same aggregates written for `psql` (target: after
start-up, summary − `whoami`, within 1.5× of psql), on the scale set and on a 10% set
(growing no faster than the data), and the plan of every statement the summary sends
(EXPLAIN ANALYZE: which index each big table is read through). Its two databases
(salesctl_bench_summary and …_tenth; --pg-db/--pg-db-tenth to name others) are generated
when missing and kept for the next run unless --pg-drop.

Size: one script for both databases, which share the hand SQL, its check and the timing
rounds; each half (sqlite_main, pg_main) reads on its own.

Each command runs in a fresh process (subprocess), once to warm the page cache, then
--runs times; the median counts. Before timing, the hand-written SQL's figures are
checked against salesctl's JSON totals, so both really compute the same thing. The
results go into benchmarks/RESULTS.md, in this benchmark's own section (other
sections are left alone).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from _results import write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
START_MARK = "<!-- bench_summary:start -->"
END_MARK = "<!-- bench_summary:end -->"
PG_START_MARK = "<!-- bench_summary_pg:start -->"
PG_END_MARK = "<!-- bench_summary_pg:end -->"
TZ = ZoneInfo("Asia/Shanghai")


def _run_once(cmd: list[str], env: dict, stdin_path: Path | None = None) -> tuple[float, float]:
    """Wall-clock and CPU (user + sys) seconds of one run of a command, as a fresh process."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        elapsed = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        if stdin_path:
            stdin.close()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[:500]}")
    return elapsed, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _timed_rounds(commands: dict[str, tuple], runs: int, env: dict) -> dict[str, dict]:
    """Median wall-clock and CPU seconds of each command over `runs` rounds.

    The commands take turns (one of each per round), so a burst of other work on a shared
    machine hits them alike; a first round warms the page cache and is not counted. CPU
    time is reported too because other people's work stretches wall-clock time.
    """
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for round_no in range(runs + 1):
        for name, (cmd, stdin_path) in commands.items():
            wall, cpu = _run_once(cmd, env, stdin_path)
            if round_no:
                walls[name].append(wall)
                cpus[name].append(cpu)
    return {name: {"wall": statistics.median(walls[name]), "cpu": statistics.median(cpus[name]),
                   "walls": walls[name]} for name in commands}


def _ts(moment: datetime) -> str:
    """How SQLAlchemy stores a UTC timestamp in SQLite (naive UTC text)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def hand_sql(first: date, last: date, today: date, workdays: list[date], now: datetime,
             dialect: str = "sqlite") -> str:
    """The summary's aggregates for the whole company, as one would write them by hand (sqlite3 or psql)."""
    pg = dialect == "postgresql"
    lo = _ts(datetime.combine(first, datetime.min.time(), TZ))
    hi = _ts(datetime.combine(last + timedelta(days=1), datetime.min.time(), TZ))
    month_first = last.replace(day=1)  # the month the week ends in (its target)
    month_label = f"{last.year}-{last.month:02d}"
    as_of = min(last + timedelta(days=1), today)
    until = _ts(min(datetime.combine(last + timedelta(days=1), datetime.min.time(), TZ), now))
    due_days = [d for d in workdays if d <= today] or [first]
    days_values = ", ".join(f"('{d.isoformat()}'{'::date' if pg else ''})" for d in due_days)
    offset = now.utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset else 0

    def n(condition: str) -> str:  # how many rows meet a condition
        return f"count(*) FILTER (WHERE {condition})" if pg else f"sum({condition})"

    false = "false" if pg else "0"
    since = f"(created_at + interval '{hours} hours')::date" if pg else f"date(created_at, '{hours:+d} hours')"
    late = n("f.late") if pg else "coalesce(sum(f.late), 0)"
    return f"""
-- visits by kind and distinct customers contacted
SELECT rep_id, count(*), {n("kind = 'visit'")}, {n("kind = 'call'")}, {n("kind = 'email'")}, {n("kind = 'event'")},
       count(DISTINCT customer_id)
FROM visit WHERE at >= '{lo}' AND at < '{hi}' GROUP BY rep_id;
-- new customers, to the first reporter
SELECT reported_by_id, count(*) FROM customer WHERE created_at >= '{lo}' AND created_at < '{hi}' GROUP BY reported_by_id;
-- grade changes up/down, by current owner
SELECT c.owner_id, {n("g.to_grade < g.from_grade")}, {n("g.to_grade > g.from_grade")}
FROM grade_change g JOIN customer c ON c.id = g.customer_id
WHERE g.at >= '{lo}' AND g.at < '{hi}' AND g.from_grade IS NOT NULL GROUP BY c.owner_id;
-- customers owned now, by grade
SELECT owner_id, grade, count(*) FROM customer WHERE owner_id IS NOT NULL GROUP BY owner_id, grade;
-- deals advanced
SELECT d.owner_id, count(DISTINCT s.deal_id) FROM deal_stage_change s JOIN deal d ON d.id = s.deal_id
WHERE s.at >= '{lo}' AND s.at < '{hi}' AND s.from_stage IS NOT NULL AND s.to_stage > s.from_stage GROUP BY d.owner_id;
-- deals won (count, amount) and lost
SELECT owner_id, count(*), sum(amount) FROM deal WHERE won_on >= '{first}' AND won_on <= '{last}' GROUP BY owner_id;
SELECT owner_id, count(*) FROM deal WHERE lost_on >= '{first}' AND lost_on <= '{last}' GROUP BY owner_id;
-- payments in the week, and in the month to the week's end (attainment)
SELECT d.owner_id, sum(p.amount) FROM payment p JOIN deal d ON d.id = p.deal_id
WHERE p.paid_on >= '{first}' AND p.paid_on <= '{last}' GROUP BY d.owner_id;
SELECT d.owner_id, sum(p.amount) FROM payment p JOIN deal d ON d.id = p.deal_id
WHERE p.paid_on >= '{month_first}' AND p.paid_on <= '{last}' GROUP BY d.owner_id;
-- targets
SELECT staff_id, amount FROM target WHERE period = '{month_label}' AND team = {false};
-- daily reports: due (workdays since joining, not on leave), submitted, late
WITH days(d) AS (VALUES {days_values}),
     reps AS (SELECT id, {since} AS since FROM staff WHERE role = 'rep' AND active),
     filed AS MATERIALIZED (SELECT rep_id, period_start, late FROM report
                            WHERE kind = 'daily' AND period_start BETWEEN '{first}' AND '{last}'
                              AND status IN ('submitted', 'reviewed'))
SELECT r.id, count(*), count(f.rep_id), {late}
FROM reps r JOIN days ON days.d >= r.since
LEFT JOIN filed f ON f.rep_id = r.id AND f.period_start = days.d
WHERE NOT EXISTS (SELECT 1 FROM leave l WHERE l.staff_id = r.id AND days.d BETWEEN l.start AND l."end")
GROUP BY r.id;
-- the week's own report
SELECT rep_id, status, late FROM report WHERE kind = 'weekly' AND period_start = '{first}';
-- overdue follow-ups: not done, and no later visit to the customer since
SELECT c.owner_id, count(*) FROM visit v JOIN customer c ON c.id = v.customer_id
WHERE v.follow_up_done = {false} AND v.follow_up < '{as_of}'
  AND NOT EXISTS (SELECT 1 FROM visit l WHERE l.customer_id = v.customer_id AND l.at >= v.at
                  AND l.at < '{until}' AND (l.at > v.at OR l.id > v.id))
GROUP BY c.owner_id;
-- the people
SELECT id, handle, name, role, region, industry, manager_id, active FROM staff;
"""


def _statements(sql: str) -> list[str]:
    """The script's statements, comments left out."""
    return ["\n".join(line for line in s.strip().splitlines() if not line.lstrip().startswith("--"))
            for s in sql.split(";") if s.strip()]


def _run_sql(sqlite3: str, db: Path, sql: str) -> list[list[list[str]]]:
    """Run the statements one by one with output, for the correctness check."""
    results = []
    for body in _statements(sql):
        done = subprocess.run([sqlite3, "-readonly", "-separator", "\t", str(db), body + ";"], capture_output=True,
                              text=True, check=True)
        results.append([line.split("\t") for line in done.stdout.splitlines()])
    return results


def _check(hand: list, totals: dict) -> list[str]:
    """The hand SQL's figures must match salesctl's totals (the same aggregates)."""
    def col(rows, i, cast=int):
        return sum(cast(r[i] or 0) for r in rows)

    visits, new, grades, owned, advanced, won, lost, paid, _mtd, targets, daily, _weekly, overdue, _staff = hand
    expected = {
        "visits": col(visits, 1), "visits_call": col(visits, 3), "customers_contacted": col(visits, 6),
        "new_customers": col(new, 1), "grade_up": col(grades, 1), "grade_down": col(grades, 2),
        "grade_a": sum(int(r[2]) for r in owned if r[1] == "A"), "deals_advanced": col(advanced, 1),
        "deals_won": col(won, 1), "amount_won": f"{col(won, 2) / 100:.2f}", "deals_lost": col(lost, 1),
        "payments": f"{col(paid, 1) / 100:.2f}", "target": f"{col(targets, 1) / 100:.2f}",
        "daily_due": col(daily, 1), "daily_submitted": col(daily, 2), "daily_late": col(daily, 3),
        "overdue_followups": col(overdue, 1),
    }
    return [f"{k}: hand SQL {v}, salesctl {totals.get(k)}" for k, v in expected.items() if str(totals.get(k)) != str(v)]


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def _counts(sqlite3: str, db: Path) -> dict:
    tables = ("staff", "customer", "contact", "visit", "deal", "deal_stage_change", "payment", "grade_change",
              "report")
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)
    done = subprocess.run([sqlite3, "-readonly", "-separator", "\t", str(db), sql + ";"], capture_output=True,
                          text=True, check=True)
    return {k: int(v) for k, v in (line.split("\t") for line in done.stdout.splitlines())}


def write_results(section: str) -> None:
    write_section(START_MARK, END_MARK, section, RESULTS)


# --------------------------------------------------------------------------- PostgreSQL (--pg)
BIG = ("visit", "customer", "deal", "payment", "report", "grade_change", "deal_stage_change", "contact")


def _libpq(url: str) -> str:
    """psql's form of a SQLAlchemy URL (postgresql+psycopg://… → postgresql://…)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_ready(admin_url: str, name: str) -> bool:
    """Make the database if it is missing; True when it already holds a salesctl schema with visits."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                return False
    finally:
        admin.dispose()
    engine = create_engine(make_url(admin_url).set(database=name))
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT to_regclass('public.visit')")).scalar() is None:
                return False
            return bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM visit)")).scalar())
    finally:
        engine.dispose()


def _pg_drop(admin_url: str, names: list[str]) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _run_sql_pg(psql: str, dsn: str, sql: str, env: dict) -> list[list[list[str]]]:
    """Run the statements one by one with output (tab-separated), for the correctness check."""
    results = []
    for body in _statements(sql):
        done = subprocess.run([psql, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", dsn,
                               "-c", body], capture_output=True, text=True, check=True, env=env)
        results.append([line.split("\t") for line in done.stdout.splitlines()])
    return results


def _counts_pg(url: str) -> dict:
    from sqlalchemy import create_engine, text

    tables = ("staff", "customer", "contact", "visit", "deal", "deal_stage_change", "payment", "grade_change",
              "report")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}
            counts["_bytes"] = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
            counts["_version"] = conn.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()
    return counts


def _scans(plan: dict, found: dict) -> None:
    """Which big tables a plan reads, and how: Seq Scan, or the names of the indexes it uses."""
    table = plan.get("Relation Name")
    if table in BIG:
        if plan["Node Type"] == "Seq Scan":
            found.setdefault(table, set()).add("Seq Scan")
        elif "Index Name" in plan:
            found.setdefault(table, set()).add(plan["Index Name"])
        else:  # a Bitmap Heap Scan: its indexes are in the Bitmap Index Scans below it
            stack = list(plan.get("Plans", ()))
            while stack:
                node = stack.pop()
                if "Index Name" in node:
                    found.setdefault(table, set()).add(node["Index Name"])
                stack += node.get("Plans", ())
    for child in plan.get("Plans", ()):
        _scans(child, found)


def pg_plans(url: str, env: dict) -> list[dict]:
    """The statements `summary week --all` sends, EXPLAIN ANALYZEd on the scale set: time and what each reads.

    Runs the command in this process (CliRunner) to capture its statements with their
    parameters, then explains each on a fresh connection, as the planner sees them.
    """
    import json as _json

    from sqlalchemy import event
    from typer.testing import CliRunner

    from salesctl import db
    from salesctl.cli import app

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update({k: v for k, v in env.items() if k.startswith("SALESCTL_")})
    try:
        engine = db.get_engine(url)
        seen: list[tuple[str, object]] = []

        def grab(_conn, _cursor, statement, parameters, _context, executemany):
            if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
                seen.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", grab)
        try:
            result = CliRunner().invoke(app, ["--db", url, "summary", "week", "--all", "--format", "json"])
        finally:
            event.remove(engine, "before_cursor_execute", grab)
        if result.exit_code != 0:
            raise SystemExit(f"summary (for its plans) failed: {result.output[:500]}")
        raw = engine.raw_connection()
        out = []
        try:
            cursor = raw.cursor()
            for statement, params in seen:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params or None)
                plan = cursor.fetchone()[0]
                plan = _json.loads(plan) if isinstance(plan, str) else plan
                found: dict = {}
                _scans(plan[0]["Plan"], found)
                if found:
                    out.append({"ms": plan[0]["Execution Time"], "reads": found, "sql": " ".join(statement.split())})
        finally:
            raw.rollback()
            raw.close()
        db.dispose_all()
        return out
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _what(sql: str) -> str:
    """A short name for a captured statement: its tables and first condition."""
    import re

    body = sql.split(") SELECT ", 1)[-1] if sql.startswith("WITH") else sql
    body = re.sub(r"%\(\w+\)s(::(TIMESTAMP WITHOUT TIME ZONE|[A-Z]+))?", "…", body)
    tables = [t for t in re.findall(r"\b(?:FROM|JOIN) (\w+)", body.split(" WHERE ", 1)[0]) if t in BIG]
    cond = body.split(" WHERE ", 1)[1].split(" AND ")[0].split(" GROUP BY ")[0] if " WHERE " in body else ""
    return (" ⋈ ".join(dict.fromkeys(tables)) + (f": {cond[:50]}" if cond else "")).replace("|", "\\|")


def pg_main(args, salesctl: list[str], end: date, now: datetime, sql_pg: str, home: str) -> bool:
    """`summary week --all` on PostgreSQL: vs the same SQL in psql, and its growth from the 10% set."""
    from sqlalchemy.engine import make_url

    psql = shutil.which("psql")
    if not psql:
        raise SystemExit("--pg: the psql client is needed (apt-get install postgresql-client)")
    full_name = args.pg_db or ("salesctl_bench_summary_quick" if args.quick else "salesctl_bench_summary")
    tenth_name = args.pg_db_tenth or f"{full_name}_tenth"
    sizes = {"customers": args.customers, "visits": args.visits, "deals": args.deals}
    sets = {}
    for name, share in ((full_name, 1), (tenth_name, 10)):
        url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
        if not _pg_ready(args.pg, name):
            print(f"generating {'the scale set' if share == 1 else 'its 10% set'} into {name} …", file=sys.stderr)
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--db", url, "--staff", str(args.staff),
                            "--seed", str(args.seed), "--end", args.end, "--quiet",
                            *[x for k, v in sizes.items() for x in (f"--{k}", str(max(v // share, 1)))]],
                           check=True, stdout=subprocess.DEVNULL)
        sets[name] = url
    full, tenth = sets[full_name], sets[tenth_name]

    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    env.update({"SALESCTL_HOME": home, "SALESCTL_TZ": "Asia/Shanghai", "SALESCTL_NOW": now.isoformat(),
                "SALESCTL_USER": "chen.zong", "SALESCTL_NO_INPUT": "1",
                "PGOPTIONS": "-c jit=off"})  # psql as salesctl's own connections (salesctl.db)
    sql_file = Path(home) / "summary-pg.sql"
    sql_file.write_text(sql_pg, encoding="utf-8")

    def summary(url):
        return salesctl + ["--db", url, "summary", "week", "--all", "--format", "json"]

    for url in (full, tenth):
        out = subprocess.run(summary(url), env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"salesctl summary on PostgreSQL failed: {out.stderr}")
        problems = _check(_run_sql_pg(psql, _libpq(url), sql_pg, env), json.loads(out.stdout)["totals"])
        if problems:
            raise SystemExit("hand SQL (psql) and salesctl disagree:\n  " + "\n  ".join(problems))
    plans = pg_plans(full, env)

    def hand(url):
        return [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-d", _libpq(url), "-f", str(sql_file)]

    timed = _timed_rounds({
        "startup": (salesctl + ["--version"], None),
        "db_startup": (salesctl + ["--db", full, "whoami"], None),
        "ours": (summary(full), None),
        "hand": (hand(full), None),
        "db_startup_10": (salesctl + ["--db", tenth, "whoami"], None),
        "ours_10": (summary(tenth), None),
        "hand_10": (hand(tenth), None),
    }, args.runs, env)
    counts, counts_10 = _counts_pg(full), _counts_pg(tenth)
    t = timed
    own = {c: t["ours"][c] - t["db_startup"][c] for c in ("wall", "cpu")}
    own_10 = {c: t["ours_10"][c] - t["db_startup_10"][c] for c in ("wall", "cpu")}
    ratio = own["wall"] / t["hand"]["wall"]
    data_ratio = counts["visit"] / max(counts_10["visit"], 1)
    growth = own["wall"] / own_10["wall"] if own_10["wall"] > 0 else float("inf")
    hand_growth = t["hand"]["wall"] / t["hand_10"]["wall"]
    ok = ratio <= 1.5 and growth <= data_ratio
    seq = [p for p in plans if any("Seq Scan" in how for how in p["reads"].values())]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    def line(what, x):
        return f"| {what} | {x['wall']:.3f} | {x['cpu']:.3f} | {', '.join(f'{w:.3f}' for w in x['walls'])} |"

    def plan_line(p):
        reads = "; ".join(f"{table}: {', '.join(sorted(how))}" for table, how in sorted(p["reads"].items()))
        return f"| {_what(p['sql'])} | {p['ms']:.1f} | {reads} |"

    plan_rows = "\n".join(plan_line(p) for p in sorted(plans, key=lambda p: -p["ms"]))
    seq_note = ("none of them reads a big table with a Seq Scan" if not seq else
                f"{len(seq)} read a big table with a Seq Scan (where every row counts: a whole-table aggregate, "
                "or a join partner cheaper read whole than probed)")
    section = f"""
## `summary week --all` on PostgreSQL vs the same SQL in `psql` (benchmarks/bench_summary.py --pg)

Run {datetime.now().strftime('%Y-%m-%d %H:%M')} on {_machine()} (load average {load:.1f} when it
started); Python {platform.python_version()}, PostgreSQL {counts['_version']} on the same machine
(Unix socket; JIT off for both clients, as salesctl's connections set it).

Data: `benchmarks/generate.py --seed {args.seed} --end {args.end}` into PostgreSQL (`VACUUM ANALYZE`d
by the generator): {counts['staff']:,} staff, {counts['customer']:,} customers, {counts['visit']:,} visits,
{counts['deal']:,} deals, {counts['report']:,} reports ({counts['_bytes'] / 1e6:,.0f} MB); and the 10% set
({counts_10['customer']:,} customers, {counts_10['visit']:,} visits, {counts_10['deal']:,} deals, the same
{counts_10['staff']:,} staff). Week {end.isocalendar()[0]}-W{end.isocalendar()[1]:02d}, the whole company, as
`chen.zong` (gm). Each command a fresh process; the seven take turns, {args.runs} rounds after a warm-up
round; medians. The hand SQL's figures were checked equal to salesctl's totals on both sets first.

| command | wall (s) | CPU user+sys (s) | wall, each run (s) |
|---|---:|---:|---|
{line("`salesctl --version` (start-up)", t["startup"])}
{line("`salesctl whoami` (start-up of a database command)", t["db_startup"])}
{line("`salesctl summary week --all --format json`", t["ours"])}
{line("the same aggregates by hand, `psql -f`", t["hand"])}
{line("10% set: `salesctl whoami`", t["db_startup_10"])}
{line("10% set: `salesctl summary week --all --format json`", t["ours_10"])}
{line("10% set: the same aggregates by hand, `psql -f`", t["hand_10"])}

- Target 1: (summary − `whoami`) ≤ 1.5 × `psql`: **{'meets' if ratio <= 1.5 else 'misses'}**:
  {own['wall']:.3f} s / {t['hand']['wall']:.3f} s = **{ratio:.2f}×** (wall).
- Target 2: growing no faster than the data from the 10% set to the full set: **{'meets' if growth <= data_ratio else 'misses'}**:
  summary − `whoami` {own_10['wall']:.3f} s → {own['wall']:.3f} s = **{growth:.2f}×** for {data_ratio:.1f}× the visits
  (`psql`: {t['hand_10']['wall']:.3f} s → {t['hand']['wall']:.3f} s = {hand_growth:.2f}×).
- CPU: the client's own user+sys ({own['cpu']:.3f} s for salesctl's summary after start-up, {t['hand']['cpu']:.3f} s
  for psql) leaves out the server's work, which is most of both; wall time is the comparison here.

Plans on the full set (`EXPLAIN ANALYZE` of each statement the summary sends that reads a big table;
{seq_note}):

| statement | ms | reads (index, or Seq Scan) |
|---|---:|---|
{plan_rows}
"""
    print(section)
    if not args.no_write:
        write_section(PG_START_MARK, PG_END_MARK, section, RESULTS)
        print(f"written to {RESULTS}", file=sys.stderr)
    if args.pg_drop:
        _pg_drop(args.pg, [full_name, tenth_name])
    return ok


QUICK = {"customers": 5_000, "visits": 50_000, "deals": 2_500, "staff": 60, "runs": 3}
FULL = {"customers": 100_000, "visits": 1_000_000, "deals": 50_000, "staff": 200, "runs": 5}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="SQLite file of the scale set (generated when missing)")
    parser.add_argument("--quick", action="store_true",
                        help="reduced sizes (5,000 customers, 50,000 visits) and 3 runs, for run_all.py --quick")
    parser.add_argument("--runs", type=int, help="timed runs of each command (median counts)")
    for name in ("customers", "visits", "deals", "staff"):
        parser.add_argument(f"--{name}", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", default="2026-11-27")
    parser.add_argument("--pg", metavar="URL",
                        help="also on PostgreSQL: a superuser URL of the server (it makes the two databases)")
    parser.add_argument("--pg-only", action="store_true", help="with --pg: leave the SQLite part out")
    parser.add_argument("--pg-db", help="database of the PostgreSQL scale set (default salesctl_bench_summary)")
    parser.add_argument("--pg-db-tenth", help="database of its 10%% set (default: --pg-db + _tenth)")
    parser.add_argument("--pg-drop", action="store_true", help="drop both PostgreSQL databases at the end")
    parser.add_argument("--no-write", action="store_true", help="print the section; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.db is None:
        args.db = str(Path(tempfile.gettempdir()) / ("salesctl-scale-quick.db" if args.quick else "salesctl-scale.db"))
    if args.pg_only and not args.pg:
        parser.error("--pg-only needs --pg URL")

    salesctl = [sys.executable, "-m", "salesctl"]
    end = date.fromisoformat(args.end)
    now = datetime.combine(end, datetime.strptime("17:30", "%H:%M").time(), TZ)
    sys.path.insert(0, str(HERE.parent / "src"))
    from salesctl.workdays import WorkCalendar

    first = end - timedelta(days=end.weekday())
    last = first + timedelta(days=6)
    workdays = WorkCalendar().workdays(first, last)
    ok = True
    if not args.pg_only:
        ok = sqlite_main(args, salesctl, end, now, hand_sql(first, last, end, workdays, now))
    if args.pg:
        home = tempfile.mkdtemp(prefix="salesctl-bench-")
        try:
            ok = pg_main(args, salesctl, end, now, hand_sql(first, last, end, workdays, now, "postgresql"), home) and ok
        finally:
            shutil.rmtree(home, ignore_errors=True)
    return 0 if ok else 1


def sqlite_main(args, salesctl: list[str], end: date, now: datetime, sql: str) -> bool:
    """`summary week --all` on SQLite vs the same aggregates in the sqlite3 shell."""
    sqlite3 = shutil.which("sqlite3")
    if not sqlite3:
        raise SystemExit("the sqlite3 command-line shell is needed (apt-get install sqlite3)")
    db = Path(args.db).expanduser().resolve()
    generated = None
    if not db.exists():
        print(f"generating the scale set into {db} …", file=sys.stderr)
        began = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--db", str(db), "--customers", str(args.customers),
                        "--visits", str(args.visits), "--deals", str(args.deals), "--staff", str(args.staff),
                        "--seed", str(args.seed), "--end", args.end], check=True)
        generated = time.perf_counter() - began

    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    home = tempfile.mkdtemp(prefix="salesctl-bench-")
    env.update({"SALESCTL_HOME": home, "SALESCTL_TZ": "Asia/Shanghai", "SALESCTL_NOW": now.isoformat(),
                "SALESCTL_USER": "chen.zong", "SALESCTL_DB": f"sqlite:///{db}", "SALESCTL_NO_INPUT": "1"})
    summary_cmd = salesctl + ["summary", "week", "--all", "--format", "json"]

    # the same aggregates, by hand, for the same week
    sql_file = Path(home) / "summary.sql"
    sql_file.write_text(".output /dev/null\n" + sql, encoding="utf-8")

    out = subprocess.run(summary_cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"salesctl summary failed: {out.stderr}")
    doc = json.loads(out.stdout)
    problems = _check(_run_sql(sqlite3, db, sql), doc["totals"])
    if problems:
        raise SystemExit("hand SQL and salesctl disagree:\n  " + "\n  ".join(problems))

    timed = _timed_rounds({
        "startup": (salesctl + ["--version"], None),
        "db_startup": (salesctl + ["whoami"], None),
        "ours": (summary_cmd, None),
        "hand": ([sqlite3, "-readonly", str(db)], sql_file),
    }, args.runs, env)
    startup, db_startup, ours, hand = (timed[k] for k in ("startup", "db_startup", "ours", "hand"))
    verdicts = {}
    for clock in ("wall", "cpu"):
        budget = 2 * hand[clock] + startup[clock]
        verdicts[clock] = (budget, ours[clock] <= budget, (ours[clock] - startup[clock]) / hand[clock],
                           (ours[clock] - db_startup[clock]) / hand[clock])

    counts = _counts(sqlite3, db)
    size_mb = db.stat().st_size / 1e6
    sqlite_version = subprocess.run([sqlite3, "--version"], capture_output=True, text=True).stdout.split()[0]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    generated_note = f" (generated in {generated:.0f} s)" if generated else ""

    def line(what, t):
        return f"| {what} | {t['wall']:.3f} | {t['cpu']:.3f} | {', '.join(f'{x:.3f}' for x in t['walls'])} |"

    def verdict(clock):
        budget, ok, ratio, own = verdicts[clock]
        return (f"{'meets' if ok else 'misses'} (budget {budget:.3f} s, summary {ours[clock]:.3f} s); "
                f"(summary − `--version`) / hand SQL = {ratio:.2f}×; "
                f"(summary − `whoami`) / hand SQL = {own:.2f}×")

    section = f"""
## `summary week --all` vs hand-written SQL (benchmarks/bench_summary.py)

Run {datetime.now().strftime('%Y-%m-%d %H:%M')} on {_machine()} (load average {load:.1f} when it
started); Python {platform.python_version()}, SQLite {sqlite_version} (shell and Python module).

Data: `benchmarks/generate.py --seed {args.seed} --end {args.end}`: {counts['staff']:,} staff,
{counts['customer']:,} customers ({counts['contact']:,} contacts), {counts['visit']:,} visits,
{counts['deal']:,} deals ({counts['deal_stage_change']:,} stage changes, {counts['payment']:,} payments),
{counts['grade_change']:,} grade changes, {counts['report']:,} reports; {size_mb:,.0f} MB{generated_note}.
Week {doc['period']} for the whole company ({len(doc['rows'])} rows), as `chen.zong` (gm).
Each command is a fresh process; the four take turns, {args.runs} rounds after a warm-up round; medians.

| command | wall (s) | CPU user+sys (s) | wall, each run (s) |
|---|---:|---:|---|
{line("`salesctl --version` (start-up)", startup)}
{line("`salesctl whoami` (start-up of a database command)", db_startup)}
{line("`salesctl summary week --all --format json`", ours)}
{line("the same aggregates by hand, `sqlite3` shell", hand)}

Target: summary ≤ 2 × hand SQL + start-up (`--version`).
- wall-clock: **{verdict("wall")}**
- CPU time: **{verdict("cpu")}**

Reading the numbers: salesctl's own work for the summary (summary − `whoami`: {ours['wall'] - db_startup['wall']:.3f} s
wall, {ours['cpu'] - db_startup['cpu']:.3f} s CPU) is {verdicts['wall'][3]:.2f}× (wall) / {verdicts['cpu'][3]:.2f}× (CPU) the
hand-written SQL. The rest is what every database command pays before its first query
({db_startup['wall'] - startup['wall']:.3f} s more than `--version`: importing SQLAlchemy, SQLModel/pydantic and the
models, opening the database, finding the acting user), which alone is over the target's
budget. The hand SQL's figures were checked equal to salesctl's totals before timing.
"""
    print(section)
    if not args.no_write:
        write_results(section)
        print(f"written to {RESULTS}", file=sys.stderr)
    shutil.rmtree(home, ignore_errors=True)
    return verdicts["wall"][1]


if __name__ == "__main__":
    sys.exit(main())
