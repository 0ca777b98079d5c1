"""The weekly meeting (例会): minutes, action items followed until closed, carry-over and the agenda.

A meeting belongs to a team, named by its manager (`Meeting.team_manager_id`).
Minutes are markdown; a line `- [ ] @handle text (due 2026-12-04)` becomes an
action item (`- [x]` one already done). At the next meeting of the same team
every action still open is carried over: a new ActionItem in the new meeting
with `carried_from_id` pointing at the old one. The old item stays as it was
(not done) but counts as *carried* — an item with a successor is never counted
as open, so nothing is counted twice; marking a carried item done marks the
open copy at the end of its chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterator

from sqlalchemy import and_, case, exists, func
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import t
from salesctl.models import (
    MANAGER_ROLES,
    ActionItem,
    Complaint,
    Customer,
    Deal,
    Meeting,
    OwnershipEntry,
    Payment,
    Staff,
    Visit,
    live_customer,
)
from salesctl.permissions import (
    SEES_ALL,
    is_above,
    is_manager_of,
    meeting_team_clause,
    nearest_manager,
    require_see_meeting,
    team_cte,
)
from salesctl.services.context import Ctx
from salesctl.directory import find_staff
from salesctl.inputs import is_id

TEAM_ROLES = MANAGER_ROLES + SEES_ALL  # whose team can hold a meeting
DEFAULT_DUE_DAYS = 7  # an action with no due date is due at the next meeting
ACTIVE_COMPLAINT = ("open", "in_progress", "resolved")


# --------------------------------------------------------------------------- policy: when the meeting is
def meeting_slot() -> tuple[int, time]:
    """(weekday index, local time) of the weekly meeting, from the policy's [meeting] section."""
    from salesctl.periods import _weekday_index, parse_time_of_day
    from salesctl.policy import section

    policy = section("meeting")
    day_text = str(policy.get("weekday", "monday"))
    idx = _weekday_index(day_text)
    if idx is None:
        raise InvalidInput(t("meeting.err.policy_weekday", value=day_text))
    time_text = str(policy.get("time", "17:00"))
    try:
        at = parse_time_of_day(time_text, "meeting.time")
    except InvalidInput:
        raise InvalidInput(t("meeting.err.policy_time", value=time_text)) from None
    return idx, at


def meeting_day_in_week(day: date) -> date:
    """The meeting day of the (Monday-based) week containing `day`."""
    idx, _ = meeting_slot()
    return day - timedelta(days=day.weekday()) + timedelta(days=idx)


def coming_meeting_day(now_local: datetime) -> date:
    """The next meeting day: today if the meeting has not started yet, else the next one."""
    idx, at = meeting_slot()
    today = now_local.date()
    ahead = (idx - today.weekday()) % 7
    if ahead == 0 and now_local.time() >= at:
        ahead = 7
    return today + timedelta(days=ahead)


# --------------------------------------------------------------------------- parsing the minutes
ACTION_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[(?P<mark>[ xX]?)\]\s*(?P<rest>.*?)\s*$")
LEADING_HANDLE = re.compile(r"^@(?P<handle>[A-Za-z0-9._\-]+)[\s,，、]*")
DUE_SUFFIX = re.compile(
    r"[(（]\s*(?:due|截止|截至|到期|期限)(?:日期)?\s*[:：]?\s*(?P<when>[^()（）]*?)\s*[)）]\s*[。.]?$",
    re.IGNORECASE,
)
# `(customer: 华东医疗)` / `（客户：华东医疗）` at the end: the action is about that customer (issue 16)
CUSTOMER_SUFFIX = re.compile(
    r"[(（]\s*(?:customer|客户)\s*[:：]\s*(?P<ref>[^()（）]+?)\s*[)）]\s*[。.]?$", re.IGNORECASE)


