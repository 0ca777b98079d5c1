"""The workday calendar (Chinese public holidays and adjusted working weekends) and report deadlines.

Workdays come from the `holidays` package's CN calendar (holidays, and
`weekend_workdays` for the adjusted working Saturdays/Sundays), corrected by the
policy file's `workday.extra_holidays` / `extra_workdays` because each year's
schedule is announced late in the year before and a package release may lag.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from salesctl.errors import InvalidInput
from salesctl.messages import t


def _cache_file(year: int):
    """Where one year's computed CN calendar is kept, per `holidays` release.

    Building the calendar makes the `holidays` package import every country it
    knows (hundreds of modules): too slow for `report daily` at the end of each day,
    so the result is cached as a small JSON file in the user cache folder.
    """
    import os
    from pathlib import Path

    import holidays  # cheap: the package loads countries lazily

    home = os.environ.get("SALESCTL_HOME")
    if home:
        folder = Path(home) / "cache"
    else:
        from platformdirs import user_cache_dir

        folder = Path(user_cache_dir("salesctl"))
    return folder / f"cn-calendar-{holidays.__version__}-{year}.json"


def _compute_cn_year(year: int) -> tuple[frozenset, frozenset, dict]:
    import holidays

    cal = holidays.country_holidays("CN", years=year)
    days = frozenset(d for d in cal if d.year == year)
    names = {d: cal.get(d) for d in days}
    workdays = frozenset(d for d in getattr(cal, "weekend_workdays", ()) if d.year == year)
    return days, workdays, names


@lru_cache(maxsize=64)
def _cn_year(year: int) -> tuple[frozenset, frozenset, dict]:
    import json
    import os

    path = _cache_file(year)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        names = {date.fromisoformat(k): v for k, v in data["names"].items()}
        return frozenset(names), frozenset(date.fromisoformat(d) for d in data["workdays"]), names
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    days, workdays, names = _compute_cn_year(year)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps({"names": {d.isoformat(): names[d] for d in sorted(days)},
                                       "workdays": sorted(d.isoformat() for d in workdays)},
                                      ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass  # a read-only home: compute each time
    return days, workdays, names


@lru_cache(maxsize=16)
def _cn_names(year: int, language: str) -> dict:
    import holidays

    cal = holidays.country_holidays("CN", years=year, language=language)
    return {d: cal.get(d) for d in cal if d.year == year}


class WorkCalendar:
    def __init__(self, policy: dict | None = None):
        if policy is None:
            from salesctl.policy import section

            policy = section("workday")
        self.extra_holidays = frozenset(self._dates(policy.get("extra_holidays", []), "extra_holidays"))
        self.extra_workdays = frozenset(self._dates(policy.get("extra_workdays", []), "extra_workdays"))
        text = str(policy.get("end_of_office", "18:00"))
        try:
            hh, mm = text.split(":")
            self.end_of_office = time(int(hh), int(mm))
        except ValueError:
            raise InvalidInput(t("err.policy_end_of_office", value=text)) from None

    @staticmethod
    def _dates(values, key):
        for v in values:
            try:
                yield v if isinstance(v, date) else date.fromisoformat(str(v))
            except ValueError:
                raise InvalidInput(t("err.policy_date", key=key, value=v)) from None

    # ------------------------------------------------------------------ days
    def is_holiday(self, day: date) -> bool:
        return day in self.extra_holidays or day in _cn_year(day.year)[0]

    def is_adjusted_workday(self, day: date) -> bool:
        """A weekend day made a working day (调休)."""
        return day.weekday() >= 5 and (day in self.extra_workdays or day in _cn_year(day.year)[1])

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if day.weekday() >= 5:
            return day in _cn_year(day.year)[1]
        return day not in _cn_year(day.year)[0]

    def holiday_name(self, day: date, language: str | None = None) -> str | None:
        """The holiday's name; language "zh" gives the Chinese names (元旦, 春节, …)."""
        if day in self.extra_holidays:
            return "公司假日" if language == "zh" else "company holiday"
        if language == "zh":
            return _cn_names(day.year, "zh_CN").get(day)
        return _cn_year(day.year)[2].get(day)

    def workdays(self, start: date, end: date) -> list[date]:
        days = []
        d = start
        while d <= end:
            if self.is_workday(d):
                days.append(d)
            d += timedelta(days=1)
        return days

    def last_workday_on_or_before(self, day: date, *, weekdays_only: bool = False) -> date:
        """The nearest workday at or before `day`; with weekdays_only an adjusted weekend doesn't count."""
        d = day
        for _ in range(60):
            if self.is_workday(d) and not (weekdays_only and d.weekday() >= 5):
                return d
            d -= timedelta(days=1)
        return day

    def has_announced_schedule(self, year: int) -> bool:
        """Whether the year has any adjusted workdays known (the State Council's notice is out)."""
        return bool(_cn_year(year)[1]) or any(d.year == year for d in self.extra_workdays)

    # ------------------------------------------------------------------ deadlines
    def at_end_of_office(self, day: date, tz) -> datetime:
        return datetime.combine(day, self.end_of_office, tz)

    def next_workday_on_or_after(self, day: date) -> date:
        d = day
        for _ in range(60):
            if self.is_workday(d):
                return d
            d += timedelta(days=1)
        return day

    def daily_deadline(self, day: date, tz) -> datetime:
        """The same day before the end of office.

        A day off owes no report; one filed for it anyway is due by the end of
        the next workday (so a Saturday's visits written up on Monday are not late).
        """
        return self.at_end_of_office(self.next_workday_on_or_after(day), tz)

    def weekly_deadline(self, week_start: date, tz) -> datetime:
        """End of work on Friday, or the last workday before it when Friday is a holiday.

        An adjusted working Saturday after it does not move the deadline.
        """
        friday = week_start + timedelta(days=4)
        due = self.last_workday_on_or_before(friday, weekdays_only=True)
        if due < week_start:
            # no working weekday at all (e.g. the Spring Festival week): the week's
            # last workday, else the first workday after it
            worked = self.workdays(week_start, week_start + timedelta(days=6))
            due = worked[-1] if worked else self.next_workday_on_or_after(week_start + timedelta(days=7))
        return self.at_end_of_office(due, tz)

    def monthly_deadline(self, month_start: date, tz) -> datetime:
        """The last day of the month, end of office."""
        last = month_start + relativedelta(months=1) - timedelta(days=1)
        return self.at_end_of_office(last, tz)
