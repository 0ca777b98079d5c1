"""Compiling a work report's form from the data (SPEC 1.3): the contact rows, grade changes and,
for weekly/monthly forms, the customer counts, customer table and sales. A fixed number of
queries per form, whatever the number of contacts.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, or_, select

from salesctl.models import (
    Contact,
    Customer,
    Deal,
    GradeChange,
    Payment,
    Staff,
    Visit,
    live_customer,
)
from salesctl.periods import Period

# --------------------------------------------------------------------------- compiling the forms
def _iso(moment: datetime | None, tz) -> str | None:
    return None if moment is None else moment.astimezone(tz).isoformat(timespec="seconds")


def _money(value) -> str:
    from salesctl.money import fmt

    return fmt(Decimal(value or 0))


def _join(*parts) -> str:
    return "; ".join(str(p).strip() for p in parts if p is not None and str(p).strip())


def _primary_contacts(session, customer_ids: set[int]) -> dict[int, tuple[str | None, str | None]]:
    """Each customer's primary contact (else the first one with a phone): name and phone."""
    if not customer_ids:
        return {}
    stmt = (
        select(Contact.customer_id, Contact.name, Contact.phone)
        .where(Contact.customer_id.in_(sorted(customer_ids)))
        .order_by(Contact.customer_id, Contact.is_primary.desc(), Contact.phone.is_(None), Contact.id)
    )
    found: dict[int, tuple[str | None, str | None]] = {}
    for cid, name, phone in session.execute(stmt):
        found.setdefault(cid, (name, phone))
    return found


def _grade_history(session, customer_ids: set[int], end_utc: datetime) -> dict[int, list[tuple]]:
    """Grade changes of these customers up to the period's end, oldest first: (at, id, from, to, visit_id)."""
    if not customer_ids:
        return {}
    stmt = (
        select(GradeChange.customer_id, GradeChange.at, GradeChange.id, GradeChange.from_grade,
               GradeChange.to_grade, GradeChange.visit_id)
        .where(GradeChange.customer_id.in_(sorted(customer_ids)), GradeChange.at < end_utc)
        .order_by(GradeChange.customer_id, GradeChange.at, GradeChange.id)
    )
    history: dict[int, list[tuple]] = {}
    for cid, at, gid, from_grade, to_grade, visit_id in session.execute(stmt):
        history.setdefault(cid, []).append((at, gid, from_grade, to_grade, visit_id))
    return history


def _grade_after(history: list[tuple], visit_id: int, visit_at: datetime, current: str) -> str:
    """The customer's grade right after this visit: the last change at or before it (or made with it)."""
    chosen = None
    for at, gid, _from, to_grade, vid in history:
        if vid == visit_id or at <= visit_at:
            if chosen is None or (at, gid) >= chosen[:2]:
                chosen = (at, gid, to_grade)
    if chosen is not None:
        return chosen[2]
    if history and history[0][2]:
        return history[0][2]  # the grade before the first recorded change
    return current


def _contact_rows(session, rep_id: int, start_utc, end_utc) -> tuple[list, set[int]]:
    stmt = (
        select(Visit.id, Visit.at, Visit.kind, Visit.content, Visit.result, Visit.problems, Visit.next_step,
               Visit.follow_up, Visit.customer_id, Customer.name, Customer.address, Customer.grade,
               Contact.name, Contact.phone)
        .join(Customer, Customer.id == Visit.customer_id)
        .outerjoin(Contact, Contact.id == Visit.contact_id)
        .where(Visit.rep_id == rep_id, Visit.at >= start_utc, Visit.at < end_utc)
        .order_by(Visit.at, Visit.id)
    )
    raw = list(session.execute(stmt))
    return raw, {r[8] for r in raw}


def _build_contact_rows(raw, history, primary, tz) -> list[dict]:
    rows = []
    for no, (vid, at, kind, content, result, problems, next_step, follow_up, cid, cname, address, grade,
             contact_name, contact_phone) in enumerate(raw, start=1):
        phone = contact_phone or primary.get(cid, (None, None))[1]
        local = at.astimezone(tz)
        rows.append({
            "no": no,
            "visit_id": vid,
            "date": local.date().isoformat(),
            "time": local.isoformat(timespec="seconds"),
            "customer_id": cid,
            "customer": cname,
            "contact": contact_name,
            "phone": phone,
            "address": address,
            "kind": kind,
            "content": content or "",
            "result": result or "",
            "problems": problems,
            "what_happened": _join(content, result, problems),
            "grade": _grade_after(history.get(cid, []), vid, at, grade),
            "next_step": next_step,
            "follow_up": follow_up.isoformat() if follow_up else None,
            "follow_up_memo": _join(next_step, follow_up.isoformat() if follow_up else None),
        })
    return rows


def _grade_changes(session, rep_id: int, start_utc, end_utc, tz) -> list[dict]:
    """Grade changes in the period of customers the rep owns, or that the rep made (initial grades left out)."""
    by = Staff.__table__.alias("by_staff")
    stmt = (
        select(GradeChange.id, GradeChange.at, GradeChange.customer_id, Customer.name, GradeChange.from_grade,
               GradeChange.to_grade, GradeChange.reason, GradeChange.rule, GradeChange.source, by.c.handle)
        .join(Customer, Customer.id == GradeChange.customer_id)
        .outerjoin(by, by.c.id == GradeChange.by_id)
        .where(GradeChange.at >= start_utc, GradeChange.at < end_utc, GradeChange.from_grade.is_not(None),
               or_(GradeChange.by_id == rep_id, Customer.owner_id == rep_id))
        .order_by(GradeChange.at, GradeChange.id)
    )
    return [
        {"id": gid, "at": _iso(at, tz), "customer_id": cid, "customer": name, "from": from_grade, "to": to_grade,
         "reason": reason or rule, "source": source, "by": handle}
        for gid, at, cid, name, from_grade, to_grade, reason, rule, source, handle in session.execute(stmt)
    ]


