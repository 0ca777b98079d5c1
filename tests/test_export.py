"""`salesctl export TABLE`: scoped rows as CSV/JSON/XLSX on stdout, encrypted files for customer data, the
opt-out rule, and a round trip through `import customers`."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import stat

import pytest

from conftest import query

PASSWORD = "Export-pass-2026"


def secret_file(path, text=PASSWORD + "\n"):
    path.write_text(text)
    path.chmod(0o600)
    return str(path)


@pytest.fixture
def book(org, cli, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("客户名称,联系人,职务,手机,状态,负责人,预计购买时间\n"
                    "甲有限公司,张伟,采购经理,13812345678,跟进中,rep_a1,2026-12-20\n"
                    "乙有限公司,李娜,经理,13812345679,已成交,rep_a1,\n"
                    "丙有限公司,王五,经理,13812345680,跟进中,rep_b1,\n", encoding="utf-8")
    assert cli("import", "customers", str(path), as_="dir").exit_code == 0
    deal = cli("deal", "add", "乙有限公司", "--title", "一期", "--amount", "1234.5", as_="rep_a1")
    assert deal.exit_code == 0, deal
    assert cli("deal", "won", deal.stdout.strip(), "--contract-date", "2026-11-20", as_="rep_a1").exit_code == 0
    assert cli("payment", "add", deal.stdout.strip(), "--amount", "1000", "--date", "2026-11-25", as_="rep_a1").exit_code == 0
    return org


def test_csv_and_json_to_stdout_are_scoped(book, cli):
    mine = cli("export", "customers", as_="rep_a1")
    assert mine.exit_code == 0, mine
    rows = list(csv.DictReader(io.StringIO(mine.stdout)))
    assert [r["name"] for r in rows] == ["甲有限公司", "乙有限公司"]  # rep_b1's customer is not theirs to see
    assert rows[0]["phone"] == "13812345678" and rows[0]["owner"] == "rep_a1" and rows[0]["incomplete"] == "false"
    everyone = cli("export", "customers", "--format", "json", as_="dir").json()
    assert [r["name"] for r in everyone] == ["甲有限公司", "乙有限公司", "丙有限公司"]
    assert everyone[0]["expected_purchase"] == "2026-12-20"
    deals = cli("export", "deals", "--format", "json", as_="rep_a1").json()
    assert deals[0]["amount"] == "1234.50" and deals[0]["paid"] == "1000.00" and deals[0]["status"] == "won"
    payments = cli("export", "payments", "--format", "json", as_="rep_b1").json()
    assert payments == []
    ledger = cli("export", "ownership", "--format", "json", as_="rep_a1").json()
    assert {r["kind"] for r in ledger} == {"report"} and len(ledger) == 2
    assert cli("export", "grade-changes", "--format", "json", as_="dir").json()[0]["source"] == "import"
    staff = cli("export", "staff", "--format", "json", as_="rep_a1").json()
    assert {r["handle"] for r in staff} >= {"boss", "rep_a1", "rep_b1"}


@pytest.mark.parametrize("table", ["contacts", "visits", "leads", "claims", "complaints", "meetings", "actions", "reports"])
def test_every_table_exports(book, cli, table):
    result = cli("export", table, "--format", "json", as_="dir")
    assert result.exit_code == 0, result
    assert isinstance(result.json(), list)


def test_a_customer_data_file_is_encrypted_with_the_authors_password(book, cli, db_url, tmp_path):
    pw = secret_file(tmp_path / "a1.pw")
    assert cli("archive", "password", "set", "--password-file", pw, as_="rep_a1").exit_code == 0
    out = tmp_path / "customers.xlsx"
    result = cli("export", "customers", "--out", str(out), "--password-file", pw, as_="rep_a1")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == str(out) and "encrypted" in result.stderr
    import msoffcrypto
    import openpyxl

    office = msoffcrypto.OfficeFile(open(out, "rb"))
    office.load_key(password=PASSWORD)
    plain = io.BytesIO()
    office.decrypt(plain)
    ws = openpyxl.load_workbook(plain).active
    rows = list(ws.iter_rows(values_only=True))
    # headings in the display language (English here)
    assert rows[0][:5] == ("ID", "Customer name", "Contact person", "Title", "Phone") and [r[1] for r in rows[1:]] == ["甲有限公司", "乙有限公司"]
    again = cli("export", "customers", "--out", str(out), "--password-file", pw, as_="rep_a1")
    assert again.exit_code == 5 and "--force" in again.stderr
    assert cli("export", "customers", "--out", str(out), "--password-file", pw, "--force", as_="rep_a1").exit_code == 0
    actions = [a for (a,) in query(db_url, "select action from audit_entry where action like 'file.%'")]
    assert actions == ["file.encrypted", "file.encrypted"]


def test_plain_files_need_both_opt_out_flags(book, cli, db_url, tmp_path):
    out = tmp_path / "export.csv"
    before = query(db_url, "select count(*) from audit_entry")
    refused = cli("export", "customers", "--out", str(out), as_="rep_a1")
    assert refused.exit_code == 2 and "--no-encrypt" in refused.stderr and not out.exists()
    half = cli("export", "customers", "--out", str(out), "--no-encrypt", as_="rep_a1")
    assert half.exit_code == 2 and "i-understand" in half.stderr and not out.exists()
    assert query(db_url, "select count(*) from audit_entry") == before
    ok = cli("export", "customers", "--out", str(out), "--no-encrypt", "--i-understand-this-file-is-unencrypted",
             as_="rep_a1")
    assert ok.exit_code == 0, ok
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and "甲有限公司" in data.decode("utf-8-sig")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    after = query(db_url, "select action, after from audit_entry order by id desc limit 1")[0]
    assert after[0] == "file.unencrypted" and json.loads(after[1])["rows"] == 2
    js = tmp_path / "c.json"
    assert cli("export", "customers", "--out", str(js), "--no-encrypt", "--i-understand-this-file-is-unencrypted",
               as_="rep_a1").exit_code == 0
    assert [r["name"] for r in json.loads(js.read_text())] == ["甲有限公司", "乙有限公司"]


def test_staff_needs_no_encryption_and_bad_arguments_exit_2(book, cli, tmp_path):
    out = tmp_path / "staff.csv"
    assert cli("export", "staff", "--out", str(out), as_="rep_a1").exit_code == 0
    assert "rep_a1" in out.read_text(encoding="utf-8-sig")
    bad = cli("export", "secrets", as_="rep_a1")
    assert bad.exit_code == 2 and "TABLE: 'secrets'" in bad.stderr and "customers" in bad.stderr
    fmt = cli("export", "customers", "--format", "yaml", as_="rep_a1")
    assert fmt.exit_code == 2 and "--format: 'yaml'" in fmt.stderr


def test_an_export_imports_back_as_duplicates(book, cli, tmp_path):
    exported = cli("export", "customers", as_="dir")
    path = tmp_path / "back.csv"
    path.write_text(exported.stdout, encoding="utf-8")
    result = cli("import", "customers", str(path), "--dry-run", "--format", "json", as_="dir")
    assert result.exit_code == 0, result
    doc = result.json()
    assert doc["mapping"]["name"] == "name" and doc["mapping"]["owner"] == "owner" and doc["mapping"]["phone"] == "phone"
    assert doc["duplicate"] == 3 and doc["imported"] == 0
