"""Shared helpers for the visit, deal and payment tests (no tests here).

Customers are inserted directly through the models (Customer + Contact + a "report"
ledger entry + the creation grade), so these tests do not depend on `customer add`.
"""

from __future__ import annotations

from datetime import datetime

from conftest import query

CREATED = "2026-10-01T09:00:00+08:00"


def make_customer(url: str, name: str, owner: str | None, *, grade: str = "C", contact: str = "李总",
                  created: str = CREATED, last_contact: str | None = None) -> int:
    """Insert a customer owned by `owner` (a handle, or None for the pool); returns its id."""
    from sqlmodel import select

    from salesctl import db
    from salesctl.models import Contact, Customer, GradeChange, OwnershipEntry, Staff
    from salesctl.services.customers.normalize import normalize_name

    at = datetime.fromisoformat(created)
    with db.session(url, write=True) as sess:
        owner_id = sess.exec(select(Staff.id).where(Staff.handle == owner)).one() if owner else None
        customer = Customer(name=name, name_norm=normalize_name(name), grade=grade, owner_id=owner_id,
                            reported_by_id=owner_id, reported_at=at, created_at=at, updated_at=at,
                            last_contact_at=datetime.fromisoformat(last_contact) if last_contact else None)
        sess.add(customer)
        sess.flush()
        sess.add(Contact(customer_id=customer.id, name=contact, title="总经理", phone="13800000000",
                         created_at=at, updated_at=at))
        if owner_id is not None:
            sess.add(OwnershipEntry(customer_id=customer.id, kind="report", staff_id=owner_id, to_owner_id=owner_id,
                                    by_id=owner_id, at=at))
        sess.add(GradeChange(customer_id=customer.id, from_grade=None, to_grade=grade, by_id=owner_id, at=at,
                             reason="new customer", source="create"))
        sess.flush()
        customer_id = customer.id
    db.dispose_all()
    return customer_id


def counts(url: str) -> dict:
    """Row counts of every table these features write."""
    tables = ("visit", "contact", "grade_change", "deal", "deal_stage_change", "payment", "audit_entry", "customer")
    return {table: query(url, f"select count(*) from {table}")[0][0] for table in tables}


def assert_refused(result, code: int, needle: str):
    """Exit code, one stderr line naming the flag/field, nothing on stdout."""
    assert result.exit_code == code, result
    assert needle in result.stderr, result
    assert len(result.stderr.strip().splitlines()) == 1, result
    assert result.stdout == "", result


def add_deal(cli, customer: str, *, as_: str, amount: str = "1000", stage: str | None = None, title: str = "采购项目") -> int:
    args = ["deal", "add", customer, "--title", title, "--amount", amount]
    if stage:
        args += ["--stage", stage]
    result = cli(*args, as_=as_)
    assert result.exit_code == 0, result
    return int(result.stdout.strip())
