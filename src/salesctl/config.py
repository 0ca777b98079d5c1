"""Where salesctl keeps things: the config file (TOML), the default database, shipped data."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from salesctl.errors import InvalidInput
from salesctl.messages import t

CONFIG_KEYS = {
    "user": "acting user's handle when --as and SALESCTL_USER are not given",
    "db": "database URL when --db and SALESCTL_DB are not given",
    "lang": "zh or en",
    "policy": "path of a policy TOML overriding data/policy.toml",
    "commission_plan": "path of a commission plan TOML overriding data/commission.toml",
    "archive_dir": "folder where `archive friday` writes the weekly pack",
    # notifications (issue 21); SALESCTL_SMTP_URL / SALESCTL_SMTP_FROM / SALESCTL_SMTP_PASSWORD override
    "smtp_url": "SMTP server: smtp://HOST:PORT, smtp://HOST:PORT?starttls=yes or smtps://HOST:PORT",
    "smtp_from": "sender address of the mail salesctl sends",
    "smtp_user": "SMTP login name (when the server asks for one)",
    "smtp_password_file": "file (chmod 600) holding the SMTP password; never stored in the database",
}


def _home_override() -> Path | None:
    home = os.environ.get("SALESCTL_HOME")
    return Path(home) if home else None


def config_dir() -> Path:
    home = _home_override()
    if home:
        return home
    from platformdirs import user_config_dir

    return Path(user_config_dir("salesctl"))


def data_dir() -> Path:
    home = _home_override()
    if home:
        return home
    from platformdirs import user_data_dir

    return Path(user_data_dir("salesctl"))


def config_path() -> Path:
    return config_dir() / "config.toml"


def default_db_path() -> Path:
    return data_dir() / "salesctl.db"


def shipped_data_dir() -> Path:
    """The `data/` folder of the source tree: demo company and default policies."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "data", here.parent / "data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("salesctl's data/ folder is missing from this installation")


def load_config() -> dict:
    path = config_path()
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(t("err.config_file", path=path, error=exc)) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(t("err.not_utf8", field="config", path=path, offset=exc.start)) from None


def save_config(values: dict) -> Path:
    """Write the whole config (a fresh file); `set_value`/`unset_value` keep an existing file's comments."""
    import tomlkit

    document = tomlkit.document()
    document.add(tomlkit.comment("salesctl configuration (salesctl config set KEY VALUE)"))
    for key in sorted(values):
        document[key] = str(values[key])
    return _write(document)


def _write(document) -> Path:
    import tomlkit

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # owner-only: it may name the database
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(tomlkit.dumps(document))
    os.chmod(path, 0o600)
    return path


def _document():
    """The config file as a style-preserving document (comments, order and tables kept)."""
    import tomlkit

    path = config_path()
    if not path.exists():
        document = tomlkit.document()
        document.add(tomlkit.comment("salesctl configuration (salesctl config set KEY VALUE)"))
        return document
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except Exception as exc:  # tomlkit's ParseError
        raise InvalidInput(t("err.config_file", path=path, error=exc)) from None


def refuse_password(key: str, value: str) -> None:
    """A `db` URL holding a password is refused: the config file is plain text (use ~/.pgpass or PGPASSFILE)."""
    if key != "db" or "://" not in str(value):
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(str(value))
    except (ArgumentError, ValueError):
        return
    if url.password:
        raise InvalidInput(t("err.config_db_password"))


def shown(key: str, value) -> str:
    """A config value as `config get` prints it: a password in a `db` URL (from an older file) masked."""
    text = str(value)
    if key == "db" and "://" in text:
        from sqlalchemy.engine import make_url

        try:
            return make_url(text).render_as_string(hide_password=True)
        except Exception:
            return text
    return text


def check_key(key: str) -> str:
    if key not in CONFIG_KEYS:
        raise InvalidInput(t("err.config_key_unknown", key=key, accepted=", ".join(CONFIG_KEYS)))
    return key


def check_value(key: str, value: str) -> str:
    """The value to store, or InvalidInput naming the accepted values (paths become absolute)."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(t("err.config_value_empty", key=key))
    if key == "lang":
        lowered = text.lower().replace("_", "-")
        if lowered in ("zh", "zh-cn"):
            return "zh"
        if lowered in ("en", "en-us"):
            return "en"
        raise InvalidInput(t("err.config_value_bad", key=key, value=value, accepted="zh, en"))
    if key in ("policy", "commission_plan"):
        path = Path(text).expanduser().resolve()
        if not path.is_file():
            raise InvalidInput(t("err.config_file_missing", key=key, path=path))
        try:
            with path.open("rb") as fh:
                tomllib.load(fh)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(t("err.config_file", path=path, error=exc)) from None
        return str(path)
    if key == "archive_dir":
        path = Path(text).expanduser().resolve()
        if path.exists() and not path.is_dir():
            raise InvalidInput(t("err.config_not_dir", key=key, path=path))
        return str(path)
    return text


def set_value(key: str, value: str) -> Path:
    check_key(key)
    stored = check_value(key, value)
    document = _document()
    document[key] = stored
    return _write(document)


def unset_value(key: str) -> Path:
    check_key(key)
    document = _document()
    if key in document:
        del document[key]
    return _write(document)
