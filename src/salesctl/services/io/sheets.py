"""Reading spreadsheets: CSV (decoded, delimiter found) and XLSX rows, and cell values as text, dates and times."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from datetime import date, datetime, time, timedelta
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator


from salesctl.errors import InvalidInput
from salesctl.messages import t

DEFAULT_TIME = time(9, 0)  # a date without a time of day (legacy visits, CRM dates) is taken as 09:00 local
EXCEL_EPOCH = date(1899, 12, 30)


class Sheet:
    """The rows of one file: (spreadsheet row number, values) with blank rows left out.

    Rows are read as they are iterated (`stream()`, each call from the top of the file), so
    an import holds one batch at a time; `rows` is the whole list, read once on first use,
    for the imports that need it (visits, deals, staff, CRM exports).
    """

    def __init__(self, path: Path, kind: str, rows: list[tuple[int, list]] | None = None, *,
                 encoding: str | None = None, sheet: str | None = None, delimiter: str | None = None,
                 sha256: str = "", opener: Callable[[], Iterator[tuple[int, list]]] | None = None):
        self.path = path
        self.kind = kind  # csv | xlsx
        self.encoding = encoding
        self.sheet = sheet
        self.delimiter = delimiter
        self.sha256 = sha256
        self._rows = rows
        self._opener = opener

    def stream(self) -> Iterator[tuple[int, list]]:
        if self._rows is not None:
            return iter(self._rows)
        return self._opener()

    @property
    def rows(self) -> list[tuple[int, list]]:
        if self._rows is None:
            self._rows = list(self._opener())
        return self._rows


# what the detector chooses among: what offices send (Excel on Chinese Windows saves GBK, Taiwan and
# Hong Kong Big5, "Unicode text" is UTF-16)
CANDIDATE_ENCODINGS = ("utf_8", "gb18030", "big5", "utf_16", "utf_16_le", "utf_16_be")
DELIMITERS = {",": ",", "comma": ",", "\t": "\t", "\\t": "\t", "tab": "\t", ";": ";", "semicolon": ";",
              "|": "|", "pipe": "|"}
SNIFF_LINES = 20


def parse_delimiter(value: str | None) -> str | None:
    """--delimiter: ',', tab, ';' or '|' (also spelt comma, tab, semicolon, pipe)."""
    if value is None:
        return None
    hit = DELIMITERS.get(value) or DELIMITERS.get(value.strip().lower())
    if hit is None:
        raise InvalidInput(t("files.err.delimiter", value=value))
    return hit


def _sniff_delimiter(text_value: str) -> str:
    """The delimiter that splits the most of the first records into the same number (≥ 2) of columns.

    A title line above the header ("2026年客户名单") has no delimiter, so it does not decide:
    the header and the rows under it do. Records are split as the csv module splits them, so a
    quoted cell holding another delimiter (an errors file's reasons) does not count."""
    lines = [line for line in text_value.splitlines()[:SNIFF_LINES * 2] if line.strip()][:SNIFF_LINES]
    sample = "\n".join(lines)
    best, best_rank = ",", (0, 0)
    for delimiter in (",", "\t", ";", "|"):
        counts: dict[int, int] = {}
        if delimiter not in sample:
            continue
        try:
            records = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
        except csv.Error:
            records = [line.split(delimiter) for line in lines]
        for record in records[:SNIFF_LINES]:
            n = len(record) - 1
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
    wrapped = '="' in text_value or "'" in text_value
    return list(_csv_rows(io.StringIO(text_value, newline=""), delimiter, wrapped)), delimiter


def _csv_rows(handle, delimiter: str, wrapped: bool) -> Iterator[tuple[int, list]]:
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            if not values or not "".join(values).strip():
                continue
            yield number, ([_unwrap(v) for v in values] if wrapped else values)
    except csv.Error as exc:  # a field over the csv module's limit, or a quote never closed
        if "field limit" in str(exc):
            raise InvalidInput(t("err.csv_field_too_long", line=reader.line_num, max=csv.field_size_limit())) from None
        raise InvalidInput(t("err.csv_unreadable", line=reader.line_num, error=exc)) from None
    finally:
        close = getattr(handle, "close", None)
        if close is not None:
            close()


CHUNK = 1 << 20  # bytes read at a time
DETECT_BYTES = 8 << 20  # what the encoding detector sees of a file that is not UTF-8
SNIFF_CHARS = 64 << 10  # text the delimiter is guessed from


@dataclass
class _Scan:
    sha256: str
    codec: str | None  # None: not decodable as the first guess
    wrapped: bool  # a cell like ="0123" or '=… somewhere in the file
    sample: str  # the first SNIFF_CHARS characters
    error_at: int | None = None  # byte offset of the first undecodable byte


def _scan(open_binary: Callable[[], Any], codec: str, *, skip: int = 0) -> _Scan:
    """One pass over the bytes: the SHA-256, whether they all decode as `codec`, and a sample of the text."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(codec)("strict")
    wrapped, ok, sample, tail, offset, error_at = False, True, [], "", 0, None
    sampled = 0
    with open_binary() as handle:
        first = True
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                break
            digest.update(chunk)
            if ok:
                part = chunk[skip:] if first else chunk
                try:
                    decoded = decoder.decode(part)
                except UnicodeDecodeError as exc:
                    ok, error_at = False, offset + exc.start
                    decoded = ""
                else:
                    if not wrapped:
                        wrapped = "'" in decoded or '="' in tail + decoded
                    tail = decoded[-1:] if decoded else tail
                    if sampled < SNIFF_CHARS:
                        sample.append(decoded[:SNIFF_CHARS - sampled])
                        sampled += len(sample[-1])
                offset += len(part)
            first = False
    if ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            ok, error_at = False, offset + exc.start
    return _Scan(digest.hexdigest(), codec if ok else None, wrapped, "".join(sample), error_at)


def _csv_sheet(target: Path, open_binary: Callable[[], Any], encoding: str | None,
               delimiter: str | None) -> Sheet:
    """A CSV read as it is iterated: the encoding decided (and the whole file checked) by one pass first."""
    with open_binary() as handle:
        head = handle.read(4)
    source = str(target)
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidInput(t("import.err.bad_encoding", value=encoding)) from None
        scan = _scan(open_binary, codec)
        if scan.codec is None:
            raise InvalidInput(t("import.err.encoding_forced", file=source, encoding=encoding, pos=scan.error_at))
        return _text_sheet(target, open_binary, scan, codec, codec, delimiter)
    if head.startswith(codecs.BOM_UTF8):
        scan = _scan(open_binary, "utf-8", skip=len(codecs.BOM_UTF8))
        if scan.codec:
            return _text_sheet(target, open_binary, scan, "utf-8-sig", "utf-8-sig", delimiter)
    elif head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        scan = _scan(open_binary, "utf-16")
        if scan.codec:
            return _text_sheet(target, open_binary, scan, "utf-16", "utf-16", delimiter)
    else:
        scan = _scan(open_binary, "utf-8")
        if scan.codec:
            return _text_sheet(target, open_binary, scan, "utf-8", "utf-8", delimiter)
    from charset_normalizer import from_bytes

    with open_binary() as handle:
        sample = handle.read(DETECT_BYTES)
    best = from_bytes(sample, cp_isolation=list(CANDIDATE_ENCODINGS)).best()
    if best is not None and best.chaos <= 0.2:
        codec = codecs.lookup(best.encoding).name
        scan = _scan(open_binary, codec)
        if scan.codec:
            return _text_sheet(target, open_binary, scan, codec, codec, delimiter)
    raise InvalidInput(t("import.err.encoding", file=source, considered="UTF-8, GBK/GB18030, Big5, UTF-16"))


def _text_sheet(target: Path, open_binary, scan: _Scan, codec: str, shown: str, delimiter: str | None) -> Sheet:
    found = delimiter or _sniff_delimiter(scan.sample)

    def opener() -> Iterator[tuple[int, list]]:
        handle = io.TextIOWrapper(open_binary(), encoding=codec, newline="")
        return _csv_rows(handle, found, scan.wrapped)

    return Sheet(target, "csv", encoding=shown, delimiter=found, sha256=scan.sha256, opener=opener)


def read_sheet(path: str | Path, *, encoding: str | None = None, sheet: str | None = None,
               data: bytes | None = None, delimiter: str | None = None) -> Sheet:
    """Read a .csv/.txt/.tsv or .xlsx/.xlsm file (already decrypted `data` may be given).

    A CSV is read as its rows are iterated (see `Sheet`); nothing holds the whole file."""
    target = Path(path).expanduser()
    if data is None:
        try:
            with target.open("rb") as handle:
                head = handle.read(4)
        except OSError as exc:
            raise InvalidInput(t("import.err.cannot_read", path=target, reason=exc.strerror)) from None

        def open_binary():
            return target.open("rb")
    else:
        head = data[:4]

        def open_binary():
            return io.BytesIO(data)
    if head == b"PK\x03\x04" or target.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(target, data if data is not None else None, sheet, open_binary)
    if target.suffix.lower() == ".xls":
        raise InvalidInput(t("import.err.xls", file=target))
    if sheet:
        raise InvalidInput(t("import.err.sheet_not_workbook", file=target.name))
    parse_delimiter(delimiter)
    return _csv_sheet(target, open_binary, encoding, parse_delimiter(delimiter))


def _read_xlsx(target: Path, data: bytes | None, sheet: str | None, open_binary) -> Sheet:
    """A workbook's sheet through python-calamine (Rust; several times openpyxl's speed), real dates included.

    Rows become Python lists as they are iterated, one at a time."""
    from python_calamine import CalamineWorkbook

    digest = hashlib.sha256()
    with open_binary() as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data)) if data is not None else CalamineWorkbook.from_path(
            str(target))
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
    except Exception:
        raise InvalidInput(t("import.err.not_xlsx", file=target)) from None

    def opener() -> Iterator[tuple[int, list]]:
        # rows come from row 1 (numbers as Excel shows them), columns from the first used one: padded back
        pad = [None] * (ws.start[1] if ws.start else 0)
        try:
            for number, values in enumerate(ws.iter_rows(), start=1):
                if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                yield number, pad + [None if v == "" else v for v in values]
        except InvalidInput:
            raise
        except Exception:
            raise InvalidInput(t("import.err.not_xlsx", file=target)) from None

    return Sheet(target, "xlsx", sheet=title, sha256=digest.hexdigest(), opener=opener)


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


