"""Finding customers by what users type: id, exact or normalised name, a unique partial name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_
from sqlmodel import select

from salesctl.errors import InvalidInput, NotFound
from salesctl.messages import t
from salesctl.models import Customer
from salesctl.inputs import is_id

if TYPE_CHECKING:
    from salesctl.services.context import Ctx


def find_customer(ctx: "Ctx", ref: str, field: str = "customer") -> Customer:
    """By id or name as below; a record merged into another (customer merge) resolves to that one."""
    return follow_merged(ctx.session, _find_customer(ctx, ref, field))


def follow_merged(session, customer: Customer) -> Customer:
    """A record merged into another (customer merge) stands for that one."""
    hops = 0
    while customer.merged_into_id and hops < 10:
        customer = session.get(Customer, customer.merged_into_id)
        hops += 1
    return customer


def _find_customer(ctx: "Ctx", ref: str, field: str = "customer") -> Customer:
    """By id, exact name, normalised name, then a unique partial name among visible customers.

    Only an exact reference (id or name) may find a customer the actor cannot see;
    the caller's permission check then refuses without showing its fields.
    """
    from salesctl.permissions import customer_scope
    from salesctl.services.customers.normalize import normalize_name

    value = (ref or "").strip()
    if not value:
        raise InvalidInput(t("err.customer_empty", field=field))
    session = ctx.session
    if is_id(value):
        customer = session.get(Customer, int(value))
        if customer:
            return customer
    customer = session.exec(select(Customer).where(Customer.name == value)).first()
    if customer:
        return customer
    norm = normalize_name(value)
    if norm:
        customer = session.exec(select(Customer).where(Customer.name_norm == norm)).first()
        if customer:
            return customer
    from salesctl.rls import deny_if_hidden, hidden_customer_named

    hidden = int(value) if is_id(value) else hidden_customer_named(session, value, norm)
    deny_if_hidden(session, "customer", hidden, t("err.what.customer", id=hidden))  # team server: exists, out of reach
    if norm:
        stmt = select(Customer).where(or_(Customer.name.contains(value), Customer.name_norm.contains(norm)),
                                      Customer.merged_into_id.is_(None))
        scope = customer_scope(ctx)
        if scope is not None:
            stmt = stmt.where(scope)
        matches = session.exec(stmt.limit(11)).all()
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            listing = ", ".join(f"{c.id} {c.name}" for c in matches[:10])
            more = " …" if len(matches) > 10 else ""
            raise InvalidInput(t("err.customer_ambiguous", field=field, value=value, listing=listing, more=more))
    raise NotFound(t("err.customer_not_found", value=value))
