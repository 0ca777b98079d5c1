"""The one CSV writer: every CSV salesctl writes (stdout, `--out` files, import error files) goes through here.

- Formula injection (OWASP "CSV injection"): a text cell starting with `=`, `+`, `-`, `@`, a
  tab or a carriage return gets a leading `'`, so Excel, WPS and LibreOffice show it as text
  and never evaluate it; `raw=True` (the `--raw` flag, for scripts) writes cells as they are.
  Numbers (money, counts) are not text and are never touched. The import reader takes the `'`
  off again, so an export can be edited and imported back.
- Files for people (`--out x.csv`, error files): UTF-8 with a BOM and CRLF, which is what Excel
  on Chinese Windows needs to read UTF-8 (without a BOM it reads GBK and shows mojibake).
  stdout is plain UTF-8 with LF for scripts; `--bom` adds the BOM for a redirect meant for Excel.

Workbooks (XLSX) store every text as a string cell (never a formula): services.io.workbook.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterable, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate, made inert with a leading apostrophe."""
    if value.__class__ is str and value and value[0] in FORMULA_START:
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The reader's side: '=1+2 → =1+2 (only before a character neutralise() guards)."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def _plain(value: Any) -> Any:
    return "" if value is None else value


def write_csv(stream: TextIO, header: list[str], rows: Iterable[list], *, raw: bool = False, bom: bool = False,
              crlf: bool = False, convert: Callable[[Any], Any] = _plain) -> int:
    """Write a header and rows; `convert` turns a value into its CSV form (render passes its csv_value).
    Returns the row count."""
    csv_value = convert
    if bom:
        stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    count = 0
    if raw:
        for row in rows:
            writer.writerow([csv_value(v) for v in row])
            count += 1
    else:
        starts = frozenset(FORMULA_START)  # neutralise() inlined: this loop writes up to millions of rows
        for row in rows:
            writer.writerow([("'" + v if v[:1] in starts else v) if v.__class__ is str else csv_value(v) for v in row])
            count += 1
    return count


def csv_file_bytes(header: list[str], rows: Iterable[list], *, raw: bool = False,
                   convert: Callable[[Any], Any] = _plain) -> bytes:
    """A CSV file for people: UTF-8 with BOM, CRLF (Excel-ready)."""
    out = io.StringIO()
    write_csv(out, header, rows, raw=raw, bom=True, crlf=True, convert=convert)
    return out.getvalue().encode("utf-8")
