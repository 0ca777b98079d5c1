"""The archive's matcher (查重): which customers a new name, phone, email or credit code is, or may be.

One module serves `customer add/edit/lookup/duplicates`, `claim add`, `claim missed`,
`lead add`/convert and every import. Names are split and compared by
`salesctl.companynames`; candidates come from indexed columns (`trade_key`,
`trade_head`, `trade_tail`, `credit_code`, phone and email keys), never a scan of the
archive in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import select

from salesctl.models import Contact, Customer, Staff

MATCH_ORDER = {"same": 0, "possible": 1}
CANDIDATE_LIMIT = 200


@dataclass(frozen=True)
class Match:
    """A customer the matcher links to what was asked: all a refusal or a lookup may reveal of it."""

    customer_id: int
    name: str
    owner: str | None
    reported_at: datetime | None
    match: str  # same | possible
    reason: str  # name | trade_name | trade_name_industry | contains | one_char | phone | email | credit_code
    part: str = ""

    def as_row(self) -> dict:
        return {"id": self.customer_id, "name": self.name, "owner": self.owner, "reported_at": self.reported_at,
                "match": self.match, "reason": self.reason, "part": self.part}


def name_keys(name: str) -> dict:
    """The columns a customer row stores for its name (written with every insert and rename)."""
    from salesctl.companynames import keys

    return keys(name or "")


def apply_keys(customer: Customer) -> None:
    for column, value in name_keys(customer.name).items():
        setattr(customer, column, value)


def _live(session, customer: Customer) -> Customer:
    """A merged record stands for the customer it was merged into."""
    seen = 0
    while customer is not None and customer.merged_into_id and seen < 10:
        customer = session.get(Customer, customer.merged_into_id)
        seen += 1
    return customer


def _candidates_by_name(session, name: str, exclude_id: int | None):
    from salesctl.companynames import normal_form, parse

    parsed = parse(name)
    trade = parsed.trade.replace(" ", "")
    if not trade:
        return parsed, []
    norm = normal_form(name)
    conditions = [Customer.name_norm == norm, Customer.trade_key == trade]
    if len(trade) >= 2:
        conditions += [Customer.trade_head == trade[:2], Customer.trade_tail == trade[-2:]]
        subs = {trade[i:j] for i in range(len(trade)) for j in range(i + 2, len(trade) + 1)} - {trade}
        if subs:
            conditions.append(Customer.trade_key.in_(sorted(subs)[:100]))
    stmt = select(Customer).where(or_(*conditions))
    if exclude_id is not None:
        stmt = stmt.where(Customer.id != exclude_id)
    return parsed, session.exec(stmt.limit(CANDIDATE_LIMIT)).all()


def find_matches(session, name: str | None, *, phones=(), emails=(), credit_code: str | None = None,
                 exclude_id: int | None = None, possible: bool = True) -> list[Match]:
    """Customers that are (`same`) or may be (`possible`) the company described; same first, then by id."""
    from salesctl.companynames import compare, parse
    from salesctl.services.customers.normalize import normalize_name, phone_key

    found: dict[int, tuple[Customer, str, str, str]] = {}

    def note(customer: Customer | None, match: str, reason: str, part: str = "") -> None:
        customer = _live(session, customer) if customer is not None else None
        if customer is None or customer.id == exclude_id:
            return
        current = found.get(customer.id)
        if current is None or MATCH_ORDER[match] < MATCH_ORDER[current[1]]:
            found[customer.id] = (customer, match, reason, part)

    if credit_code:
        note(session.exec(select(Customer).where(Customer.credit_code == credit_code)).first(), "same", "credit_code",
             credit_code)
    keys = sorted({k for k in (phone_key(p) for p in phones if p) if k})
    if keys:
        for customer in session.exec(select(Customer).where(Customer.phone_norm.in_(keys)).limit(20)):
            note(customer, "same", "phone", customer.phone_norm)
        for contact in session.exec(select(Contact).where(Contact.phone_norm.in_(keys)).limit(20)):
            note(session.get(Customer, contact.customer_id), "same", "phone", contact.phone_norm)
    mails = sorted({e.strip().lower() for e in emails if e and e.strip()})
    if mails:
        for customer in session.exec(select(Customer).where(Customer.email.in_(mails)).limit(20)):
            note(customer, "same", "email", customer.email)
        for contact in session.exec(select(Contact).where(Contact.email.in_(mails)).limit(20)):
            note(session.get(Customer, contact.customer_id), "same", "email", contact.email)
    if name and name.strip():
        norm = normalize_name(name)
        parsed, candidates = _candidates_by_name(session, name, exclude_id)
        for customer in candidates:
            if customer.name_norm == norm:
                note(customer, "same", "name", customer.name)
                continue
            verdict = compare(parsed, parse(customer.name))
            if verdict.match == "same" or (verdict.match == "possible" and possible):
                note(customer, verdict.match, verdict.reason, verdict.part)
    rows = []
    owners = _handles(session, {c.owner_id for c, *_ in found.values()})
    for customer, match, reason, part in found.values():
        rows.append(Match(customer.id, customer.name, owners.get(customer.owner_id), customer.reported_at,
                          match, reason, part))
    rows.sort(key=lambda m: (MATCH_ORDER[m.match], m.customer_id))
    return rows


def _handles(session, ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Staff.id, Staff.handle).where(Staff.id.in_(wanted))).all())


# --------------------------------------------------------------------------- imports (in memory, one query)
class NameIndex:
    """For imports: the archive's names by trade key (one query), and the file's rows seen so far.

    `existing(name_norm)` and `in_file(name_norm)` answer (id or row, reason) for a `same`
    match as `find_matches` would; a row's normal form is enough (parse(normal_form(x)) = parse(x)).
    """

    def __init__(self, session):
        self.norms: dict[str, int] = {}
        self.trades: dict[str, list[tuple[int, str]]] = {}
        stmt = select(Customer.id, Customer.name_norm, Customer.trade_key, Customer.merged_into_id)
        for cid, norm, trade, merged in session.execute(stmt):
            target = merged or cid
            self.norms[norm] = target
            if trade:
                self.trades.setdefault(trade, []).append((target, norm))
        self.file_norms: dict[str, int] = {}
        self.file_trades: dict[str, list[tuple[int, str]]] = {}

    @staticmethod
    def _same(norms: dict, trades: dict, name_norm: str) -> tuple[int, str] | None:
        if name_norm in norms:
            return norms[name_norm], "name"
        from salesctl.companynames import compare, parse

        parsed = parse(name_norm)
        for target, other in trades.get(parsed.trade.replace(" ", ""), ()):
            if compare(parsed, parse(other)).match == "same":
                return target, "trade_name"
        return None

    def existing(self, name_norm: str) -> tuple[int, str] | None:
        return self._same(self.norms, self.trades, name_norm)

    def in_file(self, name_norm: str) -> tuple[int, str] | None:
        return self._same(self.file_norms, self.file_trades, name_norm)

    def add(self, name_norm: str, row: int) -> None:
        from salesctl.companynames import parse

        self.file_norms.setdefault(name_norm, row)
        trade = parse(name_norm).trade.replace(" ", "")
        if trade:
            self.file_trades.setdefault(trade, []).append((row, name_norm))
