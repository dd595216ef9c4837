"""Quality: a month's stored indicator figures and compliance, for other systems (Power BI, the
provider's own systems). The same access as the pages: a provider's token sees only its own."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from tillit.api.auth import viewer_of
from tillit.common.periods import Month
from tillit.quality import selectors

router = Router(tags=["quality"])


class IndicatorOut(Schema):
    month: str
    provider: str
    org_number: str
    unit_code: str | None
    indicator: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal


class ComplianceOut(Schema):
    month: str
    provider: str
    org_number: str
    contract: str
    indicator: str
    operator: str
    threshold: Decimal
    value: Decimal | None
    status: str
    reason: str


@router.get("/indicators", response=list[IndicatorOut], url_name="quality_indicators",
            summary="A month's indicator figures per provider and unit")
def quality_indicators(request: HttpRequest, month: str, units: bool = False) -> list[dict[str, Any]]:
    """Every stored figure of the month (YYYY-MM): value = numerator / denominator (× 100 for
    shares); a median has no numerator. Definitions: /definitions/indicators/. `units=true`
    adds the units' figures."""
    results = selectors.indicator_results(viewer=viewer_of(request), month=Month.parse(month))
    if not units:
        results = results.filter(unit__isnull=True)
    return [
        {"month": r.month, "provider": r.provider.name, "org_number": r.provider.org_number,
         "unit_code": r.unit.code if r.unit else None, "indicator": r.indicator, "value": r.value,
         "numerator": r.numerator, "denominator": r.denominator}
        for r in results
    ]


@router.get("/compliance", response=list[ComplianceOut], url_name="quality_compliance",
            summary="A month's verdicts against the quality declarations")
def quality_compliance(request: HttpRequest, month: str) -> list[dict[str, Any]]:
    """Each provider against each rule of its contract's declaration: met, not_met or
    not_measurable (with the reason)."""
    return [
        {"month": c.month, "provider": c.provider.name, "org_number": c.provider.org_number,
         "contract": c.contract.reference, "indicator": c.indicator, "operator": c.operator,
         "threshold": c.threshold, "value": c.value, "status": c.status, "reason": c.reason}
        for c in selectors.compliance_results(viewer=viewer_of(request), month=Month.parse(month))
    ]
