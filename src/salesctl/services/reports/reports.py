"""Work reports (SPEC 1.3 and 4): the daily, weekly and monthly forms compiled from the data, drafts,
submission as a versioned snapshot, review, listing, and who owes a report (`report missing`).

A form is plain data (a dict that is also the `report show --format json` document):
the header, `rows` (one per customer contact, in time order), `grade_changes`, for
weekly/monthly forms the customer counts, customer table and sales, and the
free-text sections the rep writes. Every table comes from the data; a submitted
report is shown from its snapshot, never recompiled. Each form costs a fixed
number of queries, whatever the number of contacts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import case, func, or_, select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import t
from salesctl.models import (
    Contact,
    Customer,
    Deal,
    GradeChange,
    Leave,
    Payment,
    Report,
    ReportReview,
    ReportVersion,
    Staff,
    Visit,
)
from salesctl.periods import Period, parse_date, parse_period
from salesctl.workdays import WorkCalendar

if TYPE_CHECKING:
    from salesctl.permissions import Scope
    from salesctl.services.context import Ctx

KINDS = ("daily", "weekly", "monthly")
PERIOD_KIND = {"daily": "day", "weekly": "week", "monthly": "month"}
PERIOD_FLAG = {"daily": "date", "weekly": "week", "monthly": "month"}
# the free-text sections of each form, in the order the form shows them (flag = --<key>)
TEXT_SECTIONS = {
    "daily": ("summary", "plan"),
    "weekly": ("summary", "situation", "remember", "plan", "support"),
    "monthly": ("results", "problems", "situation", "remember", "plan", "support"),
}
STATUSES = ("draft", "submitted", "reviewed")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# --------------------------------------------------------------------------- periods, deadlines
def parse_kind(kind: str | None) -> str | None:
    if kind is None:
        return None
    value = kind.strip().lower()
    if value not in KINDS:
        raise InvalidInput(t("report.err.bad_kind", value=kind, accepted=", ".join(KINDS)))
    return value


def parse_report_period(kind: str, text: str | None, today: date) -> Period:
    """The report's period: a day (--date), an ISO week (--week) or a month (--month); default the current one."""
    return parse_period(text, PERIOD_KIND[kind], today, PERIOD_FLAG[kind])


def deadline_for(calendar: WorkCalendar, kind: str, period: Period, tz) -> datetime:
    if kind == "daily":
        return calendar.daily_deadline(period.start, tz)
    if kind == "weekly":
        return calendar.weekly_deadline(period.start, tz)
    return calendar.monthly_deadline(period.start, tz)


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
            .where(Customer.owner_id == rep.id, Customer.created_at >= start_utc, Customer.created_at < end_utc)
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
        .where(Customer.owner_id == rep.id, Customer.created_at < end_utc)
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


# --------------------------------------------------------------------------- the report being filed
@dataclass
class Filing:
    """One rep's report for one period, as `report daily/weekly/monthly` works on it."""

    kind: str
    rep: Staff
    period: Period
    report: Report | None
    texts: dict[str, str]
    deadline: datetime

    @property
    def sections(self) -> tuple[str, ...]:
        return TEXT_SECTIONS[self.kind]

    def missing(self) -> list[str]:
        return [key for key in self.sections if not (self.texts.get(key) or "").strip()]


def _load_texts(report: Report | None) -> dict[str, str]:
    if report is None or not report.texts:
        return {}
    try:
        data = json.loads(report.texts)
    except ValueError:
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)}


def clean_texts(kind: str, given: dict[str, str | None]) -> dict[str, str]:
    """The texts given by flag/file/editor: surrounding whitespace dropped; None means 'not given'."""
    return {k: v.strip() for k, v in given.items() if v is not None and k in TEXT_SECTIONS[kind]}


