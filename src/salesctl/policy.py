"""The policy TOML: defaults shipped in data/policy.toml, overridden key by key by the configured file."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from salesctl.errors import InvalidInput
from salesctl.messages import t


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InvalidInput(t("err.policy_missing", path=path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(t("err.policy_file", path=path, error=exc)) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(t("err.not_utf8", field="policy", path=path, offset=exc.start)) from None
    except OSError as exc:
        raise InvalidInput(t("err.policy_file", path=path, error=exc.strerror or exc)) from None


@lru_cache(maxsize=8)
def _load(override_path: str | None) -> dict:
    from salesctl.config import shipped_data_dir

    policy = _read(shipped_data_dir() / "policy.toml")
    if override_path:
        from salesctl.policy_schema import validate_policy_file

        validate_policy_file(override_path)  # one schema: unknown keys, wrong types, ranges (exit 2, file:line: key)
        policy = _merge(policy, _read(Path(override_path).expanduser()))
    return policy


def load_policy() -> dict:
    """The effective policy: SALESCTL_POLICY, else the config's `policy`, over the shipped defaults."""
    import os

    from salesctl.config import load_config

    override = os.environ.get("SALESCTL_POLICY") or load_config().get("policy")
    return _load(override or None)


def section(name: str) -> dict:
    return load_policy().get(name, {})
