"""Field validators of the customer archive (SPEC 1.4, 1.6): status, grade, email, web address, dates, industry."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from salesctl.errors import Conflict, InvalidInput
from salesctl.messages import t
from salesctl.models import GRADES, Staff


# the handbook's five required fields of the new-customer form (name is the argument)
REQUIRED_FLAGS = ("--contact", "--title", "--phone", "--status")
SORTS = ("name", "grade", "last_contact", "created")
GROUP_BY = ("owner", "region", "industry")
STATUS_WORDS = {
    "following": "following", "跟进中": "following", "跟进": "following",
    "won": "won", "已成交": "won", "成交": "won",
    "paused": "paused", "暂停": "paused",
    "lost": "lost", "流失": "lost", "已流失": "lost",
}
STATUS_ACCEPTED = "跟进中/following, 已成交/won, 暂停/paused, 流失/lost"
# patterns, compiled on first use (re caches them): nothing is compiled when a read command imports this
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"
_HOST = (r"^[a-z0-9\u00a1-\uffff]([a-z0-9\u00a1-\uffff-]*[a-z0-9\u00a1-\uffff])?(\.[a-z0-9\u00a1-\uffff]([a-z0-9\u00a1-\uffff-]*[a-z0-9\u00a1-\uffff])?)+(:\d{1,5})?$")  # ~25 ms to compile
NONE_WORDS = ("none", "-", "无")


# --------------------------------------------------------------------------- validation
def validate_status(text: str | None, field: str = "status") -> str:
    """跟进中/following, 已成交/won, 暂停/paused, 流失/lost (either language) → the English key."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    key = STATUS_WORDS.get(value.lower()) or STATUS_WORDS.get(value)
    if key is None:
        raise InvalidInput(t("customer.err.bad_status", field=field, value=text, accepted=STATUS_ACCEPTED))
    return key


def validate_grade(text: str | None, field: str = "grade") -> str:
    value = unicodedata.normalize("NFKC", text or "").strip().upper()
    if value not in GRADES:
        raise InvalidInput(t("customer.err.bad_grade", field=field, value=text, accepted=", ".join(GRADES)))
    return value


def validate_email(text: str | None, field: str = "email") -> str | None:
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return None
    if not re.match(_EMAIL, value):
        raise InvalidInput(t("customer.err.bad_email", field=field, value=text))
    return value.lower() if value.isascii() else value


def validate_url(text: str | None, field: str = "website") -> str | None:
    """A web address; without a scheme https:// is assumed (stored with its scheme)."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return None
    m = re.match(r"^(https?)://([^/?#\s]+)([^\s]*)$", value, re.IGNORECASE)
    if m is None and "://" not in value:
        m = re.match(r"^()([^/?#\s]+)([^\s]*)$", value)
    if m is None or not re.match(_HOST, m.group(2), re.IGNORECASE):
        raise InvalidInput(t("customer.err.bad_url", field=field, value=text))
    scheme = (m.group(1) or "https").lower()
    return f"{scheme}://{m.group(2).lower()}{m.group(3)}"


def parse_expected(text: str | date | None, today: date, field: str = "expected-purchase") -> date | None:
    if text is None or isinstance(text, date):
        return text
    if text.strip().lower() in NONE_WORDS or not text.strip():
        return None
    from salesctl.periods import parse_date

    return parse_date(text, field, today, ahead="forward")


def _clean(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def _same_industry(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def check_industry(owner: Staff, industry: str | None) -> None:
    """SPEC 1.6: a rep sells only within their own industry ('*' = any industry)."""
    if owner.role != "rep" or not owner.industry or owner.industry.strip() == "*" or not industry:
        return
    if not _same_industry(owner.industry, industry):
        raise Conflict(t("customer.err.cross_industry", handle=owner.handle, own=owner.industry, industry=industry),
                       hint=t("customer.hint.claim_add"))



def validate_credit_code(text: str | None, field: str = "credit-code") -> str | None:
    """统一社会信用代码: 18 characters with the GB 32100 check character (python-stdnum's cn.uscc)."""
    value = unicodedata.normalize("NFKC", text or "").strip().upper().replace(" ", "").replace("-", "")
    if not value:
        return None
    from stdnum.cn import uscc

    if not uscc.is_valid(value):
        raise InvalidInput(t("match.err.credit_code", value=text).replace("--credit-code", field, 1)
                           if field != "credit-code" else t("match.err.credit_code", value=text))
    return value
