"""Encryption at rest (SQLCipher): `db encrypt`, `--db sqlite+pysqlcipher:///…` with SALESCTL_DB_KEY, `db rekey`, `db backup`.

Skipped when the optional `sqlcipher3` package (extra `[encrypted]`) is missing,
and on PostgreSQL (encryption at rest there is the server's business), except the
one test checking that `db encrypt` refuses a PostgreSQL database.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import TEST_DB, query

try:
    import sqlcipher3
except ImportError:  # pragma: no cover - depends on the optional extra
    sqlcipher3 = None

needs_sqlcipher = pytest.mark.skipif(sqlcipher3 is None, reason="sqlcipher3 is not installed (pip install 'salesctl[encrypted]')")
sqlite_only = pytest.mark.skipif(TEST_DB != "sqlite", reason="SQLCipher encrypts SQLite files; PostgreSQL encrypts at the server")

KEY = "db-Key-2026-secret"
NEW_KEY = "db-Key-2027-rotated"
SECRET_NAME = "绝密客户甲股份有限公司"
SECRET_CONTACT = "保密联系人"


def seed_secret(url: str) -> None:
    from datetime import datetime, timezone

    from sqlalchemy import create_engine
    from sqlmodel import Session, select

    from salesctl.models import Contact, Customer, OwnershipEntry, Staff

    now = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    engine = create_engine(url)
    with Session(engine) as s:
        rep = s.exec(select(Staff.id).where(Staff.handle == "rep_a1")).one()
        c = Customer(name=SECRET_NAME, name_norm=SECRET_NAME, owner_id=rep, reported_by_id=rep, reported_at=now,
                     created_at=now, updated_at=now, address="机密路1号")
        s.add(c)
        s.flush()
        s.add(OwnershipEntry(customer_id=c.id, kind="report", staff_id=rep, to_owner_id=rep, by_id=rep, at=now))
        s.add(Contact(customer_id=c.id, name=SECRET_CONTACT, phone="13912345678", created_at=now, updated_at=now))
        s.commit()
    engine.dispose()


def db_path(url: str) -> Path:
    from sqlalchemy.engine import make_url

    return Path(make_url(url).database)


def file_bytes(path: Path) -> bytes:
    """The database file and any journal beside it: everything on disk."""
    data = path.read_bytes()
    for suffix in ("-wal", "-journal"):
        extra = Path(str(path) + suffix)
        if extra.exists():
            data += extra.read_bytes()
    return data


def cipher_query(path: Path, key: str, sql: str):
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = '{key}'")
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def cipher_url(path: Path) -> str:
    return f"sqlite+pysqlcipher:///{path}"


@pytest.fixture
def encrypted(org, cli, monkeypatch):
    """The org database with a secret customer, encrypted in place by the director."""
    seed_secret(org)
    path = db_path(org)
    from salesctl import db

    db.dispose_all()
    assert SECRET_NAME.encode() in file_bytes(path)  # the check below could fail: the plain file has it
    monkeypatch.setenv("SALESCTL_DB_KEY", KEY)
    result = cli("db", "encrypt", as_="dir")
    assert result.exit_code == 0, result
    assert "sqlite+pysqlcipher" in result.stderr
    monkeypatch.setenv("SALESCTL_DB", cipher_url(path))
    return path



@sqlite_only
@needs_sqlcipher
def test_encrypted_file_has_no_plaintext_and_works_with_the_key(encrypted, cli):
    data = file_bytes(encrypted)
    for secret in (SECRET_NAME, SECRET_CONTACT, "机密路1号", "销售甲一", "13912345678"):
        assert secret.encode() not in data
    assert not data.startswith(b"SQLite format 3")
    assert not Path(str(encrypted) + "-wal").exists() or Path(str(encrypted) + "-wal").stat().st_size == 0
    result = cli("staff", "list", "--format", "json", as_="dir")
    assert result.exit_code == 0, result
    assert "rep_a1" in {r["handle"] for r in result.json()}
    assert cipher_query(encrypted, KEY, "select name from customer") == [(SECRET_NAME,)]
    # writes go through the encrypted engine too, and stay encrypted on disk
    assert cli("staff", "add", "rep_a9", "--name", "新人秘密", "--role", "rep", "--manager", "mgr_a",
               "--region", "East", "--industry", "Retail", as_="dir").exit_code == 0
    from salesctl import db

    db.dispose_all()
    assert "新人秘密".encode() not in file_bytes(encrypted)
    assert cipher_query(encrypted, KEY, "select name from staff where handle = 'rep_a9'") == [("新人秘密",)]
    # the audit log records the conversion, never the key
    audit = cipher_query(encrypted, KEY, "select action, coalesce(after, '') from audit_entry")
    assert ("db.encrypt" in {a for a, _ in audit})
    assert all(KEY not in after for _, after in audit)


@sqlite_only
@needs_sqlcipher
def test_wrong_or_missing_key_is_one_clear_line(encrypted, cli, monkeypatch):
    monkeypatch.setenv("SALESCTL_DB_KEY", "Not-the-key-123")
    wrong = cli("staff", "list", as_="dir")
    assert wrong.exit_code == 2 and wrong.exception is None
    lines = wrong.stderr.strip().splitlines()
    assert len(lines) == 1 and "SALESCTL_DB_KEY" in lines[0] and "wrong key" in lines[0]
    assert "Not-the-key-123" not in wrong.stderr and wrong.stdout == ""
    monkeypatch.delenv("SALESCTL_DB_KEY")
    missing = cli("staff", "list", as_="dir")
    assert missing.exit_code == 2 and missing.exception is None
    assert len(missing.stderr.strip().splitlines()) == 1 and "SALESCTL_DB_KEY" in missing.stderr
    # the plain sqlite driver on the encrypted file: a hint, not a traceback
    plain = cli("--db", f"sqlite:///{encrypted}", "staff", "list", as_="dir")
    assert plain.exit_code == 2 and plain.exception is None
    assert "sqlite+pysqlcipher" in plain.stderr and len(plain.stderr.strip().splitlines()) == 1
    # the key belongs in the environment, never in the URL
    in_url = cli("--db", f"sqlite+pysqlcipher://:{KEY}@/{encrypted}", "staff", "list", as_="dir")
    assert in_url.exit_code == 2 and "SALESCTL_DB_KEY" in in_url.stderr and KEY not in in_url.stderr
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(str(encrypted)).execute("select * from customer").fetchall()


@sqlite_only
@needs_sqlcipher
def test_rekey_changes_the_key(encrypted, cli, monkeypatch, tmp_path):
    weak = cli("db", "rekey", as_="dir", env={"SALESCTL_DB_NEW_KEY": "short"})
    assert weak.exit_code == 2 and "SALESCTL_DB_NEW_KEY" in weak.stderr
    same = cli("db", "rekey", as_="dir", env={"SALESCTL_DB_NEW_KEY": KEY})
    assert same.exit_code == 2
    denied = cli("db", "rekey", as_="mgr_a", env={"SALESCTL_DB_NEW_KEY": NEW_KEY})
    assert denied.exit_code == 3
    assert cipher_query(encrypted, KEY, "select count(*) from customer") == [(1,)]
    key_file = tmp_path / "new.key"
    key_file.write_text(NEW_KEY + "\n")
    key_file.chmod(0o644)
    loose = cli("db", "rekey", "--new-key-file", str(key_file), as_="dir")
    assert loose.exit_code == 2 and "chmod 600" in loose.stderr
    key_file.chmod(0o600)
    result = cli("db", "rekey", "--new-key-file", str(key_file), as_="dir")
    assert result.exit_code == 0, result
    old = cli("staff", "list", as_="dir")
    assert old.exit_code == 2 and "wrong key" in old.stderr
    monkeypatch.setenv("SALESCTL_DB_KEY", NEW_KEY)
    assert cli("staff", "list", as_="dir").exit_code == 0
    assert SECRET_NAME.encode() not in file_bytes(encrypted)
    audit = cipher_query(encrypted, NEW_KEY, "select action, coalesce(after, '') from audit_entry where action = 'db.rekey'")
    assert len(audit) == 1 and NEW_KEY not in audit[0][1] and KEY not in audit[0][1]


@sqlite_only
@needs_sqlcipher
def test_backup_of_an_encrypted_database_stays_encrypted(encrypted, cli, tmp_path):
    target = tmp_path / "backup.db"
    result = cli("db", "backup", str(target), as_="dir")
    assert result.exit_code == 0, result
    assert SECRET_NAME.encode() not in file_bytes(target)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(str(target)).execute("select * from customer").fetchall()
    assert cipher_query(target, KEY, "select name from customer") == [(SECRET_NAME,)]
    assert (target.stat().st_mode & 0o777) == 0o600
    assert cli("db", "backup", str(tmp_path / "b2.db"), as_="rep_a1").exit_code == 3
    assert not (tmp_path / "b2.db").exists()


@sqlite_only
@needs_sqlcipher
def test_encrypt_refusals_leave_the_plain_file_alone(org, cli, monkeypatch, tmp_path):
    seed_secret(org)
    path = db_path(org)
    monkeypatch.setenv("SALESCTL_DB_KEY", KEY)
    denied = cli("db", "encrypt", as_="mgr_a")
    assert denied.exit_code == 3 and len(denied.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("SALESCTL_DB_KEY", "1234567890123")
    weak = cli("db", "encrypt", as_="dir")
    assert weak.exit_code == 2 and "only digits" in weak.stderr and "SALESCTL_DB_KEY" in weak.stderr
    monkeypatch.delenv("SALESCTL_DB_KEY")
    none = cli("db", "encrypt", as_="dir")
    assert none.exit_code == 2 and "SALESCTL_DB_KEY" in none.stderr
    from salesctl import db

    db.dispose_all()
    assert SECRET_NAME.encode() in file_bytes(path)
    assert query(org, "select name from customer") == [(SECRET_NAME,)]
    assert query(org, "select count(*) from audit_entry where action like 'db.%'") == [(0,)]
    # --out: an encrypted copy, the original untouched
    monkeypatch.setenv("SALESCTL_DB_KEY", KEY)
    copy = tmp_path / "copy.db"
    result = cli("db", "encrypt", "--out", str(copy), as_="dir")
    assert result.exit_code == 0, result
    assert SECRET_NAME.encode() not in file_bytes(copy)
    assert cipher_query(copy, KEY, "select name from customer") == [(SECRET_NAME,)]
    assert query(org, "select name from customer") == [(SECRET_NAME,)]
    again = cli("db", "encrypt", "--out", str(copy), as_="dir")
    assert again.exit_code == 5
    # an encrypted database is not encrypted twice
    already = cli("--db", cipher_url(copy), "db", "encrypt", as_="dir")
    assert already.exit_code == 2 and "db rekey" in already.stderr


@sqlite_only
@needs_sqlcipher
def test_init_creates_an_encrypted_database_directly(db_url, cli, monkeypatch, tmp_path):
    path = tmp_path / "fresh.db"
    monkeypatch.setenv("SALESCTL_DB_KEY", KEY)
    result = cli("--db", cipher_url(path), "init", "--admin", "boss", "--name", "老板本人")
    assert result.exit_code == 0, result
    assert KEY not in result.stderr
    assert "老板本人".encode() not in file_bytes(path)
    assert cipher_query(path, KEY, "select handle from staff") == [("boss",)]


@pytest.mark.skipif(TEST_DB == "sqlite", reason="PostgreSQL only")
def test_db_encrypt_refuses_postgresql(org, cli, monkeypatch):
    monkeypatch.setenv("SALESCTL_DB_KEY", KEY)
    result = cli("db", "encrypt", as_="dir")
    assert result.exit_code == 2 and "PostgreSQL" in result.stderr