def compile_form(session, rep: Staff, kind: str, period: Period, clock) -> dict:
    """The form's tables, from the data (no header, no texts)."""
    tz = clock.tz
    start_utc, end_utc = clock.range_utc(period.start, period.end)
    raw, customer_ids = _contact_rows(session, rep.id, start_utc, end_utc)
    form: dict = {}
    new_rows: list = []
    won_rows: list = []
    paid_rows: list = []
    if kind != "daily":
        new_rows = list(session.execute(
            select(Customer.id, Customer.name, Customer.address, Customer.grade)
            .where(Customer.owner_id == rep.id, Customer.created_at >= start_utc, Customer.created_at < end_utc,
                   live_customer())
            .order_by(Customer.created_at, Customer.id)
        ))
        won_rows = list(session.execute(
            select(Deal.id, Deal.title, Deal.amount, Deal.won_on, Deal.customer_id, Customer.name, Customer.address)
            .join(Customer, Customer.id == Deal.customer_id)
            .where(Deal.owner_id == rep.id, Deal.won_on >= period.start, Deal.won_on <= period.end)
            .order_by(Deal.won_on, Deal.id)
        ))
        paid_rows = list(session.execute(
            select(Payment.id, Deal.id, Deal.title, Payment.amount, Payment.paid_on, Deal.customer_id,
                   Customer.name, Customer.address)
            .join(Deal, Deal.id == Payment.deal_id)
            .join(Customer, Customer.id == Deal.customer_id)
            .where(Deal.owner_id == rep.id, Payment.paid_on >= period.start, Payment.paid_on <= period.end)
            .order_by(Payment.paid_on, Payment.id)
        ))
    needs_contact = {r[8] for r in raw if not r[13]}  # a contact logged without a phone: the customer's
    if kind != "daily":
        needs_contact |= customer_ids | {r[0] for r in new_rows} | {r[4] for r in won_rows} | {r[5] for r in paid_rows}
    primary = _primary_contacts(session, needs_contact)
    history = _grade_history(session, customer_ids, end_utc)
    form["rows"] = _build_contact_rows(raw, history, primary, tz)
    form["grade_changes"] = _grade_changes(session, rep.id, start_utc, end_utc, tz)
    if kind == "daily":
        return form

    # cumulative customers: owned at the period's end, by grade, and new in the period
    counts = {g: 0 for g in ("A", "B", "C", "D")}
    total = new = 0
    stmt = (
        select(Customer.grade, func.count(),
               func.sum(case((Customer.created_at >= start_utc, 1), else_=0)))
        .where(Customer.owner_id == rep.id, Customer.created_at < end_utc, live_customer())
        .group_by(Customer.grade)
    )
    for grade, n, fresh in session.execute(stmt):
        counts[grade] = counts.get(grade, 0) + int(n)
        total += int(n)
        new += int(fresh or 0)
    form["customers"] = {"total": total, **counts, "new": new}

    # customers contacted or added in the period
    visits_per_customer: dict[int, int] = {}
    seen: dict[int, dict] = {}
    for r in raw:
        cid = r[8]
        visits_per_customer[cid] = visits_per_customer.get(cid, 0) + 1
        if cid not in seen:
            seen[cid] = {"customer_id": cid, "customer": r[9], "address": r[10], "grade": r[11], "new": False}
    for cid, name, address, grade in new_rows:
        if cid in seen:
            seen[cid]["new"] = True
        else:
            seen[cid] = {"customer_id": cid, "customer": name, "address": address, "grade": grade, "new": True}
    customer_rows = []
    for no, entry in enumerate(sorted(seen.values(), key=lambda e: (e["grade"], e["customer"])), start=1):
        name, phone = primary.get(entry["customer_id"], (None, None))
        customer_rows.append({"no": no, "customer_id": entry["customer_id"], "grade": entry["grade"],
                              "customer": entry["customer"], "contact": name, "phone": phone,
                              "address": entry["address"], "new": entry["new"],
                              "visits": visits_per_customer.get(entry["customer_id"], 0)})
    form["customer_rows"] = customer_rows

    # sales: contracts won and payments collected in the period
    sales = []
    won_total = Decimal(0)
    paid_total = Decimal(0)
    entries = [("won", day, did, title, amount, cid, name, address)
               for did, title, amount, day, cid, name, address in won_rows]
    entries += [("payment", day, did, title, amount, cid, name, address)
                for _pid, did, title, amount, day, cid, name, address in paid_rows]
    entries.sort(key=lambda e: (e[1], e[0] != "won", e[2]))
    for no, (sale_kind, day, did, title, amount, cid, name, address) in enumerate(entries, start=1):
        contact, phone = primary.get(cid, (None, None))
        if sale_kind == "won":
            won_total += Decimal(amount)
        else:
            paid_total += Decimal(amount)
        sales.append({"no": no, "kind": sale_kind, "date": day.isoformat(), "deal_id": did, "deal": title,
                      "customer_id": cid, "customer": name, "contact": contact, "phone": phone,
                      "address": address, "amount": _money(amount)})
    form["sales"] = sales
    form["sales_total"] = {"won": _money(won_total), "collected": _money(paid_total)}
    return form
