"""`salesctl calendar`: the workdays report deadlines use (CN holidays, adjusted workdays, policy extras)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import fmt_value
from salesctl.cli.options import FormatOpt, MonthOpt, OutputFormat


def register(root: typer.Typer) -> None:
    root.command("calendar")(calendar)


def calendar(
    year: Annotated[Optional[int], typer.Option("--year", min=1990, max=2100, help="The year (default: this year).")] = None,
    month: MonthOpt = None,
    days: Annotated[bool, typer.Option("--days", help="One row per day instead of one per month.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """Show the workdays, holidays and adjusted working weekends the report deadlines use, by month.

    Warns when the year has no announced adjusted workdays yet (add them to the policy file).

    Example: salesctl calendar --year 2026
    """
    from datetime import date, timedelta

    from salesctl import render
    from salesctl.cli.common import clock
    from salesctl.errors import InvalidInput
    from salesctl.messages import language, t
    from salesctl.periods import parse_period
    from salesctl.render import Column
    from salesctl.workdays import WorkCalendar

    today = clock().today
    if month is not None:
        if year is not None:
            raise InvalidInput(t("calendar.err.year_and_month"))
        period = parse_period(month, "month", today)
        first, last, shown_year = period.start, period.end, period.start.year
        days = True
    else:
        shown_year = year or today.year
        first, last = date(shown_year, 1, 1), date(shown_year, 12, 31)
    cal = WorkCalendar()
    if not cal.has_announced_schedule(shown_year):
        render.warn(t("calendar.warn_unannounced", year=shown_year))

    def note(day: date) -> str:
        if day in cal.extra_workdays:
            return "company_workday"
        if day in cal.extra_holidays:
            return "company_holiday"
        if cal.is_adjusted_workday(day):
            return "adjusted"
        if cal.is_holiday(day):
            return "holiday"
        if day.weekday() >= 5:
            return "weekend"
        return ""

    all_days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    fmt = fmt_value(format)
    names_in = None if fmt in ("json", "csv") else language()  # data for scripts stays in one language
    if days:
        def day_rows():
            for day in all_days:
                kind = note(day)
                name = cal.holiday_name(day, names_in) if kind in ("holiday", "company_holiday") else None
                yield {"date": day, "weekday": t(f"report.weekday.{day.weekday()}"), "workday": cal.is_workday(day),
                       "note": kind or None, "holiday": name}

        columns = [Column("date", "calendar.col.date", "date"), Column("weekday", "calendar.col.weekday"),
                   Column("workday", "calendar.col.workday", "bool"), Column("note", "calendar.col.note", "enum:calendar.note"),
                   Column("holiday", "calendar.col.holiday_name")]
        render.emit_rows(day_rows(), columns, fmt, title=t("calendar.title_month", month=first.strftime("%Y-%m")) if month
                         else t("calendar.title", year=shown_year))
        return

    rows = []
    for m in range(1, 13):
        in_month = [d for d in all_days if d.month == m]
        holidays = [d for d in in_month if not cal.is_workday(d) and d.weekday() < 5]
        adjusted = [d for d in in_month if cal.is_workday(d) and d.weekday() >= 5]
        rows.append({
            "month": f"{shown_year}-{m:02d}",
            "workdays": sum(1 for d in in_month if cal.is_workday(d)),
            "holidays": [d.isoformat() for d in holidays],
            "holiday_names": sorted({cal.holiday_name(d, names_in) or "" for d in holidays} - {""}),
            "adjusted_workdays": [d.isoformat() for d in adjusted],
        })
    if fmt in ("json", "csv"):
        render.emit_rows(iter(rows), [Column("month"), Column("workdays", kind="int"), Column("holidays"),
                                      Column("holiday_names"), Column("adjusted_workdays")], fmt)
        return

    def short(days_list):
        return ", ".join(d[5:] for d in days_list)

    table_rows = [{"month": r["month"], "workdays": r["workdays"], "holidays": short(r["holidays"]),
                   "adjusted_workdays": short(r["adjusted_workdays"])} for r in rows]
    total = sum(r["workdays"] for r in rows)
    columns = [Column("month", "calendar.col.month"), Column("workdays", "calendar.col.workdays", "int"),
               Column("holidays", "calendar.col.holidays"), Column("adjusted_workdays", "calendar.col.adjusted_workdays")]
    render.emit_rows(table_rows, columns, fmt, title=t("calendar.title", year=shown_year))
    render.info(t("calendar.total", workdays=total, year=shown_year))