@dataclass
class ParsedAction:
    line: int
    handles: list[str]
    text: str
    due: date | None
    done: bool
    customer: str | None = None  # a customer name or id, resolved by meeting_edit.resolve_customers


def _parse_due(value: str, meeting_day: date, where: str) -> date:
    """An action item's due date: any date form of `periods.read_date`; a weekday is the next one after the meeting."""
    from salesctl.periods import accepted_date_forms, read_date

    text = value.strip()
    if text.lower() in ("today", "今天", "当天"):
        return meeting_day
    due = read_date(text, meeting_day, ahead="after")
    if due is None:
        raise InvalidInput(t("meeting.err.bad_due", where=where, value=value) + " (" + accepted_date_forms() + ")")
    return due


def parse_minutes(minutes: str, meeting_day: date, field: str = "--minutes-file") -> list[ParsedAction]:
    """The action items written in the minutes, in order (handles not yet checked)."""
    actions: list[ParsedAction] = []
    for number, line in enumerate((minutes or "").splitlines(), start=1):
        m = ACTION_LINE.match(line)
        if not m:
            continue
        where = t("meeting.err.where_line", field=field, line=number)
        rest = m.group("rest")
        handles: list[str] = []
        while True:
            hm = LEADING_HANDLE.match(rest)
            if not hm:
                break
            handles.append(hm.group("handle"))
            rest = rest[hm.end():]
        if not handles:
            raise InvalidInput(t("meeting.err.no_owner", where=where))
        due = customer = None
        for _ in range(2):  # the due date and the customer, in either order
            dm = DUE_SUFFIX.search(rest) if due is None else None
            if dm:
                due = _parse_due(dm.group("when"), meeting_day, where)
                rest = rest[:dm.start()]
                continue
            cm = CUSTOMER_SUFFIX.search(rest) if customer is None else None
            if cm:
                customer = cm.group("ref").strip()
                rest = rest[:cm.start()]
        text = rest.strip()
        if not text:
            raise InvalidInput(t("meeting.err.no_text", where=where, handle=handles[0]))
        actions.append(ParsedAction(number, handles, text, due, m.group("mark").lower() == "x", customer))
    return actions


def _resolve_owners(session, actions: list[ParsedAction], field: str) -> dict[str, Staff]:
    """Handle → Staff for every handle in the actions, in one query; unknown handles are refused."""
    wanted = {h for a in actions for h in a.handles}
    variants = wanted | {h.lower() for h in wanted} | {h.rstrip(".-") for h in wanted}
    if not wanted:
        return {}
    found = {s.handle: s for s in session.exec(select(Staff).where(Staff.handle.in_(variants)))}
    lowered = {k.lower(): v for k, v in found.items()}
    resolved: dict[str, Staff] = {}
    for action in actions:
        for handle in action.handles:
            person = found.get(handle) or lowered.get(handle.lower()) or found.get(handle.rstrip(".-"))
            if person is None:
                raise InvalidInput(t("meeting.err.no_staff", field=field, line=action.line, handle=handle))
            if not person.active:
                raise InvalidInput(t("meeting.err.owner_inactive", field=field, line=action.line, handle=handle))
            resolved[handle] = person
    return resolved


# --------------------------------------------------------------------------- teams
def resolve_team(ctx: Ctx, manager: str | None) -> Staff:
    """The team whose meeting it is: --manager, else the acting user's own team (their manager's)."""
    actor = ctx.actor
    if manager:
        boss = find_staff(ctx.session, manager, "manager")
        if boss.role not in TEAM_ROLES:
            raise InvalidInput(t("meeting.err.not_team_role", handle=boss.handle, role=boss.role))
        require_see_meeting(ctx, boss, t("meeting.what.team_meetings", handle=boss.handle))
        return boss
    if actor.role in TEAM_ROLES:
        return actor
    boss = nearest_manager(ctx.session, actor)
    if boss is None:
        raise InvalidInput(t("meeting.err.no_manager", handle=actor.handle))
    return boss


