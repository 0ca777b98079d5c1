"""`commission plan check`: every problem of a plan file at once (the parser stops at the first).

The plan's own validators (services.pay.plans._Reader) check each key on its
own, so one wrong key does not hide the next; a file with no key-level problem is
then parsed whole, which adds the checks across keys.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from salesctl.errors import InvalidInput
from salesctl.messages import t


def plan_problems(text: str, path: Path) -> list[str]:
    """Each problem as `file:line: key: what` (empty when the plan is valid)."""
    from salesctl.services.pay import plans as c

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        try:
            c.parse_plan_text(text, path)
        except InvalidInput as exc:
            return [exc.message]
        return []
    problems: list[str] = []

    def attempt(check) -> object:
        try:
            return check()
        except InvalidInput as exc:
            if exc.message not in problems:
                problems.append(exc.message)
            return None

    reader = c._Reader(path, text)
    for key in raw:
        attempt(lambda k=key: reader.keys({k: None}, [], c.TOP_KEYS))
        if key in c.PLAN_KEYS:
            attempt(lambda k=key: c._parse_plan_keys(reader, {k: raw[k]}, []))
    for need in ("tiers", "amount_tiers"):
        if need not in raw:
            problems.append(t("commission.plan.required_default", file=path.name, key=need))
    plans = attempt(lambda: reader.table(raw.get("plans", {}), ["plans"])) or {}
    for name, data in plans.items():
        kp = ["plans", name]
        table = attempt(lambda d=data, k=kp: reader.table(d, k))
        if table is None:
            continue
        for key, value in table.items():
            attempt(lambda k=key, kp=kp: reader.keys({k: None}, kp, c.NAMED_KEYS))
            if key in c.NAMED_KEYS:
                attempt(lambda k=key, v=value, kp=kp: c._parse_plan_keys(reader, {k: v}, kp))
    if "evaluation" in raw:
        attempt(lambda: c._parse_evaluation(reader, raw["evaluation"]))
    if not problems:
        attempt(lambda: c.parse_plan_text(text, path))
    return problems
