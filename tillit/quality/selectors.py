"""Reading stored quality results through the viewer's access. Nothing here reads the ledger.

Municipal readers see every provider; a provider user sees its own provider's figures and
evidence, and of the others only the municipality-wide median.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.accounts.access import (
    Viewer, can_read_care_data, can_read_quality, get_scoped, require, QUALITY_READERS,
)
from tillit.care.models import Recipient
from tillit.common.errors import NotFound
from tillit.common.periods import Month
from tillit.engine.catalogue import INDICATORS, Indicator
from tillit.engine.overdue import overdue_items
from tillit.engine.terms import STANDARD_TERMS
from tillit.quality.models import (
    Compliance, ContinuityObservation, DeadlineItem, IndicatorResult, IndicatorRun, RecipientMonth,
)
from tillit.quality.services.compliance import in_force_on, terms_by_provider
from tillit.registry.models import Contract, Provider, Unit

TREND_MONTHS = 12


def results_generation() -> str:
    """Changes whenever what the quality pages show may change: a run completes or goes, or a
    provider or contract is edited. Rendered parts of the pages are cached under it."""
    # one plain query: every quality page asks this first, and building three ORM aggregates
    # cost more than the page's own queries
    runs, providers, contracts = (IndicatorRun._meta.db_table, Provider._meta.db_table, Contract._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT max(id) FROM {runs} WHERE status = %s), "
                       f"(SELECT count(id) FROM {runs} WHERE status = %s), "
                       f"(SELECT max(updated_at) FROM {providers}), (SELECT max(updated_at) FROM {contracts})",
                       [IndicatorRun.Status.COMPLETE.value] * 2)
        last, count, provider_edit, contract_edit = cursor.fetchone()
    return f"{last}.{count}.{provider_edit}.{contract_edit}"


def _complete_runs() -> QuerySet[IndicatorRun]:
    return IndicatorRun.objects.filter(status=IndicatorRun.Status.COMPLETE)


def measured_months() -> list[str]:
    """Months with a complete run, newest first."""
    return list(_complete_runs().order_by("-month").values_list("month", flat=True).distinct())


def month_run(month: Month) -> IndicatorRun | None:
    return _complete_runs().filter(month=str(month)).first()


def latest_month() -> Month | None:
    months = measured_months()
    return Month.parse(months[0]) if months else None


def _results(months: list[str]) -> QuerySet[IndicatorResult]:
    return IndicatorResult.objects.filter(run__status=IndicatorRun.Status.COMPLETE, month__in=months)


def _trend_months(month: Month) -> list[str]:
    return [str(month.shift(-n)) for n in range(TREND_MONTHS - 1, -1, -1)]


def provider_for_quality(*, viewer: Viewer, provider_id: int) -> Provider:
    """The provider whose figures the viewer asks for: municipal readers any, provider users their own."""
    if not (can_read_quality(viewer) or viewer.is_provider_user):
        raise NotFound("Not found.")
    return get_scoped(viewer, Provider.objects.all(), "organisation_id", pk=provider_id)


def provider_indicator_values(*, provider: Provider, first: Month, last: Month) -> dict[str, dict[str, IndicatorResult]]:
    """A provider's own figures per indicator and month (YYYY-MM), for the effect premium.

    Only whole-provider figures (no unit) of complete runs; a month without a run is absent.
    """
    months = [str(m) for m in _months_between(first, last)]
    values: dict[str, dict[str, IndicatorResult]] = defaultdict(dict)
    for result in _results(months).filter(provider=provider, unit__isnull=True):
        values[result.indicator][result.month] = result
    return dict(values)


def _months_between(first: Month, last: Month) -> list[Month]:
    months, month = [], first
    while (month.year, month.month) <= (last.year, last.month):
        months.append(month)
        month = month.shift(1)
    return months


@dataclass
class IndicatorRow:
    """One indicator on a provider's page: this month, last month, the trend and the median of all."""

    indicator: Indicator
    result: IndicatorResult | None
    previous: IndicatorResult | None
    trend: list[tuple[str, Decimal | None]]
    municipality_median: Decimal | None
    units: list[tuple[Unit, IndicatorResult]] = field(default_factory=list)

    @property
    def value(self) -> Decimal | None:
        return self.result.value if self.result else None

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None or self.previous.value is None:
            return None
        return self.value - self.previous.value


