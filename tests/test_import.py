"""`salesctl import customers`: reading every encoding and XLSX, guessing the header, each rejection reason,
all or nothing, duplicates (skip, claim, fail), incomplete rows, the errors file, and what is stored."""

from __future__ import annotations

import codecs
import io
import json
import os
import stat
from datetime import date, datetime

import pytest

from conftest import query

PASSWORD = "Import-pass-2026"
HEADER = "客户名称,联系人,职务,手机,状态,行业,等级\r\n"


def count(url, table="customer"):
    return query(url, f"select count(*) from {table}")[0][0]


def counts(url):
    return {t: count(url, t) for t in ("customer", "contact", "ownership_entry", "grade_change", "audit_entry")}


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return str(path)


def staff_id(url, handle):
    return query(url, "select id from staff where handle = :h", h=handle)[0][0]


def secret_file(path, text=PASSWORD + "\n"):
    path.write_text(text)
    path.chmod(0o600)
    return str(path)


# --------------------------------------------------------------------------- the header guesser
@pytest.mark.parametrize("headers, expected", [
    (["客户名称", "联系人", "职务", "手机号码", "客户状态", "所属行业", "区域", "公司地址", "客户等级", "预计购买时间",
      "负责人", "备注"],
     {"name": 0, "contact": 1, "title": 2, "phone": 3, "status": 4, "industry": 5, "region": 6, "address": 7,
      "grade": 8, "expected_purchase": 9, "owner": 10}),
    (["Company Name", "Contact Person", "Job Title", "Mobile", "Status", "Industry", "Region", "Address", "Website",
      "E-mail", "Grade", "Expected Purchase Date", "Owner"],
     {"name": 0, "contact": 1, "title": 2, "phone": 3, "status": 4, "industry": 5, "region": 6, "address": 7,
      "website": 8, "email": 9, "grade": 10, "expected_purchase": 11, "owner": 12}),
    # bracketed hints and required-markers; the head noun decides (联系人电话 is a phone)
    (["客户名称（全称）*", "联系人姓名", "联系人电话", "联系人职务", "Email Address", "级别", "地区", "网址"],
     {"name": 0, "contact": 1, "phone": 2, "title": 3, "email": 4, "grade": 5, "region": 6, "website": 7}),
    (["公司", "姓名", "职位", "电话", "手机", "状态"],  # a second phone column stays out
     {"name": 0, "contact": 1, "title": 2, "phone": 3, "status": 5}),
    (["account", "phone", "industry", "sector"], {"name": 0, "phone": 1, "industry": 2}),
])
def test_the_guesser_maps_chinese_and_english_names(headers, expected):
    from salesctl.services.io.columns import guess_columns

    columns, ignored, _overridden = guess_columns(headers, "customers")
    assert columns == expected
    assert sorted(ignored) == sorted(set(range(len(headers))) - set(expected.values()))


def test_map_overrides_a_guess_drops_a_column_and_takes_letters():
    from salesctl.services.io.columns import guess_columns, parse_overrides

    headers = ["单位全称", "联系人", "电话", "备用电话"]
    overrides = parse_overrides(["单位全称=name", "电话=-", "D=phone"], "customers")
    columns, ignored, overridden = guess_columns(headers, "customers", overrides)
    assert columns == {"name": 0, "contact": 1, "phone": 3}
    assert ignored == [2] and overridden == {"name", "phone"}
    # a field may be named by one of its Chinese names too
    assert parse_overrides(["X=客户名称"], "customers") == [("X", "name")]


def test_the_header_may_sit_below_a_title_row(org, cli, db_url, tmp_path):
    path = write(tmp_path / "c.csv", "2026年客户名单,,,,,\r\n" + HEADER
                 + "新客户甲有限公司,张伟,采购经理,13812345678,跟进中,Retail,B\r\n" + "无名,,,,,,\r\n")
    result = cli("import", "customers", path, "--format", "json", as_="rep_a1")
    assert result.exit_code == 2, result
    doc = result.json()
    assert doc["header_row"] == 2
    assert [(p["row"], p["code"]) for p in doc["problems"]] == [(4, "missing")]


