"""Correcting a recorded meeting (issue 16): `meeting edit ID`, `meeting cancel ID --reason`, and the
customers an action item is about.

Who: the meeting's team manager, or anyone with manager authority above them (the director, the gm).
A cancelled meeting is final: editing or cancelling it again is a conflict (exit 5).

Editing the minutes re-reads their action lines against the meeting's own actions (carried ones
are not in the minutes), matched by owner and text, then by text alone (so an action reassigned
since keeps its new owner): a line still there keeps its action (a changed due date, customer or
`[x]` is applied to it if it is open), a new line adds an action, and an open action whose line is
gone is cancelled. Done actions are never undone.

Cancelling keeps the meeting, marked cancelled, in `meeting list/show`. A cancelled meeting does
not count as the team's meeting of its week: its week is freed (`Meeting.week = NULL`, so the real
meeting can be recorded), its open actions are cancelled, and the actions it had carried over go
back to the meeting they came from (the copy is cancelled and unlinked, so the next meeting carries
the original again).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.directory import find_staff
from salesctl.errors import Conflict, InvalidInput, NotFound
from salesctl.inputs import is_id
from salesctl.messages import t
from salesctl.models import ActionItem, Meeting, Staff
from salesctl.permissions import is_above, require_run_meeting, team_ids
from salesctl.services.context import Ctx
from salesctl.services.teamwork.meetings import (
    DEFAULT_DUE_DAYS,
    ParsedAction,
    _resolve_owners,
    parse_minutes,
)


# --------------------------------------------------------------------------- customers of actions
def resolve_customer(ctx: Ctx, ref: str, field: str) -> int:
    """A customer the actor may see, by name or id (the same lookup as `customer show`)."""
    from salesctl.permissions import require_see_customer
    from salesctl.services.customers.lookup import find_customer

    try:
        customer = find_customer(ctx, ref.strip(), field)
    except (NotFound, InvalidInput) as exc:  # say where: the option or the minutes' line
        message = exc.message if exc.message.startswith(field) else f"{field}: {exc.message}"
        raise type(exc)(message, hint=exc.hint) from None
    require_see_customer(ctx, customer)
    return customer.id


def resolve_customers(ctx: Ctx, parsed: list[ParsedAction], default: str | None, field: str) -> dict[int, int]:
    """{minutes line: customer id} for the actions about a customer (their own `(customer: …)`, else --customer)."""
    fallback = resolve_customer(ctx, default, "customer") if (default or "").strip() else None
    out: dict[int, int] = {}
    for action in parsed:
        if action.customer:
            out[action.line] = resolve_customer(ctx, action.customer,
                                                t("meeting.err.where_line", field=field, line=action.line))
        elif fallback is not None:
            out[action.line] = fallback
    return out


# --------------------------------------------------------------------------- finding the meeting
def _meeting(ctx: Ctx, ref) -> tuple[Meeting, Staff | None]:
    text = str(ref).strip()
    if not is_id(text):
        raise InvalidInput(t("meeting.err.bad_ref", ref=ref))
    meeting = ctx.session.get(Meeting, int(text))
    if meeting is None:
        from salesctl.rls import deny_if_hidden

        deny_if_hidden(ctx.session, "meeting", int(text), t("ts.what.meeting", id=text))
        raise NotFound(t("meeting.err.no_meeting", ref=text))
    team = ctx.session.get(Staff, meeting.team_manager_id) if meeting.team_manager_id else None
    require_run_meeting(ctx, team, t("meeting.what.meeting", id=meeting.id))
    if meeting.cancelled_at is not None:
        raise Conflict(t("mtgedit.err.cancelled", id=meeting.id,
                         day=meeting.cancelled_at.astimezone(ctx.clock.tz).date().isoformat()))
    return meeting, team


def _has_successor(ctx: Ctx, item: ActionItem) -> bool:
    return ctx.session.exec(select(ActionItem.id).where(ActionItem.carried_from_id == item.id)).first() is not None


def _members(ctx: Ctx, meeting: Meeting, chair_id: int) -> set[int]:
    return team_ids(ctx.session, meeting.team_manager_id, include_root=True) | {chair_id}


# --------------------------------------------------------------------------- meeting edit
def edit_meeting(ctx: Ctx, ref, *, minutes: str | None = None, chair: str | None = None,
                 customer: str | None = None, reason: str | None = None,
                 field: str = "--minutes-file") -> dict:
    """Correct a meeting's minutes (and so its action items) and/or its chair. Returns what changed."""
    from salesctl.audit import snapshot

    if minutes is None and not (chair or "").strip():
        raise InvalidInput(t("mtgedit.err.nothing"))
    if customer is not None and minutes is None:
        raise InvalidInput(t("mtgedit.err.customer_needs_minutes"))
    meeting, team = _meeting(ctx, ref)
    session = ctx.session
    before = snapshot(meeting)
    chair_id = meeting.chair_id
    if (chair or "").strip():
        person = find_staff(session, chair, "chair")
        if not person.active:
            raise InvalidInput(t("meeting.err.chair_inactive", handle=person.handle))
        if team is not None and not (person.id == team.id or is_above(session, team, person)
                                     or is_above(session, person, team)):
            raise InvalidInput(t("meeting.err.chair_outside", handle=person.handle, team=team.handle))
        chair_id = person.id
    changes = {"added": [], "changed": [], "cancelled": []}
    if minutes is not None:
        meeting_day = meeting.held_at.astimezone(ctx.clock.tz).date()
        parsed = parse_minutes(minutes, meeting_day, field)
        owners = _resolve_owners(session, parsed, field)
        members = _members(ctx, meeting, chair_id)
        outside = sorted({p.handle for p in owners.values() if p.id not in members})
        if outside:
            raise InvalidInput(t("handbook.err.owner_outside_team", field=field,
                                 handles=", ".join("@" + h for h in outside), team=team.handle if team else "?"))
        about = resolve_customers(ctx, parsed, customer, field)
        changes = _reconcile(ctx, meeting, parsed, owners, about, meeting_day, reason)
        meeting.minutes = minutes
    meeting.chair_id = chair_id
    session.add(meeting)
    session.flush()
    ctx.audit("meeting.edit", "meeting", meeting.id, before,
              {**snapshot(meeting), "reason": (reason or "").strip() or None,
               "actions": {k: v for k, v in changes.items()}})
    return {"id": meeting.id, **changes}


