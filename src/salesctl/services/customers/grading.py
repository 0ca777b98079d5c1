"""The written grading rules (SPEC 1.4): expected purchase date → grade.

within a_within_days → A; up to b_within_days → B; up to c_within_days → C;
later or no date → D; a date already past → no change ("needs review").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class GradeRule:
    grade: str | None  # None: the date is past, no automatic grade ("needs review")
    rule: str


def grade_for(expected_purchase: date | None, today: date, policy: dict | None = None) -> GradeRule:
    if policy is None:
        from salesctl.policy import section

        policy = section("grading")
    a = int(policy.get("a_within_days", 30))
    b = int(policy.get("b_within_days", 90))
    c = int(policy.get("c_within_days", 180))
    from salesctl.messages import stored_text  # the rule is stored as its key and numbers, shown in the reader's language

    if expected_purchase is None:
        return GradeRule("D", stored_text("grade_rule.no_date"))
    days = (expected_purchase - today).days
    if days < 0:
        return GradeRule(None, stored_text("grade_rule.past", date=expected_purchase.isoformat()))
    if days <= a:
        return GradeRule("A", stored_text("grade_rule.a", days=days, a=a))
    if days <= b:
        return GradeRule("B", stored_text("grade_rule.range", days=days, low=a + 1, high=b, grade="B"))
    if days <= c:
        return GradeRule("C", stored_text("grade_rule.range", days=days, low=b + 1, high=c, grade="C"))
    return GradeRule("D", stored_text("grade_rule.beyond", days=days, c=c))


def set_grade(ctx, customer, grade: str, *, reason: str | None, source: str, rule: str | None = None,
              visit_id: int | None = None):
    """Regrade a customer and keep the history entry (who, when, from, to, why) in the same transaction.

    source: create | hand | rule | visit | import. Returns the GradeChange, or None when unchanged.
    """
    from salesctl.models import GRADES, GradeChange
    from salesctl.errors import InvalidInput
    from salesctl.messages import t

    grade = (grade or "").strip().upper()
    if grade not in GRADES:
        raise InvalidInput(t("err.bad_grade", value=grade))
    if grade == customer.grade and source != "create":
        return None
    change = GradeChange(
        customer_id=customer.id,
        from_grade=None if source == "create" else customer.grade,
        to_grade=grade,
        by_id=ctx.actor.id if ctx.actor else None,
        at=ctx.now,
        reason=reason,
        source=source,
        rule=rule,
        visit_id=visit_id,
    )
    before = customer.grade
    customer.grade = grade
    customer.updated_at = ctx.now
    ctx.session.add(customer)
    ctx.session.add(change)
    ctx.session.flush()
    ctx.audit("customer.grade", "customer", customer.id, {"grade": before}, {"grade": grade, "source": source, "reason": reason})
    return change
