"""The context every service function takes: one session, the acting user, the clock."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from salesctl.models import Staff
from salesctl.periods import Clock


@dataclass
class Ctx:
    session: Session
    actor: Staff | None
    clock: Clock
    url: str = ""

    def audit(self, action: str, entity: str, entity_id: int | None, before=None, after=None):
        from salesctl.audit import record

        return record(self, action, entity, entity_id, before, after)

    @property
    def now(self):
        return self.clock.now_utc

    @property
    def today(self):
        return self.clock.today
