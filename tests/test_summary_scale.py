"""The benchmark's generator and its hand-written SQL agree with `summary week` on a small generated company."""

from __future__ import annotations

import shutil
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import TEST_DB, query

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
NOW = "2026-11-27T17:30:00+08:00"

pytestmark = [
    pytest.mark.skipif(TEST_DB != "sqlite", reason="the benchmark targets SQLite files and the sqlite3 shell"),
    pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 command-line shell"),
]


@pytest.fixture(scope="module")
def bench_modules():
    sys.path.insert(0, str(BENCH))
    try:
        import bench_summary
        import generate

        yield generate, bench_summary
    finally:
        sys.path.remove(str(BENCH))


def test_generated_company_summary_matches_hand_sql(tmp_path, bench_modules, cli):
    generate, bench = bench_modules
    db = tmp_path / "gen.db"
    url = f"sqlite:///{db}"
    result = generate.generate(url, customers=400, visits=4000, deals=200, staff=30, seed=7, quiet=True)
    counts = result["counts"]
    assert (counts["staff"], counts["customer"], counts["visit"], counts["deal"]) == (30, 400, 4000, 200)
    assert counts["contact"] >= 400 and counts["ownership_entry"] == 400 and counts["deal_stage_change"] >= 200
    # a realistic org chart: one gm, one director, managers, regional managers, assistants, reps
    roles = dict(query(url, "select role, count(*) from staff group by role"))
    assert roles["gm"] == 1 and roles["director"] == 1 and roles["manager"] >= 1 and roles["rep"] >= 20
    # the reps report to managers or regional managers, never straight to the gm
    assert query(url, "select count(*) from staff r join staff m on m.id = r.manager_id "
                      "where r.role = 'rep' and m.role not in ('manager', 'regional_manager')") == [(0,)]
    # every customer's owner has its ledger entry; visits are in time order and never in the future
    assert query(url, "select count(*) from customer c left join ownership_entry o on o.customer_id = c.id "
                      "and o.to_owner_id = c.owner_id where o.id is null") == [(0,)]
    last = query(url, "select max(at) from visit")[0][0]
    assert str(last) < "2026-11-27 09:30"  # 17:30 local is 09:30 UTC
    assert query(url, "select count(*) from visit v join customer c on c.id = v.customer_id "
                      "where v.at < c.created_at") == [(0,)]

    run = cli("--db", url, "summary", "week", "--all", "--format", "json", as_="chen.zong", now=NOW)
    assert run.exit_code == 0, run
    doc = run.json()
    assert doc["period"] == "2026-W48" and doc["totals"]["visits"] > 0 and doc["totals"]["daily_due"] > 0
    first = date(2026, 11, 23)
    from salesctl.workdays import WorkCalendar

    sql = bench.hand_sql(first, first + timedelta(days=6), date(2026, 11, 27),
                         WorkCalendar().workdays(first, first + timedelta(days=6)),
                         datetime(2026, 11, 27, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert bench._check(bench._run_sql(shutil.which("sqlite3"), db, sql), doc["totals"]) == []

    # the same seed gives the same company
    again = tmp_path / "again.db"
    generate.generate(f"sqlite:///{again}", customers=400, visits=4000, deals=200, staff=30, seed=7, quiet=True)
    fingerprint = ("select count(*), sum(rep_id * id), sum(customer_id), min(at), max(at) from visit")
    assert query(f"sqlite:///{again}", fingerprint) == query(url, fingerprint)
    assert query(f"sqlite:///{again}", "select sum(amount), sum(stage) from deal") == \
        query(url, "select sum(amount), sum(stage) from deal")


def test_results_section_is_replaced_not_duplicated(tmp_path, bench_modules, monkeypatch):
    _generate, bench = bench_modules
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## import\n\nother helper's numbers\n", encoding="utf-8")
    monkeypatch.setattr(bench, "RESULTS", results)
    bench.write_results("## summary\n\nfirst")
    bench.write_results("## summary\n\nsecond")
    text = results.read_text(encoding="utf-8")
    assert "other helper's numbers" in text and "second" in text and "first" not in text
    assert text.count(bench.START_MARK) == 1
