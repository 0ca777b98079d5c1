"""Money: cents <-> Decimal <-> text, with the one rounding rule (half-up to cents)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def quantize(value: Decimal) -> Decimal:
    """Round half-up to cents: the only rounding salesctl does."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# The largest amount salesctl stores: under a trillion yuan, far inside the money
# column (integer cents, 64-bit), so sums of many such amounts stay exact too.
MAX_AMOUNT = Decimal("999999999999.99")

# digits, or thousands separators in groups of three; at most two decimals; an
# optional minus (adjustments); an optional ¥/￥/RMB before or 元/RMB after.
_AMOUNT = (  # compiled on first use (re caches it), not at import
    r"(?P<sign>-)?\s*(?:[¥￥]|RMB)?\s*(?P<sign2>-)?"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]{1,2}))?"
    r"\s*(?:元|RMB)?"
)


def parse_money(text: str | int | Decimal, field: str = "amount") -> Decimal:
    """Parse a user-supplied amount ("1,234.50", "¥1234", "1234.50元", "RMB 12") into a Decimal.

    The one money grammar of commands, imports and TOML plans: ASCII digits with an
    optional decimal point and at most two decimals; thousands separators only in
    groups of three; an optional ¥/元/RMB; nothing else (no "1e3", "1_000", "1,2.3").
    Raises InvalidInput naming the field; amounts beyond MAX_AMOUNT are refused too.
    """
    from salesctl.errors import InvalidInput
    from salesctl.messages import t

    if isinstance(text, bool):
        raise InvalidInput(t("err.not_amount", field=field, value=text))
    if isinstance(text, Decimal):
        value = text
        if not value.is_finite():
            raise InvalidInput(t("err.not_amount", field=field, value=text))
        if abs(value) > MAX_AMOUNT:
            raise InvalidInput(t("err.amount_too_large", field=field, value=text, max=display(MAX_AMOUNT)))
        if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
            raise InvalidInput(t("err.amount_decimals", field=field, value=text))
    elif isinstance(text, int):
        value = Decimal(text)
    else:
        raw = str(text)
        m = re.fullmatch(_AMOUNT, raw.strip()) if len(raw) <= 64 else None
        if m is None or (m.group("sign") and m.group("sign2")):
            raise InvalidInput(t("err.not_amount", field=field, value=raw))
        negative = bool(m.group("sign") or m.group("sign2"))
        value = Decimal(m.group("int").replace(",", "") + "." + (m.group("frac") or "0"))
        if negative:
            value = -value
    if abs(value) > MAX_AMOUNT:
        raise InvalidInput(t("err.amount_too_large", field=field, value=text, max=display(MAX_AMOUNT)))
    return value.quantize(CENT)


def to_cents(value) -> int:
    if isinstance(value, int):
        return value * 100
    dec = value if isinstance(value, Decimal) else Decimal(str(value))
    cents = dec * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"money value {value!r} has fractions of a cent")
    return int(cents)


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


def fmt(value: Decimal | None) -> str | None:
    """The text form used in JSON and CSV: "1234.50"."""
    if value is None:
        return None
    return str(quantize(value))


def display(value: Decimal | None) -> str:
    """Human form for tables: "1,234.50"."""
    if value is None:
        return ""
    return f"{quantize(value):,.2f}"
