"""Dates, times and periods as users type them, and the clock every service is handed.

Dates: every form in DATE_FORMS (ISO, 2026/11/30, 20261130, 11-30, 2026年11月30日, 今天,
weekday names in English and Chinese, next monday/下周一, last friday/上周五), through the one
parser `read_date`/`parse_date`. Times: ISO
(2026-11-27T10:00 or 2026-11-27 10:00), in local time unless an offset is given.
Periods: 2026-W48, 2026-11, 2026-Q4, 2026, this, last (of the kind asked for).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Callable, Iterator

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


_HOUR = timedelta(hours=1)
_LAST_INSTANT = timedelta(minutes=59, seconds=59, microseconds=999999)


def local_iso_converter(tz: tzinfo | None = None) -> Callable[[Any], str | None]:
    """A converter for listings of many rows: a stored UTC timestamp → local ISO 8601 to the second.

    It gives exactly `moment.astimezone(tz).isoformat(timespec="seconds")` for an aware UTC
    datetime, a naive one meaning UTC (as PostgreSQL hands the columns back) or SQLite's stored
    text ("2026-11-27 09:30:00.000000"), without a time-zone look-up per value: the offset is
    looked up once per UTC hour and kept. An hour in which the offset changes (a DST switch or
    any other transition, whole hour or not) is not kept: each value in it is converted exactly.
    None stays None.
    """
    tz = tz or local_tz()
    hours: dict = {}  # UTC hour (text prefix or (y, m, d, h)) → (local "YYYY-MM-DDTHH" or None, offset, suffix) | None

    def exact(moment: datetime) -> str:
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(tz).isoformat(
            timespec="seconds")

    def hour_entry(start: datetime):  # start: naive UTC, on the hour
        first = start.replace(tzinfo=timezone.utc).astimezone(tz)
        offset = first.utcoffset()
        if (start + _LAST_INSTANT).replace(tzinfo=timezone.utc).astimezone(tz).utcoffset() != offset:
            return None  # a transition inside this hour
        text = first.isoformat(timespec="seconds")  # YYYY-MM-DDTHH:MM:SS + the offset as Python writes it
        return (text[:13] if offset % _HOUR == timedelta(0) else None), offset, text[19:]

    def convert(value):
        if value is None:
            return None
        if value.__class__ is str:
            key = value[:13]
            entry = hours.get(key, False)
            if entry is False:
                try:
                    entry = hour_entry(datetime.fromisoformat(key + ":00")) if len(value) >= 19 else None
                except ValueError:
                    entry = None
                hours[key] = entry
            if entry is not None and len(value) >= 19 and value[13] == ":" and value[16] == ":":
                prefix, offset, suffix = entry
                if prefix is not None:  # a whole-hour offset: minutes and seconds are the stored ones
                    return prefix + value[13:19] + suffix
                return (datetime.fromisoformat(value[:19]) + offset).isoformat() + suffix
            return exact(datetime.fromisoformat(value))
        if value.tzinfo is not None:
            return exact(value)
        key = (value.year, value.month, value.day, value.hour)
        entry = hours.get(key, False)
        if entry is False:
            entry = hours[key] = hour_entry(value.replace(minute=0, second=0, microsecond=0))
        if entry is None:
            return exact(value)
        return (value + entry[1]).isoformat(timespec="seconds") + entry[2]

    return convert


def local_hour_rows(start: datetime, end: datetime, tz: tzinfo | None = None) -> Iterator[tuple[str, str, str]]:
    """(UTC hour "YYYY-MM-DD HH:", local "YYYY-MM-DDTHH", offset suffix) for each UTC hour from `start` to `end`
    (naive UTC) kept by `local_iso_converter`'s rule: a whole-hour offset and no transition inside the hour.

    For a table that lets SQL convert stored timestamps as that converter does (sqljson). The offset is
    looked up at each UTC midnight; a day whose midnights agree is taken as one offset (tz database zones
    change at most a few times a year, never there and back within a day), and a day whose midnights
    differ is checked hour by hour, as the converter does.
    """
    tz = tz or local_tz()
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)

    def offset_at(moment: datetime) -> timedelta:
        return moment.replace(tzinfo=timezone.utc).astimezone(tz).utcoffset()

    upcoming = offset_at(day)
    while day < end:
        following = day + timedelta(days=1)
        offset, upcoming = upcoming, offset_at(following)
        utc_day = day.strftime("%Y-%m-%d ")
        if offset == upcoming:
            if offset % _HOUR == timedelta(0):
                text = day.replace(tzinfo=timezone.utc).astimezone(tz).isoformat(timespec="seconds")
                suffix, shift = text[19:], offset // _HOUR
                dates = {d: (day + timedelta(days=d)).strftime("%Y-%m-%dT") for d in (-1, 0, 1)}
                for hour in range(24):
                    local = hour + shift
                    yield f"{utc_day}{hour:02d}:", f"{dates[local // 24]}{local % 24:02d}", suffix
        else:
            for hour in range(24):
                moment = day + timedelta(hours=hour)
                first = moment.replace(tzinfo=timezone.utc).astimezone(tz)
                if first.utcoffset() % _HOUR or offset_at(moment + _LAST_INSTANT) != first.utcoffset():
                    continue
                text = first.isoformat(timespec="seconds")
                yield f"{utc_day}{hour:02d}:", text[:13], text[19:]
        day = following


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


# the one date parser: the command line, imports and meeting minutes all come here
_RELATIVE_DAYS = {"today": 0, "今天": 0, "今日": 0, "yesterday": -1, "昨天": -1, "昨日": -1, "前天": -2,
                  "tomorrow": 1, "明天": 1, "明日": 1, "后天": 2}
# compiled on first use (re caches them), not at import
_FULL_DATE = r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})[日号]?|(\d{2})(\d{2}))"
_MONTH_DAY = r"(\d{1,2})(?:[-/.](\d{1,2})|月(\d{1,2})[日号]?)"
_WEEK_PREFIX = (
    (re.compile(r"^(?:next\s+|下(?:个)?(?=周|星期|礼拜))", re.IGNORECASE), 1),
    (re.compile(r"^(?:last\s+|上(?:个)?(?=周|星期|礼拜))", re.IGNORECASE), -1),
    (re.compile(r"^(?:this\s+|本(?=周)|这(?:个)?(?=周|星期|礼拜))", re.IGNORECASE), 0),
)
DATE_FORMS = ("2026-11-30", "2026/11/30", "2026.11.30", "20261130", "11-30", "11/30", "2026年11月30日", "11月30日",
              "today", "yesterday", "tomorrow", "今天", "昨天", "明天", "后天", "friday", "周五", "星期五", "礼拜五",
              "next monday", "下周一", "last friday", "上周五")


def accepted_date_forms() -> str:
    return ", ".join(DATE_FORMS)


def read_date(text: str, today: date, *, ahead: str = "back") -> date | None:
    """A date as people write it, or None when it is not one (see DATE_FORMS).

    `ahead` says what a weekday alone means: "back" the last one (today included, for fields
    that look back: --at, --date), "forward" the next one (today included: --follow-up, --due,
    --expected-purchase, leave --to), "after" the next one after `today` (a meeting's action items).
    A month and day without a year is the one nearest `today` (within half a year).
    """
    value = (text or "").strip()
    lowered = value.lower()
    if lowered in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[lowered])
    try:
        m = re.fullmatch(_FULL_DATE, value)
        if m:
            g = m.groups()
            month, day = (g[1], g[2]) if g[1] else (g[3], g[4]) if g[3] else (g[5], g[6])
            return date(int(g[0]), int(month), int(day))
        m = re.fullmatch(_MONTH_DAY, value)
        if m:
            month, day = int(m.group(1)), int(m.group(2) or m.group(3))
            found = date(today.year, month, day) if (month, day) != (2, 29) else None
            if found is None:  # 02-29: the nearest leap year's
                for year in (today.year, today.year + 1, today.year - 1):
                    try:
                        found = date(year, 2, 29)
                        break
                    except ValueError:
                        continue
            if (found - today).days > 183:
                found = found.replace(year=found.year - 1)
            elif (today - found).days > 182:
                found = found.replace(year=found.year + 1)
            return found
    except ValueError:
        return None
    for pattern, week in _WEEK_PREFIX:
        m = pattern.match(value)
        if m:
            idx = _weekday_index(value[m.end():].strip())
            if idx is None:
                return None
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=week)
            return monday + timedelta(days=idx)
    idx = _weekday_index(value)
    if idx is None:
        return None
    if ahead == "back":
        return today - timedelta(days=(today.weekday() - idx) % 7)
    if ahead == "after":
        return today + timedelta(days=(idx - today.weekday() - 1) % 7 + 1)
    return today + timedelta(days=(idx - today.weekday()) % 7)


def parse_date(text: str, field: str, today: date, *, ahead: str = "back") -> date:
    """`read_date`, or InvalidInput naming the field and every accepted form."""
    found = read_date(text, today, ahead=ahead)
    if found is None:
        raise InvalidInput(t("err.not_date", field=field, value=text, forms=accepted_date_forms()))
    return _bounded(found, field, text)


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
    m = re.fullmatch(r"(.+?)(?:[ T]|(?<=[日号天]))\s*(\d{1,2}:\d{2})", value)
    if m and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.group(1)):  # 2026/11/30 10:00, 昨天 15:00
        day = parse_date(m.group(1), field, clock.today)
        value = f"{day.isoformat()} {m.group(2)}"
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
