"""`notify send/status/subscribe`: each person's new inbox items, delivered once per channel.

Channels of a person: their e-mail address (staff --email, when an SMTP server is configured) and
the Apprise URLs subscribed for them (`notify_channel`). A run computes each person's inbox as that
person (their own permission scopes), keeps the items not yet delivered on a channel, and sends one
message per person per channel. `notify_delivery` holds one row per (person, channel, item key):
`sent` is never sent again; `failed` is retried on a later run once `next_try_at` has passed
(backoff doubling from `[notify] retry_minutes` up to `retry_max_hours`). Items that leave the inbox
before they were delivered are simply not sent. In quiet hours only urgent items go out.
Every message is logged in `notify_log` (who, when, channel, how many items, result).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import insert
from sqlmodel import select

from salesctl.errors import PermissionDenied
from salesctl.messages import label, t
from salesctl.models import NotifyChannel, NotifyDelivery, NotifyLog, Staff
from salesctl.permissions import SEES_ALL, require_act_for
from salesctl.services.context import Ctx
from salesctl.services.teamwork import delivery
from salesctl.services.teamwork.inbox import collect


def policy() -> dict:
    from salesctl.policy import section

    values = section("notify")
    return {
        "quiet_start": str(values.get("quiet_start", "21:00")),
        "quiet_end": str(values.get("quiet_end", "08:00")),
        "retry_minutes": int(values.get("retry_minutes", 15)),
        "retry_max_hours": int(values.get("retry_max_hours", 6)),
    }


def _clock_time(value: str) -> time:
    hour, _, minute = value.partition(":")
    return time(int(hour), int(minute or 0))


def in_quiet_hours(ctx: Ctx, rules: dict) -> bool:
    start, end, now = _clock_time(rules["quiet_start"]), _clock_time(rules["quiet_end"]), ctx.clock.now.time()
    if start == end:
        return False
    return start <= now or now < end if start > end else start <= now < end


def backoff(attempts: int, rules: dict) -> timedelta:
    minutes = rules["retry_minutes"] * (2 ** max(attempts - 1, 0))
    return timedelta(minutes=min(minutes, rules["retry_max_hours"] * 60))


# --------------------------------------------------------------------------- subscriptions
def subscribe(ctx: Ctx, handle: str, url: str) -> NotifyChannel:
    from salesctl.directory import find_staff

    staff = find_staff(ctx.session, handle)
    require_act_for(ctx, staff, t("notify.what.subscribe", handle=staff.handle))
    scheme = delivery.check_channel_url(url)
    url = url.strip()
    existing = ctx.session.exec(select(NotifyChannel).where(NotifyChannel.staff_id == staff.id,
                                                            NotifyChannel.url == url)).first()
    if existing is not None:
        return existing
    channel = NotifyChannel(staff_id=staff.id, scheme=scheme, url=url, created_by_id=ctx.actor.id, created_at=ctx.now)
    ctx.session.add(channel)
    ctx.session.flush()
    # the URL may hold a robot's token: the audit keeps only where it points
    ctx.audit("notify.subscribe", "notify_channel", channel.id, None,
              {"staff": staff.handle, "scheme": scheme, "channel": delivery.redact_url(url)})
    return channel


# --------------------------------------------------------------------------- the run
@dataclass
class Outgoing:
    staff: Staff
    channel: str  # "email" or "channel:<id>"
    target: str  # an address or an Apprise URL
    items: list[dict]
    robot: bool = False

    @property
    def shown_channel(self) -> str:
        return "email" if self.channel == "email" else delivery.redact_url(self.target)


@dataclass
class RunResult:
    messages: list[dict] = field(default_factory=list)
    sent: int = 0
    failed: int = 0
    items: int = 0
    waiting: int = 0  # non-urgent items held back by quiet hours
    quiet: bool = False


def _channels(ctx: Ctx, staff: Staff, email_ok: bool) -> list[tuple[str, str, bool]]:
    found = []
    if email_ok and staff.email:
        found.append(("email", staff.email, False))
    for channel in ctx.session.exec(select(NotifyChannel).where(NotifyChannel.staff_id == staff.id)
                                    .order_by(NotifyChannel.id)):
        found.append((f"channel:{channel.id}", channel.url, channel.scheme in delivery.ROBOT_SCHEMES))
    return found


def _as(ctx: Ctx, staff: Staff) -> Ctx:
    return Ctx(session=ctx.session, actor=staff, clock=ctx.clock, url=ctx.url)


def pending(ctx: Ctx, people: list[Staff] | None = None) -> tuple[list[Outgoing], int, dict]:
    """What a run would send now: one Outgoing per person and channel, the count held back by quiet
    hours, and the delivery rows by (staff, channel, key)."""
    rules = policy()
    quiet = in_quiet_hours(ctx, rules)
    email_ok = delivery.smtp_configured()
    if people is None:
        people = list(ctx.session.exec(select(Staff).where(Staff.active == True).order_by(Staff.handle)))  # noqa: E712
    rows: dict[tuple[int, str, str], NotifyDelivery] = {}
    out: list[Outgoing] = []
    held = 0
    for person in people:
        channels = _channels(ctx, person, email_ok)
        if not channels:
            continue
        items = collect(_as(ctx, person))
        keys = [row["key"] for row in items]
        for start in range(0, len(keys), 500):  # only this person's current items, not the whole history
            stmt = select(NotifyDelivery).where(NotifyDelivery.staff_id == person.id,
                                                NotifyDelivery.item_key.in_(keys[start:start + 500]))
            rows.update(((r.staff_id, r.channel, r.item_key), r) for r in ctx.session.exec(stmt))
        for channel, target, robot in channels:
            due = []
            for row in items:
                state = rows.get((person.id, channel, row["key"]))
                if state is not None and (state.status == "sent" or
                                          (state.next_try_at is not None and state.next_try_at > ctx.now)):
                    continue
                if quiet and not row["urgent"]:
                    held += 1
                    continue
                due.append(row)
            if due:
                out.append(Outgoing(person, channel, target, due, robot))
    return out, held, rows


def render_message(message: Outgoing) -> tuple[str, str]:
    """(subject, text). A robot (group chat) message carries no phone numbers or e-mail addresses."""
    name = message.staff.name
    count = len(message.items)
    subject = t("notify.subject.inbox", count=count, name=name)
    if message.robot:
        lines = [t("notify.body.robot_intro", name=name, count=count)]
        for row in message.items:
            customer = f" {row['customer']}" if row["customer"] else ""
            lines.append(delivery.mask_contacts(f"- [{label('inbox.kind', row['kind'])}]{customer}: {row['text']}"))
        return subject, "\n".join(lines)
    lines = [t("notify.body.inbox_intro"), ""]
    for row in message.items:
        since = row["since"]
        when = since.strftime("%Y-%m-%d %H:%M") if isinstance(since, datetime) else ""
        customer = f" {row['customer']} —" if row["customer"] else ""
        lines.append(f"- [{label('inbox.kind', row['kind'])}]{customer} {row['text']}  ({when}, {row['key']})")
    return subject, "\n".join(lines) + "\n"


def _deliver(settings, message: Outgoing, subject: str, text: str) -> None:
    if message.channel == "email":
        delivery.send_email(settings, message.target, subject, text)
    else:
        delivery.send_channel(message.target, subject, text)


def send(ctx: Ctx, *, dry_run: bool = False) -> RunResult:
    """`notify send`: deliver everyone's new items (the director or gm runs it, e.g. from cron)."""
    if ctx.actor.role not in SEES_ALL:
        raise PermissionDenied(t("notify.err.sender_role"))
    rules = policy()
    result = RunResult(quiet=in_quiet_hours(ctx, rules))
    settings = delivery.smtp_settings() if delivery.smtp_configured() else None
    outgoing, result.waiting, rows = pending(ctx)
    for message in outgoing:
        subject, text = render_message(message)
        shown = {"handle": message.staff.handle, "channel": message.shown_channel, "items": len(message.items),
                 "keys": [r["key"] for r in message.items], "subject": subject}
        result.items += len(message.items)
        if dry_run:
            result.messages.append({**shown, "result": "dry-run"})
            continue
        error = None
        try:
            _deliver(settings, message, subject, text)
        except delivery.DeliveryFailed as exc:
            error = str(exc)
        now = ctx.now
        for row in message.items:
            state = rows.get((message.staff.id, message.channel, row["key"]))
            if state is None:
                state = NotifyDelivery(staff_id=message.staff.id, channel=message.channel, item_key=row["key"],
                                       status="failed", attempts=0, first_at=now)
            state.attempts += 1
            if error is None:
                state.status, state.sent_at, state.next_try_at, state.last_error = "sent", now, None, None
            else:
                state.status, state.next_try_at, state.last_error = "failed", now + backoff(state.attempts, rules), error
            ctx.session.add(state)
        ctx.session.add(NotifyLog(staff_id=message.staff.id, channel=message.channel, purpose="inbox", at=now,
                                  items=len(message.items), subject=subject[:300],
                                  result="sent" if error is None else "failed", error=error))
        ctx.session.commit()  # what got out is recorded at once: a later crash cannot send it twice
        result.messages.append({**shown, "result": "sent" if error is None else "failed", "error": error})
        if error is None:
            result.sent += 1
        else:
            result.failed += 1
    if not dry_run:
        ctx.audit("notify.send", "notify_log", None, None,
                  {"sent": result.sent, "failed": result.failed, "items": result.items, "quiet": result.quiet})
    return result


