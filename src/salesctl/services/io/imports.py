"""Imports from spreadsheets (CSV and XLSX): reading, header guessing, row validation, duplicates, bulk writes.

A file is read whole (CSV in UTF-8 with or without BOM, UTF-16, or GBK/GB18030 as
Excel on Chinese Windows saves it; CRLF or LF; comma, semicolon or tab; XLSX through
openpyxl's read-only mode, real Excel dates included). The header row is found among
the first rows and each column is mapped to a field by its Chinese or English name;
`--map 'column=field'` overrides a guess. Every row is then validated with the rules
of the matching `add` command (the same validators: `normalize_phone`,
`validate_status`, `validate_grade`, `check_industry`, `parse_stage`, …) and its
outcome kept with its spreadsheet row number (the header is row 1 of a plain file).

All or nothing: one rejected row (or, with `--on-duplicate fail`, one duplicate)
and nothing is written, unless `--partial`. Accepted rows are written in bulk
(SQLAlchemy Core executemany) with what the `add` commands write one by one: for a
customer its primary contact, the first-report ledger entry (kind "report", so the
owner cache always matches the ledger) and its first grade (source "import"); the
whole import leaves ONE audit entry summarising it. Duplicates are found in memory
against one query of the archive's normalised names and phone keys, and within the
file itself.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import func, insert, select, text, update

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied, SalesctlError
from salesctl.messages import t
from salesctl.models import Contact, Customer, Deal, DealStageChange, GradeChange, OwnershipEntry, Staff, Visit
from salesctl.inputs import is_id

KINDS = ("customers", "visits", "deals", "staff")
ON_DUPLICATE = ("skip", "claim", "fail")
STATUSES = ("imported", "incomplete", "duplicate", "claimed", "skipped", "rejected")
HEADER_SCAN_ROWS = 20
LISTED_IN_TABLE = 50  # problem rows shown in a table; JSON/CSV and --errors-file have all
DEFAULT_TIME = time(9, 0)  # a date without a time of day (legacy visits, CRM dates) is taken as 09:00 local
EXCEL_EPOCH = date(1899, 12, 30)

# --------------------------------------------------------------------------- fields and their names
# field → the column names it is known by (Chinese and English); matched after normalising
# (full-width → half-width, case, spaces and punctuation, hints in brackets dropped)
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "name": ("客户名称", "客户名", "客户", "客户全称", "公司", "公司名称", "公司名", "单位", "单位名称", "企业",
                 "企业名称", "名称", "company", "company name", "customer", "customer name", "account",
                 "account name", "organisation", "organization"),
        "contact": ("联系人", "联系人姓名", "联系人名称", "联络人", "姓名", "contact", "contact name",
                    "contact person", "person"),
        "title": ("职务", "职位", "联系人职务", "联系人职位", "头衔", "title", "job title", "position", "role"),
        "phone": ("电话", "手机", "手机号", "手机号码", "联系电话", "联系人电话", "联系人手机", "电话号码", "联系方式",
                  "座机", "phone", "mobile", "tel", "telephone", "phone number", "mobile phone", "cell"),
        "status": ("状态", "客户状态", "跟进状态", "status", "customer status"),
        "industry": ("行业", "所属行业", "行业类别", "industry", "sector"),
        "region": ("区域", "地区", "所属区域", "所在区域", "片区", "region", "area", "territory"),
        "address": ("地址", "详细地址", "公司地址", "客户地址", "联系地址", "address", "street", "billing address"),
        "website": ("网址", "网站", "官网", "公司网址", "主页", "website", "web", "url", "homepage", "web site"),
        "email": ("邮箱", "电子邮箱", "电子邮件", "邮件", "email", "e-mail", "mail", "email address"),
        "grade": ("等级", "级别", "客户等级", "客户级别", "客户评级", "评级", "grade", "level", "rating", "class"),
        "expected_purchase": ("预计购买", "预计购买时间", "预计购买日期", "预计采购", "预计采购时间", "预计采购日期",
                              "预计成交", "预计成交时间", "expected purchase", "expected purchase date",
                              "purchase date", "expected"),
        "owner": ("负责人", "业务员", "销售", "销售员", "销售代表", "所属销售", "归属", "归属人", "跟进人", "owner",
                  "sales rep", "salesperson", "account owner", "rep"),
    },
    "visits": {
        "customer": ("客户", "客户名称", "客户名", "公司", "公司名称", "单位", "customer", "company", "account"),
        "at": ("时间", "拜访时间", "日期", "拜访日期", "联系时间", "沟通时间", "date", "time", "when", "visit time",
               "visit date", "at"),
        "kind": ("方式", "类型", "拜访方式", "联系方式", "kind", "type", "channel"),
        "contact": ("联系人", "拜访对象", "联络人", "对象", "contact", "whom", "person"),
        "content": ("内容", "拜访内容", "沟通内容", "拜访情况", "情况", "事项", "content", "subject", "notes", "what"),
        "result": ("结果", "拜访结果", "沟通结果", "result", "outcome"),
        "problems": ("问题", "存在问题", "遇到的问题", "problems", "issues", "problem"),
        "next_step": ("下一步", "下一步计划", "后续计划", "跟进备忘", "next step", "next steps"),
        "follow_up": ("跟进日期", "下次跟进", "下次跟进日期", "回访日期", "follow up", "follow-up date",
                      "follow up date"),
    },
    "deals": {
        "customer": ("客户", "客户名称", "客户名", "公司", "公司名称", "单位", "customer", "company", "account"),
        "title": ("商机", "商机名称", "项目", "项目名称", "名称", "title", "opportunity", "opportunity name", "deal",
                  "deal name", "name"),
        "product": ("产品", "产品名称", "product"),
        "amount": ("金额", "商机金额", "合同金额", "预计金额", "amount", "value", "deal value"),
        "stage": ("阶段", "销售阶段", "商机阶段", "stage", "deal stage"),
        "status": ("状态", "商机状态", "status"),
        "expected_close": ("预计成交日期", "预计签约日期", "预计成交", "预计签约", "expected close",
                           "expected close date"),
        "closed_on": ("成交日期", "签约日期", "关闭日期", "赢单日期", "输单日期", "close date", "closed on", "won on",
                      "lost on"),
        "lost_reason": ("丢单原因", "输单原因", "失败原因", "lost reason", "reason"),
    },
    "staff": {
        "handle": ("账号", "登录名", "用户名", "工号", "handle", "login", "username", "user name"),
        "name": ("姓名", "名字", "员工", "员工姓名", "name", "full name", "display name"),
        "role": ("角色", "岗位", "职位", "职务", "role", "position"),
        "manager": ("上级", "直属上级", "直接上级", "经理", "汇报对象", "manager", "reports to", "supervisor"),
        "region": ("区域", "地区", "片区", "region", "office", "regional office"),
        "industry": ("行业", "负责行业", "industry", "sector"),
        "email": ("邮箱", "电子邮箱", "email", "e-mail"),
        "phone": ("电话", "手机", "联系电话", "phone", "mobile"),
    },
}
# a column for these must exist (row-level blanks are reasons on the row)
REQUIRED_COLUMNS = {"customers": ("name",), "visits": ("customer",), "deals": ("customer",), "staff": ("name",)}
IGNORE_WORDS = ("-", "ignore", "skip", "none", "忽略", "")


def _norm_header(value: Any) -> str:
    text_value = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    text_value = re.sub(r"[\(\[（【<《].*?[\)\]）】>》]", "", text_value)
    text_value = text_value.casefold()
    return re.sub(r"[\s_\-\.:：*＊/·#'\"?？!！]+", "", text_value)


def _synonyms(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, names in FIELDS[kind].items():
        for name in (key, *names):
            table.setdefault(_norm_header(name), key)
    return table


def field_names(kind: str) -> tuple[str, ...]:
    return tuple(FIELDS[kind])


# --------------------------------------------------------------------------- reading
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
@dataclass
class Table:
    """A sheet with its header located and its columns mapped to fields."""

    sheet: Sheet
    kind: str
    header_row: int
    headers: list[str]
    columns: dict[str, int]  # field → column index
    ignored: list[str]  # headers of columns not imported
    rows: list[tuple[int, list]]  # data rows after the header
    overridden: set[str] = field(default_factory=set)  # fields set by --map

    def label(self, key: str) -> str:
        """The column's header for a field (what the user sees in reasons)."""
        index = self.columns.get(key)
        return self.headers[index] if index is not None else key

    def mapping(self) -> dict[str, str]:
        return {self.headers[i]: key for key, i in sorted(self.columns.items(), key=lambda kv: kv[1])}


