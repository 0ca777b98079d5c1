"""Customer complaints (客户投诉): recorded, escalated to the manager chain and the director, tracked to closure.

Workflow: open → in_progress → resolved → closed (closing records the
customer's satisfaction, 1-5), with rejected/duplicate from open or in_progress,
and resolved → in_progress to reopen when the customer is not satisfied. Every
step is a ComplaintEvent (who, when, from, to, note) and an audit entry. A
complaint open or in progress with no event for the policy's
`complaint.overdue_hours[severity]` hours is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterator

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.audit import snapshot
from salesctl.errors import InvalidInput, NotFound, PermissionDenied
from salesctl.messages import t
from salesctl.models import (
    COMPLAINT_STATUSES,
    MANAGER_ROLES,
    SEVERITIES,
    Complaint,
    ComplaintEscalation,
    ComplaintEvent,
    Customer,
    Staff,
)
from salesctl.permissions import (
    chain_above,
    complaint_clause,
    may_see_complaint,
    require_see_customer,
    require_close_complaint,
    require_update_complaint,
)
from salesctl.services.context import Ctx
from salesctl.directory import find_staff
from salesctl.services.customers.lookup import find_customer
from salesctl.inputs import is_id_text

CHANNELS = ("phone", "visit", "email", "other")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "rejected", "duplicate"),
    "in_progress": ("resolved", "rejected", "duplicate"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
    "rejected": (),
    "duplicate": (),
}
ACTIVE = ("open", "in_progress", "resolved")  # not finished: shown by --open and the inbox
WATCHED = ("open", "in_progress")  # the overdue clock runs
FALLBACK_OVERDUE_HOURS = 48


def _choice(value: str | None, accepted: tuple[str, ...], flag: str, what: str, default: str) -> str:
    if value is None:
        return default
    cleaned = value.strip().lower().replace("-", "_")
    if cleaned not in accepted:
        raise InvalidInput(t("complaint.err.bad_choice", flag=flag, value=value, what=t(f"complaint.noun.{what}"),
                             accepted=", ".join(accepted)))
    return cleaned


def parse_satisfaction(value: str | None) -> int:
    if value is None or not str(value).strip():
        raise InvalidInput(t("complaint.err.satisfaction_required"))
    text = str(value).strip()
    if not is_id_text(text) or not 1 <= int(text) <= 5:
        raise InvalidInput(t("complaint.err.bad_satisfaction", value=value))
    return int(text)


def overdue_hours() -> dict[str, float]:
    from salesctl.policy import section

    hours = section("complaint").get("overdue_hours", {})
    result: dict[str, float] = {}
    for severity in SEVERITIES:
        value = hours.get(severity, hours.get("normal", FALLBACK_OVERDUE_HOURS))
        try:
            result[severity] = float(value)
        except (TypeError, ValueError):
            raise InvalidInput(t("complaint.err.policy_hours", severity=severity, value=value)) from None
    return result


# --------------------------------------------------------------------------- escalation
def escalation_targets(session, owner: Staff | None, about: Staff | None, reporter: Staff) -> list[Staff]:
    """Every manager/regional manager above the customer's owner (and above --about), then the director.

    The director is every active staff member with role director; with none, the gm.
    An unowned customer with no --about escalates from the reporter.
    """
    bases = [p for p in (owner, about) if p is not None] or [reporter]
    targets: list[Staff] = []
    for base in bases:
        for boss in chain_above(session, base):
            if boss.role in MANAGER_ROLES and boss.active and boss not in targets:
                targets.append(boss)
    top = session.exec(select(Staff).where(Staff.role == "director", Staff.active).order_by(Staff.id)).all()
    if not top:
        top = session.exec(select(Staff).where(Staff.role == "gm", Staff.active).order_by(Staff.id)).all()
    targets.extend(p for p in top if p not in targets)
    return targets


# --------------------------------------------------------------------------- add
@dataclass
class NewComplaint:
    complaint: Complaint
    customer: Customer
    targets: list[Staff]


def add_complaint(ctx: Ctx, customer_ref: str, *, text: str | None, severity: str | None, channel: str | None,
                  about: str | None) -> NewComplaint:
    session = ctx.session
    if not text or not text.strip():
        raise InvalidInput(t("complaint.err.text_required"))
    severity = _choice(severity, SEVERITIES, "--severity", "severity", "normal")
    channel = _choice(channel, CHANNELS, "--channel", "channel", "other")
    customer = find_customer(ctx, customer_ref)
    require_see_customer(ctx, customer)
    about_person = find_staff(session, about, "about") if about else None
    owner = session.get(Staff, customer.owner_id) if customer.owner_id else None
    complaint = Complaint(customer_id=customer.id, reporter_id=ctx.actor.id,
                          about_id=about_person.id if about_person else None, text=text.strip(),
                          severity=severity, channel=channel, status="open", created_at=ctx.now, updated_at=ctx.now)
    session.add(complaint)
    session.flush()
    session.add(ComplaintEvent(complaint_id=complaint.id, from_status=None, to_status="open", note=None,
                               by_id=ctx.actor.id, at=ctx.now))
    targets = escalation_targets(session, owner, about_person, ctx.actor)
    for person in targets:
        session.add(ComplaintEscalation(complaint_id=complaint.id, staff_id=person.id, at=ctx.now))
    session.flush()
    after = snapshot(complaint) | {"escalated_to": [p.handle for p in targets]}
    ctx.audit("complaint.add", "complaint", complaint.id, None, after)
    return NewComplaint(complaint, customer, targets)


# --------------------------------------------------------------------------- workflow
def _load(ctx: Ctx, complaint_id: int) -> tuple[Complaint, Staff | None]:
    complaint = ctx.session.get(Complaint, complaint_id)
    if complaint is None:
        from salesctl.rls import deny_if_hidden

        deny_if_hidden(ctx.session, "complaint", complaint_id, t("ts.what.complaint", id=complaint_id))
        raise NotFound(t("complaint.err.not_found", id=complaint_id))
    customer = ctx.session.get(Customer, complaint.customer_id)
    owner = ctx.session.get(Staff, customer.owner_id) if customer and customer.owner_id else None
    if not may_see_complaint(ctx, complaint, owner):
        raise PermissionDenied(t("err.denied", what=t("complaint.what.complaint", id=complaint_id)))
    return complaint, owner


def legal_next(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def change_status(ctx: Ctx, complaint_id: int, to_status: str | None, *, note: str | None = None,
                  resolution: str | None = None, satisfaction: int | None = None) -> tuple[Complaint, str]:
    """One workflow step (or a note when to_status is None), kept as an event with who/when.

    Returns the complaint and the status it had before.
    """
    if to_status is not None:
        to_status = _choice(to_status, COMPLAINT_STATUSES, "--status", "status", "open")
    elif not (note and note.strip()):
        raise InvalidInput(t("complaint.err.update_nothing"))
    complaint, owner = _load(ctx, complaint_id)
    require_update_complaint(ctx, complaint, owner)
    if to_status == "closed":
        require_close_complaint(ctx, complaint, owner)
    current = complaint.status
    legal = legal_next(current)
    if to_status is None:
        if not legal:
            raise InvalidInput(t("complaint.err.final", id=complaint.id, status=current))
    elif to_status not in legal:
        accepted = ", ".join(legal) if legal else t("complaint.err.none_final", status=current)
        raise InvalidInput(t("complaint.err.illegal_status", id=complaint.id, status=current, to=to_status,
                             accepted=accepted))
    if to_status == "resolved" and not (resolution and resolution.strip()):
        raise InvalidInput(t("complaint.err.resolution_required", id=complaint.id))
    if to_status == "closed" and satisfaction is None:
        raise InvalidInput(t("complaint.err.satisfaction_close", id=complaint.id))
    before = snapshot(complaint)
    if to_status is not None:
        complaint.status = to_status
    if to_status == "resolved":
        complaint.resolution = resolution.strip()
    if to_status == "closed":
        complaint.satisfaction = satisfaction
    complaint.updated_at = ctx.now
    ctx.session.add(complaint)
    event_note = note.strip() if note and note.strip() else None
    if to_status == "resolved" and event_note is None:
        event_note = complaint.resolution
    ctx.session.add(ComplaintEvent(complaint_id=complaint.id, from_status=current, to_status=complaint.status,
                                   note=event_note, by_id=ctx.actor.id, at=ctx.now))
    ctx.session.flush()
    action = "complaint.note" if to_status is None else f"complaint.{to_status}"
    ctx.audit(action, "complaint", complaint.id, before, complaint)
    return complaint, current


# --------------------------------------------------------------------------- reading
def _overdue_clause(last_at, now: datetime):
    hours = overdue_hours()
    parts = [and_(Complaint.severity == sev, last_at < now - timedelta(hours=h)) for sev, h in hours.items()]
    parts.append(and_(Complaint.severity.not_in(tuple(hours)), last_at < now - timedelta(hours=hours["normal"])))
    return and_(Complaint.status.in_(WATCHED), or_(*parts))


def _last_event():
    return (select(ComplaintEvent.complaint_id.label("complaint_id"), func.max(ComplaintEvent.at).label("last_at"))
            .group_by(ComplaintEvent.complaint_id).subquery("last_event"))


def is_overdue(status: str, severity: str, last_at: datetime | None, now: datetime, hours: dict[str, float]) -> bool:
    if status not in WATCHED or last_at is None:
        return False
    limit = hours.get(severity, hours.get("normal", FALLBACK_OVERDUE_HOURS))
    return last_at < now - timedelta(hours=limit)


def complaint_rows(ctx: Ctx, *, open_only: bool = False, status: str | None = None, customer: str | None = None,
                   overdue: bool = False, complaint_id: int | None = None) -> Iterator[dict]:
    """Complaints the actor may see, with who they were escalated to; streamed."""
    session = ctx.session
    owner, reporter, about = aliased(Staff), aliased(Staff), aliased(Staff)
    last = _last_event()
    stmt = (
        select(Complaint, Customer.name, owner.handle, reporter.handle, about.handle, last.c.last_at)
        .join(Customer, Customer.id == Complaint.customer_id)
        .join(reporter, reporter.id == Complaint.reporter_id)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .outerjoin(about, about.id == Complaint.about_id)
        .outerjoin(last, last.c.complaint_id == Complaint.id)
    )
    clause = complaint_clause(ctx, Complaint.id, Customer.owner_id, Complaint.reporter_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if open_only:
        stmt = stmt.where(Complaint.status.in_(ACTIVE))
    if status:
        stmt = stmt.where(Complaint.status == _choice(status, COMPLAINT_STATUSES, "--status", "status", "open"))
    if customer:
        stmt = stmt.where(Complaint.customer_id == find_customer(ctx, customer).id)
    if complaint_id is not None:
        stmt = stmt.where(Complaint.id == complaint_id)
    now = ctx.now
    if overdue:
        stmt = stmt.where(_overdue_clause(last.c.last_at, now))
    stmt = stmt.order_by(Complaint.id)
    # who each visible complaint went to: one query, not one per row
    targets_stmt = (select(ComplaintEscalation.complaint_id, Staff.handle)
                    .join(Staff, Staff.id == ComplaintEscalation.staff_id)
                    .order_by(ComplaintEscalation.complaint_id, ComplaintEscalation.id))
    if complaint_id is not None:
        targets_stmt = targets_stmt.where(ComplaintEscalation.complaint_id == complaint_id)
    elif clause is not None:
        visible = select(Complaint.id).join(Customer, Customer.id == Complaint.customer_id).where(clause)
        targets_stmt = targets_stmt.where(ComplaintEscalation.complaint_id.in_(visible))
    escalated: dict[int, list[str]] = {}
    for cid, handle in session.execute(targets_stmt):
        escalated.setdefault(cid, []).append(handle)
    hours = overdue_hours()
    for complaint, customer_name, owner_handle, reporter_handle, about_handle, last_at in session.execute(stmt):
        last_at = last_at or complaint.updated_at
        yield {
            "id": complaint.id,
            "customer_id": complaint.customer_id,
            "customer": customer_name,
            "owner": owner_handle,
            "severity": complaint.severity,
            "channel": complaint.channel,
            "status": complaint.status,
            "overdue": is_overdue(complaint.status, complaint.severity, last_at, now, hours),
            "hours_since_update": round((now - last_at).total_seconds() / 3600, 1) if last_at else None,
            "text": complaint.text,
            "reported_by": reporter_handle,
            "about": about_handle,
            "escalated_to": ", ".join(escalated.get(complaint.id, [])),
            "resolution": complaint.resolution,
            "satisfaction": complaint.satisfaction,
            "created_at": complaint.created_at,
            "last_update_at": last_at,
        }


def complaint_detail(ctx: Ctx, complaint_id: int) -> dict:
    """One complaint with every step (who, when, from, to, note)."""
    _load(ctx, complaint_id)
    row = next(complaint_rows(ctx, complaint_id=complaint_id), None)
    if row is None:  # visible through may_see_complaint but not the list clause cannot happen; stay safe
        raise PermissionDenied(t("err.denied", what=t("complaint.what.complaint", id=complaint_id)))
    by = aliased(Staff)
    row["events"] = [
        {"at": at, "by": handle, "from": from_status, "to": to_status, "note": note}
        for at, handle, from_status, to_status, note in ctx.session.execute(
            select(ComplaintEvent.at, by.handle, ComplaintEvent.from_status, ComplaintEvent.to_status,
                   ComplaintEvent.note)
            .join(by, by.id == ComplaintEvent.by_id)
            .where(ComplaintEvent.complaint_id == complaint_id)
            .order_by(ComplaintEvent.at, ComplaintEvent.id)
        )
    ]
    return row
