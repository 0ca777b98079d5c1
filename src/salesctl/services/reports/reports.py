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
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import func, select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import t
from salesctl.models import (
    Leave,
    Report,
    ReportReview,
    ReportVersion,
    Staff,
)
from salesctl.periods import Period, parse_date, parse_period
from salesctl.services.reports.forms import _iso, compile_form  # noqa: F401 (compile_form re-exported)
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
    if filing.kind == "daily":  # the last workday's report, however many days back (weekends, leave)
        report = ctx.session.execute(
            select(Report).where(Report.rep_id == filing.rep.id, Report.kind == "daily",
                                 Report.period < filing.period.label)
            .order_by(Report.period.desc()).limit(1)
        ).scalar_one_or_none()
    else:
        report = ctx.session.execute(
            select(Report).where(Report.rep_id == filing.rep.id, Report.kind == filing.kind,
                                 Report.period == previous.label)
        ).scalar_one_or_none()
    if report is None:
        return {"period": None if filing.kind == "daily" else previous.label, "report_id": None, "plan": None,
                "support": None}
    texts = _load_texts(report)
    if report.status in ("submitted", "reviewed"):
        snapshot = _latest_snapshot(ctx.session, report.id)
        if snapshot is not None:
            texts = {k: snapshot.get(k) for k in ("plan", "support")}
    return {"period": report.period, "report_id": report.id, "plan": texts.get("plan"),
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
    comment = (select(ReportReview.comment).where(ReportReview.report_id == Report.id)  # the latest review's
               .order_by(ReportReview.at.desc(), ReportReview.id.desc()).limit(1).correlate(Report).scalar_subquery())
    stmt = (
        select(Report.id, Report.kind, Report.period, Report.period_start, Staff.handle, Staff.name, Report.status,
               Report.late, Report.deadline, Report.submitted_at, versions.c.n, comment)
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
    for (rid, kind_, period, _start, handle, name, status_, late, deadline, submitted_at, n,
         last_comment) in ctx.session.execute(stmt):
        yield {"id": rid, "kind": kind_, "period": period, "handle": handle, "name": name, "status": status_,
               "late": bool(late), "deadline": _iso(deadline, tz), "submitted_at": _iso(submitted_at, tz),
               "version": int(n) if n else None, "comment": last_comment}


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
    stmt = (select(Staff.id, Staff.handle, Staff.name, Staff.created_at, Staff.start_date)
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
        .where(Leave.staff_id.in_(ids), Leave.start <= period.end, Leave.end >= period.start,
               Leave.status == "approved")
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
    from salesctl.services.reports.compliance import owed_from

    for sid, handle, name, created, start_date in reps:
        joined = owed_from(start_date, created, tz) or period.start
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
