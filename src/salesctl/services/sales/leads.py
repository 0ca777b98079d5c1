"""Leads found by sales assistants (SPEC 1.6) and their distribution by the manager.

A lead is a pool customer (no owner; reported by whoever found it) with a Lead
row. `assign` ranks the reps of the lead's industry:

1. region_score: 2 same region, 1 a neighbouring region (policy [leads] neighbours,
   read both ways), 0 any other;
2. success_rate: won / closed deals over the last window_months, shrunk toward the
   candidates' pooled rate so a small sample cannot win on luck:
   (won + prior × m) / (closed + m), m = min_sample, prior = Σwon / Σclosed of all
   candidates (0 when none closed a deal);
3. load: customers owned now (fewer first); then the handle, for a stable order.

Three GROUP BY queries, whatever the number of candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterator

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import label, stored_text, t
from salesctl.models import MANAGER_ROLES, Customer, Deal, Lead, Staff
from salesctl.permissions import SEES_ALL, is_manager_of, managed_staff_ids, visible_staff_ids
from salesctl.services.context import Ctx

ADDER_ROLES = ("assistant",) + MANAGER_ROLES + SEES_ALL
ASSIGNER_ROLES = MANAGER_ROLES + SEES_ALL
LEAD_STATUSES = ("open", "assigned")
RATE_PLACES = Decimal("0.0001")


def _clean(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


# --------------------------------------------------------------------------- add
def add_lead(ctx: Ctx, name: str | None, *, contact: str | None, phone: str | None, industry: str | None,
             region: str | None, source: str | None, title: str | None = None, status: str | None = None,
             address: str | None = None, email: str | None = None,
             not_duplicate: bool = False) -> tuple[Lead, Customer]:
    """A lead: a new pool customer (same validation and duplicate check as `customer add`) found by the actor.

    A possible match raises PossibleDuplicate (5) unless `not_duplicate` (audited with the candidates).
    """
    from salesctl.services.customers.customers import DuplicateCustomer, SameNotOverridden, create_customer

    actor = ctx.actor
    if actor.role not in ADDER_ROLES:
        raise PermissionDenied(t("err.denied", what=t("lead.what.add")), hint=t("lead.hint.claim_add"))
    missing = [flag for flag, value in (("NAME", name), ("--contact", contact), ("--phone", phone),
                                        ("--industry", industry), ("--region", region), ("--source", source))
               if _clean(value) is None]
    if missing:
        raise InvalidInput(t("lead.err.missing", flags=", ".join(missing)))
    try:
        customer = create_customer(ctx, name=name, contact=contact, title=title, phone=phone,
                                   status=status or "following", industry=industry, region=region, address=address,
                                   email=email, pool=True, allow_incomplete=True, not_duplicate=not_duplicate)
    except DuplicateCustomer as exc:  # the same refusal, without customer add's --force-claim hint
        raise Conflict(exc.message) from None
    except SameNotOverridden as exc:
        raise Conflict(exc.plain_message) from None
    lead = Lead(customer_id=customer.id, found_by_id=actor.id, source=_clean(source), status="open",
                created_at=ctx.now)
    ctx.session.add(lead)
    ctx.session.flush()
    ctx.audit("lead.add", "lead", lead.id, None, lead)
    return lead, customer


# --------------------------------------------------------------------------- list
def _lead_select():
    finder = aliased(Staff, name="finder")
    assignee = aliased(Staff, name="assignee")
    assigner = aliased(Staff, name="assigner")
    owner = aliased(Staff, name="owner")
    stmt = (
        select(Lead.id, Customer.name, Customer.id, Customer.industry, Customer.region, Lead.source, finder.handle,
               Lead.status, assignee.handle, assigner.handle, Lead.assigned_at, Lead.created_at, owner.handle)
        .select_from(Lead)
        .join(Customer, Customer.id == Lead.customer_id)
        .join(finder, finder.id == Lead.found_by_id)
        .join(assignee, assignee.id == Lead.assigned_to_id, isouter=True)
        .join(assigner, assigner.id == Lead.assigned_by_id, isouter=True)
        .join(owner, owner.id == Customer.owner_id, isouter=True)
    )
    return stmt


LEAD_KEYS = ("id", "customer", "customer_id", "industry", "region", "source", "found_by", "status", "assigned_to",
             "assigned_by", "assigned_at", "created_at", "owner")


def _lead_clause(ctx: Ctx):
    """Leads the actor may see: director/gm all; a rep those assigned to them; managers and assistants
    the ones found by or assigned to their team, and every open lead (managers distribute them)."""
    actor = ctx.actor
    if actor.role in SEES_ALL:
        return None
    ids = visible_staff_ids(ctx)
    clause = Lead.found_by_id.in_(select(ids.c.id)) | Lead.assigned_to_id.in_(select(ids.c.id))
    if actor.role in MANAGER_ROLES:
        clause = clause | (Lead.status == "open")
    return clause


def list_leads(ctx: Ctx, *, status: str | None = None, limit: int | None = None) -> Iterator[dict]:
    if status is not None and status not in LEAD_STATUSES:
        raise InvalidInput(t("lead.err.bad_status", value=status, accepted=", ".join(LEAD_STATUSES)))
    stmt = _lead_select()
    clause = _lead_clause(ctx)
    if clause is not None:
        stmt = stmt.where(clause)
    if status is not None:
        stmt = stmt.where(Lead.status == status)
    stmt = stmt.order_by(Lead.id)
    if limit:
        stmt = stmt.limit(limit)
    result = ctx.session.execute(stmt, execution_options={"yield_per": 500})
    try:
        for record in result:
            yield dict(zip(LEAD_KEYS, record))
    finally:
        result.close()


def lead_row(ctx: Ctx, lead_id: int) -> dict:
    return dict(zip(LEAD_KEYS, ctx.session.execute(_lead_select().where(Lead.id == lead_id)).one()))


# --------------------------------------------------------------------------- ranking
@dataclass
class Candidate:
    staff: Staff
    region_score: int
    won: int
    closed: int
    success_rate: Decimal
    load: int

    @property
    def rate_text(self) -> str:
        return str(self.success_rate.quantize(RATE_PLACES))

    @property
    def score(self) -> tuple:
        return (self.region_score, self.success_rate, -self.load)

    def as_dict(self) -> dict:
        return {"handle": self.staff.handle, "region_score": self.region_score, "success_rate": self.rate_text,
                "load": self.load, "score": [self.region_score, self.rate_text, -self.load]}


@dataclass
class Ranking:
    lead: Lead
    customer: Customer
    candidates: list[Candidate]
    prior: Decimal
    min_sample: int
    window_months: int
    since: object
    won_total: int = 0
    closed_total: int = 0
    chosen: str | None = None
    assigned: bool = False
    notes: list[str] = field(default_factory=list)

    def explain(self) -> dict:
        """The SPEC section 2 shape: {lead, candidates: [{handle, region_score, success_rate, load, score}], chosen}."""
        return {"lead": self.lead.id, "candidates": [c.as_dict() for c in self.candidates], "chosen": self.chosen}


def neighbours_of(region: str | None, table: dict) -> set[str]:
    """Regions next to `region` in the policy table, read both ways (A lists B or B lists A)."""
    if not region:
        return set()
    key = region.casefold()
    found = set()
    for name, others in (table or {}).items():
        others = [o.casefold() for o in (others or [])]
        if name.casefold() == key:
            found.update(others)
        elif key in others:
            found.add(name.casefold())
    found.discard(key)
    return found


def region_score(staff_region: str | None, lead_region: str | None, table: dict) -> int:
    if not staff_region or not lead_region:
        return 0
    if staff_region.casefold() == lead_region.casefold():
        return 2
    return 1 if staff_region.casefold() in neighbours_of(lead_region, table) else 0


def _industry_clause(industry: str | None):
    if not industry:
        return None
    return or_(func.lower(Staff.industry) == industry.casefold(), Staff.industry == "*")


def get_lead(ctx: Ctx, lead_id: int) -> Lead:
    lead = ctx.session.get(Lead, lead_id)
    if lead is None:
        from salesctl.rls import deny_if_hidden

        deny_if_hidden(ctx.session, "lead", lead_id, t("lead.what.assign", id=lead_id))  # team server: out of reach
        raise NotFound(t("lead.err.no_lead", id=lead_id))
    return lead


def _require_assigner(ctx: Ctx, lead: Lead) -> None:
    if ctx.actor.role not in ASSIGNER_ROLES:
        raise PermissionDenied(t("err.denied", what=t("lead.what.assign", id=lead.id)))


def rank(ctx: Ctx, lead: Lead, customer: Customer) -> Ranking:
    """Every candidate rep with their scores, best first (see the module docstring)."""
    from salesctl.policy import section

    policy = section("leads")
    m = int(policy.get("min_sample", 5))
    window = int(policy.get("window_months", 12))
    table = policy.get("neighbours", {}) or {}
    session = ctx.session
    stmt = select(Staff).where(Staff.role == "rep", Staff.active == True)  # noqa: E712
    industry = _industry_clause(customer.industry)
    if industry is not None:
        stmt = stmt.where(industry)
    managed = managed_staff_ids(ctx)
    if managed is not None:
        stmt = stmt.where(Staff.id.in_(select(managed.c.id)))
    reps = list(session.exec(stmt.order_by(Staff.handle)))
    ids = [r.id for r in reps]
    since = ctx.today - relativedelta(months=window)
    won_expr = func.sum(case((Deal.status == "won", 1), else_=0))
    outcome = {}
    loads = {}
    if ids:
        outcome = {owner: (int(won or 0), int(closed or 0)) for owner, won, closed in session.execute(
            select(Deal.owner_id, won_expr, func.count(Deal.id))
            .where(Deal.owner_id.in_(ids),
                   or_(and_(Deal.status == "won", Deal.won_on >= since), and_(Deal.status == "lost", Deal.lost_on >= since)))
            .group_by(Deal.owner_id))}
        loads = dict(session.execute(
            select(Customer.owner_id, func.count(Customer.id)).where(Customer.owner_id.in_(ids))
            .group_by(Customer.owner_id)).all())
    won_total = sum(w for w, _ in outcome.values())
    closed_total = sum(c for _, c in outcome.values())
    prior = Decimal(won_total) / Decimal(closed_total) if closed_total else Decimal(0)
    candidates = []
    for rep in reps:
        won, closed = outcome.get(rep.id, (0, 0))
        denominator = Decimal(closed + m)
        rate = (Decimal(won) + prior * m) / denominator if denominator else prior
        candidates.append(Candidate(rep, region_score(rep.region, customer.region, table), won, closed, rate,
                                    int(loads.get(rep.id, 0))))
    candidates.sort(key=lambda c: (-c.region_score, -c.success_rate, c.load, c.staff.handle))
    return Ranking(lead, customer, candidates, prior, m, window, since, won_total, closed_total)


def ranking_for(ctx: Ctx, lead_id: int) -> Ranking:
    """The ranking of an open lead, after checking the actor may assign it."""
    lead = get_lead(ctx, lead_id)
    _require_assigner(ctx, lead)
    customer = ctx.session.get(Customer, lead.customer_id)
    _check_open(ctx, lead, customer)
    return rank(ctx, lead, customer)


def _check_open(ctx: Ctx, lead: Lead, customer: Customer) -> None:
    if lead.status != "open":
        who = ctx.session.get(Staff, lead.assigned_to_id) if lead.assigned_to_id else None
        raise Conflict(t("lead.err.not_open", id=lead.id, status=label("lead.status", lead.status), handle=who.handle if who else "-"))
    if customer.owner_id is not None:
        owner = ctx.session.get(Staff, customer.owner_id)
        raise Conflict(t("lead.err.owned", id=lead.id, name=customer.name, handle=owner.handle))


# --------------------------------------------------------------------------- assign
def assign(ctx: Ctx, lead_id: int, *, to: str | None = None, top: bool = False) -> Ranking:
    """Give the lead's customer to `to`, or to the top candidate (`top`); returns the ranking with `chosen`."""
    from salesctl.services.sales.claims import _mark_lead, industry_fits, lock_customer
    from salesctl.directory import find_staff
    from salesctl.services.customers.ownership import change_owner

    if not to and not top:
        raise InvalidInput(t("lead.err.choose"))
    lead = get_lead(ctx, lead_id)
    _require_assigner(ctx, lead)
    customer = lock_customer(ctx, lead.customer_id)
    _check_open(ctx, lead, customer)
    ranking = rank(ctx, lead, customer)
    if to:
        target = find_staff(ctx.session, to, "to")
        if target.id == ctx.actor.id or not is_manager_of(ctx, target):
            raise PermissionDenied(t("err.denied", what=t("lead.what.assign_to", handle=target.handle)))
        if not target.active or target.role != "rep":
            raise InvalidInput(t("lead.err.not_rep", handle=target.handle))
        if not industry_fits(target, customer.industry):
            raise Conflict(t("lead.err.industry", handle=target.handle, own=target.industry,
                             industry=customer.industry))
    else:
        if not ranking.candidates:
            raise Conflict(t("lead.err.no_candidates", id=lead.id, industry=customer.industry or "-"))
        target = ranking.candidates[0].staff
    change_owner(ctx, customer, target.id, "assign", staff_id=target.id, note=stored_text("lead.note.assign", id=lead.id))
    _mark_lead(ctx, lead, target, "assigned")
    ranking.chosen = target.handle
    ranking.assigned = True
    return ranking


def formula_text(ranking: Ranking) -> str:
    return t("lead.msg.formula", m=ranking.min_sample, prior=str(ranking.prior.quantize(RATE_PLACES)),
             won=ranking.won_total, closed=ranking.closed_total, months=ranking.window_months,
             since=ranking.since.isoformat())


def explain_rows(ranking: Ranking) -> list[dict]:
    return [{"rank": i, "handle": c.staff.handle, "region": c.staff.region, "region_score": c.region_score,
             "won": c.won, "closed": c.closed, "success_rate": c.rate_text, "load": c.load,
             "score": f"({c.region_score}, {c.rate_text}, {-c.load})"}
            for i, c in enumerate(ranking.candidates, 1)]
