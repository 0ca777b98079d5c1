"""Column names: the fields each import knows, the header row found, columns mapped to fields (--map)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from itertools import islice
from typing import Any, Iterable, Iterator


from salesctl.errors import InvalidInput
from salesctl.messages import t
from salesctl.services.io.sheets import Sheet, cell_text, read_sheet

KINDS = ("customers", "visits", "deals", "staff")
HEADER_SCAN_ROWS = 20


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
        "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "credit code",
                        "unified social credit code", "uscc"),
        "not_duplicate": ("不是重复", "非重复", "确认不重复", "不重复", "not duplicate", "not a duplicate"),
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
ERRORS_FILE_COLUMNS = ("row", "status", "reason")  # what --errors-file puts before the file's own columns


# traditional characters of the column names above (files from Taiwan and Hong Kong): matched as simplified
_TRADITIONAL = str.maketrans("戶稱聯絡職務機狀態電話區業級網郵負責預計購買時間單員銷屬類別號碼繫係內結題應對象產價額階段勢備註細詳廠牌類",
                             "户称联络职务机状态电话区业级网邮负责预计购买时间单员销属类别号码系系内结题应对象产价额阶段势备注细详厂牌类")


def _norm_header(value: Any) -> str:
    text_value = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().translate(_TRADITIONAL)
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
class Table:
    """A sheet with its header located and its columns mapped to fields.

    `stream()` yields the data rows after the header as the file is read (the customer
    import holds one batch at a time); `rows` is all of them, read once on first use."""

    sheet: Sheet
    kind: str
    header_row: int
    headers: list[str]
    columns: dict[str, int]  # field → column index
    ignored: list[str]  # headers of columns not imported
    skip: int  # rows of the sheet up to and including the header
    overridden: set[str] = field(default_factory=set)  # fields set by --map
    _rows: list | None = field(default=None, repr=False)

    def stream(self) -> Iterator[tuple[int, list]]:
        if self._rows is not None:
            return iter(self._rows)
        return islice(self.sheet.stream(), self.skip, None)

    @property
    def rows(self) -> list[tuple[int, list]]:
        if self._rows is None:
            self._rows = list(self.stream())
        return self._rows

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
    if [str(h).strip().lower() for h in headers[:3]] == list(ERRORS_FILE_COLUMNS):
        dropped.update(range(3))  # an errors file imported again: its own row, status and reason columns
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
    head = list(islice(sheet.stream(), HEADER_SCAN_ROWS))
    if not head:
        raise InvalidInput(t("import.err.empty", file=sheet.path))
    chosen = single = None
    for position, (_number, values) in enumerate(head):
        headers = [_header_text(v) for v in values]
        columns, _ignored, _o = guess_columns(headers, kind, overrides, strict=False)
        if len(columns) >= 2:
            chosen = position
            break
        if columns and single is None:
            single = position  # a one-column file has a one-column header
    if chosen is None:
        chosen = single or 0
    number, values = head[chosen]
    headers = [_header_text(v) for v in values]
    columns, ignored, overridden = guess_columns(headers, kind, overrides)
    missing = [key for key in REQUIRED_COLUMNS[kind] if key not in columns]
    if missing:
        raise InvalidInput(t("import.err.no_column", file=sheet.path, fields=", ".join(missing), row=number,
                             columns=", ".join(h for h in headers if h) or "-", example=f"{headers[0] or 'A'}={missing[0]}"))
    return Table(sheet=sheet, kind=kind, header_row=number, headers=headers, columns=columns,
                 ignored=[headers[i] or _letter(i) for i in ignored], skip=chosen + 1, overridden=overridden)


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
               sheet: str | None = None, data: bytes | None = None, delimiter: str | None = None) -> Table:
    if kind not in KINDS:
        raise InvalidInput(t("import.err.bad_kind", kind=kind, accepted=", ".join(KINDS)))
    parsed = parse_overrides(overrides, kind)
    return locate(read_sheet(path, encoding=encoding, sheet=sheet, data=data, delimiter=delimiter), kind, parsed)


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
