"""Archive passwords: reading them safely, the strength rule, the slow salted hash, and the age policy.

The password belongs to its author (the handbook: set by the person who fills the
form, then told to the department); salesctl keeps only an scrypt hash with its
random salt, parameters and set date (`ArchivePassword`, one row per password
ever set, the newest is the current one). The age policy comes from the policy
file's [archive] section: warn from `password_warn_days`, refuse exports after
`password_max_days` until a new password is set. Passwords never reach stdout,
stderr, the audit log or the database in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlmodel import select

from salesctl.errors import InvalidInput, PermissionDenied
from salesctl.messages import t
from salesctl.models import ArchivePassword, Staff

PASSWORD_ENV = "SALESCTL_ARCHIVE_PASSWORD"
# scrypt cost: 2**15 × 8 × 128 bytes = 32 MiB of memory per check, ~0.1 s
SCRYPT = {"alg": "scrypt", "n": 2**15, "r": 8, "p": 1, "dklen": 32}
REUSE_CHECK = 5  # a new password may not repeat one of the last N


# --------------------------------------------------------------------------- reading secrets
@dataclass(frozen=True)
class Secret:
    value: str = field(repr=False)  # never shown, not even in a traceback's repr
    source: str  # the flag or variable it came from, for messages (never the value)


def read_secret_file(path: str, flag: str) -> str:
    """The file's text without its trailing newline; a file group or others may read is refused.

    The one owner-only check for every password, key and login file a command reads:
    a secret in a readable file has already leaked, whichever command reads it.
    """
    target = Path(path).expanduser()
    try:
        info = target.stat()
    except OSError as exc:
        raise InvalidInput(t("archive.err.cannot_read", flag=flag, path=target, reason=exc.strerror)) from None
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise InvalidInput(t("archive.err.file_not_private", flag=flag, path=target,
                             mode=oct(stat.S_IMODE(info.st_mode))[2:]))
    try:
        text = target.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(t("archive.err.cannot_read", flag=flag, path=target, reason=exc.strerror)) from None
    except UnicodeDecodeError:
        raise InvalidInput(t("archive.err.not_utf8", flag=flag, path=target)) from None
    value = text.rstrip("\r\n")
    if not value:
        raise InvalidInput(t("archive.err.file_empty", flag=flag, path=target))
    return value


def obtain_secret(
    path: str | None,
    *,
    flag: str = "--password-file",
    env: str = PASSWORD_ENV,
    prompt: str,
    confirm: str | None = None,
) -> Secret:
    """A secret from a file, else the environment variable, else a no-echo prompt at a terminal."""
    from salesctl import render

    if path is not None:
        return Secret(read_secret_file(path, flag), flag)
    value = os.environ.get(env)
    if value:
        return Secret(value, env)
    if not render.interactive():
        raise InvalidInput(t("archive.err.no_password", flag=flag, env=env))
    from salesctl import prompts

    first = prompts.password(prompt)
    if not first:
        raise InvalidInput(t("archive.err.prompt_cancelled", flag=flag))
    if confirm is not None:
        second = prompts.password(confirm)
        if second != first:
            raise InvalidInput(t("archive.err.prompt_mismatch", flag=flag))
    return Secret(first, "prompt")


# --------------------------------------------------------------------------- strength and hash
def policy() -> dict:
    from salesctl.policy import section

    archive = section("archive")
    return {
        "warn_days": int(archive.get("password_warn_days", 90)),
        "max_days": int(archive.get("password_max_days", 180)),
        "min_length": int(archive.get("min_password_length", 10)),
    }


def check_strength(password: str, field: str) -> None:
    """At least min_password_length characters, and not only digits or only letters."""
    minimum = policy()["min_length"]
    if len(password) < minimum:
        raise InvalidInput(t("archive.err.too_short", field=field, minimum=minimum, length=len(password)))
    if password.isdigit():
        raise InvalidInput(t("archive.err.only_digits", field=field))
    if password.isalpha():
        raise InvalidInput(t("archive.err.only_letters", field=field))
    if not password.strip() or password != password.strip():
        raise InvalidInput(t("archive.err.spaces", field=field))


def _derive(password: str, salt: bytes, params: dict) -> bytes:
    if params.get("alg") != "scrypt":
        raise InvalidInput(t("archive.err.unknown_alg", alg=repr(params.get("alg"))))
    n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * r * n + 1024 * 1024, dklen=int(params["dklen"]))


def hash_password(password: str) -> tuple[str, str, str]:
    """(hash hex, salt hex, params JSON) for a new password."""
    salt = secrets.token_bytes(16)
    return _derive(password, salt, SCRYPT).hex(), salt.hex(), json.dumps(SCRYPT, sort_keys=True)


def verify(record: ArchivePassword, password: str) -> bool:
    params = json.loads(record.params)
    derived = _derive(password, bytes.fromhex(record.salt), params)
    return hmac.compare_digest(derived.hex(), record.hash)


# --------------------------------------------------------------------------- stored passwords
def current(session, staff_id: int) -> ArchivePassword | None:
    stmt = (select(ArchivePassword).where(ArchivePassword.staff_id == staff_id)
            .order_by(ArchivePassword.set_at.desc(), ArchivePassword.id.desc()).limit(1))
    return session.exec(stmt).first()


def set_password(ctx, password: str, field: str = "password", old: Secret | None = None) -> ArchivePassword:
    """Store a new archive password for the acting user (strength-checked, not a recent one).

    Changing an existing password needs the current one (`old`): acting as a person is not
    enough to replace their password; a forgotten one is reset by a manager (`reset_password`).
    """
    check_strength(password, field)
    existing = current(ctx.session, ctx.actor.id)
    if existing is not None:
        if old is None:
            raise InvalidInput(t("archive.err.old_needed", handle=ctx.actor.handle))
        if not verify(existing, old.value):
            raise PermissionDenied(t("archive.err.old_wrong", source=old.source, handle=ctx.actor.handle))
    return _store(ctx, ctx.actor, password, field, "archive.password.set")


def reset_password(ctx, person: Staff, password: str, field: str = "password") -> ArchivePassword:
    """A manager (or above) sets a new password for someone in their team who forgot theirs (audited).

    The person changes it with `archive password set`, giving this one as the old password.
    """
    from salesctl import permissions

    if person.id == ctx.actor.id:
        raise InvalidInput(t("archive.err.reset_self"))
    permissions.require_manager_of(ctx, person, t("archive.what.reset", handle=person.handle))
    check_strength(password, field)
    return _store(ctx, person, password, field, "archive.password.reset")


def _store(ctx, person: Staff, password: str, field: str, action: str) -> ArchivePassword:
    recent = ctx.session.exec(
        select(ArchivePassword).where(ArchivePassword.staff_id == person.id)
        .order_by(ArchivePassword.set_at.desc(), ArchivePassword.id.desc()).limit(REUSE_CHECK)
    ).all()
    if any(verify(old, password) for old in recent):
        raise InvalidInput(t("archive.err.reused", field=field, count=REUSE_CHECK))
    digest, salt, params = hash_password(password)
    record = ArchivePassword(staff_id=person.id, hash=digest, salt=salt, params=params, set_at=ctx.now)
    ctx.session.add(record)
    ctx.session.flush()
    # the audit snapshot leaves hash and salt out (audit.SECRET_FIELDS)
    ctx.audit(action, "archive_password", record.id, None, record)
    return record


@dataclass(frozen=True)
class PasswordAge:
    set_at: datetime
    set_on: date
    age_days: int
    state: str  # ok | warn | expired
    warn_days: int
    max_days: int


def age_of(record: ArchivePassword, clock) -> PasswordAge:
    return age_since(record.set_at, clock)


def age_since(set_at: datetime, clock) -> PasswordAge:
    """Age in local calendar days: warn from warn_days, expired after max_days."""
    rules = policy()
    set_on = clock.local(set_at).date()
    days = (clock.today - set_on).days
    state = "expired" if days > rules["max_days"] else "warn" if days >= rules["warn_days"] else "ok"
    return PasswordAge(set_at, set_on, days, state, rules["warn_days"], rules["max_days"])


def require_author_password(ctx, secret: Secret) -> PasswordAge:
    """The acting user's current archive password must exist, match, and not be too old.

    Returns its age (the caller warns when `state == "warn"`).
    """
    record = current(ctx.session, ctx.actor.id)
    if record is None:
        raise InvalidInput(t("archive.err.no_password_set", handle=ctx.actor.handle))
    if not verify(record, secret.value):
        raise InvalidInput(t("archive.err.wrong_password", source=secret.source, handle=ctx.actor.handle))
    age = age_of(record, ctx.clock)
    if age.state == "expired":
        raise InvalidInput(t("archive.err.expired", set_on=age.set_on, days=age.age_days, max_days=age.max_days))
    return age


def require_usable(ctx) -> None:
    """Before prompting: a password exists and is not expired (so nobody types in vain)."""
    record = current(ctx.session, ctx.actor.id)
    if record is None:
        raise InvalidInput(t("archive.err.no_password_set", handle=ctx.actor.handle))
    age = age_of(record, ctx.clock)
    if age.state == "expired":
        raise InvalidInput(t("archive.err.expired", set_on=age.set_on, days=age.age_days, max_days=age.max_days))


def warning_for(age: PasswordAge) -> str | None:
    if age.state != "warn":
        return None
    return t("archive.warn.old_password", set_on=age.set_on, days=age.age_days, max_days=age.max_days,
             left=max(0, age.max_days - age.age_days))


def status_rows(ctx, scope) -> list[dict]:
    """Each person in scope: when their archive password was set and its state (two queries)."""
    from sqlalchemy import func

    from salesctl.permissions import scope_clause

    latest = (select(ArchivePassword.staff_id, func.max(ArchivePassword.set_at).label("set_at"))
              .group_by(ArchivePassword.staff_id).subquery("latest_pw"))
    stmt = (select(Staff.id, Staff.handle, Staff.name, Staff.role, latest.c.set_at)
            .outerjoin(latest, latest.c.staff_id == Staff.id)
            .where(Staff.active.is_(True)).order_by(Staff.id))
    clause = scope_clause(scope, Staff.id)
    if clause is not None:
        stmt = stmt.where(clause)
    rows = []
    for staff_id, handle, name, role, set_at in ctx.session.execute(stmt):
        row = {"id": staff_id, "handle": handle, "name": name, "role": role, "set_at": None,
               "age_days": None, "state": "none"}
        if set_at is not None:
            if set_at.tzinfo is None:  # an aggregate can come back without the column type
                from datetime import timezone

                set_at = set_at.replace(tzinfo=timezone.utc)
            age = age_since(set_at, ctx.clock)
            row.update(set_at=set_at, age_days=age.age_days, state=age.state)
        rows.append(row)
    return rows