def parse_overrides(items: Iterable[str], kind: str) -> list[tuple[str, str | None]]:
    """--map 'column=field' (field '-' or 'ignore' drops the column)."""
    out: list[tuple[str, str | None]] = []
    names = field_names(kind)
    aliases = _synonyms(kind)
    for item in items or ():
        if "=" not in item:
            raise InvalidInput(t("import.err.map_syntax", item=item))
        column, _, wanted = item.rpartition("=")
        column, wanted = column.strip(), wanted.strip()
        if not column:
            raise InvalidInput(t("import.err.map_syntax", item=item))
        if wanted.lower() in IGNORE_WORDS:
            out.append((column, None))
            continue
        key = wanted.lower().replace("-", "_")
        if key not in names:
            key = aliases.get(_norm_header(wanted), "")
        if key not in names:
            raise InvalidInput(t("import.err.map_field", field=wanted, accepted=", ".join(names)))
        out.append((column, key))
    return out


def _column_index(headers: list[str], ref: str) -> int | None:
    for i, h in enumerate(headers):
        if str(h).strip() == ref:
            return i
    wanted = _norm_header(ref)
    for i, h in enumerate(headers):
        if wanted and _norm_header(h) == wanted:
            return i
    if re.fullmatch(r"[A-Za-z]{1,2}", ref):  # a column letter: A, B, … AA
        index = 0
        for ch in ref.upper():
            index = index * 26 + (ord(ch) - 64)
        return index - 1 if index - 1 < len(headers) else None
    return None


def guess_columns(headers: list[str], kind: str, overrides: list[tuple[str, str | None]] = (),
                  *, strict: bool = True) -> tuple[dict[str, int], list[int], set[str]]:
    """Map header cells to fields: --map first, then exact names, then names containing a known one.

    Returns (field → column index, indexes of ignored columns, fields set by --map). A
    field is taken by one column only (the leftmost best match). With `strict`, a --map
    naming a column that is not in the header is an error.
    """
    table = _synonyms(kind)
    columns: dict[str, int] = {}
    taken: set[int] = set()
    dropped: set[int] = set()
    overridden: set[str] = set()
    for ref, key in overrides:
        index = _column_index(headers, ref)
        if index is None:
            if strict:
                raise InvalidInput(t("import.err.map_column", column=ref,
                                     columns=", ".join(str(h) for h in headers if str(h).strip())))
            continue
        if key is None:
            dropped.add(index)
            continue
        columns.pop(key, None)
        columns[key] = index
        taken.add(index)
        overridden.add(key)
    normalised = [_norm_header(h) for h in headers]
    for i, name in enumerate(normalised):
        if i in taken or i in dropped or not name:
            continue
        key = table.get(name)
        if key and key not in columns:
            columns[key] = i
            taken.add(i)
    for i, name in enumerate(normalised):
        if i in taken or i in dropped or not name:
            continue
        best = None
        for synonym, key in table.items():
            if key in columns or not synonym or synonym not in name:
                continue
            if len(synonym) < (4 if synonym.isascii() else 2):
                continue
            # Chinese and English names put the head noun last: 联系人电话 is a phone, contact phone too
            rank = (name.endswith(synonym), len(synonym))
            if best is None or rank > best[0]:
                best = (rank, key)
        if best is not None:
            columns[best[1]] = i
            taken.add(i)
    ignored = [i for i, name in enumerate(normalised) if i not in taken and (name or i in dropped)]
    return columns, ignored, overridden


def locate(sheet: Sheet, kind: str, overrides: list[tuple[str, str | None]] = ()) -> Table:
    """Find the header among the first rows (the first with two or more known column names)."""
    if not sheet.rows:
        raise InvalidInput(t("import.err.empty", file=sheet.path))
    chosen = single = None
    for position, (_number, values) in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        headers = [_header_text(v) for v in values]
        columns, _ignored, _o = guess_columns(headers, kind, overrides, strict=False)
        if len(columns) >= 2:
            chosen = position
            break
        if columns and single is None:
            single = position  # a one-column file has a one-column header
    if chosen is None:
        chosen = single or 0
    number, values = sheet.rows[chosen]
    headers = [_header_text(v) for v in values]
    columns, ignored, overridden = guess_columns(headers, kind, overrides)
    missing = [key for key in REQUIRED_COLUMNS[kind] if key not in columns]
    if missing:
        raise InvalidInput(t("import.err.no_column", fields=", ".join(missing), row=number,
                             columns=", ".join(h for h in headers if h) or "-", example=f"{headers[0] or 'A'}={missing[0]}"))
    return Table(sheet=sheet, kind=kind, header_row=number, headers=headers, columns=columns,
                 ignored=[headers[i] or _letter(i) for i in ignored], rows=sheet.rows[chosen + 1:],
                 overridden=overridden)


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def load_table(path: str | Path, kind: str, *, overrides: Iterable[str] = (), encoding: str | None = None,
               sheet: str | None = None, data: bytes | None = None) -> Table:
    if kind not in KINDS:
        raise InvalidInput(t("import.err.bad_kind", kind=kind, accepted=", ".join(KINDS)))
    parsed = parse_overrides(overrides, kind)
    return locate(read_sheet(path, encoding=encoding, sheet=sheet, data=data), kind, parsed)


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


# --------------------------------------------------------------------------- outcomes
class RowError(Exception):
    """Why one row cannot be imported: a short code (tests, --errors-file) and the message."""

    def __init__(self, code: str, reason: str, *, not_found: bool = False):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.not_found = not_found

    def as_error(self) -> SalesctlError:
        """The same refusal for a flag (--owner, --under) rather than a row: exit 3, 4 or 2."""
        if self.code == "permission":
            return PermissionDenied(self.reason)
        return NotFound(self.reason) if self.not_found else InvalidInput(self.reason)


def _field_error(exc: SalesctlError, label: str, code: str) -> RowError:
    """A validator's message ("--phone: '12' is not…") re-addressed to the column the value came from."""
    message = exc.message
    message = re.sub(r"^--?[^:]+:", f"{label}:", message, count=1) if message.startswith("-") else message
    return RowError(code, message)


@dataclass
class RowResult:
    row: int
    status: str  # imported | incomplete | duplicate | claimed | skipped (counted, not an error) | rejected
    name: str | None
    reason: str | None = None
    code: str | None = None
    values: list | None = None  # the row as read (for --errors-file)
    file: str | None = None  # CRM imports: which file of the folder

    def as_dict(self) -> dict:
        doc = {"row": self.row, "status": self.status, "name": self.name, "code": self.code, "reason": self.reason}
        if self.file:
            doc = {"file": self.file, **doc}
        return doc


