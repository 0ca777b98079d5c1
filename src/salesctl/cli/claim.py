"""`salesctl claim`: claims (报备) and their decisions, releases, the pool recall and missed sales (漏单)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import DefaultAddGroup, command_context, fmt_value
from salesctl.cli.customer_options import NotDuplicateOpt
from salesctl.cli.options import DAYS_MAX, ID_MAX  # noqa: F401
from salesctl.cli.options import (
    AllOpt,
    DryRunOpt,
    FormatOpt,
    LimitOpt,
    ManagerOpt,
    MineOpt,
    OutputFormat,
    RepOpt,
    TeamOpt,
)

app = typer.Typer(help="Claims (报备): first reporter first, the industry rule, manager approvals, the pool, missed sales.",
                  no_args_is_help=True)

ClaimIdArg = Annotated[int, typer.Argument(min=1, max=ID_MAX, help="Claim id (see `salesctl claim list`).")]
CustomerArg = Annotated[str, typer.Argument(help="Customer id or name (a new name adds the customer).")]


def _claim_columns():
    from salesctl.render import Column

    return [
        Column("id", kind="int"),
        Column("customer", label="claim.col.customer"),
        Column("handle"),
        Column("status", label="claim.col.status", kind="enum:claim.status"),
        Column("holder", label="claim.col.holder"),
        Column("need", label="claim.col.need"),
        Column("at", kind="datetime"),
        Column("decided_by", label="claim.col.decided_by"),
        Column("decided_at", label="claim.col.decided_at", kind="datetime"),
        Column("why_pending", label="claim.col.why_pending"),
    ]


def _csv_columns():
    from salesctl.render import Column

    return _claim_columns()[:2] + [Column("customer_id", label="claim.col.customer_id", kind="int")] + \
        _claim_columns()[2:] + [Column("decision_note", label="claim.col.decision_note"),
                                Column("owner_had_info", label="claim.col.owner_had_info", kind="bool")]


def _local(when) -> str:
    from salesctl.periods import local_tz

    return when.astimezone(local_tz()).strftime("%Y-%m-%d %H:%M") if when else "?"


@app.command("add")
def add(
    customer: CustomerArg,
    need: Annotated[Optional[str], typer.Option("--need", help="What you know of the customer's need (your evidence).")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="New customer: contact person.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="New customer: the contact's title.")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="New customer: contact phone (also finds duplicates).")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="New customer: 跟进中/following, 已成交/won, 暂停/paused, 流失/lost.")] = None,
    industry: Annotated[Optional[str], typer.Option("--industry", help="New customer: industry (default: yours).")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="New customer: region (default: yours).")] = None,
    address: Annotated[Optional[str], typer.Option("--address", help="New customer: address.")] = None,
    not_duplicate: NotDuplicateOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Report (报备) a customer: granted at once, or a pending request for your manager.

    Example: salesctl claim add 华为技术有限公司 --need "扩建门店，年内采购收银系统"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import claims as svc

    from salesctl.cli.customer_match import unless_possible_duplicate

    fields = {"contact": contact, "title": title, "phone": phone, "status": status, "industry": industry,
              "region": region, "address": address}

    def attempt(confirmed: bool):
        with command_context(write=True) as ctx:
            outcome = svc.add_claim(ctx, customer, need, not_duplicate=confirmed, **fields)
            return outcome, outcome.as_dict()

    outcome, record = unless_possible_duplicate(attempt, not_duplicate)
    name, holder = record["customer"], record["holder"]
    if outcome.status == "granted":
        message = t("claim.msg.granted", id=record["id"], name=name)
    elif outcome.status == "pending":
        why = t("claim.why.separator").join(t(f"claim.why.{r}") for r in outcome.reasons)
        key = "claim.msg.pending" if record["holder"] else "claim.msg.pending_pool"
        message = t(key, id=record["id"], name=name, holder=holder, at=_local(record["first_reported_at"]), why=why)
    else:
        key = "claim.msg.unchanged_pending" if outcome.reasons else "claim.msg.unchanged"
        message = t(key, id=record["id"], name=name)
    render.emit_id(record["id"], record, fmt_value(format), message)


@app.command("list")
def list_(
    pending: Annotated[bool, typer.Option("--pending", help="Only requests waiting for a decision.")] = False,
    status: Annotated[Optional[str], typer.Option("--status", help="granted, pending, approved or rejected.")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help="Only claims on this customer (id or name).")] = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    limit: LimitOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """List claims by the people you may see, in ledger order (first reporter first).

    Example: salesctl claim list --pending --team
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import claims as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        rows = svc.list_claims(ctx, pending=pending, status=status, customer=customer, mine=mine, team=team,
                               manager=manager, rep=rep, all_=all_, limit=limit)
        first = next(rows, None)  # errors surface before anything is printed

        def chained():
            if first is not None:
                yield first
                yield from rows

        columns = _csv_columns() if fmt == "csv" else _claim_columns()
        render.emit_rows(chained(), columns, fmt, title=t("claim.title.list"), empty_message=t("claim.msg.none"))


