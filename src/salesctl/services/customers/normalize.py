"""Normal forms used for duplicate detection: customer names and phone numbers."""

from __future__ import annotations

import re
import unicodedata


# longest first: "股份有限公司" must go before "有限公司"
COMPANY_SUFFIXES = (
    "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "分公司", "公司", "集团",
    "co ltd", "company limited", "corporation", "limited", "company", "corp", "inc", "llc", "ltd", "co", "gmbh", "plc",
)
_PUNCT = re.compile(r"[\s\.\,，。·\-_()（）\[\]【】&'\"/]+")


def normalize_name(name: str) -> str:
    """Full-width → half-width, case-folded, spaces/punctuation dropped, company suffixes cut."""
    text = unicodedata.normalize("NFKC", name or "").casefold().strip()
    spaced = re.sub(r"[\.,，。()（）]", " ", text)
    spaced = re.sub(r"\s+", " ", spaced).strip()
    changed = True
    while changed and spaced:
        changed = False
        for suffix in COMPANY_SUFFIXES:
            if spaced.endswith(suffix) and len(spaced) > len(suffix):
                spaced = spaced[: -len(suffix)].rstrip(" ,.&")
                changed = True
                break
    return _PUNCT.sub("", spaced)


def normalize_phone(phone: str, field: str = "phone", region: str | None = None) -> str:
    """Store one form (13812345678, 0512-57719780, +85221234567): validated by phonenumbers (see phones.py)."""
    from salesctl.phones import normalize_phone as normalize

    return normalize(phone, field, region)


def phone_key(phone: str | None) -> str | None:
    """What duplicate detection compares: the digits of the normal form, extension dropped."""
    if not phone:
        return None
    return re.sub(r"\D", "", phone.split("x")[0]) or None
