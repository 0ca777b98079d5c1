"""Turns results (rows of plain values, or one object) into table/json/csv/markdown.

Services return data; this module alone decides how it looks. JSON is one
document (lists are arrays of flat objects, streamed row by row), money a
two-decimal string, dates ISO, datetimes ISO 8601 with the local offset. CSV has
a header row. Tables use Rich on a terminal and plain aligned text when piped.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable, Sequence

from salesctl.messages import label as enum_label
from salesctl.messages import render_stored, t

STORED_MARK = '{"msg":'  # a generated text kept as its key and parameters (messages.stored_text)
_STORED_IN_JSON = b'"{\\"msg\\":'  # the same, as orjson writes it inside a row

FORMATS = ("table", "json", "csv", "markdown")


@dataclass(frozen=True)
class Column:
    key: str
    label: str | None = None  # message key; default col.<key>
    kind: str = "text"  # text | money | date | datetime | bool | int | rate | percent | enum:<kind>
    justify: str | None = None
    keep: bool = False  # kept whole on a narrow terminal (others are hidden, rightmost first)

    def heading(self) -> str:
        return t(self.label or f"col.{self.key}")


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def interactive() -> bool:
    """A person is at a terminal: prompts allowed (never in CI or with SALESCTL_NO_INPUT)."""
    import os

    if os.environ.get("SALESCTL_NO_INPUT") or os.environ.get("CI"):
        return False
    return stdin_is_terminal() and stdout_is_terminal()


# --------------------------------------------------------------------------- terminal safety
# Control characters (C0 but newline/tab, DEL, C1) and bidirectional overrides in stored
# text are printed as visible \uXXXX escapes, so a name like "\x1b[2J" or an OSC title
# sequence cannot clear or retitle the reader's terminal. The escape is also a valid
# JSON escape of the same character, so JSON documents keep their data.
# compiled on first use (re caches them), not at import
_UNSAFE = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
_UNSAFE_LINE = "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"


def _escape_char(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


def safe_text(text: str) -> str:
    """Text for a terminal: control and bidi characters made visible; newlines and tabs kept."""
    return re.sub(_UNSAFE, _escape_char, text)


def safe_line(text: str) -> str:
    """One line for a terminal (error and info messages): newlines escaped too."""
    return re.sub(_UNSAFE_LINE, _escape_char, text)


# --------------------------------------------------------------------------- values
def _local(moment: datetime) -> datetime:
    from salesctl.periods import local_tz

    return moment.astimezone(local_tz()) if moment.tzinfo else moment


def json_value(value: Any) -> Any:
    if isinstance(value, str):
        return render_stored(value) if value.startswith(STORED_MARK) else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return _local(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


def row_stream_encoder() -> Callable[[Any], bytes]:
    """One row → one line of JSON (UTF-8 bytes), fast: a list prints up to millions of rows.

    orjson encodes the row with no per-row Python loop: datetimes, dates and Decimals are
    handed to `default`, which gives the same strings as `json_value` (datetimes in the
    company's time zone, looked up once per list rather than per value; money as its
    string). Whole documents keep the standard library's `json` (indented, one object).
    """
    import orjson

    from salesctl.periods import local_tz

    tz = local_tz()

    def default(value):
        if isinstance(value, datetime):
            return (value.astimezone(tz) if value.tzinfo else value).isoformat(timespec="seconds")
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(f"cannot encode {type(value).__name__} as JSON")

    dumps = orjson.dumps
    options = orjson.OPT_PASSTHROUGH_DATETIME

    def encode(row) -> bytes:
        data = dumps(row, default=default, option=options)
        if _STORED_IN_JSON in data:  # rare (a stored generated text): shown in the reader's language
            data = dumps({k: render_stored(v) for k, v in row.items()} if isinstance(row, dict) else row,
                         default=default, option=options)
        return data

    return encode


# The UTF-8 bytes of what `safe_text` escapes and orjson leaves raw (it escapes C0 itself):
# DEL, C1 controls and the bidirectional marks and overrides.
_UNSAFE_LEADS = (b"\x7f", b"\xc2", b"\xd8", b"\xe2")  # every match's first byte (one memchr each)
_UNSAFE_UTF8 = rb"\x7f|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]"


def _escape_utf8(m: re.Match) -> bytes:
    return f"\\u{ord(m.group().decode()):04x}".encode()


def _json_stream(rows: Iterable[Any], batch: int = 256, encode: Callable[[Any], bytes] | None = None) -> int:
    """`[`, one row per line, `]`: written in batches of bytes, never the whole list in memory."""
    encode = encode or row_stream_encoder()
    out = sys.stdout
    out.flush()
    raw = getattr(out, "buffer", None)
    write = raw.write if raw is not None else (lambda data: out.write(data.decode()))

    def put(data: bytes) -> None:  # terminal-safe, as every other output (a valid JSON escape of the same text)
        if any(lead in data for lead in _UNSAFE_LEADS):  # a byte search is far cheaper than the pattern
            data = re.sub(_UNSAFE_UTF8, _escape_utf8, data)
        write(data)
    count = 0
    chunk: list[bytes] = []
    for row in rows:
        chunk.append(encode(row))
        count += 1
        if len(chunk) >= batch:
            put(b"[\n" + b",\n".join(chunk) if count == len(chunk) else b",\n" + b",\n".join(chunk))
            chunk.clear()
    if chunk:
        put(b"[\n" + b",\n".join(chunk) if count == len(chunk) else b",\n" + b",\n".join(chunk))
    put(b"\n]\n" if count else b"[]\n")
    if raw is not None:
        raw.flush()
    return count


def _record_converter(keys: Sequence[str], kinds: dict[str, str], csv: bool) -> Callable[[Any], list]:
    """One stored record (a tuple in `keys` order) → its list of output values, for emit_records.

    kinds: "utc" a stored UTC timestamp (periods.local_iso_converter: the offset looked up once
    per UTC hour), "date" an ISO date (text or a date), "bool" a flag (0/1 or a bool); any
    other key is printed as it is. For CSV, None is an empty cell and flags are true/false.
    """
    from salesctl.periods import local_iso_converter

    stamp = local_iso_converter()
    stamps = [i for i, k in enumerate(keys) if kinds.get(k) == "utc"]
    dates = [i for i, k in enumerate(keys) if kinds.get(k) == "date"]
    flags = [i for i, k in enumerate(keys) if kinds.get(k) == "bool"]
    yes, no = ("true", "false") if csv else (True, False)

    def convert(record) -> list:
        row = list(record)
        for i in stamps:
            row[i] = stamp(row[i])
        for i in dates:
            value = row[i]
            if value is not None and value.__class__ is not str:
                row[i] = value.isoformat()
        for i in flags:
            value = row[i]
            if value is not None:
                row[i] = yes if value else no
        if csv:
            return ["" if v is None else v for v in row]
        return row

    return convert


def emit_records(keys: Sequence[str], records: Iterable[Any], fmt: str, kinds: dict[str, str]) -> int:
    """JSON or CSV of stored records (tuples in `keys` order), streamed: the same document as
    emit_rows gives for the same rows as dicts, at a fraction of the cost per row (a list of a
    million customers). `kinds` names the keys that need converting (see _record_converter)."""
    if fmt == "csv":
        from salesctl.spreadsheet import write_csv

        convert = _record_converter(keys, kinds, csv=True)
        return write_csv(sys.stdout, list(keys), map(convert, records), convert=csv_value)
    if fmt != "json":
        raise ValueError(f"emit_records writes json or csv, not {fmt}")
    import orjson

    convert = _record_converter(keys, kinds, csv=False)
    dumps = orjson.dumps
    names = tuple(keys)

    def encode(record) -> bytes:
        row = dict(zip(names, convert(record)))
        data = dumps(row)
        if _STORED_IN_JSON in data:  # rare (a stored generated text): shown in the reader's language
            data = dumps({k: render_stored(v) if v.__class__ is str else v for k, v in row.items()})
        return data

    return _json_stream(records, encode=encode)


def emit_json_lines(lines: Iterable[bytes]) -> int:
    """The JSON list of rows already encoded one per line (sqljson), streamed as emit_records streams its own."""
    import orjson

    def encode(data: bytes) -> bytes:
        if _STORED_IN_JSON in data:  # rare (a stored generated text): shown in the reader's language
            row = orjson.loads(data)
            data = orjson.dumps({k: render_stored(v) if v.__class__ is str else v for k, v in row.items()})
        return data

    return _json_stream(lines, encode=encode)


def csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(json_value(value), ensure_ascii=False)
    return json_value(value)


def cell(value: Any, kind: str = "text") -> str:
    """Human form of one value for a table."""
    if value is None:
        return ""
    if kind == "money":
        from salesctl.money import display

        return display(Decimal(value))
    if kind == "percent":  # a decimal ratio shown as a percentage (JSON keeps the ratio)
        return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.1'))}%"
    if kind.startswith("enum:"):
        return enum_label(kind[5:], value)
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return safe_text(", ".join(str(v) for v in value))
    if isinstance(value, str) and value.startswith(STORED_MARK):
        value = render_stored(value)
    return safe_text(str(value))


# --------------------------------------------------------------------------- output
def write(text: str) -> None:
    """Everything salesctl prints on stdout goes through here (JSON and text alike), made terminal-safe."""
    sys.stdout.write(safe_text(text))


def emit_rows(
    rows: Iterable[dict],
    columns: Sequence[Column],
    fmt: str = "table",
    *,
    title: str | None = None,
    totals: dict | None = None,
    empty_message: str | None = None,
) -> int:
    """Print rows; JSON and CSV stream (rows may be a generator). Returns the row count."""
    if fmt == "json":
        return _json_stream(rows)
    if fmt == "csv":  # the one CSV writer (formula injection neutralised)
        from salesctl.spreadsheet import write_csv

        keys = [c.key for c in columns]
        return write_csv(sys.stdout, keys, ([row.get(k) for k in keys] for row in rows), convert=csv_value)
    materialised = list(rows)
    body = [[cell(r.get(c.key), c.kind) for c in columns] for r in materialised]
    foot = [cell(totals.get(c.key), c.kind) for c in columns] if totals else None
    if fmt == "table":
        columns, body, foot = fit_columns(list(columns), body, foot, terminal_width(), rich=stdout_is_terminal())
    if fmt == "markdown":
        write(markdown_table(columns, body, foot, title))
    elif stdout_is_terminal():
        rich_table(columns, body, foot, title, empty_message)
    else:
        write(plain_table(columns, body, foot, title, empty_message))
    return len(materialised)


def terminal_width() -> int | None:
    """The width to fit a table into: the terminal's (or $COLUMNS when set); None when piped without COLUMNS."""
    import os
    import shutil

    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if stdout_is_terminal():
        return shutil.get_terminal_size().columns
    return None


