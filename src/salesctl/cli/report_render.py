"""How `salesctl report` shows a report: the form as blocks, then markdown, Rich or plain text;
the editor template of its text sections and how the edited text is read back.

Imported lazily by cli/report.py (it needs only messages, money, render, tabulate and rich).
"""

from __future__ import annotations

# section key -> message key of its heading, per form
SECTION_LABELS = {
    "daily": {"summary": "report.section.summary_daily", "plan": "report.section.plan_daily"},
    "weekly": {"summary": "report.section.summary_weekly", "situation": "report.section.situation",
               "remember": "report.section.remember", "plan": "report.section.plan_weekly",
               "support": "report.section.support"},
    "monthly": {"results": "report.section.results", "problems": "report.section.problems",
                "situation": "report.section.situation", "remember": "report.section.remember",
                "plan": "report.section.plan_monthly", "support": "report.section.support"},
}


def editor_template(kind: str, sections, texts: dict, doc: dict | None = None) -> str:
    """The editor's file: help, then (as # comments) the period's contacts and the last plan, then the sections."""
    from salesctl.messages import t

    lines = [f"# {t('report.editor.help')}"]
    if doc is not None:
        rows = doc.get("rows") or []
        lines.append("#")
        lines.append(f"# {t('report.editor.contacts', count=len(rows))}")
        for row in rows:
            when = _when(row["time"], with_date=kind != "daily")
            who = " ".join(p for p in (row.get("customer"), row.get("contact")) if p)
            lines.append(f"#   {when} {who} · {_what_happened(row)}")
        if not rows:
            lines.append(f"#   {t('report.no_contacts')}")
        last = doc.get("last_plan") or {}
        lines.append("#")
        lines.append(f"# {t('report.editor.last_plan', period=last.get('period') or '—')}")
        for line in (last.get("plan") or t("report.no_last_plan")).splitlines():
            lines.append(f"#   {line}")
    lines.append("")
    for key in sections:
        lines.append(f"== {key}: {t(SECTION_LABELS[kind][key])} ==")
        lines.append(texts.get(key) or "")
        lines.append("")
    return "\n".join(lines)


def parse_editor_text(text: str, sections) -> dict[str, str]:
    """The sections written in the editor: text under each `== key: heading ==` line (# lines ignored)."""
    import re

    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r"^==\s*([a-z]+)\b.*==\s*$", line.strip())
        if m and m.group(1) in sections:
            current = m.group(1)
            found[current] = []
        elif current is not None:
            found[current].append(line)
    return {k: "\n".join(v).strip() for k, v in found.items()}


def parsed_times(rows):
    """Rows whose ISO time strings become datetimes again (so tables show local minutes, JSON ISO)."""
    from datetime import datetime

    for row in rows:
        for key in ("deadline", "submitted_at"):
            if isinstance(row.get(key), str):
                row[key] = datetime.fromisoformat(row[key])
        yield row


# --------------------------------------------------------------------------- the form, rendered
def _when(value: str | None, with_date: bool = True) -> str:
    from datetime import datetime

    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return moment.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def _status_text(doc: dict) -> str:
    from salesctl.messages import label, t

    text = label("report.status", doc.get("status"))
    if doc.get("late"):
        text += t("report.late_suffix")
    return text


def _what_happened(row: dict) -> str:
    from salesctl.messages import label, t

    parts = [p for p in (row.get("content"), row.get("result")) if p]
    text = f"{label('report.visit', row.get('kind'))}: " + "; ".join(parts)
    if row.get("problems"):
        text += f"; {t('report.visit.problems')}: {row['problems']}"
    return text


def _memo(row: dict) -> str:
    from salesctl.messages import t

    parts = [row.get("next_step") or ""]
    if row.get("follow_up"):
        parts.append(f"({t('report.visit.follow_up', date=row['follow_up'])})")
    return " ".join(p for p in parts if p)