def prepare(ctx: "Ctx", kind: str, period_text: str | None, rep_ref: str | None,
            given: dict[str, str | None] | None = None) -> Filing:
    """Find (not create) the rep's report for the period and merge the given texts over its draft."""
    from salesctl.permissions import require_act_for
    from salesctl.directory import find_staff

    rep = find_staff(ctx.session, rep_ref, "rep") if rep_ref else ctx.actor
    if rep.id != ctx.actor.id:
        require_act_for(ctx, rep, t("report.what.reports_of", handle=rep.handle))
    period = parse_report_period(kind, period_text, ctx.today)
    report = ctx.session.execute(
        select(Report).where(Report.rep_id == rep.id, Report.kind == kind, Report.period == period.label)
    ).scalar_one_or_none()
    texts = _load_texts(report)
    texts.update(clean_texts(kind, given or {}))
    deadline = deadline_for(WorkCalendar(), kind, period, ctx.clock.tz)
    return Filing(kind, rep, period, report, texts, deadline)


def _previous_plan(ctx: "Ctx", filing: Filing) -> dict | None:
    """Last period's plan (and support asked for), beside this period's summary."""
    previous = filing.period.previous()
    report = ctx.session.execute(
        select(Report).where(Report.rep_id == filing.rep.id, Report.kind == filing.kind,
                             Report.period == previous.label)
    ).scalar_one_or_none()
    if report is None:
        return {"period": previous.label, "report_id": None, "plan": None, "support": None}
    texts = _load_texts(report)
    if report.status in ("submitted", "reviewed"):
        snapshot = _latest_snapshot(ctx.session, report.id)
        if snapshot is not None:
            texts = {k: snapshot.get(k) for k in ("plan", "support")}
    return {"period": previous.label, "report_id": report.id, "plan": texts.get("plan"),
            "support": texts.get("support")}


def _reviews(session, report_id: int | None, tz) -> list[dict]:
    if report_id is None:
        return []
    stmt = (
        select(ReportReview.at, ReportReview.comment, Staff.handle, Staff.name)
        .join(Staff, Staff.id == ReportReview.reviewer_id)
        .where(ReportReview.report_id == report_id)
        .order_by(ReportReview.at, ReportReview.id)
    )
    return [{"by": handle, "name": name, "at": _iso(at, tz), "comment": comment}
            for at, comment, handle, name in session.execute(stmt)]


def _version_count(session, report_id: int | None) -> int:
    if report_id is None:
        return 0
    return int(session.execute(
        select(func.count()).select_from(ReportVersion).where(ReportVersion.report_id == report_id)
    ).scalar_one())


def _status_fields(session, report: Report | None, deadline: datetime, tz) -> dict:
    reviews = _reviews(session, report.id if report else None, tz)
    last = reviews[-1] if reviews else None
    return {
        "id": report.id if report else None,
        "status": report.status if report else "unsaved",
        "late": bool(report.late) if report else False,
        "deadline": _iso(deadline, tz),
        "submitted_at": _iso(report.submitted_at, tz) if report else None,
        "version": _version_count(session, report.id if report else None) or None,
        "reviewed_by": last["by"] if last else None,
        "reviewed_at": last["at"] if last else None,
        "comment": last["comment"] if last else None,
        "reviews": reviews,
    }


def document(ctx: "Ctx", filing: Filing) -> dict:
    """The whole form, compiled now from the data, with the filing's texts and the record's status."""
    tz = ctx.clock.tz
    period = filing.period
    rep = filing.rep
    doc: dict = {"id": None, "kind": filing.kind, "period": period.label,
                 "period_start": period.start.isoformat(), "period_end": period.end.isoformat()}
    if filing.kind == "daily":
        doc["weekday"] = WEEKDAYS[period.start.weekday()]
    doc.update({"handle": rep.handle, "name": rep.name, "region": rep.region})
    doc.update(_status_fields(ctx.session, filing.report, filing.deadline, tz))
    doc["compiled_at"] = _iso(ctx.now, tz)
    doc.update(compile_form(ctx.session, rep, filing.kind, period, ctx.clock))
    if filing.kind != "daily":
        doc["last_plan"] = _previous_plan(ctx, filing)
    for key in filing.sections:
        doc[key] = filing.texts.get(key) or None
    return doc


