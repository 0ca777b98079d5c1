"""Team-server logins: one PostgreSQL role per person, created and switched by the administrator.

The role is `LOGIN`, a member of this database's salesctl group role and holds
nothing else; what it may see and change is the row-level security of
`salesctl.rls`. Passwords are sent to the server only as a SCRAM-SHA-256
verifier computed here (libpq's PQencryptPasswordConn), never in plain text,
and never reach the config file or the audit log.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import make_url

from salesctl import rls
from salesctl.directory import find_staff
from salesctl.errors import InvalidInput, PermissionDenied
from salesctl.messages import t
from salesctl.models import Staff
from salesctl.services.context import Ctx


@dataclass(frozen=True)
class LoginResult:
    staff: Staff
    role: str
    enabled: bool
    db_url: str
    generated: str | None = field(default=None, repr=False)  # a generated password, shown once


def _require_team_server(ctx: Ctx) -> None:
    if ctx.session.get_bind().dialect.name != "postgresql":
        raise InvalidInput(t("ts.err.sqlite_login"))


def _require_role_admin(ctx: Ctx) -> None:
    conn = ctx.session.connection()
    if not rls.may_create_roles(conn):
        who = conn.execute(text("SELECT current_user")).scalar()
        raise PermissionDenied(t("ts.err.no_createrole", role=who))


def login_url(url: str, role: str) -> str:
    """The admin's URL with the person's role and no password (what they put in their config)."""
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


def _verifier(ctx: Ctx, role: str, password: str) -> str:
    raw = ctx.session.connection().connection.dbapi_connection
    return raw.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()


def set_login(ctx: Ctx, ref: str | Staff, *, enable: bool, password_file: str | None = None) -> LoginResult:
    """Enable (creating the role if needed) or disable a person's login."""
    _require_team_server(ctx)
    staff = ref if isinstance(ref, Staff) else find_staff(ctx.session, ref)
    conn = ctx.session.connection()
    if not enable:
        if staff.login_role is None:
            return LoginResult(staff, "", False, "")
        _require_role_admin(ctx)
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": staff.login_role}).first():
            conn.execute(text(f"ALTER ROLE {rls.ident(staff.login_role)} NOLOGIN"))
        ctx.audit("staff.login", "staff", staff.id, None, {"login": staff.login_role, "enabled": False})
        return LoginResult(staff, staff.login_role, False, login_url(ctx.url, staff.login_role))
    if not staff.active:
        raise InvalidInput(t("ts.err.inactive", handle=staff.handle))
    password = None
    if password_file is not None:
        from salesctl.services.security.passwords import read_secret_file

        password = read_secret_file(password_file, "--password-file")
    _require_role_admin(ctx)
    group = rls.ensure_group(conn)
    role = staff.login_role or rls.login_role(rls.record_prefix(conn), staff.handle)
    exists = conn.execute(text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    generated = None
    if not exists and password is None:
        password = generated = secrets.token_urlsafe(18)
    q = rls.ident(role)
    if exists:
        # naming SUPERUSER or BYPASSRLS at all needs a superuser (PostgreSQL 15), so only when the role has them
        strip = " NOSUPERUSER NOBYPASSRLS" if exists[0] else ""
        conn.execute(text(f"ALTER ROLE {q} LOGIN NOCREATEDB NOCREATEROLE{strip}"))
    else:
        conn.execute(text(f"CREATE ROLE {q} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT"))
    if password is not None:
        conn.exec_driver_sql(f"ALTER ROLE {q} PASSWORD {rls.literal(_verifier(ctx, role, password))}")
    conn.execute(text(f"GRANT {rls.ident(group)} TO {q}"))
    if staff.login_role != role:
        staff.login_role = role
        ctx.session.add(staff)
        ctx.session.flush()
    ctx.audit("staff.login", "staff", staff.id, None, {"login": role, "enabled": True})
    return LoginResult(staff, role, True, login_url(ctx.url, role), generated)


def disable_if_any(ctx: Ctx, staff: Staff) -> None:
    """`staff deactivate` on the team server also switches the login off."""
    if staff.login_role and ctx.session.get_bind().dialect.name == "postgresql":
        conn = ctx.session.connection()
        if rls.may_create_roles(conn):
            set_login(ctx, staff, enable=False)
            return
        # a manager's own login: the narrow SECURITY DEFINER function switches off a deactivated person's login
        conn.execute(text("SELECT salesctl_disable_login(:i)"), {"i": staff.id})
        ctx.audit("staff.login", "staff", staff.id, None, {"login": staff.login_role, "enabled": False})
