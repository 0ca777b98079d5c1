"""The Friday archive pack: encrypted .xlsx with the week's additions highlighted, archive passwords and their age.

Customers, contacts, visits and grade changes are made through the models (the
customer commands are built elsewhere), for reps of the `org` fixture. The
frozen now is Friday 2026-11-27 17:30 in Asia/Shanghai: week 2026-W48 runs from
Monday 2026-11-23 00:00 to Sunday 2026-11-29 24:00 local time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import msoffcrypto
import openpyxl
import pytest
from msoffcrypto.exceptions import InvalidKeyError

from conftest import query

SH = ZoneInfo("Asia/Shanghai")
PASSWORD = "Archive-pass-2026"
MGR_PASSWORD = "Manager#pass-77"
HIGHLIGHT = "FFFFF2CC"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# --------------------------------------------------------------------------- data
def seed(url: str) -> dict[str, int]:
    """rep_a1's archive with one customer per highlight rule, plus customers of other reps."""
    from sqlalchemy import create_engine
    from sqlmodel import Session, select

    from salesctl.models import Contact, Customer, Deal, GradeChange, OwnershipEntry, Payment, Staff, Visit

    engine = create_engine(url)
    ids: dict[str, int] = {}
    old = local("2026-10-01T09:00")
    with Session(engine) as s:
        staff = {h: i for h, i in s.exec(select(Staff.handle, Staff.id))}

        def customer(name, owner, created=old, updated=None, first_owner=None, **kw):
            kw_first = first_owner
            c = Customer(name=name, name_norm=name.lower(), owner_id=staff[owner], reported_by_id=staff[owner],
                         reported_at=created, created_at=created, updated_at=updated or created,
                         status="following", grade=kw.pop("grade", "C"), industry="Retail", region="East", **kw)
            s.add(c)
            s.flush()
            # the first report (报备) in the ownership ledger, as `customer add` writes it
            first = kw_first or owner
            s.add(OwnershipEntry(customer_id=c.id, kind="report", staff_id=staff[first], to_owner_id=staff[first],
                                 by_id=staff[first], at=created))
            ids[name] = c.id
            return c

        def contact(c, name, created=old, **kw):
            k = Contact(customer_id=c.id, name=name, created_at=created, updated_at=created, **kw)
            s.add(k)
            s.flush()
            return k

        a1 = staff["rep_a1"]
        c = customer("老客户甲有限公司", "rep_a1", address="上海市浦东新区世纪大道100号", website="https://old.example",
                     email="old@example.com", expected_purchase=date(2027, 3, 1), last_contact_at=local("2026-10-20T10:00"))
        contact(c, "王经理", title="采购经理", phone="021-55501234", is_primary=True)
        contact(c, "李工", title="工程师", phone="13800000001")
        deal = Deal(customer_id=c.id, owner_id=a1, title="一期", amount=Decimal("1234.50"), status="open",
                    created_at=old, updated_at=old)
        won = Deal(customer_id=c.id, owner_id=a1, title="零期", amount=Decimal("500.00"), status="won", stage=4,
                   created_at=old, updated_at=old)
        s.add_all([deal, won])
        s.flush()
        s.add(Payment(deal_id=won.id, amount=Decimal("100.25"), paid_on=date(2026, 10, 10), created_at=old))
        customer("新客户乙", "rep_a1", created=local("2026-11-24T10:00"))
        customer("编辑客户丙", "rep_a1", updated=local("2026-11-25T15:00"))
        d = customer("联系人客户丁", "rep_a1")
        contact(d, "赵老师", created=local("2026-11-26T09:00"))
        e = customer("拜访客户戊", "rep_a1")
        s.add(Visit(customer_id=e.id, rep_id=a1, at=local("2026-11-24T14:00"), content="演示产品", result="有兴趣",
                    created_at=local("2026-11-24T18:00")))
        f = customer("评级客户己", "rep_a1")
        # 00:30 on Monday local time is still Sunday in UTC: inside W48 all the same
        s.add(GradeChange(customer_id=f.id, from_grade="C", to_grade="B", by_id=a1, at=local("2026-11-23T00:30"),
                          reason="预算确认", source="hand"))
        g = customer("上周客户庚", "rep_a1")
        # 23:30 on the Sunday before (W47), and 00:10 on the Monday after (W49): both outside W48
        s.add(Visit(customer_id=g.id, rep_id=a1, at=local("2026-11-22T23:30"), content="晚宴", result="一般",
                    created_at=local("2026-11-22T23:40")))
        s.add(GradeChange(customer_id=g.id, from_grade="C", to_grade="D", by_id=a1, at=local("2026-11-30T00:10"),
                          source="hand"))
        h = customer("转入客户辛", "rep_a1", first_owner="rep_a2")
        s.add(OwnershipEntry(customer_id=h.id, kind="transfer", staff_id=a1, from_owner_id=staff["rep_a2"],
                             to_owner_id=a1, by_id=staff["mgr_a"], at=local("2026-11-25T11:00")))
        # a non-granting request in the week does not change rep_a1's archive
        s.add(OwnershipEntry(customer_id=ids["老客户甲有限公司"], kind="request", staff_id=staff["rep_a2"],
                             by_id=staff["rep_a2"], at=local("2026-11-26T11:00")))
        customer("=1+1 公式公司", "rep_a1")
        customer("别人客户壬", "rep_a2", created=local("2026-11-24T10:00"))
        customer("北方客户癸", "rep_b1", created=local("2026-11-24T10:00"))
        s.commit()
    engine.dispose()
    return ids


