"""Dates, times and periods as users type them, and the clock every service is handed.

Dates: ISO (2026-11-27), today, yesterday, tomorrow, weekday names (the most recent
such day, today included; English or 周一…周日/星期一…). Times: ISO
(2026-11-27T10:00 or 2026-11-27 10:00), in local time unless an offset is given.
Periods: 2026-W48, 2026-11, 2026-Q4, 2026, this, last (of the kind asked for).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from dateutil.relativedelta import relativedelta

from salesctl.errors import InvalidInput
from salesctl.messages import t

WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS_ZH = ("一", "二", "三", "四", "五", "六", "日")


def local_tz() -> tzinfo:
    name = os.environ.get("SALESCTL_TZ") or os.environ.get("TZ")
    if name:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(name.lstrip(":"))
        except Exception:
            pass
    return datetime.now().astimezone().tzinfo or timezone.utc


@dataclass(frozen=True)
class Clock:
    """'Now' for one command: injected so reports are reproducible (hidden --now)."""

    now: datetime  # aware

    @property
    def tz(self) -> tzinfo:
        return self.now.tzinfo or timezone.utc

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def now_utc(self) -> datetime:
        return self.now.astimezone(timezone.utc)

    @classmethod
    def system(cls, override: str | None = None) -> "Clock":
        tz = local_tz()
        if override:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", override.strip()):
                moment = datetime.combine(date.fromisoformat(override.strip()), time(12, 0), tz)
            else:
                moment = _parse_iso_datetime(override, "now", tz)
            return cls(moment.astimezone(tz))
        return cls(datetime.now(tz))

    def local(self, moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(self.tz)

    def day_bounds_utc(self, day: date) -> tuple[datetime, datetime]:
        """[start, end) of a local calendar day, in UTC."""
        start = datetime.combine(day, time(0, 0), self.tz)
        end = datetime.combine(day + timedelta(days=1), time(0, 0), self.tz)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)

    def range_utc(self, first: date, last: date) -> tuple[datetime, datetime]:
        """[start of first, end of last) in UTC."""
        return self.day_bounds_utc(first)[0], self.day_bounds_utc(last)[1]


def _weekday_index(text: str) -> int | None:
    lowered = text.lower()
    for i, name in enumerate(WEEKDAYS_EN):
        if lowered in (name, name[:3]):
            return i
    m = re.fullmatch(r"(?:周|星期|礼拜)([一二三四五六日天])", text)
    if m:
        ch = m.group(1).replace("天", "日")
        return WEEKDAYS_ZH.index(ch)
    return None


def parse_date(text: str, field: str, today: date) -> date:
    value = (text or "").strip()
    lowered = value.lower()
    if lowered in ("today", "今天"):
        return today
    if lowered in ("yesterday", "昨天"):
        return today - timedelta(days=1)
    if lowered in ("tomorrow", "明天"):
        return today + timedelta(days=1)
    idx = _weekday_index(value)
    if idx is not None:
        return today - timedelta(days=(today.weekday() - idx) % 7)
    try:
        return _bounded(date.fromisoformat(value), field, text)
    except ValueError:
        raise InvalidInput(t("err.not_date", field=field, value=text)) from None


YEARS = (1900, 2999)  # dates outside these years are typos (and 9999-12-31 + 1 day overflows)


def _bounded(day, field: str, text: str):
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise InvalidInput(t("err.date_out_of_range", field=field, value=text, first=YEARS[0], last=YEARS[1]))
    return day


def parse_time_of_day(text: str, field: str) -> time:
    """A time of day, HH:MM (24-hour): 25:99 is refused naming the field."""
    value = (text or "").strip()
    m = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", value)
    if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InvalidInput(t("err.not_time_of_day", field=field, value=text))
    return time(int(m.group(1)), int(m.group(2)))


def _parse_iso_datetime(text: str, field: str, tz: tzinfo) -> datetime:
    value = (text or "").strip().replace("T", " ")
    try:
        moment = _bounded(datetime.fromisoformat(value), field, text)
    except ValueError:
        raise InvalidInput(t("err.not_time", field=field, value=text)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def parse_datetime(text: str, field: str, clock: Clock) -> datetime:
    """A time as typed; a bare date means that day at the current time of day; 'now' is now."""
    value = (text or "").strip()
    if value.lower() in ("now", "现在"):
        return clock.now
    if ":" not in value:
        day = parse_date(value, field, clock.today)
        return datetime.combine(day, clock.now.timetz().replace(tzinfo=None), clock.tz)
    if re.fullmatch(r"\d{1,2}:\d{2}", value):  # a time today
        return datetime.combine(clock.today, parse_time_of_day(value, field), clock.tz)
    return _parse_iso_datetime(value, field, clock.tz)


# --------------------------------------------------------------------------- periods
@dataclass(frozen=True)
class Period:
    kind: str  # day | week | month | quarter | year
    label: str  # 2026-11-27 | 2026-W48 | 2026-11 | 2026-Q4 | 2026
    start: date
    end: date  # inclusive

    def previous(self) -> "Period":
        return period_containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> "Period":
        return period_containing(self.kind, self.end + timedelta(days=1))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def period_containing(kind: str, day: date) -> Period:
    if kind == "day":
        return Period("day", day.isoformat(), day, day)
    if kind == "week":
        iso_year, iso_week, _ = day.isocalendar()
        start = day - timedelta(days=day.weekday())
        return Period("week", f"{iso_year}-W{iso_week:02d}", start, start + timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
        return Period("month", f"{day.year}-{day.month:02d}", start, start + relativedelta(months=1) - timedelta(days=1))
    if kind == "quarter":
        q = (day.month - 1) // 3 + 1
        start = date(day.year, 3 * (q - 1) + 1, 1)
        return Period("quarter", f"{day.year}-Q{q}", start, start + relativedelta(months=3) - timedelta(days=1))
    if kind == "year":
        return Period("year", str(day.year), date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(kind)


_FORMS = {
    "week": "2026-W48",
    "month": "2026-11",
    "quarter": "2026-Q4",
    "year": "2026",
    "day": "2026-11-27",
}


def parse_period(text: str | None, kind: str, today: date, field: str | None = None) -> Period:
    """Parse a period of the given kind; `this`/`last`/None are relative to today.

    A period of a different kind is accepted where it is unambiguous for the
    caller's kind only when it is the same kind; other forms are refused naming
    the accepted forms.
    """
    field = field or kind
    value = (text or "this").strip()
    lowered = value.lower()
    if lowered in ("this", "current", "本周", "本月", "本季度", "今年", "今天"):
        return period_containing(kind, today)
    if lowered in ("last", "previous", "上周", "上月", "上季度", "去年", "昨天"):
        return period_containing(kind, today).previous()
    if lowered in ("next", "下周", "下月"):
        return period_containing(kind, today).next()
    try:
        if kind == "week":
            m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", value, re.IGNORECASE)
            if m:
                return period_containing("week", date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                return period_containing("week", date.fromisoformat(value))
        elif kind == "month":
            m = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
            if m:
                return period_containing("month", date(int(m.group(1)), int(m.group(2)), 1))
        elif kind == "quarter":
            m = re.fullmatch(r"(\d{4})-?Q([1-4])", value, re.IGNORECASE)
            if m:
                return period_containing("quarter", date(int(m.group(1)), 3 * (int(m.group(2)) - 1) + 1, 1))
        elif kind == "year":
            if re.fullmatch(r"\d{4}", value):
                return period_containing("year", date(int(value), 1, 1))
        elif kind == "day":
            return period_containing("day", parse_date(value, field, today))
    except ValueError:
        pass
    raise InvalidInput(t(f"err.not_period.{kind}", field=field, value=text, form=_FORMS[kind]))


def parse_any_period(text: str, today: date, field: str = "period") -> Period:
    """A period whose kind is given by its form: 2026-W48, 2026-11, 2026-Q4, 2026 or a date."""
    value = text.strip()
    for kind, pattern in (
        ("week", r"\d{4}-?W\d{1,2}"),
        ("quarter", r"\d{4}-?Q[1-4]"),
        ("month", r"\d{4}-\d{1,2}"),
        ("year", r"\d{4}"),
    ):
        if re.fullmatch(pattern, value, re.IGNORECASE):
            return parse_period(value, kind, today, field)
    return parse_period(value, "day", today, field)
