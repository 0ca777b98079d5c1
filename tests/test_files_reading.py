"""Imports read what offices send: encodings told by charset-normalizer (UTF-8 with or without BOM, UTF-16,
GBK/GB18030, Big5), delimiters found from the header row (not a title line above it), messages naming the file."""

from __future__ import annotations

import pytest

from conftest import query

HEADER = ["客户名称", "联系人", "职务", "手机", "状态"]
ROWS = [["台北贸易有限公司", "陈大文", "采购经理", "13812345678", "跟进中"],
        ["高雄精密机械", "林小明", "总经理", "13912345678", "跟进中"]]
BIG5_HEADER = ["客戶名稱", "聯絡人", "職務", "手機", "狀態"]
BIG5_ROWS = [["台北貿易股份有限公司", "陳大文", "採購經理", "13812345678", "following"],
             ["高雄精密機械", "林小明", "總經理", "13912345678", "following"]]


def lines(header, rows, sep=","):
    return "\r\n".join(sep.join(r) for r in [header, *rows]) + "\r\n"


def names(db_url):
    return [n for (n,) in query(db_url, "select name from customer order by id")]


def test_a_big5_file_imports_correctly(org, cli, db_url, tmp_path):
    path = tmp_path / "台湾客户.csv"
    path.write_bytes(lines(BIG5_HEADER, BIG5_ROWS).encode("big5"))
    result = cli("import", "customers", str(path), "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    assert result.json()["encoding"] == "big5"
    assert names(db_url) == ["台北貿易股份有限公司", "高雄精密機械"]
    assert query(db_url, "select name, title from contact order by id")[0] == ("陳大文", "採購經理")


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b""), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                           ("gb18030", b""), ("utf-8", b"\xef\xbb\xbf")])
def test_utf16_gbk_and_utf8_files_import_correctly(org, cli, db_url, tmp_path, encoding, bom):
    path = tmp_path / "list.txt"
    path.write_bytes(bom + lines(HEADER, ROWS, "\t").encode(encoding))
    result = cli("import", "customers", str(path), as_="rep_a1")
    assert result.exit_code == 0, result
    assert names(db_url) == [r[0] for r in ROWS]


@pytest.mark.parametrize("sep", ["\t", ";", "|", ","])
def test_a_title_line_does_not_decide_the_delimiter(org, cli, db_url, tmp_path, sep):
    path = tmp_path / "list.csv"
    path.write_text("2026年11月客户名单（华东）\r\n" + lines(HEADER, ROWS, sep), encoding="utf-8")
    result = cli("import", "customers", str(path), "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert doc["header_row"] == 2 and set(doc["mapping"]) == set(HEADER)
    assert names(db_url) == [r[0] for r in ROWS]
    assert query(db_url, "select phone from contact order by id") == [("13812345678",), ("13912345678",)]


def test_delimiter_and_encoding_flags_override_detection(org, cli, db_url, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(lines(BIG5_HEADER, BIG5_ROWS, ";").encode("big5"))
    bad = cli("import", "customers", str(path), "--delimiter", "x", as_="rep_a1")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --delimiter: 'x'") and "tab" in bad.stderr
    result = cli("import", "customers", str(path), "--delimiter", "semicolon", "--encoding", "big5", as_="rep_a1")
    assert result.exit_code == 0, result
    assert names(db_url) == ["台北貿易股份有限公司", "高雄精密機械"]


def test_an_undetectable_encoding_exits_2_naming_the_file(org, cli, db_url, tmp_path):
    path = tmp_path / "乱码.csv"
    path.write_bytes("客户名称,联系人\r\n".encode() + bytes(range(128, 256)) * 3)
    result = cli("import", "customers", str(path), as_="rep_a1")
    assert result.exit_code == 2
    assert str(path) in result.stderr and "GBK/GB18030, Big5, UTF-16" in result.stderr and "FILE" not in result.stderr
    assert query(db_url, "select count(*) from customer") == [(0,)]


def test_a_header_without_a_name_column_names_the_file_and_the_columns(org, cli, db_url, tmp_path):
    path = tmp_path / "联系人.csv"
    path.write_text("联系人,职务,手机\r\n张伟,经理,13812345678\r\n", encoding="utf-8")
    result = cli("import", "customers", str(path), as_="rep_a1")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: no column for name")
    assert "联系人, 职务, 手机" in result.stderr and "FILE" not in result.stderr
    assert query(db_url, "select count(*) from customer") == [(0,)]
