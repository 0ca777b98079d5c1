"""`salesctl lead`: leads found by assistants, and their distribution by region and success rate."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.customer_options import NotDuplicateOpt
from salesctl.cli.options import FormatOpt, LimitOpt, OutputFormat, YesOpt
from salesctl.cli.options import DAYS_MAX, ID_MAX  # noqa: F401

app = typer.Typer(help="Leads (线索) found by assistants, distributed by the manager: nearest region, best success rate.",
                  no_args_is_help=True)


def _lead_columns():
    from salesctl.render import Column

    return [
        Column("id", kind="int"),
        Column("customer", label="lead.col.customer"),
        Column("industry"),
        Column("region"),
        Column("source", label="lead.col.source"),
        Column("found_by", label="lead.col.found_by"),
        Column("status", label="lead.col.status", kind="enum:lead.status"),
        Column("assigned_to", label="lead.col.assigned_to"),
        Column("assigned_at", label="lead.col.assigned_at", kind="datetime"),
        Column("created_at", kind="datetime"),
    ]


def _all_columns():
    from salesctl.render import Column
    from salesctl.services.sales.leads import LEAD_KEYS

    known = {c.key: c for c in _lead_columns()}
    extra = {"customer_id": Column("customer_id", label="lead.col.customer_id", kind="int"),
             "assigned_by": Column("assigned_by", label="lead.col.assigned_by"),
             "owner": Column("owner", label="lead.col.owner")}
    return [known.get(k) or extra[k] for k in LEAD_KEYS]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Customer (company) name.")],
    contact: Annotated[Optional[str], typer.Option("--contact", help="Contact person.")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="Contact phone.")] = None,
    industry: Annotated[Optional[str], typer.Option("--industry", help="Industry (decides which reps may get it).")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="Region (nearest reps rank first).")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Where the lead came from.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="The contact's title (optional).")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="Customer status (default following).")] = None,
    address: Annotated[Optional[str], typer.Option("--address", help="Address (optional).")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="The customer's email (optional).")] = None,
    not_duplicate: NotDuplicateOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Add a lead: a new customer in the pool, found by you, for the manager to assign.

    Example: salesctl lead add 某连锁超市 --contact 李明 --phone 13912345678 --industry 零售 --region 华东 --source 展会
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import leads as svc

    from salesctl.cli.customer_match import unless_possible_duplicate

    def attempt(confirmed: bool):
        with command_context(write=True) as ctx:
            lead, customer = svc.add_lead(ctx, name, contact=contact, phone=phone, industry=industry, region=region,
                                          source=source, title=title, status=status, address=address, email=email,
                                          not_duplicate=confirmed)
            return lead, customer, svc.lead_row(ctx, lead.id)

    lead, customer, row = unless_possible_duplicate(attempt, not_duplicate)
    render.emit_id(lead.id, row, fmt_value(format), t("lead.msg.added", id=lead.id, name=customer.name))


@app.command("list")
def list_(
    open_: Annotated[bool, typer.Option("--open", help="Only leads not assigned yet.")] = False,
    status: Annotated[Optional[str], typer.Option("--status", help="open or assigned.")] = None,
    limit: LimitOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """List the leads you may see.

    Example: salesctl lead list --open
    """
    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.sales import leads as svc

    if open_ and status not in (None, "open"):
        raise InvalidInput(t("lead.err.open_conflict", status=status))
    fmt = fmt_value(format)
    with command_context() as ctx:
        rows = svc.list_leads(ctx, status="open" if open_ else status, limit=limit)
        first = next(rows, None)

        def chained():
            if first is not None:
                yield first
                yield from rows

        render.emit_rows(chained(), _all_columns() if fmt == "csv" else _lead_columns(), fmt,
                         title=t("lead.title.list"), empty_message=t("lead.msg.none"))


def _explain_columns():
    from salesctl.render import Column

    return [Column("rank", label="lead.col.rank", kind="int"), Column("handle"), Column("region"),
            Column("region_score", label="lead.col.region_score", kind="int"),
            Column("won", label="lead.col.won", kind="int"), Column("closed", label="lead.col.closed", kind="int"),
            Column("success_rate", label="lead.col.success_rate", kind="rate"),
            Column("load", label="lead.col.load", kind="int"), Column("score", label="lead.col.score")]


def _print_explain(ranking, fmt: str) -> None:
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import leads as svc

    if fmt == "json":
        render.emit_object(ranking.explain(), "json")
    else:
        title = t("lead.title.explain", id=ranking.lead.id, name=ranking.customer.name,
                  region=ranking.customer.region or "-", industry=ranking.customer.industry or "-")
        render.emit_rows(svc.explain_rows(ranking), _explain_columns(), fmt, title=title,
                         empty_message=t("lead.msg.no_candidates"))
    render.info(svc.formula_text(ranking))


def _ask(ranking) -> str | None:
    """At a terminal: the manager picks the rep (the top candidate first)."""
    from salesctl import prompts
    from salesctl.messages import t

    choices = [(f"{c.staff.handle} ({c.staff.name}) · {c.staff.region or '-'} · "
                f"{c.region_score} / {c.rate_text} / {c.load}", c.staff.handle) for c in ranking.candidates]
    choices.append((t("lead.prompt.cancel"), ""))
    picked = prompts.select(t("lead.prompt.assign", id=ranking.lead.id, name=ranking.customer.name), choices)
    return picked or None


@app.command("assign")
def assign(
    lead_id: Annotated[int, typer.Argument(min=1, max=ID_MAX, help="Lead id (see `salesctl lead list --open`).")],
    to: Annotated[Optional[str], typer.Option("--to", help="Give it to this rep (handle) instead of the top candidate.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Print every candidate's scores (alone: a preview, nothing assigned).")] = False,
    yes: YesOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Assign a lead: nearest region first, then the best success rate, then the lightest load.

    Without a terminal give --yes (take the top candidate) or --to HANDLE; --explain alone only previews.

    Example: salesctl lead assign 7 --explain --yes
    """
    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.sales import leads as svc

    fmt = fmt_value(format)
    chosen = to
    shown = False
    if not to and not yes:
        with command_context() as ctx:
            ranking = svc.ranking_for(ctx, lead_id)
        if not render.interactive():
            if explain:
                _print_explain(ranking, fmt)
                render.info(t("lead.msg.preview"))
                return
            raise InvalidInput(t("lead.err.choose"))
        _print_explain(ranking, "table")
        shown = True
        chosen = _ask(ranking)
        if chosen is None:
            render.info(t("lead.msg.cancelled"))
            raise typer.Exit(0)
    with command_context(write=True) as ctx:
        ranking = svc.assign(ctx, lead_id, to=chosen, top=chosen is None)
        row = svc.lead_row(ctx, lead_id)
    if explain and not (shown and fmt == "table"):
        _print_explain(ranking, fmt)
    else:
        render.emit_object(row, fmt, columns=_all_columns())
    render.info(t("lead.msg.assigned", id=lead_id, name=ranking.customer.name, handle=ranking.chosen))
