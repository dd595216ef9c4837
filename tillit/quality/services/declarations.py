"""Editing a contract's quality declaration: its terms (margins, deadlines) and its rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record, audited_update
from tillit.common.errors import ValidationFailed
from tillit.engine.catalogue import BY_CODE, PER_100, PERCENT
from tillit.quality.models import QualityRule, QualityTerms
from tillit.registry.models import Contract

# The declaration PRODUCT.md describes, as rules: what a new contract starts from.
STANDARD_RULES: tuple[tuple[str, str, str], ...] = (
    ("punctuality", QualityRule.Operator.AT_LEAST, "90"),
    ("continuity_mean", QualityRule.Operator.AT_MOST, "15"),
    ("care_contact", QualityRule.Operator.AT_LEAST, "100"),
    ("welcome_call", QualityRule.Operator.AT_LEAST, "100"),
    ("plan", QualityRule.Operator.AT_LEAST, "100"),
    ("plan_follow_up", QualityRule.Operator.AT_LEAST, "100"),
    ("complaint", QualityRule.Operator.AT_LEAST, "100"),
)
TERM_FIELDS = ("punctuality_margin_minutes", "welcome_call_days", "plan_days", "plan_followup_months",
               "complaint_days")
_TERM_LIMITS = {"punctuality_margin_minutes": 240, "welcome_call_days": 365, "plan_days": 365,
                "plan_followup_months": 36, "complaint_days": 365}


def _threshold(indicator: str, raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", ".").rstrip("%").strip())
    except InvalidOperation:
        raise ValidationFailed(_("The threshold %(value)s is not a number; write it like 90 or 12,5.")
                               % {"value": raw}, field="threshold") from None
    if not value.is_finite() or value < 0:
        raise ValidationFailed(_("The threshold must be zero or more."), field="threshold")
    if BY_CODE[indicator].unit in (PERCENT, PER_100) and value > 100:
        raise ValidationFailed(_("A share cannot be more than 100 %."), field="threshold")
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def quality_rule_set(*, actor: Any, contract: Contract, indicator: str, operator: str, threshold: Any) -> QualityRule:
    """Add a rule to the contract's declaration, or change the one it has for the indicator."""
    if indicator not in BY_CODE:
        raise ValidationFailed(_("%(value)s is not an indicator Tillit measures.") % {"value": indicator},
                               field="indicator")
    if operator not in QualityRule.Operator.values:
        raise ValidationFailed(_("Choose whether the value must be at least or at most the threshold."),
                               field="operator")
    value = _threshold(indicator, threshold)
    rule = QualityRule.objects.filter(contract=contract, indicator=indicator).first()
    if rule is None:
        rule = QualityRule.objects.create(contract=contract, indicator=indicator, operator=operator, threshold=value)
        audit_record(actor=actor, event_type="quality_rule.created", target=rule, target_label=str(contract),
                     organisation=contract.provider.organisation,
                     new={"indicator": indicator, "operator": operator, "threshold": value})
        return rule
    audited_update(actor=actor, instance=rule, changes={"operator": operator, "threshold": value},
                   event_type="quality_rule.updated", organisation=contract.provider.organisation)
    return rule


@transaction.atomic
def quality_rule_delete(*, actor: Any, rule: QualityRule) -> None:
    audit_record(actor=actor, event_type="quality_rule.deleted", target=rule, target_label=str(rule.contract),
                 organisation=rule.contract.provider.organisation,
                 old={"indicator": rule.indicator, "operator": rule.operator, "threshold": rule.threshold})
    rule.delete()


@transaction.atomic
def quality_terms_update(*, actor: Any, contract: Contract, **changes: Any) -> QualityTerms:
    """Change the contract's margins and deadlines (whole minutes, days or months)."""
    unknown = set(changes) - set(TERM_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown terms: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    cleaned = {}
    for name, raw in changes.items():
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValidationFailed(_("%(value)s is not a whole number.") % {"value": raw}, field=name) from None
        if not 1 <= value <= _TERM_LIMITS[name]:
            raise ValidationFailed(_("Choose a number from 1 to %(limit)s.") % {"limit": _TERM_LIMITS[name]},
                                   field=name)
        cleaned[name] = value
    terms, _created = QualityTerms.objects.get_or_create(contract=contract)
    audited_update(actor=actor, instance=terms, changes=cleaned, event_type="quality_terms.updated",
                   organisation=contract.provider.organisation)
    return terms


@transaction.atomic
def quality_declaration_standard(*, actor: Any, contract: Contract) -> list[QualityRule]:
    """Give a contract without rules the standard declaration (PRODUCT.md's promises)."""
    QualityTerms.objects.get_or_create(contract=contract)
    if contract.quality_rules.exists():
        return list(contract.quality_rules.all())
    return [quality_rule_set(actor=actor, contract=contract, indicator=indicator, operator=operator, threshold=value)
            for indicator, operator, value in STANDARD_RULES]
