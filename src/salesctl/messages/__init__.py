"""Every user-facing label, heading and message, in English and Chinese: the one place for both.

The catalogs are the modules of this package, one per feature (`core`, `customer`,
`visit`, …), each a `MESSAGES = {key: (en, zh)}` dict; `t("key", **fields)`
returns the text in the current language. Column labels use `col.<name>` keys;
enumerations (roles, grades, statuses) use `<kind>.<value>`. Data (names, notes)
is never translated. A test checks that no key is defined twice.
"""

from __future__ import annotations

import locale
import os

_lang = None

def detect_language(explicit: str | None = None) -> str:
    value = explicit or os.environ.get("SALESCTL_LANG")
    if not value:
        for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
            if os.environ.get(var):
                value = os.environ[var]
                break
        else:
            value = (locale.getlocale()[0] or "") if hasattr(locale, "getlocale") else ""
    return "zh" if value and value.lower().startswith("zh") else "en"


def set_language(lang: str | None) -> str:
    global _lang
    _lang = detect_language(lang)
    return _lang


def language() -> str:
    global _lang
    if _lang is None:
        _lang = detect_language()
    return _lang


CATALOGS = (
    "core", "customer", "visit", "deal", "report", "summary", "claim",
    "commission", "archive", "meeting", "imports", "matching",
    "files", "handbook", "terminal", "contract", "notify", "robustness", "teamserver",
    "labels",
)
_messages: dict[str, tuple[str, str]] | None = None


def catalog() -> dict[str, tuple[str, str]]:
    """All catalogs merged (loaded on first use)."""
    global _messages
    if _messages is None:
        import importlib

        merged: dict[str, tuple[str, str]] = {}
        for name in CATALOGS:
            try:
                module = importlib.import_module(f"salesctl.messages.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"salesctl.messages.{name}":
                    raise
                continue
            for key, pair in module.MESSAGES.items():
                if key in merged:
                    raise KeyError(f"message key {key!r} is defined in two catalogs")
                merged[key] = pair
        _messages = merged
    return _messages


CLIP_AT = 200  # a user value echoed in a message is cut to this many characters
_NOT_CLIPPED = frozenset(("accepted", "columns", "fields", "flags", "highlighted", "example", "hint"))


def clip(value, limit: int = CLIP_AT):
    """A user-supplied value as a message may echo it: long text cut, with its length said."""
    if hasattr(value, "__fspath__") or isinstance(value, BaseException):  # a path, an error naming one
        value = str(value)
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit // 2]}…({len(value)} characters)"
    return value


def t(key: str, /, **fields) -> str:
    pair = catalog().get(key)
    if pair is None:
        text = key
    else:
        text = pair[1] if language() == "zh" else pair[0]
    if not fields:
        return text
    return text.format(**{k: v if k in _NOT_CLIPPED else clip(v) for k, v in fields.items()})


_STORED = '{"msg":'


def stored_text(key: str, /, **params) -> str:
    """A generated text as the database keeps it: its message key and parameters (JSON), so it is shown
    in the reader's language, not the writer's. `render_stored` turns it into text; a parameter may
    itself be a stored text (a tier label inside a rule), kept as a nested object."""
    import json

    def nested(value):
        if isinstance(value, str) and value.startswith(_STORED):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    return json.dumps({"msg": key, "params": {k: nested(v) for k, v in params.items()}}, ensure_ascii=False,
                      separators=(",", ":"), default=str)


def render_stored(value):
    """The text of a stored value: a `stored_text` in the current language; plain text (rows written
    before texts were stored as keys, user notes) as it is."""
    if not isinstance(value, str) or not value.startswith(_STORED):
        return value
    import json

    try:
        return _render(json.loads(value), value)
    except (ValueError, KeyError, TypeError, AttributeError):
        return value


def _render(data, original):
    if not isinstance(data, dict):
        return data
    key, params = data["msg"], data.get("params") or {}
    if key not in catalog():
        return original
    return t(key, **{name: _render(v, v) for name, v in params.items()})


def scope_text(scope: str) -> str:
    """A scope's label (`all`, `team:zhang.wei`, `rep:li.na`) as a title shows it."""
    kind, _, handle = str(scope).partition(":")
    if kind in ("team", "rep") and handle:
        return t(f"scope.{kind}", handle=handle)
    return label("scope", scope)


def label(kind: str, value) -> str:
    """Translate an enumeration value (role, grade, status); unknown values pass through."""
    if value is None:
        return ""
    key = f"{kind}.{value}"
    return t(key) if key in catalog() else str(value)
