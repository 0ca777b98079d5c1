"""The workday calendar: CN holidays and adjusted working weekends, policy extras, report deadlines, `salesctl calendar`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from salesctl.errors import InvalidInput
from salesctl.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")


def _days(first: str, last: str) -> set[date]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return {a + timedelta(days=i) for i in range((b - a).days + 1)}


# The State Council's notices (国办发明电〔2024〕12号 for 2025, 〔2025〕7号 for 2026): days off, and the
# weekend days worked in exchange.
OFF = set().union(
    _days("2025-01-01", "2025-01-01"), _days("2025-01-28", "2025-02-04"), _days("2025-04-04", "2025-04-06"),
    _days("2025-05-01", "2025-05-05"), _days("2025-05-31", "2025-06-02"), _days("2025-10-01", "2025-10-08"),
    _days("2026-01-01", "2026-01-03"), _days("2026-02-15", "2026-02-23"), _days("2026-04-04", "2026-04-06"),
    _days("2026-05-01", "2026-05-05"), _days("2026-06-19", "2026-06-21"), _days("2026-09-25", "2026-09-27"),
    _days("2026-10-01", "2026-10-07"),
)
WORKED_WEEKENDS = {date.fromisoformat(d) for d in (
    "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")}


def test_agrees_with_the_official_schedule_day_by_day_in_2025_and_2026():
    cal = WorkCalendar({})
    disagree = []
    for day in sorted(_days("2025-01-01", "2026-12-31")):
        official = day in WORKED_WEEKENDS or (day.weekday() < 5 and day not in OFF)
        if cal.is_workday(day) != official:
            disagree.append(day)
    assert disagree == []
    assert all(cal.is_adjusted_workday(d) for d in WORKED_WEEKENDS)
    assert len(cal.workdays(date(2026, 1, 1), date(2026, 12, 31))) == 248
    assert cal.holiday_name(date(2025, 10, 1)) == "National Day"
    assert cal.holiday_name(date(2026, 2, 17), "zh") == "春节"


def test_announced_schedule_and_policy_extras():
    assert WorkCalendar({}).has_announced_schedule(2026)
    assert not WorkCalendar({}).has_announced_schedule(2027)
    cal = WorkCalendar({"extra_workdays": ["2027-02-06"], "extra_holidays": ["2027-02-08", "2026-11-27"]})
    assert cal.has_announced_schedule(2027)
    assert cal.is_workday(date(2027, 2, 6)) and cal.is_adjusted_workday(date(2027, 2, 6))
    assert not cal.is_workday(date(2027, 2, 8)) and not cal.is_workday(date(2026, 11, 27))
    # Friday 2026-11-27 made a company holiday: the weekly report is due Thursday
    assert cal.weekly_deadline(date(2026, 11, 23), TZ) == datetime(2026, 11, 26, 18, 0, tzinfo=TZ)
    with pytest.raises(InvalidInput, match="extra_workdays"):
        WorkCalendar({"extra_workdays": ["next friday"]})
    with pytest.raises(InvalidInput, match="end_of_office"):
        WorkCalendar({"end_of_office": "six"})


@pytest.mark.parametrize("week_start, due", [
    ("2026-11-23", "2026-11-27"),  # an ordinary week: Friday
    ("2025-09-29", "2025-09-30"),  # Friday Oct 3 is National Day: Tuesday before it
    ("2025-10-06", "2025-10-10"),  # the adjusted working Saturday Oct 11 does not move it
    ("2025-09-22", "2025-09-26"),  # nor the adjusted working Sunday Sep 28
    ("2025-12-29", "2025-12-31"),  # Thu Jan 1 and Fri Jan 2 2026 off: Wednesday
    ("2026-02-09", "2026-02-13"),  # Saturday Feb 14 is worked, still due Friday
    ("2026-02-16", "2026-02-24"),  # the Spring Festival week has no workday: the first one after it
])
def test_weekly_deadline(week_start, due):
    got = WorkCalendar({}).weekly_deadline(date.fromisoformat(week_start), TZ)
    assert got == datetime.combine(date.fromisoformat(due), time(18, 0), TZ)


def test_daily_and_monthly_deadlines():
    cal = WorkCalendar({"end_of_office": "17:30"})
    assert cal.daily_deadline(date(2025, 10, 11), TZ) == datetime(2025, 10, 11, 17, 30, tzinfo=TZ)  # worked Saturday
    assert cal.daily_deadline(date(2025, 10, 4), TZ) == datetime(2025, 10, 9, 17, 30, tzinfo=TZ)  # holiday: next workday
    assert cal.daily_deadline(date(2026, 11, 28), TZ) == datetime(2026, 11, 30, 17, 30, tzinfo=TZ)  # Saturday
    assert cal.monthly_deadline(date(2026, 2, 1), TZ) == datetime(2026, 2, 28, 17, 30, tzinfo=TZ)


# --------------------------------------------------------------------------- salesctl calendar
def test_calendar_year_json(cli):
    result = cli("calendar", "--year", "2026", "--format", "json")
    assert result.exit_code == 0, result
    rows = result.json()
    assert [r["month"] for r in rows] == [f"2026-{m:02d}" for m in range(1, 13)]
    feb = rows[1]
    assert feb["workdays"] == 16
    assert feb["adjusted_workdays"] == ["2026-02-14", "2026-02-28"]
    assert feb["holidays"] == ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23"]
    assert sum(r["workdays"] for r in rows) == 248
    assert "warning" not in result.stderr


def test_calendar_warns_when_the_year_is_not_announced(cli):
    result = cli("calendar", "--year", "2027")
    assert result.exit_code == 0
    assert "warning: 2027: no adjusted workdays" in result.stderr and "extra_workdays" in result.stderr
    assert "2027-01" in result.stdout


def test_calendar_uses_the_policy_extras(cli, tmp_path, monkeypatch):
    policy = tmp_path / "policy.toml"
    policy.write_text('[workday]\nextra_workdays = ["2027-02-06"]\nextra_holidays = ["2027-02-08"]\n', encoding="utf-8")
    monkeypatch.setenv("SALESCTL_POLICY", str(policy))
    result = cli("calendar", "--month", "2027-02", "--format", "json")
    assert result.exit_code == 0 and "warning" not in result.stderr, result
    by_day = {r["date"]: r for r in result.json()}
    assert len(by_day) == 28
    assert (by_day["2027-02-06"]["workday"], by_day["2027-02-06"]["note"]) == (True, "company_workday")
    assert (by_day["2027-02-08"]["workday"], by_day["2027-02-08"]["note"]) == (False, "company_holiday")
    assert by_day["2027-02-22"]["workday"] is True and by_day["2027-02-21"]["note"] == "weekend"


def test_calendar_days_in_chinese(cli):
    result = cli("calendar", "--month", "2025-10", lang="zh")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "2025-10 工作日历"
    assert any("2025-10-01" in line and "国庆节" in line and "否" in line for line in lines)
    assert any("2025-10-11" in line and "调休上班" in line and "是" in line for line in lines)


def test_calendar_refusals(cli):
    both = cli("calendar", "--year", "2026", "--month", "2026-02")
    assert both.exit_code == 2 and "--month" in both.stderr
    assert cli("calendar", "--month", "Feb").exit_code == 2


def test_end_of_office_from_the_policy_sets_the_daily_deadline(org, cli, tmp_path, monkeypatch):
    policy = tmp_path / "policy.toml"
    policy.write_text('[workday]\nend_of_office = "17:00"\n', encoding="utf-8")
    monkeypatch.setenv("SALESCTL_POLICY", str(policy))
    doc = cli("report", "daily", "--format", "json", as_="rep_a1").json()
    assert doc["deadline"] == "2026-11-27T17:00:00+08:00"
    late = cli("report", "daily", "--submit", "--summary", "s", "--plan", "p", as_="rep_a1")  # 17:30
    assert late.exit_code == 0 and "late: due 2026-11-27 17:00" in late.stderr


def test_the_computed_year_is_cached_on_disk(monkeypatch):
    from salesctl import workdays

    workdays._cn_year.cache_clear()
    fresh = workdays._cn_year(2026)
    path = workdays._cache_file(2026)
    assert path.exists()

    def no_recompute(year):
        raise AssertionError("recomputed although cached")

    workdays._cn_year.cache_clear()
    monkeypatch.setattr(workdays, "_compute_cn_year", no_recompute)
    assert workdays._cn_year(2026) == fresh
    # a damaged cache file is rebuilt
    path.write_text("{not json", encoding="utf-8")
    workdays._cn_year.cache_clear()
    monkeypatch.undo()
    assert workdays._cn_year(2026) == fresh
    workdays._cn_year.cache_clear()