def fit_columns(columns: list, body: list, foot, width: int | None, *, rich: bool = True):
    """Drop the least useful columns (not `keep`, rightmost first) until the table fits `width`;
    kept columns stay whole. Says on stderr which were hidden and how to see them."""
    from wcwidth import wcswidth

    if width is None or not columns:
        return columns, body, foot
    rows = body + ([foot] if foot else [])

    def col_width(i: int) -> int:  # tabulate pads a heading by 2
        head = max(wcswidth(columns[i].heading()), 1) + (0 if rich else 2)
        return max([head] + [max(wcswidth(r[i]), 0) for r in rows])

    kept = [c.keep for c in columns]
    if not any(kept):  # a table opts in by marking the columns it keeps
        return columns, body, foot
    widths = [col_width(i) for i in range(len(columns))]
    shown = list(range(len(columns)))

    def total() -> int:  # Rich: a border and one space each side of every cell; plain: two spaces between
        gaps = 3 * len(shown) + 1 if rich else 2 * (len(shown) - 1)
        return sum(widths[i] for i in shown) + gaps

    for i in reversed(range(len(columns))):
        if total() <= width:
            break
        if not kept[i]:
            shown.remove(i)
    essential = [i for i in range(len(columns)) if kept[i]][:2]  # the first kept ones (id, name) always stay
    for i in reversed(range(len(columns))):
        if total() <= width:
            break
        if i in shown and i not in essential:
            shown.remove(i)
    if len(shown) == len(columns):
        return columns, body, foot
    hidden = [columns[i].heading() for i in range(len(columns)) if i not in shown]
    info(t("render.hidden_columns", columns=", ".join(hidden)))
    pick = lambda row: [row[i] for i in shown]  # noqa: E731
    return [columns[i] for i in shown], [pick(r) for r in body], pick(foot) if foot else None


