"""Duplicate detection (SPEC 1.6): the same normalised name, or the same phone, is the same customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import select

from salesctl.models import Contact, Customer, Staff
from salesctl.services.customers.normalize import normalize_name, phone_key


@dataclass(frozen=True)
class Duplicate:
    """What a refusal may reveal of an existing customer: its name, owner and first report time."""

    customer_id: int
    name: str
    owner: str | None
    first_reported_at: datetime | None
    matched_on: str  # name | phone

    def describe(self) -> str:
        owner = self.owner or "the pool (no owner)"
        when = self.first_reported_at.isoformat(timespec="minutes") if self.first_reported_at else "unknown"
        return f"'{self.name}' (id {self.customer_id}) already exists, owned by {owner}, first reported {when} (matched on {self.matched_on})"


def find_duplicate(session, name: str, phones: list[str | None] = ()) -> Duplicate | None:
    norm = normalize_name(name)
    keys = [k for k in (phone_key(p) for p in phones) if k]
    from salesctl.rls import find_duplicate as definer_duplicate, is_staff_login

    if is_staff_login(session):  # team server: other reps' customers are hidden by RLS; ask the narrow function
        found = definer_duplicate(session, norm, keys)
        return Duplicate(*found) if found else None
    match = session.exec(select(Customer).where(Customer.name_norm == norm)).first() if norm else None
    matched_on = "name"
    if match is None and keys:
        match = session.exec(select(Customer).where(Customer.phone_norm.in_(keys)).limit(1)).first()
        if match is None:
            contact = session.exec(select(Contact).where(Contact.phone_norm.in_(keys)).limit(1)).first()
            match = session.get(Customer, contact.customer_id) if contact else None
        matched_on = "phone"
    if match is None:
        return None
    owner = session.get(Staff, match.owner_id) if match.owner_id else None
    return Duplicate(match.id, match.name, owner.handle if owner else None, match.reported_at, matched_on)
