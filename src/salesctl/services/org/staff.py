"""Staff and the org chart: add, edit, deactivate, leave; who acts (identity)."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from salesctl import config
from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import t
from salesctl.models import MANAGER_ROLES, ROLES, Staff
from salesctl.permissions import SEES_ALL, chain_above, is_above
from salesctl.services.context import Ctx
from salesctl.directory import find_staff

HANDLE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
# who may report to whom (SPEC 1.1); directors may also sit under a gm only
ALLOWED_MANAGER_ROLES = {
    "gm": (),
    "director": ("gm",),
    "manager": ("gm", "director"),
    "regional_manager": ("manager", "director", "gm"),
    "rep": ("manager", "regional_manager", "director", "gm"),
    "assistant": ("manager", "regional_manager", "director", "gm"),
}


def resolve_actor(session, explicit: str | None) -> Staff:
    """--as, else SALESCTL_USER, else the config file's user, else the OS login name.

    On a team server (PostgreSQL) a staff login acts only as itself (`session_user`);
    the administrator's connection (the schema owner) keeps --as for set-up and jobs.
    """
    if explicit is not None and not explicit.strip():  # `--as ''` is a mistake, not "the configured user"
        raise InvalidInput(t("err.as_empty"))
    login = team_login(session)
    if login is not None:
        requested = explicit or os.environ.get("SALESCTL_USER")
        if requested and requested != login.handle:
            raise PermissionDenied(t("ts.err.as_other", requested=requested, handle=login.handle,
                                     role=login.login_role))
        return login
    handle = explicit or os.environ.get("SALESCTL_USER") or config.load_config().get("user")
    if not handle:
        try:
            handle = getpass.getuser()
        except Exception:
            handle = "unknown"
    staff = session.exec(select(Staff).where(Staff.handle == handle)).first()
    if staff is None:
        raise PermissionDenied(t("err.unknown_user", handle=handle))
    if not staff.active:
        raise PermissionDenied(t("err.inactive_user", handle=handle))
    return staff


def _contact_details(email: str | None, phone: str | None) -> tuple[str | None, str | None]:
    """Staff e-mail and phone are checked as customers' are."""
    from salesctl.services.customers.customers import validate_email
    from salesctl.services.customers.normalize import normalize_phone

    return validate_email(email, "email"), (normalize_phone(phone, "phone") if phone is not None else None)
def team_login(session) -> Staff | None:
    """The staff member connected as themself on a team server, None for SQLite or the administrator.

    A PostgreSQL role that is neither a staff login nor the administrator is refused (exit 3).
    """
    if session.get_bind().dialect.name != "postgresql":
        return None
    who = session.info.get("salesctl_identity")
    if who is None:
        from salesctl.rls import identity

        who = session.info["salesctl_identity"] = identity(session)
    if who.admin:
        return None
    if who.staff_id is None:
        raise PermissionDenied(t("ts.err.not_login", role=who.role, admin=who.administrator))
    return session.get(Staff, who.staff_id)


def validate_handle(handle: str) -> str:
    value = (handle or "").strip()
    if not value or not set(value.lower()) <= HANDLE_CHARS or len(value) > 64:
        raise InvalidInput(t("err.bad_handle", value=handle))
    return value


def validate_role(role: str) -> str:
    value = (role or "").strip().lower()
    aliases = {t_zh: key for key, t_zh in (
        ("gm", "总经理"), ("director", "销售总监"), ("manager", "销售经理"),
        ("regional_manager", "区域销售经理"), ("rep", "销售代表"), ("assistant", "销售助理"),
    )}
    aliases.update({"销售人员": "rep", "regional-manager": "regional_manager", "sales_rep": "rep"})
    value = aliases.get(role.strip(), value)
    if value not in ROLES:
        raise InvalidInput(t("err.bad_role", value=role, accepted=", ".join(ROLES)))
    return value


def _check_manager(session, role: str, manager: Staff | None, subject: Staff | None = None) -> None:
    if role == "gm":
        if manager is not None:
            raise InvalidInput(t("err.gm_no_manager"))
        return
    if manager is None:
        raise InvalidInput(t("err.manager_required", role=role))
    if subject is not None and subject.id is not None:
        if manager.id == subject.id or is_above(session, subject, manager):
            raise InvalidInput(t("err.manager_cycle", manager=manager.handle, subject=subject.handle))
    if not manager.active:
        raise InvalidInput(t("err.manager_inactive", manager=manager.handle))
    allowed = ALLOWED_MANAGER_ROLES[role]
    if manager.role not in allowed:
        raise InvalidInput(t("err.manager_role", role=role, allowed=", ".join(allowed),
                               manager=manager.handle, manager_role=manager.role))


