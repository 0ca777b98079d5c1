"""`salesctl customer`: the customer archive (add, list, show, edit, contact, profile, regrade, grades, history)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.options import DAYS_MAX, ID_MAX  # noqa: F401
from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import (
    AllOpt,
    FormatOpt,
    LimitOpt,
    ManagerOpt,
    MineOpt,
    OutputFormat,
    RepOpt,
    TeamOpt,
)
from salesctl.cli.customer_options import (
    AddressOpt,
    ContactOpt,
    CreditCodeOpt,
    CustomerArg,
    EmailOpt,
    ExpectedOpt,
    GradeOpt,
    IndustryOpt,
    NotDuplicateOpt,
    OwnerOpt,
    PhoneOpt,
    RegionOpt,
    StatusOpt,
    TitleOpt,
    WebsiteOpt,
    _contact_columns,
    _grade_columns,
)

app = typer.Typer(help="The customer archive: customers, contacts, profiles, grades and their history.",
                  no_args_is_help=True)


def _row_columns():
    from salesctl.render import Column

    return [
        Column("id", kind="int", keep=True),
        Column("name", keep=True),
        Column("grade", label="customer.col.grade", keep=True),
        Column("status", label="customer.col.status", kind="enum:customer_status", keep=True),
        Column("owner", label="customer.col.owner", keep=True),
        Column("region"),
        Column("industry"),
        Column("contact", label="customer.col.contact"),
        Column("phone"),
        Column("last_contact_at", label="customer.col.last_contact", kind="datetime"),
        Column("expected_purchase", label="customer.col.expected_purchase", kind="date", keep=True),
    ]


def _all_row_columns():
    """CSV and the key/value table carry every field of a row, in the JSON order."""
    from salesctl.render import Column

    extra = {
        "reported_by": Column("reported_by", label="customer.col.reported_by"),
        "reported_at": Column("reported_at", label="customer.col.reported_at", kind="datetime"),
        "address": Column("address", label="customer.col.address"),
        "incomplete": Column("incomplete", label="customer.col.incomplete", kind="bool"),
    }
    known = {c.key: c for c in _row_columns()} | extra
    from salesctl.services.customers.reads import ROW_KEYS

    return [known[key] for key in ROW_KEYS]


# --------------------------------------------------------------------------- prompts
def _ask_missing(values: dict, grade: Optional[str]) -> tuple[dict, Optional[str]]:
    """At a terminal, ask for the missing handbook fields (and offer the grade picker); Ctrl-C cancels."""
    from salesctl import prompts
    from salesctl.errors import InvalidInput
    from salesctl.messages import label, t
    from salesctl.models import CUSTOMER_STATUSES, GRADES

    def check_phone(text):
        from salesctl.services.customers.normalize import normalize_phone

        try:
            normalize_phone(text)
            return True
        except InvalidInput as exc:
            return exc.message

    asked = dict(values)
    for flag, key in (("contact", "customer.prompt.contact"), ("title", "customer.prompt.title")):
        if not asked.get(flag):
            asked[flag] = prompts.text(t(key), validate=lambda s: bool(s.strip()) or t("customer.prompt.required"))
    if not asked.get("phone"):
        asked["phone"] = prompts.text(t("customer.prompt.phone"), validate=check_phone)
    if not asked.get("status"):
        asked["status"] = prompts.select(t("customer.prompt.status"),
                                         [(label("customer_status", s), s) for s in CUSTOMER_STATUSES])
    if grade is None:
        choices = [(t("customer.prompt.grade_auto"), "")]
        choices += [(f"{label('grade', g)} — {t('grade_meaning.' + g)}", g) for g in GRADES]
        grade = prompts.select(t("customer.prompt.grade"), choices) or None
    return asked, grade


# --------------------------------------------------------------------------- add
@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Customer (company) name.")],
    contact: ContactOpt = None,
    title: TitleOpt = None,
    phone: PhoneOpt = None,
    status: StatusOpt = None,
    industry: IndustryOpt = None,
    region: RegionOpt = None,
    address: AddressOpt = None,
    website: WebsiteOpt = None,
    email: EmailOpt = None,
    grade: GradeOpt = None,
    expected_purchase: ExpectedOpt = None,
    owner: OwnerOpt = None,
    force_claim: Annotated[bool, typer.Option("--force-claim", help="If it is already in the archive, request it as a claim.")] = False,
    need: Annotated[Optional[str], typer.Option("--need", help="With --force-claim: what you know of the customer's need.")] = None,
    credit_code: CreditCodeOpt = None,
    not_duplicate: NotDuplicateOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Add a customer (the new-customer form: name, contact, title, phone, status are required).

    Example: salesctl customer add 华为技术有限公司 --contact 张伟 --title 采购经理 --phone 13812345678 --status 跟进中
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.customers import customers
    from salesctl.services.customers import reads

    values = {"contact": contact, "title": title, "phone": phone, "status": status}
    if any(not (v or "").strip() for v in values.values()) and render.interactive():
        values, grade = _ask_missing(values, grade)
    def attempt(confirmed: bool):
        with command_context(write=True) as ctx:
            outcome = customers.add_customer(
                ctx, force_claim=force_claim, need=need, name=name, contact=values["contact"], title=values["title"],
                phone=values["phone"], status=values["status"], industry=industry, region=region, address=address,
                website=website, email=email, grade=grade, expected_purchase=expected_purchase, owner=owner,
                credit_code=credit_code, not_duplicate=confirmed,
            )
            row = reads.customer_row(ctx, outcome.customer.id) if outcome.customer is not None else None
        return outcome, row

    from salesctl.cli.customer_match import unless_possible_duplicate

    outcome, row = unless_possible_duplicate(attempt, not_duplicate)
    fmt = fmt_value(format)
    if outcome.customer is not None:
        message = t("customer.msg.added", id=row["id"], name=row["name"], grade=row["grade"], owner=row["owner"] or "-")
        render.emit_id(row["id"], row, fmt, message)
        return
    dup = outcome.duplicate
    record = {"id": outcome.request.id, "customer": dup.name, "customer_id": dup.customer_id, "status": "pending",
              "holder": dup.owner, "first_reported_at": dup.first_reported_at}
    render.emit_id(outcome.request.id, record, fmt,
                   t("customer.msg.claim_requested", id=outcome.request.id, name=dup.name, holder=dup.owner or t("customer.pool")))


# --------------------------------------------------------------------------- list
@app.command("list")
def list_(
    grade: Annotated[Optional[str], typer.Option("--grade", help="Only these grades, e.g. A,B.")] = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    region: Annotated[Optional[str], typer.Option("--region", help="Only this region (comma list).")] = None,
    industry: Annotated[Optional[str], typer.Option("--industry", help="Only this industry (comma list).")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="Only this status (comma list), e.g. following.")] = None,
    stale: Annotated[Optional[int], typer.Option("--stale", min=0, max=DAYS_MAX, help="No contact for at least this many days.")] = None,
    search: Annotated[Optional[str], typer.Option("--search", help="Name, contact or phone contains this text.")] = None,
    incomplete: Annotated[bool, typer.Option("--incomplete", help="Only customers missing handbook fields.")] = False,
    sort: Annotated[Optional[str], typer.Option("--sort", help="name, grade, last_contact (stalest first) or created.")] = None,
    limit: LimitOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """List the customers you may see (json and csv stream row by row).

    Example: salesctl customer list --grade A,B --stale 14 --format json
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.customers import reads

    fmt = fmt_value(format)
    filters = dict(grade=grade, mine=mine, team=team, manager=manager, rep=rep, all_=all_, region=region,
                   industry=industry, status=status, stale=stale, search=search, incomplete=incomplete, sort=sort,
                   limit=limit)
    with command_context() as ctx:
        lines = reads.customer_json_lines(ctx, **filters) if fmt == "json" else None
        if lines is not None:  # a long list on SQLite: each row's JSON written by the query itself
            render.emit_json_lines(lines)
            return
        if fmt in ("json", "csv"):  # up to millions of rows: stored records, converted once each
            render.emit_records(reads.ROW_KEYS, reads.customer_records(ctx, **filters), fmt, reads.RECORD_KINDS)
            return
        rows = reads.list_customers(ctx, **filters)
        first = next(rows, None)  # validation errors surface before anything is printed

        def chained():
            if first is not None:
                yield first
                yield from rows

        columns = _all_row_columns() if fmt == "csv" else _row_columns()
        render.emit_rows(chained(), columns, fmt, title=t("customer.title.list"))


