"""Commission (SPEC 1.7): the plan TOML, monthly calculation, statements, settlement, adjustments, what-if.

A month's statement is a list of lines, each `amount = base × rate` rounded once
(half-up to cents), so a rep can recompute every line by hand; the net is the
exact sum of the lines. Kinds of lines:

- `commission`  one per payment collected in the month (or deal won, by the
                plan's basis); a payment crossing a marginal tier limit is
                split into one line per tier;
- `compliance`  gross × (factor − 1), the daily-report compliance factor;
- `penalty`     missed-sale shares, in the year-end month;
- `adjustment`  manual adjustments (`commission adjust`);
- `correction`  a settled month recomputed with its settled plan, target and
                factor but today's payments, minus what was settled and
                corrected before: payments recorded, changed or removed after
                settlement land in the rep's next open month (the first month
                after it that is not settled), never as edits.

A settled month is stored (CommissionSettlement + CommissionLine) and shown
from storage, unchanged. Every query is over the whole scope at once.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, NoReturn

from sqlalchemy import false, func, select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.messages import t
from salesctl.models import (
    GRADES,
    ROLES,
    CommissionAdjustment,
    CommissionLine,
    CommissionSettlement,
    Customer,
    Deal,
    MissedSale,
    MissedSaleShare,
    Payment,
    Staff,
    Target,
)
from salesctl.money import fmt, parse_money, quantize
from salesctl.periods import Period, parse_period, period_containing

if TYPE_CHECKING:
    from salesctl.services.reports.compliance import Compliance
    from salesctl.services.context import Ctx

ZERO = Decimal("0")
NIL = Decimal("0.00")  # the start of every sum of money, so an empty sum prints as 0.00
ONE = Decimal("1")
BASES = ("collected", "won")
MODES = ("marginal", "whole")
KPIS = ("attainment", "new_customers", "visits", "compliance", "archive")
PLAN_KEYS = ("name", "basis", "mode", "tiers", "amount_tiers", "grade_rates", "product_rates", "compliance", "penalty")
TOP_KEYS = PLAN_KEYS + ("evaluation", "plans")
NAMED_KEYS = tuple(k for k in PLAN_KEYS if k != "name") + ("roles", "reps")
TABLE_KEYS = ("grade_rates", "product_rates", "compliance", "penalty")
EVAL_KEYS = ("weights", "new_customers_per_month", "visits_per_month", "recent_contact_days")


def fmt_rate(value: Decimal | None) -> str | None:
    """A rate as a decimal string without exponent: 0.03, -0.06, 1."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def cents(value: Decimal) -> Decimal:
    """The one rounding rule (half-up to cents), without a negative zero."""
    amount = quantize(value)
    return amount if amount else abs(amount)


def percent(value: Decimal) -> str:
    return fmt_rate(value * 100) + "%"


# =========================================================================== the plan
@dataclass(frozen=True)
class Tier:
    start: Decimal  # attainment fraction, or money for amount tiers
    rate: Decimal