# --------------------------------------------------------------------------- draft and submit
def _refuse_if_reviewed(ctx: "Ctx", report: Report | None) -> None:
    if report is not None and report.status == "reviewed":
        raise Conflict(t("report.err.reviewed", id=report.id, kind=report.kind,
                         kind_label=t(f"report.kind.{report.kind}"), period=report.period))


def _ensure_record(ctx: "Ctx", filing: Filing) -> Report:
    if filing.report is not None:
        return filing.report
    report = Report(rep_id=filing.rep.id, kind=filing.kind, period=filing.period.label,
                    period_start=filing.period.start, period_end=filing.period.end, status="draft",
                    deadline=filing.deadline, texts="{}", created_at=ctx.now, updated_at=ctx.now)
    ctx.session.add(report)
    ctx.session.flush()
    filing.report = report
    return report


def save_draft(ctx: "Ctx", filing: Filing) -> Report:
    """Save the texts of a report not yet submitted (running it again updates the same draft)."""
    from salesctl.audit import snapshot

    _refuse_if_reviewed(ctx, filing.report)
    if filing.report is not None and filing.report.status == "submitted":
        raise Conflict(t("report.err.already_submitted", id=filing.report.id, kind=filing.kind,
                         kind_label=t(f"report.kind.{filing.kind}"), period=filing.period.label))
    before = snapshot(filing.report) if filing.report is not None else None
    report = _ensure_record(ctx, filing)
    report.texts = json.dumps({k: filing.texts[k] for k in filing.sections if k in filing.texts}, ensure_ascii=False)
    report.deadline = filing.deadline
    report.updated_at = ctx.now
    ctx.session.flush()
    ctx.audit("report.draft", "report", report.id, before, report)
    return report


def submit(ctx: "Ctx", filing: Filing) -> tuple[Report, dict]:
    """Hand the report in: every text section present; a new snapshot version; late if after the deadline."""
    from salesctl.audit import snapshot

    _refuse_if_reviewed(ctx, filing.report)
    missing = filing.missing()
    if missing:
        flags = ", ".join(f"--{key}" for key in missing)
        raise InvalidInput(t("report.err.texts_required", flags=flags, kind=filing.kind,
                             kind_label=t(f"report.kind.{filing.kind}"), first=missing[0]))
    before = snapshot(filing.report) if filing.report is not None else None
    report = _ensure_record(ctx, filing)
    now = ctx.now
    if report.submitted_at is None:  # a resubmission keeps the first hand-in time and its lateness
        report.submitted_at = now
        report.late = now > filing.deadline
    report.status = "submitted"
    report.deadline = filing.deadline
    report.texts = json.dumps({k: filing.texts[k] for k in filing.sections}, ensure_ascii=False)
    report.updated_at = now
    ctx.session.flush()
    doc = document(ctx, filing)
    version = (doc["version"] or 0) + 1
    doc["version"] = version
    doc["last_submitted_at"] = _iso(now, ctx.clock.tz)
    ctx.session.add(ReportVersion(report_id=report.id, version=version,
                                  snapshot=json.dumps(doc, ensure_ascii=False, default=str),
                                  submitted_at=now, submitted_by_id=ctx.actor.id))
    ctx.session.flush()
    after = snapshot(report)
    after["version"] = version
    ctx.audit("report.submit", "report", report.id, before, after)
    return report, doc


# --------------------------------------------------------------------------- show, review, list
def _latest_snapshot(session, report_id: int) -> dict | None:
    row = session.execute(
        select(ReportVersion.snapshot).where(ReportVersion.report_id == report_id)
        .order_by(ReportVersion.version.desc()).limit(1)
    ).first()
    return json.loads(row[0]) if row else None


def get_report(ctx: "Ctx", report_id: int | str) -> tuple[Report, Staff]:
    from salesctl.permissions import require_see_staff

    try:
        rid = int(str(report_id).strip())
    except ValueError:
        raise InvalidInput(t("report.err.bad_id", value=report_id)) from None
    report = ctx.session.get(Report, rid)
    if report is None:
        from salesctl.rls import deny_if_hidden

        deny_if_hidden(ctx.session, "report", rid, t("ts.what.report", id=rid))
        raise NotFound(t("report.err.no_such_report", id=rid))
    rep = ctx.session.get(Staff, report.rep_id)
    require_see_staff(ctx, rep, what=t("report.what.report", id=rid))
    return report, rep