def _open_clause():
    """An action is open when not done, not cancelled and not carried over to a later meeting."""
    successor = aliased(ActionItem)
    carried = exists().where(successor.carried_from_id == ActionItem.id)
    return and_(ActionItem.done_at.is_(None), ActionItem.cancelled_at.is_(None), ~carried), carried


# --------------------------------------------------------------------------- meeting new
@dataclass
class NewMeeting:
    meeting: Meeting
    team: Staff
    chair: Staff
    carried: list[ActionItem]
    actions: list[ActionItem]


def create_meeting(ctx: Ctx, *, day: date | None, chair: str | None, manager: str | None,
                   minutes: str | None, field: str = "--minutes-file", customer: str | None = None) -> NewMeeting:
    session = ctx.session
    team = resolve_team(ctx, manager)
    meeting_day = meeting_day_in_week(day or ctx.today)
    _, at = meeting_slot()
    held_at = datetime.combine(meeting_day, at, ctx.clock.tz)
    if chair:
        chair_person = find_staff(session, chair, "chair")
        if not chair_person.active:
            raise InvalidInput(t("meeting.err.chair_inactive", handle=chair_person.handle))
        if not (chair_person.id == team.id or is_above(session, team, chair_person) or is_above(session, chair_person, team)):
            raise InvalidInput(t("meeting.err.chair_outside", handle=chair_person.handle, team=team.handle))
    else:
        chair_person = team
    minutes = minutes or ""
    parsed = parse_minutes(minutes, meeting_day, field)
    owners = _resolve_owners(session, parsed, field)
    # actions belong to the meeting's team (and its chair): anyone else is a mistake, not a record (issue 16)
    from salesctl.permissions import team_ids

    members = team_ids(session, team.id, include_root=True) | {chair_person.id}
    outside = sorted({p.handle for p in owners.values() if p.id not in members})
    if outside:
        raise InvalidInput(t("handbook.err.owner_outside_team", field=field, handles=", ".join("@" + h for h in outside),
                             team=team.handle))
    from salesctl.services.teamwork.meeting_edit import resolve_customers

    about = resolve_customers(ctx, parsed, customer, field)
    iso_year, iso_week, _ = meeting_day.isocalendar()
    week = f"{iso_year}-W{iso_week:02d}"  # a unique index keeps one meeting per team per week
    existing = session.exec(
        select(Meeting).where(Meeting.team_manager_id == team.id, Meeting.week == week)
    ).first()
    if existing is not None:
        raise Conflict(t("meeting.err.exists", team=team.handle, day=meeting_day, id=existing.id))

    meeting = Meeting(team_manager_id=team.id, chair_id=chair_person.id, held_at=held_at, minutes=minutes,
                      created_by_id=ctx.actor.id, created_at=ctx.now, week=week)
    session.add(meeting)
    session.flush()
    ctx.audit("meeting.new", "meeting", meeting.id, None, meeting)

    open_clause, _ = _open_clause()
    still_open = session.exec(
        select(ActionItem).join(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(Meeting.team_manager_id == team.id, Meeting.held_at < held_at, Meeting.id != meeting.id, open_clause)
        .order_by(ActionItem.due.is_(None), ActionItem.due, ActionItem.id)
    ).all()
    carried: list[ActionItem] = []
    for old in still_open:
        copy = ActionItem(meeting_id=meeting.id, owner_id=old.owner_id, text=old.text, due=old.due,
                          carried_from_id=old.id, created_at=ctx.now, customer_id=old.customer_id)
        session.add(copy)
        carried.append(copy)
    actions: list[ActionItem] = []
    default_due = meeting_day + timedelta(days=DEFAULT_DUE_DAYS)
    for item in parsed:
        for handle in item.handles:
            action = ActionItem(meeting_id=meeting.id, owner_id=owners[handle].id, text=item.text,
                                due=item.due or default_due, created_at=ctx.now,
                                done_at=ctx.now if item.done else None, customer_id=about.get(item.line))
            session.add(action)
            actions.append(action)
    session.flush()
    for copy in carried:
        ctx.audit("action.carry", "action_item", copy.id, None, copy)
    for action in actions:
        ctx.audit("action.add", "action_item", action.id, None, action)
    return NewMeeting(meeting, team, chair_person, carried, actions)


# --------------------------------------------------------------------------- rows
def _action_select():
    owner = aliased(Staff)
    _, carried = _open_clause()
    stmt = (
        select(ActionItem, Meeting.held_at, owner.handle, carried.label("carried"), Customer.name)
        .outerjoin(Meeting, Meeting.id == ActionItem.meeting_id)  # team server: one's own, another team's meeting
        .join(owner, owner.id == ActionItem.owner_id)
        .outerjoin(Customer, Customer.id == ActionItem.customer_id)
    )
    return stmt, owner


def _held_at(ctx: Ctx, item: ActionItem, held_at: datetime | None) -> datetime:
    """The meeting's time; on the team server a hidden meeting's, for an action of one's own."""
    if held_at is not None:
        return held_at
    from salesctl.rls import action_held_at

    return action_held_at(ctx.session, item.id)


def action_status(item: ActionItem, carried: bool) -> str:
    if item.done_at is not None:
        return "done"
    if item.cancelled_at is not None:
        return "cancelled"
    return "carried" if carried else "open"


def action_row(item: ActionItem, held_at: datetime, owner_handle: str, carried: bool, today: date, tz,
               customer: str | None = None) -> dict:
    status = action_status(item, carried)
    return {
        "id": item.id,
        "meeting_id": item.meeting_id,
        "meeting_date": held_at.astimezone(tz).date(),
        "owner": owner_handle,
        "text": item.text,
        "due": item.due,
        "status": status,
        "overdue": status == "open" and item.due is not None and item.due < today,
        "done_at": item.done_at,
        "note": item.done_note,
        "carried_from": item.carried_from_id,
        "customer_id": item.customer_id,
        "customer": customer,
    }


def action_rows(ctx: Ctx, *, open_only: bool = False, overdue: bool = False, owner: str | None = None,
                meeting_id: int | None = None, manager: str | None = None) -> Iterator[dict]:
    """Action items the actor may see (their teams' meetings, and their own), streamed."""
    stmt, _ = _action_select()
    clause = meeting_team_clause(ctx, Meeting.team_manager_id)
    if clause is not None:
        stmt = stmt.where(clause | (ActionItem.owner_id == ctx.actor.id))
    if owner:
        person = find_staff(ctx.session, owner, "owner")
        stmt = stmt.where(ActionItem.owner_id == person.id)
    if manager:
        team = resolve_team(ctx, manager)
        stmt = stmt.where(Meeting.team_manager_id == team.id)
    if meeting_id is not None:
        stmt = stmt.where(ActionItem.meeting_id == meeting_id)
    if open_only or overdue:
        open_clause, _ = _open_clause()
        stmt = stmt.where(open_clause)
    if overdue:
        stmt = stmt.where(ActionItem.due < ctx.today)
    stmt = stmt.order_by(ActionItem.due.is_(None), ActionItem.due, ActionItem.id)
    tz = ctx.clock.tz
    for item, held_at, handle, carried, customer in ctx.session.exec(stmt):
        yield action_row(item, _held_at(ctx, item, held_at), handle, bool(carried), ctx.today, tz, customer)


def action_detail(ctx: Ctx, action_id: int) -> dict:
    """One action item's row (the caller has checked the actor may see it)."""
    stmt, _ = _action_select()
    found = ctx.session.exec(stmt.where(ActionItem.id == action_id)).first()
    if found is None:
        raise NotFound(t("meeting.err.no_action", id=action_id))
    item, held_at, handle, carried, customer = found
    return action_row(item, _held_at(ctx, item, held_at), handle, bool(carried), ctx.today, ctx.clock.tz, customer)


def mark_done(ctx: Ctx, action_id: int, note: str | None) -> tuple[ActionItem, int]:
    """Close an action; a carried action closes the open copy at the end of its chain.

    Returns (the action closed, the id asked for). The owner, the meeting's chair,
    the team's manager and anyone with manager authority over the owner may close it.
    """
    session = ctx.session
    item = session.get(ActionItem, action_id)
    if item is None:
        from salesctl.rls import deny_if_hidden

        deny_if_hidden(session, "action_item", action_id, t("ts.what.action", id=action_id))
        raise NotFound(t("meeting.err.no_action", id=action_id))
    seen = {item.id}
    while True:
        successor = session.exec(select(ActionItem).where(ActionItem.carried_from_id == item.id)).first()
        if successor is None or successor.id in seen:
            break
        item = successor
        seen.add(item.id)
    meeting = session.get(Meeting, item.meeting_id)
    owner = session.get(Staff, item.owner_id)
    actor = ctx.actor
    allowed = (item.owner_id == actor.id or meeting.chair_id == actor.id or meeting.team_manager_id == actor.id
               or is_manager_of(ctx, owner))
    if not allowed:
        raise PermissionDenied(t("err.denied", what=t("meeting.what.action", id=action_id)))
    if item.cancelled_at is not None:
        raise Conflict(t("handbook.err.action_closed", id=item.id, status=t("handbook.word.cancelled")))
    if item.done_at is not None:
        done_day = item.done_at.astimezone(ctx.clock.tz).date()
        raise Conflict(t("meeting.err.action_done", id=item.id, day=done_day))
    before = {"done_at": None, "done_note": item.done_note}
    item.done_at = ctx.now
    item.done_note = note
    session.add(item)
    session.flush()
    ctx.audit("action.done", "action_item", item.id, before, item)
    return item, action_id


# --------------------------------------------------------------------------- list / show
def meeting_rows(ctx: Ctx, *, manager: str | None = None, since: date | None = None,
                 limit: int | None = None) -> Iterator[dict]:
    team_staff, chair_staff = aliased(Staff), aliased(Staff)
    open_clause, carried = _open_clause()
    stmt = (
        select(
            Meeting.id, Meeting.held_at, team_staff.handle, chair_staff.handle, Meeting.cancelled_at,
            func.count(ActionItem.id),
            func.coalesce(func.sum(case((and_(ActionItem.id.is_not(None), open_clause), 1), else_=0)), 0),
            func.coalesce(func.sum(case((ActionItem.carried_from_id.is_not(None), 1), else_=0)), 0),
        )
        .join(chair_staff, chair_staff.id == Meeting.chair_id)
        .outerjoin(team_staff, team_staff.id == Meeting.team_manager_id)
        .outerjoin(ActionItem, ActionItem.meeting_id == Meeting.id)
        .group_by(Meeting.id, Meeting.held_at, team_staff.handle, chair_staff.handle, Meeting.cancelled_at)
        .order_by(Meeting.held_at.desc(), Meeting.id.desc())
    )
    clause = meeting_team_clause(ctx, Meeting.team_manager_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if manager:
        stmt = stmt.where(Meeting.team_manager_id == resolve_team(ctx, manager).id)
    if since:
        stmt = stmt.where(Meeting.held_at >= ctx.clock.day_bounds_utc(since)[0])
    if limit:
        stmt = stmt.limit(limit)
    for mid, held_at, team, chair, cancelled_at, total, still_open, carried_count in ctx.session.execute(stmt):
        yield {"id": mid, "held_at": held_at, "team": team, "chair": chair, "actions": int(total),
               "open_actions": int(still_open), "carried_over": int(carried_count),
               "status": "cancelled" if cancelled_at is not None else "recorded"}


def meeting_detail(ctx: Ctx, ref: str | None) -> dict:
    """One meeting (by id; default the latest of the acting user's team) with its actions."""
    session = ctx.session
    if ref:
        if not is_id(ref.strip()):
            raise InvalidInput(t("meeting.err.bad_ref", ref=ref))
        meeting = session.get(Meeting, int(ref))
        if meeting is None:
            from salesctl.rls import deny_if_hidden

            deny_if_hidden(session, "meeting", int(ref), t("ts.what.meeting", id=ref))
            raise NotFound(t("meeting.err.no_meeting", ref=ref))
    else:
        team = resolve_team(ctx, None)
        meeting = session.exec(  # the latest one held: a cancelled meeting is shown by its id
            select(Meeting).where(Meeting.team_manager_id == team.id, Meeting.cancelled_at.is_(None))
            .order_by(Meeting.held_at.desc(), Meeting.id.desc())
        ).first()
        if meeting is None:
            raise NotFound(t("meeting.err.no_meeting_yet", team=team.handle))
    team = session.get(Staff, meeting.team_manager_id) if meeting.team_manager_id else None
    require_see_meeting(ctx, team, t("meeting.what.meeting", id=meeting.id))
    chair = session.get(Staff, meeting.chair_id)
    recorder = session.get(Staff, meeting.created_by_id) if meeting.created_by_id else None
    canceller = session.get(Staff, meeting.cancelled_by_id) if meeting.cancelled_by_id else None
    # every action of the meeting, whoever owns it: whoever may see the meeting sees its actions
    stmt, _ = _action_select()
    stmt = stmt.where(ActionItem.meeting_id == meeting.id).order_by(ActionItem.id)
    rows = [action_row(i, h, o, bool(c), ctx.today, ctx.clock.tz, n) for i, h, o, c, n in session.exec(stmt)]
    return {
        "id": meeting.id,
        "held_at": meeting.held_at,
        "team": team.handle if team else None,
        "chair": chair.handle if chair else None,
        "recorded_by": recorder.handle if recorder else None,
        "minutes": meeting.minutes,
        "carried": [r for r in rows if r["carried_from"] is not None],
        "actions": [r for r in rows if r["carried_from"] is None],
        "status": "cancelled" if meeting.cancelled_at is not None else "recorded",
        "cancelled_at": meeting.cancelled_at,
        "cancelled_by": canceller.handle if canceller else None,
        "cancel_reason": meeting.cancel_reason,
    }


# --------------------------------------------------------------------------- agenda
def agenda(ctx: Ctx, *, manager: str | None = None, day: date | None = None) -> dict:
    """A draft agenda for the coming meeting, from the data (a fixed number of queries)."""
    from salesctl.permissions import require_see_staff
    from salesctl.periods import period_containing
    from salesctl.services.reports.compliance import daily_compliance

    session = ctx.session
    team = resolve_team(ctx, manager)
    # the headline numbers and the pending items are the team's business: managers (and their assistants) only
    require_see_staff(ctx, team, what=t("meeting.what.agenda", handle=team.handle))
    if day is not None:
        meeting_day = meeting_day_in_week(day)
    else:
        meeting_day = coming_meeting_day(ctx.clock.now)
    _, at = meeting_slot()
    week = period_containing("week", meeting_day - timedelta(days=1))
    start_utc, end_utc = ctx.clock.range_utc(week.start, week.end)
    members = team_cte(team.id, include_root=True, name="agenda_team")
    member_ids = select(members.c.id)

    # 1. open actions of the team's meetings (what the next meeting follows up)
    stmt, _ = _action_select()
    open_clause, _ = _open_clause()
    stmt = (stmt.where(Meeting.team_manager_id == team.id, open_clause)
            .order_by(ActionItem.due.is_(None), ActionItem.due, ActionItem.id))
    open_actions = [action_row(i, h, o, bool(c), ctx.today, ctx.clock.tz, n) for i, h, o, c, n in session.exec(stmt)]

    # 2. the week's headline numbers
    visits = session.execute(
        select(func.count(Visit.id)).where(Visit.rep_id.in_(member_ids), Visit.at >= start_utc, Visit.at < end_utc)
    ).scalar_one()
    new_customers = session.execute(
        select(func.count(Customer.id)).where(Customer.owner_id.in_(member_ids), Customer.created_at >= start_utc,
                                              Customer.created_at < end_utc, live_customer())
    ).scalar_one()
    won_count, won_amount = session.execute(
        select(func.count(Deal.id), func.sum(Deal.amount)).where(
            Deal.owner_id.in_(member_ids), Deal.won_on >= week.start, Deal.won_on <= week.end)
    ).one()
    paid_count, paid_amount = session.execute(
        select(func.count(Payment.id), func.sum(Payment.amount)).join(Deal, Deal.id == Payment.deal_id).where(
            Deal.owner_id.in_(member_ids), Payment.paid_on >= week.start, Payment.paid_on <= week.end)
    ).one()
    from decimal import Decimal

    headline = {
        "visits": int(visits),
        "new_customers": int(new_customers),
        "deals_won": int(won_count),
        "won_amount": won_amount if won_amount is not None else Decimal("0.00"),
        "payments": int(paid_count),
        "payment_amount": paid_amount if paid_amount is not None else Decimal("0.00"),
    }

    # 3. pending claims of the team's reps
    decision = aliased(OwnershipEntry)
    requester = aliased(Staff)
    claims = [
        {"id": entry_id, "customer": name, "requested_by": handle, "at": at_, "need": need}
        for entry_id, name, handle, at_, need in session.execute(
            select(OwnershipEntry.id, Customer.name, requester.handle, OwnershipEntry.at, OwnershipEntry.need)
            .join(Customer, Customer.id == OwnershipEntry.customer_id)
            .join(requester, requester.id == OwnershipEntry.staff_id)
            .where(OwnershipEntry.kind == "request", OwnershipEntry.staff_id.in_(member_ids),
                   ~exists().where(decision.ref_id == OwnershipEntry.id), live_customer())
            .order_by(OwnershipEntry.at, OwnershipEntry.id)
        )
    ]

    # 4. complaints not finished on the team's customers
    owner = aliased(Staff)
    complaints = [
        {"id": cid, "customer": name, "owner": handle, "severity": severity, "status": status, "text": text,
         "since": created}
        for cid, name, handle, severity, status, text, created in session.execute(
            select(Complaint.id, Customer.name, owner.handle, Complaint.severity, Complaint.status, Complaint.text,
                   Complaint.created_at)
            .join(Customer, Customer.id == Complaint.customer_id)
            .outerjoin(owner, owner.id == Customer.owner_id)
            .where(Complaint.status.in_(ACTIVE_COMPLAINT), Customer.owner_id.in_(member_ids))
            .order_by(Complaint.created_at, Complaint.id)
        )
    ]

    # 5. daily reports missing in the week
    compliance = daily_compliance(session, Staff.id.in_(member_ids), week.start, week.end, ctx.clock)
    names = {s.id: s for s in session.exec(select(Staff).where(Staff.id.in_(list(compliance) or [-1])))}
    missing = [
        {"handle": names[sid].handle, "name": names[sid].name, "missing": c.missing, "days": c.missing_days}
        for sid, c in sorted(compliance.items(), key=lambda kv: names[kv[0]].handle)
        if c.missing
    ]
    return {
        "meeting_date": meeting_day,
        "time": at.strftime("%H:%M"),
        "team": team.handle,
        "chair": team.handle,
        "week": week.label,
        "open_actions": open_actions,
        "headline": headline,
        "pending_claims": claims,
        "open_complaints": complaints,
        "missing_reports": missing,
    }

