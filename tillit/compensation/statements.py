"""Computing, storing and approving statements (ersättningsunderlag).

`statement_run` prices every provider with a compensation model for a month: the engine gives
the quantities (ledger), the registers give the rest (decisions, recipients), pricing.py the
lines. Each run stores a new version per provider unless nothing changed; an approved version
is locked for good (a later run makes a new draft beside it).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record
from tillit.care.models import CareEvent, Decision, DecisionIntervention, Intervention, Recipient
from tillit.common.errors import ApplicationError
from tillit.common.granted_time import GrantedIntervention, granted_minutes_between, minutes_per_day
from tillit.common.periods import Month
from tillit.compensation.bands import VersionSpan, band_intervals, version_spans
from tillit.compensation.models import CompensationModel, Statement, StatementLine
from tillit.compensation.premiums import approved_premiums
from tillit.compensation.pricing import Line, ProviderMonth, Recipient as Priced, price, round_ore, visit_category
from tillit.compensation.services import model_export
from tillit.engine.compensation import MonthVisits
from tillit.ledger.models import VisitBatch
from tillit.registry.models import Provider
from tillit.registry.selectors import contracts_in_force


class StatementError(ApplicationError):
    code = "statement.invalid"


@dataclass(frozen=True)
class RunOutcome:
    provider: Provider
    statement: Statement
    changed: bool


def models_in_force(month: Month) -> dict[int, CompensationModel]:
    """Each provider's compensation model for the month: its contract's (the contract in force
    on the month's first day, else the latest starting in it)."""
    chosen = contracts_in_force(month)
    models = {}
    for provider_id, contract in chosen.items():
        candidates = list(contract.compensation_models.all())
        if len(candidates) > 1:
            raise StatementError(_("Contract %(ref)s has %(n)s compensation models; keep the one in use.")
                                 % {"ref": contract.reference, "n": len(candidates)})
        if candidates:
            models[provider_id] = candidates[0]
    return models


def _categories() -> dict[str, str]:
    return dict(Intervention.objects.order_by("code", "valid_from").values_list("code", "category"))


def _code_sets(keys: list[str], categories: dict[str, str], spans: dict[int, list[VersionSpan]]) -> list[dict[str, Any]]:
    """Which sets of codes are paid by time: all but those holding only codes paid per occasion
    (schablon) or per delivery (e.g. meal transport)."""
    # paid per occasion or per delivery, not by the time the visit took
    schablon = {s.intervention for provider_spans in spans.values() for span in provider_spans
                for s in span.rules.schablon}
    schablon |= {f.intervention for provider_spans in spans.values() for span in provider_spans
                 for f in span.rules.per_delivery if f.intervention}
    rows = []
    for key in keys:
        codes = key.split("|") if key else []
        rows.append({"codes_key": key, "category": visit_category(codes, categories),
                     "timed": bool(codes) and not set(codes) <= schablon})
    return rows


def _granted(provider: Provider, spans: list[VersionSpan]) -> dict[tuple[int, str, datetime.date], Fraction]:
    """Granted minutes per recipient, category and version (PRODUCT.md, "Granted time").

    Summed in whole numbers, as the engine's reference.granted does (a test holds it equal to
    tillit.common.granted_time): minutes × 100 × frequency × 10 000 × staff, in units of
    1 / (10**6 · 7 · days in the month), a common denominator of the day, week and month rates.
    """
    if not spans:
        return {}
    days = spans[0].first.day - 1 + (spans[-1].until - spans[0].first).days  # the month's length
    per_period = {"day": 7 * days, "week": days, "month": 7}
    units: dict[tuple[int, str, datetime.date], int] = defaultdict(int)
    lines = DecisionIntervention.objects.filter(decision__provider=provider).values_list(
        "decision__recipient_id", "decision__start_date", "decision__end_date", "category", "minutes", "frequency",
        "period", "double_staffing")
    for recipient_id, start, end, category, minutes, frequency, period, double in lines:
        weight = int(minutes * 100) * int(frequency * 10_000) * (2 if double else 1) * per_period[period]
        for span in spans:
            first = max(span.first, start)
            last = span.until - datetime.timedelta(days=1)
            last = last if end is None else min(last, end)
            if last >= first:
                units[(recipient_id, category, span.valid_from)] += weight * ((last - first).days + 1)
    denominator = 10**6 * 7 * days
    return {key: Fraction(value, denominator) for key, value in units.items()}


def _decisions(provider: Provider, spans: list[VersionSpan]) -> dict[tuple[int, str, datetime.date], list[str]]:
    """The decisions (case-system numbers) behind each recipient's granted time, per version."""
    out: dict[tuple[int, str, datetime.date], set[str]] = defaultdict(set)
    for recipient_id, number, start, end, category in DecisionIntervention.objects.filter(
            decision__provider=provider).values_list("decision__recipient_id", "decision__external_id",
                                                     "decision__start_date", "decision__end_date", "category"):
        for span in spans:
            if start < span.until and (end is None or end >= span.first):
                out[(recipient_id, category, span.valid_from)].add(number)
    return {key: sorted(numbers) for key, numbers in out.items()}


def _active_recipients(provider: Provider, month: Month) -> set[int]:
    return set(Decision.objects.filter(provider=provider, start_date__lte=month.last_day).exclude(
        end_date__lt=month.first_day).values_list("recipient_id", flat=True))


def _new_recipients(provider: Provider, spans: list[VersionSpan]) -> dict[datetime.date, set[int]]:
    """Recipients whose first decision with the provider starts in a version's days."""
    first: dict[int, datetime.date] = {}
    for recipient_id, start in Decision.objects.filter(provider=provider).values_list("recipient_id", "start_date"):
        first[recipient_id] = min(start, first.get(recipient_id, start))
    return {span.valid_from: {r for r, day in first.items() if span.first <= day < span.until} for span in spans}


def _absence_days(provider: Provider, spans: list[VersionSpan], month: Month
                  ) -> dict[tuple[int, datetime.date], list[tuple[int, str, Fraction]]]:
    """For each recipient's hospital stays with the provider: every day of the stay in the month
    (numbered from 1 = the day it started, up to the day before it ended) with the granted
    minutes of that day per category."""
    longest = max((rule.last_day for span in spans for rule in span.rules.absence), default=0)
    if not longest:
        return {}
    events = CareEvent.objects.filter(provider=provider, event_type__in=["absence_started", "absence_ended"],
                                      date__lte=month.last_day).order_by("date")
    stays: dict[tuple[int, str], list[datetime.date | None]] = {}
    for kind, recipient_id, day, reference in events.values_list("event_type", "recipient_id", "date", "reference"):
        if kind == "absence_started":
            stays[(recipient_id, reference)] = [day, None]
        elif (recipient_id, reference) in stays:
            stays[(recipient_id, reference)][1] = day
    items: dict[int, list[tuple[str, GrantedIntervention]]] = defaultdict(list)
    for recipient_id, start, end, category, minutes, frequency, period, double in DecisionIntervention.objects.filter(
            decision__provider=provider, decision__recipient_id__in={r for r, _ref in stays}).values_list(
            "decision__recipient_id", "decision__start_date", "decision__end_date", "category", "minutes",
            "frequency", "period", "double_staffing"):
        items[recipient_id].append((category, GrantedIntervention(
            standard_minutes=minutes, frequency=frequency, period=period, double_staffing=double,
            active_from=start, active_to=end)))
    out: dict[tuple[int, datetime.date], list[tuple[int, str, Fraction]]] = defaultdict(list)
    for (recipient_id, _reference), (start, end) in stays.items():
        for number in range(1, longest + 1):
            day = start + datetime.timedelta(days=number - 1)
            if (end is not None and day >= end) or not month.first_day <= day <= month.last_day:
                continue
            span = next((s for s in spans if s.first <= day < s.until), None)
            if span is None:
                continue
            for category, item in items[recipient_id]:
                minutes = minutes_per_day(item, day)
                if minutes:
                    out[(recipient_id, span.valid_from)].append((number, category, minutes))
    return dict(out)


def compute_month(month: Month, *, progress: Callable[[str], None] = lambda stage: None,
                  models: dict[int, CompensationModel] | None = None,
                  hours: dict[int, tuple[Fraction, Fraction]] | None = None,
                  ) -> tuple[dict[int, tuple[CompensationModel, list[Line]]], str]:
    """Every provider's priced lines for the month (nothing stored); and the ledger file read.

    `models`: provider id → the model to price with, instead of each contract's (the simulator);
    `hours`, when given, gets each provider's (performed, granted) hours, whatever the model pays
    them by (performed: every performed visit with a registered end, per staff member).
    """
    models = models_in_force(month) if models is None else models
    providers = Provider.objects.in_bulk(list(models))
    spans = {pid: version_spans([(v.valid_from, v.rules) for v in model.versions.all()], month)
             for pid, model in models.items()}
    visits = MonthVisits(month)
    try:
        categories = _categories()
        progress("quantities")
        bands = [row for pid, provider_spans in spans.items() for row in band_intervals(pid, provider_spans, month)]
        versions = [{"provider_id": pid, "version_from": s.valid_from, "until": s.until}
                    for pid, provider_spans in spans.items() for s in provider_spans]
        time_rows, visit_rows = visits.quantities(
            bands=bands, versions=versions, code_sets=_code_sets(visits.code_sets(), categories, spans))
        ledger_path = visits.ledger_path
    finally:
        visits.close()
    progress("pricing")
    by_provider_time: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_provider_visits: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in time_rows:
        by_provider_time[row["provider_id"]].append(row)
    for row in visit_rows:
        by_provider_visits[row["provider_id"]].append(row)
    zones = {pk: zone or "" for pk, zone in Recipient.objects.values_list("pk", "area__zone__code")}
    alarms = set(Recipient.objects.filter(alarm_customer=True).values_list("pk", flat=True))
    out = {}
    for pid, model in models.items():
        provider = providers[pid]
        recipients = {pk: Priced(zone=zones.get(pk, ""), alarm_customer=pk in alarms) for pk in zones}
        active = _active_recipients(provider, month)
        provider_month = ProviderMonth(
            regi=provider.regi, spans=spans[pid], recipients=recipients, categories=categories,
            time_rows=by_provider_time[pid], visit_rows=by_provider_visits[pid],
            granted=_granted(provider, spans[pid]), alarm_recipients=active & alarms,
            new_recipients=_new_recipients(provider, spans[pid]),
            absence_days=_absence_days(provider, spans[pid], month),
            decisions=_decisions(provider, spans[pid]),
        )
        lines = price(provider_month)
        for application in approved_premiums(pid, month):  # the effect premium: its own line
            lines.append(Line(recipient_id=None, component="effect_premium",
                              version_from=spans[pid][-1].valid_from if spans[pid] else month.first_day,
                              quantity=Fraction(1), unit="sum", rate=application.amount,
                              detail={"scheme": application.scheme.name, "application": application.pk}))
        out[pid] = (model, lines)
        if hours is not None:
            hours[pid] = (Fraction(sum(row["performed_seconds"] for row in provider_month.visit_rows), 3600),
                          sum(provider_month.granted.values(), Fraction(0)) / 60)
    return out, ledger_path


def _line_model(statement: Statement, line: Line) -> StatementLine:
    def minutes(value: Fraction | None) -> Decimal | None:
        return None if value is None else round_ore(value)

    return StatementLine(
        statement=statement, recipient_id=line.recipient_id, component=line.component,
        version_from=line.version_from, category=line.category, band=line.band, intervention=line.intervention,
        granted_minutes=minutes(line.granted_minutes), performed_minutes=minutes(line.performed_minutes),
        quantity=line.quantity_decimal, unit=line.unit, rate=line.rate, percent=line.percent,
        amount=line.amount, detail=line.detail,
    )


def _signature(lines: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(lines, key=repr)


def statement_run(*, actor: Any, month: Month, progress: Callable[[str], None] = lambda stage: None
                  ) -> list[RunOutcome]:
    """Compute the month's statements and store a new version where anything changed."""
    computed, ledger_path = compute_month(month, progress=progress)
    batches = sorted(VisitBatch.objects.filter(state=VisitBatch.State.ACTIVE, files__month=str(month))
                     .values_list("pk", flat=True).distinct())
    progress("storing")
    outcomes = []
    for pid, (model, lines) in sorted(computed.items()):
        outcomes.append(_store(actor, month, Provider.objects.get(pk=pid), model, lines, ledger_path, batches))
    return outcomes


FIELDS = ("recipient_id", "component", "version_from", "category", "band", "intervention", "quantity", "unit",
          "rate", "percent", "amount")


@transaction.atomic
def _store(actor: Any, month: Month, provider: Provider, model: CompensationModel, lines: list[Line],
           ledger_path: str, batches: list[int]) -> RunOutcome:
    latest = Statement.objects.select_for_update().filter(provider=provider, month=str(month)).order_by("-number").first()
    document = model_export(model)
    candidate = Statement(provider=provider, month=str(month), model=model, model_document=document,
                          total=sum((line.amount for line in lines), Decimal("0.00")), ledger_path=ledger_path,
                          ledger_batches=batches, created_by=actor if getattr(actor, "pk", None) else None)
    new_lines = [_line_model(candidate, line) for line in lines]
    if latest is not None and latest.model_document == document:
        old = _signature([tuple(getattr(l, f) for f in FIELDS) for l in latest.lines.all()])
        if old == _signature([tuple(getattr(l, f) for f in FIELDS) for l in new_lines]):
            return RunOutcome(provider, latest, False)
    candidate.number = (latest.number + 1) if latest else 1
    candidate.save()
    for line in new_lines:
        line.statement = candidate
    StatementLine.objects.bulk_create(new_lines, batch_size=5000)
    audit_record(actor=actor, event_type="statement.computed", target=candidate, target_label=str(candidate),
                 organisation=provider.organisation,
                 new={"month": str(month), "version": candidate.number, "total": candidate.total,
                      "lines": len(new_lines), "model": model.name})
    return RunOutcome(provider, candidate, True)


@transaction.atomic
def statement_approve(*, actor: Any, statement: Statement) -> Statement:
    """Finance approves: the statement is locked and can never change (a re-run makes a new one)."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.status == Statement.Status.APPROVED:
        raise StatementError(_("The statement is already approved."))
    newer = Statement.objects.filter(provider=statement.provider, month=statement.month, number__gt=statement.number)
    if newer.exists():
        raise StatementError(_("A newer version of this statement exists; approve the latest."))
    statement.status, statement.approved_at = Statement.Status.APPROVED, timezone.now()
    statement.approved_by = actor if getattr(actor, "pk", None) else None
    statement.save(update_fields=["status", "approved_at", "approved_by"])
    audit_record(actor=actor, event_type="statement.approved", target=statement, target_label=str(statement),
                 organisation=statement.provider.organisation, new={"total": statement.total})
    return statement
