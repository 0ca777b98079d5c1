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
from functools import lru_cache

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


# --------------------------------------------------------------------------- imports (batched, indexed)
@dataclass
class Probe:
    """One import row as the matcher sees it (its name parsed once, by the validator)."""

    row: int
    name_norm: str
    parsed: object  # companynames.Name of name_norm
    phone_key: str | None = None
    email: str | None = None
    credit_code: str | None = None


@dataclass(frozen=True)
class Hit:
    """A customer (`where` = archive: `ref` is its id) or an earlier row of the file (`where` = file: `ref` is
    its row number) that a row is (`match` same) or may be (possible)."""

    where: str  # archive | file
    ref: int
    match: str  # same | possible
    reason: str  # credit_code | name | trade_name | phone | email | trade_name_industry | contains | one_char
    part: str = ""


# a trade-name head or tail shared by more names than this is too common to suggest a close trade name in an
# import (find_matches, for one name, looks at CANDIDATE_LIMIT candidates in all)
KEY_LIMIT = 50
SAME_ORDER = {"credit_code": 0, "name": 1, "trade_name": 1, "phone": 2, "email": 3}
POSSIBLE_SHOWN = 5


class BatchMatcher:
    """The matcher for imports, one batch of rows at a time, in memory flat in the size of the file.

    Each batch asks the database with a few indexed `IN (…)` queries (name_norm,
    trade_key, trade_head, trade_tail, credit_code, phone and email keys, as
    `find_matches` does for one name) and decides with the same `compare`. Rows of
    earlier batches are already written in the import's transaction, so the same
    queries find them: they are told from the archive by their ids (`written`), kept
    as two compact integer arrays. Rows of the current batch are matched against
    each other in small dictionaries.
    """

    CHUNK = 5000  # values per query

    def __init__(self, session, *, possible: bool = True):
        self.session = session
        self.possible = possible
        from salesctl.services.io.bulk import WrittenRows

        self.rows = WrittenRows()  # rows of earlier batches: their customer ids and row numbers
        # {id: (name, owner, first report)} of candidates the definer function named (a staff login)
        self.described: dict[int, tuple] = {}

    # ----------------------------------------------------------------- rows of earlier batches
    def written(self, ids, rows) -> None:
        """The customer ids given to accepted rows (ascending across calls, as ids are allocated)."""
        self.rows.add(ids, rows)

    # ----------------------------------------------------------------- the batch
    def _query(self, stmt_for, values) -> list:
        """The rows of `stmt_for(IN)` for the distinct non-empty values, CHUNK at a time; `IN(column)` is the
        condition `column IN (those values)`, bound as one parameter (dbtypes.in_values)."""
        from salesctl.dbtypes import in_values

        values = sorted({v for v in values if v})
        dialect = self.session.get_bind().dialect.name
        out = []
        for start in range(0, len(values), self.CHUNK):
            chunk = values[start:start + self.CHUNK]
            out.extend(self.session.execute(stmt_for(lambda column: in_values(column, chunk, dialect))).all())
        return out

    def _name_keys(self, probes: list[Probe]) -> tuple[set, set, set, set]:
        """The name keys a batch asks the archive for: normal forms, trade names (and their parts), heads, tails."""
        norms, trades, heads, tails = set(), set(), set(), set()
        for p in probes:
            norms.add(p.name_norm)
            trade = p.parsed.trade.replace(" ", "")
            if trade:
                trades.add(trade)
                if len(trade) >= 2 and self.possible:
                    heads.add(trade[:2])
                    tails.add(trade[-2:])
                    trades.update(_subs(trade))
        return norms, trades, heads, tails

    def _lookups(self, probes: list[Probe]) -> dict:
        from sqlalchemy import func, select as core_select

        from salesctl.rls import is_staff_login

        if is_staff_login(self.session):
            return self._lookups_definer(probes)
        norms, trades, heads, tails = self._name_keys(probes)
        cols = (Customer.id, Customer.name_norm, Customer.trade_key, Customer.region_key, Customer.merged_into_id)
        names: dict[int, tuple] = {}
        common: dict[str, dict[str, int]] = {"head": {}, "tail": {}}
        for column, values in ((Customer.name_norm, norms), (Customer.trade_key, trades)):
            for row in self._query(lambda in_, c=column: core_select(*cols).where(in_(c)), values):
                names[row[0]] = row
        for kind, column, values in (("head", Customer.trade_head, heads), ("tail", Customer.trade_tail, tails)):
            # a head or tail shared by many names (中心, 科技 …) points at no close trade name: counted, not fetched
            counts = dict(self._query(lambda in_, c=column: core_select(c, func.count()).where(in_(c))
                                      .group_by(c), values))
            common[kind] = counts
            wanted = [key for key, n in counts.items() if n <= KEY_LIMIT]
            for row in self._query(lambda in_, c=column: core_select(*cols).where(in_(c)), wanted):
                names[row[0]] = row
        by = _bucket([(merged or cid, norm, region, trade or "")
                      for cid, norm, trade, region, merged in names.values()], common)
        phones: dict[str, int] = {}
        keys = [p.phone_key for p in probes]
        for key, cid, merged in self._query(
                lambda in_: core_select(Contact.phone_norm, Contact.customer_id, Customer.merged_into_id)
                .join(Customer, Customer.id == Contact.customer_id).where(in_(Contact.phone_norm)), keys):
            phones.setdefault(key, merged or cid)
        for key, cid, merged in self._query(
                lambda in_: core_select(Customer.phone_norm, Customer.id, Customer.merged_into_id)
                .where(in_(Customer.phone_norm)), keys):
            phones[key] = merged or cid  # the customer's own phone wins over a contact's
        emails: dict[str, int] = {}
        mails = [p.email for p in probes]
        for key, cid, merged in self._query(
                lambda in_: core_select(Contact.email, Contact.customer_id, Customer.merged_into_id)
                .join(Customer, Customer.id == Contact.customer_id).where(in_(Contact.email)), mails):
            emails.setdefault(key, merged or cid)
        for key, cid, merged in self._query(
                lambda in_: core_select(Customer.email, Customer.id, Customer.merged_into_id)
                .where(in_(Customer.email)), mails):
            emails[key] = merged or cid
        codes = {key: merged or cid for key, cid, merged in self._query(
            lambda in_: core_select(Customer.credit_code, Customer.id, Customer.merged_into_id)
            .where(in_(Customer.credit_code)), [p.credit_code for p in probes])}
        return {**by, "phone": phones, "email": emails, "credit_code": codes, "common": common}

    PROBES_PER_CALL = 100

    def _lookups_definer(self, probes: list[Probe]) -> dict:
        """`_lookups` for a staff login on the team server, which sees only its scope (row-level security):
        the whole archive's candidates through `salesctl_match_candidates`, a few probes per call."""
        from salesctl.companynames import keys_of, parse
        from salesctl.rls import match_candidates

        names: dict[int, tuple] = {}
        phones: dict[str, int] = {}
        emails: dict[str, int] = {}
        codes: dict[str, int] = {}
        for start in range(0, len(probes), self.PROBES_PER_CALL):
            group = probes[start:start + self.PROBES_PER_CALL]
            norms, trades, heads, tails = self._name_keys(group)
            rows = match_candidates(
                self.session, norms=sorted(norms), trades=sorted(trades), heads=sorted(heads), tails=sorted(tails),
                phones=sorted({p.phone_key for p in group if p.phone_key}),
                emails=sorted({p.email for p in group if p.email}),
                credits=sorted({p.credit_code for p in group if p.credit_code}), limit=5000)
            for how, cid, name, norm, owner, when, part in rows:
                if len(self.described) < 100_000:
                    self.described.setdefault(cid, (name, owner, when))
                if how == "name":
                    names.setdefault(cid, (cid, norm))
                elif how == "phone":
                    phones.setdefault(part, cid)
                elif how == "email":
                    emails.setdefault(part, cid)
                else:
                    codes.setdefault(part, cid)
        common: dict[str, dict[str, int]] = {"head": {}, "tail": {}}
        entries = []
        for cid, norm in names.values():
            keys = keys_of(parse(norm))
            trade = keys["trade_key"] or ""
            entries.append((cid, norm, keys["region_key"], trade))
            if trade:
                common["head"][trade[:2]] = common["head"].get(trade[:2], 0) + 1
                common["tail"][trade[-2:]] = common["tail"].get(trade[-2:], 0) + 1
        by = _bucket(entries, common)
        return {**by, "phone": phones, "email": emails, "credit_code": codes, "common": common}

    def check(self, probes: list[Probe], accept) -> None:
        """For each probe in order: `accept(probe, hits)` with its hits (same first, archive before file; []
        when it is new); a probe accepted (True) is remembered for the probes after it."""
        from rapidfuzz.distance import Levenshtein

        from salesctl.companynames import _compatible, compare, parse

        distance = Levenshtein.distance
        found = self._lookups(probes)
        common = found["common"]
        batch: dict[str, dict] = {"norm": {}, "trade": {}, "head": {}, "tail": {}, "phone": {}, "email": {},
                                  "credit_code": {}}

        def place(ref) -> tuple[str, int]:
            # a database id (archive or an earlier batch), or ("row", n) for this batch
            return ("file", ref[1]) if isinstance(ref, tuple) else self.rows.where(ref)

        def shared(kind: str, key: str) -> bool:
            return common[kind].get(key, 0) + len(batch[kind].get(key, ())) <= KEY_LIMIT

        for probe in probes:
            same: list[tuple] = []
            possible: dict[tuple, Hit] = {}
            for kind, key in (("credit_code", probe.credit_code), ("phone", probe.phone_key), ("email", probe.email)):
                if key:
                    for source in (found[kind], batch[kind]):
                        if key in source:
                            same.append((place(source[key]), kind, key))
            norm = probe.name_norm
            for source in (found["norm"], batch["norm"]):
                if norm in source:
                    same.append((place(source[norm][0]), "name", ""))
            parsed = probe.parsed
            trade = parsed.trade.replace(" ", "")
            if trade:
                candidates: list = []
                near = self.possible and len(trade) >= 2
                subs = _subs(trade) if near else ()
                head = near and shared("head", trade[:2])
                tail = near and shared("tail", trade[-2:])
                for source in (found, batch):
                    candidates += source["trade"].get(trade, ())
                    if near:
                        if head:
                            candidates += source["head"].get(trade[:2], ())
                        if tail:
                            candidates += source["tail"].get(trade[-2:], ())
                        for sub in subs:
                            candidates += source["trade"].get(sub, ())
                seen = set()
                size = len(trade)
                for ref, other, region, key in candidates:
                    if other in seen or other == norm:
                        continue
                    seen.add(other)
                    # compare() finds nothing unless the trade names are equal, one contains the other or
                    # they are one edit apart: the stored keys tell (a key is cut at 100 characters)
                    if key != trade and size < 100 and len(key) < 100 and key not in trade and trade not in key \
                            and (abs(len(key) - size) > 1 or distance(key, trade, score_cutoff=1) > 1):
                        continue
                    if not _compatible(parsed.region, region):
                        continue
                    verdict = compare(parsed, parse(other))
                    if verdict.match == "same":
                        same.append((place(ref), "trade_name", verdict.part))
                    elif verdict.match == "possible" and self.possible:
                        where = place(ref)
                        possible.setdefault(where, Hit(where[0], where[1], "possible", verdict.reason, verdict.part))
            hits: list[Hit] = []
            if same:
                same.sort(key=lambda s: (s[0][0] != "archive", SAME_ORDER[s[1]], s[0][1]))
                (where, ref), reason, part = same[0]
                hits.append(Hit(where, ref, "same", reason, part))
            elif possible:
                hits = sorted(possible.values(), key=lambda h: (h.where != "archive", h.ref))
            if accept(probe, hits):
                entry = (("row", probe.row), norm, parsed.region, trade)
                batch["norm"].setdefault(norm, entry)
                if trade:
                    batch["trade"].setdefault(trade, []).append(entry)
                    batch["head"].setdefault(trade[:2], []).append(entry)
                    batch["tail"].setdefault(trade[-2:], []).append(entry)
                for kind, key in (("credit_code", probe.credit_code), ("phone", probe.phone_key),
                                  ("email", probe.email)):
                    if key:
                        batch[kind].setdefault(key, ("row", probe.row))


def _bucket(entries: list[tuple], common: dict) -> dict[str, dict]:
    """Archive entries (id, name_norm, region, trade key) by normal form, trade name, head and tail; a head or
    tail shared by more than KEY_LIMIT names is left out (it points at no close trade name)."""
    by: dict[str, dict] = {"norm": {}, "trade": {}, "head": {}, "tail": {}}
    for entry in entries:
        _cid, norm, _region, trade = entry
        by["norm"][norm] = entry
        if trade:
            by["trade"].setdefault(trade, []).append(entry)
            if common["head"].get(trade[:2], KEY_LIMIT + 1) <= KEY_LIMIT:
                by["head"].setdefault(trade[:2], []).append(entry)
            if common["tail"].get(trade[-2:], KEY_LIMIT + 1) <= KEY_LIMIT:
                by["tail"].setdefault(trade[-2:], []).append(entry)
    return by


@lru_cache(maxsize=4096)
def _subs(trade: str) -> tuple[str, ...]:
    """The parts of a trade name that `find_matches` also looks up (at most 100)."""
    subs = {trade[i:j] for i in range(len(trade)) for j in range(i + 2, len(trade) + 1)} - {trade}
    return tuple(sorted(subs)[:100])