def _decision_output(row: dict, fmt: str, message: str) -> None:
    from salesctl import render

    render.emit_object(row, fmt, columns=_csv_columns())
    render.info(message)


@app.command("approve")
def approve(
    claim_id: ClaimIdArg,
    note: Annotated[Optional[str], typer.Option("--note", help="Your reason (required for a contested or cross-industry claim).")] = None,
    owner_had_info: Annotated[Optional[str], typer.Option(
        "--owner-had-info", help="Contested claims: did the current owner have the information in time? yes or no.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Approve a pending claim: the customer moves to the requesting rep; the ledger keeps the previous owner.

    Example: salesctl claim approve 42 --note "王芳掌握客户需求更清楚" --owner-had-info no
    """
    from salesctl.messages import t
    from salesctl.services.sales import claims as svc

    with command_context(write=True) as ctx:
        decision = svc.approve_claim(ctx, claim_id, note=note, owner_had_info=owner_had_info)
        row = svc.claim_row(ctx, claim_id)
    message = t("claim.msg.approved", id=claim_id, name=decision.customer.name, handle=decision.requester.handle,
                previous=decision.previous_owner or t("customer.pool"))
    _decision_output(row, fmt_value(format), message)


@app.command("reject")
def reject(
    claim_id: ClaimIdArg,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (required; the rep sees it).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Reject a pending claim; the customer stays with its owner.

    Example: salesctl claim reject 42 --reason "张杰已及时掌握项目信息"
    """
    from salesctl.messages import t
    from salesctl.services.sales import claims as svc

    with command_context(write=True) as ctx:
        decision = svc.reject_claim(ctx, claim_id, reason=reason)
        row = svc.claim_row(ctx, claim_id)
    message = t("claim.msg.rejected", id=claim_id, name=decision.customer.name, handle=decision.requester.handle)
    _decision_output(row, fmt_value(format), message)


@app.command("release")
def release(
    customer: Annotated[str, typer.Argument(help="Customer id or name.")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why you give it back (optional).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Give a customer back to the pool (公海); the ledger keeps you as a former owner.

    Example: salesctl claim release 华为技术有限公司 --reason "客户已转向其他供应商"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import claims as svc

    with command_context(write=True) as ctx:
        entry, record, previous = svc.release_customer(ctx, customer, reason=reason)
    obj = {"id": entry.id, "customer": record.name, "customer_id": record.id, "status": "released",
           "holder": None, "previous_owner": previous, "at": entry.at}
    render.emit_id(entry.id, obj, fmt_value(format), t("claim.msg.released", name=record.name, handle=previous))


@app.command("expire")
def expire(
    dry_run: DryRunOpt = False,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Recall customers whose owner logged no visit for too long to the pool, and list owners to warn (for cron).

    Example: salesctl claim expire --dry-run
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.sales import pool as svc

    with command_context(write=not dry_run) as ctx:
        result = svc.expire(ctx, dry_run=dry_run, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    columns = [Column("action", label="claim.col.action", kind="enum:claim.action"),
               Column("customer_id", label="claim.col.customer_id", kind="int"),
               Column("customer", label="claim.col.customer"), Column("grade", label="claim.col.grade"),
               Column("owner", label="claim.col.owner"), Column("idle_since", label="claim.col.idle_since", kind="datetime"),
               Column("days_idle", label="claim.col.days_idle", kind="int"),
               Column("limit_days", label="claim.col.limit_days", kind="int"),
               Column("recall_on", label="claim.col.recall_on", kind="date")]
    rows = [{k: v for k, v in r.items() if k != "owner_id"} for r in result.rows]
    render.emit_rows(rows, columns, fmt_value(format), title=t("claim.title.expire"),
                     empty_message=t("claim.msg.nothing_idle"))
    key = "claim.msg.expire_dry_run" if dry_run else "claim.msg.expire_done"
    render.info(t(key, recalled=len(result.recalled), warned=len(result.warned)))


missed_app = typer.Typer(cls=DefaultAddGroup, help="Missed sales (漏单): record (the default), list with --list, void.")
app.add_typer(missed_app, name="missed")


@missed_app.command("void")
def missed_void(
    missed_id: Annotated[str, typer.Argument(help="The missed sale's id (from `claim missed --list`).")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why it is void (required).")] = None,
):
    """Void a missed sale recorded by mistake, before its year-end settlement (after it: commission adjust).

    Example: salesctl claim missed void 3 --reason "客户其实在档案中（简称）"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.sales import missed as svc

    with command_context(write=True) as ctx:
        record = svc.void_missed(ctx, missed_id, reason=reason)
    render.info(t("handbook.msg.missed_voided", id=record.id, name=record.name))


@missed_app.command("add")
def missed(
    name: Annotated[Optional[str], typer.Argument(help="The customer who bought elsewhere (free text, not an archive entry).")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="Region where the sale was missed.")] = None,
    industry: Annotated[Optional[str], typer.Option("--industry", help="Industry of the missed customer.")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="The penalty (like the sales cost), split equally.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="What happened (required).")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="When it happened (default today).")] = None,
    list_only: Annotated[bool, typer.Option("--list", help="List recorded missed sales instead.")] = False,
    year: Annotated[Optional[int], typer.Option("--year", min=1990, max=2100, help="With --list: only this year.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Record a missed sale (漏单): the penalty is split among the region's reps of that industry.

    Example: salesctl claim missed 某连锁超市 --region 华东 --industry 零售 --amount 3000 --note "被竞品拿下，档案中无此客户"
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.sales import missed as svc

    fmt = fmt_value(format)
    if list_only:
        with command_context() as ctx:
            rows = svc.missed_rows(ctx, year=year)
        columns = [Column("id", kind="int"), Column("name", label="claim.col.missed_name"),
                   Column("region"), Column("industry"), Column("amount", label="claim.col.amount", kind="money"),
                   Column("occurred_on", label="claim.col.occurred_on", kind="date"),
                   Column("recorded_by", label="claim.col.recorded_by"), Column("shares", label="claim.col.shares"),
                   Column("note", label="claim.col.note")]
        render.emit_rows(rows, columns, fmt, title=t("claim.title.missed"))
        return
    with command_context(write=True) as ctx:
        record = svc.record_missed(ctx, name, region=region, industry=industry, amount=amount, note=note, occurred=date)
        obj = record.as_dict(ctx.actor.handle)
    from salesctl.money import fmt as money

    shares = ", ".join(f"{h} {money(a)}" for h, a in record.shares)
    render.emit_id(obj["id"], obj, fmt, t("claim.msg.missed", id=obj["id"], name=obj["name"], amount=money(obj["amount"]),
                                          shares=shares))