def markdown_table(columns, body, foot=None, title=None) -> str:
    from tabulate import tabulate

    rows = list(body) + ([foot] if foot else [])
    text = tabulate(rows, headers=[c.heading() for c in columns], tablefmt="github", disable_numparse=True)
    return (f"## {title}\n\n" if title else "") + text + "\n"


def plain_table(columns, body, foot=None, title=None, empty_message=None) -> str:
    from tabulate import tabulate

    if not body and not foot:
        return (f"{title}\n" if title else "") + (empty_message or t("no_rows")) + "\n"
    rows = list(body) + ([foot] if foot else [])
    text = tabulate(rows, headers=[c.heading() for c in columns], tablefmt="simple", disable_numparse=True)
    return (f"{title}\n" if title else "") + text + "\n"


def rich_table(columns, body, foot=None, title=None, empty_message=None) -> None:
    from rich.table import Table

    out = console()
    if not body and not foot:
        if title:
            out.print(f"[bold]{escape(safe_line(title))}[/bold]")
        out.print(empty_message or t("no_rows"), markup=False)
        return
    table = Table(title=title, show_footer=bool(foot), header_style="bold")
    for i, c in enumerate(columns):
        justify = c.justify or ("right" if c.kind in ("money", "int", "rate", "percent") else "left")
        # names, phone numbers and dates are never broken inside themselves
        whole = c.keep or c.kind in ("date", "datetime", "int", "money") or c.key in ("phone", "name", "customer")
        table.add_column(c.heading(), justify=justify, footer=(foot[i] if foot else ""), no_wrap=whole)
    for row in body:
        table.add_row(*(rich_text(value) for value in row))  # data is never Rich markup
    out.print(table)