def find_report(ctx: "Ctx", rep_ref: str | None, kind: str, period_text: str | None) -> tuple[Report, Staff]:
    from salesctl.permissions import require_see_staff
    from salesctl.directory import find_staff

    rep = find_staff(ctx.session, rep_ref, "rep") if rep_ref else ctx.actor
    require_see_staff(ctx, rep, what=t("report.what.reports_of", handle=rep.handle))
    period = parse_report_period(kind, period_text, ctx.today)
    report = ctx.session.execute(
        select(Report).where(Report.rep_id == rep.id, Report.kind == kind, Report.period == period.label)
    ).scalar_one_or_none()
    if report is None:
        raise NotFound(t("report.err.not_filed", kind=kind, kind_label=t(f"report.kind.{kind}"),
                         handle=rep.handle, period=period.label, flag=PERIOD_FLAG[kind]))
    return report, rep


def show(ctx: "Ctx", report: Report, rep: Staff) -> dict:
    """A submitted report from its latest snapshot (never recompiled); a draft compiled now."""
    tz = ctx.clock.tz
    deadline = report.deadline or deadline_for(WorkCalendar(), report.kind,
                                               parse_report_period(report.kind, report.period, ctx.today), tz)
    if report.status in ("submitted", "reviewed"):
        doc = _latest_snapshot(ctx.session, report.id)
        if doc is not None:
            doc.update(_status_fields(ctx.session, report, deadline, tz))
            doc["handle"] = rep.handle
            return doc
    period = parse_report_period(report.kind, report.period, ctx.today)
    filing = Filing(report.kind, rep, period, report, _load_texts(report), deadline)
    return document(ctx, filing)


def review(ctx: "Ctx", report_id, comment: str | None) -> tuple[Report, Staff]:
    """The rep's manager marks a submitted report reviewed and keeps the comment (指导和支持)."""
    from salesctl.audit import snapshot
    from salesctl.permissions import is_manager_of

    text = (comment or "").strip()
    report, rep = get_report(ctx, report_id)
    if not text:
        raise InvalidInput(t("report.err.comment_required"))
    if rep.id == ctx.actor.id or not is_manager_of(ctx, rep):
        raise PermissionDenied(t("err.denied", what=t("report.what.review", id=report.id)))
    if report.status == "draft":
        raise Conflict(t("report.err.review_draft", id=report.id))
    before = snapshot(report)
    report.status = "reviewed"
    report.updated_at = ctx.now
    entry = ReportReview(report_id=report.id, reviewer_id=ctx.actor.id, comment=text, at=ctx.now)
    ctx.session.add(entry)
    ctx.session.flush()
    after = snapshot(report)
    after["comment"] = text
    ctx.audit("report.review", "report", report.id, before, after)
    return report, rep