def _check_rep_fields(role: str, region: str | None, industry: str | None) -> None:
    if role == "rep":
        missing = [flag for flag, value in (("--region", region), ("--industry", industry)) if not value]
        if missing:
            raise InvalidInput(t("err.rep_fields_required", fields=t("msg.list_and").join(missing)))


def _may_manage_staff(ctx: Ctx, target_manager: Staff | None) -> None:
    """Directors and the gm manage anyone; managers only people inside their team."""
    actor = ctx.actor
    if actor.role in SEES_ALL:
        return
    if actor.role in MANAGER_ROLES and target_manager is not None:
        if target_manager.id == actor.id or is_above(ctx.session, actor, target_manager):
            return
    raise PermissionDenied(t("err.denied", what=t("err.what.org_chart")))


def parse_start_date(ctx: Ctx, text: str | None):
    """--start-date, or by default the first workday after today: the day someone is entered owes no report."""
    from datetime import timedelta

    from salesctl.periods import parse_date
    from salesctl.workdays import WorkCalendar

    if (text or "").strip():
        return parse_date(text, "start-date", ctx.today)
    return WorkCalendar().next_workday_on_or_after(ctx.today + timedelta(days=1))
def _checked_email(value: str | None) -> str | None:
    from salesctl.services.teamwork.delivery import check_email

    return check_email(value, "--email")


def add_staff(
    ctx: Ctx,
    handle: str,
    *,
    name: str,
    role: str,
    manager: str | None = None,
    region: str | None = None,
    industry: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    bootstrap: bool = False,
    start_date: str | None = None,
) -> Staff:
    session = ctx.session
    handle = validate_handle(handle)
    role = validate_role(role)
    if not (name or "").strip():
        raise InvalidInput(t("err.name_required"))
    email, phone = _contact_details(email, phone)
    boss = find_staff(session, manager, "manager") if manager else None
    _check_manager(session, role, boss)
    _check_rep_fields(role, region, industry)
    if not bootstrap:
        _may_manage_staff(ctx, boss)
    email = _checked_email(email) or None
    if session.exec(select(Staff.id).where(Staff.handle == handle)).first() is not None:
        raise Conflict(t("err.handle_exists", value=handle))
    staff = Staff(
        handle=handle,
        name=name.strip(),
        role=role,
        manager_id=boss.id if boss else None,
        region=(region or None),
        industry=(industry or None),
        email=email,
        phone=phone,
        active=True,
        created_at=ctx.now,
        start_date=parse_start_date(ctx, start_date),
    )
    session.add(staff)
    session.flush()
    if ctx.actor is None:  # the first user records their own creation
        ctx.actor = staff
    ctx.audit("staff.add", "staff", staff.id, None, staff)
    return staff


def edit_staff(
    ctx: Ctx,
    ref: str,
    *,
    name: str | None = None,
    role: str | None = None,
    manager: str | None = None,
    region: str | None = None,
    industry: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    start_date: str | None = None,
) -> Staff:
    session = ctx.session
    staff = find_staff(session, ref)
    current_boss = session.get(Staff, staff.manager_id) if staff.manager_id else None
    if staff.id == ctx.actor.id and ctx.actor.role not in SEES_ALL and (role or manager):
        raise PermissionDenied(t("err.denied", what=t("err.what.own_role")))
    if staff.id != ctx.actor.id:
        _may_manage_staff(ctx, current_boss)
    before = staff.model_copy()
    new_role = validate_role(role) if role else staff.role
    new_boss = find_staff(session, manager, "manager") if manager else current_boss
    if manager and staff.id != ctx.actor.id:
        _may_manage_staff(ctx, new_boss)
    _check_manager(session, new_role, new_boss, subject=staff)
    new_region = region if region is not None else staff.region
    new_industry = industry if industry is not None else staff.industry
    _check_rep_fields(new_role, new_region, new_industry)
    staff.name = name.strip() if name else staff.name
    staff.role = new_role
    staff.manager_id = new_boss.id if new_boss else None
    staff.region = new_region or None
    staff.industry = new_industry or None
    if email is not None:
        staff.email = _checked_email(email) or None
    if phone is not None:
        staff.phone = _contact_details(None, phone)[1] if phone else None
    if start_date is not None:
        if staff.id == ctx.actor.id and ctx.actor.role not in SEES_ALL:
            raise PermissionDenied(t("err.denied", what=t("err.what.own_role")))
        staff.start_date = parse_start_date(ctx, start_date)
    session.add(staff)
    session.flush()
    ctx.audit("staff.edit", "staff", staff.id, before, staff)
    return staff