def _contacts_table(doc: dict) -> tuple:
    from salesctl.messages import t

    daily = doc["kind"] == "daily"
    heads = ["no", "customer", "contact", "phone", "address", "time", "what_happened", "grade", "follow_up_memo"]
    body = []
    for row in doc.get("rows", []):
        when = _when(row["time"], with_date=False) if daily else _when(row["time"])[5:]
        body.append([str(row["no"]), row.get("customer") or "", row.get("contact") or "", row.get("phone") or "",
                     row.get("address") or "", when, _what_happened(row), row.get("grade") or "", _memo(row)])
    return [t(f"report.col.{h}") for h in heads], body, {0}


def _grade_changes_table(doc: dict) -> tuple:
    from salesctl.messages import t

    heads = ["at", "customer", "change", "reason", "by"]
    body = [[_when(c["at"]), c.get("customer") or "", f"{c.get('from') or '—'} → {c.get('to')}",
             c.get("reason") or "", c.get("by") or ""] for c in doc.get("grade_changes", [])]
    return [t(f"report.col.{h}") for h in heads], body, set()


def _customer_table(doc: dict) -> tuple:
    from salesctl.messages import t

    heads = ["no", "grade", "customer", "contact", "phone", "address", "new"]
    body = [[str(r["no"]), r.get("grade") or "", r.get("customer") or "", r.get("contact") or "", r.get("phone") or "",
             r.get("address") or "", t("yes") if r.get("new") else ""] for r in doc.get("customer_rows", [])]
    return [t(f"report.col.{h}") for h in heads], body, {0}


def _sales_table(doc: dict) -> tuple:
    from decimal import Decimal

    from salesctl.messages import t
    from salesctl.money import display

    heads = ["no", "sale_kind", "date", "customer", "contact", "phone", "address", "amount"]
    body = [[str(r["no"]), t(f"report.sale.{r['kind']}"), r["date"], r.get("customer") or "", r.get("contact") or "",
             r.get("phone") or "", r.get("address") or "", display(Decimal(r["amount"]))] for r in doc.get("sales", [])]
    return [t(f"report.col.{h}") for h in heads], body, {0, 7}


