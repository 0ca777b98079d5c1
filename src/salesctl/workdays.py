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


@lru_cache(maxsize=64)
def _cn_year(year: int) -> tuple[frozenset, frozenset, dict]:
    import holidays

    cal = holidays.country_holidays("CN", years=year)
    days = frozenset(d for d in cal if d.year == year)
    names = {d: cal.get(d) for d in days}
    workdays = frozenset(d for d in getattr(cal, "weekend_workdays", ()) if d.year == year)
    return days, workdays, names


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
            raise InvalidInput(f"policy workday.end_of_office: '{text}' is not a time like 18:00") from None

    @staticmethod
    def _dates(values, key):
        for v in values:
            try:
                yield v if isinstance(v, date) else date.fromisoformat(str(v))
            except ValueError:
                raise InvalidInput(f"policy workday.{key}: '{v}' is not a date (YYYY-MM-DD)") from None

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

    def holiday_name(self, day: date) -> str | None:
        if day in self.extra_holidays:
            return "company holiday"
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

    def daily_deadline(self, day: date, tz) -> datetime:
        """The same day before the end of office."""
        return self.at_end_of_office(day, tz)

    def weekly_deadline(self, week_start: date, tz) -> datetime:
        """End of work on Friday, or the last workday before it when Friday is a holiday.

        An adjusted working Saturday after it does not move the deadline.
        """
        friday = week_start + timedelta(days=4)
        return self.at_end_of_office(self.last_workday_on_or_before(friday, weekdays_only=True), tz)

    def monthly_deadline(self, month_start: date, tz) -> datetime:
        """The last day of the month, end of office."""
        last = month_start + relativedelta(months=1) - timedelta(days=1)
        return self.at_end_of_office(last, tz)