A1_ALL = {"老客户甲有限公司", "新客户乙", "编辑客户丙", "联系人客户丁", "拜访客户戊", "评级客户己", "上周客户庚",
          "转入客户辛", "=1+1 公式公司"}
A1_W48 = {"新客户乙", "编辑客户丙", "联系人客户丁", "拜访客户戊", "评级客户己", "转入客户辛"}


@pytest.fixture
def archive_org(org, cli, tmp_path):
    ids = seed(org)
    pw = secret_file(tmp_path / "a1.pw", PASSWORD + "\n")
    assert cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a1", now="2026-11-01T10:00").exit_code == 0
    return ids


def secret_file(path, text, mode=0o600):
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def decrypt(path, password) -> openpyxl.Workbook:
    with open(path, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        office.load_key(password=password, verify_password=True)
        out = io.BytesIO()
        office.decrypt(out)
    return openpyxl.load_workbook(out)


def data_rows(ws):
    return [row for row in ws.iter_rows(min_row=3) if any(c.value is not None for c in row)]


def highlighted(cell) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == HIGHLIGHT


def set_archive_dir(folder) -> None:
    from salesctl import config

    config.set_value("archive_dir", str(folder))  # what `salesctl config set archive_dir` writes


def audit_count(url) -> int:
    return query(url, "select count(*) from audit_entry")[0][0]


# --------------------------------------------------------------------------- the pack
def test_export_is_encrypted_and_highlights_exactly_the_weeks_additions(archive_org, cli, db_url, tmp_path):
    out = tmp_path / "a1.xlsx"
    pw = secret_file(tmp_path / "pw", PASSWORD + "\n")
    result = cli("customer", "archive", "export", "--out", str(out), "--password-file", str(pw), as_="rep_a1")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == str(out.resolve())
    assert "6 highlighted (1 new, 5 changed)" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr

    # not a readable zip: Office encryption
    with pytest.raises(Exception):
        openpyxl.load_workbook(out)
    with open(out, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        assert office.is_encrypted()
        with pytest.raises(InvalidKeyError):
            office.load_key(password="Not-the-password-1", verify_password=True)

    wb = decrypt(out, PASSWORD)
    assert wb.sheetnames == ["Customers", "Contacts", "Visits", "Grade changes", "Contracts", "Receivables"]
    ws = wb["Customers"]
    assert "2026-11-23" in ws["A1"].value and "2026-11-29" in ws["A1"].value and highlighted(ws["A1"])
    assert ws.freeze_panes == "A3"
    headers = [c.value for c in ws[2]]
    assert headers[:5] == ["ID", "Customer name", "Contact person", "Title", "Phone"]
    for wanted in ("Customer status", "Industry", "Region", "Address", "Website", "Email", "Expected purchase",
                   "Grade", "Owner", "First reporter", "Reported at", "Created", "Last contact", "Open deals", "Collected"):
        assert wanted in headers
    rows = data_rows(ws)
    names = {row[1].value for row in rows}
    assert names == A1_ALL  # rep_a1's own customers only
    marked = {row[1].value for row in rows if highlighted(row[0])}
    assert marked == A1_W48
    # every cell of a marked row is filled, none of an unmarked one
    for row in rows:
        assert all(highlighted(c) for c in row) == (row[1].value in A1_W48)
        assert any(highlighted(c) for c in row) == (row[1].value in A1_W48)

    col = {h: i for i, h in enumerate(headers)}
    old = next(row for row in rows if row[1].value == "老客户甲有限公司")
    assert old[col["Contact person"]].value == "王经理"  # the primary contact
    assert old[col["Title"]].value == "采购经理" and old[col["Phone"]].value == "021-55501234"
    assert old[col["Owner"]].value == "销售甲一 (rep_a1)"
    assert old[col["Expected purchase"]].value == datetime(2027, 3, 1)  # a real Excel date
    assert old[col["Expected purchase"]].number_format == "yyyy-mm-dd"
    assert old[col["Created"]].value == datetime(2026, 10, 1, 9, 0)  # local time
    assert old[col["Created"]].is_date
    assert old[col["Open deals"]].value == pytest.approx(1234.5)
    assert old[col["Open deals"]].number_format == "0.00"
    assert old[col["Collected"]].value == pytest.approx(100.25)
    formula = next(row for row in rows if row[1].value == "=1+1 公式公司")
    assert formula[1].data_type == "s"  # data, never a formula
    # widths fit Chinese text: the longest name counts double
    from openpyxl.utils import get_column_letter
    from wcwidth import wcswidth

    assert ws.column_dimensions["B"].width >= wcswidth("老客户甲有限公司") + 2 > len("老客户甲有限公司") + 2
    assert ws.column_dimensions[get_column_letter(col["Address"] + 1)].width >= wcswidth("上海市浦东新区世纪大道100号")

    contacts = data_rows(wb["Contacts"])
    assert {(r[1].value, r[2].value) for r in contacts} == {("老客户甲有限公司", "王经理"), ("老客户甲有限公司", "李工"),
                                                           ("联系人客户丁", "赵老师")}
    assert {r[2].value for r in contacts if highlighted(r[0])} == {"赵老师"}
    visits = data_rows(wb["Visits"])
    assert [(r[1].value, r[2].value) for r in visits] == [("拜访客户戊", datetime(2026, 11, 24, 14, 0))]
    assert all(highlighted(r[0]) for r in visits)
    grades = data_rows(wb["Grade changes"])
    assert [(r[1].value, r[3].value, r[4].value) for r in grades] == [("评级客户己", "C", "B")]

    audit = query(db_url, "select action, after from audit_entry where action = 'archive.export'")
    assert len(audit) == 1
    after = json.loads(audit[0][1])
    assert after["encrypted"] is True and after["highlighted"] == 6 and after["rows"]["customers"] == 9
    assert after["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_other_weeks_and_since(archive_org, cli, tmp_path):
    pw = secret_file(tmp_path / "pw", PASSWORD)
    out = tmp_path / "w47.xlsx"
    result = cli("customer", "archive", "export", "--week", "2026-W47", "--out", str(out), "--password-file", str(pw),
                 as_="rep_a1")
    assert result.exit_code == 0, result
    rows = data_rows(decrypt(out, PASSWORD)["Customers"])
    assert {r[1].value for r in rows if highlighted(r[0])} == {"上周客户庚"}  # 23:30 local Sunday is W47
    out = tmp_path / "since.xlsx"
    result = cli("customer", "archive", "export", "--since", "2026-11-25", "--out", str(out), "--password-file", str(pw),
                 "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    assert result.json()["period"] == "2026-11-25..2026-11-27" and result.json()["new"] == 0
    rows = data_rows(decrypt(out, PASSWORD)["Customers"])
    assert {r[1].value for r in rows if highlighted(r[0])} == {"编辑客户丙", "联系人客户丁", "转入客户辛"}
    bad = cli("customer", "archive", "export", "--week", "2026-W47", "--since", "2026-11-01", "--out",
              str(tmp_path / "x.xlsx"), "--password-file", str(pw), as_="rep_a1")
    assert bad.exit_code == 2 and "--week" in bad.stderr and not (tmp_path / "x.xlsx").exists()


def test_wrong_password_writes_nothing(archive_org, cli, db_url, tmp_path):
    before = audit_count(db_url)
    out = tmp_path / "a1.xlsx"
    wrong = secret_file(tmp_path / "wrong", "Wrong-pass-2026\n")
    result = cli("customer", "archive", "export", "--out", str(out), "--password-file", str(wrong), as_="rep_a1")
    assert result.exit_code == 2, result
    assert "--password-file" in result.stderr and "rep_a1" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Wrong-pass-2026" not in result.stderr
    assert not out.exists() and list(tmp_path.glob("*.xlsx*")) == [] and list(tmp_path.glob(".*tmp")) == []
    assert audit_count(db_url) == before
    # the environment variable is the scripts' other way; a wrong one fails the same
    env_bad = cli("customer", "archive", "export", "--out", str(out), as_="rep_a1",
                  env={"SALESCTL_ARCHIVE_PASSWORD": "Wrong-pass-2026"})
    assert env_bad.exit_code == 2 and "SALESCTL_ARCHIVE_PASSWORD" in env_bad.stderr and not out.exists()
    env_ok = cli("customer", "archive", "export", "--out", str(out), as_="rep_a1",
                 env={"SALESCTL_ARCHIVE_PASSWORD": PASSWORD})
    assert env_ok.exit_code == 0, env_ok
    assert decrypt(out, PASSWORD)["Customers"]["A1"].value
    # no terminal, no file, no variable: a usage error naming the ways to give it
    none = cli("customer", "archive", "export", "--out", str(tmp_path / "n.xlsx"), as_="rep_a1")
    assert none.exit_code == 2 and "--password-file" in none.stderr and "SALESCTL_ARCHIVE_PASSWORD" in none.stderr


def test_export_refusals(archive_org, cli, db_url, tmp_path):
    pw = secret_file(tmp_path / "pw", PASSWORD)
    before = audit_count(db_url)
    out = tmp_path / "x.xlsx"
    cases = [
        (("--rep", "rep_a2"), "rep_a1", 3, "permission denied"),
        (("--team",), "rep_a1", 3, "--team"),
        (("--week", "2026-W99"), "rep_a1", 2, "--week"),
        (("--since", "2026-12-01"), "rep_a1", 2, "--since"),
        (("--no-encrypt",), "rep_a1", 2, "--i-understand-this-file-is-unencrypted"),
        (("--i-understand-this-file-is-unencrypted",), "rep_a1", 2, "--no-encrypt"),
        (("--rep", "rep_b1"), "mgr_a", 3, "permission denied"),
        (("--rep", "rep_a1"), "rep_b1", 3, "permission denied"),
    ]
    for extra, who, code, needle in cases:
        result = cli("customer", "archive", "export", "--out", str(out), "--password-file", str(pw), *extra, as_=who)
        assert result.exit_code == code, (extra, result)
        assert needle in result.stderr, (extra, result)
        assert len(result.stderr.strip().splitlines()) == 1, result
        assert "老客户" not in result.stderr
        assert not out.exists()
    bad_suffix = cli("customer", "archive", "export", "--out", str(tmp_path / "x.csv"), "--password-file", str(pw), as_="rep_a1")
    assert bad_suffix.exit_code == 2 and ".xlsx" in bad_suffix.stderr
    # a manager without an archive password of their own
    mgr = cli("customer", "archive", "export", "--team", "--out", str(out), "--password-file", str(pw), as_="mgr_a")
    assert mgr.exit_code == 2 and "archive password set" in mgr.stderr
    assert audit_count(db_url) == before
    # an existing file needs --force
    out.write_bytes(b"old")
    exists = cli("customer", "archive", "export", "--out", str(out), "--password-file", str(pw), as_="rep_a1")
    assert exists.exit_code == 5 and "--force" in exists.stderr and out.read_bytes() == b"old"
    forced = cli("customer", "archive", "export", "--out", str(out), "--password-file", str(pw), "--force", as_="rep_a1")
    assert forced.exit_code == 0, forced
    assert decrypt(out, PASSWORD)


def test_manager_exports_the_team_with_their_own_password(archive_org, cli, tmp_path):
    mpw = secret_file(tmp_path / "m.pw", MGR_PASSWORD)
    assert cli("archive", "password", "set", "--password-file", str(mpw), as_="mgr_a").exit_code == 0
    out = tmp_path / "team.xlsx"
    result = cli("customer", "archive", "export", "--team", "--out", str(out), "--password-file", str(mpw), as_="mgr_a")
    assert result.exit_code == 0, result
    with pytest.raises(InvalidKeyError):
        decrypt(out, PASSWORD)  # the author's password, not the rep's
    rows = data_rows(decrypt(out, MGR_PASSWORD)["Customers"])
    assert {r[1].value for r in rows} == A1_ALL | {"别人客户壬"}
    assert {r[1].value for r in rows if highlighted(r[0])} == A1_W48 | {"别人客户壬"}
    # the director, with no scope flag, sees everyone
    dpw = secret_file(tmp_path / "d.pw", "Director-pw-9")
    assert cli("archive", "password", "set", "--password-file", str(dpw), as_="dir").exit_code == 0
    out = tmp_path / "all.xlsx"
    assert cli("customer", "archive", "export", "--out", str(out), "--password-file", str(dpw), as_="dir").exit_code == 0
    rows = data_rows(decrypt(out, "Director-pw-9")["Customers"])
    assert {r[1].value for r in rows} == A1_ALL | {"别人客户壬", "北方客户癸"}


def test_no_encrypt_needs_both_flags_and_is_audited(archive_org, cli, db_url, tmp_path):
    out = tmp_path / "plain.xlsx"
    result = cli("customer", "archive", "export", "--out", str(out), "--no-encrypt",
                 "--i-understand-this-file-is-unencrypted", as_="rep_a1")
    assert result.exit_code == 0, result
    assert "UNENCRYPTED" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    wb = openpyxl.load_workbook(out)  # opens without a password
    assert {r[1].value for r in data_rows(wb["Customers"]) if highlighted(r[0])} == A1_W48
    actions = query(db_url, "select action, after from audit_entry where action in ('archive.export', 'file.unencrypted') order by id")
    assert [a for a, _ in actions] == ["archive.export", "file.unencrypted"]
    assert json.loads(actions[0][1])["encrypted"] is False
    assert json.loads(actions[1][1])["path"] == str(out.resolve())


# --------------------------------------------------------------------------- passwords
def test_password_is_stored_only_as_a_salted_scrypt_hash(org, cli, db_url, tmp_path):
    pw = secret_file(tmp_path / "pw", PASSWORD + "\r\n")
    result = cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a1")
    assert result.exit_code == 0, result
    assert PASSWORD not in result.stdout + result.stderr
    rows = query(db_url, "select a.hash, a.salt, a.params, s.handle from archive_password a join staff s on s.id = a.staff_id")
    assert len(rows) == 1
    digest, salt, params, handle = rows[0]
    assert handle == "rep_a1" and PASSWORD not in digest + salt
    params = json.loads(params)
    assert params["alg"] == "scrypt" and params["n"] >= 2**14
    expected = hashlib.scrypt(PASSWORD.encode(), salt=bytes.fromhex(salt), n=params["n"], r=params["r"], p=params["p"],
                              maxmem=2**28, dklen=params["dklen"]).hex()
    assert digest == expected  # the trailing newline of the file was not part of it
    audit = query(db_url, "select after from audit_entry where action = 'archive.password.set'")
    assert len(audit) == 1
    text = audit[0][0]
    assert digest not in text and salt not in text and PASSWORD not in text
    assert json.loads(text)["staff_id"] is not None
    # the same password again is refused; a second one is a new row (the old stays as history)
    again = cli("archive", "password", "set", "--password-file", str(pw), "--old-password-file", str(pw), as_="rep_a1")
    assert again.exit_code == 2 and "used before" in again.stderr
    new = secret_file(tmp_path / "new", "Another-pass-2027")
    assert cli("archive", "password", "set", "--password-file", str(new), "--old-password-file", str(pw),
               as_="rep_a1").exit_code == 0
    assert query(db_url, "select count(*) from archive_password")[0][0] == 2
    # two people may pick the same password: different salts, different hashes
    assert cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a2").exit_code == 0
    hashes = [h for (h,) in query(db_url, "select hash from archive_password")]
    assert len(set(hashes)) == 3


@pytest.mark.parametrize("weak, needle", [
    ("Short-1", "at least 10"),
    ("1234567890123", "only digits"),
    ("abcdefghijKLM", "only letters"),
    ("销售部档案密码很长很长", "only letters"),
])
def test_weak_passwords_are_refused(org, cli, db_url, tmp_path, weak, needle):
    pw = secret_file(tmp_path / "pw", weak)
    result = cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a1")
    assert result.exit_code == 2
    assert needle in result.stderr and "--password-file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert weak not in result.stderr
    assert query(db_url, "select count(*) from archive_password")[0][0] == 0
    assert query(db_url, "select count(*) from audit_entry where action like 'archive.%'")[0][0] == 0


def test_password_age_warns_from_90_days_and_refuses_after_180(org, cli, db_url, tmp_path):
    seed(db_url)
    pw = secret_file(tmp_path / "pw", PASSWORD)

    def export(name):
        out = tmp_path / name
        return out, cli("customer", "archive", "export", "--out", str(out), "--password-file", str(pw), as_="rep_a1")

    def set_on(day):
        query_del = "delete from archive_password"
        from sqlalchemy import create_engine, text

        engine = create_engine(db_url)
        with engine.begin() as conn:
            conn.execute(text(query_del))
        engine.dispose()
        assert cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a1", now=f"{day}T10:00").exit_code == 0

    set_on("2026-08-30")  # 89 days before 2026-11-27
    out, result = export("ok.xlsx")
    assert result.exit_code == 0 and "warning" not in result.stderr and out.exists()

    set_on("2026-08-29")  # 90 days: warn, still export
    out, result = export("warn.xlsx")
    assert result.exit_code == 0, result
    assert "warning:" in result.stderr and "90 days" in result.stderr and "archive password set" in result.stderr
    assert out.exists()

    set_on("2026-05-31")  # 180 days: the last day it still works
    out, result = export("last.xlsx")
    assert result.exit_code == 0 and "warning:" in result.stderr and "0 days left" in result.stderr

    set_on("2026-05-30")  # 181 days: refused until a new one is set
    before = audit_count(db_url)
    out, result = export("refused.xlsx")
    assert result.exit_code == 2, result
    assert "181 days" in result.stderr and "archive password set" in result.stderr
    assert not out.exists() and audit_count(db_url) == before

    new = secret_file(tmp_path / "new", "Fresh-pass-2026")
    assert cli("archive", "password", "set", "--password-file", str(new), "--old-password-file", str(pw),
               as_="rep_a1").exit_code == 0
    result = cli("customer", "archive", "export", "--out", str(tmp_path / "fresh.xlsx"), "--password-file", str(new),
                 as_="rep_a1")
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_password_age_limits_come_from_the_policy(org, cli, db_url, tmp_path, monkeypatch):
    seed(db_url)
    policy = tmp_path / "policy.toml"
    policy.write_text("[archive]\npassword_warn_days = 10\npassword_max_days = 30\nmin_password_length = 16\n")
    monkeypatch.setenv("SALESCTL_POLICY", str(policy))
    pw = secret_file(tmp_path / "pw", PASSWORD)  # 17 characters
    short = secret_file(tmp_path / "short", "Only-12-char")
    result = cli("archive", "password", "set", "--password-file", str(short), as_="rep_a1")
    assert result.exit_code == 2 and "at least 16" in result.stderr
    assert cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a1", now="2026-10-20T10:00").exit_code == 0
    result = cli("customer", "archive", "export", "--out", str(tmp_path / "x.xlsx"), "--password-file", str(pw), as_="rep_a1")
    assert result.exit_code == 2 and "38 days" in result.stderr and "30" in result.stderr
    result = cli("customer", "archive", "export", "--out", str(tmp_path / "x.xlsx"), "--password-file", str(pw),
                 as_="rep_a1", now="2026-11-05T10:00")
    assert result.exit_code == 0 and "warning:" in result.stderr


def test_password_status_by_scope(archive_org, cli):
    result = cli("archive", "password", "status", "--team", "--format", "json", as_="mgr_a")
    assert result.exit_code == 0, result
    rows = {r["handle"]: r for r in result.json()}
    assert set(rows) == {"mgr_a", "rep_a1", "rep_a2"}
    assert rows["rep_a1"]["state"] == "ok" and rows["rep_a1"]["age_days"] == 26
    assert rows["rep_a2"]["state"] == "none" and rows["rep_a2"]["set_at"] is None
    assert "hash" not in json.dumps(result.json())
    assert cli("archive", "password", "status", "--rep", "rep_a1", as_="rep_b1").exit_code == 3
    later = cli("archive", "password", "status", "--format", "json", as_="rep_a1", now="2027-02-10T10:00")
    assert [(r["handle"], r["state"]) for r in later.json()] == [("rep_a1", "warn")]


# --------------------------------------------------------------------------- opening a pack
def test_manager_opens_a_reps_file_with_the_reps_password(archive_org, cli, db_url, tmp_path):
    pw = secret_file(tmp_path / "pw", PASSWORD)
    pack = tmp_path / "a1.xlsx"
    assert cli("customer", "archive", "export", "--out", str(pack), "--password-file", str(pw), as_="rep_a1").exit_code == 0

    summary = cli("customer", "archive", "open", str(pack), "--password-file", str(pw), "--format", "json", as_="mgr_a")
    assert summary.exit_code == 0, summary
    data = summary.json()
    assert data["encrypted"] is True and data["author"] == "rep_a1" and data["period"] == "2026-W48"
    sheets = {s["sheet"]: s for s in data["sheets"]}
    assert sheets["Customers"] == {"sheet": "Customers", "rows": 9, "highlighted": 6}
    assert sheets["Contacts"]["rows"] == 3 and sheets["Contacts"]["highlighted"] == 1
    assert {r["text"] for r in data["highlighted_rows"] if r["sheet"] == "Customers"} == A1_W48
    table = cli("customer", "archive", "open", str(pack), "--password-file", str(pw), as_="mgr_a")
    assert table.exit_code == 0 and "新客户乙" in table.stdout and "Highlighted" in table.stdout

    wrong = secret_file(tmp_path / "wrong", MGR_PASSWORD)
    bad = cli("customer", "archive", "open", str(pack), "--password-file", str(wrong), as_="mgr_a")
    assert bad.exit_code == 2 and "wrong password" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert bad.stdout == ""

    before = audit_count(db_url)
    out = tmp_path / "opened.xlsx"
    opened = cli("customer", "archive", "open", str(pack), "--password-file", str(pw), "--out", str(out), as_="mgr_a")
    assert opened.exit_code == 0, opened
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    wb = openpyxl.load_workbook(out)
    assert {r[1].value for r in data_rows(wb["Customers"]) if highlighted(r[0])} == A1_W48
    actions = [a for (a,) in query(db_url, "select action from audit_entry order by id")][before:]
    assert actions == ["archive.open", "file.unencrypted"]
    again = cli("customer", "archive", "open", str(pack), "--password-file", str(pw), "--out", str(out), as_="mgr_a")
    assert again.exit_code == 5
    not_office = tmp_path / "junk.xlsx"
    not_office.write_bytes(b"not a workbook")
    assert cli("customer", "archive", "open", str(not_office), as_="mgr_a").exit_code == 2


# --------------------------------------------------------------------------- archive friday
def test_friday_refuses_a_password_file_others_can_read(archive_org, cli, tmp_path, db_url):
    folder = tmp_path / "handoff"
    folder.mkdir()
    set_archive_dir(folder)
    pw = secret_file(tmp_path / "pw", PASSWORD, mode=0o644)
    before = audit_count(db_url)
    result = cli("archive", "friday", "--password-file", str(pw), as_="rep_a1")
    assert result.exit_code == 2
    assert str(pw) in result.stderr and "chmod 600" in result.stderr
    assert list(folder.iterdir()) == [] and audit_count(db_url) == before
    pw.chmod(0o640)
    assert cli("archive", "friday", "--password-file", str(pw), as_="rep_a1").exit_code == 2


def test_friday_writes_the_pack_and_manifest_into_the_configured_folder(archive_org, cli, tmp_path, db_url):
    folder = tmp_path / "handoff"
    folder.mkdir()
    set_archive_dir(folder)
    pw = secret_file(tmp_path / "pw", PASSWORD + "\n")

    dry = cli("archive", "friday", "--password-file", str(pw), "--dry-run", as_="rep_a1")
    assert dry.exit_code == 0, dry
    assert "nothing written" in dry.stderr and "6 highlighted" in dry.stderr
    assert list(folder.iterdir()) == []
    assert query(db_url, "select count(*) from audit_entry where action like 'archive.%' and action != 'archive.password.set'")[0][0] == 0

    result = cli("archive", "friday", "--password-file", str(pw), as_="rep_a1")
    assert result.exit_code == 0, result
    pack = folder / "archive-rep_a1-2026-W48.xlsx"
    manifest_path = folder / "archive-rep_a1-2026-W48.json"
    assert result.stdout.strip() == str(pack)
    assert sorted(p.name for p in folder.iterdir()) == [manifest_path.name, pack.name]
    manifest = json.loads(manifest_path.read_text())
    assert manifest["handle"] == "rep_a1" and manifest["file"] == pack.name
    assert manifest["rows"] == {"customers": 9, "contacts": 3, "visits": 1, "grade_changes": 1, "contracts": 0,
                                "receivables": 0}
    assert (manifest["new"], manifest["changed"], manifest["highlighted"]) == (1, 5, 6)
    assert manifest["sha256"] == hashlib.sha256(pack.read_bytes()).hexdigest()
    assert manifest["encrypted"] is True and "新客户乙" not in manifest_path.read_text()
    rows = data_rows(decrypt(pack, PASSWORD)["Customers"])
    assert {r[1].value for r in rows if highlighted(r[0])} == A1_W48
    assert query(db_url, "select count(*) from audit_entry where action = 'archive.friday'")[0][0] == 1
    # a rerun the same week replaces the pack (cron may run twice)
    assert cli("archive", "friday", "--password-file", str(pw), as_="rep_a1").exit_code == 0
    assert len(list(folder.iterdir())) == 2

    wrong = secret_file(tmp_path / "wrong", "Wrong-pass-2026")
    assert cli("archive", "friday", "--password-file", str(wrong), as_="rep_a2").exit_code == 2
    assert not (folder / "archive-rep_a2-2026-W48.xlsx").exists()


def test_friday_folder_from_policy_then_default(archive_org, cli, tmp_path, monkeypatch):
    pw = secret_file(tmp_path / "pw", PASSWORD)
    missing = tmp_path / "nowhere"
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[archive]\nfolder = "{missing}"\n')
    monkeypatch.setenv("SALESCTL_POLICY", str(policy))
    result = cli("archive", "friday", "--password-file", str(pw), as_="rep_a1")
    assert result.exit_code == 2 and str(missing) in result.stderr and not missing.exists()
    missing.mkdir()
    assert cli("archive", "friday", "--password-file", str(pw), as_="rep_a1").exit_code == 0
    assert (missing / "archive-rep_a1-2026-W48.xlsx").exists()
    monkeypatch.delenv("SALESCTL_POLICY")
    from salesctl import policy as policy_module

    policy_module._load.cache_clear()
    result = cli("archive", "friday", "--password-file", str(pw), "--format", "json", as_="rep_a1",
                 now="2026-12-04T16:00")
    assert result.exit_code == 0, result
    default = tmp_path / "home" / "archive" / "archive-rep_a1-2026-W49.xlsx"
    assert result.json()["file"] == str(default.resolve()) and default.exists()


def test_passwords_never_reach_the_database_or_output_in_clear(archive_org, cli, db_url, tmp_path):
    pw = secret_file(tmp_path / "pw", PASSWORD)
    runs = [
        cli("customer", "archive", "export", "--out", str(tmp_path / "a.xlsx"), "--password-file", str(pw), as_="rep_a1"),
        cli("customer", "archive", "export", "--out", str(tmp_path / "b.xlsx"), "--format", "json", as_="rep_a1",
            env={"SALESCTL_ARCHIVE_PASSWORD": PASSWORD}),
        cli("customer", "archive", "open", str(tmp_path / "a.xlsx"), "--password-file", str(pw), "--format", "json"),
    ]
    for run in runs:
        assert run.exit_code == 0, run
        assert PASSWORD not in run.stdout + run.stderr
    for (text,) in query(db_url, "select coalesce(before, '') || coalesce(after, '') from audit_entry"):
        assert PASSWORD not in text
    assert os.path.getsize(tmp_path / "a.xlsx") > 0


# --------------------------------------------------------------------------- the rule for other files
def test_customer_files_of_other_commands_follow_the_same_rule(archive_org, db_url, tmp_path):
    """services.files.write_customer_file: what CSV/JSON exports and import error files use."""
    from sqlmodel import select

    from salesctl import db
    from salesctl.errors import InvalidInput
    from salesctl.models import Staff
    from salesctl.periods import Clock
    from salesctl.services.security import files
    from salesctl.services.io import workbook
    from salesctl.services.context import Ctx
    from salesctl.services.security.passwords import Secret

    def run(target, **kw):
        with db.session(db_url, write=True) as sess:
            actor = sess.exec(select(Staff).where(Staff.handle == "rep_a1")).one()
            ctx = Ctx(session=sess, actor=actor, clock=Clock.system("2026-11-27T17:30+08:00"), url=db_url)
            xlsx = workbook.table_workbook(["name", "phone"], [["新客户乙", "13800000000"], ["=cmd()", None]], "rows")
            return files.write_customer_file(ctx, target, xlsx, b"name,phone\n", what="test export", rows=2, **kw)

    before = audit_count(db_url)
    with pytest.raises(InvalidInput, match="--no-encrypt"):
        run(tmp_path / "x.csv", secret=Secret(PASSWORD, "--password-file"), no_encrypt=False, understood=False)
    with pytest.raises(InvalidInput, match="i-understand"):
        run(tmp_path / "x.csv", secret=None, no_encrypt=True, understood=False)
    with pytest.raises(InvalidInput, match="not the archive password"):
        run(tmp_path / "x.xlsx", secret=Secret("Wrong-pass-2026", "--password-file"), no_encrypt=False, understood=False)
    assert list(tmp_path.glob("x.*")) == [] and audit_count(db_url) == before

    assert run(tmp_path / "x.xlsx", secret=Secret(PASSWORD, "--password-file"), no_encrypt=False, understood=False)
    ws = decrypt(tmp_path / "x.xlsx", PASSWORD)["rows"]
    assert ws.freeze_panes == "A2" and ws["A2"].value == "新客户乙" and ws["A3"].data_type == "s"
    assert run(tmp_path / "x.csv", secret=None, no_encrypt=True, understood=True) is False
    assert (tmp_path / "x.csv").read_bytes() == b"name,phone\n"
    assert stat.S_IMODE((tmp_path / "x.csv").stat().st_mode) == 0o600
    actions = [a for (a,) in query(db_url, "select action from audit_entry order by id")][before:]
    assert actions == ["file.encrypted", "file.unencrypted"]


# --------------------------------------------------------------------------- changing and resetting (issue 17)
def _passwords(db_url, handle):
    return query(db_url, "select a.hash from archive_password a join staff s on s.id = a.staff_id "
                         "where s.handle = :h order by a.id", h=handle)


def test_changing_an_archive_password_needs_the_current_one(org, cli, db_url, tmp_path):
    pw = secret_file(tmp_path / "pw", PASSWORD)
    new = secret_file(tmp_path / "new", "Another-pass-2027")
    wrong = secret_file(tmp_path / "wrong", "Not-the-pass-2026")
    assert cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a1").exit_code == 0
    before, audits = _passwords(db_url, "rep_a1"), audit_count(db_url)
    # acting as a person is not enough to replace their password
    result = cli("archive", "password", "set", "--password-file", str(new), as_="rep_a1")
    assert result.exit_code == 2 and "--old-password-file" in result.stderr and "archive password reset" in result.stderr
    result = cli("archive", "password", "set", "--password-file", str(new), "--old-password-file", str(wrong), as_="rep_a1")
    assert result.exit_code == 3 and "not the current archive password" in result.stderr
    assert "Not-the-pass" not in result.stderr and "Another-pass" not in result.stderr
    assert _passwords(db_url, "rep_a1") == before and audit_count(db_url) == audits
    ok = cli("archive", "password", "set", "--password-file", str(new), "--old-password-file", str(pw), as_="rep_a1")
    assert ok.exit_code == 0, ok
    assert len(_passwords(db_url, "rep_a1")) == 2


def test_a_manager_resets_a_forgotten_archive_password_audited(org, cli, db_url, tmp_path):
    pw = secret_file(tmp_path / "pw", PASSWORD)
    temp = secret_file(tmp_path / "temp", "Temporary-pass-2026")
    assert cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a1").exit_code == 0
    before = _passwords(db_url, "rep_a1")
    # a colleague, a rep of another team and the person themselves may not reset it
    for actor in ("rep_a2", "mgr_b"):
        result = cli("archive", "password", "reset", "rep_a1", "--password-file", str(temp), as_=actor)
        assert result.exit_code == 3, (actor, result)
    assert cli("archive", "password", "reset", "rep_a1", "--password-file", str(temp), as_="rep_a1").exit_code == 2
    assert _passwords(db_url, "rep_a1") == before
    result = cli("archive", "password", "reset", "rep_a1", "--password-file", str(temp), as_="mgr_a")
    assert result.exit_code == 0, result
    assert "Temporary-pass" not in result.stdout + result.stderr
    assert len(_passwords(db_url, "rep_a1")) == 2
    audit = query(db_url, "select s.handle from audit_entry a join staff s on s.id = a.actor_id "
                          "where a.action = 'archive.password.reset'")
    assert audit == [("mgr_a",)]
    # the person then changes it, giving the reset one as the old password
    new = secret_file(tmp_path / "new", "Another-pass-2027")
    assert cli("archive", "password", "set", "--password-file", str(new), "--old-password-file", str(temp),
               as_="rep_a1").exit_code == 0


@pytest.mark.parametrize("args", [
    ("archive", "password", "set"),
    ("customer", "archive", "export", "--out", "OUT"),
    ("archive", "friday", "--dry-run"),
])
def test_every_password_file_must_be_owner_only(org, cli, db_url, tmp_path, args):
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n")
    pw.chmod(0o644)
    argv = [str(tmp_path / "out.xlsx") if a == "OUT" else a for a in args]
    result = cli(*argv, "--password-file", str(pw), as_="rep_a1")
    assert result.exit_code == 2, result
    assert "chmod 600" in result.stderr and str(pw) in result.stderr
    assert not (tmp_path / "out.xlsx").exists()