def form_blocks(doc: dict) -> list[tuple]:
    """The form as a list of blocks (title, fields, section, table, text, line, beside), in the handbook's order."""
    from datetime import date as _date
    from decimal import Decimal

    from salesctl.messages import t
    from salesctl.money import display

    kind = doc["kind"]
    blocks: list[tuple] = [("title", t(f"report.title.{kind}"))]
    if kind == "daily":
        day = _date.fromisoformat(doc["period_start"])
        period = (t("report.field.date"), f"{doc['period']} {t(f'report.weekday.{day.weekday()}')}")
    elif kind == "weekly":
        period = (t("report.field.week"), t("report.week_range", label=doc["period"], start=doc["period_start"],
                                                end=doc["period_end"]))
    else:
        period = (t("report.field.month"), doc["period"])
    fields = [period, (t("report.field.region"), doc.get("region") or ""),
              (t("report.field.filled_by"), f"{doc.get('name')} ({doc.get('handle')})"),
              (t("report.field.status"), _status_text(doc)),
              (t("report.field.deadline"), _when(doc.get("deadline")))]
    if doc.get("submitted_at"):
        fields.append((t("report.field.submitted_at"), _when(doc["submitted_at"])))
    if doc.get("id"):
        version = f" · {t('report.field.version')} {doc['version']}" if doc.get("version") else ""
        fields.append((t("report.field.id"), f"{doc['id']}{version}"))
    for review in doc.get("reviews") or []:
        fields.append((t("report.field.review"),
                       f"{review['comment']} — {review.get('name')} ({review['by']}), {_when(review['at'])}"))
    blocks.append(("fields", fields))

    def text_section(key: str, heading: str):
        blocks.append(("section", t(heading)))
        blocks.append(("text", doc.get(key)))

    def grade_changes():
        blocks.append(("section", t("report.section.grade_changes")))
        if doc.get("grade_changes"):
            blocks.append(("table", *_grade_changes_table(doc)))
        else:
            blocks.append(("line", t("report.no_grade_changes")))

    if kind == "daily":
        blocks.append(("section", t("report.section.contacts")))
        blocks.append(("table", *_contacts_table(doc)) if doc.get("rows") else ("line", t("report.no_contacts")))
        grade_changes()
        text_section("summary", "report.section.summary_daily")
        text_section("plan", "report.section.plan_daily")
        return blocks

    blocks.append(("section", t(f"report.section.details_{kind}")))
    blocks.append(("table", *_contacts_table(doc)) if doc.get("rows") else ("line", t("report.no_contacts")))
    last = doc.get("last_plan") or {}
    last_text = last.get("plan")
    if last.get("support"):
        last_text = f"{last_text or ''}\n{t('report.section.support')}: {last['support']}".strip()
    if kind == "weekly":
        blocks.append(("section", t("report.section.summary_weekly")))
        blocks.append(("beside", (f"{t('report.section.last_plan_weekly')} ({last.get('period', '')})", last_text),
                       (t("report.section.summary_weekly"), doc.get("summary"))))
    else:
        blocks.append(("section", t("report.section.summary_monthly")))
        blocks.append(("beside", (f"{t('report.section.last_plan_monthly')} ({last.get('period', '')})", last_text),
                       (t("report.section.results"), doc.get("results"))))
        text_section("problems", "report.section.problems")
    counts = doc.get("customers") or {}
    blocks.append(("section", t("report.section.customers")))
    blocks.append(("line", t("report.customers_line", **{k: counts.get(k, 0) for k in ("total", "A", "B", "C", "D", "new")})))
    text_section("situation", "report.section.situation")
    blocks.append(("section", t("report.section.customer_table")))
    blocks.append(("table", *_customer_table(doc)) if doc.get("customer_rows") else ("line", t("report.no_customers")))
    blocks.append(("section", t(f"report.section.sales_{kind}")))
    if doc.get("sales"):
        blocks.append(("table", *_sales_table(doc)))
        total = doc.get("sales_total") or {}
        blocks.append(("line", t("report.sales_total", won=display(Decimal(total.get("won", "0"))),
                                 collected=display(Decimal(total.get("collected", "0"))))))
    else:
        blocks.append(("line", t("report.no_sales")))
    grade_changes()
    text_section("remember", "report.section.remember")
    text_section("plan", f"report.section.plan_{kind}")
    text_section("support", "report.section.support")
    return blocks


def _md_cell(text: str) -> str:
    return (text or "").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def form_markdown(blocks: list[tuple]) -> str:
    from tabulate import tabulate

    from salesctl.messages import t

    out: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind == "title":
            out.append(f"# {block[1]}\n")
        elif kind == "fields":
            out.append("\n".join(f"- **{label}**: {_md_cell(value)}" for label, value in block[1]) + "\n")
        elif kind == "section":
            out.append(f"## {block[1]}\n")
        elif kind == "table":
            heads, body = block[1], block[2]
            out.append(tabulate([[_md_cell(c) for c in row] for row in body], headers=heads, tablefmt="github",
                                disable_numparse=True) + "\n")
        elif kind == "text":
            out.append((block[1] or f"_{t('report.empty_text')}_") + "\n")
        elif kind == "line":
            out.append(f"{block[1]}\n")
        elif kind == "beside":
            (left_head, left), (right_head, right) = block[1], block[2]
            out.append(tabulate([[_md_cell(left or t("report.no_last_plan")), _md_cell(right or t("report.empty_text"))]],
                                headers=[left_head, right_head], tablefmt="github", disable_numparse=True) + "\n")
    return "\n".join(out)


