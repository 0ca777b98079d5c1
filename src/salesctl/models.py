"""Every table salesctl stores, in one module (SPEC section 5).

Conventions: integer `id` primary keys; people are foreign keys to `staff.id`;
timestamps are `UTCDateTime` (stored naive UTC, returned aware); money is `Money`
(integer cents in the database, `Decimal` in Python). Append-only tables
(ownership ledger, grade history, stage changes, audit) are never updated.

Size: over 600 lines on purpose: every table in one module, as SQLModel's code-structure
guide and STYLE.md ask, so a newcomer finds the whole schema in one place.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Column, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from salesctl.dbtypes import Money, UTCDateTime

# pydantic builds each table's validator and serializer on first use instead of at import (issue 23):
# commands use the tables through SQLAlchemy, and a start-up pays for 28 schemas it never needs.
SQLModel.model_config["defer_build"] = True

ROLES = ("gm", "director", "manager", "regional_manager", "rep", "assistant")
MANAGER_ROLES = ("manager", "regional_manager")
GRADES = ("A", "B", "C", "D")
CUSTOMER_STATUSES = ("following", "won", "paused", "lost")
VISIT_KINDS = ("visit", "call", "email", "event")
PROFILE_SECTIONS = ("background", "project", "relationship", "plan", "competitor")
DEAL_STAGES = (1, 2, 3, 4, 5)
REPORT_KINDS = ("daily", "weekly", "monthly")
COMPLAINT_STATUSES = ("open", "in_progress", "resolved", "closed", "rejected", "duplicate")
SEVERITIES = ("low", "normal", "high", "critical")


def _ts(**kw) -> Field:
    return Field(sa_type=UTCDateTime, **kw)


def _text(**kw) -> Field:
    return Field(sa_column_kwargs={}, sa_type=Text, **kw)


# --------------------------------------------------------------------------- org chart
class Staff(SQLModel, table=True):
    __tablename__ = "staff"

    id: Optional[int] = Field(default=None, primary_key=True)
    handle: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=32, index=True)
    manager_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    region: Optional[str] = Field(default=None, max_length=100, index=True)
    industry: Optional[str] = Field(default=None, max_length=100, index=True)
    email: Optional[str] = Field(default=None, max_length=200)
    phone: Optional[str] = Field(default=None, max_length=40)
    active: bool = Field(default=True, index=True)
    created_at: datetime = _ts()
    # reports are owed from this day (None: from the day after created_at, for staff added before 0.2)
    start_date: Optional[date] = Field(default=None)
    # team server: the PostgreSQL login role of this person (salesctl.rls.login_role), None = no login
    login_role: Optional[str] = Field(default=None, max_length=63, unique=True)


class Leave(SQLModel, table=True):
    """Days a person is excused from reports (the handbook's leave rule)."""

    __tablename__ = "leave"

    id: Optional[int] = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    start: date
    end: date
    reason: Optional[str] = _text(default=None)
    created_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _ts()
    # only approved leave excuses anything: pending | approved | rejected | cancelled
    status: str = Field(default="approved", max_length=16, index=True,
                        sa_column_kwargs={"server_default": "approved"})
    decided_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    decided_at: Optional[datetime] = _ts(default=None)
    decision_note: Optional[str] = _text(default=None)


# --------------------------------------------------------------------------- customers
class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    __table_args__ = (
        Index("ix_customer_owner_grade", "owner_id", "grade"),
        Index("ix_customer_grade_id", "grade", "id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    name_norm: str = Field(max_length=300, unique=True, index=True)
    phone_norm: Optional[str] = Field(default=None, max_length=40, index=True)
    industry: Optional[str] = Field(default=None, max_length=100, index=True)
    region: Optional[str] = Field(default=None, max_length=100, index=True)
    address: Optional[str] = Field(default=None, max_length=500)
    website: Optional[str] = Field(default=None, max_length=300)
    email: Optional[str] = Field(default=None, max_length=200, index=True)
    status: str = Field(default="following", max_length=32, index=True)
    grade: str = Field(default="D", max_length=1, index=True)
    expected_purchase: Optional[date] = Field(default=None)
    # owner is a cache of the ownership ledger's last granting entry; it is written
    # only together with an OwnershipEntry (services.ownership).
    owner_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    reported_by_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    reported_at: Optional[datetime] = _ts(default=None)
    last_contact_at: Optional[datetime] = _ts(default=None, index=True)
    incomplete: bool = Field(default=False, index=True)
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts(index=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    # 查重 (issue 18): match keys computed from the name by salesctl.companynames, the
    # unified social credit code, and where a merged record now lives (never listed again)
    trade_key: Optional[str] = Field(default=None, max_length=100, index=True)
    trade_head: Optional[str] = Field(default=None, max_length=8, index=True)
    trade_tail: Optional[str] = Field(default=None, max_length=8, index=True)
    region_key: Optional[str] = Field(default=None, max_length=12)
    credit_code: Optional[str] = Field(default=None, max_length=18, unique=True, index=True)
    merged_into_id: Optional[int] = Field(default=None, index=True)


def live_customer(customer=Customer):
    """SQL: a customer record not merged into another, the only kind any list, count, report or export shows.

    A merged record (`customer merge`) stays only so that its id and name resolve to KEEP;
    pass an alias (`aliased(Customer)`) to filter that instead.
    """
    return customer.merged_into_id.is_(None)


class Contact(SQLModel, table=True):
    __tablename__ = "contact"

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=200)
    title: Optional[str] = Field(default=None, max_length=200)
    phone: Optional[str] = Field(default=None, max_length=40)
    phone_norm: Optional[str] = Field(default=None, max_length=40, index=True)
    email: Optional[str] = Field(default=None, max_length=200, index=True)
    decision_maker: bool = Field(default=False)
    is_primary: bool = Field(default=False)
    note: Optional[str] = _text(default=None)
    phone_invalid: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})  # 0007: kept, flagged
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class ProfileSection(SQLModel, table=True):
    __tablename__ = "profile_section"
    __table_args__ = (UniqueConstraint("customer_id", "section"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    section: str = Field(max_length=32)
    text: str = _text(default="")
    updated_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    updated_at: datetime = _ts()


class GradeChange(SQLModel, table=True):
    """Append-only grade history: who, when, from, to and why."""

    __tablename__ = "grade_change"
    __table_args__ = (Index("ix_grade_change_customer_at", "customer_id", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    from_grade: Optional[str] = Field(default=None, max_length=1)
    to_grade: str = Field(max_length=1)
    by_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    at: datetime = _ts(index=True)
    reason: Optional[str] = _text(default=None)
    source: str = Field(default="hand", max_length=16)  # create | hand | rule | visit | import
    rule: Optional[str] = Field(default=None, max_length=200)
    visit_id: Optional[int] = Field(default=None, foreign_key="visit.id")


class OwnershipEntry(SQLModel, table=True):
    """The claim ledger (报备): append-only; the current owner is the last granting entry.

    kind: report (first report, grants), grant, request (pending claim), approve,
    reject, release, recall, assign, transfer (manager's edit --owner).
    `ref_id` points a decision at the request it decides.
    """

    __tablename__ = "ownership_entry"
    __table_args__ = (Index("ix_ownership_customer_id", "customer_id", "id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    kind: str = Field(max_length=16, index=True)
    staff_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    from_owner_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    to_owner_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    at: datetime = _ts(index=True)
    need: Optional[str] = _text(default=None)
    note: Optional[str] = _text(default=None)
    ref_id: Optional[int] = Field(default=None, foreign_key="ownership_entry.id", index=True)
    had_info_in_time: Optional[bool] = Field(default=None)


class Lead(SQLModel, table=True):
    """A lead found by an assistant: a pool customer waiting for the manager to assign it."""

    __tablename__ = "lead"

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    found_by_id: int = Field(foreign_key="staff.id", index=True)
    source: Optional[str] = _text(default=None)
    status: str = Field(default="open", max_length=16, index=True)  # open | assigned
    assigned_to_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    assigned_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    assigned_at: Optional[datetime] = _ts(default=None)
    created_at: datetime = _ts()


class MissedSale(SQLModel, table=True):
    """A sale lost in a region by a customer nobody had in the archive (漏单)."""

    __tablename__ = "missed_sale"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    region: str = Field(max_length=100)
    industry: str = Field(max_length=100)
    amount: Decimal = Field(sa_type=Money)
    note: Optional[str] = _text(default=None)
    occurred_on: date = Field(index=True)
    recorded_by_id: int = Field(foreign_key="staff.id")
    recorded_at: datetime = _ts()
    # `claim missed void`: a voided missed sale is kept (audited) but off every statement
    voided_at: Optional[datetime] = _ts(default=None)
    voided_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    void_reason: Optional[str] = _text(default=None)


class MissedSaleShare(SQLModel, table=True):
    __tablename__ = "missed_sale_share"

    id: Optional[int] = Field(default=None, primary_key=True)
    missed_sale_id: int = Field(foreign_key="missed_sale.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    amount: Decimal = Field(sa_type=Money)


# --------------------------------------------------------------------------- visits, deals
class Visit(SQLModel, table=True):
    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_rep_at", "rep_id", "at"),
        Index("ix_visit_customer_at", "customer_id", "at"),
        Index("ix_visit_at", "at"),
        Index("ix_visit_follow_up", "follow_up"),
        # open follow-ups past due (summary, visit due): only the few not done, not every dated visit
        Index("ix_visit_open_follow_up", "follow_up_done", "follow_up"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    rep_id: int = Field(foreign_key="staff.id")
    at: datetime = _ts()
    kind: str = Field(default="visit", max_length=16)
    content: str = _text(default="")
    result: str = _text(default="")
    problems: Optional[str] = _text(default=None)
    next_step: Optional[str] = _text(default=None)
    follow_up: Optional[date] = Field(default=None)
    follow_up_done: bool = Field(default=False)
    created_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _ts()


class Deal(SQLModel, table=True):
    __tablename__ = "deal"
    __table_args__ = (Index("ix_deal_owner_status", "owner_id", "status"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    owner_id: int = Field(foreign_key="staff.id", index=True)
    title: str = Field(max_length=300)
    product: Optional[str] = Field(default=None, max_length=200, index=True)
    amount: Decimal = Field(sa_type=Money)
    stage: int = Field(default=1, index=True)
    status: str = Field(default="open", max_length=8, index=True)  # open | won | lost
    expected_close: Optional[date] = Field(default=None)
    won_on: Optional[date] = Field(default=None, index=True)
    lost_on: Optional[date] = Field(default=None, index=True)
    lost_reason: Optional[str] = _text(default=None)
    created_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()


class DealStageChange(SQLModel, table=True):
    __tablename__ = "deal_stage_change"
    __table_args__ = (Index("ix_deal_stage_change_at", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    from_stage: Optional[int] = Field(default=None)
    to_stage: int
    by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    at: datetime = _ts()
    note: Optional[str] = _text(default=None)


class Payment(SQLModel, table=True):
    """Money collected on a deal (回款)."""

    __tablename__ = "payment"

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    amount: Decimal = Field(sa_type=Money)
    paid_on: date = Field(index=True)
    note: Optional[str] = _text(default=None)
    created_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _ts()


# --------------------------------------------------------------------------- reports
class Report(SQLModel, table=True):
    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("rep_id", "kind", "period"),
        Index("ix_report_kind_start", "kind", "period_start"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    rep_id: int = Field(foreign_key="staff.id", index=True)
    kind: str = Field(max_length=8)
    period: str = Field(max_length=16)
    period_start: date
    period_end: date
    status: str = Field(default="draft", max_length=16, index=True)  # draft | submitted | reviewed
    late: bool = Field(default=False)
    deadline: Optional[datetime] = _ts(default=None)
    submitted_at: Optional[datetime] = _ts(default=None)
    texts: str = _text(default="{}")  # JSON of the free-text sections of the draft
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class ReportVersion(SQLModel, table=True):
    """A submitted snapshot: the compiled form and its texts, never rewritten."""

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    version: int
    snapshot: str = _text()
    submitted_at: datetime = _ts()
    submitted_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")


class ReportReview(SQLModel, table=True):
    __tablename__ = "report_review"

    id: Optional[int] = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    reviewer_id: int = Field(foreign_key="staff.id")
    comment: str = _text(default="")
    at: datetime = _ts()


# --------------------------------------------------------------------------- meetings, complaints
class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"

    id: Optional[int] = Field(default=None, primary_key=True)
    team_manager_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    chair_id: int = Field(foreign_key="staff.id")
    held_at: datetime = _ts(index=True)
    minutes: str = _text(default="")
    created_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _ts()
    # the ISO week (2026-W48) of the meeting day: one meeting per team per week, whatever the caller's time zone
    week: Optional[str] = Field(default=None, sa_column=Column(String(8), nullable=True))
    # `meeting cancel ID --reason` (issue 16): the row stays, marked; its week is freed (week = NULL)
    cancelled_at: Optional[datetime] = _ts(default=None)
    cancelled_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    cancel_reason: Optional[str] = _text(default=None)

    __table_args__ = (Index("ux_meeting_team_week", "team_manager_id", "week", unique=True),)


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"

    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    owner_id: int = Field(foreign_key="staff.id", index=True)
    text: str = _text()
    due: Optional[date] = Field(default=None, index=True)
    done_at: Optional[datetime] = _ts(default=None)
    done_note: Optional[str] = _text(default=None)
    carried_from_id: Optional[int] = Field(default=None, foreign_key="action_item.id", index=True)
    created_at: datetime = _ts()
    cancelled_at: Optional[datetime] = _ts(default=None)  # `meeting action ID --cancel --reason`
    cancel_reason: Optional[str] = _text(default=None)
    # the customer the action is about: it follows the customer's owner (issue 16)
    customer_id: Optional[int] = Field(default=None, foreign_key="customer.id", index=True)


class Complaint(SQLModel, table=True):
    __tablename__ = "complaint"

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    reporter_id: int = Field(foreign_key="staff.id")
    about_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    text: str = _text()
    severity: str = Field(default="normal", max_length=16)
    channel: str = Field(default="other", max_length=16)
    status: str = Field(default="open", max_length=16, index=True)
    resolution: Optional[str] = _text(default=None)
    satisfaction: Optional[int] = Field(default=None)
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()


class ComplaintEvent(SQLModel, table=True):
    __tablename__ = "complaint_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    from_status: Optional[str] = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    note: Optional[str] = _text(default=None)
    by_id: int = Field(foreign_key="staff.id")
    at: datetime = _ts()


class ComplaintEscalation(SQLModel, table=True):
    """Who a complaint was escalated to (every manager up the owner's chain and the director)."""

    __tablename__ = "complaint_escalation"
    __table_args__ = (UniqueConstraint("complaint_id", "staff_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    at: datetime = _ts()


# --------------------------------------------------------------------------- targets, commission
class Target(SQLModel, table=True):
    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("staff_id", "period"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    team: bool = Field(default=False)  # a manager's team target rather than a personal one
    period: str = Field(max_length=16, index=True)  # 2026-11 or 2026-Q4
    amount: Decimal = Field(sa_type=Money)
    set_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    set_at: datetime = _ts()


class CommissionAdjustment(SQLModel, table=True):
    __tablename__ = "commission_adjustment"

    id: Optional[int] = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    month: str = Field(max_length=7, index=True)
    amount: Decimal = Field(sa_type=Money)
    reason: str = _text()
    source: Optional[str] = Field(default=None, max_length=200)
    by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    at: datetime = _ts()


class CommissionSettlement(SQLModel, table=True):
    __tablename__ = "commission_settlement"
    __table_args__ = (UniqueConstraint("staff_id", "month"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    month: str = Field(max_length=7, index=True)
    net: Decimal = Field(sa_type=Money)
    summary: str = _text(default="{}")  # JSON of the per-rep calc row at settlement
    settled_by_id: int = Field(foreign_key="staff.id")
    settled_at: datetime = _ts()


class CommissionLine(SQLModel, table=True):
    """A line of a settled statement; never changed after settlement."""

    __tablename__ = "commission_line"

    id: Optional[int] = Field(default=None, primary_key=True)
    settlement_id: int = Field(foreign_key="commission_settlement.id", index=True)
    seq: int = Field(default=0)
    kind: str = Field(max_length=32)
    source: Optional[str] = Field(default=None, max_length=200)
    base: Optional[Decimal] = Field(default=None, sa_type=Money)
    rate: Optional[str] = Field(default=None, max_length=32)
    amount: Decimal = Field(sa_type=Money)
    rule: Optional[str] = Field(default=None, max_length=200)  # which rule of the plan priced it
    note: Optional[str] = _text(default=None)


# --------------------------------------------------------------------------- security, audit
class ArchivePassword(SQLModel, table=True):
    """The archive password's scrypt hash; never the password itself."""

    __tablename__ = "archive_password"

    id: Optional[int] = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    hash: str = Field(max_length=256)
    salt: str = Field(max_length=128)
    params: str = Field(max_length=128)
    set_at: datetime = _ts()


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    at: datetime = _ts(index=True)
    action: str = Field(max_length=64, index=True)
    entity: str = Field(max_length=64)
    entity_id: Optional[int] = Field(default=None)
    before: Optional[str] = _text(default=None)
    after: Optional[str] = _text(default=None)
    # team server: the PostgreSQL role that wrote the entry (set by the database, never by the client)
    db_user: Optional[str] = Field(default=None, max_length=63)



# --------------------------------------------------------------------------- issue 16: the account moves with its owner
class DealOwnerChange(SQLModel, table=True):
    """Append-only: a deal moved to another owner (with its customer, a handover, or `deal reassign`)."""

    __tablename__ = "deal_owner_change"

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    from_owner_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    to_owner_id: int = Field(foreign_key="staff.id")
    by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    at: datetime = _ts(index=True)
    reason: Optional[str] = _text(default=None)
    entry_id: Optional[int] = Field(default=None, foreign_key="ownership_entry.id")  # the ledger entry that moved it
# --------------------------------------------------------------------------- contracts, receivables, attachments
class Contract(SQLModel, table=True):
    """A signed contract on a won deal: what the customer owes (may differ from the deal amount). Voided, never deleted."""

    __tablename__ = "contract"

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    number: str = Field(max_length=100, unique=True, index=True)
    signed_on: date = Field(index=True)
    amount: Decimal = Field(sa_type=Money)
    starts_on: Optional[date] = Field(default=None)
    ends_on: Optional[date] = Field(default=None, index=True)
    delivered_on: Optional[date] = Field(default=None)
    accepted_on: Optional[date] = Field(default=None)
    status: str = Field(default="active", max_length=8, index=True)  # active | void
    void_reason: Optional[str] = _text(default=None)
    voided_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    voided_at: Optional[datetime] = _ts(default=None)
    note: Optional[str] = _text(default=None)
    created_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Installment(SQLModel, table=True):
    """One instalment of a contract's receivable plan (回款计划); `due_event` until its event is recorded."""

    __tablename__ = "installment"
    __table_args__ = (UniqueConstraint("contract_id", "seq"), Index("ix_installment_due_on", "due_on"))

    id: Optional[int] = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    seq: int
    amount: Decimal = Field(sa_type=Money)
    due_on: Optional[date] = Field(default=None)
    due_event: Optional[str] = Field(default=None, max_length=16)  # delivered | accepted
    created_at: datetime = _ts()


class PaymentAllocation(SQLModel, table=True):
    """Which instalment a payment (or part of it) paid."""

    __tablename__ = "payment_allocation"

    id: Optional[int] = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    installment_id: int = Field(foreign_key="installment.id", index=True)
    amount: Decimal = Field(sa_type=Money)


class AttachmentKey(SQLModel, table=True):
    """The database's attachment key: its id and check value, never the key (except `stored_key` on a team server)."""

    __tablename__ = "attachment_key"

    id: Optional[int] = Field(default=None, primary_key=True)
    key_id: str = Field(max_length=64, unique=True)
    check_value: str = Field(max_length=128)
    stored_key: Optional[bytes] = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = _ts()


class AttachmentBlob(SQLModel, table=True):
    """Encrypted file content (AES-GCM), one row per distinct content (keyed HMAC-SHA256 `digest`)."""

    __tablename__ = "attachment_blob"

    id: Optional[int] = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64, unique=True)
    key_id: str = Field(max_length=64)
    nonce: bytes = Field(sa_type=LargeBinary)
    ciphertext: bytes = Field(sa_type=LargeBinary)
    size: int
    created_at: datetime = _ts()


class Attachment(SQLModel, table=True):
    """A file hung on a customer, visit, deal, contract or complaint; removed ones are hidden, kept."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_entity", "entity", "entity_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    entity: str = Field(max_length=16)
    entity_id: int
    blob_id: int = Field(foreign_key="attachment_blob.id", index=True)
    filename: str = Field(max_length=300)
    content_type: str = Field(max_length=100)
    size: int
    note: Optional[str] = _text(default=None)
    added_by_id: int = Field(foreign_key="staff.id")
    added_at: datetime = _ts()
    removed_at: Optional[datetime] = _ts(default=None)
    removed_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    removed_reason: Optional[str] = _text(default=None)
# --------------------------------------------------------------------------- notifications (migration 0008)
class InboxDismissal(SQLModel, table=True):
    """An informational inbox item the person hid with `inbox done KEY`."""

    __tablename__ = "inbox_dismissal"
    __table_args__ = (UniqueConstraint("staff_id", "key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    key: str = Field(max_length=200)
    at: datetime = _ts()


class NotifyChannel(SQLModel, table=True):
    """An extra delivery channel of a person (`notify subscribe`): an Apprise URL, e.g. a team's group robot."""

    __tablename__ = "notify_channel"
    __table_args__ = (UniqueConstraint("staff_id", "url"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    scheme: str = Field(max_length=32)
    url: str = Field(max_length=1000)
    created_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _ts()


class NotifyDelivery(SQLModel, table=True):
    """One inbox item for one person on one channel: pending/failed (retried with backoff) or sent (never again)."""

    __tablename__ = "notify_delivery"
    __table_args__ = (UniqueConstraint("staff_id", "channel", "item_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    channel: str = Field(max_length=64)  # "email" or "channel:<notify_channel.id>"
    item_key: str = Field(max_length=200)
    status: str = Field(default="failed", max_length=16, index=True)  # failed | sent
    attempts: int = Field(default=0)
    next_try_at: Optional[datetime] = _ts(default=None)
    last_error: Optional[str] = _text(default=None)
    first_at: datetime = _ts()
    sent_at: Optional[datetime] = _ts(default=None)


class NotifyLog(SQLModel, table=True):
    """Every message salesctl tried to deliver: to whom, when, by which channel, with which result."""

    __tablename__ = "notify_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    staff_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    channel: str = Field(max_length=64)
    purpose: str = Field(max_length=32)  # inbox | archive | missing | summary
    at: datetime = _ts(index=True)
    items: int = Field(default=0)
    subject: str = Field(max_length=300)
    result: str = Field(max_length=16)  # sent | failed
    error: Optional[str] = _text(default=None)
# --------------------------------------------------------------------------- team server
class ServerSetting(SQLModel, table=True):
    """Facts about this database on a team server (the role prefix recorded at init)."""

    __tablename__ = "server_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = _text()


class DbAudit(SQLModel, table=True):
    """Row changes recorded by the PostgreSQL trigger (psql writes included); never written by salesctl."""

    __tablename__ = "db_audit"
    __table_args__ = (Index("ix_db_audit_table_row", "table_name", "row_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    db_user: str = Field(max_length=63)
    client: Optional[str] = Field(default=None, max_length=64)  # application_name: salesctl, psql, …
    actor_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    operation: str = Field(max_length=8)
    table_name: str = Field(max_length=64)
    row_id: Optional[int] = Field(default=None)
    before: Optional[str] = _text(default=None)
    after: Optional[str] = _text(default=None)
