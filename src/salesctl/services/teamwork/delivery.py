"""Getting a message out: the SMTP settings, channel URLs, and delivery through Apprise.

E-mail: the message is composed with the standard library's `email` package (a plain-text part,
optionally an HTML alternative, optionally attachments) and handed to Apprise's SMTP transport
(`AppriseSMTPController`: plain, STARTTLS or SSL, login), so the plain part of an HTML mail can be
the markdown itself and attachments stay byte-exact. Channels (DingTalk, WeCom bot, Feishu/Lark,
generic JSON webhooks, mailto) go through `apprise.Apprise().notify()`.

Settings: `smtp_url` (smtp://HOST:PORT, ?starttls=yes, smtps://HOST:PORT), `smtp_from`, `smtp_user`,
`smtp_password_file` (private, 0600) from the config file; SALESCTL_SMTP_URL, SALESCTL_SMTP_FROM and
SALESCTL_SMTP_PASSWORD override them (for cron). The password is never stored in the database.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, urlsplit

from salesctl.errors import InvalidInput
from salesctl.messages import t

CHANNEL_SCHEMES = ("mailto", "mailtos", "dingtalk", "wecombot", "feishu", "lark", "json", "jsons")
ROBOT_SCHEMES = ("dingtalk", "wecombot", "feishu", "lark", "json", "jsons")
SETTING_KEYS = ("smtp_url", "smtp_from", "smtp_user", "smtp_password_file")
_EMAIL = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[^@\s<>,;\"'.]+$")
_PHONE = re.compile(r"(?<![\w])\+?\d[\d\s\-()]{5,}\d(?![\w])")
_ADDRESS = re.compile(r"[^@\s<>,;\"']+@[^@\s<>,;\"']+")
TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    """A message did not get out (server down, refused, bad credentials): retried on the next run."""


def check_email(value: str | None, field: str = "--email") -> str | None:
    """An e-mail address, trimmed; None/"" stays empty; anything else is exit 2 naming the field."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return ""
    if not _EMAIL.match(text) or len(text) > 200:
        raise InvalidInput(t("notify.err.email", field=field, value=value))
    return text


def check_channel_url(url: str) -> str:
    """An Apprise URL of an accepted scheme that Apprise can parse; returns the scheme."""
    text = (url or "").strip()
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    accepted = ", ".join(f"{s}://" for s in CHANNEL_SCHEMES)
    if scheme not in CHANNEL_SCHEMES or len(text) > 1000:
        raise InvalidInput(t("notify.err.channel", value=url, schemes=accepted))
    import apprise

    if apprise.Apprise.instantiate(text) is None:
        raise InvalidInput(t("notify.err.channel", value=url, schemes=accepted))
    return scheme


