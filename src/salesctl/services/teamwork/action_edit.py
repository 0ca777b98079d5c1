"""Correcting a meeting's action item (issue 16): `meeting action ID --reassign HANDLE | --due DATE |
--cancel --reason TEXT`.

A carried action is corrected at the open copy at the end of its chain (as `action done` closes it).
The chair, the team's manager and anyone with manager authority over the owner may correct it;
a new owner must be in the meeting's team (or its chair), and active. `--customer NAME|ID` says
which customer the action is about (it then follows the customer's owner; `none` unlinks it).
Every change is audited.
"""

from __future__ import annotations

from sqlmodel import select

from salesctl.directory import find_staff
from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import t
from salesctl.models import ActionItem, Meeting, Staff
from salesctl.permissions import is_manager_of, team_ids
from salesctl.services.context import Ctx


def _open_end(ctx: Ctx, action_id: int) -> ActionItem:
    item = ctx.session.get(ActionItem, action_id)
    if item is None:
        raise NotFound(t("meeting.err.no_action", id=action_id))
    seen = {item.id}
    while True:
        successor = ctx.session.exec(select(ActionItem).where(ActionItem.carried_from_id == item.id)).first()
        if successor is None or successor.id in seen:
            return item
        item = successor
        seen.add(item.id)


def change_action(ctx: Ctx, action_id: int, *, reassign: str | None = None, due: str | None = None,
                  cancel: bool = False, reason: str | None = None, customer: str | None = None) -> ActionItem:
    from salesctl.audit import snapshot
    from salesctl.periods import parse_date

    given = [flag for flag, value in (("--reassign", reassign), ("--due", due), ("--customer", customer),
                                      ("--cancel", cancel)) if value]
    if not given:
        raise InvalidInput(t("handbook.err.action_nothing"))
    if cancel and len(given) > 1:
        raise InvalidInput(t("handbook.err.action_cancel_alone", flags=", ".join(given)))
    why = (reason or "").strip() or None
    if cancel and why is None:
        raise InvalidInput(t("handbook.err.action_cancel_reason"))
    item = _open_end(ctx, action_id)
    meeting = ctx.session.get(Meeting, item.meeting_id)
    owner = ctx.session.get(Staff, item.owner_id)
    actor = ctx.actor
    if not (meeting.chair_id == actor.id or meeting.team_manager_id == actor.id or is_manager_of(ctx, owner)):
        raise PermissionDenied(t("err.denied", what=t("meeting.what.action", id=action_id)))
    if item.done_at is not None or item.cancelled_at is not None:
        raise Conflict(t("handbook.err.action_closed", id=item.id,
                         status=t("handbook.word.done") if item.done_at is not None else t("handbook.word.cancelled")))
    before = snapshot(item)
    if reassign:
        person = find_staff(ctx.session, reassign, "reassign")
        members = team_ids(ctx.session, meeting.team_manager_id, include_root=True) | {meeting.chair_id}
        if not person.active:
            raise InvalidInput(t("mtgedit.err.reassign_inactive", handle=person.handle))
        if person.id not in members:
            team = ctx.session.get(Staff, meeting.team_manager_id)
            raise InvalidInput(t("handbook.err.owner_outside_team", field="--reassign", handles="@" + person.handle,
                                 team=team.handle if team else "?"))
        item.owner_id = person.id
    if customer:
        from salesctl.services.teamwork.meeting_edit import resolve_customer

        item.customer_id = None if customer.strip().lower() in ("none", "-", "无") else resolve_customer(ctx, customer, "customer")
    if due:
        item.due = parse_date(due, "due", ctx.today)
    if cancel:
        item.cancelled_at = ctx.now
        item.cancel_reason = why
    ctx.session.add(item)
    ctx.session.flush()
    ctx.audit("action.cancel" if cancel else "action.edit", "action_item", item.id, before, item)
    return item
