"""Phone numbers through a maintained library (phonenumberslite, Google's libphonenumber metadata).

One stored form per number, so duplicate detection compares like with like:

- mainland mobile: 13812345678;
- mainland landline: 0 + area code, a dash, the subscriber number, the area code
  as long as that city's really is (010-12345678, 0512-57719780); a Suzhou number
  with 7 digits (0512-5771978) does not exist and is refused;
- mainland 400/800 service numbers: 4001234567;
- anything else (Hong Kong, Macau, Taiwan, abroad): E.164, +85221234567;
- an extension (x123, ext. 123, 转123) is kept after an `x`.

`display_phone` turns the stored form into the readable one (+852 2123 4567).
A number written without `+` is read as mainland first, then as a country code
followed by the number (852 2123 4567 is Hong Kong).
"""

from __future__ import annotations

import re
import unicodedata

from salesctl.errors import InvalidInput
from salesctl.messages import t

_EXT = re.compile(r"(?:ext\.?|x|转|分机)\s*(\d{1,6})$", re.IGNORECASE)
_CHARS = re.compile(r"[^\d\s\-\.\(\)\+]")


def _parse(raw: str, region: str):
    import phonenumbers

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def parse_phone(phone: str | None, region: str | None = None):
    """The library's number for `phone` (None when it is not a valid number anywhere), and the extension."""
    raw = unicodedata.normalize("NFKC", phone or "").strip()
    ext = ""
    m = _EXT.search(raw)
    if m:
        ext = m.group(1)
        raw = raw[: m.start()].strip()
    if not raw or _CHARS.search(raw):
        return None, ext
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    number = _parse(raw, (region or "CN").upper())
    if number is None and region and region.upper() != "CN":
        number = _parse(raw, "CN")
    if number is None and not raw.startswith(("+", "0")):
        number = _parse("+" + raw, "CN")  # 852 2123 4567: a country code without its plus
    return number, ext


def canonical(number, ext: str = "") -> str:
    """The stored form of a valid number (see the module's docstring)."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType

    if number.country_code == 86:
        national = phonenumbers.national_significant_number(number)
        kind = phonenumbers.number_type(number)
        if kind in (PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST):
            text = national
        else:
            area = phonenumbers.length_of_geographical_area_code(number)
            text = f"0{national[:area]}-{national[area:]}" if area else f"0{national}"
    else:
        text = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return text + (f"x{ext}" if ext else "")


def normalize_phone(phone: str, field: str = "phone", region: str | None = None) -> str:
    """The stored form of `phone`, or InvalidInput naming the flag/column and what is accepted."""
    raw = unicodedata.normalize("NFKC", phone or "").strip()
    if not raw:
        raise InvalidInput(t("err.phone_empty", field=field))
    if _CHARS.search(_EXT.sub("", raw).strip()):
        raise InvalidInput(t("err.phone_chars", field=field, value=phone))
    number, ext = parse_phone(raw, region)
    if number is None:
        raise InvalidInput(t("err.phone_invalid", field=field, value=phone))
    return canonical(number, ext)


def display_phone(stored: str | None) -> str | None:
    """The readable form of a stored phone: mainland numbers as stored, others +852 2123 4567."""
    if not stored or not stored.startswith("+"):
        return stored
    import phonenumbers
    from phonenumbers import PhoneNumberFormat

    number, ext = parse_phone(stored)
    if number is None:
        return stored
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL) + (f" x{ext}" if ext else "")


def renormalize(stored: str | None) -> tuple[str | None, bool]:
    """(new stored form, valid) for a phone stored by an earlier release; an invalid one is kept as it was."""
    if not stored:
        return stored, True
    number, ext = parse_phone(stored)
    if number is None:
        return stored, False
    return canonical(number, ext), True
