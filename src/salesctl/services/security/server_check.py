"""`db security-check` on the team server: the storage layer's report, for managers and above."""

from __future__ import annotations

from salesctl.errors import PermissionDenied
from salesctl.messages import t
from salesctl.services.context import Ctx


def run_check(ctx: Ctx) -> dict:
    from salesctl import rls

    if ctx.actor.role not in ("gm", "director", "manager"):
        raise PermissionDenied(t("err.denied", what="db security-check"))
    return rls.security_report(ctx.session.connection())
