"""Visits, calls, emails and events (拜访) and the follow-ups they leave behind.

A visit belongs to the customer's owner (its `rep_id`), whoever typed it in: the
owner, someone above them, or an assistant of their manager's team. Logging one
updates the customer's last contact and may regrade the customer in the same
transaction (the grade history entry points at the visit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterator

from sqlalchemy import and_, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.errors import InvalidInput, PermissionDenied
from salesctl.messages import t
from salesctl.models import GRADES, VISIT_KINDS, Contact, Customer, GradeChange, Staff, Visit, live_customer
from salesctl.permissions import Scope, require_act_for, require_see_customer, scope_clause
from salesctl.services.context import Ctx
from salesctl.services.customers.lookup import find_customer

# what users may type for --kind, besides the keys themselves
KIND_ALIASES = {"拜访": "visit", "电话": "call", "邮件": "email", "活动": "event", "meeting": "visit", "phone": "call"}


@dataclass
class LoggedVisit:
    visit: Visit
    customer: Customer
    contact: Contact
    contact_added: bool
    grade_change: GradeChange | None
    grade_before: str
    rep_handle: str


# --------------------------------------------------------------------------- shared helpers
def owner_for_writing(ctx: Ctx, customer: Customer, what: str) -> Staff:
    """The customer's owner, after checking the actor may write for them.

    `what` is a message key naming the action (e.g. "visit.denied.log"); plain text passes through.

    Pool customers (no owner) get no visits or deals until someone claims them:
    that is a refusal (exit 3), whoever asks.
    """
    require_see_customer(ctx, customer)
    if customer.owner_id is None:
        raise PermissionDenied(t("err.denied", what=t("visit.denied.pool", what=t(what), id=customer.id)))
    owner = ctx.session.get(Staff, customer.owner_id)
    require_act_for(ctx, owner, t("visit.denied.owned", what=t(what), id=customer.id, handle=owner.handle))
    return owner


def period_bounds(ctx: Ctx, *, day: str | None = None, week: str | None = None, month: str | None = None,
                  since: str | None = None) -> tuple[date, date | None] | None:
    """The --date/--week/--month/--since choice as (first day, last day or None), or None for no limit."""
    from salesctl.periods import parse_date, parse_period

    given = [flag for flag, value in (("--date", day), ("--week", week), ("--month", month), ("--since", since)) if value]
    if len(given) > 1:
        raise InvalidInput(t("visit.err.one_period", flags=", ".join(given)))
    if day:
        d = parse_date(day, "date", ctx.today)
        return d, d
    if week:
        p = parse_period(week, "week", ctx.today)
        return p.start, p.end
    if month:
        p = parse_period(month, "month", ctx.today)
        return p.start, p.end
    if since:
        return parse_date(since, "since", ctx.today), None
    return None


def parse_kind(kind: str | None) -> str:
    value = (kind or "visit").strip()
    value = KIND_ALIASES.get(value, value.lower())
    if value not in VISIT_KINDS:
        raise InvalidInput(t("visit.err.bad_kind", value=kind, accepted=", ".join(VISIT_KINDS)))
    return value


def _required(value: str | None, flag: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(t("visit.err.empty", flag=flag))
    return text


def find_or_add_contact(ctx: Ctx, customer: Customer, name: str) -> tuple[Contact, bool]:
    """A contact of the customer by name (case-insensitive), or a new one (audited)."""
    wanted = name.strip()
    found = ctx.session.exec(
        select(Contact).where(Contact.customer_id == customer.id, func.lower(Contact.name) == wanted.lower())
        .order_by(Contact.id)
    ).first()
    if found is not None:
        return found, False
    contact = Contact(customer_id=customer.id, name=wanted, created_at=ctx.now, updated_at=ctx.now)
    ctx.session.add(contact)
    ctx.session.flush()
    ctx.audit("contact.add", "contact", contact.id, None, contact)
    return contact, True


# --------------------------------------------------------------------------- visit log
def log_visit(
    ctx: Ctx,
    customer_ref: str,
    *,
    content: str | None,
    result: str | None,
    contact: str | None,
    kind: str | None = None,
    at: str | None = None,
    problems: str | None = None,
    next_step: str | None = None,
    follow_up: str | None = None,
    grade: str | None = None,
    reason: str | None = None,
) -> LoggedVisit:
    """Record one contact with a customer (the handbook: content, whom, result, problems)."""
    from salesctl.periods import parse_date, parse_datetime

    missing = [flag for flag, value in (("--content", content), ("--result", result), ("--contact", contact))
               if not (value or "").strip()]
    if missing:
        raise InvalidInput(t("visit.err.missing", flags=", ".join(missing)))
    kind_value = parse_kind(kind)
    grade_value = None
    if grade is not None:
        grade_value = grade.strip().upper()
        if grade_value not in GRADES:
            raise InvalidInput(t("visit.err.bad_grade", value=grade, accepted=", ".join(GRADES)))
    elif reason is not None:
        raise InvalidInput(t("visit.err.reason_without_grade"))

    customer = find_customer(ctx, customer_ref)
    owner = owner_for_writing(ctx, customer, "visit.denied.log")

    moment = parse_datetime(at, "at", ctx.clock) if at else ctx.now
    if moment > ctx.now:
        raise InvalidInput(t("visit.err.future", at=_local_text(ctx, moment)))
    # a first visit often comes before the form (首次来访的新客户必须填写客户信息表): an earlier --at is fine
    visit_day = ctx.clock.local(moment).date()
    follow_day = None
    if follow_up:
        follow_day = parse_date(follow_up, "follow-up", ctx.today, ahead="forward")
        if follow_day < visit_day:
            raise InvalidInput(t("visit.err.follow_up_early", follow_up=follow_day, visit=visit_day))

    person, added = find_or_add_contact(ctx, customer, _required(contact, "--contact"))
    visit = Visit(
        customer_id=customer.id,
        contact_id=person.id,
        rep_id=owner.id,
        at=moment,
        kind=kind_value,
        content=_required(content, "--content"),
        result=_required(result, "--result"),
        problems=(problems or "").strip() or None,
        next_step=(next_step or "").strip() or None,
        follow_up=follow_day,
        created_by_id=ctx.actor.id,
        created_at=ctx.now,
    )
    ctx.session.add(visit)
    ctx.session.flush()
    ctx.audit("visit.log", "visit", visit.id, None, visit)

    if customer.last_contact_at is None or moment > customer.last_contact_at:
        before = customer.last_contact_at
        customer.last_contact_at = moment
        customer.updated_at = ctx.now
        ctx.session.add(customer)
        ctx.audit("customer.last_contact", "customer", customer.id, {"last_contact_at": before},
                  {"last_contact_at": moment, "visit": visit.id})

    grade_before = customer.grade
    change = None
    if grade_value is not None:
        from salesctl.services.customers.grading import set_grade

        why = (reason or "").strip() or f"visit {visit.id}: {visit.result}"
        change = set_grade(ctx, customer, grade_value, reason=why, source="visit", visit_id=visit.id)
    ctx.session.flush()
    return LoggedVisit(visit, customer, person, added, change, grade_before, owner.handle)


def _local_text(ctx: Ctx, moment: datetime) -> str:
    return ctx.clock.local(moment).strftime("%Y-%m-%d %H:%M")


def visit_row(v: LoggedVisit) -> dict:
    visit = v.visit
    return {
        "id": visit.id, "at": visit.at, "customer_id": v.customer.id, "customer": v.customer.name,
        "contact": v.contact.name, "kind": visit.kind, "content": visit.content, "result": visit.result,
        "problems": visit.problems, "next_step": visit.next_step, "follow_up": visit.follow_up,
        "rep": v.rep_handle, "grade": v.customer.grade,
    }


# --------------------------------------------------------------------------- visit list
def visit_rows(ctx: Ctx, scope: Scope, *, bounds: tuple[date, date | None] | None = None,
               customer: str | None = None, limit: int | None = None) -> Iterator[dict]:
    """Visits in the scope (by the visit's rep), oldest first, streamed."""
    stmt = (
        select(Visit.id, Visit.at, Visit.customer_id, Customer.name, Contact.name, Visit.kind, Visit.content,
               Visit.result, Visit.problems, Visit.next_step, Visit.follow_up, Staff.handle)
        .join(Customer, Customer.id == Visit.customer_id)
        .join(Staff, Staff.id == Visit.rep_id)
        .join(Contact, Contact.id == Visit.contact_id, isouter=True)
    )
    clause = scope_clause(scope, Visit.rep_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if customer:
        target = find_customer(ctx, customer)
        require_see_customer(ctx, target)
        stmt = stmt.where(Visit.customer_id == target.id)
    if bounds:
        first, last = bounds
        stmt = stmt.where(Visit.at >= ctx.clock.day_bounds_utc(first)[0])
        if last is not None:
            stmt = stmt.where(Visit.at < ctx.clock.day_bounds_utc(last)[1])
    stmt = stmt.order_by(Visit.at, Visit.id)
    if limit:
        stmt = stmt.limit(limit)
    for (vid, at, cid, cname, contact, kind, content, result, problems, next_step, follow, rep) in ctx.session.exec(
        stmt.execution_options(yield_per=500)
    ):
        yield {"id": vid, "at": at, "customer_id": cid, "customer": cname, "contact": contact, "kind": kind,
               "content": content, "result": result, "problems": problems, "next_step": next_step,
               "follow_up": follow, "rep": rep}


# --------------------------------------------------------------------------- visit due
def due_rows(ctx: Ctx, scope: Scope, *, days: int = 0) -> list[dict]:
    """Follow-ups and A/B customers without contact that are due within `days` (two queries).

    - follow_up: a visit's follow-up date <= today + days, not marked done, and no later
      visit to that customer (by anyone) since the visit that set it;
    - no_contact: A customers whose last contact (or creation, if never contacted) is
      policy followup.a_no_contact_days ago or more by today + days; B likewise with
      b_no_contact_days. Due date = last contact's local date + that many days.
    Status: overdue (due before today), due (today), upcoming (later, only with --days).
    Pool customers (no owner) are left out: nobody can visit them until claimed.
    """
    from salesctl.policy import section

    if days < 0:
        raise InvalidInput(t("visit.err.negative_days", value=days))
    policy = section("followup")
    thresholds = {"A": int(policy.get("a_no_contact_days", 7)), "B": int(policy.get("b_no_contact_days", 14))}
    today = ctx.today
    horizon = today + timedelta(days=days)
    session = ctx.session

    later = aliased(Visit)
    # the shape of the summary's overdue follow-ups (services/reports/summaries.py): "later" is
    # (at, id) after the visit's, with at >= for a (customer_id, at) index range; OFFSET 0 keeps
    # it one probe per open follow-up on PostgreSQL instead of an anti-join hashing every visit;
    # `= false` (not IS false) lets the open-follow-up index serve the filter there
    newer_visit = (select(later.id).where(
        later.customer_id == Visit.customer_id, later.at >= Visit.at,
        or_(later.at > Visit.at, later.id > Visit.id)).offset(0).exists())
    follow_stmt = (
        select(Visit.id, Visit.follow_up, Visit.next_step, Visit.at, Customer.id, Customer.name, Customer.grade,
               Customer.last_contact_at, Staff.handle)
        .join(Customer, Customer.id == Visit.customer_id)
        .join(Staff, Staff.id == Customer.owner_id)
        .where(Visit.follow_up_done == false(), Visit.follow_up <= horizon, ~newer_visit)
    )
    clause = scope_clause(scope, Customer.owner_id)
    if clause is not None:
        follow_stmt = follow_stmt.where(clause)

    rows: list[dict] = []
    for vid, follow, next_step, at, cid, cname, grade, last, owner in session.exec(follow_stmt):
        rows.append(_due_row(today, "follow_up", follow, vid, cid, cname, grade, owner, last, next_step))

    # A/B customers: the last contact (or creation) must be before the start of this local day
    reference = func.coalesce(Customer.last_contact_at, Customer.created_at)
    per_grade = []
    for grade, limit_days in thresholds.items():
        cutoff = ctx.clock.day_bounds_utc(horizon - timedelta(days=limit_days))[1]
        per_grade.append(and_(Customer.grade == grade, reference < cutoff))
    stale_stmt = (
        select(Customer.id, Customer.name, Customer.grade, Customer.last_contact_at, Customer.created_at, Staff.handle)
        .join(Staff, Staff.id == Customer.owner_id)
        .where(or_(*per_grade), live_customer())
    )
    if clause is not None:
        stale_stmt = stale_stmt.where(clause)
    for cid, cname, grade, last, created, owner in session.exec(stale_stmt):
        since = ctx.clock.local(last or created).date()
        due = since + timedelta(days=thresholds[grade])
        rows.append(_due_row(today, "no_contact", due, None, cid, cname, grade, owner, last, None))
    rows += _review_rows(ctx, today, clause)
    from salesctl.services.sales.pool import recall_warnings

    rows += recall_warnings(ctx, scope)  # pool recall (opt-in): customers about to return to the pool
    rows.sort(key=lambda r: (r["due"], r["customer"], r["kind"]))
    return rows


def _review_rows(ctx: Ctx, today, clause) -> list[dict]:
    """Grades the automatic rules leave to a person (issue 16): a customer being followed whose
    expected purchase date is past, or who has none and a grade above D, is listed for its owner."""
    stmt = (
        select(Customer.id, Customer.name, Customer.grade, Customer.expected_purchase, Customer.last_contact_at,
               Staff.handle)
        .join(Staff, Staff.id == Customer.owner_id)
        .where(Customer.status == "following", live_customer(),
               or_(Customer.expected_purchase < today,
                   and_(Customer.expected_purchase.is_(None), Customer.grade.in_(("A", "B", "C")))))
    )
    if clause is not None:
        stmt = stmt.where(clause)
    rows = []
    for cid, cname, grade, expected, last, owner in ctx.session.exec(stmt):
        note = (t("handbook.due.review_past", date=expected) if expected is not None
                else t("handbook.due.review_no_date"))
        rows.append(_due_row(today, "review", expected or today, None, cid, cname, grade, owner, last, note))
    return rows


def _due_row(today, kind, due, visit_id, customer_id, customer, grade, owner, last_contact, next_step) -> dict:
    overdue_days = (today - due).days
    status = "overdue" if overdue_days > 0 else "due" if overdue_days == 0 else "upcoming"
    return {
        # id: the visit that set the follow-up, or the customer for a no-contact row
        "id": visit_id if visit_id is not None else customer_id,
        "kind": kind, "status": status, "due": due, "days_overdue": max(overdue_days, 0),
        "customer_id": customer_id, "customer": customer, "grade": grade, "owner": owner,
        "visit_id": visit_id, "last_contact_at": last_contact, "next_step": next_step,
    }