# --------------------------------------------------------------------------- status
def status_rows(ctx: Ctx) -> list[dict]:
    """The queue: per person and channel, items waiting (new or to retry) and the last failure."""
    people = None
    if ctx.actor.role not in SEES_ALL:
        people = [ctx.actor]
    outgoing, _, rows = pending(ctx, people)
    result = []
    for message in outgoing:
        states = [rows.get((message.staff.id, message.channel, r["key"])) for r in message.items]
        failed = [s for s in states if s is not None and s.status == "failed"]
        result.append({"handle": message.staff.handle, "channel": message.shown_channel, "items": len(message.items),
                       "status": "failed" if failed else "pending",
                       "attempts": max((s.attempts for s in failed), default=0),
                       "next_try": None, "error": failed[-1].last_error if failed else None})
    # failed rows still waiting for their retry time (rows holds only items still in an inbox)
    waiting: dict[tuple[int, str], list[NotifyDelivery]] = {}
    for (sid, channel, _), state in rows.items():
        if state.status == "failed" and state.next_try_at is not None and state.next_try_at > ctx.now:
            waiting.setdefault((sid, channel), []).append(state)
    handles = dict(ctx.session.exec(select(Staff.id, Staff.handle)).all())
    for (sid, channel), states in sorted(waiting.items()):
        shown = channel
        if channel.startswith("channel:"):
            sub = ctx.session.get(NotifyChannel, int(channel.split(":")[1]))
            shown = delivery.redact_url(sub.url) if sub else channel
        result.append({"handle": handles.get(sid), "channel": shown, "items": len(states), "status": "failed",
                       "attempts": max(s.attempts for s in states),
                       "next_try": min(s.next_try_at for s in states), "error": states[-1].last_error})
    return result