@pytest.mark.parametrize("args, flag", [
    (["--map", "客户名称=nonsense"], "--map: 'nonsense' is not a field"),
    (["--map", "Nope=name"], "--map: no column 'Nope'"),
    (["--map", "客户名称"], "--map: '客户名称' is not column=field"),
])
def test_bad_map_exits_2_naming_the_flag(org, cli, db_url, tmp_path, args, flag):
    path = write(tmp_path / "c.csv", HEADER + "甲公司,张伟,采购经理,13812345678,跟进中,Retail,B\r\n")
    before = counts(db_url)
    result = cli("import", "customers", path, *args, as_="rep_a1")
    assert result.exit_code == 2 and flag in result.stderr, result
    assert counts(db_url) == before


def test_a_file_without_a_name_column_says_how_to_map_one(org, cli, db_url, tmp_path):
    path = write(tmp_path / "c.csv", "全称,联系人\r\n甲公司,张伟\r\n")
    result = cli("import", "customers", path, as_="rep_a1")
    assert result.exit_code == 2
    assert "no column for name" in result.stderr and "--map '全称=name'" in result.stderr
    mapped = cli("import", "customers", path, "--map", "全称=name", "--allow-incomplete", as_="rep_a1")
    assert mapped.exit_code == 0, mapped
    assert query(db_url, "select name, incomplete from customer") in ([("甲公司", True)], [("甲公司", 1)])


# --------------------------------------------------------------------------- encodings and formats
ROWS = ["上海浦东新华有限公司,张伟,采购经理,13812345678,跟进中,Retail,A",
        "䶮䶮商贸,李娜,经理,13912345678,已成交,Retail,B"]  # 䶮 (U+4DAE) exists in GB18030, not in GBK


