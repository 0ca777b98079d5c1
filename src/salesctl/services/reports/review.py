"""`report review` of several reports at once: by id, or the team's submitted reports of a period.

Each report gets its own review record and audit entry (reports.review); the whole batch is one
transaction, checked before anything is written, so one report outside the manager's team (or not
yet submitted) refuses the batch and nothing is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from salesctl.errors import Conflict, InvalidInput, PermissionDenied
from salesctl.messages import t
from salesctl.models import Report, Staff
from salesctl.services.reports.reports import get_report, parse_report_period, review

if TYPE_CHECKING:
    from salesctl.permissions import Scope
    from salesctl.services.context import Ctx


def waiting_reports(ctx: "Ctx", scope: "Scope", kind: str, period_text: str | None) -> list[int]:
    """Ids of the submitted (not yet reviewed) reports of `kind` for the period, of the people in scope."""
    from salesctl.permissions import scope_clause

    period = parse_report_period(kind, period_text, ctx.today)
    stmt = (select(Report.id).join(Staff, Staff.id == Report.rep_id)
            .where(Report.kind == kind, Report.period == period.label, Report.status == "submitted",
                   Report.rep_id != ctx.actor.id)
            .order_by(Staff.handle, Report.id))
    clause = scope_clause(scope, Report.rep_id)
    if clause is not None:
        stmt = stmt.where(clause)
    return list(ctx.session.execute(stmt).scalars())


def review_many(ctx: "Ctx", report_ids: list, comment: str | None) -> list[tuple[Report, Staff]]:
    """Review every report with the same comment; all are checked first, then each is reviewed."""
    from salesctl.permissions import is_manager_of

    if not (comment or "").strip():
        raise InvalidInput(t("report.err.comment_required"))
    seen: dict[int, tuple[Report, Staff]] = {}
    for ref in report_ids:
        report, rep = get_report(ctx, ref)
        if report.id in seen:
            continue
        if rep.id == ctx.actor.id or not is_manager_of(ctx, rep):
            raise PermissionDenied(t("report.err.batch_denied", handle=rep.handle,
                                     what=t("report.what.review", id=report.id)))
        if report.status == "draft":
            raise Conflict(t("report.err.review_draft", id=report.id))
        seen[report.id] = (report, rep)
    return [review(ctx, report.id, comment) for report, _rep in seen.values()]
