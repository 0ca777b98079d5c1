"""Normal forms used for duplicate detection: customer names and phone numbers."""

from __future__ import annotations

import re
import unicodedata

from salesctl.errors import InvalidInput
from salesctl.messages import t

def normalize_name(name: str) -> str:
    """The unique normal form of a name (`Customer.name_norm`): folded, legal forms cut at word boundaries.

    '東莞富達模具（長安）有限公司' → '东莞富达模具(长安)'; 'Cisco Systems, Inc.' → 'cisco systems'
    (see `salesctl.companynames`, which the matcher also uses).
    """
    from salesctl.companynames import normal_form

    return normal_form(name)


def normalize_phone(phone: str, field: str = "phone") -> str:
    """Store one form: mainland mobile 13812345678, landline 010-12345678, or +<country><number>.

    Accepts spaces, dashes, dots and parentheses, a +86/0086 prefix, full-width digits.
    """
    raw = unicodedata.normalize("NFKC", phone or "").strip()
    if not raw:
        raise InvalidInput(t("err.phone_empty", field=field))
    ext = ""
    m = re.search(r"(?:ext\.?|x|转)\s*(\d{1,6})$", raw, re.IGNORECASE)
    if m:
        ext = m.group(1)
        raw = raw[: m.start()].strip()
    if re.search(r"[^\d\s\-\.\(\)\+]", raw):
        raise InvalidInput(t("err.phone_chars", field=field, value=phone))
    plus = raw.startswith("+") or raw.startswith("00")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("00"):
        digits = digits[2:]
    if plus and digits.startswith("86"):
        digits = digits[2:]
        plus = False
        if not re.fullmatch(r"1[3-9]\d{9}", digits) and not digits.startswith("0"):
            digits = "0" + digits  # +86 10 1234 5678 → 010-12345678
    result = None
    if plus:
        if 7 <= len(digits) <= 15:
            result = "+" + digits
    elif re.fullmatch(r"1[3-9]\d{9}", digits):
        result = digits
    elif re.fullmatch(r"0\d{9,11}", digits):
        area_len = 3 if digits[1] in "12" else 4  # 010, 02x; else 0xxx
        result = f"{digits[:area_len]}-{digits[area_len:]}"
    elif re.fullmatch(r"400\d{7}|800\d{7}", digits):
        result = digits
    if result is None:
        raise InvalidInput(t("err.phone_invalid", field=field, value=phone))
    return result + (f"x{ext}" if ext else "")


def phone_key(phone: str | None) -> str | None:
    """What duplicate detection compares: the digits of the normal form, extension dropped."""
    if not phone:
        return None
    return re.sub(r"\D", "", phone.split("x")[0]) or None
