"""`notify send/status/subscribe` against real servers on 127.0.0.1: an SMTP server (aiosmtpd) and an
HTTP server for webhook JSON. Each item is delivered once; a stopped server makes a run fail and a
later run deliver what was pending, exactly once. No test reaches the internet (loopback_only)."""

from __future__ import annotations

import json
import os

import pytest

from conftest import query
from notify_servers import SmtpServer, WebhookServer, loopback_only, text_of
from test_meeting_fixtures import make_customer


@pytest.fixture(autouse=True)
def _loopback(monkeypatch):
    loopback_only(monkeypatch)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def hook():
    server = WebhookServer().start()
    yield server
    server.stop()


def _mail_setup(cli, port):
    assert cli("config", "set", "smtp_url", f"smtp://127.0.0.1:{port}").exit_code == 0
    assert cli("config", "set", "smtp_from", "salesctl@example.cn").exit_code == 0
    for handle in ("boss", "dir", "mgr_a", "mgr_b", "rm_b", "rep_a1", "rep_a2", "rep_b1"):
        result = cli("staff", "edit", handle, "--email", f"{handle}@example.cn", as_="boss")
        assert result.exit_code == 0, result


def _claim(cli, db_url, now="2026-11-27T09:00"):
    """rep_b1 claims rep_a1's customer: an item for rep_a1 (claim on your customer)."""
    make_customer(db_url, "华东医疗", "rep_a1")
    result = cli("claim", "add", "华东医疗", "--need", "北方分公司", as_="rep_b1", now=now)
    assert result.exit_code == 0, result
    return int(result.stdout)


def _send(cli, now=None, code=0):
    result = cli("notify", "send", "--format", "json", as_="dir", now=now)
    assert result.exit_code == code, result
    return result.json()


def test_notify_send_delivers_each_item_once_grouped_per_person(org, cli, db_url, smtp):
    _mail_setup(cli, smtp.port)
    claim_id = _claim(cli, db_url)
    assert cli("complaint", "add", "华东医疗", "--text", "交货晚了，客户电话 13800001111", "--severity", "normal",
               as_="rep_a1").exit_code == 0
    dry = cli("notify", "send", "--dry-run", "--format", "json", as_="dir")
    assert dry.exit_code == 0, dry
    assert smtp.messages == [] and query(db_url, "select count(*) from notify_delivery") == [(0,)]
    first = _send(cli)
    assert first["failed"] == 0 and first["sent"] == len(first["messages"]) >= 2
    mails = smtp.to("rep_a1@example.cn")
    assert len(mails) == 1  # one message per person per run, with both of rep_a1's items
    body = text_of(mails[0])
    assert f"claim-against:{claim_id}" in body and "rep_b1 claims your customer" in body and "交货晚了" in body
    assert mails[0]["Subject"] == "[salesctl] 2 new item(s) for 销售甲一"
    # the manager's mail has the complaint escalated to them, nothing of another team; rep_b1's
    # manager chain gets the claim to decide
    manager = text_of(smtp.to("mgr_a@example.cn")[0])
    assert "交货晚了" in manager and "北方分公司" not in manager
    assert "北方分公司" in text_of(smtp.to("rm_b@example.cn")[0]) and smtp.to("rep_a2@example.cn") == []
    # a second run sends nothing
    count = len(smtp.messages)
    again = _send(cli)
    assert again["messages"] == [] and len(smtp.messages) == count
    stored = query(db_url, "select s.handle, d.channel, d.item_key, d.status, d.attempts from notify_delivery d "
                           "join staff s on s.id = d.staff_id where s.handle = 'rep_a1' order by d.item_key")
    assert [(h, c, s, a) for h, c, _, s, a in stored] == [("rep_a1", "email", "sent", 1)] * 2
    log = query(db_url, "select s.handle, l.channel, l.purpose, l.items, l.result from notify_log l "
                        "join staff s on s.id = l.staff_id where s.handle = 'rep_a1'")
    assert log == [("rep_a1", "email", "inbox", 2, "sent")]
    assert query(db_url, "select count(*) from audit_entry where action = 'notify.send'") == [(2,)]