def form_plain(blocks: list[tuple]) -> str:
    from tabulate import tabulate
    from wcwidth import wcswidth

    from salesctl.messages import t

    out: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind == "title":
            out.append(block[1])
            out.append("=" * max(wcswidth(block[1]), 4))
        elif kind == "fields":
            out.extend(f"{label}: {value}" for label, value in block[1])
        elif kind == "section":
            out.append("")
            out.append(block[1])
            out.append("-" * max(wcswidth(block[1]), 4))
        elif kind == "table":
            heads, body = block[1], block[2]
            out.append(tabulate(body, headers=heads, tablefmt="simple", disable_numparse=True))
        elif kind == "text":
            out.append(block[1] or t("report.empty_text"))
        elif kind == "line":
            out.append(block[1])
        elif kind == "beside":
            for head, body in (block[1], block[2]):
                out.append(f"[{head}]")
                out.append(body or (t("report.no_last_plan") if head == block[1][0] else t("report.empty_text")))
    return "\n".join(out) + "\n"


def form_rich(blocks: list[tuple]) -> None:
    from salesctl import render
    from rich.table import Table

    from salesctl.messages import t

    console = render.console()
    for block in blocks:
        kind = block[0]
        if kind == "title":
            console.rule(render.rich_text(block[1], style="bold"))
        elif kind == "fields":
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold")
            grid.add_column()
            for label, value in block[1]:
                grid.add_row(render.rich_text(label), render.rich_text(value))
            console.print(grid)
        elif kind == "section":
            console.print()
            console.print(render.rich_text(block[1], style="bold underline"))
        elif kind == "table":
            heads, body, right = block[1], block[2], block[3]
            table = Table(header_style="bold", show_lines=False)
            for i, head in enumerate(heads):
                table.add_column(head, justify="right" if i in right else "left", overflow="fold")
            for row in body:
                table.add_row(*[render.rich_text(c) for c in row])
            console.print(table)
        elif kind == "text":
            console.print(render.rich_text(block[1]) if block[1] else render.rich_text(t("report.empty_text"), style="dim"))
        elif kind == "line":
            console.print(render.rich_text(block[1]))
        elif kind == "beside":
            (left_head, left), (right_head, right) = block[1], block[2]
            table = Table(show_header=True, header_style="bold", expand=True)
            table.add_column(left_head, ratio=1)
            table.add_column(right_head, ratio=1)
            table.add_row(render.rich_text(left or t("report.no_last_plan"), style="" if left else "dim"),
                          render.rich_text(right or t("report.empty_text"), style="" if right else "dim"))
            console.print(table)


def render_form(doc: dict, fmt: str) -> None:
    """A report document as JSON, CSV (its contact rows), markdown, Rich (terminal) or plain text (piped)."""
    from salesctl import render

    if fmt == "json":
        render.emit_object(doc, "json")
        return
    if fmt == "csv":
        from salesctl.render import Column

        keys = ["no", "date", "time", "customer", "contact", "phone", "address", "kind", "what_happened", "grade",
                "follow_up_memo"]
        render.emit_rows(iter(doc.get("rows", [])), [Column(k) for k in keys], "csv")
        return
    blocks = form_blocks(doc)
    if fmt == "markdown":
        render.write(form_markdown(blocks))
    elif render.stdout_is_terminal():
        form_rich(blocks)
    else:
        render.write(form_plain(blocks))


def render_filed(report, doc: dict, action: str, fmt: str) -> None:
    """After `report daily/weekly/monthly --draft/--submit`: the one-line result (and the form for json/markdown)."""
    from salesctl import render
    from salesctl.messages import t

    kind_label = t(f"report.kind.{doc['kind']}")
    if action == "submit":
        timing = t("report.msg.late", deadline=_when(doc["deadline"])) if report.late else t("report.msg.on_time")
        message = t("report.msg.submitted", kind=kind_label, id=report.id, period=doc["period"],
                    version=doc["version"], timing=timing)
    else:
        message = t("report.msg.draft_saved", kind=kind_label, id=report.id, period=doc["period"])
    if fmt in ("json", "markdown"):
        render_form(doc, fmt)
        render.info(message)
    else:
        render.emit_id(report.id, None, fmt, message)
