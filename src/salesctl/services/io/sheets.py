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


# what the detector chooses among: what offices send (Excel on Chinese Windows saves GBK, Taiwan and
# Hong Kong Big5, "Unicode text" is UTF-16)
CANDIDATE_ENCODINGS = ("utf_8", "gb18030", "big5", "utf_16", "utf_16_le", "utf_16_be")
DELIMITERS = {",": ",", "comma": ",", "\t": "\t", "\\t": "\t", "tab": "\t", ";": ";", "semicolon": ";",
              "|": "|", "pipe": "|"}
SNIFF_LINES = 20


def decode_text(data: bytes, encoding: str | None = None, *, source: str) -> tuple[str, str]:
    """Bytes → text and the encoding used: a BOM decides, else strict UTF-8, else charset-normalizer's best
    guess among CANDIDATE_ENCODINGS; no confident guess is an error naming the file and what was considered."""
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
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS)).best()
    if best is not None and best.chaos <= 0.2:
        codec = codecs.lookup(best.encoding).name
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass
    raise InvalidInput(t("import.err.encoding", file=source, considered="UTF-8, GBK/GB18030, Big5, UTF-16"))


def parse_delimiter(value: str | None) -> str | None:
    """--delimiter: ',', tab, ';' or '|' (also spelt comma, tab, semicolon, pipe)."""
    if value is None:
        return None
    hit = DELIMITERS.get(value) or DELIMITERS.get(value.strip().lower())
    if hit is None:
        raise InvalidInput(t("files.err.delimiter", value=value))
    return hit


def _sniff_delimiter(text_value: str) -> str:
    """The delimiter that splits the most of the first lines into the same number (≥ 2) of columns.

    A title line above the header ("2026年客户名单") has no delimiter, so it does not decide:
    the header and the rows under it do."""
    lines = [line for line in text_value.splitlines()[:SNIFF_LINES * 2] if line.strip()][:SNIFF_LINES]
    best, best_rank = ",", (0, 0)
    for delimiter in (",", "\t", ";", "|"):
        counts: dict[int, int] = {}
        for line in lines:
            n = line.count(delimiter)
            if n:
                counts[n] = counts.get(n, 0) + 1
        if not counts:
            continue
        width, lines_with_it = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        rank = (lines_with_it, width)
        if rank > best_rank:
            best, best_rank = delimiter, rank
    return best


def _unwrap(value: str) -> str:
    # ="0123" is how some exporters keep leading zeros: the text inside
    if len(value) > 3 and value.startswith('="') and value.endswith('"'):
        return value[2:-1]
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":  # a cell our CSV writer neutralised
        return value[1:]
    return value


def read_csv_text(text_value: str, delimiter: str | None = None) -> tuple[list[tuple[int, list]], str]:
    delimiter = delimiter or _sniff_delimiter(text_value)
    rows: list[tuple[int, list]] = []
    reader = csv.reader(io.StringIO(text_value, newline=""), delimiter=delimiter)
    wrapped = '="' in text_value or "'" in text_value
    try:
        for number, values in enumerate(reader, start=1):
            if not values or not "".join(values).strip():
                continue
            rows.append((number, [_unwrap(v) for v in values] if wrapped else values))
    except csv.Error as exc:  # a field over the csv module's limit, or a quote never closed
        if "field limit" in str(exc):
            raise InvalidInput(t("err.csv_field_too_long", line=reader.line_num, max=csv.field_size_limit())) from None
        raise InvalidInput(t("err.csv_unreadable", line=reader.line_num, error=exc)) from None
    return rows, delimiter


def read_sheet(path: str | Path, *, encoding: str | None = None, sheet: str | None = None,
               data: bytes | None = None, delimiter: str | None = None) -> Sheet:
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
    rows, found = read_csv_text(text_value, parse_delimiter(delimiter))
    return Sheet(target, "csv", rows, encoding=used, delimiter=found, sha256=digest)


def _read_xlsx(target: Path, data: bytes, sheet: str | None, digest: str) -> Sheet:
    """A workbook's sheet through python-calamine (Rust; several times openpyxl's speed), real dates included."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        raise InvalidInput(t("import.err.not_xlsx", file=target)) from None
    names = list(wb.sheet_names)
    if sheet:
        if sheet not in names:
            raise InvalidInput(t("import.err.no_sheet", sheet=sheet, file=target.name, sheets=", ".join(names)))
        title = sheet
    elif names:
        title = names[0]
    else:
        raise InvalidInput(t("import.err.not_xlsx", file=target))
    try:
        ws = wb.get_sheet_by_name(title)
        # rows come from row 1 (numbers as Excel shows them), columns from the first used one: padded back
        pad = [None] * (ws.start[1] if ws.start else 0)
        rows: list[tuple[int, list]] = []
        for number, values in enumerate(ws.iter_rows(), start=1):
            if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows.append((number, pad + [None if v == "" else v for v in values]))
    except InvalidInput:
        raise
    except Exception:
        raise InvalidInput(t("import.err.not_xlsx", file=target)) from None
    return Sheet(target, "xlsx", rows, sheet=title, sha256=digest)


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
    from salesctl.periods import parse_date

    day_part = re.sub(r"(?:[ T]|(?<=[日号]))\s*\d{1,2}:\d{2}(?::\d{2})?$", "", text_value)  # a time after the date
    return parse_date(day_part, label, today)


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

    return parse_datetime(text_value, label, clock)