@dataclass
class ProviderQuality:
    provider: Provider
    month: Month
    run: IndicatorRun | None
    rows: list[IndicatorRow]
    compliance: list[Compliance]
    show_evidence: bool

    @property
    def counts(self) -> dict[str, int]:
        tally = {status: 0 for status in Compliance.Status.values}
        for row in self.compliance:
            tally[row.status] += 1
        return tally


def _median(values: list[Decimal]) -> Decimal | None:
    return Decimal(statistics.median(values)).quantize(Decimal("0.01")) if values else None


def provider_quality(*, viewer: Viewer, provider_id: int, month: Month) -> ProviderQuality:
    """Everything the provider page shows; the same for the provider's users and the municipality."""
    provider = provider_for_quality(viewer=viewer, provider_id=provider_id)
    months = _trend_months(month)
    own: dict[tuple[str, str], IndicatorResult] = {}
    by_unit: dict[str, list[IndicatorResult]] = defaultdict(list)
    # Only this provider's rows as objects; of the others only the month's values, for the medians.
    for result in _results([*months, str(month.shift(-1))]).filter(provider=provider).select_related("unit"):
        if result.unit_id is None:
            own[(result.indicator, result.month)] = result
        elif result.month == str(month):
            by_unit[result.indicator].append(result)
    medians: dict[str, list[Decimal]] = defaultdict(list)
    for code, value in _results([str(month)]).filter(unit__isnull=True, value__isnull=False).values_list(
            "indicator", "value"):
        medians[code].append(value)
    rows = [
        IndicatorRow(
            indicator=indicator,
            result=own.get((indicator.code, str(month))),
            previous=own.get((indicator.code, str(month.shift(-1)))),
            trend=[(m, own[(indicator.code, m)].value if (indicator.code, m) in own else None) for m in months],
            municipality_median=_median(medians[indicator.code]),
            units=sorted(((r.unit, r) for r in by_unit[indicator.code]), key=lambda pair: pair[0].code),
        )
        for indicator in INDICATORS
    ]
    compliance = list(Compliance.objects.filter(run__status=IndicatorRun.Status.COMPLETE, month=str(month),
                                                provider=provider).select_related("contract"))
    return ProviderQuality(provider=provider, month=month, run=month_run(month), rows=rows, compliance=compliance,
                           show_evidence=can_read_care_data(viewer))


@dataclass
class OverviewRow:
    provider: Provider
    compliance: dict[str, Compliance]  # indicator -> this month's verdict
    trend: list[tuple[str, int, int, int]]  # (month, rules met, rules judged, % met) over 12 months
    changes: list[tuple[Compliance | None, Compliance]]  # (last month, this month) where the verdict changed

    @property
    def met(self) -> int:
        return sum(1 for c in self.compliance.values() if c.status == Compliance.Status.MET)


@dataclass
class Overview:
    month: Month
    run: IndicatorRun | None
    indicators: list[str]  # the rule columns, in catalogue order
    rows: list[OverviewRow]
    key_values: dict[tuple[int, str], IndicatorResult]