@dataclass
class ImportReport:
    """What an import did (or, with --dry-run or when refused, would have done)."""

    kind: str
    source: str
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})
    problems: list[RowResult] = field(default_factory=list)  # every row that is not a plain "imported"
    mapping: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    encoding: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    dry_run: bool = False
    partial: bool = False
    on_duplicate: str = "skip"
    written: bool = False
    refused: str | None = None  # why nothing was written: rejected | duplicates
    notes: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)  # table → rows written
    files: list[dict] = field(default_factory=list)  # CRM imports: per source file, every row accounted for

    def add(self, result: RowResult) -> None:
        self.counts[result.status] += 1
        if result.status != "imported":
            self.problems.append(result)

    @property
    def accepted(self) -> int:
        return self.counts["imported"] + self.counts["incomplete"]

    def decide(self) -> None:
        """All or nothing: refuse when a row is rejected (or a duplicate with --on-duplicate fail)."""
        if self.partial:
            return
        if self.counts["rejected"]:
            self.refused = "rejected"
        elif self.on_duplicate == "fail" and self.counts["duplicate"]:
            self.refused = "duplicates"

    @property
    def writes(self) -> bool:
        return not self.dry_run and self.refused is None

    def as_json(self) -> dict:
        doc = {
            "kind": self.kind, "file": self.source, "encoding": self.encoding, "sheet": self.sheet,
            "header_row": self.header_row, "mapping": self.mapping, "ignored": self.ignored, "rows": self.total,
            **self.public_counts(), "dry_run": self.dry_run, "partial": self.partial,
            "on_duplicate": self.on_duplicate, "written": self.written, "refused": self.refused,
            "created": self.created, "notes": self.notes, "problems": [p.as_dict() for p in self.problems],
        }
        if self.files:
            doc["files"] = self.files
        return doc

    def public_counts(self) -> dict[str, int]:
        """imported (all of them, or with --dry-run/refused: the good rows), of which incomplete, and the rest."""
        counts = {s: self.counts[s] for s in STATUSES}
        counts["imported"] = self.accepted
        return counts

    def audit_summary(self) -> dict:
        return {"kind": self.kind, "file": self.source, "rows": self.total, **self.public_counts(),
                "created": self.created, "partial": self.partial, "on_duplicate": self.on_duplicate}


class Progress:
    """What an import reports as it goes (the CLI draws a bar on a terminal; nothing otherwise)."""

    def phase(self, label: str, total: int) -> None:  # noqa: D401
        pass

    def advance(self, n: int = 1) -> None:
        pass


def new_report(table: Table, *, dry_run: bool, partial: bool, on_duplicate: str) -> ImportReport:
    return ImportReport(kind=table.kind, source=str(table.sheet.path), total=len(table.rows),
                        mapping=table.mapping(), ignored=table.ignored, headers=table.headers,
                        encoding=table.sheet.encoding, sheet=table.sheet.sheet, header_row=table.header_row,
                        dry_run=dry_run, partial=partial, on_duplicate=on_duplicate)


# --------------------------------------------------------------------------- writing in bulk
def allocate_ids(session, table, count: int) -> list[int]:
    """`count` new primary keys for `table`, taken up front so related rows can point at them.

    PostgreSQL hands them out from the column's sequence (safe with other writers);
    SQLite continues from the largest id (write transactions hold the lock: BEGIN IMMEDIATE).
    """
    if count <= 0:
        return []
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        rows = conn.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                            {"t": table.name, "n": count}).scalars().all()
        return sorted(int(r) for r in rows)
    start = conn.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(start + 1, start + count + 1))


def bulk_insert(session, table, rows: Iterable[dict], batch: int = 20_000, progress: Progress | None = None) -> int:
    """INSERT many rows on the session's connection (its transaction), at driver speed.

    The statement is SQLAlchemy's own INSERT compiled for the dialect, and every value
    goes through the column type's own bind processor (Money → cents, UTCDateTime →
    naive UTC, SQLite's date/datetime text): exactly what Core executemany sends. The
    processed value of a repeated input (the import's timestamp, the owner, the status)
    is computed once, and the rows go to the driver's executemany directly, which is
    what makes 100,000 customers (400,000 rows with contacts, ledger and grades) quick.
    `rows` may be a generator: it is consumed one batch at a time (all rows have the
    first row's keys).
    """
    from itertools import islice

    from sqlalchemy import bindparam

    source = iter(rows)
    first = list(islice(source, batch))
    if not first:
        return 0
    conn = session.connection()
    dialect = conn.dialect
    names = list(first[0])
    compiled = insert(table).values({name: bindparam(name) for name in names}).compile(dialect=dialect)
    positional = bool(compiled.positional)
    order = list(compiled.positiontup) if positional else names
    processors = []
    for name in order:
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        processors.append((name, process, {}))
    sql = compiled.string
    def processed(values: list, process, memo: dict) -> list:
        out = []
        for value in values:
            if value is not None:
                hit = memo.get(value)
                if hit is None:
                    hit = process(value)
                    if len(memo) < 10_000:
                        memo[value] = hit
                value = hit
            out.append(value)
        return out

    total = 0
    chunk = first
    while chunk:
        columns = []  # column by column: one tight loop per column beats one per cell
        for name, process, memo in processors:
            values = [row[name] for row in chunk]
            columns.append(values if process is None else processed(values, process, memo))
        params = list(zip(*columns)) if positional else [dict(zip(order, values)) for values in zip(*columns)]
        conn.exec_driver_sql(sql, params)
        total += len(chunk)
        if progress is not None:
            progress.advance(len(chunk))
        chunk = list(islice(source, batch))
    return total


