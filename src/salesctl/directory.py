"""Finding staff by what users type: handle, id or display name (ambiguity is an error).

It sits below permissions and services, beside the models, so both can use it.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from salesctl.errors import InvalidInput, NotFound
from salesctl.messages import t
from salesctl.models import Staff
from salesctl.inputs import is_id


def find_staff(session, ref: str, field: str = "handle") -> Staff:
    """By handle (exact), then id, then display name; an ambiguous name lists the candidates."""
    value = (ref or "").strip()
    if not value:
        raise InvalidInput(t("err.staff_empty", field=field))
    staff = session.exec(select(Staff).where(Staff.handle == value)).first()
    if staff:
        return staff
    if is_id(value):
        staff = session.get(Staff, int(value))
        if staff:
            return staff
    matches = session.exec(select(Staff).where(func.lower(Staff.name) == value.lower())).all()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listing = ", ".join(f"{s.handle} ({s.name})" for s in matches)
        raise InvalidInput(t("err.staff_ambiguous", field=field, value=value, listing=listing))
    raise NotFound(t("err.staff_not_found", field=field, value=value))