def overview(*, viewer: Viewer, month: Month, service_type: str = "", regi: str = "") -> Overview:
    """Every provider against every rule of its declaration for the month, with 12 months' trend."""
    require(viewer, QUALITY_READERS)
    providers = [p for p in Provider.objects.order_by("name")
                 if (not service_type or service_type in p.service_types) and (not regi or p.regi == regi)]
    months = _trend_months(month)
    verdicts: dict[tuple[int, str], dict[str, Compliance]] = defaultdict(dict)
    for row in Compliance.objects.filter(run__status=IndicatorRun.Status.COMPLETE,
                                         month__in=[*months, str(month.shift(-1))]):
        verdicts[(row.provider_id, row.month)][row.indicator] = row
    order = [indicator.code for indicator in INDICATORS]
    used = {indicator for (provider_id, m), rules in verdicts.items() if m == str(month) for indicator in rules}
    rows = []
    for provider in providers:
        now = verdicts.get((provider.pk, str(month)), {})
        before = verdicts.get((provider.pk, str(month.shift(-1))), {})
        trend = []
        for m in months:
            judged = [c for c in verdicts.get((provider.pk, m), {}).values() if c.status != Compliance.Status.NOT_MEASURABLE]
            met = sum(1 for c in judged if c.status == Compliance.Status.MET)
            trend.append((m, met, len(judged), round(100 * met / len(judged)) if judged else 0))
        changes = [(before.get(code), verdict) for code, verdict in sorted(now.items(), key=lambda kv: order.index(kv[0]))
                   if before.get(code) is None or before[code].status != verdict.status]
        rows.append(OverviewRow(provider=provider, compliance=now, trend=trend, changes=changes))
    key_values = {(r.provider_id, r.indicator): r
                  for r in _results([str(month)]).filter(unit__isnull=True, indicator__in=["punctuality", "continuity_mean"])}
    return Overview(month=month, run=month_run(month), indicators=[code for code in order if code in used],
                    rows=rows, key_values=key_values)


def require_evidence(viewer: Viewer) -> None:
    """The records behind figures name recipients: care-data readers (and provider users, their own) only."""
    if not can_read_care_data(viewer):
        raise NotFound("Not found.")


def continuity_evidence(*, viewer: Viewer, provider: Provider, month: Month, unit_id: int | None = None):
    require_evidence(viewer)
    rows = ContinuityObservation.objects.filter(run__status=IndicatorRun.Status.COMPLETE, month=str(month),
                                                provider=provider).select_related("recipient", "unit")
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    return rows.order_by("period_start", "-staff", "recipient_id")


def recipient_evidence(*, viewer: Viewer, provider: Provider, month: Month):
    require_evidence(viewer)
    return RecipientMonth.objects.filter(run__status=IndicatorRun.Status.COMPLETE, month=str(month),
                                         provider=provider).select_related("recipient").order_by("-staff", "recipient_id")


def deadline_evidence(*, viewer: Viewer, provider: Provider, month: Month, indicator: str, status: str = ""):
    require_evidence(viewer)
    code = "care_contact" if indicator == "care_contact_days" else indicator
    items = DeadlineItem.objects.filter(run__status=IndicatorRun.Status.COMPLETE, month=str(month),
                                        provider=provider, indicator=code).select_related("recipient")
    if indicator == "care_contact_days":
        items = items.filter(done_date__gte=month.first_day, done_date__lte=month.last_day)
    if status:
        items = items.filter(status=status)
    return items.order_by("status", "due_date", "recipient_id")


def evidence_kind(indicator: str) -> str:
    """Where an indicator's drill-down leads: stored observations, recipient months, items, or visits."""
    if indicator in ("continuity_mean", "continuity_median", "continuity_over_20"):
        return "continuity"
    if indicator in ("staff_per_recipient", "performed_granted"):
        return "recipients"
    if indicator in ("care_contact", "care_contact_days", "welcome_call", "plan", "plan_follow_up", "complaint"):
        return "items"
    return "visits"


def month_or_latest(text: str | None) -> Month:
    if text:
        return Month.parse(text)
    return latest_month() or Month.of(datetime.date.today()).shift(-1)


def export_rows(*, viewer: Viewer, month: Month) -> list[dict[str, Any]]:
    """Every provider's figures for the month, flat (the CLI and other systems read these)."""
    require(viewer, QUALITY_READERS)
    results = _results([str(month)]).filter(unit__isnull=True).select_related("provider").order_by(
        "provider__name", "indicator")
    order = {indicator.code: n for n, indicator in enumerate(INDICATORS)}
    rows = sorted(results, key=lambda r: (r.provider.name, order.get(r.indicator, 99)))
    return [
        {"month": r.month, "provider": r.provider.name, "org_number": r.provider.org_number, "indicator": r.indicator,
         "value": r.value, "numerator": r.numerator, "denominator": r.denominator}
        for r in rows
    ]