# --------------------------------------------------------------------------- show
def _print_sections(obj: dict, fmt: str) -> None:
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column

    pairs = _all_row_columns() + [Column("website", label="customer.col.website"), Column("email"),
                                  Column("created_at", kind="datetime"), Column("created_by", label="customer.col.created_by")]
    kv = [Column("key"), Column("value")]
    body = [{"key": c.heading(), "value": render.cell(obj.get(c.key), c.kind)} for c in pairs]
    sub = "markdown" if fmt == "markdown" else "table"
    render.emit_rows(body, kv, sub, title=f"{obj['name']} (#{obj['id']})")
    sections = [
        ("contacts", "customer.title.contacts", _contact_columns()),
        ("profile", "customer.title.profile", [Column("section", label="customer.col.section", kind="enum:profile_section"),
                                                Column("text", label="customer.col.text"),
                                                Column("updated_by", label="customer.col.updated_by"),
                                                Column("updated_at", label="customer.col.updated_at", kind="datetime")]),
        ("grade_history", "customer.title.grade_history", _grade_columns()),
        ("claims", "customer.title.claims", [Column("id", kind="int"),
                                             Column("kind", label="customer.col.kind", kind="enum:customer_ledger"),
                                             Column("handle"), Column("at", kind="datetime"),
                                             Column("from", label="customer.col.from_owner"),
                                             Column("to", label="customer.col.to_owner"),
                                             Column("need", label="customer.col.need")]),
        ("last_visits", "customer.title.last_visits", [Column("at", kind="datetime"),
                                                      Column("kind", label="customer.col.kind", kind="enum:visit_kind"),
                                                      Column("rep", label="customer.col.rep"),
                                                      Column("contact", label="customer.col.contact"),
                                                      Column("content", label="customer.col.content"),
                                                      Column("result", label="customer.col.result"),
                                                      Column("next_step", label="customer.col.next_step")]),
    ]
    for key, title, columns in sections:
        render.write("\n")
        render.emit_rows(obj.get(key) or [], columns, sub, title=t(title))


