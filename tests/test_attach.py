"""Attachments: stored encrypted (AES-GCM), deduplicated, typed from their bytes, scoped, audited."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import _is_pg, query
from test_visit_fixtures import add_deal, assert_refused, make_customer

SECRET = b"CONFIDENTIAL-PRICE-LIST-ROW-7731-HUAGUANG"
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       + (b"(" + SECRET + b") Tj\n") * 60 + b"%%EOF\n")  # about 3 KB


def counts(url: str) -> dict:
    return {t: query(url, f"select count(*) from {t}")[0][0]
            for t in ("attachment", "attachment_blob", "attachment_key", "audit_entry")}


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    pdf = folder / "报价单.pdf"
    pdf.write_bytes(PDF)
    return folder


@pytest.fixture
def customer(org, db_url):
    return make_customer(db_url, "华光科技", "rep_a1", grade="A")


def _database_bytes(db_url: str) -> bytes:
    path = Path(db_url.split("///", 1)[1])
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_an_attachment_is_encrypted_returned_identical_and_scoped(customer, files, cli, db_url, tmp_path):
    added = cli("attach", "add", "customer", str(customer), str(files / "报价单.pdf"), "--note", "quote v2", as_="rep_a1")
    assert added.exit_code == 0, added
    aid = int(added.stdout)
    assert "application/pdf" in added.stderr and "stored encrypted" in added.stderr
    # no plaintext in the database (file or server), and none in the salesctl data folder
    blob = query(db_url, "select ciphertext, nonce from attachment_blob")[0]
    assert SECRET not in bytes(blob[0]) and b"%PDF" not in bytes(blob[0]) and len(bytes(blob[1])) == 12
    if not _is_pg():
        from salesctl import db

        db.dispose_all()  # checkpoint: everything is in the file
        assert SECRET not in _database_bytes(db_url)
        assert b"%PDF-1.4" not in _database_bytes(db_url)
    home = Path(os.environ["SALESCTL_HOME"])
    for path in home.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_bytes(), path
    if not _is_pg():
        keys = list((home / "keys").iterdir())
        assert len(keys) == 1 and (keys[0].stat().st_mode & 0o777) == 0o600
        assert (keys[0].parent.stat().st_mode & 0o777) == 0o700
    else:
        assert query(db_url, "select stored_key is not null from attachment_key") == [(True,)]
    # byte-identical through salesctl
    out = tmp_path / "back.pdf"
    got = cli("attach", "get", str(aid), "--out", str(out), as_="mgr_a")
    assert got.exit_code == 0, got
    assert out.read_bytes() == PDF and (out.stat().st_mode & 0o777) == 0o600
    assert query(db_url, "select count(*) from audit_entry where action = 'attachment.get' and entity_id = :i",
                 i=aid) == [(1,)]
    # a rep of another team may not list, get or add
    before = counts(db_url)
    assert cli("attach", "get", str(aid), "--out", str(tmp_path / "x.pdf"), as_="rep_b1").exit_code == 3
    assert cli("attach", "list", "customer", str(customer), as_="rep_b1").exit_code == 3
    assert cli("attach", "add", "customer", str(customer), str(files / "报价单.pdf"), as_="rep_b1").exit_code == 3
    assert cli("attach", "get", str(aid), "--out", str(tmp_path / "y.pdf"), as_="mgr_b").exit_code == 3
    assert not (tmp_path / "x.pdf").exists() and counts(db_url) == before
    listed = cli("attach", "list", "customer", "华光科技", "--format", "json", as_="rep_a1").json()
    assert [(r["id"], r["filename"], r["content_type"], r["size"], r["note"]) for r in listed] == [
        (aid, "报价单.pdf", "application/pdf", len(PDF), "quote v2")]
    # an existing --out is not overwritten without --force
    assert_refused(cli("attach", "get", str(aid), "--out", str(out), as_="rep_a1"), 5, "--force")
    assert cli("attach", "get", str(aid), "--out", str(out), "--force", as_="rep_a1").exit_code == 0


def test_same_content_is_stored_once(customer, files, cli, db_url):
    deal = add_deal(cli, "华光科技", as_="rep_a1")
    assert cli("attach", "add", "customer", str(customer), str(files / "报价单.pdf"), as_="rep_a1").exit_code == 0
    again = cli("attach", "add", "deal", str(deal), str(files / "报价单.pdf"), as_="rep_a1")
    assert again.exit_code == 0 and "kept once" in again.stderr
    assert query(db_url, "select count(*) from attachment")[0][0] == 2
    assert query(db_url, "select count(*) from attachment_blob")[0][0] == 1
    # the dedup key is keyed: not the file's plain SHA-256
    import hashlib

    assert query(db_url, "select digest from attachment_blob")[0][0] != hashlib.sha256(PDF).hexdigest()


def test_type_comes_from_the_bytes_and_programs_are_refused(customer, files, cli, db_url):
    disguised = files / "invoice.pdf"
    disguised.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 200)
    elf = files / "notes.txt"
    elf.write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 200)
    script = files / "readme.txt"
    script.write_bytes(b"#!/bin/sh\nrm -rf ~\n")
    bat = files / "run.bat"
    bat.write_bytes(b"echo hi\r\n")
    before = counts(db_url)
    for path, needle in ((disguised, "application/x-msdownload"), (elf, "application/x-executable"),
                         (script, "executables are not accepted"), (bat, ".bat files are not accepted")):
        assert_refused(cli("attach", "add", "customer", str(customer), str(path), as_="rep_a1"), 2, needle)
    assert counts(db_url) == before
    png = files / "photo.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    done = cli("attach", "add", "customer", str(customer), str(png), "--format", "json", as_="rep_a1")
    assert done.exit_code == 0 and done.json()["content_type"] == "image/png"
    text = files / "纪要.md"
    text.write_text("客户要求三月交付\n", encoding="utf-8")
    done = cli("attach", "add", "customer", str(customer), str(text), "--format", "json", as_="rep_a1")
    assert done.json()["content_type"] == "text/plain"


def test_the_size_limit_comes_from_the_policy(customer, files, cli, db_url, tmp_path, monkeypatch):
    policy = tmp_path / "policy.toml"
    policy.write_text("[attachments]\nmax_size_mb = 0.001\n", encoding="utf-8")  # 1048 bytes
    monkeypatch.setenv("SALESCTL_POLICY", str(policy))
    before = counts(db_url)
    assert_refused(cli("attach", "add", "customer", str(customer), str(files / "报价单.pdf"), as_="rep_a1"), 2,
                   "attachments.max_size_mb")
    assert counts(db_url) == before
    small = files / "small.txt"
    small.write_bytes(b"x" * 1000)
    assert cli("attach", "add", "customer", str(customer), str(small), as_="rep_a1").exit_code == 0


def test_removed_attachments_are_hidden_from_reps_and_kept(customer, files, cli, db_url, tmp_path):
    aid = cli("attach", "add", "customer", str(customer), str(files / "报价单.pdf"), as_="rep_a1").stdout.strip()
    assert_refused(cli("attach", "remove", aid, as_="rep_a1"), 2, "--reason")
    assert cli("attach", "remove", aid, "--reason", "wrong file", as_="rep_a1").exit_code == 0
    assert cli("attach", "list", "customer", str(customer), "--format", "json", as_="rep_a1").json() == []
    refused = cli("attach", "get", aid, "--out", str(tmp_path / "a.pdf"), as_="rep_a1")
    assert_refused(refused, 4, f"no attachment {aid}")
    assert cli("attach", "list", "customer", str(customer), "--removed", as_="rep_a1").exit_code == 3
    kept = cli("attach", "list", "customer", str(customer), "--removed", "--format", "json", as_="mgr_a").json()
    assert [(r["removed"], r["removed_reason"]) for r in kept] == [(True, "wrong file")]
    assert cli("attach", "get", aid, "--out", str(tmp_path / "m.pdf"), as_="mgr_a").exit_code == 0
    assert (tmp_path / "m.pdf").read_bytes() == PDF
    assert query(db_url, "select count(*) from attachment_blob")[0][0] == 1  # kept for the audit


def test_records_of_every_kind_and_bad_input(customer, files, cli, db_url):
    deal = add_deal(cli, "华光科技", as_="rep_a1")
    visit = cli("visit", "log", "华光科技", "--contact", "李总", "--kind", "call", "--content", "报价", "--result", "待定",
                as_="rep_a1")
    assert visit.exit_code == 0, visit
    complaint = cli("complaint", "add", "华光科技", "--text", "交付延迟", as_="rep_a1")
    assert complaint.exit_code == 0, complaint
    assert cli("deal", "won", str(deal), as_="rep_a1").exit_code == 0
    contract = cli("contract", "add", str(deal), "--number", "HT-1", "--signed", "today", "--amount", "1000",
                   "--file", str(files / "报价单.pdf"), as_="rep_a1")
    assert contract.exit_code == 0 and "attachment" in contract.stderr, contract
    for entity, ref in (("deal", str(deal)), ("visit", visit.stdout.strip()), ("complaint", complaint.stdout.strip()),
                        ("contract", "HT-1")):
        result = cli("attach", "add", entity, ref, str(files / "报价单.pdf"), as_="rep_a1")
        assert result.exit_code == 0, (entity, result)
        assert cli("attach", "list", entity, ref, as_="rep_b1").exit_code == 3, entity
    assert query(db_url, "select entity from attachment order by id") == [
        ("contract",), ("deal",), ("visit",), ("complaint",), ("contract",)]
    before = counts(db_url)
    assert_refused(cli("attach", "add", "invoice", "1", str(files / "报价单.pdf"), as_="rep_a1"), 2,
                   "accepted: customer, visit, deal, contract, complaint")
    assert_refused(cli("attach", "add", "deal", "999", str(files / "报价单.pdf"), as_="rep_a1"), 4, "999")
    assert_refused(cli("attach", "add", "deal", str(deal), str(files / "missing.pdf"), as_="rep_a1"), 2, "missing.pdf")
    assert counts(db_url) == before


def test_a_wrong_or_missing_key_fails_in_one_line(customer, files, cli, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SALESCTL_ATTACHMENT_KEY", "a department passphrase 2026")
    aid = cli("attach", "add", "customer", str(customer), str(files / "报价单.pdf"), as_="rep_a1").stdout.strip()
    assert query(db_url, "select stored_key from attachment_key") == [(None,)]  # the key stays in the environment
    assert cli("attach", "get", aid, "--out", str(tmp_path / "ok.pdf"), as_="rep_a1").exit_code == 0
    monkeypatch.setenv("SALESCTL_ATTACHMENT_KEY", "another passphrase of 2026")
    assert_refused(cli("attach", "get", aid, "--out", str(tmp_path / "no.pdf"), as_="rep_a1"), 2,
                   "attachment key does not match")
    monkeypatch.delenv("SALESCTL_ATTACHMENT_KEY")
    result = cli("attach", "get", aid, "--out", str(tmp_path / "no.pdf"), as_="rep_a1")
    assert result.exit_code == 2 and not (tmp_path / "no.pdf").exists(), result


def test_on_the_team_server_a_rep_attaches_with_their_own_login(org_logins, files, cli, db_url, tmp_path):
    """A fresh team server: a rep's login makes the key, stores the content, and another team sees none of it."""
    if "rep_a1" not in cli.logins:
        pytest.skip("team server (PostgreSQL) only")
    mine = make_customer(db_url, "华光科技", "rep_a1", grade="A")
    theirs = make_customer(db_url, "北辰贸易", "rep_b1", grade="B")
    assert counts(db_url)["attachment_key"] == 0
    added = cli("attach", "add", "customer", str(mine), str(files / "报价单.pdf"), as_="rep_a1")
    assert added.exit_code == 0, added
    aid = int(added.stdout)
    assert query(db_url, "select count(*) from attachment_key")[0][0] == 1
    # the same file on another team's customer is kept once, and each side sees only its own attachment
    again = cli("attach", "add", "customer", str(theirs), str(files / "报价单.pdf"), as_="rep_b1")
    assert again.exit_code == 0 and "kept once" in again.stderr, again
    assert query(db_url, "select count(*) from attachment_blob")[0][0] == 1
    out = tmp_path / "back.pdf"
    assert cli("attach", "get", str(aid), "--out", str(out), as_="mgr_a").exit_code == 0
    assert out.read_bytes() == PDF
    assert cli("attach", "get", str(aid), "--out", str(tmp_path / "x.pdf"), as_="rep_b1").exit_code in (3, 4)
    assert not (tmp_path / "x.pdf").exists()
    # directly with psql-like access: the key is append-only, the content goes in only through the function
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(cli.logins["rep_b1"])
    with psycopg.connect(dbname=url.database, user=url.username, host=url.query.get("host")) as conn:
        conn.autocommit = True
        for sql in ("update attachment_key set check_value = 'x'", "delete from attachment_key",
                    "insert into attachment_blob (digest, key_id, nonce, ciphertext, size, created_at) "
                    "values ('d', 'k', '\\x00', '\\x00', 1, now())"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
        assert conn.execute("select count(*) from attachment_blob").fetchone()[0] == 1  # only the blob its own file holds
    assert query(db_url, "select count(*) from attachment_key")[0][0] == 1
