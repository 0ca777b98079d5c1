"""The commission plan file (TOML): its shape, validation with line-numbered errors, and loading."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

from salesctl.errors import InvalidInput
from salesctl.messages import label, t
from salesctl.models import GRADES, ROLES, Staff
from salesctl.money import fmt, quantize
from salesctl.services.pay.plan_lines import dotted, locate_key


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
            who.append(t("commission.plan.reps", handles=", ".join(plan.reps)))
        if plan.roles:
            who.append(t("commission.plan.roles", roles=", ".join(label("role", r) for r in plan.roles)))
        rows.append({
            "plan": plan.name,
            "applies_to": "; ".join(who) or t("commission.everyone_else"),
            "basis": plan.basis,
            "mode": plan.mode,
            "tiers": ", ".join(f"≥{percent(x.start)} {fmt_rate(x.rate)}" for x in plan.tiers),
            "amount_tiers": ", ".join(f"≥{fmt(x.start)} {fmt_rate(x.rate)}" for x in plan.amount_tiers),
            "overrides": ", ".join([f"{k} {fmt_rate(v)}" for k, v in plan.grade_rates.items()]
                                   + [f"{k} {fmt_rate(v)}" for k, v in plan.product_rates.items()]),
            "compliance": t("commission.plan.compliance", per_missing=fmt_rate(plan.per_missing),
                            per_late=fmt_rate(plan.per_late), floor=fmt_rate(plan.floor)),
            "year_end_month": plan.year_end_month,
        })
    return rows


def book_dict(book: PlanBook) -> dict:
    return {"file": str(book.path), "default": book.default.to_dict(),
            "plans": [p.to_dict() for p in book.named], "evaluation": book.evaluation.to_dict()}


# =========================================================================== calculation