@app.command("show")
def show(
    customer: CustomerArg,
    visits: Annotated[int, typer.Option("--visits", min=0, max=ID_MAX, help="How many recent visits to show.")] = 5,
    format: FormatOpt = OutputFormat.table,
):
    """Show one customer: all fields, contacts, profile, grade history, ownership ledger, last visits.

    Example: salesctl customer show 华为技术 --format json
    """
    from salesctl import render
    from salesctl.services.customers import reads

    fmt = fmt_value(format)
    with command_context() as ctx:
        obj = reads.show_customer(ctx, customer, visits=visits)
    render.emit_object(obj, fmt, table=lambda o: _print_sections(o, fmt), columns=_all_row_columns())


# --------------------------------------------------------------------------- edit
@app.command("edit")
def edit(
    customer: CustomerArg,
    name: Annotated[Optional[str], typer.Option("--name", help="New customer name.")] = None,
    contact: ContactOpt = None,
    title: TitleOpt = None,
    phone: PhoneOpt = None,
    status: StatusOpt = None,
    industry: IndustryOpt = None,
    region: RegionOpt = None,
    address: AddressOpt = None,
    website: WebsiteOpt = None,
    email: EmailOpt = None,
    grade: Annotated[Optional[str], typer.Option("--grade", help="A, B, C or D (kept in the grade history).")] = None,
    expected_purchase: ExpectedOpt = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="Move to this owner (managers only; recorded in the ledger).")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (for a grade or owner change).")] = None,
    credit_code: CreditCodeOpt = None,
    format: FormatOpt = OutputFormat.table,
):
    """Change a customer's fields (the same flags as add); --owner moves it (managers).

    Example: salesctl customer edit 华为技术 --expected-purchase 2027-01-15 --address 深圳市龙岗区
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.customers import customers
    from salesctl.services.customers import reads

    with command_context(write=True) as ctx:
        record = customers.edit_customer(ctx, customer, name=name, contact=contact, title=title, phone=phone, status=status,
                                   industry=industry, region=region, address=address, website=website, email=email,
                                   grade=grade, expected_purchase=expected_purchase, owner=owner, reason=reason,
                                   credit_code=credit_code)
        row = reads.customer_row(ctx, record.id)
    render.emit_object(row, fmt_value(format), columns=_all_row_columns())
    render.info(t("msg.updated", entity=t("customer.entity"), id=row["id"], name=row["name"]))


# --------------------------------------------------------------------------- contact, profile, regrade, grades, history
from salesctl.cli import customer_profile as _profile  # noqa: E402  (its commands join this group)

app.add_typer(_profile.contact_app, name="contact")
app.registered_commands.extend(_profile.app.registered_commands)

# --------------------------------------------------------------------------- lookup, duplicates, merge (查重)
from salesctl.cli import customer_match as _match  # noqa: E402

app.registered_commands.extend(_match.app.registered_commands)


# --------------------------------------------------------------------------- archive (issue 9)
try:
    import importlib as _importlib

    _archive = _importlib.import_module("salesctl.cli.customer_archive")
except ModuleNotFoundError as exc:
    if exc.name != "salesctl.cli.customer_archive":
        raise
else:
    app.add_typer(_archive.app, name="archive")
