"""The parsers every command shares for ids, text files and text lengths (money is in money.py, times in periods.py).

Each refuses bad input with InvalidInput naming the field, so the same value is
refused the same way on SQLite and PostgreSQL, in a command, an import or a file.
"""

from __future__ import annotations

from pathlib import Path

from salesctl.errors import InvalidInput
from salesctl.messages import t

ID_MAX = 2_147_483_647  # the id columns are INTEGER: PostgreSQL's 32-bit range, used on SQLite too
DAYS_MAX = 36_500  # a count of days an option may take (a century)
TEXT_MAX = 20_000  # the longest free text (notes, report sections) stored, on every database
NAME_MAX = 200  # names, titles, handles and other one-line fields


def is_id_text(value: str) -> bool:
    """Looks like an id (ASCII digits only: "²" and "١٢" are not ids)."""
    return value.isascii() and value.isdigit()


def is_id(value: str) -> bool:
    """An id within the columns' range (a longer run of digits is a name or a typo, never a row)."""
    return is_id_text(value) and 1 <= int(value) <= ID_MAX


def parse_id(value, field: str) -> int:
    """A record id: ASCII digits within the id columns' range (1..ID_MAX)."""
    text = str(value).strip()
    if not is_id_text(text) or not 1 <= int(text) <= ID_MAX:
        raise InvalidInput(t("err.bad_id", field=field, value=text, max=ID_MAX))
    return int(text)


def read_text_file(path: str | Path, field: str) -> str:
    """A text file the user names: UTF-8 (a BOM is fine); anything else exit 2 naming the file and the encoding."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise InvalidInput(t("err.not_utf8", field=field, path=path, offset=exc.start)) from None
    except OSError as exc:
        raise InvalidInput(t("err.file_unreadable", field=field, path=path, error=exc.strerror or exc)) from None
    except ValueError as exc:  # "embedded null byte" in the path
        raise InvalidInput(t("err.file_unreadable", field=field, path=path, error=exc)) from None
    return text


def read_bytes_file(path: str | Path, field: str) -> bytes:
    """A binary file the user names (a plan, a workbook): missing, too long a name, a folder → exit 2."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(t("err.file_unreadable", field=field, path=path, error=exc.strerror or exc)) from None
    except ValueError as exc:
        raise InvalidInput(t("err.file_unreadable", field=field, path=path, error=exc)) from None


def decode_utf8(data: bytes, field: str, path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(t("err.not_utf8", field=field, path=path, offset=exc.start)) from None


def check_text(value: str | None, field: str, limit: int = TEXT_MAX) -> str | None:
    """Free text as stored: at most `limit` characters and no NUL (PostgreSQL refuses NUL; SQLite would keep it)."""
    if value is None:
        return None
    if "\x00" in value:
        raise InvalidInput(t("err.text_nul", field=field))
    if len(value) > limit:
        raise InvalidInput(t("err.text_too_long", field=field, n=len(value), max=limit))
    return value
