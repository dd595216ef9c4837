"""Filling the stored results of a month: compute with the engine, then swap in one transaction.

A run is written whole or not at all: the engine computes outside any transaction, then the
results, their evidence, the compliance and the run's completion commit together, and the
month's older runs go. An interrupted run stays "running" (or "failed", with the error) and
is removed by the next complete run of the month; pages keep showing the last complete one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone

from tillit.audit.services import audit_record
from tillit.common.periods import Month
from tillit.engine.month import MonthFigures, compute_month, rounded
from tillit.engine.reference import Snapshot
from tillit.quality.models import (
    ContinuityObservation, DeadlineItem, IndicatorResult, IndicatorRun, RecipientMonth,
)
from tillit.quality.services.compliance import compliance_rows, contracts_in_force, terms_by_provider

_BATCH = 5000


def indicator_run(*, actor: Any, month: Month, reason: str = "manual", as_of: datetime.date | None = None,
                  progress: Callable[[str], None] = lambda stage: None,
                  snapshot: Snapshot | None = None) -> IndicatorRun:
    """Compute and store every indicator of `month`; return the complete run.

    `as_of` is the day deadlines are judged on (today by default): a deadline after it is
    pending, not missed.
    """
    as_of = as_of or timezone.localdate()
    run = IndicatorRun.objects.create(month=str(month), as_of=as_of, reason=reason,
                                      started_by=actor if getattr(actor, "pk", None) else None)
    contracts = contracts_in_force(month)
    try:
        figures = compute_month(month, terms_by_provider(contracts), as_of=as_of, progress=progress,
                                snapshot=snapshot)
        progress("storing")
        _store(actor, run, month, figures, contracts)
    except Exception as error:
        IndicatorRun.objects.filter(pk=run.pk).update(status=IndicatorRun.Status.FAILED, error=str(error)[:2000],
                                                       finished_at=timezone.now())
        raise
    run.refresh_from_db()
    return run


def indicator_runs(*, actor: Any, months: list[Month], reason: str = "manual", as_of: datetime.date | None = None,
                   progress: Callable[[str], None] = lambda stage: None) -> list[IndicatorRun]:
    """Runs of several months (a year for the demo or after a back-load) that read the
    reference data once."""
    snapshot = Snapshot()
    return [indicator_run(actor=actor, month=month, reason=reason, as_of=as_of, snapshot=snapshot,
                          progress=lambda stage, month=month: progress(f"{month}: {stage}"))
            for month in months]


@transaction.atomic
def _store(actor: Any, run: IndicatorRun, month: Month, figures: MonthFigures, contracts: dict) -> None:
    label = str(month)
    IndicatorResult.objects.bulk_create((
        IndicatorResult(run=run, month=label, indicator=v.indicator, provider_id=v.provider_id, unit_id=v.unit_id,
                        numerator=v.numerator, denominator=v.denominator, value=v.value)
        for v in figures.values), batch_size=_BATCH)
    ContinuityObservation.objects.bulk_create((
        ContinuityObservation(run=run, month=label, provider_id=o["provider_id"], unit_id=o["unit_id"],
                              recipient_id=o["recipient_id"], period_start=o["period_start"],
                              visits=o["visits"], staff=o["staff"])
        for o in figures.continuity), batch_size=_BATCH)
    RecipientMonth.objects.bulk_create((
        RecipientMonth(run=run, month=label, provider_id=r["provider_id"], recipient_id=r["recipient_id"],
                       staff=r["staff"], planned_visits=r["planned_visits"], performed_visits=r["performed_visits"],
                       performed_minutes=_minutes(r["performed_seconds"]), granted_minutes=_minutes(r["granted_seconds"]))
        for r in figures.recipients), batch_size=_BATCH)
    DeadlineItem.objects.bulk_create([
        *(DeadlineItem(run=run, month=label, indicator=i["indicator"], provider_id=i["provider_id"],
                       recipient_id=i["recipient_id"], reference=i["reference"] or "", start_date=i["start_date"],
                       due_date=i["due_date"], end_date=i["end_date"], done_date=i["done_date"], status=i["status"])
          for i in figures.deadlines),
        *(DeadlineItem(run=run, month=label, indicator="care_contact", provider_id=c["provider_id"],
                       recipient_id=c["recipient_id"], start_date=c["start_date"], due_date=month.last_day,
                       done_date=c["assigned_date"],
                       status=DeadlineItem.Status.MET if c["assigned_date"] else DeadlineItem.Status.MISSING)
          for c in figures.care_contacts),
    ], batch_size=_BATCH)
    compliance = compliance_rows(run, month, contracts, figures.values)
    run.compliance.model.objects.bulk_create(compliance, batch_size=_BATCH)
    IndicatorRun.objects.filter(month=label).exclude(pk=run.pk).delete()
    IndicatorRun.objects.filter(pk=run.pk).update(status=IndicatorRun.Status.COMPLETE, finished_at=timezone.now(),
                                                   ledger_path=figures.ledger_path)
    audit_record(actor=actor, event_type="quality.run", target=run, target_label=label, new={
        "month": label, "reason": run.reason, "as_of": run.as_of, "results": len(figures.values),
        "compliance": {status: sum(1 for c in compliance if c.status == status)
                       for status in ("met", "not_met", "not_measurable")},
    })


def _minutes(seconds: int) -> Decimal:
    return rounded(Fraction(seconds, 60))
