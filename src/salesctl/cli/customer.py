"""`salesctl customer`: the customer archive (add, list, show, edit, contact, profile, regrade, grades, history)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value, read_text_option
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

app = typer.Typer(help="The customer archive: customers, contacts, profiles, grades and their history.",
                  no_args_is_help=True)
contact_app = typer.Typer(help="A customer's contact people (several per customer; mark decision makers).",
                          no_args_is_help=True)
app.add_typer(contact_app, name="contact")

CustomerArg = Annotated[str, typer.Argument(help="Customer id or name.")]
ContactOpt = Annotated[Optional[str], typer.Option("--contact", help="Contact person (联系人).")]
TitleOpt = Annotated[Optional[str], typer.Option("--title", help="The contact's job title (职务).")]
PhoneOpt = Annotated[Optional[str], typer.Option("--phone", help="Phone: 13812345678, 010-12345678 or +44 20 7946 0958.")]
StatusOpt = Annotated[Optional[str], typer.Option("--status", help="跟进中/following, 已成交/won, 暂停/paused, 流失/lost.")]
IndustryOpt = Annotated[Optional[str], typer.Option("--industry", help="Industry (default: the owner's).")]
RegionOpt = Annotated[Optional[str], typer.Option("--region", help="Region (default: the owner's).")]
AddressOpt = Annotated[Optional[str], typer.Option("--address", help="Address.")]
WebsiteOpt = Annotated[Optional[str], typer.Option("--website", help="Web address.")]
EmailOpt = Annotated[Optional[str], typer.Option("--email", help="The customer's email address.")]
GradeOpt = Annotated[Optional[str], typer.Option("--grade", help="A, B, C or D (default: from --expected-purchase).")]
ExpectedOpt = Annotated[Optional[str], typer.Option("--expected-purchase", help="Expected purchase date (YYYY-MM-DD; 'none' clears).")]
OwnerOpt = Annotated[Optional[str], typer.Option("--owner", help="Owner's handle (assistants must give one).")]


def _row_columns():
    from salesctl.render import Column

    return [
        Column("id", kind="int"),
        Column("name"),
        Column("grade", label="customer.col.grade"),
        Column("status", label="customer.col.status", kind="enum:customer_status"),
        Column("owner", label="customer.col.owner"),
        Column("region"),
        Column("industry"),
        Column("contact", label="customer.col.contact"),
        Column("phone"),
        Column("last_contact_at", label="customer.col.last_contact", kind="datetime"),
        Column("expected_purchase", label="customer.col.expected_purchase", kind="date"),
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
    from salesctl.services.customers.customers import ROW_KEYS

    return [known[key] for key in ROW_KEYS]


# --------------------------------------------------------------------------- prompts
def _ask_missing(values: dict, grade: Optional[str]) -> tuple[dict, Optional[str]]:
    """At a terminal, ask for the missing handbook fields (and offer the grade picker)."""
    import questionary

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
            asked[flag] = questionary.text(t(key), validate=lambda s: bool(s.strip()) or t("customer.prompt.required")).ask()
    if not asked.get("phone"):
        asked["phone"] = questionary.text(t("customer.prompt.phone"), validate=check_phone).ask()
    if not asked.get("status"):
        asked["status"] = questionary.select(
            t("customer.prompt.status"),
            choices=[questionary.Choice(label("customer_status", s), value=s) for s in CUSTOMER_STATUSES],
        ).ask()
    if grade is None:
        choices = [questionary.Choice(t("customer.prompt.grade_auto"), value="")]
        choices += [questionary.Choice(f"{label('grade', g)} — {t('grade_meaning.' + g)}", value=g) for g in GRADES]
        grade = questionary.select(t("customer.prompt.grade"), choices=choices).ask()
        grade = grade or None
    if any(asked.get(k) is None for k in ("contact", "title", "phone", "status")):
        raise typer.Abort()
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
    format: FormatOpt = OutputFormat.table,
):
    """Add a customer (the new-customer form: name, contact, title, phone, status are required).

    Example: salesctl customer add 华为技术有限公司 --contact 张伟 --title 采购经理 --phone 13812345678 --status 跟进中
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.customers import customers as svc

    values = {"contact": contact, "title": title, "phone": phone, "status": status}
    if any(not (v or "").strip() for v in values.values()) and render.interactive():
        values, grade = _ask_missing(values, grade)
    with command_context(write=True) as ctx:
        outcome = svc.add_customer(
            ctx, force_claim=force_claim, need=need, name=name, contact=values["contact"], title=values["title"],
            phone=values["phone"], status=values["status"], industry=industry, region=region, address=address,
            website=website, email=email, grade=grade, expected_purchase=expected_purchase, owner=owner,
        )
        if outcome.customer is not None:
            row = svc.customer_row(ctx, outcome.customer.id)
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
    from salesctl.services.customers import customers as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        rows = svc.list_customers(ctx, grade=grade, mine=mine, team=team, manager=manager, rep=rep, all_=all_,
                                  region=region, industry=industry, status=status, stale=stale, search=search,
                                  incomplete=incomplete, sort=sort, limit=limit)
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
        ("claims", "customer.title.claims", [Column("id", kind="int"), Column("kind", label="customer.col.kind"),
                                             Column("handle"), Column("at", kind="datetime"),
                                             Column("from", label="customer.col.from_owner"),
                                             Column("to", label="customer.col.to_owner"),
                                             Column("need", label="customer.col.need")]),
        ("last_visits", "customer.title.last_visits", [Column("at", kind="datetime"), Column("kind", label="customer.col.kind"),
                                                      Column("rep", label="customer.col.rep"),
                                                      Column("contact", label="customer.col.contact"),
                                                      Column("content", label="customer.col.content"),
                                                      Column("result", label="customer.col.result"),
                                                      Column("next_step", label="customer.col.next_step")]),
    ]
    for key, title, columns in sections:
        render.write("\n")
        render.emit_rows(obj.get(key) or [], columns, sub, title=t(title))