@pytest.mark.parametrize("encoding, bom, newline, delimiter, rows", [
    ("utf-8", b"", "\r\n", ",", ROWS),
    ("utf-8", codecs.BOM_UTF8, "\r\n", ",", ROWS),
    ("utf-8", b"", "\n", ";", ROWS),
    ("gbk", b"", "\r\n", ",", ROWS[:1]),
    ("gb18030", b"", "\r\n", ",", ROWS),
    ("utf-16-le", codecs.BOM_UTF16_LE, "\r\n", "\t", ROWS),
])
def test_every_encoding_and_line_ending_reads_the_same(org, cli, db_url, tmp_path, encoding, bom, newline, delimiter, rows):
    text = newline.join([HEADER.strip()] + rows) + newline
    text = text.replace(",", delimiter)
    path = tmp_path / "c.csv"
    path.write_bytes(bom + text.encode(encoding))
    result = cli("import", "customers", str(path), "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert doc["imported"] == len(rows) and doc["rejected"] == 0
    expected = {"utf-8": "utf-8-sig" if bom else "utf-8", "gbk": "gb18030", "gb18030": "gb18030",
                "utf-16-le": "utf-16"}[encoding]
    assert doc["encoding"] == expected
    names = [n for (n,) in query(db_url, "select name from customer order by id")]
    assert names == [r.split(",")[0] for r in rows]
    stored = query(db_url, "select c.status, c.grade, k.phone, k.title from customer c join contact k "
                           "on k.customer_id = c.id order by c.id")
    assert stored[0] == ("following", "A", "13812345678", "采购经理")


def test_an_undecodable_file_and_a_wrong_forced_encoding_exit_2(org, cli, db_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(HEADER.encode() + b"\x80\x80 broken\r\n")
    result = cli("import", "customers", str(bad), as_="rep_a1")
    assert result.exit_code == 2 and "cannot be told with confidence" in result.stderr and "--encoding" in result.stderr
    assert str(bad) in result.stderr and "Big5" in result.stderr
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes((HEADER + ROWS[0] + "\r\n").encode("gbk"))
    forced = cli("import", "customers", str(gbk), "--encoding", "utf-8", as_="rep_a1")
    assert forced.exit_code == 2 and "--encoding: " in forced.stderr
    assert cli("import", "customers", str(gbk), "--encoding", "gbk", as_="rep_a1").exit_code == 0
    assert count(db_url) == 1


def test_excel_quirks_phone_numbers_as_numbers_and_protected_text(org, cli, db_url, tmp_path):
    path = write(tmp_path / "c.csv", HEADER + '甲公司,张伟,采购经理,="13812345678",跟进中,Retail,a\r\n')
    assert cli("import", "customers", path, as_="rep_a1").exit_code == 0
    assert query(db_url, "select phone from contact") == [("13812345678",)]
    assert query(db_url, "select grade from customer") == [("A",)]


def _workbook(rows, title_row=None, sheet="客户"):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title_row:
        ws.append([title_row])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_real_dates_numbers_and_a_title_row(org, cli, db_url, tmp_path):
    rows = [["客户名称", "联系人", "职务", "手机", "状态", "预计购买时间", "等级"],
            ["甲有限公司", "张伟", "采购经理", 13812345678, "跟进中", datetime(2026, 12, 15), None],
            ["乙有限公司", "李娜", "经理", 13912345678.0, "跟进中", date(2027, 2, 1), "C"],
            [None, None, None, None, None, None, None],
            ["丙有限公司", "王五", "经理", "13712345678", "跟进中", "2027/1/5", None]]
    path = tmp_path / "c.xlsx"
    path.write_bytes(_workbook(rows, title_row="客户名单（2026）"))
    result = cli("import", "customers", str(path), "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert doc["sheet"] == "客户" and doc["header_row"] == 2 and doc["imported"] == 3
    stored = query(db_url, "select c.name, c.expected_purchase, c.grade, k.phone from customer c "
                           "join contact k on k.customer_id = c.id order by c.id")
    assert [(n, str(d), g, p) for n, d, g, p in stored] == [
        ("甲有限公司", "2026-12-15", "A", "13812345678"),   # 18 days away: the written rule gives A
        ("乙有限公司", "2027-02-01", "C", "13912345678"),   # a given grade wins
        ("丙有限公司", "2027-01-05", "B", "13712345678"),
    ]


def test_xlsx_rejected_rows_carry_their_sheet_row_numbers(org, cli, db_url, tmp_path):
    rows = [["客户名称", "联系人", "职务", "手机", "状态"],
            ["甲有限公司", "张伟", "采购经理", 13812345678, "跟进中"],
            ["乙有限公司", "李娜", "经理", 123, "跟进中"]]
    path = tmp_path / "c.xlsx"
    path.write_bytes(_workbook(rows))
    result = cli("import", "customers", str(path), "--format", "json", as_="rep_a1")
    assert result.exit_code == 2
    assert [(p["row"], p["code"]) for p in result.json()["problems"]] == [(3, "phone")]
    other = cli("import", "customers", str(path), "--sheet", "Nope", as_="rep_a1")
    assert other.exit_code == 2 and "--sheet: no sheet 'Nope'" in other.stderr and "客户" in other.stderr


def test_an_encrypted_workbook_opens_with_its_authors_password(org, cli, db_url, tmp_path):
    from salesctl.services.io.workbook import table_workbook
    from salesctl.services.security.files import encrypt_bytes

    data = table_workbook(["客户名称", "联系人", "职务", "手机", "状态"], [["甲有限公司", "张伟", "经理", "13812345678", "跟进中"]], "c")
    path = tmp_path / "enc.xlsx"
    path.write_bytes(encrypt_bytes(data, PASSWORD))
    assert cli("import", "customers", str(path), as_="rep_a1").exit_code == 2  # no password: no prompt in CI
    wrong = cli("import", "customers", str(path), "--password-file", secret_file(tmp_path / "w.pw", "Wrong-pass-99"),
                as_="rep_a1")
    assert wrong.exit_code == 2 and count(db_url) == 0
    ok = cli("import", "customers", str(path), "--password-file", secret_file(tmp_path / "p.pw"), as_="rep_a1")
    assert ok.exit_code == 0, ok
    assert count(db_url) == 1


# --------------------------------------------------------------------------- rejection reasons, all or nothing
def _mixed_file(tmp_path, cli):
    """One good row and one row for each rejection reason (rep_a1 imports: East, Retail)."""
    assert cli("customer", "add", "已有客户有限公司", "--contact", "赵六", "--title", "经理", "--phone", "13600000000",
               "--status", "跟进中", as_="rep_b1").exit_code == 0
    header = "客户名称,联系人,职务,手机,状态,行业,等级,邮箱,网址,预计购买时间,负责人\r\n"
    rows = [
        "好客户有限公司,张伟,采购经理,13812345678,跟进中,,,,,,",         # 2 imported
        "缺职务公司,张伟,,13812345601,跟进中,,,,,,",                        # 3 missing
        "（）,张伟,经理,13812345602,跟进中,,,,,,",                            # 4 name
        "坏电话公司,张伟,经理,12345,跟进中,,,,,,",                          # 5 phone
        "坏状态公司,张伟,经理,13812345603,未知,,,,,,",                      # 6 status
        "坏等级公司,张伟,经理,13812345604,跟进中,,E,,,,",                   # 7 grade
        "坏邮箱公司,张伟,经理,13812345605,跟进中,,,not-an-email,,,",        # 8 email
        "坏网址公司,张伟,经理,13812345606,跟进中,,,,http://,,",             # 9 website
        "坏日期公司,张伟,经理,13812345607,跟进中,,,,,next year,",           # 10 date
        "无此人公司,张伟,经理,13812345608,跟进中,,,,,,nobody",              # 11 owner
        "越权公司,张伟,经理,13812345609,跟进中,,,,,,rep_b1",                # 12 permission
        "跨行业公司,张伟,经理,13812345610,跟进中,Health,,,,,",              # 13 industry
        "已有客户,张伟,经理,13812345611,跟进中,,,,,,",                      # 14 duplicate (existing, by name)
        "电话重复公司,张伟,经理,13600000000,跟进中,,,,,,",                   # 15 duplicate (existing, by phone)
        "好客户公司,李四,经理,13812345699,跟进中,,,,,,",                     # 16 duplicate of row 2 (in the file)
    ]
    return write(tmp_path / "mixed.csv", header + "\r\n".join(rows) + "\r\n")


EXPECTED = [(3, "rejected", "missing", "职务"), (4, "rejected", "name", "客户名称"), (5, "rejected", "phone", "手机"),
            (6, "rejected", "status", "状态"), (7, "rejected", "grade", "等级"), (8, "rejected", "email", "邮箱"),
            (9, "rejected", "website", "网址"), (10, "rejected", "date", "预计购买时间"),
            (11, "rejected", "owner", "负责人"), (12, "rejected", "permission", "rep_b1"),
            (13, "rejected", "industry", "Health"), (14, "duplicate", "duplicate", "已有客户有限公司"),
            (15, "duplicate", "duplicate", "rep_b1"), (16, "duplicate", "duplicate_in_file", "row 2")]


def test_each_rejection_reason_with_its_row_number_and_column(org, cli, db_url, tmp_path):
    path = _mixed_file(tmp_path, cli)
    result = cli("import", "customers", path, "--partial", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    got = [(p["row"], p["status"], p["code"], p["reason"]) for p in doc["problems"]]
    assert [g[:3] for g in got] == [e[:3] for e in EXPECTED]
    for (_row, _status, _code, reason), expected in zip(got, EXPECTED):
        assert expected[3] in reason, (reason, expected)
    assert "allow-incomplete" in got[0][3] and "accepted: 跟进中/following" in got[3][3]
    # a duplicate may reveal only the name, the owner and the first report time
    assert "rep_b1" in got[11][3] and "赵六" not in got[11][3] and "13600000000" not in got[12][3]
    assert (doc["rows"], doc["imported"], doc["rejected"], doc["duplicate"]) == (15, 1, 11, 3)
    assert [n for (n,) in query(db_url, "select name from customer order by id")] == ["已有客户有限公司", "好客户有限公司"]


def test_all_or_nothing_refuses_and_writes_nothing(org, cli, db_url, tmp_path):
    path = _mixed_file(tmp_path, cli)
    before = counts(db_url)
    result = cli("import", "customers", path, as_="rep_a1")
    assert result.exit_code == 2, result
    assert "11 of 15 rows rejected: nothing imported" in result.stderr and "--partial" in result.stderr
    assert result.stderr.count("error:") == 1
    assert "缺职务公司" in result.stdout and "坏电话公司" in result.stdout  # the report of rows goes to stdout
    assert counts(db_url) == before


def test_piped_output_is_only_the_summary(org, cli, db_url, tmp_path):
    path = write(tmp_path / "c.csv", HEADER + ROWS[0] + "\r\n")
    result = cli("import", "customers", path, as_="rep_a1")
    assert result.exit_code == 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == ["columns (header on row 1): 客户名称 → name, 联系人 → contact, 职务 → title, 手机 → phone, "
                     "状态 → status, 行业 → industry, 等级 → grade",
                     "customers: 1 rows: 1 imported"]


def test_dry_run_checks_everything_and_writes_nothing(org, cli, db_url, tmp_path):
    path = _mixed_file(tmp_path, cli)
    before = counts(db_url)
    result = cli("import", "customers", path, "--partial", "--dry-run", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0
    doc = result.json()
    assert doc["dry_run"] and not doc["written"] and doc["imported"] == 1
    assert counts(db_url) == before


def test_on_duplicate_fail_exits_5_and_claim_records_requests(org, cli, db_url, tmp_path):
    assert cli("customer", "add", "别人的客户有限公司", "--contact", "赵六", "--title", "经理", "--phone", "13600000000",
               "--status", "跟进中", as_="rep_b1").exit_code == 0
    path = write(tmp_path / "c.csv", HEADER + "别人的客户,张伟,经理,13812345678,跟进中,Retail,\r\n"
                 + "新客户有限公司,李娜,经理,13912345678,跟进中,Retail,\r\n")
    before = counts(db_url)
    failed = cli("import", "customers", path, "--on-duplicate", "fail", as_="rep_a1")
    assert failed.exit_code == 5 and "1 of 2 rows are duplicates" in failed.stderr
    assert counts(db_url) == before
    bad = cli("import", "customers", path, "--on-duplicate", "merge", as_="rep_a1")
    assert bad.exit_code == 2 and "--on-duplicate: 'merge'" in bad.stderr

    claimed = cli("import", "customers", path, "--on-duplicate", "claim", "--format", "json", as_="rep_a1")
    assert claimed.exit_code == 0, claimed
    doc = claimed.json()
    assert (doc["imported"], doc["claimed"], doc["duplicate"]) == (1, 1, 0)
    assert doc["problems"][0]["status"] == "claimed"
    a1, b1 = staff_id(db_url, "rep_a1"), staff_id(db_url, "rep_b1")
    entries = query(db_url, "select e.kind, e.staff_id, c.owner_id from ownership_entry e join customer c "
                            "on c.id = e.customer_id where c.name = '别人的客户有限公司' order by e.id")
    assert entries == [("report", b1, b1), ("request", a1, b1)]  # a pending request; the owner is unchanged
    assert "import.customers" in [a for (a,) in query(db_url, "select action from audit_entry")]


def test_allow_incomplete_flags_rows_missing_handbook_fields(org, cli, db_url, tmp_path):
    path = write(tmp_path / "c.csv", "客户名称,联系人,地址\r\n老客户甲有限公司,,上海\r\n老客户乙有限公司,王五,\r\n")
    refused = cli("import", "customers", path, as_="rep_a1")
    assert refused.exit_code == 2 and "--allow-incomplete" in refused.stdout
    result = cli("import", "customers", path, "--allow-incomplete", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert doc["imported"] == 2 and doc["incomplete"] == 2
    assert "联系人" in doc["problems"][0]["reason"] and "手机" not in doc["problems"][0]["reason"]
    listed = cli("customer", "list", "--incomplete", "--format", "json", as_="rep_a1").json()
    assert sorted(r["name"] for r in listed) == ["老客户乙有限公司", "老客户甲有限公司"]
    assert query(db_url, "select count(*) from contact") == [(1,)]  # only the row with a contact name has one


def test_what_is_stored_matches_customer_add(org, cli, db_url, tmp_path):
    path = write(tmp_path / "c.csv", "客户名称,联系人,职务,手机,状态,预计购买时间,负责人,网址\r\n"
                 "甲有限公司,张伟,采购经理,+86 138-1234-5678,跟进中,2026-12-20,,www.Example.com\r\n"
                 "乙有限公司,李娜,经理,010 1234 5678,已成交,,rep_a1,\r\n")
    before = count(db_url, "audit_entry")
    assert cli("import", "customers", path, as_="mgr_a").exit_code == 0
    mgr, a1 = staff_id(db_url, "mgr_a"), staff_id(db_url, "rep_a1")
    rows = query(db_url, "select c.name, c.owner_id, c.reported_by_id, c.status, c.grade, c.phone_norm, c.website, "
                         "c.industry, c.region, c.created_by_id from customer c order by c.id")
    assert rows == [("甲有限公司", mgr, mgr, "following", "A", "13812345678", "https://www.example.com", None, "East", mgr),
                    ("乙有限公司", a1, a1, "won", "D", "01012345678", None, "Retail", "East", mgr)]
    ledger = query(db_url, "select kind, staff_id, from_owner_id, to_owner_id, by_id from ownership_entry order by id")
    assert ledger == [("report", mgr, None, mgr, mgr), ("report", a1, None, a1, mgr)]
    grades = query(db_url, "select from_grade, to_grade, source, rule from grade_change order by id")
    from salesctl.messages import render_stored

    assert grades[0][:3] == (None, "A", "import") and "→ A" in render_stored(grades[0][3])
    assert grades[1][:3] == (None, "D", "import")
    assert query(db_url, "select phone, is_primary from contact order by id") in (
        [("13812345678", True), ("010-12345678", True)], [("13812345678", 1), ("010-12345678", 1)])
    audit = query(db_url, "select action, after from audit_entry order by id")[before:]
    assert [a for a, _ in audit] == ["import.customers"]  # one entry for the whole import
    summary = json.loads(audit[0][1])
    assert summary["imported"] == 2 and summary["rows"] == 2 and len(summary["sha256"]) == 64

    from salesctl import db
    from salesctl.services.customers.ownership import ledger_mismatches

    with db.session(db_url) as sess:
        assert ledger_mismatches(sess) == []
    shown = cli("customer", "show", "甲有限公司", "--format", "json", as_="mgr_a").json()
    assert shown["owner"] == "mgr_a" and shown["contacts"][0]["phone"] == "13812345678"
    # the imported first grade belongs to the "created" event, as for customer add
    history = cli("customer", "history", "甲有限公司", "--format", "json", as_="mgr_a").json()
    assert [e["event"] for e in history] == ["created"] and history[0]["to"] == "A"


def test_an_assistant_names_the_owner_of_every_row(org, cli, db_url, tmp_path):
    bare = write(tmp_path / "a.csv", HEADER + "甲有限公司,张伟,经理,13812345678,跟进中,Retail,\r\n")
    refused = cli("import", "customers", bare, as_="asst_b")
    assert refused.exit_code == 2 and count(db_url) == 0
    with_owner = write(tmp_path / "b.csv", "客户名称,联系人,职务,手机,状态,负责人\r\n"
                       "甲有限公司,张伟,经理,13812345678,跟进中,rep_b1\r\n"
                       "乙有限公司,张伟,经理,13812345679,跟进中,\r\n")
    result = cli("import", "customers", with_owner, "--partial", "--format", "json", as_="asst_b")
    assert result.exit_code == 0, result
    assert [(p["row"], p["code"]) for p in result.json()["problems"]] == [(3, "owner")]
    assert query(db_url, "select owner_id from customer") == [(staff_id(db_url, "rep_b1"),)]
    denied = cli("import", "customers", bare, "--owner", "rep_a1", as_="asst_b")
    assert denied.exit_code == 3 and count(db_url) == 1


# --------------------------------------------------------------------------- the errors file
def test_errors_file_is_encrypted_by_default(org, cli, db_url, tmp_path):
    pw = secret_file(tmp_path / "a1.pw")
    assert cli("archive", "password", "set", "--password-file", pw, as_="rep_a1").exit_code == 0
    path = _mixed_file(tmp_path, cli)
    out = tmp_path / "errors.xlsx"
    before = counts(db_url)
    result = cli("import", "customers", path, "--errors-file", str(out), "--password-file", pw, as_="rep_a1")
    assert result.exit_code == 2  # refused, but the rows to fix are written out
    assert counts(db_url)["customer"] == before["customer"]
    assert "encrypted" in result.stderr

    import msoffcrypto
    import openpyxl

    office = msoffcrypto.OfficeFile(open(out, "rb"))
    office.load_key(password=PASSWORD)
    plain = io.BytesIO()
    office.decrypt(plain)
    ws = openpyxl.load_workbook(plain).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("row", "status", "reason", "客户名称")
    assert [r[0] for r in rows[1:]] == [e[0] for e in EXPECTED]
    assert rows[1][3] == "缺职务公司" and "职务" in rows[1][2]
    assert "file.encrypted" in [a for (a,) in query(db_url, "select action from audit_entry")]


def test_errors_file_as_csv_needs_both_opt_out_flags(org, cli, db_url, tmp_path):
    path = _mixed_file(tmp_path, cli)
    out = tmp_path / "errors.csv"
    refused = cli("import", "customers", path, "--partial", "--errors-file", str(out), as_="rep_a1")
    assert refused.exit_code == 2 and "--no-encrypt" in refused.stderr and not out.exists()
    assert count(db_url) == 1  # refused before reading: nothing imported
    half = cli("import", "customers", path, "--errors-file", str(out), "--no-encrypt", as_="rep_a1")
    assert half.exit_code == 2 and "i-understand" in half.stderr
    result = cli("import", "customers", path, "--partial", "--errors-file", str(out), "--no-encrypt",
                 "--i-understand-this-file-is-unencrypted", as_="rep_a1")
    assert result.exit_code == 0, result
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("row,status,reason,客户名称") and len(lines) == 1 + len(EXPECTED)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert "file.unencrypted" in [a for (a,) in query(db_url, "select action from audit_entry")]


def test_flags_naming_people_follow_the_exit_codes(org, cli, db_url, tmp_path):
    path = write(tmp_path / "c.csv", HEADER + "甲有限公司,张伟,经理,13812345678,跟进中,Retail,\r\n")
    unknown = cli("import", "customers", path, "--owner", "nobody", as_="mgr_a")
    assert unknown.exit_code == 4 and "--owner: no staff member 'nobody'" in unknown.stderr
    staff = write(tmp_path / "s.csv", "账号,姓名,角色,区域,行业\nrep_z,某人,rep,East,Retail\n")
    under = cli("import", "staff", staff, "--under", "nobody", as_="boss")
    assert under.exit_code == 4 and "--under" in under.stderr
    assert count(db_url) == 0 and count(db_url, "staff") == 9