def _reconcile(ctx: Ctx, meeting: Meeting, parsed: list[ParsedAction], owners: dict[str, Staff],
               about: dict[int, int], meeting_day, reason: str | None) -> dict:
    """Match the new minutes' action lines to the meeting's own actions: by (owner, text) first, then by
    text alone (an action reassigned since, by `meeting action --reassign` or an owner change, keeps its owner)."""
    from salesctl.audit import snapshot

    session = ctx.session
    own = list(session.exec(select(ActionItem).where(ActionItem.meeting_id == meeting.id,
                                                     ActionItem.carried_from_id.is_(None)).order_by(ActionItem.id)))
    wanted = [(line, owners[handle]) for line in parsed for handle in line.handles]
    matched: dict[int, ActionItem] = {}  # index in wanted → existing action
    free = list(own)
    for exact in (True, False):
        for index, (line, owner) in enumerate(wanted):
            if index in matched:
                continue
            for item in free:
                if item.text == line.text and (item.owner_id == owner.id or not exact):
                    matched[index] = item
                    free.remove(item)
                    break
    default_due = meeting_day + timedelta(days=DEFAULT_DUE_DAYS)
    added, changed, cancelled = [], [], []
    new_items = []
    for index, (line, owner) in enumerate(wanted):
        due, customer_id = line.due or default_due, about.get(line.line)
        item = matched.get(index)
        if item is None:
            item = ActionItem(meeting_id=meeting.id, owner_id=owner.id, text=line.text, due=due,
                              created_at=ctx.now, done_at=ctx.now if line.done else None, customer_id=customer_id)
            session.add(item)
            new_items.append(item)
            continue
        if item.done_at is not None or item.cancelled_at is not None or _has_successor(ctx, item):
            continue  # closed or carried on: the minutes no longer decide it
        old = snapshot(item)
        item.due, item.customer_id = due, customer_id
        if line.done:
            item.done_at = ctx.now
        if snapshot(item) != old:
            session.add(item)
            session.flush()
            ctx.audit("action.done" if line.done else "action.edit", "action_item", item.id, old, item)
            changed.append(item.id)
    why = (reason or "").strip() or t("mtgedit.note.removed")
    for item in free:
        if item.done_at is not None or item.cancelled_at is not None or _has_successor(ctx, item):
            continue
        old = snapshot(item)
        item.cancelled_at, item.cancel_reason = ctx.now, why
        session.add(item)
        session.flush()
        ctx.audit("action.cancel", "action_item", item.id, old, item)
        cancelled.append(item.id)
    session.flush()
    for item in new_items:
        ctx.audit("action.add", "action_item", item.id, None, item)
        added.append(item.id)
    return {"added": added, "changed": changed, "cancelled": cancelled}


# --------------------------------------------------------------------------- meeting cancel
def cancel_meeting(ctx: Ctx, ref, *, reason: str | None) -> dict:
    """Cancel a meeting: kept and marked; its week freed, its open actions cancelled, carried ones given back."""
    from salesctl.audit import snapshot

    why = (reason or "").strip()
    if not why:
        raise InvalidInput(t("mtgedit.err.reason"))
    meeting, _team = _meeting(ctx, ref)
    session = ctx.session
    before = snapshot(meeting)
    successor = aliased(ActionItem)
    still_open = list(session.exec(
        select(ActionItem).where(ActionItem.meeting_id == meeting.id, ActionItem.done_at.is_(None),
                                 ActionItem.cancelled_at.is_(None),
                                 ~exists().where(successor.carried_from_id == ActionItem.id))
        .order_by(ActionItem.id)))
    cancelled, returned, copies = [], [], []
    for item in still_open:
        old = snapshot(item)
        if item.carried_from_id is not None:
            returned.append(item.carried_from_id)
            copies.append(item.id)
            item.carried_from_id = None  # the original is open again in its own meeting
        item.cancelled_at, item.cancel_reason = ctx.now, why
        session.add(item)
        cancelled.append((item, old))
    meeting.cancelled_at, meeting.cancelled_by_id, meeting.cancel_reason = ctx.now, ctx.actor.id, why
    meeting.week = None  # the week's meeting can be recorded again
    session.add(meeting)
    session.flush()
    for item, old in cancelled:
        ctx.audit("action.cancel", "action_item", item.id, old, item)
    ctx.audit("meeting.cancel", "meeting", meeting.id, before, meeting)
    return {"id": meeting.id, "reason": why,
            "cancelled": [i.id for i, _ in cancelled if i.id not in set(copies)], "returned": returned}
