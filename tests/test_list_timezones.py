"""Lists of many rows convert stored UTC timestamps without a time-zone look-up per value (issue 23):
the fast path gives the same local times as `datetime.astimezone`, across DST changes too."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from salesctl.periods import local_iso_converter

# Europe/Berlin switches at 01:00 UTC (last Sunday of March and October); Lord Howe by half an hour
# at 15:30 UTC (inside a UTC hour); St John's and Kathmandu have offsets that are not whole hours.
ZONES = ("Europe/Berlin", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kathmandu", "Asia/Shanghai", "UTC")
DAYS = (datetime(2026, 3, 28), datetime(2026, 10, 24), datetime(2026, 4, 4), datetime(2026, 10, 3),
        datetime(2026, 3, 7), datetime(2026, 10, 31), datetime(1890, 6, 1))


def moments(start: datetime, days: int = 2, step: timedelta = timedelta(minutes=11, seconds=7, microseconds=654321)):
    moment = start
    while moment < start + timedelta(days=days):
        yield moment
        moment += step


@pytest.mark.parametrize("zone", ZONES)
def test_converter_matches_astimezone(zone):
    tz = ZoneInfo(zone)
    convert = local_iso_converter(tz)
    checked = 0
    for day in DAYS:
        for utc in moments(day):
            expected = utc.replace(tzinfo=timezone.utc).astimezone(tz).isoformat(timespec="seconds")
            for stored in (utc.strftime("%Y-%m-%d %H:%M:%S.%f"), utc.strftime("%Y-%m-%d %H:%M:%S"), utc,
                           utc.replace(tzinfo=timezone.utc)):
                assert convert(stored) == expected, (zone, stored)
                checked += 1
    assert checked > 1000
    assert convert(None) is None


def test_converter_on_the_berlin_switch_itself():
    convert = local_iso_converter(ZoneInfo("Europe/Berlin"))
    assert convert("2026-03-29 00:59:59.999999") == "2026-03-29T01:59:59+01:00"
    assert convert("2026-03-29 01:00:00.000000") == "2026-03-29T03:00:00+02:00"
    assert convert("2026-10-25 00:59:59.000000") == "2026-10-25T02:59:59+02:00"
    assert convert("2026-10-25 01:00:00.000000") == "2026-10-25T02:00:00+01:00"


STAMPS = ("2026-03-29 00:30:00.000000", "2026-03-29 01:30:00.000000", "2026-10-25 00:45:10.000000",
          "2026-10-25 01:15:20.000000", "2026-11-27 09:30:00.000000")


def test_customer_list_json_and_csv_across_dst(demo, cli):
    """The listing's timestamps in Europe/Berlin equal astimezone's, in JSON and CSV, either side of a switch."""
    if not demo.startswith("sqlite"):
        pytest.skip("sets stored timestamps as SQLite text")
    engine = create_engine(demo)
    with engine.begin() as conn:
        ids = conn.execute(text("SELECT id FROM customer WHERE merged_into_id IS NULL ORDER BY id")).scalars().all()
        for customer_id, stamp in zip(ids, STAMPS):
            conn.execute(text("UPDATE customer SET last_contact_at = :s, reported_at = :s WHERE id = :id"),
                         {"s": stamp, "id": customer_id})
    engine.dispose()
    berlin = ZoneInfo("Europe/Berlin")
    expected = {customer_id: datetime.fromisoformat(stamp).replace(tzinfo=timezone.utc).astimezone(berlin)
                .isoformat(timespec="seconds") for customer_id, stamp in zip(ids, STAMPS)}
    env = {"SALESCTL_TZ": "Europe/Berlin"}
    listed = cli("customer", "list", "--format", "json", env=env)
    assert listed.exit_code == 0, listed
    rows = {row["id"]: row for row in listed.json()}
    assert {i: rows[i]["last_contact_at"] for i in expected} == expected
    assert {i: rows[i]["reported_at"] for i in expected} == expected
    assert "2026-03-29T03:30:00+02:00" in expected.values() and "2026-10-25T02:15:20+01:00" in expected.values()
    as_csv = cli("customer", "list", "--format", "csv", env=env)
    assert as_csv.exit_code == 0, as_csv
    table = {int(r["id"]): r for r in csv.DictReader(io.StringIO(as_csv.stdout))}
    assert {i: table[i]["last_contact_at"] for i in expected} == expected
    assert set(table) == set(rows)
    # the other fields keep their JSON types: an int id, a bool flag, an ISO date or null
    sample = rows[ids[0]]
    assert isinstance(sample["incomplete"], bool) and isinstance(sample["id"], int)
    assert sample["expected_purchase"] is None or len(sample["expected_purchase"]) == 10
    assert table[ids[0]]["incomplete"] in ("true", "false")