def log_rows(ctx: Ctx, limit: int = 20) -> list[dict]:
    stmt = (select(NotifyLog.at, Staff.handle, NotifyLog.channel, NotifyLog.purpose, NotifyLog.items,
                   NotifyLog.result, NotifyLog.error)
            .outerjoin(Staff, Staff.id == NotifyLog.staff_id).order_by(NotifyLog.id.desc()).limit(limit))
    if ctx.actor.role not in SEES_ALL:
        stmt = stmt.where(NotifyLog.staff_id == ctx.actor.id)
    return [{"at": at, "handle": handle, "channel": channel, "purpose": purpose, "items": items, "status": res,
             "error": err} for at, handle, channel, purpose, items, res, err in ctx.session.exec(stmt)]


def log_message(ctx: Ctx, staff: Staff | None, channel: str, purpose: str, subject: str, items: int,
                error: str | None) -> None:
    """One row of `notify_log`. Without RETURNING (`inline`): on the team server a login logs what it sends
    up its chain (the Friday pack to the gm), a row it may add but not read back (salesctl.rls)."""
    ctx.session.execute(insert(NotifyLog).inline().values(
        staff_id=staff.id if staff else None, channel=channel, purpose=purpose, at=ctx.now, items=items,
        subject=subject[:300], result="sent" if error is None else "failed", error=error))