def test_a_stopped_server_fails_and_a_later_run_delivers_exactly_once(org, cli, db_url, smtp):
    _mail_setup(cli, smtp.port)
    _claim(cli, db_url)
    smtp.stop()
    failed = cli("notify", "send", as_="dir")
    assert failed.exit_code == 1, failed
    assert "failed" in failed.stderr and "rep_a1@example.cn" in failed.stderr
    state = query(db_url, "select d.status, d.attempts, d.last_error is not null from notify_delivery d "
                          "join staff s on s.id = d.staff_id where s.handle = 'rep_a1'")
    assert state == [("failed", 1, True)]
    status = cli("notify", "status", "--format", "json", as_="dir").json()
    waiting = [q for q in status["queue"] if q["handle"] == "rep_a1"]
    assert waiting and waiting[0]["status"] == "failed" and waiting[0]["attempts"] == 1
    assert [row["status"] for row in status["log"] if row["handle"] == "rep_a1"] == ["failed"]
    table = cli("notify", "status", as_="dir", now="2026-11-27T17:35")
    assert table.exit_code == 0 and "Notification queue" in table.stdout and "rep_a1" in table.stdout
    zh = cli("notify", "status", as_="rep_a1", lang="zh", now="2026-11-27T17:35")
    assert zh.exit_code == 0 and "通知队列" in zh.stdout and "失败" in zh.stdout and "rep_b1" not in zh.stdout
    smtp.start()
    # within the backoff (15 minutes) nothing is retried
    assert _send(cli, now="2026-11-27T17:35")["messages"] == []
    assert smtp.messages == []
    later = _send(cli, now="2026-11-27T17:50")
    assert later["failed"] == 0 and len(smtp.to("rep_a1@example.cn")) == 1
    assert _send(cli, now="2026-11-27T17:55")["messages"] == []
    assert len(smtp.to("rep_a1@example.cn")) == 1
    assert query(db_url, "select d.status, d.attempts from notify_delivery d join staff s on s.id = d.staff_id "
                         "where s.handle = 'rep_a1'") == [("sent", 2)]


def test_quiet_hours_hold_back_all_but_urgent_items(org, cli, db_url, smtp):
    _mail_setup(cli, smtp.port)
    _claim(cli, db_url)
    assert cli("complaint", "add", "华东医疗", "--text", "设备故障停产", "--severity", "high", as_="rep_a1",
               now="2026-11-27T21:30").exit_code == 0
    night = _send(cli, now="2026-11-27T22:00")
    assert night["quiet"] is True and night["waiting"] > 0
    body = text_of(smtp.to("rep_a1@example.cn")[0])
    assert "设备故障停产" in body and "claim-against" not in body
    morning = _send(cli, now="2026-11-28T08:05")
    assert "claim-against" in text_of(smtp.to("rep_a1@example.cn")[1])
    assert "设备故障停产" not in text_of(smtp.to("rep_a1@example.cn")[1])
    assert morning["quiet"] is False


def test_a_group_robot_gets_json_without_phone_numbers_and_retries(org, cli, db_url, hook):
    _claim(cli, db_url)
    assert cli("complaint", "add", "华东医疗", "--text", "客户电话 138-0000-1111，邮箱 li@hd.cn", as_="rep_a1").exit_code == 0
    url = f"json://127.0.0.1:{hook.port}/robot"
    sub = cli("notify", "subscribe", "mgr_a", url, as_="mgr_a")
    assert sub.exit_code == 0, sub
    sub_id = int(sub.stdout)
    # the same URL twice is one channel
    assert cli("notify", "subscribe", "mgr_a", url, as_="mgr_a").stdout.strip() == str(sub_id)
    sent = _send(cli)
    assert sent["failed"] == 0
    assert [p["path"] for p in hook.posts] == ["/robot"]
    payload = hook.posts[0]["json"]
    text = payload["title"] + payload["message"]
    assert "经理甲" in text and "华东医疗" in text
    assert "1111" not in text and "li@hd.cn" not in text and "13800000000" not in text
    stored = query(db_url, "select channel, status from notify_delivery where channel = :c", c=f"channel:{sub_id}")
    assert stored and {s for _, s in stored} == {"sent"}
    audit = query(db_url, "select after from audit_entry where action = 'notify.subscribe'")
    assert json.loads(audit[0][0])["channel"] == f"json://127.0.0.1:{hook.port}/robot"
    # the webhook is down: the next item fails, then arrives once
    hook.stop()
    assert cli("complaint", "add", "华东医疗", "--text", "第二次投诉", as_="rep_a1", now="2026-11-27T18:00").exit_code == 0
    assert cli("notify", "send", as_="dir", now="2026-11-27T18:01").exit_code == 1
    hook.start()
    _send(cli, now="2026-11-27T18:20")
    assert len(hook.posts) == 2 and "第二次投诉" in hook.posts[1]["json"]["message"]
    assert _send(cli, now="2026-11-27T18:40")["messages"] == [] and len(hook.posts) == 2


