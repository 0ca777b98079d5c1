"""The inbox's sources, one per kind of item (registered in `inbox.SOURCES`).

Each takes the Ctx of the person whose inbox it is and yields `inbox.item(...)` rows, keeping to what
that person may see. A fixed number of queries per source, whatever the size of the team.
Informational kinds (decisions, comments, recall warnings) look back `[notify] info_days` days.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Iterator

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.messages import label, t
from salesctl.models import (
    MANAGER_ROLES,
    ActionItem,
    Complaint,
    ComplaintEscalation,
    Customer,
    Lead,
    OwnershipEntry,
    Report,
    ReportReview,
    Staff,
    Visit,
    live_customer,
)
from salesctl.permissions import SEES_ALL, managed_staff_ids, visible_staff_ids
from salesctl.services.context import Ctx
from salesctl.services.teamwork.complaints import ACTIVE
from salesctl.services.teamwork.inbox import item

URGENT_SEVERITIES = ("high", "critical")


def _info_since(ctx: Ctx) -> datetime:
    from salesctl.policy import section

    days = int(section("notify").get("info_days", 14))
    return ctx.now - timedelta(days=days)


def _day_start(ctx: Ctx, day) -> datetime:
    return datetime.combine(day, time(0, 0), ctx.clock.tz)


def _decider_filter(ctx: Ctx, staff_column):
    """Whose claims and reports wait on the actor: a manager's team; for the director and gm only
    people who report to them directly (the department's dailies are their managers' work)."""
    actor = ctx.actor
    if actor.role in SEES_ALL:
        return staff_column.in_(select(Staff.id).where(Staff.manager_id == actor.id))
    managed = managed_staff_ids(ctx)
    return staff_column.in_(select(managed.c.id))


# --------------------------------------------------------------------------- everyone
def complaints(ctx: Ctx) -> Iterator[dict]:
    """Unfinished complaints escalated to the actor, and (for the customer's owner) about their customers."""
    escalated = exists().where(ComplaintEscalation.complaint_id == Complaint.id,
                               ComplaintEscalation.staff_id == ctx.actor.id)
    stmt = (
        select(Complaint.id, Customer.name, Complaint.severity, Complaint.status, Complaint.text, Complaint.created_at)
        .join(Customer, Customer.id == Complaint.customer_id)
        .where(Complaint.status.in_(ACTIVE), or_(escalated, Customer.owner_id == ctx.actor.id))
        .order_by(Complaint.created_at, Complaint.id)
    )
    for cid, customer, severity, status, text, created in ctx.session.execute(stmt):
        tags = f"{label('complaint.severity', severity)}, {label('complaint.status', status)}"
        yield item(key=f"complaint:{cid}", id=cid, customer=customer, text=f"[{tags}] {text}",
                   since=created, urgent=severity in URGENT_SEVERITIES)


def actions(ctx: Ctx) -> Iterator[dict]:
    """The actor's own open meeting actions; for managers also their team's overdue ones."""
    actor = ctx.actor
    owner = aliased(Staff)
    successor = aliased(ActionItem)
    open_ = and_(ActionItem.done_at.is_(None), ActionItem.cancelled_at.is_(None),
                 ~exists().where(successor.carried_from_id == ActionItem.id))
    mine = ActionItem.owner_id == actor.id
    if actor.role in MANAGER_ROLES:
        team = visible_staff_ids(ctx)
        wanted = or_(mine, and_(ActionItem.due < ctx.today, ActionItem.owner_id.in_(select(team.c.id))))
    else:
        wanted = mine
    stmt = (
        select(ActionItem.id, owner.handle, ActionItem.text, ActionItem.due, ActionItem.created_at)
        .join(owner, owner.id == ActionItem.owner_id)
        .where(open_, wanted)
        .order_by(ActionItem.due.is_(None), ActionItem.due, ActionItem.id)
    )
    for aid, handle, text, due, created in ctx.session.execute(stmt):
        overdue = due is not None and due < ctx.today
        since = _day_start(ctx, due + timedelta(days=1)) if overdue else created
        due_text = f" (due {due.isoformat()})" if due else ""
        yield item(key=f"action:{aid}", id=aid, customer=None, text=f"@{handle} {text}{due_text}", since=since)


def _with_claimed_customer(ctx: Ctx, stmt, request_id) -> list[tuple]:
    """The rows of `stmt` (over OwnershipEntry) with the claimed customer's name added last, live customers only.
    On the team server that customer is often another team's, out of the login's reach (a manager deciding
    their rep's claim, the rep reading the decision): a narrow definer function names it by the request."""
    from salesctl.rls import claimed_customers, is_staff_login

    if not is_staff_login(ctx.session):
        return ctx.session.execute(stmt.add_columns(Customer.name)
                                   .join(Customer, Customer.id == OwnershipEntry.customer_id)
                                   .where(live_customer())).all()
    rows = ctx.session.execute(stmt.add_columns(request_id)).all()
    names = claimed_customers(ctx.session, [r[-1] for r in rows]) if rows else {}
    return [(*r[:-1], names[r[-1]]) for r in rows if r[-1] in names]


# --------------------------------------------------------------------------- managers
def claims_to_decide(ctx: Ctx) -> Iterator[dict]:
    if ctx.actor.role not in MANAGER_ROLES + SEES_ALL:
        return
    decision = aliased(OwnershipEntry)
    requester = aliased(Staff)
    stmt = (
        select(OwnershipEntry.id, requester.handle, OwnershipEntry.need, OwnershipEntry.at)
        .join(requester, requester.id == OwnershipEntry.staff_id)
        .where(OwnershipEntry.kind == "request", ~exists().where(decision.ref_id == OwnershipEntry.id),
               OwnershipEntry.staff_id != ctx.actor.id, _decider_filter(ctx, OwnershipEntry.staff_id))
        .order_by(OwnershipEntry.at, OwnershipEntry.id)
    )
    for entry_id, handle, need, at, customer in _with_claimed_customer(ctx, stmt, OwnershipEntry.id):
        text = f"{handle} claims the customer" + (f": {need}" if need else "")
        yield item(key=f"claim:{entry_id}", id=entry_id, customer=customer, text=text, since=at)


def reports_to_review(ctx: Ctx) -> Iterator[dict]:
    if ctx.actor.role not in MANAGER_ROLES + SEES_ALL:
        return
    rep = aliased(Staff)
    stmt = (
        select(Report.id, rep.handle, Report.kind, Report.period, Report.late, Report.submitted_at)
        .join(rep, rep.id == Report.rep_id)
        .where(Report.status == "submitted", Report.rep_id != ctx.actor.id, _decider_filter(ctx, Report.rep_id))
        .order_by(Report.submitted_at, Report.id)
    )
    for rid, handle, kind, period, late, submitted in ctx.session.execute(stmt):
        text = t("inbox.text.report_late" if late else "inbox.text.report", handle=handle,
                 kind=label("report.kind", kind), period=period)
        yield item(key=f"report:{rid}", id=rid, customer=None, text=text, since=submitted)


# --------------------------------------------------------------------------- the rep's own work
def claim_decisions(ctx: Ctx) -> Iterator[dict]:
    """Decisions on the actor's own claims (approved or rejected) of the last info_days."""
    request = aliased(OwnershipEntry)
    decider = aliased(Staff)
    stmt = (
        select(OwnershipEntry.id, OwnershipEntry.kind, decider.handle, OwnershipEntry.note, OwnershipEntry.at)
        .join(request, request.id == OwnershipEntry.ref_id)
        .outerjoin(decider, decider.id == OwnershipEntry.by_id)
        .where(request.kind == "request", request.staff_id == ctx.actor.id,
               OwnershipEntry.kind.in_(("approve", "reject")), OwnershipEntry.at >= _info_since(ctx))
        .order_by(OwnershipEntry.at, OwnershipEntry.id)
    )
    for eid, kind, by, note, at, customer in _with_claimed_customer(ctx, stmt, request.id):
        text = t(f"inbox.text.claim_{kind}", by=by or "?") + (f": {note}" if note else "")
        yield item(key=f"claim-decided:{eid}", id=eid, customer=customer, text=text, since=at)


def claims_against_mine(ctx: Ctx) -> Iterator[dict]:
    """Pending claims someone lodged on a customer the actor owns."""
    decision = aliased(OwnershipEntry)
    requester = aliased(Staff)
    stmt = (
        select(OwnershipEntry.id, Customer.name, requester.handle, OwnershipEntry.at)
        .join(Customer, Customer.id == OwnershipEntry.customer_id)
        .join(requester, requester.id == OwnershipEntry.staff_id)
        .where(OwnershipEntry.kind == "request", Customer.owner_id == ctx.actor.id,
               OwnershipEntry.staff_id != ctx.actor.id, ~exists().where(decision.ref_id == OwnershipEntry.id),
               live_customer())
        .order_by(OwnershipEntry.at, OwnershipEntry.id)
    )
    for eid, customer, handle, at in ctx.session.execute(stmt):
        yield item(key=f"claim-against:{eid}", id=eid, customer=customer,
                   text=t("inbox.text.claim_against", handle=handle), since=at)


def leads_assigned(ctx: Ctx) -> Iterator[dict]:
    """Leads assigned to the actor that they have not yet visited or called since."""
    contacted = exists().where(Visit.customer_id == Lead.customer_id, Visit.at >= Lead.assigned_at)
    assigner = aliased(Staff)
    stmt = (
        select(Lead.id, Customer.name, assigner.handle, Lead.assigned_at)
        .join(Customer, Customer.id == Lead.customer_id)
        .outerjoin(assigner, assigner.id == Lead.assigned_by_id)
        .where(Lead.assigned_to_id == ctx.actor.id, Lead.status == "assigned", Customer.owner_id == ctx.actor.id,
               ~contacted)
        .order_by(Lead.assigned_at, Lead.id)
    )
    for lid, customer, by, at in ctx.session.execute(stmt):
        yield item(key=f"lead:{lid}", id=lid, customer=customer, text=t("inbox.text.lead", by=by or "?"), since=at)


def report_comments(ctx: Ctx) -> Iterator[dict]:
    """Comments a manager left on the actor's reports (of the last info_days)."""
    reviewer = aliased(Staff)
    stmt = (
        select(ReportReview.id, Report.id, Report.kind, Report.period, reviewer.handle, ReportReview.comment,
               ReportReview.at)
        .join(Report, Report.id == ReportReview.report_id)
        .join(reviewer, reviewer.id == ReportReview.reviewer_id)
        .where(Report.rep_id == ctx.actor.id, ReportReview.reviewer_id != ctx.actor.id,
               ReportReview.at >= _info_since(ctx))
        .order_by(ReportReview.at, ReportReview.id)
    )
    for review_id, report_id, kind, period, by, comment, at in ctx.session.execute(stmt):
        text = t("inbox.text.comment", by=by, kind=kind, period=period, comment=" ".join((comment or "").split()))
        yield item(key=f"comment:{review_id}", id=report_id, customer=None, text=text, since=at)


def follow_ups(ctx: Ctx) -> Iterator[dict]:
    """Follow-ups of the actor's customers due today or overdue (as `visit due` lists them)."""
    later = aliased(Visit)
    newer_visit = exists().where(
        later.customer_id == Visit.customer_id,
        or_(later.at > Visit.at, and_(later.at == Visit.at, later.id > Visit.id)),
    )
    stmt = (
        select(Visit.id, Customer.name, Visit.follow_up, Visit.next_step)
        .join(Customer, Customer.id == Visit.customer_id)
        .where(Customer.owner_id == ctx.actor.id, Visit.follow_up.is_not(None), Visit.follow_up <= ctx.today,
               Visit.follow_up_done.is_(False), ~newer_visit)
        .order_by(Visit.follow_up, Visit.id)
    )
    for vid, customer, due, next_step in ctx.session.execute(stmt):
        key = "inbox.text.followup_today" if due == ctx.today else "inbox.text.followup_overdue"
        text = t(key, due=due.isoformat()) + (f": {next_step}" if next_step else "")
        yield item(key=f"followup:{vid}", id=vid, customer=customer, text=text, since=_day_start(ctx, due))


def own_missing_reports(ctx: Ctx) -> Iterator[dict]:
    """The actor's daily reports missing in the last info_days (deadline passed, nothing submitted)."""
    if ctx.actor.role != "rep":
        return
    from salesctl.services.reports.compliance import daily_compliance

    first = ctx.clock.local(_info_since(ctx)).date()
    found = daily_compliance(ctx.session, Staff.id == ctx.actor.id, first, ctx.today, ctx.clock)
    mine = found.get(ctx.actor.id)
    for day in mine.missing_days if mine else ():
        yield item(key=f"missing:daily:{day.isoformat()}", id=None, customer=None,
                   text=t("inbox.text.missing", day=day.isoformat()), since=_day_start(ctx, day))


def recall_warnings(ctx: Ctx) -> Iterator[dict]:
    """The actor's customers the pool recall (when enabled) takes soon."""
    if ctx.actor.role != "rep":
        return
    from salesctl.services.sales.pool import recall_warnings as warnings

    own = select(Staff.id.label("id")).where(Staff.id == ctx.actor.id).subquery("own")
    for row in warnings(ctx, own):
        yield item(key=f"recall:{row['customer_id']}:{row['due'].isoformat()}", id=row["customer_id"],
                   customer=row["customer"], text=row["next_step"], since=_day_start(ctx, ctx.today))
