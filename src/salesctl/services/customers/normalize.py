"""Normal forms used for duplicate detection: customer names and phone numbers."""

from __future__ import annotations

import re
import unicodedata


def normalize_name(name: str) -> str:
    """The unique normal form of a name (`Customer.name_norm`): folded, legal forms cut at word boundaries.

    '東莞富達模具（長安）有限公司' → '东莞富达模具(长安)'; 'Cisco Systems, Inc.' → 'cisco systems'
    (see `salesctl.companynames`, which the matcher also uses).
    """
    from salesctl.companynames import normal_form

    return normal_form(name)


def normalize_phone(phone: str, field: str = "phone", region: str | None = None) -> str:
    """Store one form (13812345678, 0512-57719780, +85221234567): validated by phonenumbers (see phones.py)."""
    from salesctl.phones import normalize_phone as normalize

    return normalize(phone, field, region)


def phone_key(phone: str | None) -> str | None:
    """What duplicate detection compares: the digits of the normal form, extension dropped."""
    if not phone:
        return None
    head = phone.split("x")[0]
    if head.isascii() and head.isdigit():  # the common stored form: digits only
        return head
    return re.sub(r"\D", "", head) or None
