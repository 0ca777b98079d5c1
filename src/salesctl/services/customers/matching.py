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


def _name_keys(name: str):
    """What the archive is asked for a name: (parsed, normal form, trade keys, heads, tails)."""
    from salesctl.companynames import normal_form, parse

    parsed = parse(name)
    trade = parsed.trade.replace(" ", "")
    if not trade:
        return parsed, normal_form(name), [], [], []
    trades = [trade]
    heads = tails = []
    if len(trade) >= 2:
        heads, tails = [trade[:2]], [trade[-2:]]
        subs = {trade[i:j] for i in range(len(trade)) for j in range(i + 2, len(trade) + 1)} - {trade}
        trades += sorted(subs)[:100]
    return parsed, normal_form(name), trades, heads, tails


# A candidate row: (how, customer id, name, name_norm, owner handle, first report time, part);
# `how` is credit_code | phone | email | name (a name candidate is then compared in Python).
def _candidate_rows(session, *, name_keys, phones, mails, credit_code, exclude_id) -> list[tuple]:
    """The archive rows sharing a stored key with what is asked: indexed look-ups, never a scan.

    A staff login on the team server sees only its own scope (row-level security), so there
    the rows come from the narrow SECURITY DEFINER function `salesctl_match_candidates`.
    """
    from salesctl.rls import is_staff_login, match_candidates

    _parsed, norm, trades, heads, tails = name_keys or (None, None, [], [], [])
    if is_staff_login(session):
        return match_candidates(session, norms=[norm] if trades else [], trades=trades, heads=heads, tails=tails,
                                phones=phones, emails=mails, credits=[credit_code] if credit_code else [],
                                exclude=exclude_id, limit=CANDIDATE_LIMIT)
    hits: list[tuple[str, Customer, str]] = []
    if credit_code:
        hits += [("credit_code", c, credit_code)
                 for c in session.exec(select(Customer).where(Customer.credit_code == credit_code))]
    if phones:
        hits += [("phone", c, c.phone_norm)
                 for c in session.exec(select(Customer).where(Customer.phone_norm.in_(phones)).limit(20))]
        hits += [("phone", session.get(Customer, ct.customer_id), ct.phone_norm)
                 for ct in session.exec(select(Contact).where(Contact.phone_norm.in_(phones)).limit(20))]
    if mails:
        hits += [("email", c, c.email) for c in session.exec(select(Customer).where(Customer.email.in_(mails)).limit(20))]
        hits += [("email", session.get(Customer, ct.customer_id), ct.email)
                 for ct in session.exec(select(Contact).where(Contact.email.in_(mails)).limit(20))]
    if trades:
        conditions = [Customer.name_norm == norm, Customer.trade_key.in_(trades)]
        if heads:
            conditions += [Customer.trade_head == heads[0], Customer.trade_tail == tails[0]]
        stmt = select(Customer).where(or_(*conditions))
        if exclude_id is not None:
            stmt = stmt.where(Customer.id != exclude_id)
        hits += [("name", c, "") for c in session.exec(stmt.limit(CANDIDATE_LIMIT))]
    rows = []
    live = [(how, _live(session, c), part) for how, c, part in hits if c is not None]
    owners = _handles(session, {c.owner_id for _, c, _ in live if c is not None})
    for how, c, part in live:
        if c is not None:
            rows.append((how, c.id, c.name, c.name_norm, owners.get(c.owner_id), c.reported_at, part))
    return rows


def find_matches(session, name: str | None, *, phones=(), emails=(), credit_code: str | None = None,
                 exclude_id: int | None = None, possible: bool = True) -> list[Match]:
    """Customers that are (`same`) or may be (`possible`) the company described; same first, then by id."""
    from salesctl.companynames import compare, parse
    from salesctl.services.customers.normalize import phone_key

    keys = sorted({k for k in (phone_key(p) for p in phones if p) if k})
    mails = sorted({e.strip().lower() for e in emails if e and e.strip()})
    name_keys = _name_keys(name) if name and name.strip() else None
    rows = _candidate_rows(session, name_keys=name_keys, phones=keys, mails=mails, credit_code=credit_code,
                           exclude_id=exclude_id)
    found: dict[int, Match] = {}

    def note(row: tuple, match: str, reason: str, part: str = "") -> None:
        _how, cid, cname, _norm, owner, reported_at, _part = row
        if cid == exclude_id:
            return
        current = found.get(cid)
        if current is None or MATCH_ORDER[match] < MATCH_ORDER[current.match]:
            found[cid] = Match(cid, cname, owner, reported_at, match, reason, part)

    order = {"credit_code": 0, "phone": 1, "email": 2, "name": 3}
    for row in sorted(rows, key=lambda r: (order[r[0]], r[1])):
        how, _cid, cname, cnorm, _owner, _when, part = row
        if how != "name":
            note(row, "same", how, part)
            continue
        parsed, norm = name_keys[0], name_keys[1]
        if cnorm == norm:
            note(row, "same", "name", cname)
            continue
        verdict = compare(parsed, parse(cname))
        if verdict.match == "same" or (verdict.match == "possible" and possible):
            note(row, verdict.match, verdict.reason, verdict.part)
    return sorted(found.values(), key=lambda m: (MATCH_ORDER[m.match], m.customer_id))


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
