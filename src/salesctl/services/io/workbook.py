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



def table_workbook(headers: list[str], rows, title: str) -> bytes:
    """A one-sheet .xlsx (frozen header, fitted widths) for any export that wants an encrypted file."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = [list(r) for r in rows]
    widths = [display_width(str(h)) for h in headers]
    for row in rows:
        for i, value in enumerate(row[:len(widths)]):
            widths[i] = max(widths[i], display_width(_shown(value, "text")))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(width + 2, MAX_WIDTH)
    ws.freeze_panes = "A2"
    header = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=str(text))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        out = []
        for value in row:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if value.startswith("="):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"
                    value = cell
            out.append(value)
        ws.append(out)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