def deactivate_staff(ctx: Ctx, ref: str) -> Staff:
    session = ctx.session
    staff = find_staff(session, ref)
    if staff.id == ctx.actor.id:
        raise InvalidInput(t("err.deactivate_self"))
    boss = session.get(Staff, staff.manager_id) if staff.manager_id else None
    _may_manage_staff(ctx, boss)
    if not staff.active:
        return staff
    reports = session.exec(select(func.count()).select_from(Staff).where(Staff.manager_id == staff.id, Staff.active)).one()
    if reports:
        raise Conflict(t("err.has_reports", handle=staff.handle, count=reports))
    from salesctl.services.sales.handover import holdings

    customers, deals = holdings(ctx, staff.id)
    if customers or deals:  # the handbook's 离职交接 comes first (issue 16)
        raise Conflict(t("handover.err.still_owns", handle=staff.handle, customers=customers, deals=deals))
    before = staff.model_copy()
    staff.active = False
    session.add(staff)
    session.flush()
    ctx.audit("staff.deactivate", "staff", staff.id, before, staff)
    from salesctl.services.org.logins import disable_if_any

    disable_if_any(ctx, staff)
    return staff


def staff_rows(ctx: Ctx, *, include_inactive: bool = False, role: str | None = None, manager: str | None = None):
    """Everyone in the org chart (names and roles are not customer data: all staff see them)."""
    from sqlalchemy.orm import aliased

    boss = aliased(Staff)
    stmt = select(Staff, boss.handle).join(boss, Staff.manager_id == boss.id, isouter=True).order_by(Staff.id)
    if not include_inactive:
        stmt = stmt.where(Staff.active)
    if role:
        stmt = stmt.where(Staff.role == validate_role(role))
    if manager:
        from salesctl.permissions import team_cte

        root = find_staff(ctx.session, manager, "manager")
        sub = team_cte(root.id, include_root=False)
        stmt = stmt.where(Staff.id.in_(select(sub.c.id)))
    for staff, manager_handle in ctx.session.exec(stmt):
        yield staff_row(staff, manager_handle)


def staff_row(staff: Staff, manager_handle: str | None) -> dict:
    return {
        "id": staff.id,
        "handle": staff.handle,
        "name": staff.name,
        "role": staff.role,
        "manager": manager_handle,
        "region": staff.region,
        "industry": staff.industry,
        "active": staff.active,
        "start_date": staff.start_date,
    }


def staff_detail(ctx: Ctx, ref: str) -> dict:
    session = ctx.session
    staff = find_staff(session, ref)
    boss = session.get(Staff, staff.manager_id) if staff.manager_id else None
    row = staff_row(staff, boss.handle if boss else None)
    row["email"] = staff.email
    row["phone"] = staff.phone
    row["created_at"] = staff.created_at
    row["chain"] = [s.handle for s in chain_above(session, staff)]
    row["reports"] = [
        s.handle for s in session.exec(select(Staff).where(Staff.manager_id == staff.id).order_by(Staff.handle))
    ]
    from salesctl.permissions import nearest_manager

    nm = nearest_manager(session, staff)
    row["reviewing_manager"] = nm.handle if nm else None
    return row


@dataclass
class TreeNode:
    staff: Staff
    children: list["TreeNode"]


def org_tree(ctx: Ctx, include_inactive: bool = False) -> list[TreeNode]:
    stmt = select(Staff).order_by(Staff.id)
    if not include_inactive:
        stmt = stmt.where(Staff.active)
    people = list(ctx.session.exec(stmt))
    nodes = {s.id: TreeNode(s, []) for s in people}
    roots = []
    for s in people:
        if s.manager_id in nodes:
            nodes[s.manager_id].children.append(nodes[s.id])
        else:
            roots.append(nodes[s.id])
    return roots


# leave (requests and approval) is in services.org.leave
