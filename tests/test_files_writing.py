"""Files salesctl writes, opened the way office programs open them (LibreOffice headless): CSV in UTF-8 that
LibreOffice reads right (with --out, and with --bom on stdout), no formula injection in any CSV or XLSX
(exports, the archive pack, import error files), workbooks in the display language."""

from __future__ import annotations

import shutil
import subprocess

import pytest


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
EVIL = '=HYPERLINK("http://x","y")'
PLAIN = ("--no-encrypt", "--i-understand-this-file-is-unencrypted")
REQUIRED = ("--contact", "张伟", "--title", "采购经理", "--status", "跟进中")


@pytest.fixture
def customers(org, cli, db_url):
    for name, phone in ((EVIL, "13812345678"), ("苏州新华精密机械", "0512-57719780"), ("+cmd|' /C calc'!A0", "13912345678")):
        result = cli("customer", "add", name, *REQUIRED, "--phone", phone, as_="rep_a1")
        assert result.exit_code == 0, result
    return db_url


def office_convert(path, to: str, tmp_path, infilter: str | None = None):
    """Open `path` with LibreOffice headless and save it as `to` (xlsx or csv); returns the new file."""
    out = tmp_path / "office"
    out.mkdir(exist_ok=True)
    cmd = [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo-profile"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", to, "--outdir", str(out), str(path)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    return out / (path.stem + "." + to.split(":")[0])


def cells_as_office_reads_them(path, tmp_path):
    """Every cell of the first sheet after LibreOffice opened the file: (value, is_formula)."""
    import openpyxl

    converted = office_convert(path, "xlsx", tmp_path, infilter="CSV:44,34,76,1" if path.suffix == ".csv" else None)
    ws = openpyxl.load_workbook(converted).worksheets[0]
    return [[(c.value, c.data_type == "f") for c in row] for row in ws.iter_rows()]


def assert_all_text(cells):
    flat = [cell for row in cells for cell in row]
    assert not any(is_formula for _v, is_formula in flat), "LibreOffice took a cell for a formula"
    texts = [str(v) for v, _f in flat if v is not None]
    assert any("HYPERLINK" in v and "http://x" in v for v in texts)  # shown as the text it is, never "y"
    assert "苏州新华精密机械" in texts  # read as UTF-8
    return texts


@needs_office
def test_csv_out_and_bom_on_stdout_read_as_utf8_with_formulas_as_text(customers, cli, tmp_path):
    out = tmp_path / "c.csv"
    result = cli("export", "customers", "--out", str(out), *PLAIN, as_="rep_a1")
    assert result.exit_code == 0, result
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    texts = assert_all_text(cells_as_office_reads_them(out, tmp_path))
    assert "0512-57719780" in texts

    piped = cli("export", "customers", "--format", "csv", "--bom", as_="rep_a1")
    assert piped.exit_code == 0 and piped.stdout.startswith("\ufeff")
    redirected = tmp_path / "redirected.csv"
    redirected.write_text(piped.stdout, encoding="utf-8")
    assert_all_text(cells_as_office_reads_them(redirected, tmp_path))


def test_csv_cells_that_start_a_formula_get_a_leading_apostrophe_unless_raw(customers, cli):
    plain = cli("export", "customers", "--format", "csv", as_="rep_a1")
    assert plain.exit_code == 0 and not plain.stdout.startswith("\ufeff")
    assert "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" in plain.stdout
    assert "'+cmd|" in plain.stdout
    raw = cli("export", "customers", "--format", "csv", "--raw", as_="rep_a1")
    assert "\"=HYPERLINK(" in raw.stdout and "'=HYPERLINK" not in raw.stdout
    listed = cli("customer", "list", "--format", "csv", as_="rep_a1")
    assert "'=HYPERLINK" in listed.stdout


def test_an_exported_csv_imports_back_with_the_names_as_they_were(customers, cli, tmp_path, db_url):
    out = tmp_path / "c.csv"
    assert cli("export", "customers", "--out", str(out), *PLAIN, as_="rep_a1").exit_code == 0
    back = cli("import", "customers", str(out), "--dry-run", "--format", "json", as_="rep_a1")
    doc = back.json()
    assert doc["duplicate"] == 3  # the same three customers, names read back without the apostrophe


@needs_office
def test_xlsx_export_keeps_formulas_as_text_and_speaks_chinese(customers, cli, tmp_path):
    out = tmp_path / "c.xlsx"
    result = cli("--lang", "zh", "export", "customers", "--out", str(out), *PLAIN, as_="rep_a1")
    assert result.exit_code == 0, result
    import openpyxl

    ws = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    assert "ID" not in header and "name" not in header and "status" not in header
    assert any("客户" in (h or "") for h in header)
    status_col = header.index(next(h for h in header if "状态" in (h or "")))
    assert {r[status_col] for r in ws.iter_rows(min_row=2, values_only=True)} == {"跟进中"}
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert_all_text(cells_as_office_reads_them(out, tmp_path))


@needs_office
def test_archive_pack_and_errors_file_keep_formulas_as_text(customers, cli, tmp_path):
    pack = tmp_path / "pack.xlsx"
    result = cli("customer", "archive", "export", "--out", str(pack), *PLAIN, as_="rep_a1")
    assert result.exit_code == 0, result
    cells = cells_as_office_reads_them(pack, tmp_path)
    assert not any(f for row in cells for _v, f in row)
    assert any("HYPERLINK" in str(v) for row in cells for v, _f in row)

    bad = tmp_path / "bad.csv"
    quoted = '"' + EVIL.replace('"', '""') + 'x"'
    bad.write_text("客户名称,联系人,职务,手机,状态\n" + quoted + ",张伟,经理,12,跟进中\n", encoding="utf-8")
    errors = tmp_path / "errors.csv"
    result = cli("import", "customers", str(bad), "--errors-file", str(errors), *PLAIN, as_="rep_a1")
    assert result.exit_code == 2
    assert errors.read_bytes().startswith(b"\xef\xbb\xbf")
    cells = cells_as_office_reads_them(errors, tmp_path)
    assert not any(f for row in cells for _v, f in row)
    assert any("HYPERLINK" in str(v) for row in cells for v, _f in row)
