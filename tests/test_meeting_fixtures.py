"""Shared helpers for the meeting, complaint and inbox tests (no tests here).

Customers, visits, deals, claims and reports are inserted directly through the
models, so these tests do not depend on the commands other features provide.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from conftest import query

CREATED = "2026-10-01T09:00:00+08:00"
TABLES = ("meeting", "action_item", "complaint", "complaint_event", "complaint_escalation", "audit_entry")


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _staff_id(sess, handle: str) -> int:
    from sqlmodel import select

    from salesctl.models import Staff

    return sess.exec(select(Staff.id).where(Staff.handle == handle)).one()


def make_customer(url: str, name: str, owner: str | None, *, created: str = CREATED) -> int:
    """A customer owned by `owner` (a handle, or None for the pool): Customer + Contact + a "report" entry."""
    from salesctl import db
    from salesctl.models import Contact, Customer, OwnershipEntry
    from salesctl.services.customers.normalize import normalize_name

    at = _ts(created)
    with db.session(url, write=True) as sess:
        owner_id = _staff_id(sess, owner) if owner else None
        customer = Customer(name=name, name_norm=normalize_name(name), owner_id=owner_id, reported_by_id=owner_id,
                            reported_at=at, created_at=at, updated_at=at)
        sess.add(customer)
        sess.flush()
        sess.add(Contact(customer_id=customer.id, name="李总", title="总经理", phone="13800000000",
                         created_at=at, updated_at=at))
        if owner_id is not None:
            sess.add(OwnershipEntry(customer_id=customer.id, kind="report", staff_id=owner_id, to_owner_id=owner_id,
                                    by_id=owner_id, at=at))
        sess.flush()
        customer_id = customer.id
    db.dispose_all()
    return customer_id


def add_visit(url: str, customer_id: int, rep: str, at: str) -> None:
    from salesctl import db
    from salesctl.models import Visit

    with db.session(url, write=True) as sess:
        sess.add(Visit(customer_id=customer_id, rep_id=_staff_id(sess, rep), at=_ts(at), kind="visit",
                       content="拜访", result="ok", created_at=_ts(at)))
    db.dispose_all()


def add_won_deal(url: str, customer_id: int, owner: str, amount: str, won_on: date,
                 payment: str | None = None, paid_on: date | None = None) -> int:
    from salesctl import db
    from salesctl.models import Deal, Payment

    at = _ts(CREATED)
    with db.session(url, write=True) as sess:
        deal = Deal(customer_id=customer_id, owner_id=_staff_id(sess, owner), title="设备", amount=Decimal(amount),
                    stage=4, status="won", won_on=won_on, created_at=at, updated_at=at)
        sess.add(deal)
        sess.flush()
        if payment:
            sess.add(Payment(deal_id=deal.id, amount=Decimal(payment), paid_on=paid_on, created_at=at))
        deal_id = deal.id
    db.dispose_all()
    return deal_id


def add_claim_request(url: str, customer_id: int, requester: str, at: str, need: str = "客户主动联系") -> int:
    """A pending claim: an OwnershipEntry of kind "request"; returns its id."""
    from salesctl import db
    from salesctl.models import OwnershipEntry

    with db.session(url, write=True) as sess:
        sid = _staff_id(sess, requester)
        entry = OwnershipEntry(customer_id=customer_id, kind="request", staff_id=sid, by_id=sid, at=_ts(at), need=need)
        sess.add(entry)
        sess.flush()
        entry_id = entry.id
    db.dispose_all()
    return entry_id


def decide_claim(url: str, request_id: int, decider: str, at: str, kind: str = "reject") -> None:
    from salesctl import db
    from salesctl.models import OwnershipEntry

    with db.session(url, write=True) as sess:
        request = sess.get(OwnershipEntry, request_id)
        sess.add(OwnershipEntry(customer_id=request.customer_id, kind=kind, staff_id=request.staff_id,
                                by_id=_staff_id(sess, decider), at=_ts(at), ref_id=request_id))
    db.dispose_all()


def add_report(url: str, rep: str, day: date, status: str = "submitted", submitted: str = "2026-11-26T17:00:00+08:00") -> int:
    from salesctl import db
    from salesctl.models import Report

    at = _ts(submitted)
    with db.session(url, write=True) as sess:
        report = Report(rep_id=_staff_id(sess, rep), kind="daily", period=day.isoformat(), period_start=day,
                        period_end=day, status=status, submitted_at=at, created_at=at, updated_at=at)
        sess.add(report)
        sess.flush()
        report_id = report.id
    db.dispose_all()
    return report_id


def counts(url: str) -> dict:
    """Row counts of every table meetings and complaints write."""
    return {table: query(url, f"select count(*) from {table}")[0][0] for table in TABLES}
