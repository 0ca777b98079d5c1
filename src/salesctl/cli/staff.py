"""`salesctl staff`: the org chart (add, list, show, edit, deactivate, tree, leave)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import DefaultAddGroup, command_context, fmt_value
from salesctl.cli.options import FormatOpt, OutputFormat

app = typer.Typer(help="Staff and the org chart.", no_args_is_help=True)


def _columns():
    from salesctl.render import Column

    return [
        Column("id", kind="int"),
        Column("handle"),
        Column("name"),
        Column("role", kind="enum:role"),
        Column("manager"),
        Column("region"),
        Column("industry"),
        Column("active", kind="bool"),
        Column("start_date", "staff.col.start_date", kind="date"),
    ]


NameOpt = Annotated[Optional[str], typer.Option("--name", help="Display name (Chinese names are normal).")]
RoleOpt = Annotated[Optional[str], typer.Option("--role", help="gm, director, manager, regional_manager, rep or assistant.")]
StaffManagerOpt = Annotated[Optional[str], typer.Option("--manager", help="Handle of who they report to.")]
RegionOpt = Annotated[Optional[str], typer.Option("--region", help="Region (required for reps).")]
IndustryOpt = Annotated[Optional[str], typer.Option("--industry", help="Industry; '*' = any (required for reps).")]
EmailOpt = Annotated[Optional[str], typer.Option("--email", help="Email address.")]
PhoneOpt = Annotated[Optional[str], typer.Option("--phone", help="Phone number.")]
StartOpt = Annotated[Optional[str], typer.Option("--start-date", help="First day they owe reports (default: the first workday after they are added).")]
LoginOpt = Annotated[bool, typer.Option("--login", help="Also create their PostgreSQL login (team server only).")]
PasswordFileOpt = Annotated[Optional[str], typer.Option("--password-file", help="Login password from this file (mode 600); else one is generated and shown once.")]


@app.command("add")
def add(
    handle: Annotated[str, typer.Argument(help="Unique login handle, e.g. wang.fang.")],
    name: NameOpt = None,
    role: RoleOpt = None,
    manager: StaffManagerOpt = None,
    region: RegionOpt = None,
    industry: IndustryOpt = None,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    start_date: StartOpt = None,
    login: LoginOpt = False,
    password_file: PasswordFileOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Add a person to the org chart (--login: and their own login on the team server).

    Example: salesctl staff add wang.fang --name 王芳 --role rep --manager zhang.wei --region 华东 --industry 制造业
    """
    from salesctl import db, render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.org import logins
    from salesctl.services.org import staff as svc

    missing = [flag for flag, value in (("--name", name), ("--role", role)) if not value]
    if missing:
        raise InvalidInput(t("err.required", fields=", ".join(missing)))
    with command_context(write=True) as ctx:
        if login and db.is_sqlite(ctx.url):
            raise InvalidInput(t("ts.err.sqlite_login"))
        person = svc.add_staff(ctx, handle, name=name, role=role, manager=manager, region=region,
                               industry=industry, email=email, phone=phone, start_date=start_date)
        result = logins.set_login(ctx, person, enable=True, password_file=password_file) if login else None
        boss = ctx.session.get(type(person), person.manager_id) if person.manager_id else None
        row = svc.staff_row(person, boss.handle if boss else None)
    render.emit_id(person.id, row, fmt_value(format), t("msg.added", entity=t("msg.entity.staff"), id=person.id, name=person.name))
    if result is not None:
        _login_notice(result)


def _login_notice(result) -> None:
    from salesctl import render
    from salesctl.messages import t

    if result.generated:
        render.info(t("ts.msg.password_once", role=result.role, password=result.generated))
    render.info(t("ts.msg.login_enabled", role=result.role, handle=result.staff.handle))
    render.info(f"  salesctl config set db '{result.db_url}'")


@app.command("login")
def login_(
    handle: Annotated[str, typer.Argument(help="Handle, id or name.")],
    enable: Annotated[bool, typer.Option("--enable", help="Create or switch on their PostgreSQL login.")] = False,
    disable: Annotated[bool, typer.Option("--disable", help="Switch their login off (the server refuses it).")] = False,
    password_file: PasswordFileOpt = None,
):
    """Enable or disable a person's own login on the team server (PostgreSQL; the administrator runs it).

    Example: salesctl staff login wang.fang --enable --password-file ~/wang.fang.pw
    """
    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.org import logins

    if enable == disable:
        raise InvalidInput(t("ts.err.login_mode"))
    with command_context(write=True) as ctx:
        result = logins.set_login(ctx, handle, enable=enable, password_file=password_file)
    if enable:
        _login_notice(result)
    else:
        render.info(t("ts.msg.login_disabled", role=result.role or "-", handle=result.staff.handle))