# --------------------------------------------------------------------------- staff
class StaffIndex:
    """Everyone in the org chart (a few hundred rows), to resolve handles/names without a query per row."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.by_handle: dict[str, Staff] = {}
        self.by_id: dict[int, Staff] = {}
        self.by_name: dict[str, list[Staff]] = {}
        for person in ctx.session.execute(select(Staff)).scalars():
            self._add(person)
        self._may_act: dict[int, bool] = {}

    def _add(self, person: Staff) -> None:
        self.by_handle[person.handle] = person
        self.by_id[person.id] = person
        self.by_name.setdefault(person.name.strip().lower(), []).append(person)

    def find(self, ref: str, label: str) -> Staff:
        value = (ref or "").strip()
        person = self.by_handle.get(value)
        if person is None and is_id(value):
            person = self.by_id.get(int(value))
        if person is None:
            matches = self.by_name.get(value.lower(), [])
            if len(matches) > 1:
                raise RowError("owner", t("import.reason.staff_ambiguous", column=label, value=value,
                                          handles=", ".join(m.handle for m in matches)))
            person = matches[0] if matches else None
        if person is None:
            raise RowError("owner", t("import.reason.staff_unknown", column=label, value=value), not_found=True)
        return person

    def flag(self, ref: str, flag: str) -> Staff:
        """A person named by a flag (--under): unknown is exit 4, ambiguous exit 2."""
        try:
            return self.find(ref, flag)
        except RowError as exc:
            raise exc.as_error() from None

    def may_act_for(self, person: Staff) -> bool:
        if person.id not in self._may_act:
            from salesctl.permissions import may_act_for

            self._may_act[person.id] = person.id == self.ctx.actor.id or may_act_for(self.ctx, person)
        return self._may_act[person.id]


def check_owner(index: StaffIndex, person: Staff, label: str) -> Staff:
    """What `customer add --owner` checks: allowed to act for them, active, not an assistant."""
    if not index.may_act_for(person):
        raise RowError("permission", t("err.denied", what=t("import.what.add_customers_for", handle=person.handle)))
    if not person.active:
        raise RowError("owner", t("import.reason.owner_inactive", column=label, handle=person.handle))
    if person.role == "assistant":
        raise RowError("owner", t("import.reason.owner_assistant", column=label, handle=person.handle))
    return person


def default_owner(ctx, index: StaffIndex, owner: str | None, *, has_column: bool) -> Staff | None:
    """--owner (checked like `customer add --owner`), else the acting user; None when rows name their own."""
    if owner:
        try:
            return check_owner(index, index.find(owner, "--owner"), "--owner")
        except RowError as exc:
            raise exc.as_error() from None
    if ctx.actor.role == "assistant":
        if has_column:
            return None
        raise InvalidInput(t("customer.err.assistant_owner"))
    return ctx.actor


# --------------------------------------------------------------------------- customers
@dataclass
class PreparedCustomer:
    """A validated customer row, ready to insert (ids assigned at write time)."""

    row: int
    name: str
    name_norm: str
    phone_key: str | None
    customer: dict
    contact: dict | None
    owner_id: int | None
    reporter_id: int
    grade_rule: str | None
    missing: list[str]


class CustomerValidator:
    """The rules of `customer add` (services.customers.create_customer), one row at a time, no queries per row."""

    def __init__(self, ctx, index: StaffIndex, *, owner: Staff | None, allow_incomplete: bool, pool: bool = False,
                 labels: Callable[[str], str] = lambda key: key):
        from salesctl.policy import section

        self.ctx = ctx
        self.index = index
        self.owner = owner
        self.allow_incomplete = allow_incomplete
        self.pool = pool
        self.label = labels
        self.policy = section("grading")
        self.now = ctx.now
        self.actor_id = ctx.actor.id
        self._owner_cache: dict[str, Staff | RowError] = {}
        self._statuses: dict = {}
        self._grades: dict = {}
        self._rules: dict = {}
        from salesctl.services.customers.customers import validate_grade, validate_status

        self._status, self._grade = validate_status, validate_grade

    def _owner_for(self, ref: str | None) -> Staff | None:
        if self.pool:
            return None
        if not ref:
            if self.owner is None:
                raise RowError("owner", t("import.reason.owner_required", column=self.label("owner")))
            return self.owner
        hit = self._owner_cache.get(ref)
        if hit is None:
            try:
                hit = check_owner(self.index, self.index.find(ref, self.label("owner")), self.label("owner"))
            except RowError as exc:
                hit = exc
            self._owner_cache[ref] = hit
        if isinstance(hit, RowError):
            raise hit
        return hit

    def _cached(self, cache: dict, validator, value: str, label_key: str, code: str) -> str:
        hit = cache.get(value)
        if hit is None:
            try:
                hit = validator(value)
            except InvalidInput as exc:
                hit = _field_error(exc, self.label(label_key), code)
            cache[value] = hit
        if isinstance(hit, RowError):
            raise hit
        return hit

    def check(self, row: int, values: dict[str, Any]) -> PreparedCustomer:
        """One row as `customer add` would take it; raises RowError naming the column and what is accepted.

        `values` holds text (stripped, None when blank) for every field but the dates.
        """
        from salesctl.services.customers.customers import check_industry, validate_email, validate_url
        from salesctl.services.customers.grading import grade_for
        from salesctl.services.customers.normalize import normalize_name, normalize_phone, phone_key

        label = self.label
        get = values.get
        name, contact, title, phone, status = (_txt(get("name")), _txt(get("contact")), _txt(get("title")),
                                               _txt(get("phone")), _txt(get("status")))
        if not name:
            raise RowError("missing", t("import.reason.missing", fields=label("name")))
        missing = None
        if contact is None or title is None or phone is None or status is None:
            missing = [key for key, value in (("contact", contact), ("title", title), ("phone", phone),
                                              ("status", status)) if value is None]
            if not self.allow_incomplete:
                raise RowError("missing", t("import.reason.missing_required",
                                            fields=", ".join(label(k) for k in missing)))
        name_norm = normalize_name(name)
        if not name_norm:
            raise RowError("name", t("import.reason.name", column=label("name"), value=name))
        phone_value = None
        if phone:
            try:
                phone_value = normalize_phone(phone, "phone")
            except InvalidInput as exc:
                raise _field_error(exc, label("phone"), "phone") from None
        key = phone_key(phone_value) if phone_value else None
        status_key = self._cached(self._statuses, self._status, status, "status", "status") if status else "following"
        grade_text = _txt(get("grade"))
        grade_value = self._cached(self._grades, self._grade, grade_text, "grade", "grade") if grade_text else None
        email_value = website_value = expected = None
        email_text = _txt(get("email"))
        if email_text:
            try:
                email_value = validate_email(email_text)
            except InvalidInput as exc:
                raise _field_error(exc, label("email"), "email") from None
        website_text = _txt(get("website"))
        if website_text:
            try:
                website_value = validate_url(website_text)
            except InvalidInput as exc:
                raise _field_error(exc, label("website"), "website") from None
        raw_expected = get("expected_purchase")
        if raw_expected is not None and _txt(raw_expected).lower() not in ("none", "-", "无"):
            try:
                expected = cell_date(raw_expected, "expected_purchase", self.ctx.today)
            except InvalidInput as exc:
                raise _field_error(exc, label("expected_purchase"), "date") from None
        owner = self._owner_for(_txt(get("owner")))
        basis = owner or self.ctx.actor
        industry = _txt(get("industry")) or (basis.industry if basis.industry and basis.industry != "*" else None)
        region = _txt(get("region")) or basis.region
        if owner is not None and owner.role == "rep":
            try:
                check_industry(owner, industry)
            except Conflict as exc:
                raise RowError("industry", exc.message) from None
        rule_text = None
        if grade_value is None:
            rule = self._rules.get(expected)
            if rule is None:
                rule = self._rules[expected] = grade_for(expected, self.ctx.today, self.policy)
            grade_value, rule_text = (rule.grade, rule.rule) if rule.grade else ("D", f"{rule.rule} → D")
        reporter = owner or self.ctx.actor
        now = self.now
        record = {
            "name": name, "name_norm": name_norm, "phone_norm": key, "industry": industry,
            "region": region, "address": _txt(get("address")), "website": website_value,
            "email": email_value, "status": status_key, "grade": grade_value, "expected_purchase": expected,
            "owner_id": owner.id if owner else None, "reported_by_id": reporter.id, "reported_at": now,
            "last_contact_at": None, "incomplete": bool(missing), "created_at": now, "updated_at": now,
            "created_by_id": self.actor_id,
        }
        person = None
        if contact or title or phone_value:
            person = {"name": contact or "", "title": title, "phone": phone_value, "phone_norm": key,
                      "email": None, "decision_maker": False, "is_primary": True, "note": None,
                      "created_at": now, "updated_at": now}
        return PreparedCustomer(row, name, name_norm, key, record, person, owner.id if owner else None,
                                reporter.id, rule_text, missing or [])


class DuplicateIndex:
    """Normalised names and phone keys of the archive (one query each) and of the rows seen so far."""

    def __init__(self, session):
        self.names: dict[str, int] = dict(session.execute(select(Customer.name_norm, Customer.id)).all())
        self.phones: dict[str, int] = {}
        for key, cid in session.execute(select(Contact.phone_norm, Contact.customer_id)
                                        .where(Contact.phone_norm.is_not(None))):
            self.phones.setdefault(key, cid)
        for key, cid in session.execute(select(Customer.phone_norm, Customer.id).where(Customer.phone_norm.is_not(None))):
            self.phones[key] = cid  # the customer's own phone wins over a contact's
        self.file_names: dict[str, int] = {}
        self.file_phones: dict[str, int] = {}

    def existing(self, name_norm: str, phone_key: str | None) -> tuple[int, str] | None:
        if name_norm in self.names:
            return self.names[name_norm], "name"
        if phone_key and phone_key in self.phones:
            return self.phones[phone_key], "phone"
        return None

    def in_file(self, name_norm: str, phone_key: str | None) -> tuple[int, str] | None:
        if name_norm in self.file_names:
            return self.file_names[name_norm], "name"
        if phone_key and phone_key in self.file_phones:
            return self.file_phones[phone_key], "phone"
        return None

    def add(self, name_norm: str, phone_key: str | None, row: int) -> None:
        self.file_names.setdefault(name_norm, row)
        if phone_key:
            self.file_phones.setdefault(phone_key, row)


def describe_duplicates(session, ids: Iterable[int]) -> dict[int, tuple[str, str | None, datetime | None]]:
    """{id: (name, owner handle, first report time)}: all a duplicate refusal may reveal (SPEC 1.6)."""
    from sqlalchemy.orm import aliased

    owner = aliased(Staff)
    wanted = sorted(set(ids))
    out = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        stmt = (select(Customer.id, Customer.name, owner.handle, Customer.reported_at)
                .join(owner, owner.id == Customer.owner_id, isouter=True).where(Customer.id.in_(chunk)))
        for cid, name, handle, at in session.execute(stmt):
            out[cid] = (name, handle, at)
    return out


def duplicate_reason(info: tuple[str, str | None, datetime | None], customer_id: int, matched_on: str) -> str:
    from salesctl.services.customers.customers import DuplicateCustomer
    from salesctl.services.customers.duplicates import Duplicate

    name, owner, at = info
    return DuplicateCustomer(Duplicate(customer_id, name, owner, at, matched_on)).message


# fields whose cells are read as they are (dates, times, amounts: an xlsx gives real values); the others as text
RAW_FIELDS = frozenset(("expected_purchase", "at", "follow_up", "expected_close", "closed_on", "amount"))


def _row_values(table: Table, values: list) -> dict[str, Any]:
    """{field: value}: text stripped (None when blank), dates and amounts as the cell holds them."""
    out = {}
    width = len(values)
    for key, index in table.columns.items():
        if index < width:
            value = values[index]
            if value.__class__ is str:
                value = value.strip() or None
            elif value is not None and key not in RAW_FIELDS:
                value = cell_text(value)
            out[key] = value
    return out


def _txt(value: Any) -> str | None:
    return value if value is None or value.__class__ is str else cell_text(value)


def import_customers(ctx, table: Table, *, owner: str | None = None, on_duplicate: str = "skip",
                     partial: bool = False, allow_incomplete: bool = False, dry_run: bool = False,
                     progress: Progress | None = None) -> ImportReport:
    """`import customers`: validate every row as `customer add` does, then write the good ones in bulk."""
    if on_duplicate not in ON_DUPLICATE:
        raise InvalidInput(t("import.err.on_duplicate", value=on_duplicate, accepted=", ".join(ON_DUPLICATE)))
    progress = progress or Progress()
    session = ctx.session
    report = new_report(table, dry_run=dry_run, partial=partial, on_duplicate=on_duplicate)
    index = StaffIndex(ctx)
    base_owner = default_owner(ctx, index, owner, has_column="owner" in table.columns)
    validator = CustomerValidator(ctx, index, owner=base_owner, allow_incomplete=allow_incomplete, labels=table.label)
    dupes = DuplicateIndex(session)
    accepted: list[PreparedCustomer] = []
    existing_hits: list[tuple[RowResult, int, str, int | None]] = []  # result, customer id, matched on, requester
    progress.phase(t("import.progress.checking"), len(table.rows))
    for count, (number, values) in enumerate(table.rows, start=1):
        row = _row_values(table, values)
        try:
            prepared = validator.check(number, row)
        except RowError as exc:
            report.add(RowResult(number, "rejected", _txt(row.get("name")), exc.reason, exc.code, values))
        else:
            hit = dupes.existing(prepared.name_norm, prepared.phone_key)
            twin = None if hit else dupes.in_file(prepared.name_norm, prepared.phone_key)
            if hit is not None:
                result = RowResult(number, "duplicate", prepared.name, None, "duplicate", values)
                existing_hits.append((result, hit[0], hit[1], prepared.owner_id or prepared.reporter_id))
                report.add(result)
            elif twin is not None:
                report.add(RowResult(number, "duplicate", prepared.name,
                                     t("import.reason.same_as_row", row=twin[0], on=twin[1]), "duplicate_in_file",
                                     values))
            else:
                dupes.add(prepared.name_norm, prepared.phone_key, number)
                accepted.append(prepared)
                if prepared.missing:
                    report.add(RowResult(number, "incomplete", prepared.name,
                                         t("import.reason.incomplete", fields=", ".join(table.label(k) for k in prepared.missing)),
                                         "incomplete", values))
                else:
                    report.counts["imported"] += 1
        if count % 1000 == 0:
            progress.advance(1000)
    progress.advance(len(table.rows) % 1000)
    if existing_hits:
        info = describe_duplicates(session, [cid for _r, cid, _m, _o in existing_hits])
        for result, cid, matched_on, _requester in existing_hits:
            result.reason = duplicate_reason(info[cid], cid, matched_on)
    if on_duplicate == "claim" and existing_hits:
        _plan_claims(ctx, report, existing_hits)
    report.decide()
    if not report.writes:
        return report
    write_customers(ctx, accepted, progress=progress, note=f"import {table.sheet.path.name}")
    report.created.update({"customer": len(accepted), "contact": sum(1 for p in accepted if p.contact)})
    if on_duplicate == "claim":
        report.created["claim_request"] = _record_claims(ctx, report, existing_hits, table.sheet.path.name)
    report.written = True
    ctx.audit("import.customers", "customer", None, None,
              {**report.audit_summary(), "sha256": table.sheet.sha256, "encoding": table.sheet.encoding,
               "allow_incomplete": allow_incomplete})
    return report


def _plan_claims(ctx, report: ImportReport, hits) -> None:
    """--on-duplicate claim: a duplicate of someone else's customer becomes a pending claim request."""
    owners = dict(ctx.session.execute(select(Customer.id, Customer.owner_id)
                                      .where(Customer.id.in_([cid for _r, cid, _m, _o in hits]))).all())
    for result, cid, _matched_on, requester in hits:
        if owners.get(cid) is not None and owners.get(cid) == requester:
            result.reason = f"{result.reason}; " + t("import.reason.already_yours")
            continue
        report.counts["duplicate"] -= 1
        report.counts["claimed"] += 1
        result.status = "claimed"
        result.code = "claimed"