def _contact_columns():
    from salesctl.render import Column

    return [Column("id", kind="int"), Column("name"), Column("title", label="customer.col.title"), Column("phone"),
            Column("email"), Column("decision_maker", label="customer.col.decision_maker", kind="bool"),
            Column("primary", label="customer.col.primary", kind="bool")]


def _grade_columns():
    from salesctl.render import Column

    return [Column("at", kind="datetime"), Column("from", label="customer.col.from_grade"),
            Column("to", label="customer.col.to_grade"), Column("by", label="customer.col.by"),
            Column("source", label="customer.col.source"), Column("reason"), Column("rule", label="customer.col.rule")]


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
    from salesctl.services.customers import customers as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        obj = svc.show_customer(ctx, customer, visits=visits)
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
    format: FormatOpt = OutputFormat.table,
):
    """Change a customer's fields (the same flags as add); --owner moves it (managers).

    Example: salesctl customer edit 华为技术 --expected-purchase 2027-01-15 --address 深圳市龙岗区
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.customers import customers as svc

    with command_context(write=True) as ctx:
        record = svc.edit_customer(ctx, customer, name=name, contact=contact, title=title, phone=phone, status=status,
                                   industry=industry, region=region, address=address, website=website, email=email,
                                   grade=grade, expected_purchase=expected_purchase, owner=owner, reason=reason)
        row = svc.customer_row(ctx, record.id)
    render.emit_object(row, fmt_value(format), columns=_all_row_columns())
    render.info(t("msg.updated", entity=t("customer.entity"), id=row["id"], name=row["name"]))


# --------------------------------------------------------------------------- contacts
@contact_app.command("add")
def contact_add(
    customer: CustomerArg,
    name: Annotated[Optional[str], typer.Option("--name", help="The contact's name.")] = None,
    title: TitleOpt = None,
    phone: PhoneOpt = None,
    email: Annotated[Optional[str], typer.Option("--email", help="The contact's email.")] = None,
    decision_maker: Annotated[bool, typer.Option("--decision-maker", help="Marks a decision maker (决策人).")] = False,
    primary: Annotated[bool, typer.Option("--primary", help="Make this the customer's main contact.")] = False,
    note: Annotated[Optional[str], typer.Option("--note", help="A note (role in the decision, preferences).")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Add a contact person to a customer.

    Example: salesctl customer contact add 华为技术 --name 李娜 --title 技术总监 --phone 13912345678 --decision-maker
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.customers import customers as svc

    with command_context(write=True) as ctx:
        record = svc.add_contact(ctx, customer, name=name, title=title, phone=phone, email=email,
                                 decision_maker=decision_maker, primary=primary, note=note)
        row = svc._contact_row(record)
    render.emit_id(record.id, row, fmt_value(format), t("msg.added", entity=t("customer.contact_entity"), id=record.id, name=record.name))


@contact_app.command("list")
def contact_list(customer: CustomerArg, format: FormatOpt = OutputFormat.table):
    """List a customer's contacts (the main contact first).

    Example: salesctl customer contact list 华为技术 --format json
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.customers import customers as svc

    with command_context() as ctx:
        record = svc.get_customer(ctx, customer)
        rows = svc.contact_rows(ctx, record)
    render.emit_rows(rows, _contact_columns(), fmt_value(format), title=t("customer.title.contacts_of", name=record.name))