@app.command("list")
def list_(
    role: RoleOpt = None,
    manager: Annotated[Optional[str], typer.Option("--manager", help="Only that manager's team.")] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="Include deactivated people.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """List staff.

    Example: salesctl staff list --role rep --format json
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.org import staff as svc

    with command_context() as ctx:
        render.emit_rows(svc.staff_rows(ctx, include_inactive=inactive, role=role, manager=manager),
                         _columns(), fmt_value(format), title=t("title.staff"))


@app.command("show")
def show(
    handle: Annotated[str, typer.Argument(help="Handle, id or name.")],
    format: FormatOpt = OutputFormat.table,
):
    """Show one person: role, manager, chain of managers, who reports to them.

    Example: salesctl staff show wang.fang
    """
    from salesctl import render
    from salesctl.render import Column
    from salesctl.services.org import staff as svc

    with command_context() as ctx:
        detail = svc.staff_detail(ctx, handle)
    columns = _columns() + [Column("email"), Column("phone"), Column("created_at", kind="datetime"),
                            Column("reviewing_manager"), Column("chain"), Column("reports")]
    render.emit_object(detail, fmt_value(format), columns=columns)


@app.command("edit")
def edit(
    handle: Annotated[str, typer.Argument(help="Handle, id or name.")],
    name: NameOpt = None,
    role: RoleOpt = None,
    manager: StaffManagerOpt = None,
    region: RegionOpt = None,
    industry: IndustryOpt = None,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    start_date: StartOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Change a person's name, role, manager, region or industry.

    Example: salesctl staff edit wang.fang --manager li.qiang
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.org import staff as svc

    with command_context(write=True) as ctx:
        person = svc.edit_staff(ctx, handle, name=name, role=role, manager=manager, region=region,
                                industry=industry, email=email, phone=phone, start_date=start_date)
        boss = ctx.session.get(type(person), person.manager_id) if person.manager_id else None
        row = svc.staff_row(person, boss.handle if boss else None)
    render.emit_object(row, fmt_value(format), columns=_columns())
    render.info(t("msg.updated", entity=t("msg.entity.staff"), id=person.id, name=person.name))


@app.command("deactivate")
def deactivate(
    handle: Annotated[str, typer.Argument(help="Handle, id or name.")],
    handover_to: Annotated[Optional[str], typer.Option("--handover-to", help="Hand every customer and open deal to this person first.")] = None,
):
    """Deactivate a person who left (never deleted: history keeps pointing at them).

    Refused (exit 5) while they still own customers or open deals: hand them over first.

    Example: salesctl staff deactivate wang.fang --handover-to li.na
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.org import staff as svc

    with command_context(write=True) as ctx:
        moved = None
        if handover_to:
            from salesctl.services.sales.handover import handover as do_handover

            moved = do_handover(ctx, handle, to=handover_to)
        person = svc.deactivate_staff(ctx, handle)
    if moved is not None:
        render.info(t("handover.msg.done", source=moved.source.handle, target=moved.target.handle,
                      customers=moved.customers, deals=moved.deals, follow_ups=moved.follow_ups,
                      actions=moved.actions))
    render.info(t("msg.deactivated", name=person.name, handle=person.handle))


@app.command("handover")
def handover(
    handle: Annotated[str, typer.Argument(help="Who hands over (a leaving rep): handle, id or name.")],
    to: Annotated[Optional[str], typer.Option("--to", help="Who takes the customers over (required).")] = None,
    grade: Annotated[Optional[str], typer.Option("--grade", help="Only customers of these grades, e.g. A,B.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (kept in the ownership ledger).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would move; change nothing.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """离职交接: move every customer (and its open deals, follow-ups and meeting actions) to another person.

    Example: salesctl staff handover wang.fang --to li.na --dry-run
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.sales.handover import handover as do_handover

    with command_context(write=not dry_run) as ctx:
        result = do_handover(ctx, handle, to=to, grades=grade, dry_run=dry_run, reason=reason)
        data = result.as_json()
    fmt = fmt_value(format)
    if fmt == "json":
        render.emit_object(data, fmt)
    else:
        render.emit_rows(data["moved"], [Column("id", kind="int"), Column("name"), Column("grade"),
                                         Column("deals", "handover.col.deals", kind="int"),
                                         Column("follow_ups", "handover.col.follow_ups", kind="int"),
                                         Column("actions", "handover.col.actions", kind="int")],
                         fmt, title=t("handover.title", source=data["from"], target=data["to"]))
    key = "handover.msg.dry_run" if dry_run else "handover.msg.done"
    render.info(t(key, source=data["from"], target=data["to"], customers=data["customers"], deals=data["deals"],
                  follow_ups=data["follow_ups"], actions=data["actions"]))


@app.command("tree")
def tree(inactive: Annotated[bool, typer.Option("--inactive", help="Include deactivated people.")] = False):
    """Draw the org chart.

    Example: salesctl staff tree
    """
    from salesctl import render
    from salesctl.messages import label, t
    from salesctl.services.org import staff as svc

    with command_context() as ctx:
        roots = svc.org_tree(ctx, include_inactive=inactive)

    def describe(node):
        s = node.staff
        extra = " · ".join(x for x in (s.region, s.industry) if x)
        text = f"{s.name} ({s.handle}) — {label('role', s.role)}"
        return text + (f" · {extra}" if extra else "") + ("" if s.active else " ✗")

    if render.stdout_is_terminal():
        from rich.tree import Tree

        top = Tree(f"[bold]{t('title.org_chart')}[/bold]")

        def grow(branch, node):
            child = branch.add(render.escape(describe(node)))
            for c in node.children:
                grow(child, c)

        for r in roots:
            grow(top, r)
        render.console().print(top)
    else:
        lines: list[str] = []

        def walk(node, depth):
            lines.append("  " * depth + describe(node))
            for c in node.children:
                walk(c, depth + 1)

        for r in roots:
            walk(r, 0)
        render.write("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- leave
leave_app = typer.Typer(cls=DefaultAddGroup,
                        help="Leave: request (for yourself), approve or reject (a manager), list, cancel.")
app.add_typer(leave_app, name="leave")

LeaveIdArg = Annotated[str, typer.Argument(help="Leave id (from `staff leave list`).")]


def _leave_columns():
    from salesctl.render import Column

    return [Column("id", kind="int"), Column("handle"), Column("from", kind="date"), Column("to", kind="date"),
            Column("reason"), Column("status", "leave.col.status", kind="enum:leave_status"),
            Column("decided_by", "leave.col.decided_by"), Column("decision_note", "leave.col.decision_note")]


@leave_app.command("add")
def leave(
    handle: Annotated[str, typer.Argument(help="Who is on leave.")],
    from_: Annotated[Optional[str], typer.Option("--from", help="First day of leave.")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Last day of leave (default: --from).")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (optional).")] = None,
    list_only: Annotated[bool, typer.Option("--list", help="List the person's leave instead.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """Record leave: your own is a request until your manager approves it; a manager's for their team is approved.

    Only approved leave excuses daily reports.

    Example: salesctl staff leave wang.fang --from 2026-12-01 --to 2026-12-03 --reason 病假
    """
    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.periods import parse_date
    from salesctl.services.org import leave as svc

    if list_only:
        with command_context() as ctx:
            render.emit_rows(svc.leave_rows(ctx, handle), _leave_columns(), fmt_value(format), title=t("title.leave"))
        return
    if not from_:
        raise InvalidInput(t("err.leave_from_required"))
    with command_context(write=True) as ctx:
        start = parse_date(from_, "from", ctx.today)
        end = parse_date(to, "to", ctx.today, ahead="forward") if to else start
        record = svc.add_leave(ctx, handle, start, end, reason)
        person = svc.find_staff(ctx.session, handle)
        manager = ctx.session.get(type(person), person.manager_id) if person.manager_id else None
        row = svc.leave_row(record, person.handle)
    if record.status == "pending":
        message = t("leave.msg.requested", id=record.id, handle=person.handle, start=record.start, end=record.end,
                    manager=manager.handle if manager else "")
    else:
        message = t("msg.leave_added", id=record.id, handle=person.handle, start=record.start, end=record.end)
    render.emit_id(record.id, row, fmt_value(format), message)


@leave_app.command("list")
def leave_list(
    handle: Annotated[Optional[str], typer.Argument(help="Only this person's leave.")] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only requests waiting for approval.")] = False,
    team: Annotated[bool, typer.Option("--team", help="Only the people whose leave you decide.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """List leave and requests you may see.

    Example: salesctl staff leave list --pending --team
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.org import leave as svc

    with command_context() as ctx:
        render.emit_rows(svc.leave_rows(ctx, handle, pending=pending, team=team), _leave_columns(), fmt_value(format),
                         title=t("title.leave"))


def _decided(fn, key: str, leave_id: str, text: str | None, format) -> None:
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.org import leave as svc

    with command_context(write=True) as ctx:
        record, person = fn(ctx, leave_id, text)
        decider = ctx.actor.handle
        row = svc.leave_row(record, person.handle, decider)
    render.emit_object(row, fmt_value(format), columns=_leave_columns())
    render.info(t(key, id=record.id, handle=person.handle, start=record.start, end=record.end))


@leave_app.command("approve")
def leave_approve(
    leave_id: LeaveIdArg,
    note: Annotated[Optional[str], typer.Option("--note", help="A note (optional).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Approve a pending leave request (the person's manager or anyone above; never your own).

    Example: salesctl staff leave approve 7
    """
    from salesctl.services.org import leave as svc

    _decided(svc.approve_leave, "leave.msg.approved", leave_id, note, format)


@leave_app.command("reject")
def leave_reject(
    leave_id: LeaveIdArg,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (required).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Reject a pending leave request, with a reason.

    Example: salesctl staff leave reject 7 --reason 月底冲刺
    """
    from salesctl.services.org import leave as svc

    _decided(svc.reject_leave, "leave.msg.rejected", leave_id, reason, format)


@leave_app.command("cancel")
def leave_cancel(
    leave_id: LeaveIdArg,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (optional).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Withdraw a pending or approved leave (the person themselves or their manager).

    Example: salesctl staff leave cancel 7
    """
    from salesctl.services.org import leave as svc

    _decided(svc.cancel_leave, "leave.msg.cancelled", leave_id, reason, format)