def _record_claims(ctx, report: ImportReport, hits, source: str) -> int:
    from salesctl.services.customers.ownership import record_entry

    claimed = [(r, cid, requester) for r, cid, _m, requester in hits if r.status == "claimed"]
    done = 0
    for start in range(0, len(claimed), 500):
        chunk = claimed[start:start + 500]
        customers = {c.id: c for c in ctx.session.execute(
            select(Customer).where(Customer.id.in_([cid for _r, cid, _q in chunk]))).scalars()}
        for result, cid, requester in chunk:
            record_entry(ctx, customers[cid], "request", staff_id=requester,
                         note=f"{source} row {result.row}")
            done += 1
    return done


def write_customers(ctx, prepared: list[PreparedCustomer], *, progress: Progress | None = None,
                    note: str = "import", reported_at: dict[int, datetime] | None = None) -> list[int]:
    """Insert customers with their primary contact, first-report ledger entry and first grade, in bulk.

    Returns the new ids in the order given. `reported_at` (row → time) lets a CRM import
    date the first report (and creation) when its source knows it.
    """
    session = ctx.session
    progress = progress or Progress()
    ids = allocate_ids(session, Customer.__table__, len(prepared))
    actor_id = ctx.actor.id
    now = ctx.now
    reason = t("import.reason.grade", source=note)
    when = reported_at or {}
    for new_id, item in zip(ids, prepared):  # the customer rows themselves get their ids and dates
        item.customer["id"] = new_id
        moment = when.get(item.row)
        if moment is not None:
            item.customer["reported_at"] = item.customer["created_at"] = moment
    with_contact = sum(1 for item in prepared if item.contact is not None)
    progress.phase(t("import.progress.writing"), 3 * len(prepared) + with_contact)

    # generators, written one batch at a time: four lists of 100,000 dicts would be most of the memory
    def contacts():
        for item in prepared:
            if item.contact is not None:
                item.contact["customer_id"] = item.customer["id"]
                yield item.contact

    def ledger():
        for item in prepared:
            record = item.customer
            yield {"customer_id": record["id"], "kind": "report", "staff_id": item.reporter_id,
                   "from_owner_id": None, "to_owner_id": item.owner_id, "by_id": actor_id,
                   "at": record["reported_at"] or now,
                   "note": note if item.owner_id is not None else f"{note}; pool", "need": None, "ref_id": None,
                   "had_info_in_time": None}

    def grades():
        for item in prepared:
            record = item.customer
            yield {"customer_id": record["id"], "from_grade": None, "to_grade": record["grade"], "by_id": actor_id,
                   "at": record["reported_at"] or now, "reason": reason, "source": "import", "rule": item.grade_rule,
                   "visit_id": None}

    bulk_insert(session, Customer.__table__, (item.customer for item in prepared), progress=progress)
    bulk_insert(session, Contact.__table__, contacts(), progress=progress)
    bulk_insert(session, OwnershipEntry.__table__, ledger(), progress=progress)
    bulk_insert(session, GradeChange.__table__, grades(), progress=progress)
    return ids