@contact_app.command("edit")
def contact_edit(
    contact_id: Annotated[int, typer.Argument(min=1, max=ID_MAX, help="Contact id (see `customer contact list`).")],
    name: Annotated[Optional[str], typer.Option("--name", help="The contact's name.")] = None,
    title: TitleOpt = None,
    phone: PhoneOpt = None,
    email: Annotated[Optional[str], typer.Option("--email", help="The contact's email.")] = None,
    decision_maker: Annotated[Optional[bool], typer.Option("--decision-maker/--no-decision-maker", help="Mark or unmark a decision maker.")] = None,
    primary: Annotated[bool, typer.Option("--primary", help="Make this the customer's main contact.")] = False,
    note: Annotated[Optional[str], typer.Option("--note", help="A note.")] = None,
    format: FormatOpt = OutputFormat.table,
):
    """Change a contact person.

    Example: salesctl customer contact edit 12 --title 副总经理 --decision-maker
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.customers import customers as svc

    with command_context(write=True) as ctx:
        record = svc.edit_contact(ctx, contact_id, name=name, title=title, phone=phone, email=email,
                                  decision_maker=decision_maker, primary=primary, note=note)
        row = svc._contact_row(record)
    render.emit_object(row, fmt_value(format), columns=_contact_columns())
    render.info(t("msg.updated", entity=t("customer.contact_entity"), id=record.id, name=record.name))


# --------------------------------------------------------------------------- profile
@app.command("profile")
def profile(
    customer: CustomerArg,
    section: Annotated[Optional[str], typer.Option("--section", help="background, project, relationship, plan or competitor.")] = None,
    text: Annotated[Optional[str], typer.Option("--text", help="The section's text.")] = None,
    text_file: Annotated[Optional[str], typer.Option("--text-file", help="Read the text from this file ('-' = stdin).")] = None,
    append: Annotated[bool, typer.Option("--append", help="Add to the section instead of replacing it.")] = False,
    format: FormatOpt = OutputFormat.table,
):
    """Write a profile section (text from flag, file, stdin, or $EDITOR at a terminal); without --section show them.

    Example: salesctl customer profile 华为技术 --section competitor --text "主要竞争对手：中兴，价格低10%"
    """
    import sys

    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.customers import customers as svc

    if section is None:
        if text is not None or text_file is not None:
            raise InvalidInput(t("customer.err.section_required"))
        with command_context() as ctx:
            rows = svc.profile_rows(ctx, customer)
        render.emit_rows(rows, [Column("section", label="customer.col.section", kind="enum:profile_section"),
                                Column("text", label="customer.col.text"),
                                Column("updated_by", label="customer.col.updated_by"),
                                Column("updated_at", label="customer.col.updated_at", kind="datetime")],
                         fmt_value(format), title=t("customer.title.profile"))
        return
    section_key = svc.validate_section(section)
    body = read_text_option(text, text_file, "text")
    with command_context(write=True) as ctx:
        if body is None:
            if render.interactive():
                _record, current = svc.profile_text(ctx, customer, section_key)
                body = typer.edit(current or "")
            elif not render.stdin_is_terminal():
                body = sys.stdin.read()
        if body is None:
            raise InvalidInput(t("customer.err.text_required"))
        record = svc.set_profile(ctx, customer, section_key, body, append=append)
    render.info(t("customer.msg.profile_saved", section=section_key, id=record.customer_id))


# --------------------------------------------------------------------------- grading
@app.command("regrade")
def regrade(
    customer: Annotated[Optional[str], typer.Argument(help="Customer id or name (not with --auto).")] = None,
    grade: Annotated[Optional[str], typer.Argument(help="A, B, C or D.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why the grade changes (required by hand).")] = None,
    auto: Annotated[bool, typer.Option("--auto", help="Apply the written rules to every customer in scope (cron-safe).")] = False,
    dry_run: DryRunOpt = False,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Change a customer's grade by hand, or --auto by the expected-purchase rules.

    Example: salesctl customer regrade 华为技术 A --reason "已确认下月采购"; salesctl customer regrade --auto --dry-run
    """
    from salesctl import render
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.customers import customers as svc

    fmt = fmt_value(format)
    if not auto:
        if dry_run or mine or team or manager or rep or all_:
            raise InvalidInput(t("customer.err.auto_only"))
        missing = [n for n, v in (("CUSTOMER", customer), ("GRADE", grade)) if not v]
        if missing:
            raise InvalidInput(t("customer.err.regrade_missing", args=t("customer.word.and").join(missing)))
        if not (reason or "").strip() and render.interactive():
            import questionary

            reason = questionary.text(t("customer.prompt.reason")).ask()
        with command_context(write=True) as ctx:
            record, change, old = svc.regrade(ctx, customer, grade, reason)
        row = {"customer_id": record.id, "customer": record.name, "from": old, "to": record.grade,
               "reason": change.reason if change else None, "changed": change is not None}
        render.emit_object(row, fmt, columns=[
            Column("customer_id", label="customer.col.customer_id", kind="int"), Column("customer", label="customer.col.customer"),
            Column("from", label="customer.col.from_grade"), Column("to", label="customer.col.to_grade"), Column("reason"),
            Column("changed", label="customer.col.changed", kind="bool")])
        render.info(t("customer.msg.regraded", name=record.name, old=old, new=record.grade) if change
                    else t("customer.msg.grade_unchanged", name=record.name, grade=record.grade))
        return
    if customer or grade:
        raise InvalidInput(t("customer.err.auto_no_args"))
    with command_context(write=not dry_run) as ctx:
        outcome = svc.auto_regrade(ctx, dry_run=dry_run, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    columns = [Column("customer_id", label="customer.col.customer_id", kind="int"), Column("customer", label="customer.col.customer"),
               Column("from", label="customer.col.from_grade"), Column("to", label="customer.col.to_grade"),
               Column("rule", label="customer.col.rule")]
    render.emit_rows(outcome.changes, columns, fmt, title=t("customer.title.auto_regrade"),
                     empty_message=t("customer.msg.no_changes"))
    for item in outcome.review:
        render.warn(t("customer.msg.needs_review", name=item["customer"], id=item["customer_id"],
                      date=item["expected_purchase"]))
    key = "customer.msg.auto_dry_run" if dry_run else "customer.msg.auto_done"
    render.info(t(key, changes=len(outcome.changes), checked=outcome.checked, held=outcome.held,
                  review=len(outcome.review)))


def _bar(row: dict, scale: float, rich: bool) -> str:
    from salesctl.models import GRADES

    blocks = {"A": "█", "B": "▓", "C": "▒", "D": "░"}
    colours = {"A": "green", "B": "cyan", "C": "yellow", "D": "white"}
    parts = []
    for g in GRADES:
        width = round(row.get(g, 0) * scale)
        if row.get(g, 0) and width == 0:
            width = 1
        if width:
            text = blocks[g] * width
            parts.append(f"[{colours[g]}]{text}[/{colours[g]}]" if rich else text)
    return "".join(parts)


@app.command("grades")
def grades(
    by: Annotated[Optional[str], typer.Option("--by", help="Group by owner, region or industry.")] = None,
    mine: MineOpt = False,
    team: TeamOpt = False,
    manager: ManagerOpt = None,
    rep: RepOpt = None,
    all_: AllOpt = False,
    format: FormatOpt = OutputFormat.table,
):
    """Grade distribution: a bar chart on a terminal, counts in json/csv.

    Example: salesctl customer grades --team --by owner
    """
    from salesctl import render
    from salesctl.messages import label, t
    from salesctl.models import GRADES
    from salesctl.render import Column

    from salesctl.services.customers import customers as svc

    fmt = fmt_value(format)
    with command_context() as ctx:
        data = svc.grade_distribution(ctx, by=by, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    if fmt == "json":
        import json

        render.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    grade_cols = [Column(g, label=f"grade.{g}", kind="int") for g in GRADES]
    if fmt in ("csv", "markdown"):
        rows = data if by else [data]
        columns = ([Column(by, label=f"customer.col.{by}" if by == "owner" else None)] if by else []) + grade_cols
        if fmt == "csv":
            columns = ([Column(by)] if by else []) + [Column(g) for g in GRADES]
        render.emit_rows(rows, columns, fmt, title=t("customer.title.grades"))
        return
    rich = render.stdout_is_terminal()
    width = 40
    if by:
        rows = data
        biggest = max((sum(r[g] for g in GRADES) for r in rows), default=0)
    else:
        rows = [{"grade": g, g: data[g]} for g in GRADES]
        biggest = max(data.values(), default=0)
    scale = width / biggest if biggest else 0
    legend = "  ".join(f"{ch} {label('grade', g)}" for g, ch in zip(GRADES, "█▓▒░"))
    lines = []
    for r in rows:
        total = sum(r.get(g, 0) for g in GRADES)
        name = label("grade", r["grade"]) if not by else str(r[by] if r[by] is not None else t("none"))
        counts = "" if not by else "  " + " ".join(f"{g}:{r[g]}" for g in GRADES)
        lines.append((name, _bar(r, scale, rich), total, counts))
    title = t("customer.title.grades")
    if rich:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_header=False, box=None, padding=(0, 1))
        table.add_column(justify="left")
        table.add_column(justify="left")
        table.add_column(justify="right")
        table.add_column(justify="left")
        for name, bar, total, counts in lines:
            table.add_row(render.escape(name), bar, str(total), counts)
        console = Console()
        console.print(table)
        if by:
            console.print(legend, markup=False)
        return
    pad = max((len(n) for n, *_ in lines), default=0)
    out = [title]
    for name, bar, total, counts in lines:
        out.append(f"{name.ljust(pad)}  {bar.ljust(width)} {total:>6}{counts}")
    if by:
        out.append(legend)
    render.write("\n".join(out) + "\n")


# --------------------------------------------------------------------------- history
@app.command("history")
def history(customer: CustomerArg, format: FormatOpt = OutputFormat.table):
    """One timeline of a customer: creation, grade changes, visits, owner changes.

    Example: salesctl customer history 华为技术
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.render import Column
    from salesctl.services.customers import customers as svc

    with command_context() as ctx:
        record = svc.get_customer(ctx, customer)
        rows = svc.history(ctx, customer)
    columns = [Column("at", kind="datetime"), Column("event", label="customer.col.event", kind="enum:customer_event"),
               Column("by", label="customer.col.by"), Column("text", label="customer.col.what")]
    render.emit_rows(rows, columns, fmt_value(format), title=t("customer.title.history", name=record.name))


# --------------------------------------------------------------------------- archive (issue 9)
try:
    import importlib as _importlib

    _archive = _importlib.import_module("salesctl.cli.customer_archive")
except ModuleNotFoundError as exc:
    if exc.name != "salesctl.cli.customer_archive":
        raise
else:
    app.add_typer(_archive.app, name="archive")