def emit_object(obj: dict, fmt: str, table: Callable[[dict], None] | None = None, columns: Sequence[Column] | None = None) -> None:
    """Print one object: JSON document, a one-row CSV, or a key/value table."""
    if fmt == "json":
        write(json.dumps(json_value(obj), ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        flat = {k: v for k, v in obj.items() if not isinstance(v, (list, dict))}
        keys = [c.key for c in columns] if columns else list(flat)
        from salesctl.spreadsheet import write_csv

        write_csv(sys.stdout, keys, [[flat.get(k) for k in keys]], convert=csv_value)
        return
    if table is not None:
        table(obj)
        return
    cols = columns or [Column(k) for k in obj if not isinstance(obj[k], (list, dict))]
    pairs = [[c.heading(), cell(obj.get(c.key), c.kind)] for c in cols]
    kv = [Column("key"), Column("value")]
    if fmt == "markdown":
        write(markdown_table(kv, pairs))
    elif stdout_is_terminal():
        rich_table(kv, pairs)
    else:
        write(plain_table(kv, pairs))


def emit_id(record_id: int, obj: dict | None, fmt: str, message: str) -> None:
    """What an add/new command prints: the message on stderr, the id on stdout (or the record as JSON)."""
    if fmt == "json" and obj is not None:
        write(json.dumps(json_value(obj), ensure_ascii=False, indent=2) + "\n")
    else:
        write(f"{record_id}\n")
    info(message)


# --------------------------------------------------------------------------- Rich consoles
_SafeConsole = None


def console(*, stderr: bool = False, **options):
    """The one way to get a Rich console: strings it renders are made terminal-safe first.

    Data shown through a hand-built Rich table, tree or chart goes through `safe_text` here
    (a str cell or title) or through `rich_text` (a Text object), as the table helpers do,
    so an escape sequence stored in a name or a report never reaches the terminal.
    """
    global _SafeConsole
    if _SafeConsole is None:  # made once, on first use (Rich is not imported at start-up)
        from rich.console import Console

        class SafeConsole(Console):
            def render_str(self, text: str, **kwargs):
                return super().render_str(safe_text(text), **kwargs)

        _SafeConsole = SafeConsole
    return _SafeConsole(stderr=stderr, **options)


def rich_text(value: str, **style):
    """A Rich Text of data (never markup), terminal-safe."""
    from rich.text import Text

    return Text(safe_text(value or ""), **style)


def _stderr_console():
    return console(stderr=True, highlight=False)


def info(message: str) -> None:
    message = safe_line(message)
    if sys.stderr.isatty():
        _stderr_console().print(message, markup=False)
    else:
        print(message, file=sys.stderr)


def warn(message: str) -> None:
    message = safe_line(message)
    if sys.stderr.isatty():
        _stderr_console().print(f"[yellow]warning:[/yellow] {escape(message)}")
    else:
        print(f"warning: {message}", file=sys.stderr)


def error(message: str) -> None:
    message = safe_line(message)
    if sys.stderr.isatty():
        _stderr_console().print(f"[red]error:[/red] {escape(message)}")
    else:
        print(f"error: {message}", file=sys.stderr)


def escape(text: str) -> str:
    from rich.markup import escape as _escape

    return _escape(text)
