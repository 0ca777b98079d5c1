"""A long `customer list --format json` on SQLite is written by the query itself (salesctl.sqljson, issue 23):
the same bytes as the Python path (render.emit_records) on awkward text and timestamps in any time zone."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from salesctl import sqljson
from salesctl.messages import stored_text
from salesctl.render import STORED_MARK

# quotes, backslashes, every C0 control, DEL and C1, bidi overrides (terminal-safety escapes them),
# line and paragraph separators, a BOM, astral characters, a NUL
AWKWARD = ('引号"与\\反斜杠', "".join(chr(c) for c in range(1, 32)) + "\x7f\x85\x9f", "左\u202e右\u2066\u2069",
           "\u2028\u2029\ufeff😀𠀀", "a\x00b", "普通的公司名称")
# stored forms of a UTC timestamp: SQLite's own, without the fraction, short (no seconds), none
STAMPS = ("2026-03-29 00:30:00.000000", "2026-03-29 01:30:00.999999", "2026-10-25 00:45:10.500000",
          "2026-10-25 01:15:20.000000", "2026-11-27 09:30:00", "2026-11-27 09:30", None, "1890-06-01 12:00:00.000000")
ZONES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC")


@pytest.fixture
def awkward(demo):
    if not demo.startswith("sqlite"):
        pytest.skip("the SQL-written listing is SQLite's (PostgreSQL keeps the Python path)")
    engine = create_engine(demo)
    with engine.begin() as conn:
        ids = conn.execute(text("SELECT id FROM customer WHERE merged_into_id IS NULL ORDER BY id")).scalars().all()
        assert len(ids) >= len(STAMPS)
        for n, customer_id in enumerate(ids):
            name = AWKWARD[n % len(AWKWARD)] + str(customer_id)
            stamp = STAMPS[n % len(STAMPS)]
            conn.execute(text("UPDATE customer SET name = :name, last_contact_at = :s, reported_at = :r, "
                              "address = :a, incomplete = :i WHERE id = :id"),
                         {"name": name, "s": stamp, "r": STAMPS[(n + 3) % len(STAMPS)] or stamp, "id": customer_id,
                          "a": (stored_text("import.reason.grade", source="x") if n == 2
                                else AWKWARD[(n + 1) % len(AWKWARD)]), "i": n % 2})
    engine.dispose()
    return ids


@pytest.mark.parametrize("zone", ZONES)
def test_sql_written_list_is_byte_for_byte_the_python_one(awkward, cli, monkeypatch, zone):
    calls = []
    real = sqljson.json_lines

    def spy(*args, **kwargs):
        lines = real(*args, **kwargs)
        calls.append(lines is not None)
        return lines

    monkeypatch.setattr(sqljson, "json_lines", spy)
    monkeypatch.setattr(sqljson, "MIN_ROWS", 0)  # the demo company is small: take the long-list path anyway
    env = {"SALESCTL_TZ": zone}
    fast = cli("customer", "list", "--format", "json", env=env)
    assert fast.exit_code == 0, fast
    assert calls == [True], "the list was not written by SQLite"
    python = cli("customer", "list", "--format", "json", "--limit", "100000", env=env)  # --limit: the Python path
    assert python.exit_code == 0, python
    assert calls == [True]
    assert fast.stdout == python.stdout
    rows = json.loads(fast.stdout)
    assert [r["id"] for r in rows] == awkward
    tz = ZoneInfo(zone)
    for n, row in enumerate(rows):  # and both are what astimezone says
        stamp = STAMPS[n % len(STAMPS)]
        expected = None if stamp is None else datetime.fromisoformat(stamp).replace(tzinfo=timezone.utc).astimezone(
            tz).isoformat(timespec="seconds")
        assert row["last_contact_at"] == expected, (zone, stamp)
        assert row["incomplete"] is bool(n % 2)
    assert "\\u202e" in fast.stdout and "\u202e" not in fast.stdout  # terminal-safe, as every output
    assert STORED_MARK not in fast.stdout  # a stored generated text is shown in the reader's language


def test_filters_and_sorts_are_the_same_statement(awkward, cli, monkeypatch):
    monkeypatch.setattr(sqljson, "MIN_ROWS", 0)
    for extra in (("--grade", "A,B"), ("--sort", "name"), ("--sort", "last_contact"), ("--rep", "wang.fang"),
                  ("--search", "普通"), ("--stale", "30")):
        fast = cli("customer", "list", "--format", "json", *extra)
        python = cli("customer", "list", "--format", "json", "--limit", "100000", *extra)
        assert fast.exit_code == python.exit_code == 0, (extra, fast, python)
        assert fast.stdout == python.stdout, extra
    bad = cli("customer", "list", "--format", "json", "--grade", "Z")
    assert bad.exit_code == 2 and bad.stdout == "" and "grade" in bad.stderr.lower()


def test_small_lists_keep_the_python_path(awkward, cli, monkeypatch):
    calls = []
    monkeypatch.setattr(sqljson, "json_lines", lambda *a, **k: calls.append(1))
    listed = cli("customer", "list", "--format", "json")
    assert listed.exit_code == 0 and json.loads(listed.stdout)
    assert calls == []  # fewer than MIN_ROWS customers: no hour table to build