def report_rows(ctx: "Ctx", scope: "Scope", *, kind: str | None = None, since: date | None = None,
                status: str | None = None, limit: int | None = None) -> Iterator[dict]:
    """Reports in the scope, newest period first (streamed)."""
    from salesctl.permissions import scope_clause

    if status is not None and status not in STATUSES:
        raise InvalidInput(t("report.err.bad_status", value=status, accepted=", ".join(STATUSES)))
    tz = ctx.clock.tz
    versions = (select(ReportVersion.report_id, func.count().label("n"))
                .group_by(ReportVersion.report_id).subquery("versions"))
    stmt = (
        select(Report.id, Report.kind, Report.period, Report.period_start, Staff.handle, Staff.name, Report.status,
               Report.late, Report.deadline, Report.submitted_at, versions.c.n)
        .join(Staff, Staff.id == Report.rep_id)
        .outerjoin(versions, versions.c.report_id == Report.id)
        .order_by(Report.period_start.desc(), Report.kind, Staff.handle)
    )
    clause = scope_clause(scope, Report.rep_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if kind:
        stmt = stmt.where(Report.kind == kind)
    if since:
        stmt = stmt.where(Report.period_start >= since)
    if status:
        stmt = stmt.where(Report.status == status)
    if limit:
        stmt = stmt.limit(limit)
    for rid, kind_, period, _start, handle, name, status_, late, deadline, submitted_at, n in ctx.session.execute(stmt):
        yield {"id": rid, "kind": kind_, "period": period, "handle": handle, "name": name, "status": status_,
               "late": bool(late), "deadline": _iso(deadline, tz), "submitted_at": _iso(submitted_at, tz),
               "version": int(n) if n else None}


# --------------------------------------------------------------------------- who owes a report
@dataclass
class Owed:
    kind: str
    period: Period
    deadline: datetime
    workdays: list[date]
    rows: list[dict]


def missing_reports(ctx: "Ctx", scope: "Scope", kind: str, period: Period,
                    calendar: WorkCalendar | None = None) -> Owed:
    """Reps in the scope who owe a report for the period and have not submitted it (`missing`),
    or submitted it after the deadline (`late`).

    Only active reps owe reports, and only for workdays they were on staff and not on
    leave: a period with no such day for a rep owes nothing. Three queries, whatever the scope.
    """
    from salesctl.permissions import scope_clause

    calendar = calendar or WorkCalendar()
    tz = ctx.clock.tz
    deadline = deadline_for(calendar, kind, period, tz)
    workdays = calendar.workdays(period.start, period.end)
    owed = Owed(kind, period, deadline, workdays, [])
    if not workdays:
        return owed
    stmt = (select(Staff.id, Staff.handle, Staff.name, Staff.created_at)
            .where(Staff.role == "rep", Staff.active).order_by(Staff.handle))
    clause = scope_clause(scope, Staff.id)
    if clause is not None:
        stmt = stmt.where(clause)
    reps = list(ctx.session.execute(stmt))
    if not reps:
        return owed
    ids = [r[0] for r in reps]
    leave: dict[int, set[date]] = {}
    for sid, start, end in ctx.session.execute(
        select(Leave.staff_id, Leave.start, Leave.end)
        .where(Leave.staff_id.in_(ids), Leave.start <= period.end, Leave.end >= period.start)
    ):
        day = max(start, period.start)
        while day <= min(end, period.end):
            leave.setdefault(sid, set()).add(day)
            day += timedelta(days=1)
    filed = {
        rep_id: (rid, status, late)
        for rid, rep_id, status, late in ctx.session.execute(
            select(Report.id, Report.rep_id, Report.status, Report.late)
            .where(Report.kind == kind, Report.period == period.label, Report.rep_id.in_(ids))
        )
    }
    missing, late_rows = [], []
    for sid, handle, name, created in reps:
        joined = created.astimezone(tz).date() if created else period.start
        if not any(day >= joined and day not in leave.get(sid, ()) for day in workdays):
            continue  # excused: on leave (or not yet on staff) every workday of the period
        rid, status, late = filed.get(sid, (None, None, False))
        row = {"id": rid, "handle": handle, "name": name, "period": period.label, "kind": kind,
               "deadline": _iso(deadline, tz)}
        if status not in ("submitted", "reviewed"):
            missing.append({**row, "status": "missing"})
        elif late:
            late_rows.append({**row, "status": "late"})
    owed.rows = missing + late_rows
    return owed


def missing_period(kind_flags: dict[str, str | None], today: date) -> tuple[str, Period]:
    """Which report `report missing` checks: --date (daily, the default: today), --week or --month."""
    given = [(k, v) for k, v in kind_flags.items() if v is not None]
    if len(given) > 1:
        raise InvalidInput(t("report.err.one_period_got", got=", ".join("--" + k for k, _ in given)))
    if not given:
        return "daily", parse_report_period("daily", None, today)
    flag, text = given[0]
    kind = {"date": "daily", "week": "weekly", "month": "monthly"}[flag]
    if kind == "daily":
        day = parse_date(text, "date", today)
        return kind, Period("day", day.isoformat(), day, day)
    return kind, parse_report_period(kind, text, today)