# --------------------------------------------------------------------------- customers named in other files
class CustomerIndex:
    """Customers by id, exact name and normalised name (one query), for rows that name a customer."""

    def __init__(self, session):
        self.by_id: dict[int, tuple] = {}
        self.by_name: dict[str, list[int]] = {}
        self.by_norm: dict[str, int] = {}
        stmt = select(Customer.id, Customer.name, Customer.name_norm, Customer.owner_id, Customer.last_contact_at)
        for cid, name, norm, owner_id, last in session.execute(stmt):
            self.by_id[cid] = (cid, name, owner_id, last)
            self.by_name.setdefault(name, []).append(cid)
            self.by_norm[norm] = cid

    def find(self, ref: Any, label: str) -> tuple:
        from salesctl.services.customers.normalize import normalize_name

        value = cell_text(ref)
        if not value:
            raise RowError("missing", t("import.reason.missing", fields=label))
        if is_id(value.lstrip("#")) and int(value.lstrip("#")) in self.by_id:
            return self.by_id[int(value.lstrip("#"))]
        ids = self.by_name.get(value)
        if ids and len(ids) == 1:
            return self.by_id[ids[0]]
        norm = normalize_name(value)
        if norm in self.by_norm:
            return self.by_id[self.by_norm[norm]]
        raise RowError("customer", t("import.reason.customer_unknown", column=label, value=value))


class WriteCheck:
    """Who may write visits/deals for a customer (services.visits.owner_for_writing), cached per owner."""

    def __init__(self, ctx, index: StaffIndex, what: str):  # what: a message key taking {id} and {handle}
        self.ctx, self.index, self.what = ctx, index, what

    def owner(self, customer: tuple) -> Staff:
        cid, _name, owner_id, _last = customer
        if owner_id is None:
            raise RowError("pool", t("import.reason.pool", id=cid))
        person = self.index.by_id[owner_id]
        if not self.index.may_act_for(person):
            raise RowError("permission", t("err.denied", what=t(self.what, id=cid, handle=person.handle)))
        return person


def _require_text(values: dict, key: str, label: str) -> str:
    value = cell_text(values.get(key))
    if not value:
        raise RowError("missing", t("import.reason.missing", fields=label))
    return value


