"""Workbooks salesctl writes: text widths that fit Chinese, a one-sheet table workbook for exports and error files."""


from __future__ import annotations

import io
from typing import Any



MAX_WIDTH = 60


def display_width(text: str) -> int:
    """Terminal/Excel-ish width: East Asian wide characters count 2 (wcwidth)."""
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    if width >= 0:
        return width
    return sum(max(wcwidth(ch), 0) for ch in text)


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "date":
        return "0000-00-00"
    if kind == "datetime":
        return "0000-00-00 00:00"
    if kind == "money":
        return f"{value:.2f}"
    text = str(value)
    return max(text.splitlines(), key=display_width) if "\n" in text else text



DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"


def table_workbook(headers: list[str], rows, title: str, kinds: list[str] | None = None) -> bytes:
    """The one-sheet .xlsx of exports and error files: bold frozen header with an autofilter, widths that fit
    Chinese text, money as numbers (#,##0.00), dates as dates, every text a string cell (never a formula,
    whatever it starts with; long digit strings stay text). `kinds` per column: text | money | date | datetime."""
    from datetime import date, datetime
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    kinds = list(kinds or [])
    kinds += ["text"] * (len(headers) - len(kinds))
    rows = [list(r) for r in rows]
    widths = [display_width(str(h)) + 2 for h in headers]  # + the filter button
    for row in rows:
        for i, value in enumerate(row[:len(widths)]):
            widths[i] = max(widths[i], display_width(_shown(value, kinds[i] if isinstance(value, (Decimal, date)) else "text")))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(width + 2, MAX_WIDTH)
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    header = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=str(text))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        out = []
        for i, value in enumerate(row):
            if isinstance(value, str):
                cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # data, never a formula
                value = cell
            elif isinstance(value, Decimal):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = MONEY_FORMAT
                value = cell
            elif isinstance(value, datetime):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = DATETIME_FORMAT
                value = cell
            elif isinstance(value, date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = DATE_FORMAT
                value = cell
            out.append(value)
        ws.append(out)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
