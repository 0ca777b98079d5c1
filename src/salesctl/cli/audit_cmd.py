"""`salesctl audit`: the audit log of every write."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import FormatOpt, LimitOpt, OutputFormat, SinceOpt
from salesctl.cli.options import DAYS_MAX, ID_MAX  # noqa: F401


def register(root: typer.Typer) -> None:
    root.command("audit")(audit)


def audit(
    entity: Annotated[Optional[str], typer.Option("--entity", help="Only this kind of record (customer, staff, …).")] = None,
    entity_id: Annotated[Optional[int], typer.Option("--id", min=1, max=ID_MAX, help="Only this record id.")] = None,
    actor: Annotated[Optional[str], typer.Option("--actor", help="Only changes by this handle.")] = None,
    action: Annotated[Optional[str], typer.Option("--action", help="Only this action, e.g. customer.add.")] = None,
    since: SinceOpt = None,
    limit: LimitOpt = None,
    db_trail: Annotated[bool, typer.Option("--db", help="Team server: every row change the database recorded (salesctl's too).")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """List the audit log: who changed what, when, before and after (managers and above).

    Example: salesctl audit --entity customer --id 12
    """
    from salesctl import db, render
    from salesctl.messages import t
    from salesctl.periods import parse_date
    from salesctl.render import Column
    from salesctl.services.security.audit_log import audit_rows

    with command_context() as ctx:
        start = parse_date(since, "since", ctx.today) if since else None
        rows = audit_rows(ctx, entity=entity, entity_id=entity_id, actor=actor, action=action, since=start, limit=limit,
                          db_only=db_trail)
        columns = [Column("id", kind="int"), Column("at", kind="datetime"), Column("actor"), Column("action"),
                   Column("entity", kind="enum:entity"), Column("entity_id", kind="int"), Column("before"), Column("after")]
        if not db.is_sqlite(ctx.url):  # the team server: who connected, and where the entry came from
            columns[3:3] = [Column("db_user"), Column("source", kind="enum:audit_source")]
        render.emit_rows(rows, columns, fmt_value(format), title=t("title.audit"))
