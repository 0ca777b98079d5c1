"""The one schema of the policy TOML (pydantic), and the checks that use it.

Every section and key the code reads is declared here with its type and range; a
key the schema does not know is a typo (exit 2 naming it and the valid keys of its
section), a wrong type or an out-of-range value is exit 2 naming `file:line: key`.
`check_policy_file` returns every problem at once (`salesctl policy check`);
`validate_policy_file` raises on the first one with the count of the others
(policy load, `config set policy`).

A feature adding a policy key adds it here (and to data/policy.toml).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from salesctl.errors import InvalidInput
from salesctl.messages import t

_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _models():
    """The pydantic models, built on first use (pydantic is imported only when a policy file is checked)."""
    from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

    Days = Annotated[StrictInt, Field(ge=0, le=3650)]
    Positive = Annotated[StrictInt, Field(ge=1, le=3650)]
    Clock = Annotated[StrictStr, Field(pattern=_TIME)]
    Day = Annotated[StrictStr, Field(pattern=_DATE)]

    class Section(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class Grading(Section):
        a_within_days: Days = 30
        b_within_days: Days = 90
        c_within_days: Days = 180
        manual_hold_days: Days = 14

    class Followup(Section):
        a_no_contact_days: Positive = 7
        b_no_contact_days: Positive = 14

    class Workday(Section):
        end_of_office: Clock = "18:00"
        monthly_due: Literal["last_day"] | Annotated[StrictInt, Field(ge=1, le=28)] = "last_day"
        extra_holidays: list[Day] = []
        extra_workdays: list[Day] = []

    class Meeting(Section):
        weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
        time: Clock = "17:00"

    class Hours(Section):
        low: Positive = 72
        normal: Positive = 48
        high: Positive = 24
        critical: Positive = 4

    class Complaint(Section):
        overdue_hours: Hours = Hours()

    class GradeDays(Section):
        A: Positive = 15
        B: Positive = 30
        C: Positive = 60
        D: Positive = 90

    class Pool(Section):
        enabled: StrictBool = False
        no_visit_days: GradeDays = GradeDays()
        warn_days_before: Days = 5
        cooling_days: Days = 30
        protect_stage_from: Annotated[StrictInt, Field(ge=1, le=5)] = 3
        protect_payment_within_days: Days = 90

    class Leads(Section):
        min_sample: Days = 5
        window_months: Annotated[StrictInt, Field(ge=1, le=120)] = 12
        neighbours: dict[StrictStr, list[StrictStr]] = {}

    class Penalty(Section):
        year_end_month: Annotated[StrictInt, Field(ge=1, le=12)] = 12

    class Archive(Section):
        password_warn_days: Days = 90
        password_max_days: Days = 180
        min_password_length: Annotated[StrictInt, Field(ge=6, le=256)] = 10
        folder: StrictStr = ""

    class Receivables(Section):
        remind_due_within_days: Days = 7
        remind_contract_ending_days: Days = 30

    class Attachments(Section):
        max_size_mb: Annotated[StrictInt | StrictFloat, Field(gt=0, le=2048)] = 20
        forbidden_extensions: list[StrictStr] = []

    class Notify(Section):
        quiet_start: Clock = "21:00"
        quiet_end: Clock = "08:00"
        retry_minutes: Positive = 15
        retry_max_hours: Annotated[StrictInt, Field(ge=1, le=720)] = 6
        info_days: Positive = 14

    class Policy(Section):
        grading: Grading = Grading()
        followup: Followup = Followup()
        workday: Workday = Workday()
        meeting: Meeting = Meeting()
        complaint: Complaint = Complaint()
        pool: Pool = Pool()
        leads: Leads = Leads()
        penalty: Penalty = Penalty()
        archive: Archive = Archive()
        receivables: Receivables = Receivables()
        attachments: Attachments = Attachments()
        notify: Notify = Notify()

    return Policy


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    key: str  # dotted: grading.a_within_days
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.key}: {self.message}"


def _line_of(lines: list[str], loc: tuple) -> int | None:
    """The line (1-based) where a dotted key is written: under its [section] header, or inline."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if not parts:
        return None
    section, rest = parts[0], parts[1:]
    current = None
    candidates = []
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]$", line)
        if header:
            current = header.group(1).strip().strip('"')
            if not rest and current == section:
                return number
            continue
        if current == section and rest:
            key = re.escape(rest[0])
            if re.match(rf'^"?{key}"?\s*=', line):
                return number
        if current is None and re.match(rf'^"?{re.escape(section)}"?\s*[=.]', line):
            candidates.append(number)
    return candidates[0] if candidates else None


def _message(error: dict, fields: list[str]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        near = difflib.get_close_matches(key, fields, n=1)
        hint = t("policy.err.did_you_mean", key=near[0]) if near else ""
        return t("policy.err.unknown", hint=hint, keys=", ".join(fields))
    return t("policy.err.value", value=repr(value), reason=error["msg"])


def _fields_at(model, loc: tuple) -> list[str]:
    """The valid keys where an unknown key was found."""
    current = model
    for part in loc[:-1]:
        field = current.model_fields.get(str(part))
        if field is None or not hasattr(field.annotation, "model_fields"):
            return []
        current = field.annotation
    return list(current.model_fields)


def check_policy_text(text_value: str, path: str) -> list[Problem]:
    """Every problem of one policy file (TOML syntax first: a file that does not parse has only that one)."""
    try:
        data = tomllib.loads(text_value)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        return [Problem(path, int(line.group(1)) if line else None, "-", str(exc))]
    from pydantic import ValidationError

    model = _models()
    try:
        model.model_validate(data)
    except ValidationError as exc:
        lines = text_value.splitlines()
        problems = []
        for error in exc.errors():
            loc = error["loc"]
            fields = _fields_at(model, loc) if error["type"] == "extra_forbidden" else []
            key = ".".join(str(p) for p in loc)
            problems.append(Problem(path, _line_of(lines, loc), key, _message(error, fields)))
        return problems
    problems = []
    grading = data.get("grading", {})
    a, b, c = (grading.get(k, d) for k, d in (("a_within_days", 30), ("b_within_days", 90), ("c_within_days", 180)))
    if not a <= b <= c:
        problems.append(Problem(path, _line_of(text_value.splitlines(), ("grading", "b_within_days")),
                                "grading", t("policy.err.grading_order", a=a, b=b, c=c)))
    return problems


def check_policy_file(path: str | Path) -> list[Problem]:
    target = Path(path).expanduser()
    try:
        text_value = target.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(t("err.policy_missing", path=target)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(t("err.policy_file", path=target, error=exc)) from None
    return check_policy_text(text_value, str(target))


def validate_policy_file(path: str | Path) -> None:
    """Raise InvalidInput (exit 2) naming `file:line: key` of the first problem, and how many others there are."""
    problems = check_policy_file(path)
    if problems:
        more = t("policy.err.more", count=len(problems) - 1, path=path) if len(problems) > 1 else ""
        raise InvalidInput(f"{problems[0]}{more}")
