"""A provider's figures against its quality declaration's rules: met, not met, not measurable (why)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from tillit.common.periods import Month
from tillit.engine.month import IndicatorValue
from tillit.engine.terms import Terms
from tillit.quality.models import Compliance, QualityRule, QualityTerms
from tillit.registry.models import Contract
from tillit.registry.selectors import contracts_in_force as registry_contracts_in_force

# Why a figure could not be measured, by the kind of data it needs.
NOT_MEASURABLE = {
    "continuity_mean": _("No recipient aged 65 or more had two visits between 07 and 22 every day of a 14-day period."),
    "continuity_median": _("No recipient aged 65 or more had two visits between 07 and 22 every day of a 14-day period."),
    "continuity_over_20": _("No recipient aged 65 or more had two visits between 07 and 22 every day of a 14-day period."),
    "staff_per_recipient": _("No performed visits in the month."),
    "punctuality": _("No performed visits with a registered start in the month."),
    "late": _("No performed visits with a registered start in the month."),
    "early": _("No performed visits with a registered start in the month."),
    "performed_granted": _("No granted time in the month."),
    "declined": _("No visits in the month."),
    "cancelled": _("No visits in the month."),
    "missed": _("No visits in the month."),
    "no_end": _("No performed visits in the month."),
    "manual": _("No performed visits in the month."),
    "care_contact": _("No recipients in care at the end of the month."),
    "care_contact_days": _("No care contacts assigned in the month."),
    "welcome_call": _("No welcome call fell due in the month."),
    "plan": _("No implementation plan fell due in the month."),
    "plan_follow_up": _("No follow-up of a plan fell due in the month."),
    "complaint": _("No complaint fell due for an answer in the month."),
}


@dataclass(frozen=True)
class Verdict:
    status: str
    value: Decimal | None
    reason: str


def judge(rule: QualityRule, value: IndicatorValue | None) -> Verdict:
    """Compare the exact (unrounded) figure with the threshold, so 89.996 % is not 90 %."""
    if value is None or value.value is None:
        return Verdict(Compliance.Status.NOT_MEASURABLE, None, str(NOT_MEASURABLE[rule.indicator]))
    exact, threshold = value.exact, Fraction(rule.threshold)
    met = exact >= threshold if rule.operator == QualityRule.Operator.AT_LEAST else exact <= threshold
    return Verdict(Compliance.Status.MET if met else Compliance.Status.NOT_MET, value.value, "")


def contracts_in_force(month: Month) -> dict[int, Contract]:
    """Each provider's contract for the month (registry's rule), with its quality terms."""
    chosen = registry_contracts_in_force(month)
    terms = {t.contract_id: t for t in QualityTerms.objects.filter(contract__in=list(chosen.values()))}
    for contract in chosen.values():
        if contract.pk in terms:
            contract.quality_terms = terms[contract.pk]
    return chosen


def terms_by_provider(contracts: dict[int, Contract]) -> dict[int, Terms]:
    terms = {}
    for provider_id, contract in contracts.items():
        try:
            terms[provider_id] = contract.quality_terms.as_terms()
        except QualityTerms.DoesNotExist:
            continue
    return terms


def compliance_rows(run, month: Month, contracts: dict[int, Contract], values: Iterable[IndicatorValue]) -> list[Compliance]:
    """Unsaved Compliance rows of every provider with a declaration, for the run."""
    provider_values = {(v.provider_id, v.indicator): v for v in values if v.unit_id is None}
    rules = QualityRule.objects.filter(contract__in=list(contracts.values())).select_related("contract").order_by("indicator")
    rows = []
    for rule in rules:
        verdict = judge(rule, provider_values.get((rule.contract.provider_id, rule.indicator)))
        rows.append(Compliance(
            run=run, month=str(month), provider_id=rule.contract.provider_id, contract_id=rule.contract_id,
            indicator=rule.indicator, operator=rule.operator, threshold=rule.threshold,
            value=verdict.value, status=verdict.status, reason=verdict.reason,
        ))
    return rows


def in_force_on(day: datetime.date) -> dict[int, Contract]:
    return contracts_in_force(Month.of(day))
