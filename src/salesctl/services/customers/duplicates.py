"""Duplicate detection (SPEC 1.6): the refusal of `customer add` and friends, decided by `matching`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime



@dataclass(frozen=True)
class Duplicate:
    """What a refusal may reveal of an existing customer: its name, owner and first report time."""

    customer_id: int
    name: str
    owner: str | None
    first_reported_at: datetime | None
    matched_on: str  # name | trade_name | phone | email | credit_code

    def describe(self) -> str:
        owner = self.owner or "the pool (no owner)"
        when = self.first_reported_at.isoformat(timespec="minutes") if self.first_reported_at else "unknown"
        return f"'{self.name}' (id {self.customer_id}) already exists, owned by {owner}, first reported {when} (matched on {self.matched_on})"


def find_duplicate(session, name: str, phones: list[str | None] = (), *, emails=(), credit_code: str | None = None,
                   exclude_id: int | None = None) -> Duplicate | None:
    """The customer that is the same company (services.customers.matching decides), or None.

    On a team server a staff login cannot see other reps' customers (row-level security):
    the matcher then asks the narrow SECURITY DEFINER function `salesctl_match_candidates`,
    which names only the holder and the first-report time.
    """
    from salesctl.db import lock_uniqueness
    from salesctl.services.customers.matching import find_matches

    lock_uniqueness(session, "customer")  # a concurrent add waits here, then sees this one's customer
    for match in find_matches(session, name, phones=phones, emails=emails, credit_code=credit_code,
                              exclude_id=exclude_id, possible=False):
        if match.match == "same":
            return Duplicate(match.customer_id, match.name, match.owner, match.reported_at, match.reason)
    return None


def find_possible(session, name: str, *, exclude_id: int | None = None) -> list:
    """The customers that may be the same company (a close trade name): candidates to confirm."""
    from salesctl.db import lock_uniqueness
    from salesctl.services.customers.matching import find_matches

    lock_uniqueness(session, "customer")

    return [m for m in find_matches(session, name, exclude_id=exclude_id) if m.match == "possible"]
