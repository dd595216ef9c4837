"""Indicator runs store the engine's figures whole, judge them against the declaration, and replace
the month's earlier run; the CLI prints them; the effect premium reads them."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from tests.engine.test_deadlines import march  # noqa: F401 (fixture: March 2024 deadlines)
from tillit.audit.models import AuditEvent
from tillit.common.errors import ValidationFailed
from tillit.common.periods import Month
from tillit.quality.models import Compliance, DeadlineItem, IndicatorResult, IndicatorRun
from tillit.quality.selectors import provider_indicator_values
from tillit.quality.services import (
    indicator_run, quality_declaration_standard, quality_rule_set, quality_terms_update,
)
from tillit.registry.services import contract_create

MARCH = Month(2024, 3)
AS_OF = datetime.date(2024, 12, 1)


@pytest.fixture
def contract(march):
    contract = contract_create(actor=march.world.controller, provider=march.provider_a, reference="LOV-HT-1",
                               kind="lov", service_types=["home_care"], start_date=datetime.date(2023, 1, 1))
    quality_declaration_standard(actor=march.world.controller, contract=contract)
    return contract


def _verdicts(run) -> dict[str, tuple[str, str | None]]:
    return {c.indicator: (c.status, None if c.value is None else str(c.value)) for c in run.compliance.all()}


def test_a_run_stores_figures_evidence_and_compliance(march, contract):
    run = indicator_run(actor=march.world.controller, month=MARCH, as_of=AS_OF)
    assert run.status == IndicatorRun.Status.COMPLETE
    result = IndicatorResult.objects.get(run=run, indicator="welcome_call", provider=march.provider_a, unit=None)
    assert (result.value, result.numerator, result.denominator) == (Decimal("66.67"), Decimal("2"), Decimal("3"))
    assert DeadlineItem.objects.filter(run=run, indicator="plan", status="missing").count() == 1
    assert DeadlineItem.objects.filter(run=run, indicator="care_contact").count() == 4
    assert _verdicts(run) == {
        "punctuality": ("not_measurable", None),
        "continuity_mean": ("not_measurable", None),
        "care_contact": ("not_met", "25.00"),
        "welcome_call": ("not_met", "66.67"),
        "plan": ("not_met", "66.67"),
        "plan_follow_up": ("not_measurable", None),
        "complaint": ("not_met", "50.00"),
    }
    reason = run.compliance.get(indicator="plan_follow_up").reason
    assert reason == "No follow-up of a plan fell due in the month."
    assert AuditEvent.objects.filter(event_type="quality.run").count() == 1


def test_thresholds_compare_the_exact_value(march, contract):
    """2 of 3 is 66.666…%: a rule of at least 66.67 % is not met although the rounded value shows 66.67."""
    quality_rule_set(actor=None, contract=contract, indicator="welcome_call", operator="gte", threshold="66,67")
    quality_rule_set(actor=None, contract=contract, indicator="plan", operator="gte", threshold="66.66")
    run = indicator_run(actor=None, month=MARCH, as_of=AS_OF)
    assert _verdicts(run)["welcome_call"] == ("not_met", "66.67")
    assert _verdicts(run)["plan"] == ("met", "66.67")


def test_the_contracts_terms_change_the_figures(march, contract):
    quality_terms_update(actor=None, contract=contract, welcome_call_days="8")
    run = indicator_run(actor=None, month=MARCH, as_of=AS_OF)
    assert _verdicts(run)["welcome_call"] == ("met", "100.00")


def test_a_new_run_replaces_the_month_and_a_failed_one_keeps_it(march, contract):
    first = indicator_run(actor=None, month=MARCH, as_of=AS_OF)
    second = indicator_run(actor=None, month=MARCH, as_of=AS_OF)
    assert list(IndicatorRun.objects.values_list("pk", flat=True)) == [second.pk]
    assert not IndicatorResult.objects.filter(run_id=first.pk).exists()
    with mock.patch("tillit.quality.services.runs._store", side_effect=RuntimeError("disk full")):
        with pytest.raises(RuntimeError):
            indicator_run(actor=None, month=MARCH, as_of=AS_OF)
    failed = IndicatorRun.objects.get(status=IndicatorRun.Status.FAILED)
    assert failed.error == "disk full"
    assert IndicatorResult.objects.filter(run=second).count() == IndicatorResult.objects.count()


def test_rules_are_validated(march, contract):
    with pytest.raises(ValidationFailed):
        quality_rule_set(actor=None, contract=contract, indicator="punctuality", operator="gte", threshold="101")
    with pytest.raises(ValidationFailed):
        quality_rule_set(actor=None, contract=contract, indicator="nonsense", operator="gte", threshold="1")
    with pytest.raises(ValidationFailed):
        quality_terms_update(actor=None, contract=contract, complaint_days="0")


def test_cli_prints_every_indicator_per_provider(march, contract):
    out = StringIO()
    call_command("indicators", "2024-03", "--format", "json", stdout=out, stderr=StringIO())
    rows = json.loads(out.getvalue())
    welcome = next(r for r in rows if r["indicator"] == "welcome_call")
    assert welcome == {"month": "2024-03", "provider": "Omsorg A AB", "org_number": "556036-0793",
                       "indicator": "welcome_call", "value": "66.67", "numerator": "2.00", "denominator": "3.00"}
    out = StringIO()
    call_command("indicators", "2024-03", "--format", "csv", stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines()[0] == "month,provider,org_number,indicator,value,numerator,denominator"
    assert "2024-03,Omsorg A AB,556036-0793,complaint,50.00,1.00,2.00" in out.getvalue().splitlines()


def test_the_effect_premium_reads_a_providers_values_per_month(march, contract):
    indicator_run(actor=None, month=MARCH, as_of=AS_OF)
    values = provider_indicator_values(provider=march.provider_a, first=Month(2024, 1), last=Month(2024, 6))
    assert values["complaint"]["2024-03"].value == Decimal("50.00")
    assert set(values["complaint"]) == {"2024-03"}