@dataclass
class Plan:
    name: str
    basis: str
    mode: str
    tiers: tuple[Tier, ...]
    amount_tiers: tuple[Tier, ...]
    grade_rates: dict[str, Decimal]
    product_rates: dict[str, Decimal]
    per_missing: Decimal
    per_late: Decimal
    floor: Decimal
    year_end_month: int
    roles: tuple[str, ...] = ()
    reps: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """JSON-safe (decimal strings); also the snapshot stored with a settlement."""
        return {
            "name": self.name,
            "basis": self.basis,
            "mode": self.mode,
            "tiers": [{"from": fmt_rate(x.start), "rate": fmt_rate(x.rate)} for x in self.tiers],
            "amount_tiers": [{"from": fmt(x.start), "rate": fmt_rate(x.rate)} for x in self.amount_tiers],
            "grade_rates": {k: fmt_rate(v) for k, v in self.grade_rates.items()},
            "product_rates": {k: fmt_rate(v) for k, v in self.product_rates.items()},
            "compliance": {"per_missing": fmt_rate(self.per_missing), "per_late": fmt_rate(self.per_late),
                           "floor": fmt_rate(self.floor)},
            "penalty": {"year_end_month": self.year_end_month},
            "roles": list(self.roles),
            "reps": list(self.reps),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Plan":
        def tiers(rows):
            return tuple(Tier(Decimal(r["from"]), Decimal(r["rate"])) for r in rows)

        comp = data["compliance"]
        return cls(
            name=data["name"], basis=data["basis"], mode=data["mode"],
            tiers=tiers(data["tiers"]), amount_tiers=tiers(data["amount_tiers"]),
            grade_rates={k: Decimal(v) for k, v in data["grade_rates"].items()},
            product_rates={k: Decimal(v) for k, v in data["product_rates"].items()},
            per_missing=Decimal(comp["per_missing"]), per_late=Decimal(comp["per_late"]),
            floor=Decimal(comp["floor"]), year_end_month=int(data["penalty"]["year_end_month"]),
            roles=tuple(data.get("roles", ())), reps=tuple(data.get("reps", ())),
        )


@dataclass
class Evaluation:
    weights: dict[str, Decimal]
    new_customers_per_month: int
    visits_per_month: int
    recent_contact_days: int

    def to_dict(self) -> dict:
        return {"weights": {k: fmt_rate(v) for k, v in self.weights.items()},
                "new_customers_per_month": self.new_customers_per_month,
                "visits_per_month": self.visits_per_month,
                "recent_contact_days": self.recent_contact_days}


@dataclass
class PlanBook:
    """A loaded plan file: the default plan, the named plans, the evaluation weights."""

    path: Path
    default: Plan
    named: list[Plan]
    evaluation: Evaluation

    def plan_for(self, staff: Staff) -> Plan:
        for plan in self.named:
            if staff.handle in plan.reps:
                return plan
        for plan in self.named:
            if staff.role in plan.roles:
                return plan
        return self.default

    def plans(self) -> list[Plan]:
        return [self.default] + self.named


# --------------------------------------------------------------------------- key → line
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")


def _split_dotted(name: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', name)
    return [a or b or c for a, b, c in parts]


def _key_pattern(key: str) -> re.Pattern:
    quoted = re.escape(key)
    return re.compile(rf'^\s*(?:{quoted}|"{quoted}"|\'{quoted}\')\s*(?:=|\.)')


def _inline_key(key: str) -> re.Pattern:
    quoted = re.escape(key)
    return re.compile(rf'(?:^|[{{,\s])(?:{quoted}|"{quoted}"|\'{quoted}\')\s*=')


def _scan_elements(lines: list[str], row: int, col: int) -> list[tuple[int, int, int, int]]:
    """From the `=` of `key = [...]`, the (line, col) start and end of each top-level `{...}` element."""
    found = []
    depth_sq = 0
    depth_br = 0
    start = None
    in_str = None
    r, c = row, col
    while r < len(lines):
        text = lines[r]
        while c < len(text):
            ch = text[c]
            if in_str:
                if ch == "\\" and in_str == '"':
                    c += 2
                    continue
                if ch == in_str:
                    in_str = None
            elif ch in "\"'":
                in_str = ch
            elif ch == "#":
                break
            elif ch == "[":
                depth_sq += 1
            elif ch == "]":
                depth_sq -= 1
                if depth_sq == 0:
                    return found
            elif ch == "{":
                if depth_br == 0 and depth_sq == 1:
                    start = (r, c)
                depth_br += 1
            elif ch == "}":
                depth_br -= 1
                if depth_br == 0 and depth_sq == 1 and start:
                    found.append((start[0], start[1], r, c))
                    start = None
            c += 1
        r += 1
        c = 0
    return found


def locate_key(text: str, path: list) -> int | None:
    """The 1-based line of a key path like ["plans", "senior", "tiers", 1, "rate"] (tomllib has no positions)."""
    lines = text.splitlines()
    headers = []
    for i, line in enumerate(lines):
        m = _HEADER.match(line)
        if m and "=" not in line:
            headers.append((i, m.group(1) == "[[", _split_dotted(m.group(2))))
    # which table holds the path: the longest header that prefixes it
    lo, hi, rest, best = 0, len(lines), list(path), None
    first_header = headers[0][0] if headers else len(lines)
    hi = first_header
    for length in range(len(path), 0, -1):
        prefix = [p for p in path[:length]]
        if any(isinstance(p, int) for p in prefix):
            continue
        matches = [h for h in headers if h[2] == prefix]
        if not matches:
            continue
        rest = list(path[length:])
        if matches[0][1] and rest and isinstance(rest[0], int):  # [[array.of.tables]]
            index = rest.pop(0)
            if index >= len(matches):
                return matches[-1][0] + 1
            row = matches[index][0]
        else:
            row = matches[0][0]
        later = [h[0] for h in headers if h[0] > row]
        lo, hi, best = row + 1, (later[0] if later else len(lines)), row + 1
        break
    if not rest:
        return best
    key = rest.pop(0)
    pattern = _key_pattern(str(key))
    row = next((i for i in range(lo, hi) if pattern.match(lines[i])), None)
    if row is None:
        return best
    best = row + 1
    col = lines[row].find("=")
    if rest and isinstance(rest[0], int):
        elements = _scan_elements(lines, row, col)
        index = rest.pop(0)
        if index >= len(elements):
            return best
        r0, c0, r1, c1 = elements[index]
        best = r0 + 1
        if rest:
            inner = _inline_key(str(rest[0]))
            for r in range(r0, r1 + 1):
                segment = lines[r][(c0 if r == r0 else 0):(c1 + 1 if r == r1 else None)]
                if inner.search(segment):
                    return r + 1
        return best
    if rest:
        inner = _inline_key(str(rest[0]))
        for r in range(row, min(hi, row + 50)):
            if inner.search(lines[r][col + 1:] if r == row else lines[r]):
                return r + 1
    return best


def dotted(path: list) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = str(part)
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                name = json.dumps(name, ensure_ascii=False)
            out += ("." if out else "") + name
    return out


# --------------------------------------------------------------------------- validation
class _Reader:
    """Validates values of one plan file; every error names the file, line and key."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text

    def fail(self, keypath: list, problem: str) -> NoReturn:
        line = locate_key(self.text, keypath)
        where = f"{self.path.name}:{line}" if line else self.path.name
        raise InvalidInput(f"{where}: {dotted(keypath)}: {problem}")

    def decimal(self, value, keypath, *, low: Decimal | None = ZERO, high: Decimal | None = None,
                cents: bool = False) -> Decimal:
        if isinstance(value, float):
            self.fail(keypath, t("commission.plan.float", repr=repr(value), value=value))
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.fail(keypath, t("commission.plan.not_decimal", shown=_show(value)))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(keypath, t("commission.plan.not_decimal", shown=f"'{value}'"))
        if not number.is_finite():
            self.fail(keypath, t("commission.plan.not_decimal", shown=f"'{value}'"))
        if cents and number != quantize(number):
            self.fail(keypath, t("commission.plan.too_many_decimals", value=value))
        if low is not None and number < low:
            self.fail(keypath, t("commission.plan.below", value=value, low=low))
        if high is not None and number > high:
            self.fail(keypath, t("commission.plan.above", value=value, high=high))
        return number

    def integer(self, value, keypath, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(keypath, t("commission.plan.not_integer", shown=_show(value)))
        if not low <= value <= high:
            self.fail(keypath, t("commission.plan.not_between", value=value, low=low, high=high))
        return value

    def choice(self, value, keypath, accepted) -> str:
        if value not in accepted:
            self.fail(keypath, t("commission.plan.not_accepted", shown=_show(value), accepted=", ".join(accepted)))
        return value

    def table(self, value, keypath) -> dict:
        if not isinstance(value, dict):
            self.fail(keypath, t("commission.plan.not_table", shown=_show(value)))
        return value

    def keys(self, data: dict, keypath: list, accepted) -> None:
        for key in data:
            if key not in accepted:
                self.fail(keypath + [key], t("commission.plan.unknown_key", accepted=", ".join(accepted)))

    def tiers(self, value, keypath, *, money: bool) -> tuple[Tier, ...]:
        if not isinstance(value, list) or not value:
            self.fail(keypath, t("commission.plan.tiers_list", example='{ from = "…", rate = "…" }'))
        out: list[Tier] = []
        for i, row in enumerate(value):
            if not isinstance(row, dict):
                self.fail(keypath + [i], t("commission.plan.tier_not_table", shown=_show(row),
                                           example='{ from = "0", rate = "0.02" }'))
            self.keys(row, keypath + [i], ("from", "rate"))
            for need in ("from", "rate"):
                if need not in row:
                    self.fail(keypath + [i], t("commission.plan.missing", need=need))
            start = self.decimal(row["from"], keypath + [i, "from"], cents=money)
            rate = self.decimal(row["rate"], keypath + [i, "rate"], high=ONE)
            if i == 0 and start != 0:
                self.fail(keypath + [i, "from"], t("commission.plan.first_tier", value=row["from"]))
            if out and start <= out[-1].start:
                self.fail(keypath + [i, "from"], t("commission.plan.tier_order", value=row["from"],
                                                   previous=fmt_rate(out[-1].start)))
            out.append(Tier(start, rate))
        return tuple(out)

    def rates(self, value, keypath, *, grades: bool) -> dict[str, Decimal]:
        data = self.table(value, keypath)
        out = {}
        for key, rate in data.items():
            if grades and key not in GRADES:
                self.fail(keypath + [key], t("commission.plan.not_grade", value=key, accepted=", ".join(GRADES)))
            if not str(key).strip():
                self.fail(keypath + [key], t("commission.plan.empty_product"))
            out[str(key)] = self.decimal(rate, keypath + [key], high=ONE)
        return out

    def names(self, value, keypath, accepted=None) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.fail(keypath, t("commission.plan.not_list", shown=_show(value)))
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(keypath + [i], t("commission.plan.not_name", shown=_show(item)))
            if accepted and item not in accepted:
                self.fail(keypath + [i], t("commission.plan.not_accepted", shown=f"'{item}'", accepted=", ".join(accepted)))
        return tuple(value)


def _show(value) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, (dict, list)):
        return t("commission.plan.a_table" if isinstance(value, dict) else "commission.plan.a_list")
    return repr(value)


def _parse_plan_keys(reader: _Reader, data: dict, keypath: list) -> dict:
    """Validate the plan keys present in data; returns parsed values by key."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        kp = keypath + [key]
        if key == "name":
            if not isinstance(value, str) or not value.strip():
                reader.fail(kp, t("commission.plan.not_name", shown=_show(value)))
            out["name"] = value.strip()
        elif key == "basis":
            out["basis"] = reader.choice(value, kp, BASES)
        elif key == "mode":
            out["mode"] = reader.choice(value, kp, MODES)
        elif key == "tiers":
            out["tiers"] = reader.tiers(value, kp, money=False)
        elif key == "amount_tiers":
            out["amount_tiers"] = reader.tiers(value, kp, money=True)
        elif key == "grade_rates":
            out["grade_rates"] = reader.rates(value, kp, grades=True)
        elif key == "product_rates":
            out["product_rates"] = reader.rates(value, kp, grades=False)
        elif key == "compliance":
            table = reader.table(value, kp)
            reader.keys(table, kp, ("per_missing", "per_late", "floor"))
            out["compliance"] = {k: reader.decimal(v, kp + [k], high=ONE) for k, v in table.items()}
        elif key == "penalty":
            table = reader.table(value, kp)
            reader.keys(table, kp, ("year_end_month",))
            out["penalty"] = {k: reader.integer(v, kp + [k], 1, 12) for k, v in table.items()}
        elif key == "roles":
            out["roles"] = reader.names(value, kp, ROLES)
        elif key == "reps":
            out["reps"] = reader.names(value, kp)
    return out


def _build_plan(name: str, parsed: dict, default_year_end: int) -> Plan:
    comp = parsed.get("compliance", {})
    return Plan(
        name=name,
        basis=parsed.get("basis", "collected"),
        mode=parsed.get("mode", "marginal"),
        tiers=parsed["tiers"],
        amount_tiers=parsed["amount_tiers"],
        grade_rates=dict(parsed.get("grade_rates", {})),
        product_rates=dict(parsed.get("product_rates", {})),
        per_missing=comp.get("per_missing", Decimal("0.02")),
        per_late=comp.get("per_late", Decimal("0.02")),
        floor=comp.get("floor", Decimal("0.80")),
        year_end_month=parsed.get("penalty", {}).get("year_end_month", default_year_end),
        roles=parsed.get("roles", ()),
        reps=parsed.get("reps", ()),
    )


def _parse_evaluation(reader: _Reader, value) -> Evaluation:
    kp = ["evaluation"]
    table = reader.table(value, kp)
    reader.keys(table, kp, EVAL_KEYS)
    weights_raw = reader.table(table.get("weights", {}), kp + ["weights"])
    reader.keys(weights_raw, kp + ["weights"], KPIS)
    weights = {k: reader.decimal(weights_raw.get(k, "0"), kp + ["weights", k], high=ONE) for k in KPIS}
    total = sum(weights.values())
    if total != ONE:
        reader.fail(kp + ["weights"], t("commission.plan.weights_sum", total=fmt_rate(total)))
    return Evaluation(
        weights=weights,
        new_customers_per_month=reader.integer(table.get("new_customers_per_month", 3),
                                               kp + ["new_customers_per_month"], 0, 100000),
        visits_per_month=reader.integer(table.get("visits_per_month", 40), kp + ["visits_per_month"], 0, 100000),
        recent_contact_days=reader.integer(table.get("recent_contact_days", 90), kp + ["recent_contact_days"], 1, 3660),
    )


DEFAULT_EVALUATION = {"weights": {"attainment": "0.40", "new_customers": "0.15", "visits": "0.15",
                                  "compliance": "0.15", "archive": "0.15"}}


def parse_plan_text(text: str, path: Path) -> PlanBook:
    """Parse and validate a plan file's text; InvalidInput names file:line: key for any problem."""
    from salesctl.policy import section

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        if m:
            raise InvalidInput(f"{path.name}:{m.group(1)}: {message[:m.start()].strip()}") from None
        raise InvalidInput(f"{path.name}: {message}") from None
    reader = _Reader(path, text)
    reader.keys(raw, [], TOP_KEYS)
    base = _parse_plan_keys(reader, {k: v for k, v in raw.items() if k in PLAN_KEYS}, [])
    for need in ("tiers", "amount_tiers"):
        if need not in base:
            raise InvalidInput(t("commission.plan.required_default", file=path.name, key=need))
    year_end = int(section("penalty").get("year_end_month", 12))
    default = _build_plan(base.get("name", "default"), base, year_end)
    named: list[Plan] = []
    plans = reader.table(raw.get("plans", {}), ["plans"])
    seen_reps: dict[str, str] = {}
    seen_roles: dict[str, str] = {}
    for name, data in plans.items():
        kp = ["plans", name]
        data = reader.table(data, kp)
        reader.keys(data, kp, NAMED_KEYS)
        own = _parse_plan_keys(reader, data, kp)
        if not own.get("reps") and not own.get("roles"):
            reader.fail(kp, t("commission.plan.selects_nobody"))
        for key, seen in (("reps", seen_reps), ("roles", seen_roles)):
            for i, who in enumerate(own.get(key, ())):
                if who in seen:
                    reader.fail(kp + [key, i], t("commission.plan.already_in", who=who, plan=seen[who], key=key))
                seen[who] = name
        merged = dict(base)
        for key, value in own.items():
            if key in TABLE_KEYS:
                merged[key] = {**base.get(key, {}), **value}
            else:
                merged[key] = value
        named.append(_build_plan(name, merged, year_end))
    evaluation = _parse_evaluation(reader, raw.get("evaluation", DEFAULT_EVALUATION))
    return PlanBook(path=path, default=default, named=named, evaluation=evaluation)


def load_plan_file(path: str | Path, field: str = "plan") -> PlanBook:
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(t("commission.err.no_file", field=field, path=path)) from None
    except OSError as exc:
        raise InvalidInput(t("commission.err.unreadable", field=field, path=path, error=exc.strerror)) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(t("err.not_utf8", field=field, path=path, offset=exc.start)) from None
    return parse_plan_text(text, path)


def plan_path() -> Path:
    """The configured plan (config `commission_plan`), else the shipped data/commission.toml."""
    from salesctl.config import load_config, shipped_data_dir

    configured = load_config().get("commission_plan")
    return Path(configured).expanduser() if configured else shipped_data_dir() / "commission.toml"


def current_book() -> PlanBook:
    path = plan_path()
    if not path.exists():
        raise InvalidInput(t("commission.err.no_plan_file", path=path))
    return load_plan_file(path, "commission_plan")


def plan_rows(book: PlanBook) -> list[dict]:
    """One row per plan, for `commission plan show`."""
    rows = []
    for plan in book.plans():
        who = []
        if plan.reps:
            who.append("reps: " + ", ".join(plan.reps))
        if plan.roles:
            who.append("roles: " + ", ".join(plan.roles))
        rows.append({
            "plan": plan.name,
            "applies_to": "; ".join(who) or t("commission.everyone_else"),
            "basis": plan.basis,
            "mode": plan.mode,
            "tiers": ", ".join(f"≥{percent(x.start)} {fmt_rate(x.rate)}" for x in plan.tiers),
            "amount_tiers": ", ".join(f"≥{fmt(x.start)} {fmt_rate(x.rate)}" for x in plan.amount_tiers),
            "overrides": ", ".join([f"{k} {fmt_rate(v)}" for k, v in plan.grade_rates.items()]
                                   + [f"{k} {fmt_rate(v)}" for k, v in plan.product_rates.items()]),
            "compliance": f"-{fmt_rate(plan.per_missing)}/missing, -{fmt_rate(plan.per_late)}/late, floor {fmt_rate(plan.floor)}",
            "year_end_month": plan.year_end_month,
        })
    return rows


def book_dict(book: PlanBook) -> dict:
    return {"file": str(book.path), "default": book.default.to_dict(),
            "plans": [p.to_dict() for p in book.named], "evaluation": book.evaluation.to_dict()}


# =========================================================================== calculation
@dataclass
class Item:
    """Something commission is paid on: a payment collected, or a deal won."""

    source: str  # payment:12 | deal:5
    amount: Decimal
    day: date
    deal_id: int
    deal_title: str
    customer: str
    grade: str | None
    product: str | None
    recorded_at: datetime | None = None

    @property
    def order(self):
        return (self.day, int(self.source.split(":")[1]))


@dataclass
class Line:
    kind: str  # commission | compliance | penalty | adjustment | correction
    source: str | None
    base: Decimal | None
    rate: Decimal | None
    amount: Decimal
    rule: str | None = None
    note: str | None = None

    def as_dict(self, seq: int) -> dict:
        return {"seq": seq, "kind": self.kind, "source": self.source, "base": self.base,
                "rate": self.rate if isinstance(self.rate, str) or self.rate is None else fmt_rate(self.rate),
                "amount": self.amount, "rule": self.rule, "note": self.note}


@dataclass
class Pricing:
    lines: list[Line]
    base: Decimal
    target: Decimal | None
    attainment: Decimal | None
    tier: str
    gross: Decimal
    overrides: dict[str, list | None]


def _brackets(plan: Plan, target: Decimal | None):
    if target is not None and target > 0:
        tiers = plan.tiers
        bounds = [quantize(x.start * target) for x in tiers]
        labels = []
        for i, x in enumerate(tiers):
            if i + 1 < len(tiers):
                labels.append(f"{percent(x.start)}–{percent(tiers[i + 1].start)} of target")
            else:
                labels.append(f"≥{percent(x.start)} of target")
    else:
        tiers = plan.amount_tiers
        bounds = [x.start for x in tiers]
        labels = []
        for i, x in enumerate(tiers):
            if i + 1 < len(tiers):
                labels.append(f"{fmt(x.start)}–{fmt(tiers[i + 1].start)}")
            else:
                labels.append(f"≥{fmt(x.start)}")
    return tiers, bounds, labels


def _bracket_of(bounds: list[Decimal], value: Decimal) -> int:
    index = 0
    for i, bound in enumerate(bounds):
        if value >= bound:
            index = i
    return index


def _override(item: Item, plan: Plan) -> list | None:
    if item.product and item.product in plan.product_rates:
        return [fmt_rate(plan.product_rates[item.product]), f"product rate ({item.product})"]
    if item.grade and item.grade in plan.grade_rates:
        return [fmt_rate(plan.grade_rates[item.grade]), f"grade {item.grade} rate"]
    return None


def price(items: Iterable[Item], plan: Plan, target: Decimal | None, fixed: dict | None = None) -> Pricing:
    """The commission lines of one month's items under a plan (pure; no database)."""
    items = sorted(items, key=lambda x: x.order)
    tiers, bounds, labels = _brackets(plan, target)
    base = sum((x.amount for x in items), NIL)
    reached = _bracket_of(bounds, base)
    attainment = (base / target).quantize(Decimal("0.0001"), ROUND_HALF_UP) if target else None
    overrides: dict[str, list | None] = {}
    lines: list[Line] = []
    cumulative = NIL
    for item in items:
        ov = fixed[item.source] if fixed is not None and item.source in fixed else _override(item, plan)
        overrides[item.source] = ov
        what = f"{item.day.isoformat()} {item.customer} · deal {item.deal_id} {item.deal_title}"
        if plan.mode == "whole":
            n = reached
            rate = Decimal(ov[0]) if ov else tiers[n].rate
            rule = f"tier {n + 1} ({labels[n]}) reached by the base {fmt(base)}, whole"
            if ov:
                rule = f"{ov[1]}; base reached tier {n + 1}"
            lines.append(Line("commission", item.source, item.amount, rate, cents(item.amount * rate), rule, what))
            continue
        remaining = item.amount
        while True:
            n = _bracket_of(bounds, cumulative)
            upper = bounds[n + 1] if n + 1 < len(bounds) else None
            piece = remaining if (upper is None or remaining <= 0) else min(remaining, upper - cumulative)
            rate = Decimal(ov[0]) if ov else tiers[n].rate
            rule = f"tier {n + 1} ({labels[n]}), marginal"
            if ov:
                rule = f"{ov[1]}; slice in tier {n + 1}"
            note = f"{what}; slice {fmt(cumulative)}–{fmt(cumulative + piece)} of the base"
            lines.append(Line("commission", item.source, piece, rate, cents(piece * rate), rule, note))
            cumulative += piece
            remaining -= piece
            if remaining <= 0:
                break
    gross = sum((x.amount for x in lines), NIL)
    tier = f"{reached + 1}: {labels[reached]} @ {fmt_rate(tiers[reached].rate)}"
    return Pricing(lines, base, target, attainment, tier, gross, overrides)


def compliance_line(gross: Decimal, plan: Plan, comp: "Compliance | None", month: str) -> tuple[Line, Decimal]:
    missing = comp.missing if comp else 0
    late = comp.late if comp else 0
    raw = ONE - plan.per_missing * missing - plan.per_late * late
    factor = max(plan.floor, raw)
    rate = factor - ONE
    rule = (f"factor 1 − {fmt_rate(plan.per_missing)}×{missing} missing − {fmt_rate(plan.per_late)}×{late} late"
            f" = {fmt_rate(raw)}, floor {fmt_rate(plan.floor)} → {fmt_rate(factor)}")
    notes = []
    if comp and comp.missing_days:
        notes.append("missing " + ", ".join(d.isoformat() for d in comp.missing_days))
    if comp and comp.late_days:
        notes.append("late " + ", ".join(d.isoformat() for d in comp.late_days))
    return Line("compliance", f"reports:{month}", gross, rate, cents(gross * rate), rule,
                "; ".join(notes) or None), factor


@dataclass
class Statement:
    staff: Staff
    month: str
    plan: str
    lines: list[Line]
    net: Decimal
    row: dict
    settled: bool = False
    settled_at: datetime | None = None
    settled_by: str | None = None
    summary: dict = field(default_factory=dict)  # stored with a settlement

    def as_dict(self) -> dict:
        return {
            "handle": self.staff.handle,
            "name": self.staff.name,
            "month": self.month,
            "plan": self.plan,
            "status": "settled" if self.settled else "open",
            "settled_at": self.settled_at,
            "settled_by": self.settled_by,
            "lines": [line.as_dict(i + 1) for i, line in enumerate(self.lines)],
            "net": self.net,
        }


# --------------------------------------------------------------------------- months
def month_label(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def next_month(label: str) -> str:
    year, month = int(label[:4]), int(label[5:7])
    return f"{year + (month == 12)}-{(month % 12) + 1:02d}"


def prev_month(label: str) -> str:
    year, month = int(label[:4]), int(label[5:7])
    return f"{year - (month == 1)}-{((month - 2) % 12) + 1:02d}"


def month_period(label: str) -> Period:
    return period_containing("month", date(int(label[:4]), int(label[5:7]), 1))


def lands_in(origin: str, month: str, settled: set[str]) -> bool:
    """Does something belonging to the settled month `origin` land in `month`?

    It lands in the next open month: the first month after `origin` that the rep
    has not settled.
    """
    current = next_month(origin)
    while current < month:
        if current not in settled:
            return False
        current = next_month(current)
    return current == month


def penalty_month(occurred: date, year_end_month: int) -> str:
    """The year-end month that charges a missed sale: the first month ≥ it that is year_end_month."""
    year = occurred.year if occurred.month <= year_end_month else occurred.year + 1
    return f"{year}-{year_end_month:02d}"


# --------------------------------------------------------------------------- loading (fixed queries)
def load_items(session, staff_ids: list[int], first: date, last: date, basis: str) -> dict[int, list[Item]]:
    """Payments collected (or deals won) in [first, last] on deals owned by these staff, by owner."""
    out: dict[int, list[Item]] = {}
    if not staff_ids:
        return out
    if basis == "won":
        stmt = (select(Deal.owner_id, Deal.id, Deal.amount, Deal.won_on, Deal.id, Deal.title, Customer.name,
                       Customer.grade, Deal.product, Deal.updated_at)
                .join(Customer, Customer.id == Deal.customer_id)
                .where(Deal.owner_id.in_(staff_ids), Deal.status == "won", Deal.won_on >= first, Deal.won_on <= last))
        kind = "deal"
    else:
        stmt = (select(Deal.owner_id, Payment.id, Payment.amount, Payment.paid_on, Deal.id, Deal.title,
                       Customer.name, Customer.grade, Deal.product, Payment.created_at)
                .join(Deal, Deal.id == Payment.deal_id)
                .join(Customer, Customer.id == Deal.customer_id)
                .where(Deal.owner_id.in_(staff_ids), Payment.paid_on >= first, Payment.paid_on <= last))
        kind = "payment"
    for owner, item_id, amount, day, deal_id, title, customer, grade, product, recorded in session.execute(stmt):
        out.setdefault(owner, []).append(Item(f"{kind}:{item_id}", amount, day, deal_id, title, customer,
                                              grade, product, recorded))
    return out


def month_targets(session, staff_ids: list[int], month: Period) -> dict[int, Decimal]:
    """The month's target per person: the month's own, else a third of the quarter's (to cents)."""
    quarter = period_containing("quarter", month.start).label
    found: dict[int, dict[str, Decimal]] = {}
    if staff_ids:
        stmt = select(Target.staff_id, Target.period, Target.amount).where(
            Target.staff_id.in_(staff_ids), Target.period.in_((month.label, quarter)))
        for sid, period, amount in session.execute(stmt):
            found.setdefault(sid, {})[period] = amount
    out = {}
    for sid, periods in found.items():
        if month.label in periods:
            out[sid] = periods[month.label]
        elif quarter in periods:
            out[sid] = quantize(periods[quarter] / 3)
    return out


@dataclass
class Ledger:
    """Everything stored about the scope's settlements: by staff, by month; and their lines."""

    settlements: dict[int, dict[str, CommissionSettlement]]
    lines: dict[int, list[CommissionLine]]  # settlement id → lines (the ones loaded)
    settled_by: dict[int, str]

    def settled_months(self, sid: int) -> set[str]:
        return set(self.settlements.get(sid, {}))

    def run_before(self, sid: int, month: str) -> list[str]:
        """Settled months whose next open month is `month` (the settled run right before it)."""
        months = self.settled_months(sid)
        run = []
        current = prev_month(month)
        while current in months:
            run.append(current)
            current = prev_month(current)
        return run

    def stored(self, sid: int, kinds: tuple[str, ...]) -> list[CommissionLine]:
        out = []
        for s in self.settlements.get(sid, {}).values():
            out.extend(x for x in self.lines.get(s.id, []) if x.kind in kinds)
        return out


def load_ledger(session, staff_ids: list[int], month: str) -> Ledger:
    settlements: dict[int, dict[str, CommissionSettlement]] = {}
    by: dict[int, str] = {}
    if not staff_ids:
        return Ledger({}, {}, {})
    stmt = (select(CommissionSettlement, Staff.handle)
            .join(Staff, Staff.id == CommissionSettlement.settled_by_id)
            .where(CommissionSettlement.staff_id.in_(staff_ids), CommissionSettlement.month <= month))
    for s, handle in session.execute(stmt):
        settlements.setdefault(s.staff_id, {})[s.month] = s
        by[s.id] = handle
    wanted = {s.id for per in settlements.values() for m, s in per.items() if m == month}
    lines: dict[int, list[CommissionLine]] = {}
    if settlements:
        ids = select(CommissionSettlement.id).where(CommissionSettlement.staff_id.in_(staff_ids),
                                                    CommissionSettlement.month <= month)
        stmt = (select(CommissionLine).where(CommissionLine.settlement_id.in_(ids))
                .where(CommissionLine.settlement_id.in_(wanted) | CommissionLine.kind.in_(("correction", "penalty")))
                .order_by(CommissionLine.settlement_id, CommissionLine.seq))
        for line in session.execute(stmt).scalars():
            lines.setdefault(line.settlement_id, []).append(line)
    return Ledger(settlements, lines, by)


# --------------------------------------------------------------------------- the engine
@dataclass
class Calculator:
    """Computes statements for a set of staff for one month, with a fixed number of queries."""

    ctx: "Ctx"
    book: PlanBook
    month: Period
    staff: list[Staff]
    live: bool = False  # ignore settlements (what-if)

    def __post_init__(self):
        session = self.ctx.session
        ids = [s.id for s in self.staff]
        self.ids = ids
        self.plans = {s.id: self.book.plan_for(s) for s in self.staff}
        label = self.month.label
        self.items: dict[str, dict[int, list[Item]]] = {}
        for basis in sorted({p.basis for p in self.plans.values()}):
            self.items[basis] = load_items(session, ids, self.month.start, self.month.end, basis)
        self.targets = month_targets(session, ids, self.month)
        self.ledger = load_ledger(session, ids, label)
        from salesctl.services.reports.compliance import daily_compliance

        self.compliance = daily_compliance(session, Staff.id.in_(ids) if ids else false(),
                                           self.month.start, self.month.end, self.ctx.clock)
        self.adjustments: dict[int, list[tuple[CommissionAdjustment, str | None]]] = {}
        if ids:
            by = aliased_staff()
            stmt = (select(CommissionAdjustment, by.handle).outerjoin(by, by.id == CommissionAdjustment.by_id)
                    .where(CommissionAdjustment.staff_id.in_(ids), CommissionAdjustment.month == label)
                    .order_by(CommissionAdjustment.id))
            for adj, handle in session.execute(stmt):
                self.adjustments.setdefault(adj.staff_id, []).append((adj, handle))
        self._load_penalties()
        self._load_corrections()

    # -- penalties: shares of missed sales, charged in the year-end month (or the next open month)
    def _load_penalties(self):
        self.penalties: dict[int, list[tuple]] = {}
        if not self.ids:
            return
        stmt = (select(MissedSaleShare.staff_id, MissedSale.id, MissedSale.name, MissedSale.region,
                       MissedSale.industry, MissedSale.amount, MissedSale.occurred_on,
                       func.sum(MissedSaleShare.amount))
                .join(MissedSale, MissedSale.id == MissedSaleShare.missed_sale_id)
                .where(MissedSaleShare.staff_id.in_(self.ids), MissedSale.occurred_on <= self.month.end)
                .group_by(MissedSaleShare.staff_id, MissedSale.id, MissedSale.name, MissedSale.region,
                          MissedSale.industry, MissedSale.amount, MissedSale.occurred_on))
        for row in self.ctx.session.execute(stmt):
            self.penalties.setdefault(row[0], []).append(row[1:])

    # -- corrections: the settled months whose next open month is this one
    def _load_corrections(self):
        self.run_items: dict[str, dict[int, list[Item]]] = {}
        runs = {sid: self.ledger.run_before(sid, self.month.label) for sid in self.ids}
        months = sorted({m for run in runs.values() for m in run})
        self.runs = runs
        if not months:
            return
        bases = set()
        for sid, run in runs.items():
            for m in run:
                snapshot = json.loads(self.ledger.settlements[sid][m].summary).get("plan_snapshot", {})
                bases.add(snapshot.get("basis", "collected"))
        first = month_period(months[0]).start
        last = self.month.start - timedelta(days=1)
        for basis in sorted(bases):
            self.run_items[basis] = load_items(self.ctx.session, self.ids, first, last, basis)

    # -- one person's statement
    def statement(self, person: Staff) -> Statement:
        label = self.month.label
        settled = self.ledger.settlements.get(person.id, {}).get(label)
        if settled is not None and not self.live:
            return self._stored(person, settled)
        plan = self.plans[person.id]
        target = self.targets.get(person.id)
        pricing = price(self.items[plan.basis].get(person.id, []), plan, target)
        comp = self.compliance.get(person.id)
        comp_line, factor = compliance_line(pricing.gross, plan, comp, label)
        lines = list(pricing.lines) + [comp_line]
        penalties = self._penalty_lines(person, plan)
        adjustments = self._adjustment_lines(person)
        corrections = self._correction_lines(person)
        lines += penalties + adjustments + corrections
        net = sum((x.amount for x in lines), NIL)
        row = {
            "id": person.id, "handle": person.handle, "name": person.name, "plan": plan.name,
            "base": pricing.base, "target": target, "attainment": fmt_rate(pricing.attainment),
            "tier": pricing.tier, "gross": pricing.gross, "factor": fmt_rate(factor),
            "compliance": comp_line.amount,
            "penalties": sum((x.amount for x in penalties), NIL),
            "adjustments": sum((x.amount for x in adjustments + corrections), NIL),
            "net": net, "status": "open",
        }
        summary = dict(row)
        summary.update({
            "plan_snapshot": plan.to_dict(), "factor": fmt_rate(factor),
            "items": {x.source: fmt(x.amount) for x in self.items[plan.basis].get(person.id, [])},
            "overrides": pricing.overrides,
        })
        return Statement(person, label, plan.name, lines, net, row, summary=summary)

    def _stored(self, person: Staff, settled: CommissionSettlement) -> Statement:
        summary = json.loads(settled.summary)
        lines = [Line(x.kind, x.source, x.base, x.rate, x.amount, x.rule, x.note)
                 for x in self.ledger.lines.get(settled.id, [])]
        row = {k: summary.get(k) for k in ROW_KEYS}
        row.update({"id": person.id, "handle": person.handle, "name": person.name, "status": "settled"})
        for key in MONEY_KEYS:
            if row.get(key) is not None:
                row[key] = Decimal(row[key])
        return Statement(person, settled.month, summary.get("plan", ""), lines, settled.net, row, settled=True,
                         settled_at=settled.settled_at, settled_by=self.ledger.settled_by.get(settled.id),
                         summary=summary)

    def _penalty_lines(self, person: Staff, plan: Plan) -> list[Line]:
        label = self.month.label
        settled = self.ledger.settled_months(person.id)
        charged = {x.source for x in self._stored_lines(person, ("penalty",))}
        out = []
        for sale_id, name, region, industry, sale_amount, occurred, share in sorted(
                self.penalties.get(person.id, []), key=lambda r: (r[5], r[0])):
            source = f"missed_sale:{sale_id}"
            if source in charged:
                continue
            due = penalty_month(occurred, plan.year_end_month)
            if due > label or (due < label and not lands_in(due, label, settled)):
                continue
            rule = f"missed-sale penalty, charged in the year-end month {due}"
            if due != label:
                rule += f" (settled before it was recorded: next open month)"
            note = f"{occurred.isoformat()} {name} ({region}, {industry}); sale {fmt(sale_amount)}"
            out.append(Line("penalty", source, share, Decimal("-1"), cents(-share), rule, note))
        return out

    def _stored_lines(self, person: Staff, kinds: tuple[str, ...]) -> list[CommissionLine]:
        """Lines of the person's settled statements (this month's own left out when recomputing it live)."""
        lines = self.ledger.stored(person.id, kinds)
        own = self.ledger.settlements.get(person.id, {}).get(self.month.label)
        if own is not None:
            lines = [x for x in lines if x.settlement_id != own.id]
        return lines

    def _adjustment_lines(self, person: Staff) -> list[Line]:
        out = []
        for adj, by in self.adjustments.get(person.id, []):
            rule = f"manual adjustment by {by}" if by else "manual adjustment"
            out.append(Line("adjustment", f"adjustment:{adj.id}", adj.amount, ONE, cents(adj.amount), rule,
                            adj.reason))
        return out

    def _correction_lines(self, person: Staff) -> list[Line]:
        out = []
        prior = self._stored_lines(person, ("correction",))
        for origin in sorted(self.runs.get(person.id, [])):
            settled = self.ledger.settlements[person.id][origin]
            summary = json.loads(settled.summary)
            plan = Plan.from_dict(summary["plan_snapshot"])
            target = Decimal(summary["target"]) if summary.get("target") is not None else None
            factor = Decimal(summary["factor"])
            items = [x for x in self.run_items.get(plan.basis, {}).get(person.id, [])
                     if month_label(x.day) == origin]
            pricing = price(items, plan, target, fixed=summary.get("overrides", {}))
            compliance = cents(pricing.gross * (factor - ONE))
            source = f"settled:{origin}"
            done = [x for x in prior if x.source == source]
            done_amount = sum((x.amount for x in done), NIL)
            done_base = sum((x.base or ZERO for x in done), NIL)
            settled_value = Decimal(summary["gross"]) + Decimal(summary["compliance"])
            delta = pricing.gross + compliance - settled_value - done_amount
            delta_base = pricing.base - Decimal(summary["base"]) - done_base
            if delta == 0 and delta_base == 0:
                continue
            before = summary.get("items", {})
            now = {x.source: x for x in items}
            changes = []
            for src, item in sorted(now.items(), key=lambda kv: kv[1].order):
                if src not in before:
                    late = item.recorded_at is not None and item.recorded_at > settled.settled_at
                    changes.append(f"{src} {item.day.isoformat()} +{fmt(item.amount)}"
                                   + (" recorded after settlement" if late else " added"))
                elif Decimal(before[src]) != item.amount:
                    changes.append(f"{src} changed {before[src]} → {fmt(item.amount)}")
            for src, amount in before.items():
                if src not in now:
                    changes.append(f"{src} removed −{amount}")
            rule = (f"{origin} recomputed with its settled plan, target and factor {fmt_rate(factor)}: "
                    f"gross {fmt(pricing.gross)} + compliance {fmt(compliance)} − settled {fmt(settled_value)}"
                    + (f" − corrected before {fmt(done_amount)}" if done else ""))
            out.append(Line("correction", source, delta_base, None, delta, rule, "; ".join(changes) or None))
        return out


ROW_KEYS = ("id", "handle", "name", "plan", "base", "target", "attainment", "tier", "gross", "factor",
            "compliance", "penalties", "adjustments", "net", "status")
MONEY_KEYS = ("base", "target", "gross", "compliance", "penalties", "adjustments", "net")


def aliased_staff():
    from sqlalchemy.orm import aliased

    return aliased(Staff)


# --------------------------------------------------------------------------- who is in a calculation
def _scope(ctx: "Ctx", **flags):
    from salesctl.permissions import pay_scope

    return pay_scope(ctx, **flags)


def staff_in_scope(ctx: "Ctx", scope, month: Period, book: PlanBook) -> list[Staff]:
    """Active reps in the scope, plus anyone in it with commission activity in the month."""
    from salesctl.permissions import scope_clause

    session = ctx.session
    stmt = select(Staff)
    clause = scope_clause(scope, Staff.id)
    if clause is not None:
        stmt = stmt.where(clause)
    everyone = {s.id: s for s in session.execute(stmt.order_by(Staff.id)).scalars()}
    ids = list(everyone)
    chosen = {sid for sid, s in everyone.items() if s.role == "rep" and s.active}
    if not ids:
        return []
    active = set()
    active.update(session.execute(
        select(Deal.owner_id).join(Payment, Payment.deal_id == Deal.id)
        .where(Deal.owner_id.in_(ids), Payment.paid_on >= month.start, Payment.paid_on <= month.end)
        .distinct()).scalars())
    active.update(session.execute(
        select(Deal.owner_id).where(Deal.owner_id.in_(ids), Deal.status == "won", Deal.won_on >= month.start,
                                    Deal.won_on <= month.end).distinct()).scalars())
    active.update(session.execute(
        select(CommissionAdjustment.staff_id).where(CommissionAdjustment.staff_id.in_(ids),
                                                    CommissionAdjustment.month == month.label).distinct()).scalars())
    active.update(session.execute(
        select(CommissionSettlement.staff_id).where(CommissionSettlement.staff_id.in_(ids),
                                                    CommissionSettlement.month == month.label).distinct()).scalars())
    chosen |= active
    if scope.label.startswith("rep:") and scope.root is not None:
        chosen = {scope.root.id}
    return [everyone[sid] for sid in sorted(chosen, key=lambda i: (everyone[i].handle,))]


def parse_month(text: str | None, today: date, field: str = "month") -> Period:
    return parse_period(text, "month", today, field)


# --------------------------------------------------------------------------- commands' services
@dataclass
class CalcResult:
    month: str
    scope: str
    rows: list[dict]
    totals: dict

    def as_dict(self) -> dict:
        return {"month": self.month, "scope": self.scope, "rows": self.rows, "totals": self.totals}


def _totals(rows: list[dict], keys=("base", "gross", "compliance", "penalties", "adjustments", "net")) -> dict:
    return {k: sum((r[k] for r in rows if r.get(k) is not None), NIL) for k in keys}


def calc(ctx: "Ctx", month_text: str | None, *, mine=False, team=False, manager=None, rep=None, all_=False,
         book: PlanBook | None = None) -> CalcResult:
    month = parse_month(month_text, ctx.today)
    scope = _scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    book = book or current_book()
    people = staff_in_scope(ctx, scope, month, book)
    calculator = Calculator(ctx, book, month, people)
    rows = [calculator.statement(p).row for p in people]
    return CalcResult(month.label, scope.label, rows, _totals(rows))


def statement(ctx: "Ctx", handle: str | None, month_text: str | None) -> Statement:
    from salesctl.permissions import require_see_pay
    from salesctl.directory import find_staff

    month = parse_month(month_text, ctx.today)
    person = find_staff(ctx.session, handle, "handle") if handle else ctx.actor
    require_see_pay(ctx, person, t("commission.what.statement_of", handle=person.handle))
    calculator = Calculator(ctx, current_book(), month, [person])
    return calculator.statement(person)


def _check_month_started(month: Period, today: date) -> None:
    if month.start > today:
        raise InvalidInput(t("commission.err.month_not_started", month=month.label))


def settle(ctx: "Ctx", month_text: str | None, *, team=False, manager=None, rep=None, all_=False,
           dry_run: bool = False) -> list[Statement]:
    """Lock the month for every rep in the scope the actor manages: store their lines and net."""
    from salesctl.permissions import managed_staff_ids

    if not month_text:
        raise InvalidInput(t("commission.err.settle_month_required"))
    month = parse_month(month_text, ctx.today)
    _check_month_started(month, ctx.today)
    actor = ctx.actor
    if actor.role not in ("manager", "regional_manager", "director", "gm"):
        raise PermissionDenied(t("err.denied", what=t("commission.what.settle")))
    scope = _scope(ctx, team=team, manager=manager, rep=rep, all_=all_)
    book = current_book()
    people = staff_in_scope(ctx, scope, month, book)
    managed = managed_staff_ids(ctx)
    if managed is not None:
        allowed = set(ctx.session.execute(select(managed.c.id)).scalars())
        if rep and people and people[0].id not in allowed:
            raise PermissionDenied(t("err.denied", what=t("commission.what.settle_for", handle=people[0].handle)))
        people = [p for p in people if p.id in allowed]
    if not people:
        raise NotFound(t("commission.err.nobody_to_settle", month=month.label, scope=scope.label))
    calculator = Calculator(ctx, book, month, people)
    statements = [calculator.statement(p) for p in people]
    done = [s for s in statements if s.settled]
    if done:
        names = ", ".join(t("commission.err.settled_by", handle=s.staff.handle, by=s.settled_by) for s in done[:10])
        raise Conflict(t("commission.err.already_settled", month=month.label, names=names))
    if dry_run:
        return statements
    for st in statements:
        record = CommissionSettlement(staff_id=st.staff.id, month=month.label, net=st.net,
                                      summary=json.dumps(_jsonable(st.summary), ensure_ascii=False),
                                      settled_by_id=actor.id, settled_at=ctx.now)
        ctx.session.add(record)
        ctx.session.flush()
        for seq, line in enumerate(st.lines, start=1):
            ctx.session.add(CommissionLine(settlement_id=record.id, seq=seq, kind=line.kind, source=line.source,
                                           base=line.base, rate=fmt_rate(line.rate) if isinstance(line.rate, Decimal) else line.rate,
                                           amount=line.amount, rule=line.rule, note=line.note))
        ctx.audit("commission.settle", "commission_settlement", record.id, None,
                  {"handle": st.staff.handle, "month": month.label, "net": st.net, "lines": len(st.lines)})
        st.settled = True
        st.settled_at = ctx.now
        st.settled_by = actor.handle
        st.row["status"] = "settled"
    ctx.session.flush()
    return statements


def _jsonable(value):
    if isinstance(value, Decimal):
        return fmt(value) if value == quantize(value) else fmt_rate(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def adjust(ctx: "Ctx", handle: str, month_text: str | None, amount_text: str | None, reason: str | None) -> CommissionAdjustment:
    from salesctl.permissions import require_manager_of
    from salesctl.directory import find_staff

    if not month_text:
        raise InvalidInput(t("commission.err.adjust_month_required"))
    if amount_text is None:
        raise InvalidInput(t("commission.err.adjust_amount_required"))
    if not (reason or "").strip():
        raise InvalidInput(t("commission.err.adjust_reason_required"))
    month = parse_month(month_text, ctx.today)
    amount = parse_money(amount_text, "amount")
    if amount == 0:
        raise InvalidInput(t("commission.err.adjust_zero"))
    person = find_staff(ctx.session, handle, "handle")
    require_manager_of(ctx, person, t("commission.what.adjustments_for", handle=person.handle))
    settled = ctx.session.execute(select(CommissionSettlement.id).where(
        CommissionSettlement.staff_id == person.id, CommissionSettlement.month == month.label)).first()
    if settled is not None:
        months = set(ctx.session.execute(select(CommissionSettlement.month).where(
            CommissionSettlement.staff_id == person.id, CommissionSettlement.month > month.label)).scalars())
        nxt = next_month(month.label)
        while nxt in months:
            nxt = next_month(nxt)
        raise Conflict(t("commission.err.adjust_settled", month=month.label, handle=person.handle, next=nxt))
    record = CommissionAdjustment(staff_id=person.id, month=month.label, amount=amount, reason=reason.strip(),
                                  by_id=ctx.actor.id, at=ctx.now)
    ctx.session.add(record)
    ctx.session.flush()
    ctx.audit("commission.adjust", "commission_adjustment", record.id, None, record)
    return record


@dataclass
class WhatIf:
    month: str
    scope: str
    plan_file: str
    rows: list[dict]
    totals: dict

    def as_dict(self) -> dict:
        return {"month": self.month, "scope": self.scope, "plan_file": self.plan_file, "rows": self.rows,
                "totals": self.totals}


def whatif(ctx: "Ctx", plan_file: str | None, month_text: str | None, *, mine=False, team=False, manager=None,
           rep=None, all_=False) -> WhatIf:
    """The month as it stands (settled figures where settled) beside the same month under another plan."""
    if not plan_file:
        raise InvalidInput(t("commission.err.whatif_plan_required"))
    other = load_plan_file(plan_file, "plan")
    month = parse_month(month_text, ctx.today)
    scope = _scope(ctx, mine=mine, team=team, manager=manager, rep=rep, all_=all_)
    book = current_book()
    people = staff_in_scope(ctx, scope, month, book)
    now = Calculator(ctx, book, month, people)
    then = Calculator(ctx, other, month, people, live=True)
    rows = []
    for person in people:
        a = now.statement(person)
        b = then.statement(person)
        rows.append({
            "id": person.id, "handle": person.handle, "name": person.name,
            "plan": a.plan, "whatif_plan": b.plan, "status": "settled" if a.settled else "open",
            "gross": a.row["gross"], "whatif_gross": b.row["gross"],
            "net": a.net, "whatif_net": b.net, "difference": b.net - a.net,
        })
    totals = _totals(rows, ("gross", "whatif_gross", "net", "whatif_net", "difference"))
    return WhatIf(month.label, scope.label, str(Path(plan_file)), rows, totals)
