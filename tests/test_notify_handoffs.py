"""The handbook's hand-offs, sent to a real SMTP server on 127.0.0.1: `archive friday --send` (the
encrypted pack to the GM and the manager) and `report missing --notify` (reps, then managers)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from conftest import query
from notify_servers import SmtpServer, attachments_of, loopback_only, text_of
from test_meeting_fixtures import add_report, make_customer

PASSWORD = "Friday-pack-2026!"


@pytest.fixture(autouse=True)
def _loopback(monkeypatch):
    loopback_only(monkeypatch)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def _configure(cli, port, handles=("boss", "dir", "mgr_a", "mgr_b", "rm_b", "rep_a1", "rep_a2", "rep_b1")):
    assert cli("config", "set", "smtp_url", f"smtp://127.0.0.1:{port}").exit_code == 0
    assert cli("config", "set", "smtp_from", "salesctl@example.cn").exit_code == 0
    for handle in handles:
        assert cli("staff", "edit", handle, "--email", f"{handle}@example.cn", as_="boss").exit_code == 0


@pytest.fixture
def packer(org, cli, tmp_path):
    make_customer(org, "华东医疗", "rep_a1", created="2026-11-24T10:00:00+08:00")
    make_customer(org, "东方电子", "rep_a1", created="2026-11-25T10:00:00+08:00")
    pw = tmp_path / "a1.pw"
    pw.write_text(PASSWORD + "\n")
    pw.chmod(0o600)
    assert cli("archive", "password", "set", "--password-file", str(pw), as_="rep_a1",
               now="2026-11-01T10:00").exit_code == 0
    folder = tmp_path / "packs"
    folder.mkdir()
    assert cli("config", "set", "archive_dir", str(folder)).exit_code == 0
    return pw, folder


def test_archive_friday_send_mails_the_encrypted_pack_to_the_gm_and_the_manager(packer, cli, db_url, smtp):
    pw, folder = packer
    _configure(cli, smtp.port)
    result = cli("archive", "friday", "--send", "--password-file", str(pw), "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    assert "boss <boss@example.cn>" in result.stderr and "mgr_a <mgr_a@example.cn>" in result.stderr
    assert sorted(rcpt for m in smtp.messages for rcpt in m["to"]) == ["boss@example.cn", "mgr_a@example.cn"]
    assert len(smtp.messages) == 2
    pack = Path(result.json()["file"])
    data = pack.read_bytes()
    for message in (smtp.to("boss@example.cn")[0], smtp.to("mgr_a@example.cn")[0]):
        assert message["Subject"] == "[salesctl] Customer archive 2026-W48 of 销售甲一"
        assert message["Reply-To"] == "rep_a1@example.cn"
        files = attachments_of(message)
        assert [name for name, _ in files] == [pack.name] and files[0][1] == data
        from salesctl.services.security.archive import summarize
        from salesctl.services.security.files import decrypt_bytes

        opened = summarize(decrypt_bytes(files[0][1], PASSWORD, source="test", path=pack.name), pack.name,
                           encrypted=True)
        assert {s["sheet"]: s["rows"] for s in opened["sheets"]}[opened["sheets"][0]["sheet"]] == 2
        body = text_of(message)
        assert PASSWORD not in message.as_string()
        assert "Customers: 2" in body and hashlib.sha256(data).hexdigest() in body
    audit = query(db_url, "select after from audit_entry where action = 'archive.send'")
    sent = json.loads(audit[0][0])
    assert sent["sha256"] == hashlib.sha256(data).hexdigest()
    assert [r["handle"] for r in sent["recipients"]] == ["boss", "mgr_a"]
    assert query(db_url, "select purpose, result from notify_log order by id") == [("archive", "sent")] * 2


def test_archive_send_without_smtp_or_address_exits_2_and_keeps_the_pack(packer, cli, db_url, smtp):
    pw, folder = packer
    nothing = cli("archive", "friday", "--send", "--password-file", str(pw), as_="rep_a1")
    assert nothing.exit_code == 2 and "smtp_url" in nothing.stderr
    assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".xlsx"]  # the pack is still written
    _configure(cli, smtp.port, handles=("boss", "mgr_a"))
    no_email = cli("archive", "friday", "--send", "--password-file", str(pw), as_="rep_a1")
    assert no_email.exit_code == 2 and "rep_a1 has no e-mail address" in no_email.stderr
    assert smtp.messages == []
    assert cli("staff", "edit", "rep_a1", "--email", "rep_a1@example.cn", as_="boss").exit_code == 0
    smtp.stop()
    down = cli("archive", "friday", "--send", "--password-file", str(pw), as_="rep_a1")
    assert down.exit_code == 2 and "failed" in down.stderr
    assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".xlsx"]
    assert query(db_url, "select result from notify_log") == [("failed",), ("failed",)]
    assert query(db_url, "select count(*) from audit_entry where action = 'archive.send'") == [(1,)]


def test_report_missing_notify_mails_exactly_the_reps_whose_report_is_missing(org, cli, db_url, smtp):
    _configure(cli, smtp.port)
    add_report(db_url, "rep_a2", date(2026, 11, 27), submitted="2026-11-27T17:00:00+08:00")
    # 17:30: the reps are reminded; the managers not yet (the deadline is 18:00)
    early = cli("report", "missing", "--all", "--notify", as_="dir", now="2026-11-27T17:30")
    assert early.exit_code == 0, early
    assert sorted(r for m in smtp.messages for r in m["to"]) == ["rep_a1@example.cn", "rep_b1@example.cn"]
    assert smtp.to("rep_a1@example.cn")[0]["Subject"] == "[salesctl] Your daily report 2026-11-27 is missing"
    assert "Reminded 2 rep(s) and 0 manager(s)." in early.stderr
    # 18:30: reps again, and each manager learns who in their team is still missing
    smtp.messages.clear()
    late = cli("report", "missing", "--all", "--notify", as_="dir", now="2026-11-27T18:30")
    assert late.exit_code == 0, late
    assert sorted(r for m in smtp.messages for r in m["to"]) == [
        "mgr_a@example.cn", "rep_a1@example.cn", "rep_b1@example.cn", "rm_b@example.cn"]
    to_mgr_a = text_of(smtp.to("mgr_a@example.cn")[0])
    assert "rep_a1" in to_mgr_a and "rep_a2" not in to_mgr_a and "rep_b1" not in to_mgr_a
    assert "rep_b1" in text_of(smtp.to("rm_b@example.cn")[0])
    logged = query(db_url, "select s.handle, l.purpose from notify_log l join staff s on s.id = l.staff_id "
                           "order by l.id")
    assert [h for h, p in logged if p == "missing"] == ["rep_a1", "rep_b1", "rep_a1", "rep_b1", "mgr_a", "rm_b"]
    # a rep without an address is named, the others still told
    assert cli("staff", "edit", "rep_b1", "--email", "", as_="boss").exit_code == 0
    smtp.messages.clear()
    partial = cli("report", "missing", "--all", "--notify", as_="dir", now="2026-11-27T17:40")
    assert partial.exit_code == 2 and "rep_b1 has no e-mail address" in partial.stderr
    assert [r for m in smtp.messages for r in m["to"]] == ["rep_a1@example.cn"]


def test_summary_week_send_mails_html_with_charts_and_the_markdown_as_plain_text(demo, cli, db_url, smtp):
    assert cli("config", "set", "smtp_url", f"smtp://127.0.0.1:{smtp.port}").exit_code == 0
    assert cli("config", "set", "smtp_from", "salesctl@example.cn").exit_code == 0
    for handle in ("zhang.wei", "zhao.min"):
        assert cli("staff", "edit", handle, "--email", f"{handle}@example.cn").exit_code == 0
    markdown = cli("summary", "week", "--team", "--format", "markdown", as_="zhang.wei", now="2026-11-30T09:00")
    sent = cli("summary", "week", "--team", "--format", "markdown", "--send", as_="zhang.wei", now="2026-11-30T09:00")
    assert sent.exit_code == 0, sent
    assert sorted(r for m in smtp.messages for r in m["to"]) == ["zhang.wei@example.cn", "zhao.min@example.cn"]
    message = smtp.to("zhang.wei@example.cn")[0]
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"].startswith("[salesctl] Weekly summary 2026-W")
    assert text_of(message).replace("\r\n", "\n") == markdown.stdout  # the plain part is the markdown, as printed
    html = message.get_body(preferencelist=("html",)).get_content()
    assert html.startswith("<!DOCTYPE html>") and "<table" in html and "<script" not in html
    assert "Grade distribution" in html and "Pipeline by stage" in html
    assert "王芳" in html and "孙丽" not in html  # another team's rep is not in the manager's summary
    assert query(db_url, "select purpose, result from notify_log") == [("summary", "sent")] * 2
    # no address for a recipient: exit 2 naming them, nothing sent
    assert cli("staff", "edit", "zhao.min", "--email", "").exit_code == 0
    smtp.messages.clear()
    missing = cli("summary", "week", "--team", "--send", as_="zhang.wei", now="2026-11-30T09:00")
    assert missing.exit_code == 2 and "zhao.min has no e-mail address" in missing.stderr and smtp.messages == []