# What is owed, as the overdue list names it.
OWED = {
    "welcome_call": _("Welcome call"),
    "plan": _("Implementation plan"),
    "plan_follow_up": _("Follow-up of the implementation plan"),
    "complaint": _("Answer to the complaint"),
    "care_contact": _("Care contact"),
}


@dataclass(frozen=True)
class OverdueItem:
    indicator: Indicator
    recipient: Recipient
    reference: str
    start_date: datetime.date
    due_date: datetime.date | None

    @property
    def owed(self) -> str:
        return str(OWED[self.indicator.code])

    @property
    def days_overdue(self) -> int | None:
        return None if self.due_date is None else (timezone.localdate() - self.due_date).days


def overdue_now(*, viewer: Viewer, provider: Provider, today: datetime.date) -> list[OverdueItem]:
    """What the provider owes today under the contract in force: welcome calls, plans, follow-ups
    and answers past their deadline, and recipients in care without a care contact."""
    require_evidence(viewer)
    terms = terms_by_provider(in_force_on(today)).get(provider.pk, STANDARD_TERMS)
    items = overdue_items(provider_id=provider.pk, terms=terms, as_of=today)
    recipients = Recipient.objects.in_bulk({item["recipient_id"] for item in items})
    by_code = {indicator.code: indicator for indicator in INDICATORS}
    return [
        OverdueItem(indicator=by_code[item["indicator"]], recipient=recipients[item["recipient_id"]],
                    reference=item["reference"], start_date=item["start_date"], due_date=item["due_date"])
        for item in items
    ]


def municipality_year_figures(*, indicators: list[str], years: list[int]) -> dict[tuple[str, int], Decimal | None]:
    """Pooled municipality-wide figures per year: Σ numerators / Σ denominators over every
    provider and measured month (a mean or share of all observations, not a mean of means).

    Medians cannot be pooled and are not offered. Public statistics, so no viewer is needed.
    """
    sums: dict[tuple[str, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    results = IndicatorResult.objects.filter(
        run__status=IndicatorRun.Status.COMPLETE, unit__isnull=True, indicator__in=indicators,
        numerator__isnull=False, month__gte=f"{min(years):04d}-01", month__lte=f"{max(years):04d}-12",
    ).values_list("indicator", "month", "numerator", "denominator") if years else []
    for code, month, numerator, denominator in results:
        total = sums[(code, int(month[:4]))]
        total[0] += numerator
        total[1] += denominator
    scale = {indicator.code: 100 if indicator.unit in ("percent", "per_100") else 1 for indicator in INDICATORS}
    return {
        (code, year): (sums[(code, year)][0] * scale[code] / sums[(code, year)][1]).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if sums[(code, year)][1] else None
        for code in indicators for year in years
    }


def indicator_results(*, viewer: Viewer, month: Month, provider_id: int | None = None) -> QuerySet[IndicatorResult]:
    """The month's stored figures the viewer may see: every provider's for municipal readers,
    their own provider's (units included) for provider users."""
    results = _results([str(month)]).select_related("provider", "unit").order_by("provider__name", "indicator", "unit_id")
    if can_read_quality(viewer):
        pass
    elif viewer.is_provider_user:
        results = results.filter(provider__organisation_id__in=viewer.provider_organisation_ids)
    else:
        raise NotFound("Not found.")
    if provider_id is not None:
        results = results.filter(provider_id=provider_id)
    return results


def compliance_results(*, viewer: Viewer, month: Month) -> QuerySet[Compliance]:
    """The month's verdicts the viewer may see (the same scoping as `indicator_results`)."""
    verdicts = Compliance.objects.filter(run__status=IndicatorRun.Status.COMPLETE, month=str(month)).select_related(
        "provider", "contract").order_by("provider__name", "indicator")
    if can_read_quality(viewer):
        return verdicts
    if viewer.is_provider_user:
        return verdicts.filter(provider__organisation_id__in=viewer.provider_organisation_ids)
    raise NotFound("Not found.")