def redact_url(url: str) -> str:
    """scheme://host… without tokens, keys or passwords (for tables, logs and the audit)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme in ("json", "jsons", "mailto", "mailtos"):
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path if parts.scheme.startswith('json') else ''}"
    return f"{parts.scheme}://…"


def mask_contacts(text: str) -> str:
    """Phone numbers and e-mail addresses replaced, for group-robot messages."""
    return _PHONE.sub("***", _ADDRESS.sub("***", text))


# --------------------------------------------------------------------------- SMTP settings
@dataclass
class SmtpSettings:
    host: str
    port: int
    mode: str  # insecure | starttls | ssl (Apprise's SMTPSecureMode values)
    sender: str
    user: str | None
    password: str | None


def parse_smtp_url(value: str) -> tuple[str, int, str]:
    text = (value or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidInput(t("notify.err.smtp_url", value=value)) from None
    query = {k.lower(): v[-1].lower() for k, v in parse_qs(parts.query).items()}
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname or parts.username or parts.path not in ("", "/"):
        raise InvalidInput(t("notify.err.smtp_url", value=value))
    if set(query) - {"starttls"} or query.get("starttls", "no") not in ("yes", "no", "true", "false", "1", "0"):
        raise InvalidInput(t("notify.err.smtp_url", value=value))
    if parts.scheme == "smtps":
        return parts.hostname, port or 465, "ssl"
    starttls = query.get("starttls", "no") in ("yes", "true", "1")
    return parts.hostname, port or (587 if starttls else 25), "starttls" if starttls else "insecure"


def validate_setting(key: str, value: str) -> None:
    """What `config set` checks for the notification keys (exit 2 naming the key)."""
    if key == "smtp_url":
        parse_smtp_url(value)
    elif key == "smtp_from":
        check_email(value, "smtp_from")
    elif key == "smtp_password_file":
        from salesctl.services.security.passwords import read_secret_file

        read_secret_file(value, "smtp_password_file")


def smtp_settings() -> SmtpSettings:
    """The configured SMTP server, or exit 2 naming the missing setting."""
    from salesctl import config

    values = config.load_config()
    url = os.environ.get("SALESCTL_SMTP_URL") or values.get("smtp_url")
    if not url:
        raise InvalidInput(t("notify.err.smtp_missing"))
    host, port, mode = parse_smtp_url(str(url))
    sender = os.environ.get("SALESCTL_SMTP_FROM") or values.get("smtp_from")
    if not sender:
        raise InvalidInput(t("notify.err.from_missing"))
    sender = check_email(str(sender), "smtp_from")
    user = values.get("smtp_user") or None
    password = os.environ.get("SALESCTL_SMTP_PASSWORD") or None
    if password is None and values.get("smtp_password_file"):
        from salesctl.services.security.passwords import read_secret_file

        password = read_secret_file(str(values["smtp_password_file"]), "smtp_password_file")
    return SmtpSettings(host, port, mode, sender, str(user) if user else None, password)


def smtp_configured() -> bool:
    from salesctl import config

    return bool(os.environ.get("SALESCTL_SMTP_URL") or config.load_config().get("smtp_url"))


# --------------------------------------------------------------------------- sending
@dataclass
class Attachment:
    name: str
    data: bytes
    mimetype: str = "application/octet-stream"


def compose(settings: SmtpSettings, to: str, subject: str, text: str, *, html: str | None = None,
            attachments: tuple[Attachment, ...] = (), sender_name: str = "salesctl",
            reply_to: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = " ".join(subject.split())
    msg["From"] = formataddr((sender_name, settings.sender))
    msg["To"] = to
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Message-ID"] = make_msgid(domain=settings.sender.split("@")[-1])
    msg["X-Application"] = "salesctl"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for item in attachments:
        maintype, _, subtype = item.mimetype.partition("/")
        msg.add_attachment(item.data, maintype=maintype, subtype=subtype or "octet-stream", filename=item.name)
    return msg


def send_email(settings: SmtpSettings, to: str, subject: str, text: str, **kw) -> None:
    """One message to one address over Apprise's SMTP transport; DeliveryFailed when it did not get out."""
    from apprise.plugins.email.smtp import SMTP_EXCEPTIONS, AppriseSMTPController

    message = compose(settings, to, subject, text, **kw)
    try:
        with AppriseSMTPController(host=settings.host, port=settings.port, secure_mode=settings.mode,
                                   user=settings.user, password=settings.password,
                                   socket_connect_timeout=TIMEOUT_SECONDS) as smtp:
            if not smtp.sendmail(settings.sender, [to], message.as_string()):
                raise DeliveryFailed(t("notify.err.send_failed", to=to, error="refused by the server"))
    except SMTP_EXCEPTIONS as exc:
        raise DeliveryFailed(t("notify.err.send_failed", to=to, error=str(exc) or type(exc).__name__)) from None


def send_channel(url: str, title: str, body: str) -> None:
    """One message to one Apprise channel URL; DeliveryFailed when Apprise reports failure."""
    import apprise

    asset = apprise.AppriseAsset(plugin_paths=[], storage_mode="memory")  # no user plugins, no files
    hub = apprise.Apprise(asset=asset)
    if not hub.add(url):
        raise DeliveryFailed(t("notify.err.send_failed", to=redact_url(url), error="not an accepted URL"))
    if not hub.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT):
        raise DeliveryFailed(t("notify.err.send_failed", to=redact_url(url), error="the channel did not accept it"))
