"""Money: cents <-> Decimal <-> text, with the one rounding rule (half-up to cents)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def quantize(value: Decimal) -> Decimal:
    """Round half-up to cents: the only rounding salesctl does."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(text: str | int | Decimal, field: str = "amount") -> Decimal:
    """Parse a user-supplied amount ("1,234.5", "¥1234", "1234.50元") into a Decimal.

    Raises InvalidInput naming the field for anything that is not a plain amount
    with at most two decimals.
    """
    from salesctl.errors import InvalidInput
    from salesctl.messages import t

    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    else:
        cleaned = str(text).strip().replace(",", "").replace("，", "")
        for token in ("¥", "￥", "RMB", "CNY", "元", "$"):
            cleaned = cleaned.replace(token, "")
        cleaned = cleaned.strip()
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise InvalidInput(t("err.not_amount", field=field, value=text)) from None
    if not value.is_finite():
        raise InvalidInput(t("err.not_amount", field=field, value=text))
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidInput(t("err.amount_decimals", field=field, value=text))
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