def test_subscribe_checks_the_url_and_the_team(org, cli, db_url):
    bad = cli("notify", "subscribe", "rep_a1", "http://example.com/hook", as_="rep_a1")
    assert bad.exit_code == 2 and "dingtalk://" in bad.stderr and "wecombot://" in bad.stderr and "json://" in bad.stderr
    assert cli("notify", "subscribe", "rep_a1", "json://", as_="rep_a1").exit_code == 2
    other = cli("notify", "subscribe", "rep_b1", "json://127.0.0.1:9/x", as_="mgr_a")
    assert other.exit_code == 3, other
    assert cli("notify", "subscribe", "rep_a2", "json://127.0.0.1:9/x", as_="rep_a1").exit_code == 3
    for url in ("dingtalk://a1b2c3d4e5f6/", "wecombot://0123456789abcdef", "feishu://a1b2c3d4e5f6g7h8"):
        ok = cli("notify", "subscribe", "mgr_a", url, "--format", "json", as_="mgr_a")
        assert ok.exit_code == 0, ok
        assert ok.json()["channel"] == url.split("://")[0] + "://…"  # tokens are never shown
    assert query(db_url, "select count(*) from notify_channel") == [(3,)]
    # only the director or the GM runs the delivery for everyone
    assert cli("notify", "send", as_="mgr_a").exit_code == 3


def test_settings_are_checked_and_the_password_is_never_stored(org, cli, db_url, tmp_path, smtp):
    bad = cli("config", "set", "smtp_url", "http://127.0.0.1:25")
    assert bad.exit_code == 2 and "smtp://HOST:PORT" in bad.stderr and "smtps://" in bad.stderr
    assert cli("config", "set", "smtp_from", "not-an-address").exit_code == 2
    pw = tmp_path / "smtp-pw"
    pw.write_text("s3cret-smtp\n")
    pw.chmod(0o644)
    loose = cli("config", "set", "smtp_password_file", str(pw))
    assert loose.exit_code == 2 and "chmod 600" in loose.stderr
    pw.chmod(0o600)
    assert cli("config", "set", "smtp_password_file", str(pw)).exit_code == 0
    for value in ("smtp://127.0.0.1:2525?starttls=yes", "smtps://127.0.0.1:465", f"smtp://127.0.0.1:{smtp.port}"):
        assert cli("config", "set", "smtp_url", value).exit_code == 0, value
    email = cli("staff", "edit", "rep_a1", "--email", "rep a1@example", as_="boss")
    assert email.exit_code == 2 and "--email" in email.stderr
    assert query(db_url, "select email from staff where handle = 'rep_a1'") == [(None,)]
    # no SMTP server configured anywhere: exit 2 naming the setting
    os.unlink(os.path.join(os.environ["SALESCTL_HOME"], "config.toml"))
    from test_meeting_fixtures import add_report  # noqa: F401  (fixtures module shared by the tests)

    missing = cli("report", "missing", "--all", "--notify", as_="dir")
    assert missing.exit_code == 2 and "smtp_url" in missing.stderr
    dump = query(db_url, "select coalesce(before, '') || coalesce(after, '') from audit_entry")
    assert not any("s3cret-smtp" in row[0] for row in dump)
