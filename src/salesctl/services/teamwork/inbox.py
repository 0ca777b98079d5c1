"""`inbox`: everything waiting on one person, computed from the data (no second copy of the truth).

The inbox is the concatenation of *sources*, one function per kind of item, listed in `SOURCES`
below in the order the inbox shows them. A source takes a `Ctx` (its actor is the person whose
inbox it is; every query keeps to what that person may see) and yields `item(...)` dicts.

Plugging a new kind in is one entry in `SOURCES`:

    Source("leave", "salesctl.services.org.leave:inbox_leave_requests"),

where the function is `def inbox_leave_requests(ctx) -> Iterable[dict]` yielding
`item(key="leave:<id>", id=<id>, customer=None, text=t("…"), since=<aware datetime>)`; add
`inbox.kind.<kind>` to a message catalog for its label. `informational=True` lets the person
hide an item with `inbox done KEY` (otherwise it leaves the inbox only when the thing is done).
Keys are stable strings `<kind>:<ids>`: `notify send` delivers each key once per person.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from sqlmodel import select

from salesctl.errors import InvalidInput, NotFound
from salesctl.messages import t
from salesctl.models import InboxDismissal
from salesctl.services.context import Ctx


@dataclass(frozen=True)
class Source:
    kind: str
    target: str  # "module:function"
    informational: bool = False

    def load(self) -> Callable[[Ctx], Iterable[dict]]:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)


_S = "salesctl.services.teamwork.inbox_sources"
SOURCES: tuple[Source, ...] = (
    Source("complaint", f"{_S}:complaints"),
    Source("claim", f"{_S}:claims_to_decide"),
    Source("report", f"{_S}:reports_to_review"),
    Source("action", f"{_S}:actions"),
    Source("claim_decided", f"{_S}:claim_decisions", informational=True),
    Source("claim_against", f"{_S}:claims_against_mine"),
    Source("lead", f"{_S}:leads_assigned"),
    Source("comment", f"{_S}:report_comments", informational=True),
    Source("followup", f"{_S}:follow_ups"),
    Source("missing", f"{_S}:own_missing_reports"),
    Source("recall", f"{_S}:recall_warnings", informational=True),
    Source("leave", "salesctl.services.org.leave:inbox_leave_requests"),
    Source("receivable", "salesctl.services.sales.receivables:inbox_receivables"),
    Source("contract", "salesctl.services.sales.receivables:inbox_contracts"),
)
KINDS = tuple(dict.fromkeys(s.kind for s in SOURCES))


def item(*, key: str, id: int | None, customer: str | None, text: str, since: datetime | None,
         urgent: bool = False) -> dict:
    """One inbox row. `urgent` items are delivered even in quiet hours (e.g. a high-severity complaint)."""
    return {"key": key, "id": id, "customer": customer, "text": text, "since": since, "urgent": urgent}


def dismissed_keys(ctx: Ctx) -> set[str]:
    stmt = select(InboxDismissal.key).where(InboxDismissal.staff_id == ctx.actor.id)
    return set(ctx.session.exec(stmt))


def collect(ctx: Ctx, kinds: tuple[str, ...] = KINDS) -> list[dict]:
    """Every item of the actor's inbox (internal fields included), source by source, without duplicates."""
    hidden = dismissed_keys(ctx)
    rows: list[dict] = []
    seen: set[str] = set()
    for source in SOURCES:
        if source.kind not in kinds:
            continue
        for row in source.load()(ctx):
            if row["key"] in seen or (source.informational and row["key"] in hidden):
                continue
            seen.add(row["key"])
            rows.append({"kind": source.kind, **row, "informational": source.informational})
    return rows


def inbox_rows(ctx: Ctx, kinds: tuple[str, ...] = KINDS) -> list[dict]:
    """The rows `inbox` prints: SPEC section 2's `kind, id, customer, text, since` plus the stable `key`."""
    return [{k: row[k] for k in ("kind", "id", "customer", "text", "since", "key")} for row in collect(ctx, kinds)]


def counts(rows: list[dict]) -> dict[str, int]:
    result: dict[str, int] = {}
    for row in rows:
        result[row["kind"]] = result.get(row["kind"], 0) + 1
    return result


def counts_text(rows: list[dict]) -> str:
    found = counts(rows)
    parts = [t("inbox.count_part", count=n, kind=t(f"inbox.kind.{kind}")) for kind, n in found.items()]
    return t("inbox.counts_line", parts=t("inbox.count_sep").join(parts)) if parts else t("inbox.counts_none")


def check_kinds(values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return KINDS
    kinds = tuple(v.strip().lower() for v in values)
    for k in kinds:
        if k not in KINDS:
            raise InvalidInput(t("inbox.err.bad_kind", value=k, accepted=", ".join(KINDS)))
    return kinds


def dismiss(ctx: Ctx, key: str) -> dict:
    """`inbox done KEY`: hide an informational item; other items leave the inbox when the thing is done."""
    key = key.strip()
    rows = {row["key"]: row for row in collect(ctx)}
    row = rows.get(key)
    if row is None:
        raise NotFound(t("inbox.err.no_item", key=key))
    if not row["informational"]:
        raise InvalidInput(t("inbox.err.not_informational", key=key, kind=t(f"inbox.kind.{row['kind']}")))
    entry = InboxDismissal(staff_id=ctx.actor.id, key=key, at=ctx.now)
    ctx.session.add(entry)
    ctx.session.flush()
    ctx.audit("inbox.done", "inbox_dismissal", entry.id, None, {"item": key})
    return {"key": key, "kind": row["kind"], "id": row["id"]}
