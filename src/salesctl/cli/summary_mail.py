"""`summary week --team --send`: the Monday summary as an HTML e-mail (tables and the grade and
pipeline charts, from the same data as the terminal summary) with the markdown as the plain part.

The HTML uses only tables and inline styles (bars are table cells with a width and a background),
which every mail client and browser renders; no scripts, no images, no external resources.
"""

from __future__ import annotations

import contextlib
import io
from html import escape

GRADE_COLOURS = {"A": "#2e7d32", "B": "#0277bd", "C": "#f9a825", "D": "#9e9e9e"}
STAGE_COLOUR = "#8e24aa"
CELL = "border:1px solid #d0d7de;padding:4px 8px;"
FONT = "font-family:-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',Arial,sans-serif;"


def markdown_text(summary) -> str:
    """The summary exactly as `summary week --format markdown` prints it."""
    from salesctl.cli.summary import _table

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _table(summary, "markdown", False)
    return out.getvalue()


def _bar_row(label: str, value: int, biggest: int, colour: str, right: str) -> str:
    width = round(100 * value / biggest) if biggest and value else 0
    bar = (f'<table role="presentation" cellpadding="0" cellspacing="0" style="width:{max(width, 1)}%;">'
           f'<tr><td style="background:{colour};height:14px;line-height:14px;font-size:1px;">&nbsp;</td></tr></table>'
           if width else "")
    return (f'<tr><td style="padding:2px 8px;white-space:nowrap;">{escape(label)}</td>'
            f'<td style="padding:2px 8px;width:320px;">{bar}</td>'
            f'<td style="padding:2px 8px;text-align:right;white-space:nowrap;">{escape(right)}</td></tr>')


def html_text(summary, drawings) -> str:
    from salesctl.cli.summary import _columns, _display
    from salesctl.messages import label, scope_text, t
    from salesctl.money import display

    row_changes, total_change = summary.changes()
    columns = _columns(summary)
    head = "".join(f'<th style="{CELL}background:#f6f8fa;text-align:left;">{escape(c.heading())}</th>' for c in columns)
    body = []
    for row in summary.rows:
        who = (row[summary.group] or t("summary.none")) if summary.group else f"{row['name']} ({row['handle']})"
        shown = _display(row, row_changes.get(summary.row_key(row), {}), who=who, escape=lambda s: s, joiner=" ")
        body.append("<tr>" + "".join(
            f'<td style="{CELL}text-align:{"left" if (c.justify or "left") == "left" else "right"};">'
            f'{escape(str(shown[c.key]))}</td>' for c in columns) + "</tr>")
    if summary.rows:
        totals = dict(summary.totals)
        owed, done = totals.get("_reports_owed", 0), totals.get("_reports_in", 0)
        totals["weekly_report"] = f"{done}/{owed}" if owed else None
        totals["reps"] = sum(r.get("reps", 1) for r in summary.rows)
        foot = _display(totals, total_change, who=t("summary.total"), escape=lambda s: s, joiner=" ")
        body.append("<tr>" + "".join(f'<td style="{CELL}font-weight:bold;background:#f6f8fa;">'
                                     f'{escape(str(foot[c.key]))}</td>' for c in columns) + "</tr>")
    title = t("summary.title", period=summary.period.label, first=summary.period.start, last=summary.period.end,
              scope=scope_text(summary.scope.label))
    parts = [f'<h2 style="{FONT}font-size:18px;">{escape(title)}</h2>']
    if summary.rows:
        parts.append(f'<table cellpadding="0" cellspacing="0" style="{FONT}border-collapse:collapse;font-size:13px;">'
                     f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
        parts.append(f'<p style="{FONT}font-size:12px;color:#57606a;">{escape(t("summary.legend"))}</p>')
    else:
        parts.append(f'<p style="{FONT}">{escape(t("summary.no_activity", period=summary.period.label, scope=scope_text(summary.scope.label)))}</p>')
    total = sum(drawings.grades.values())
    biggest = max(drawings.grades.values() or [0])
    rows = [_bar_row(label("grade", g), n, biggest, GRADE_COLOURS[g],
                     f"{n}  {100 * n / total:.0f}%" if total else "0") for g, n in drawings.grades.items()]
    parts.append(f'<h3 style="{FONT}font-size:15px;">{escape(t("summary.chart.grades"))}</h3>'
                 f'<table cellpadding="0" cellspacing="0" style="{FONT}font-size:13px;">{"".join(rows)}</table>')
    biggest = max([s["count"] for s in drawings.stages] or [0])
    rows = [_bar_row(f"{s['stage']} {t('summary.stage.' + str(s['stage']))}", s["count"], biggest, STAGE_COLOUR,
                     f"{t('summary.chart.deals', n=s['count'])}  {display(s['amount'])}") for s in drawings.stages]
    parts.append(f'<h3 style="{FONT}font-size:15px;">{escape(t("summary.chart.pipeline"))}</h3>'
                 f'<table cellpadding="0" cellspacing="0" style="{FONT}font-size:13px;">{"".join(rows)}</table>')
    won = drawings.deals_won
    if won:
        items = "".join(f'<tr><td style="{CELL}">#{d["deal_id"]} {escape(d["title"])}</td><td style="{CELL}">'
                        f'{escape(d["customer"])}</td><td style="{CELL}">{escape(d["owner"] or "")}</td>'
                        f'<td style="{CELL}text-align:right;">{escape(display(d["amount"]))}</td></tr>' for d in won)
        parts.append(f'<h3 style="{FONT}font-size:15px;">{escape(t("summary.chart.won", period=summary.period.label))}</h3>'
                     f'<table cellpadding="0" cellspacing="0" style="{FONT}border-collapse:collapse;font-size:13px;">'
                     f"{items}</table>")
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
            f'<title>{escape(title)}</title></head><body style="{FONT}color:#1f2328;margin:16px;">'
            + "".join(parts) + "</body></html>")


def send_summary(ctx, summary) -> list[dict]:
    """Mail the summary to the team's manager and the director(s); exit 2 for a missing setting/address."""
    from sqlmodel import select

    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.models import MANAGER_ROLES, Staff
    from salesctl.services.reports import summaries as svc
    from salesctl.services.teamwork import delivery
    from salesctl.services.teamwork.notify import log_message

    settings = delivery.smtp_settings()
    people = list(ctx.session.exec(select(Staff).where(Staff.role == "director", Staff.active == True)  # noqa: E712
                                   .order_by(Staff.handle)))
    root = summary.scope.root
    if root is not None and root.role in MANAGER_ROLES:
        people.insert(0, root)
    unique = list({p.id: p for p in people}.values())
    for person in unique:
        if not person.email:
            raise InvalidInput(t("notify.err.no_email", handle=person.handle))
    drawings = svc.charts(ctx, summary)
    text, html = markdown_text(summary), html_text(summary, drawings)
    subject = t("notify.subject.summary", period=summary.period.label)
    sent, errors = [], []
    for person in unique:
        try:
            delivery.send_email(settings, person.email, subject, text, html=html)
        except delivery.DeliveryFailed as exc:
            errors.append(str(exc))
            log_message(ctx, person, "email", "summary", subject, 1, str(exc))
            continue
        log_message(ctx, person, "email", "summary", subject, 1, None)
        sent.append({"handle": person.handle, "email": person.email})
    ctx.audit("summary.send", "summary", None, None, {"period": summary.period.label, "scope": summary.scope.label,
                                                      "recipients": sent, "failed": len(errors)})
    return sent + [{"error": e} for e in errors]
