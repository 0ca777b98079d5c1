"""`import customers` in batches: possible matches as rows to decide (--not-duplicate, the errors file's
not-duplicate column), the credit-code column, all or nothing and duplicates across batch boundaries."""

from __future__ import annotations

import json

import pytest

from conftest import query

HEADER = "客户名称,联系人,职务,手机,状态\r\n"


def write(path, lines, header=HEADER):
    path.write_bytes((header + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return str(path)


def names(url):
    return [n for (n,) in query(url, "select name from customer order by id")]


def counts(url):
    return {t: query(url, f"select count(*) from {t}")[0][0]
            for t in ("customer", "contact", "ownership_entry", "grade_change", "audit_entry")}


def credit_code(body: str) -> str:
    """A valid 统一社会信用代码 ending in its GB 32100 check character."""
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


@pytest.fixture
def small_batches(monkeypatch):
    from salesctl.services.io import imports

    monkeypatch.setattr(imports, "BATCH_ROWS", 2)


def _held_file(tmp_path, cli):
    assert cli("customer", "add", "东莞富达模具有限公司", "--contact", "赵六", "--title", "经理", "--phone",
               "13600000000", "--status", "跟进中", as_="rep_b1").exit_code == 0
    return write(tmp_path / "held.csv", [
        "东莞富达物流有限公司,张伟,经理,13812345601,跟进中",    # 2 possible: 富达 of the archive, other industry
        "好客户有限公司,张伟,经理,13812345602,跟进中",          # 3 imported
        "鼎盛模具有限公司,张伟,经理,13812345603,跟进中",        # 4 imported
        "鼎盛物流有限公司,张伟,经理,13812345604,跟进中",        # 5 possible: row 4 (in another batch of 2)
    ])


def test_a_possible_match_is_a_row_to_decide_naming_its_candidates(org, cli, db_url, tmp_path, small_batches):
    path = _held_file(tmp_path, cli)
    result = cli("import", "customers", path, "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert (doc["imported"], doc["possible"], doc["duplicate"]) == (2, 2, 0)
    got = {p["row"]: p for p in doc["problems"]}
    assert {r: (p["status"], p["code"]) for r, p in got.items()} == {
        2: ("possible", "possible_duplicate"), 5: ("possible", "possible_duplicate")}
    # the archive candidate as `customer add` names it (name, owner, first report), never its contact
    assert "东莞富达模具有限公司" in got[2]["reason"] and "rep_b1" in got[2]["reason"]
    assert "赵六" not in got[2]["reason"] and "13600000000" not in got[2]["reason"]
    assert "row 4" in got[5]["reason"] and "--not-duplicate" in got[5]["reason"]
    assert names(db_url) == ["东莞富达模具有限公司", "好客户有限公司", "鼎盛模具有限公司"]
    text = cli("import", "customers", path, "--dry-run", as_="rep_a1")
    assert "2 possible duplicates to decide" in text.stderr


def test_not_duplicate_imports_every_possible_match_audited_with_its_candidates(org, cli, db_url, tmp_path,
                                                                                small_batches):
    path = _held_file(tmp_path, cli)
    archive_id = query(db_url, "select id from customer")[0][0]
    result = cli("import", "customers", path, "--not-duplicate", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    assert (result.json()["imported"], result.json()["possible"]) == (4, 0)
    assert len(names(db_url)) == 5
    (after,) = [json.loads(a) for (act, a) in query(db_url, "select action, after from audit_entry order by id")
                if act == "import.customers"]
    assert after["not_duplicate"] is True and after["not_duplicate_rows"] == 2
    assert after["not_duplicate_of"] == [
        {"row": 2, "name": "东莞富达物流有限公司", "candidates": [{"id": archive_id, "reason": "trade_name_industry"}]},
        {"row": 5, "name": "鼎盛物流有限公司", "candidates": [{"row": 4, "reason": "trade_name_industry"}]}]


def test_a_same_match_is_never_overridden_by_not_duplicate(org, cli, db_url, tmp_path):
    assert cli("customer", "add", "东莞富达模具有限公司", "--contact", "赵六", "--title", "经理", "--phone",
               "13600000000", "--status", "跟进中", as_="rep_b1").exit_code == 0
    path = write(tmp_path / "same.csv", ["东莞市富达模具有限公司,张伟,经理,13812345601,跟进中"])
    result = cli("import", "customers", path, "--not-duplicate", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    assert (result.json()["imported"], result.json()["duplicate"]) == (0, 1)
    assert "rep_b1" in result.json()["problems"][0]["reason"]


def test_the_errors_file_has_a_column_to_fill_and_imports_again(org, cli, db_url, tmp_path):
    path = _held_file(tmp_path, cli)
    out = tmp_path / "errors.csv"
    result = cli("import", "customers", path, "--errors-file", str(out), "--no-encrypt",
                 "--i-understand-this-file-is-unencrypted", as_="rep_a1")
    assert result.exit_code == 0, result
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == "row,status,reason,客户名称,联系人,职务,手机,状态,not duplicate"
    assert [line.split(",")[0] for line in lines[1:]] == ["2", "5"]
    # the user says row 2 is another company and leaves row 5 undecided
    import csv
    import io

    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    rows[1][-1] = "是"
    again = tmp_path / "again.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    again.write_bytes(buffer.getvalue().encode("utf-8"))
    second = cli("import", "customers", str(again), "--format", "json", as_="rep_a1")
    assert second.exit_code == 0, second.stdout
    doc = second.json()
    assert doc["mapping"]["not duplicate"] == "not_duplicate" and "row" not in doc["mapping"]
    assert (doc["imported"], doc["possible"]) == (1, 1)
    assert "东莞富达物流有限公司" in names(db_url) and "鼎盛物流有限公司" not in names(db_url)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(again.read_bytes().replace(",是\r\n".encode(), ",perhaps\r\n".encode()))
    refused = cli("import", "customers", str(bad), "--format", "json", as_="rep_a1")
    assert refused.exit_code == 2
    (problem,) = [p for p in refused.json()["problems"] if p["status"] == "rejected"]
    assert "not duplicate" in problem["reason"] and "perhaps" in problem["reason"]


def test_on_duplicate_fail_refuses_a_file_with_rows_to_decide(org, cli, db_url, tmp_path):
    path = _held_file(tmp_path, cli)
    before = counts(db_url)
    result = cli("import", "customers", path, "--on-duplicate", "fail", as_="rep_a1")
    assert result.exit_code == 5, result
    assert counts(db_url) == before


# --------------------------------------------------------------------------- the credit code
def test_the_credit_code_column_is_validated_and_unique(org, cli, db_url, tmp_path):
    held = credit_code("91440300MA5F00000")
    assert cli("customer", "add", "老客户有限公司", "--contact", "赵六", "--title", "经理", "--phone", "13600000000",
               "--status", "跟进中", "--credit-code", held, as_="rep_b1").exit_code == 0
    good, other = credit_code("91440300MA5F11111"), credit_code("91440300MA5F22222")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    path = write(tmp_path / "codes.csv", [
        f"甲公司,张伟,经理,13812345601,跟进中,{good}",        # 2 imported
        f"乙公司,张伟,经理,13812345602,跟进中,{wrong}",       # 3 rejected: check character
        f"丙公司,张伟,经理,13812345603,跟进中,{held}",        # 4 duplicate of the archive's holder
        f"丁公司,张伟,经理,13812345604,跟进中,{good.lower()}",  # 5 duplicate of row 2 (folded to capitals)
        f"戊公司,张伟,经理,13812345605,跟进中,{other}",       # 6 imported
    ], header="客户名称,联系人,职务,手机,状态,统一社会信用代码\r\n")
    result = cli("import", "customers", path, "--partial", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert doc["mapping"]["统一社会信用代码"] == "credit_code"
    got = {p["row"]: p for p in doc["problems"]}
    assert {r: p["code"] for r, p in got.items()} == {3: "credit_code", 4: "duplicate", 5: "duplicate_in_file"}
    assert got[3]["reason"].startswith("统一社会信用代码:") and wrong in got[3]["reason"]
    assert "老客户有限公司" in got[4]["reason"] and "rep_b1" in got[4]["reason"]
    assert "row 2" in got[5]["reason"] and "credit_code" in got[5]["reason"]
    stored = dict(query(db_url, "select name, credit_code from customer"))
    assert stored == {"老客户有限公司": held, "甲公司": good, "戊公司": other}


# --------------------------------------------------------------------------- batches
def test_duplicates_inside_the_file_are_found_across_batches(org, cli, db_url, tmp_path, small_batches):
    path = write(tmp_path / "batches.csv", [
        "华泰电子有限公司,张伟,经理,13812345601,跟进中",        # 2
        "永安贸易有限公司,张伟,经理,13812345602,跟进中",        # 3
        "博远软件有限公司,张伟,经理,13812345603,跟进中",        # 4  (second batch)
        "华泰电子股份有限公司,李四,经理,13812345699,跟进中",    # 5  same name as row 2
        "启明照明有限公司,李四,经理,138-1234-5602,跟进中",       # 6  same phone as row 3 (third batch)
        "上海华泰电子有限公司,王五,经理,13812345698,跟进中",    # 7  same trade name as row 2
    ])
    result = cli("import", "customers", path, "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    got = {p["row"]: (p["code"], p["reason"]) for p in result.json()["problems"]}
    assert set(got) == {5, 6, 7}
    assert all(code == "duplicate_in_file" for code, _reason in got.values())
    assert "row 2" in got[5][1] and "row 3" in got[6][1] and "row 2" in got[7][1]
    assert names(db_url) == ["华泰电子有限公司", "永安贸易有限公司", "博远软件有限公司"]


def test_a_rejected_row_in_the_last_batch_writes_nothing(org, cli, db_url, tmp_path, small_batches):
    before = counts(db_url)
    path = write(tmp_path / "late.csv", [f"好客户{i}号有限公司,张伟,经理,1381234560{i},跟进中" for i in range(1, 6)]
                 + ["坏电话公司,张伟,经理,12345,跟进中"])
    result = cli("import", "customers", path, as_="rep_a1")
    assert result.exit_code == 2, result
    assert "1 of 6 rows rejected: nothing imported" in result.stderr
    assert counts(db_url) == before
    dry = cli("import", "customers", path, "--partial", "--dry-run", "--format", "json", as_="rep_a1")
    assert dry.exit_code == 0 and dry.json()["imported"] == 5 and dry.json()["written"] is False
    assert counts(db_url) == before
    done = cli("import", "customers", path, "--partial", as_="rep_a1")
    assert done.exit_code == 0, done
    assert len(names(db_url)) == 5