# --------------------------------------------------------------------------- visits
def import_visits(ctx, table: Table, *, on_duplicate: str = "skip", partial: bool = False, dry_run: bool = False,
                  progress: Progress | None = None) -> ImportReport:
    """`import visits`: rows checked as `visit log` checks them; a visit belongs to the customer's owner."""
    from salesctl.services.sales.visits import parse_kind

    if on_duplicate not in ("skip", "fail"):
        raise InvalidInput(t("import.err.on_duplicate_kind", value=on_duplicate, kind="visits"))
    progress = progress or Progress()
    session, clock = ctx.session, ctx.clock
    report = new_report(table, dry_run=dry_run, partial=partial, on_duplicate=on_duplicate)
    staff = StaffIndex(ctx)
    customers = CustomerIndex(session)
    check = WriteCheck(ctx, staff, "import.what.log_visits_for")
    label = table.label
    parsed: list[tuple[int, list, dict]] = []
    wanted_ids: set[int] = set()
    progress.phase(t("import.progress.checking"), len(table.rows))
    for number, values in table.rows:
        row = _row_values(table, values)
        name = cell_text(row.get("customer"))
        try:
            customer = customers.find(row.get("customer"), label("customer"))
            owner = check.owner(customer)
            missing = [label(k) for k in ("content", "result", "contact") if not cell_text(row.get(k))]
            if row.get("at") is None:
                missing.insert(0, label("at"))
            if missing:
                raise RowError("missing", t("import.reason.missing", fields=", ".join(missing)))
            try:
                kind = parse_kind(cell_text(row.get("kind")))
            except InvalidInput as exc:
                raise _field_error(exc, label("kind"), "kind") from None
            try:
                moment = cell_moment(row.get("at"), "at", clock)
            except InvalidInput as exc:
                raise _field_error(exc, label("at"), "date") from None
            if moment > clock.now:
                raise RowError("future", t("import.reason.future", column=label("at"), value=cell_text(row.get("at"))))
            follow = None
            if cell_text(row.get("follow_up")):
                try:
                    follow = cell_date(row.get("follow_up"), "follow_up", clock.today)
                except InvalidInput as exc:
                    raise _field_error(exc, label("follow_up"), "date") from None
                if follow < clock.local(moment).date():
                    raise RowError("date", t("import.reason.follow_before", column=label("follow_up"), follow=follow,
                                             day=clock.local(moment).date()))
        except RowError as exc:
            report.add(RowResult(number, "rejected", name, exc.reason, exc.code, values))
            continue
        item = {"customer": customer, "owner": owner, "kind": kind, "at": moment, "follow_up": follow,
                "contact": cell_text(row.get("contact")), "content": cell_text(row.get("content")),
                "result": cell_text(row.get("result")), "problems": cell_text(row.get("problems")),
                "next_step": cell_text(row.get("next_step"))}
        parsed.append((number, values, item))
        wanted_ids.add(customer[0])
    progress.advance(len(table.rows))
    existing_visits: set[tuple] = set()
    contacts: dict[tuple[int, str], int] = {}
    ids = sorted(wanted_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for cid, at, kind, content in session.execute(select(Visit.customer_id, Visit.at, Visit.kind, Visit.content)
                                                      .where(Visit.customer_id.in_(chunk))):
            existing_visits.add((cid, at, kind, (content or "").strip()))
        for cid, contact_id, name in session.execute(select(Contact.customer_id, Contact.id, Contact.name)
                                                     .where(Contact.customer_id.in_(chunk)).order_by(Contact.id)):
            contacts.setdefault((cid, (name or "").strip().lower()), contact_id)
    seen: dict[tuple, int] = {}
    accepted = []
    for number, values, item in parsed:
        key = (item["customer"][0], item["at"].astimezone(clock.now_utc.tzinfo), item["kind"], item["content"])
        if key in existing_visits:
            report.add(RowResult(number, "duplicate", item["customer"][1], t("import.reason.visit_exists"),
                                 "duplicate", values))
        elif key in seen:
            report.add(RowResult(number, "duplicate", item["customer"][1],
                                 t("import.reason.same_as_row", row=seen[key], on="customer, time, kind, content"),
                                 "duplicate_in_file", values))
        else:
            seen[key] = number
            accepted.append(item)
            report.add(RowResult(number, "imported", item["customer"][1]))
    report.decide()
    if not report.writes:
        return report
    now, actor_id = ctx.now, ctx.actor.id
    new_contacts: dict[tuple[int, str], dict] = {}
    for item in accepted:
        key = (item["customer"][0], item["contact"].lower())
        if key not in contacts and key not in new_contacts:
            new_contacts[key] = {"customer_id": key[0], "name": item["contact"], "title": None, "phone": None,
                                 "phone_norm": None, "email": None, "decision_maker": False, "is_primary": False,
                                 "note": None, "created_at": now, "updated_at": now}
    contact_rows = list(new_contacts.values())
    for new_id, (key, record) in zip(allocate_ids(session, Contact.__table__, len(contact_rows)), new_contacts.items()):
        record["id"] = new_id
        contacts[key] = new_id
    visits, latest = [], {}
    for item in accepted:
        cid = item["customer"][0]
        visits.append({"customer_id": cid, "contact_id": contacts[(cid, item["contact"].lower())],
                       "rep_id": item["owner"].id, "at": item["at"], "kind": item["kind"], "content": item["content"],
                       "result": item["result"], "problems": item["problems"], "next_step": item["next_step"],
                       "follow_up": item["follow_up"], "follow_up_done": False, "created_by_id": actor_id,
                       "created_at": now})
        if latest.get(cid) is None or item["at"] > latest[cid]:
            latest[cid] = item["at"]
    progress.phase(t("import.progress.writing"), len(contact_rows) + len(visits))
    bulk_insert(session, Contact.__table__, contact_rows, progress=progress)
    bulk_insert(session, Visit.__table__, visits, progress=progress)
    touched = [{"cid": cid, "last": at, "now": now} for cid, at in latest.items()
               if customers.by_id[cid][3] is None or at > customers.by_id[cid][3]]
    if touched:
        from sqlalchemy import bindparam

        table_c = Customer.__table__
        session.connection().execute(
            update(table_c).where(table_c.c.id == bindparam("cid"))
            .values(last_contact_at=bindparam("last"), updated_at=bindparam("now")), touched)
    report.created.update({"visit": len(visits), "contact": len(contact_rows), "customer_last_contact": len(touched)})
    report.written = True
    ctx.audit("import.visits", "visit", None, None, {**report.audit_summary(), "sha256": table.sheet.sha256})
    return report


# --------------------------------------------------------------------------- deals
DEAL_STATUS_WORDS = {
    "open": "open", "进行中": "open", "跟进中": "open", "跟进": "open", "未成交": "open",
    "won": "won", "赢单": "won", "成交": "won", "已成交": "won", "签约": "won", "已签约": "won", "closed won": "won",
    "lost": "lost", "输单": "lost", "丢单": "lost", "失败": "lost", "已丢单": "lost", "closed lost": "lost",
}


def import_deals(ctx, table: Table, *, on_duplicate: str = "skip", partial: bool = False, dry_run: bool = False,
                 progress: Progress | None = None) -> ImportReport:
    """`import deals`: rows checked as `deal add`/`won`/`lost` check them; the owner is the customer's owner."""
    from salesctl.money import parse_money
    from salesctl.services.sales.deals import OPEN_STAGES, parse_lost_reason, parse_stage

    if on_duplicate not in ("skip", "fail"):
        raise InvalidInput(t("import.err.on_duplicate_kind", value=on_duplicate, kind="deals"))
    progress = progress or Progress()
    session, today = ctx.session, ctx.today
    report = new_report(table, dry_run=dry_run, partial=partial, on_duplicate=on_duplicate)
    staff = StaffIndex(ctx)
    customers = CustomerIndex(session)
    check = WriteCheck(ctx, staff, "import.what.add_deals_for")
    label = table.label
    parsed = []
    progress.phase(t("import.progress.checking"), len(table.rows))
    for number, values in table.rows:
        row = _row_values(table, values)
        name = cell_text(row.get("title")) or cell_text(row.get("customer"))
        try:
            customer = customers.find(row.get("customer"), label("customer"))
            owner = check.owner(customer)
            missing = [label(k) for k in ("title", "amount") if not cell_text(row.get(k))]
            if missing:
                raise RowError("missing", t("import.reason.missing", fields=", ".join(missing)))
            raw_amount = row.get("amount")
            try:
                numeric = isinstance(raw_amount, (int, float)) and not isinstance(raw_amount, bool)
                amount = parse_money(Decimal(str(raw_amount)) if numeric else cell_text(raw_amount), "amount")
            except InvalidInput as exc:
                raise _field_error(exc, label("amount"), "amount") from None
            if amount <= 0:
                raise RowError("amount", t("import.reason.amount", column=label("amount"), value=cell_text(raw_amount)))
            status_text = (cell_text(row.get("status")) or "").strip()
            stage_text = cell_text(row.get("stage"))
            try:
                stage = parse_stage(stage_text, label("stage")) if stage_text else None
            except InvalidInput as exc:
                raise RowError("stage", exc.message) from None
            if status_text:
                status = DEAL_STATUS_WORDS.get(status_text.lower()) or DEAL_STATUS_WORDS.get(status_text)
                if status is None:
                    raise RowError("status", t("import.reason.deal_status", column=label("status"), value=status_text))
            else:
                status = "won" if stage in (4, 5) else "open"
            closed = None
            if cell_text(row.get("closed_on")):
                try:
                    closed = cell_date(row.get("closed_on"), "closed_on", today)
                except InvalidInput as exc:
                    raise _field_error(exc, label("closed_on"), "date") from None
            expected = None
            if cell_text(row.get("expected_close")):
                try:
                    expected = cell_date(row.get("expected_close"), "expected_close", today)
                except InvalidInput as exc:
                    raise _field_error(exc, label("expected_close"), "date") from None
            reason = None
            if status == "open":
                stage = stage or 1
                if stage not in OPEN_STAGES:
                    raise RowError("stage", t("import.reason.open_stage", column=label("stage"), stage=stage))
                expected = expected or closed
                closed = None
            elif status == "won":
                if stage not in (None, 4):
                    raise RowError("stage", t("import.reason.won_stage", column=label("stage"), stage=stage))
                stage = 4
                if closed is None:
                    raise RowError("missing", t("import.reason.missing", fields=label("closed_on")))
                if closed > today:
                    raise RowError("future", t("import.reason.future", column=label("closed_on"), value=closed))
            else:
                stage = stage or 1
                if stage not in OPEN_STAGES:
                    raise RowError("stage", t("import.reason.open_stage", column=label("stage"), stage=stage))
                try:
                    reason = parse_lost_reason(cell_text(row.get("lost_reason")))
                except InvalidInput as exc:
                    raise _field_error(exc, label("lost_reason"), "missing") from None
                closed = closed or today
                if closed > today:
                    raise RowError("future", t("import.reason.future", column=label("closed_on"), value=closed))
        except RowError as exc:
            report.add(RowResult(number, "rejected", name, exc.reason, exc.code, values))
            continue
        parsed.append((number, values, {"customer": customer, "owner": owner, "title": cell_text(row.get("title")),
                                         "product": cell_text(row.get("product")), "amount": amount, "stage": stage,
                                         "status": status, "expected": expected, "closed": closed, "reason": reason}))
    progress.advance(len(table.rows))
    existing: set[tuple[int, str]] = set()
    ids = sorted({item["customer"][0] for _n, _v, item in parsed})
    for start in range(0, len(ids), 500):
        for cid, title in session.execute(select(Deal.customer_id, Deal.title).where(Deal.customer_id.in_(ids[start:start + 500]))):
            existing.add((cid, title.strip().lower()))
    seen: dict[tuple[int, str], int] = {}
    accepted = []
    for number, values, item in parsed:
        key = (item["customer"][0], item["title"].lower())
        if key in existing:
            report.add(RowResult(number, "duplicate", item["title"], t("import.reason.deal_exists",
                                                                        customer=item["customer"][1]), "duplicate", values))
        elif key in seen:
            report.add(RowResult(number, "duplicate", item["title"],
                                 t("import.reason.same_as_row", row=seen[key], on="customer, title"),
                                 "duplicate_in_file", values))
        else:
            seen[key] = number
            accepted.append(item)
            report.add(RowResult(number, "imported", item["title"]))
    report.decide()
    if not report.writes:
        return report
    now, actor_id = ctx.now, ctx.actor.id
    deal_ids = allocate_ids(session, Deal.__table__, len(accepted))
    deals, moves = [], []
    source = table.sheet.path.name
    for new_id, item in zip(deal_ids, accepted):
        deals.append({"id": new_id, "customer_id": item["customer"][0], "owner_id": item["owner"].id,
                      "title": item["title"], "product": item["product"], "amount": item["amount"],
                      "stage": item["stage"], "status": item["status"], "expected_close": item["expected"],
                      "won_on": item["closed"] if item["status"] == "won" else None,
                      "lost_on": item["closed"] if item["status"] == "lost" else None,
                      "lost_reason": item["reason"], "created_by_id": actor_id, "created_at": now, "updated_at": now})
        note = t("import.note.deal", source=source)
        if item["status"] == "won":
            note += f"; won: contract {item['closed'].isoformat()}"
        elif item["status"] == "lost":
            note += f"; lost: {item['reason']}"
        moves.append({"deal_id": new_id, "from_stage": None, "to_stage": item["stage"], "by_id": actor_id, "at": now,
                      "note": note})
    progress.phase(t("import.progress.writing"), len(deals) + len(moves))
    bulk_insert(session, Deal.__table__, deals, progress=progress)
    bulk_insert(session, DealStageChange.__table__, moves, progress=progress)
    report.created.update({"deal": len(deals), "deal_stage_change": len(moves)})
    report.written = True
    ctx.audit("import.deals", "deal", None, None, {**report.audit_summary(), "sha256": table.sheet.sha256})
    return report


# --------------------------------------------------------------------------- staff
def handle_from_name(name: str) -> str | None:
    """anna.snelling from 'Anna Snelling' (ASCII names only; Chinese names need a handle column)."""
    folded = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().strip().lower()
    if not folded or not name.isascii():
        return None
    slug = re.sub(r"[^a-z0-9\-]+", ".", folded).strip(".")
    return re.sub(r"\.{2,}", ".", slug) or None


def import_staff(ctx, table: Table, *, under: str | None = None, on_duplicate: str = "skip", partial: bool = False,
                 dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """`import staff`: each row through `staff add` (same checks), managers before their reports.

    A row's manager may be someone in the org chart or a row of the same file; rows
    without a manager go under `--under` (default: the acting user). Runs in a
    savepoint per row, so one bad row does not spoil the others; all or nothing still
    applies to the whole file unless --partial.
    """
    from salesctl.services.org.staff import add_staff

    if on_duplicate not in ("skip", "fail"):
        raise InvalidInput(t("import.err.on_duplicate_kind", value=on_duplicate, kind="staff"))
    session = ctx.session
    report = new_report(table, dry_run=dry_run, partial=partial, on_duplicate=on_duplicate)
    index = StaffIndex(ctx)
    boss = index.flag(under, "--under") if under else ctx.actor
    label = table.label
    pending = []
    handles_in_file: dict[str, int] = {}
    for number, values in table.rows:
        row = _row_values(table, values)
        name = cell_text(row.get("name"))
        handle = cell_text(row.get("handle")) or handle_from_name(name or "")
        if not name:
            report.add(RowResult(number, "rejected", handle, t("import.reason.missing", fields=label("name")), "missing", values))
            continue
        if not handle:
            report.add(RowResult(number, "rejected", name, t("import.reason.handle_required", column=label("handle")),
                                 "missing", values))
            continue
        if handle in index.by_handle:
            report.add(RowResult(number, "duplicate", handle, t("import.reason.staff_exists", handle=handle),
                                 "duplicate", values))
            continue
        if handle in handles_in_file:
            report.add(RowResult(number, "duplicate", handle,
                                 t("import.reason.same_as_row", row=handles_in_file[handle], on="handle"),
                                 "duplicate_in_file", values))
            continue
        handles_in_file[handle] = number
        pending.append((number, values, handle, name, row))
    # the file's people by name too, so a manager column may hold a name
    file_names = {name.lower(): handle for _n, _v, handle, name, _r in pending}
    savepoint = session.begin_nested()
    done: set[str] = set()
    progress_made = True
    waiting = pending
    while waiting and progress_made:
        progress_made = False
        later = []
        for number, values, handle, name, row in waiting:
            manager_ref = cell_text(row.get("manager"))
            role = cell_text(row.get("role")) or "rep"
            manager_handle = None
            if manager_ref:
                ref = file_names.get(manager_ref.lower(), manager_ref)
                if ref in handles_in_file and ref not in done:
                    later.append((number, values, handle, name, row))
                    continue
                manager_handle = ref
            elif role.strip().lower() not in ("gm", "总经理"):
                manager_handle = boss.handle
            nested = session.begin_nested()
            try:
                add_staff(ctx, handle, name=name, role=role, manager=manager_handle,
                          region=cell_text(row.get("region")), industry=cell_text(row.get("industry")),
                          email=cell_text(row.get("email")), phone=cell_text(row.get("phone")))
            except (InvalidInput, NotFound, Conflict, PermissionDenied) as exc:
                nested.rollback()
                code = {"role": "role", "manager": "manager"}.get(exc.message.split(":")[0].strip("- "), "staff")
                report.add(RowResult(number, "rejected", handle, exc.message, code, values))
            else:
                nested.commit()
                report.add(RowResult(number, "imported", handle))
                done.add(handle)
            progress_made = True
        waiting = later
    for number, values, handle, _name, row in waiting:
        report.add(RowResult(number, "rejected", handle,
                             t("import.reason.manager_cycle", column=label("manager"), value=cell_text(row.get("manager"))),
                             "manager", values))
    report.problems.sort(key=lambda r: r.row)
    report.decide()
    if not report.writes:
        savepoint.rollback()
        return report
    savepoint.commit()
    report.created["staff"] = len(done)
    report.written = True
    ctx.audit("import.staff", "staff", None, None, {**report.audit_summary(), "sha256": table.sheet.sha256})
    return report


# --------------------------------------------------------------------------- the errors file
def problem_rows(report: ImportReport) -> tuple[list[str], list[list]]:
    """--errors-file: every row not imported as is (rejected, duplicate, claimed, incomplete), with its reason
    and the values as read, so the file can be fixed and imported again."""
    headers = ["row", "status", "reason"] + [h or _letter(i) for i, h in enumerate(report.headers)]
    rows = []
    for p in report.problems:
        values = [cell_text(v) if not isinstance(v, str) else v for v in (p.values or [])]
        rows.append([p.row, p.status, p.reason] + values)
    return headers, rows


def problem_csv(report: ImportReport) -> bytes:
    headers, rows = problem_rows(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 CSV right only with the BOM


# --------------------------------------------------------------------------- CRM exports (folders of CSV files)
def read_records(path: Path, required: tuple[str, ...]) -> tuple[Sheet, list[tuple[int, dict]]]:
    """A CRM export file with its own field names: (sheet, [(row number, {field: text})]); the header is row 1."""
    sheet = read_sheet(path)
    if not sheet.rows:
        return sheet, []
    _number, headers = sheet.rows[0]
    names = [_header_text(h) for h in headers]
    missing = [name for name in required if name not in names]
    if missing:
        raise InvalidInput(t("import.err.crm_columns", file=path.name, missing=", ".join(missing),
                             found=", ".join(n for n in names if n)[:300]))
    records = []
    for number, values in sheet.rows[1:]:
        record = {}
        for i, name in enumerate(names):
            value = values[i] if i < len(values) else None
            record[name] = (value.strip() or None) if isinstance(value, str) else cell_text(value)
        records.append((number, record))
    return sheet, records


def find_file(folder: Path, *names: str) -> Path | None:
    """The first of `names` present in the folder, ignoring case."""
    present = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    for name in names:
        hit = present.get(name.lower())
        if hit is not None:
            return hit
    return None


def check_folder(folder: str | Path, flag: str = "DIR") -> Path:
    target = Path(folder).expanduser()
    if not target.is_dir():
        raise InvalidInput(t("import.err.not_folder", flag=flag, path=target))
    return target.resolve()
