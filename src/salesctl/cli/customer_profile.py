"""`salesctl customer contact|profile|regrade|grades|history`: a customer's people, profile and grades.

Mounted on the `customer` group by cli/customer.py (its commands join that group).
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value, read_text_option
from salesctl.cli.options import DAYS_MAX, ID_MAX  # noqa: F401
from salesctl.cli.options import (
    AllOpt,
    DryRunOpt,
    FormatOpt,
    ManagerOpt,
    MineOpt,
    OutputFormat,
    RepOpt,
    TeamOpt,
)

from salesctl.cli.customer_options import (
    CustomerArg,
    PhoneOpt,
    TitleOpt,
    _contact_columns,
)

app = typer.Typer()
contact_app = typer.Typer(help="A customer's contact people (several per customer; mark decision makers).",
                          no_args_is_help=True)


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
    from salesctl.services.customers import profile
    from salesctl.services.customers import reads

    with command_context(write=True) as ctx:
        record = profile.add_contact(ctx, customer, name=name, title=title, phone=phone, email=email,
                                 decision_maker=decision_maker, primary=primary, note=note)
        row = reads._contact_row(record)
    render.emit_id(record.id, row, fmt_value(format), t("msg.added", entity=t("customer.contact_entity"), id=record.id, name=record.name))


@contact_app.command("list")
def contact_list(customer: CustomerArg, format: FormatOpt = OutputFormat.table):
    """List a customer's contacts (the main contact first).

    Example: salesctl customer contact list 华为技术 --format json
    """
    from salesctl import render
    from salesctl.messages import t
    from salesctl.services.customers import reads

    with command_context() as ctx:
        record = reads.get_customer(ctx, customer)
        rows = reads.contact_rows(ctx, record)
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
    from salesctl.services.customers import profile
    from salesctl.services.customers import reads

    with command_context(write=True) as ctx:
        record = profile.edit_contact(ctx, contact_id, name=name, title=title, phone=phone, email=email,
                                  decision_maker=decision_maker, primary=primary, note=note)
        row = reads._contact_row(record)
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
    from salesctl.services.customers import profile

    if section is None:
        if text is not None or text_file is not None:
            raise InvalidInput(t("customer.err.section_required"))
        with command_context() as ctx:
            rows = profile.profile_rows(ctx, customer)
        render.emit_rows(rows, [Column("section", label="customer.col.section", kind="enum:profile_section"),
                                Column("text", label="customer.col.text"),
                                Column("updated_by", label="customer.col.updated_by"),
                                Column("updated_at", label="customer.col.updated_at", kind="datetime")],
                         fmt_value(format), title=t("customer.title.profile"))
        return
    section_key = profile.validate_section(section)
    body = read_text_option(text, text_file, "text")
    if body is None:
        if render.interactive():
            from salesctl import prompts

            with command_context() as ctx:  # read the current text, then close before the editor opens
                _record, current = profile.profile_text(ctx, customer, section_key)
            body = prompts.edit(current or "", prefix=f"salesctl-{section_key}-")
        elif not render.stdin_is_terminal():
            body = sys.stdin.read()
    if body is None:
        raise InvalidInput(t("customer.err.text_required"))
    with command_context(write=True) as ctx:
        record = profile.set_profile(ctx, customer, section_key, body, append=append)
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
    from salesctl.messages import render_stored, t
    from salesctl.render import Column
    from salesctl.services.customers import profile

    fmt = fmt_value(format)
    if not auto:
        if dry_run or mine or team or manager or rep or all_:
            raise InvalidInput(t("customer.err.auto_only"))
        missing = [n for n, v in (("CUSTOMER", customer), ("GRADE", grade)) if not v]
        if missing:
            raise InvalidInput(t("customer.err.regrade_missing", args=t("customer.word.and").join(missing)))
        if not (reason or "").strip() and render.interactive():
            from salesctl import prompts

            reason = prompts.text(t("customer.prompt.reason"))
        with command_context(write=True) as ctx:
            record, change, old = profile.regrade(ctx, customer, grade, reason)
        row = {"customer_id": record.id, "customer": record.name, "from": old, "to": record.grade,
               "reason": change.reason if change else None, "changed": change is not None}
        if fmt != "table":  # at the table format the one line below says it all
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
        outcome = profile.auto_regrade(ctx, dry_run=dry_run, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    columns = [Column("customer_id", label="customer.col.customer_id", kind="int"), Column("customer", label="customer.col.customer"),
               Column("from", label="customer.col.from_grade"), Column("to", label="customer.col.to_grade"),
               Column("rule", label="customer.col.rule")]
    render.emit_rows(outcome.changes, columns, fmt, title=t("customer.title.auto_regrade"),
                     empty_message=t("customer.msg.no_changes"))
    for item in outcome.review:
        if item["expected_purchase"] is None:
            render.warn(t("handbook.msg.needs_review_no_date", name=item["customer"], id=item["customer_id"],
                          rule=render_stored(item["rule"])))
        else:
            render.warn(t("customer.msg.needs_review", name=item["customer"], id=item["customer_id"],
                          date=item["expected_purchase"]))
    key = "customer.msg.auto_dry_run" if dry_run else "customer.msg.auto_done"
    render.info(t(key, changes=len(outcome.changes), checked=outcome.checked, held=outcome.held,
                  review=len(outcome.review)))


def _bar(row: dict, scale: float, rich: bool) -> str:
    from salesctl.models import GRADES

    blocks = {"A": "█", "B": "▓", "C": "▒", "D": "░"}
    colours = {"A": "green", "B": "cyan", "C": "yellow", "D": "magenta"}  # all visible on light and dark
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

    from salesctl.services.customers import profile

    fmt = fmt_value(format)
    with command_context() as ctx:
        data = profile.grade_distribution(ctx, by=by, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
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
        from rich.table import Table

        table = Table(title=title, show_header=False, box=None, padding=(0, 1))
        table.add_column(justify="left")
        table.add_column(justify="left")
        table.add_column(justify="right")
        table.add_column(justify="left")
        for name, bar, total, counts in lines:
            table.add_row(render.escape(name), bar, str(total), counts)
        console = render.console()
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
    from salesctl.services.customers import reads

    with command_context() as ctx:
        record = reads.get_customer(ctx, customer)
        rows = reads.history(ctx, customer)
    columns = [Column("at", kind="datetime"), Column("event", label="customer.col.event", kind="enum:customer_event"),
               Column("by", label="customer.col.by"), Column("text", label="customer.col.what")]
    render.emit_rows(rows, columns, fmt_value(format), title=t("customer.title.history", name=record.name))
