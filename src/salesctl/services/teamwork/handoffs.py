"""The handbook's hand-offs, sent: the Friday pack to the GM and the manager, missing-report reminders,
and the Monday summary. Each message holds only what its recipient may see."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sqlmodel import select

from salesctl.errors import InvalidInput
from salesctl.messages import t
from salesctl.models import Staff
from salesctl.permissions import nearest_manager
from salesctl.services.context import Ctx
from salesctl.services.teamwork import delivery
from salesctl.services.teamwork.notify import log_message


def _need_email(staff: Staff) -> str:
    if not staff.email:
        raise InvalidInput(t("notify.err.no_email", handle=staff.handle))
    return staff.email


# --------------------------------------------------------------------------- archive friday --send
def archive_recipients(ctx: Ctx, author: Staff) -> list[Staff]:
    """The general manager(s) and the author's manager (from the org chart), without the author."""
    found: list[Staff] = list(ctx.session.exec(select(Staff).where(Staff.role == "gm", Staff.active == True)  # noqa: E712
                                               .order_by(Staff.handle)))
    boss = nearest_manager(ctx.session, author)
    if boss is not None:
        found.append(boss)
    unique = {s.id: s for s in found if s.id != author.id}
    if not unique:
        raise InvalidInput(t("notify.err.no_recipients", handle=author.handle))
    return list(unique.values())


def send_archive(ctx: Ctx, result: dict, path: Path) -> list[dict]:
    """Mail the encrypted pack (as written) to each recipient; counts in the body, never the password.

    Raises InvalidInput (exit 2) for a missing setting or address, or when a message did not get out;
    the pack is already written by then. Audited with the recipients and the file's SHA-256.
    """
    author = ctx.actor
    settings = delivery.smtp_settings()
    recipients = archive_recipients(ctx, author)
    reply_to = _need_email(author)
    addresses = [(_need_email(r), r) for r in recipients]
    data = path.read_bytes()
    rows = result["rows"]
    fields = {"name": author.name, "handle": author.handle, "period": result["period"], "start": result["start"],
              "end": result["end"], "customers": rows.get("customers", 0), "contacts": rows.get("contacts", 0),
              "visits": rows.get("visits", 0), "grades": rows.get("grade_changes", rows.get("grades", 0)),
              "new": result["new"], "changed": result["changed"], "highlighted": result["highlighted"],
              "sha256": result["sha256"]}
    subject = t("notify.subject.archive", period=result["period"], name=author.name)
    body = t("notify.body.archive", **fields) + "\n"
    attachment = delivery.Attachment(path.name, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sent, failure = [], None
    for address, person in addresses:
        try:
            delivery.send_email(settings, address, subject, body, attachments=(attachment,),
                                sender_name=author.name, reply_to=reply_to)
        except delivery.DeliveryFailed as exc:
            failure = str(exc)
            log_message(ctx, person, "email", "archive", subject, 1, failure)
            continue
        log_message(ctx, person, "email", "archive", subject, 1, None)
        sent.append({"handle": person.handle, "email": address})
    ctx.audit("archive.send", "archive", None, None,
              {"file": path.name, "sha256": result["sha256"], "recipients": sent,
               "failed": failure is not None})
    return sent if failure is None else sent + [{"error": failure}]


# --------------------------------------------------------------------------- report missing --notify
def notify_missing(ctx: Ctx, owed) -> dict:
    """Remind each rep whose report is missing; once the deadline has passed, tell each manager who in
    their team is still missing. Returns who was told and who has no address."""
    settings = delivery.smtp_settings()
    missing = [r for r in owed.rows if r["status"] == "missing"]
    people = {s.handle: s for s in ctx.session.exec(select(Staff).where(Staff.handle.in_([r["handle"] for r in missing])))}
    day = owed.period.label
    kind = t(f"report.kind.{owed.kind}")
    deadline = owed.deadline
    when = ctx.clock.local(deadline).strftime("%Y-%m-%d %H:%M")
    told, no_address, failed = [], [], []
    by_manager: dict[int, list[Staff]] = defaultdict(list)
    managers: dict[int, Staff] = {}
    for row in missing:
        rep = people[row["handle"]]
        boss = nearest_manager(ctx.session, rep)
        if boss is not None:
            by_manager[boss.id].append(rep)
            managers[boss.id] = boss
        if not rep.email:
            no_address.append(rep.handle)
            continue
        subject = t("notify.subject.missing_rep", kind=kind, day=day)
        body = t("notify.body.missing_rep", kind=kind, day=day, deadline=when, command=owed.kind)
        try:
            delivery.send_email(settings, rep.email, subject, body + "\n")
        except delivery.DeliveryFailed as exc:
            failed.append(str(exc))
            log_message(ctx, rep, "email", "missing", subject, 1, str(exc))
            continue
        log_message(ctx, rep, "email", "missing", subject, 1, None)
        told.append(rep.handle)
    told_managers = []
    if ctx.now >= deadline:
        for boss_id, reps in by_manager.items():
            boss = managers[boss_id]
            if not boss.email:
                no_address.append(boss.handle)
                continue
            subject = t("notify.subject.missing_mgr", count=len(reps), kind=kind, day=day)
            lines = [t("notify.body.missing_mgr", kind=kind, day=day), ""] + [f"- {r.name} ({r.handle})" for r in reps]
            try:
                delivery.send_email(settings, boss.email, subject, "\n".join(lines) + "\n")
            except delivery.DeliveryFailed as exc:
                failed.append(str(exc))
                log_message(ctx, boss, "email", "missing", subject, len(reps), str(exc))
                continue
            log_message(ctx, boss, "email", "missing", subject, len(reps), None)
            told_managers.append(boss.handle)
    ctx.audit("report.missing_notify", "report", None, None,
              {"period": day, "reps": told, "managers": told_managers, "no_address": no_address,
               "failed": len(failed)})
    return {"reps": told, "managers": told_managers, "no_address": no_address, "failed": failed}
