"""Reading spreadsheets: CSV (decoded, delimiter found) and XLSX rows, and cell values as text, dates and times."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any


from salesctl.errors import InvalidInput
from salesctl.messages import t

DEFAULT_TIME = time(9, 0)  # a date without a time of day (legacy visits, CRM dates) is taken as 09:00 local
EXCEL_EPOCH = date(1899, 12, 30)


@dataclass
class Sheet:
    """The rows of one file as read: (spreadsheet row number, values) with blank rows left out."""

    path: Path
    kind: str  # csv | xlsx
    rows: list[tuple[int, list]]
    encoding: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    sha256: str = ""


def decode_text(data: bytes, encoding: str | None = None, *, source: str = "FILE") -> tuple[str, str]:
    """Bytes → text and the encoding used: a BOM decides, else UTF-8, else GB18030 (a superset of GBK)."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidInput(t("import.err.bad_encoding", value=encoding)) from None
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            raise InvalidInput(t("import.err.encoding_forced", file=source, encoding=encoding, pos=exc.start)) from None
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise InvalidInput(t("import.err.encoding", file=source)) from None


def _sniff_delimiter(text_value: str) -> str:
    first = text_value.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unwrap(value: str) -> str:
    # ="0123" is how some exporters keep leading zeros: the text inside
    if len(value) > 3 and value.startswith('="') and value.endswith('"'):
        return value[2:-1]
    return value


def read_csv_text(text_value: str, delimiter: str | None = None) -> tuple[list[tuple[int, list]], str]:
    delimiter = delimiter or _sniff_delimiter(text_value)
    rows: list[tuple[int, list]] = []
    reader = csv.reader(io.StringIO(text_value, newline=""), delimiter=delimiter)
    wrapped = '="' in text_value
    for number, values in enumerate(reader, start=1):
        if not values or not "".join(values).strip():
            continue
        rows.append((number, [_unwrap(v) for v in values] if wrapped else values))
    return rows, delimiter


def read_sheet(path: str | Path, *, encoding: str | None = None, sheet: str | None = None,
               data: bytes | None = None) -> Sheet:
    """Read a .csv/.txt/.tsv or .xlsx/.xlsm file (already decrypted `data` may be given)."""
    target = Path(path).expanduser()
    if data is None:
        try:
            data = target.read_bytes()
        except OSError as exc:
            raise InvalidInput(t("import.err.cannot_read", path=target, reason=exc.strerror)) from None
    digest = hashlib.sha256(data).hexdigest()
    if data[:4] == b"PK\x03\x04" or target.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(target, data, sheet, digest)
    if target.suffix.lower() == ".xls":
        raise InvalidInput(t("import.err.xls", file=target))
    if sheet:
        raise InvalidInput(t("import.err.sheet_not_workbook", file=target.name))
    text_value, used = decode_text(data, encoding, source=str(target))
    rows, delimiter = read_csv_text(text_value)
    return Sheet(target, "csv", rows, encoding=used, delimiter=delimiter, sha256=digest)


def _read_xlsx(target: Path, data: bytes, sheet: str | None, digest: str) -> Sheet:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise InvalidInput(t("import.err.not_xlsx", file=target)) from None
    try:
        if sheet:
            if sheet not in wb.sheetnames:
                raise InvalidInput(t("import.err.no_sheet", sheet=sheet, file=target.name, sheets=", ".join(wb.sheetnames)))
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # some writers store a wrong dimension; read every cell there is
        rows: list[tuple[int, list]] = []
        for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows.append((number, list(values)))
        title = ws.title
    finally:
        wb.close()
    return Sheet(target, "xlsx", rows, sheet=title, sha256=digest)


# --------------------------------------------------------------------------- the header and the mapping
# --------------------------------------------------------------------------- cell values
def cell_text(value: Any) -> str | None:
    """A cell as text: numbers without a spurious '.0' (phones typed as numbers), dates ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    text_value = str(value).strip()
    return text_value or None


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?(?:\s.*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def cell_date(value: Any, label: str, today: date) -> date | None:
    """A date cell: an Excel date, an Excel serial number, 2026-12-01, 2026/12/1, 2026年12月1日, today…"""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return EXCEL_EPOCH + timedelta(days=int(value))
    text_value = cell_text(value)
    if not text_value:
        return None
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text_value)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
    from salesctl.periods import parse_date

    return parse_date(text_value, label, today)


def cell_moment(value: Any, label: str, clock) -> datetime | None:
    """A date and time cell (local time); a date alone is taken as 09:00."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=clock.tz)
        if value.time() == time(0) and value.tzinfo is None:
            moment = datetime.combine(value.date(), DEFAULT_TIME, clock.tz)
        return moment
    if isinstance(value, date):
        return datetime.combine(value, DEFAULT_TIME, clock.tz)
    text_value = cell_text(value)
    if not text_value:
        return None
    if ":" not in text_value:
        return datetime.combine(cell_date(text_value, label, clock.today), DEFAULT_TIME, clock.tz)
    from salesctl.periods import parse_datetime

    normalised = re.sub(r"^(\d{4})/(\d{1,2})/(\d{1,2})", lambda m: f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}",
                        text_value)
    return parse_datetime(normalised, label, clock)


