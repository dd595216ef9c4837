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
from tillit.engine.bulk import insert_rows
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
    insert_rows(ContinuityObservation, ("run", "month", "provider", "unit", "recipient", "period_start", "visits", "staff"), (
        (run.pk, label, o["provider_id"], o["unit_id"], o["recipient_id"], o["period_start"], o["visits"], o["staff"])
        for o in figures.continuity))
    insert_rows(RecipientMonth, ("run", "month", "provider", "recipient", "staff", "planned_visits",
                                 "performed_visits", "performed_minutes", "granted_minutes"), (
        (run.pk, label, r["provider_id"], r["recipient_id"], r["staff"], r["planned_visits"], r["performed_visits"],
         _minutes(r["performed_seconds"]), _minutes(r["granted_seconds"]))
        for r in figures.recipients))
    items = ("run", "month", "indicator", "provider", "recipient", "reference", "start_date", "due_date", "end_date",
             "done_date", "status")
    insert_rows(DeadlineItem, items, (
        (run.pk, label, i["indicator"], i["provider_id"], i["recipient_id"], i["reference"] or "", i["start_date"],
         i["due_date"], i["end_date"], i["done_date"], i["status"])
        for i in figures.deadlines))
    insert_rows(DeadlineItem, items, (
        (run.pk, label, "care_contact", c["provider_id"], c["recipient_id"], "", c["start_date"], month.last_day,
         None, c["assigned_date"], DeadlineItem.Status.MET if c["assigned_date"] else DeadlineItem.Status.MISSING)
        for c in figures.care_contacts))
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
