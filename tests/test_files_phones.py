"""Phone numbers through the phone library: what `customer add` and imports accept and store, and
migration 0007, which re-normalises stored phones and flags (keeps) the ones that no longer validate."""

from __future__ import annotations

import pytest

from conftest import query

REQUIRED = ("--contact", "张伟", "--title", "采购经理", "--status", "跟进中")


def add(cli, name, phone):
    return cli("customer", "add", name, *REQUIRED, "--phone", phone, as_="rep_a1")


@pytest.mark.parametrize("phone, stored", [
    ("0512-57719780", "0512-57719780"),  # Suzhou: area code 512, 8 digits
    ("+852 2123 4567", "+85221234567"),  # Hong Kong
    ("852 2123 4567", "+85221234567"),  # its country code without the plus
    ("+86 10 1234 5678", "010-12345678"),
    ("+853 2888 1234", "+85328881234"),  # Macau
    ("+886 2 2345 6789", "+886223456789"),  # Taiwan
    ("+1 650 253 0000", "+16502530000"),
    ("021-12345678 转 123", "021-12345678x123"),
])
def test_valid_numbers_are_stored_in_one_form(org, cli, db_url, phone, stored):
    result = add(cli, "甲有限公司", phone)
    assert result.exit_code == 0, result
    assert query(db_url, "select phone from contact") == [(stored,)]
    digits = "".join(ch for ch in stored.split("x")[0] if ch.isdigit())
    assert query(db_url, "select phone_norm from customer") == [(digits,)]


@pytest.mark.parametrize("phone", ["0512-5771978", "+1 999 555 2671", "0755-1234567", "12345"])
def test_numbers_the_library_rejects_are_refused_naming_the_flag(org, cli, db_url, phone):
    result = add(cli, "甲有限公司", phone)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --phone:") and phone in result.stderr
    assert "Traceback" not in result.stderr
    assert query(db_url, "select count(*) from customer") == [(0,)]


def test_an_import_row_with_a_rejected_phone_names_its_row_and_column(org, cli, db_url, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("客户名称,联系人,职务,手机,状态\n甲有限公司,张伟,经理,0512-57719780,跟进中\n"
                    "乙有限公司,李娜,经理,0512-5771978,跟进中\n", encoding="utf-8")
    result = cli("import", "customers", str(path), "--format", "json", as_="rep_a1")
    assert result.exit_code == 2
    doc = result.json()
    assert doc["written"] is False
    [problem] = doc["problems"]
    assert problem["row"] == 3 and problem["code"] == "phone" and problem["reason"].startswith("手机:")
    assert query(db_url, "select count(*) from customer") == [(0,)]


def test_demo_data_phones_validate(demo, db_url):
    assert query(db_url, "select count(*) from contact where phone_invalid") == [(0,)]
    phones = [p for (p,) in query(db_url, "select phone from contact where phone is not null")]
    assert phones and "0512-57719780" in phones


def test_migration_0007_renormalises_and_flags(demo, cli, db_url, capfd):
    from sqlalchemy import create_engine, text

    from salesctl import db
    from salesctl.migrations.runner import alembic_config

    from alembic import command

    db.dispose_all()
    engine = create_engine(db_url)
    cfg = alembic_config(engine)
    command.downgrade(cfg, "0001")
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("select id from contact order by id limit 3"))]
        conn.execute(text("update contact set phone = '+86 512 5771 9780', phone_norm = 'x' where id = :i"), {"i": ids[0]})
        conn.execute(text("update contact set phone = '0512-5771978' where id = :i"), {"i": ids[1]})
        conn.execute(text("update contact set phone = '+85221234567' where id = :i"), {"i": ids[2]})
    engine.dispose()
    result = cli("whoami")
    assert result.exit_code == 0, result
    rows = dict(((i, (p, n, f)) for i, p, n, f in
                 query(db_url, "select id, phone, phone_norm, phone_invalid from contact")))
    assert rows[ids[0]][:2] == ("0512-57719780", "051257719780") and not rows[ids[0]][2]
    assert rows[ids[1]][0] == "0512-5771978" and rows[ids[1]][2]  # kept, flagged
    assert rows[ids[2]][0] == "+85221234567" and not rows[ids[2]][2]
    assert sum(1 for p, n, f in rows.values() if f) == 1
