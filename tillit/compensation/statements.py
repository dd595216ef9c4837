"""Computing, storing and approving statements (ersättningsunderlag).

`statement_run` prices every provider with a compensation model for a month: the engine gives
the quantities (ledger), the registers give the rest (decisions, recipients), pricing.py the
lines. Each run stores a new version per provider unless nothing changed; an approved version
is locked for good (a later run makes a new draft beside it).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pyarrow as pa
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record
from tillit.care.models import CareEvent, Decision, DecisionIntervention, Intervention, Recipient
from tillit.common.bulk import insert_rows
from tillit.common.errors import ApplicationError
from tillit.common.granted_time import GrantedIntervention, minutes_per_day
from tillit.common.periods import Month
from tillit.compensation import recipes
from tillit.compensation.bands import VersionSpan, band_intervals, version_bounds, version_spans, window
from tillit.compensation.models import CompensationModel, Statement, StatementLine
from tillit.compensation.premiums import approved_premiums
from tillit.compensation.pricing import (
    Line, Recipient as Priced, RegisterMonth, regi_adjustments, register_lines, visit_category,
)
from tillit.compensation.services import model_export
from tillit.engine import compensation as engine
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


def _code_sets(keys: list[str], categories: dict[str, str], spans: dict[int, list[VersionSpan]]) -> pa.Table:
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
    return engine.table(rows, engine.CODE_SETS)


def _dates(values: tuple) -> pa.Array:
    """Dates as the database cursor gives them (SQLite: ISO text) as an Arrow column."""
    if any(isinstance(value, str) for value in values):
        return pa.array(values, pa.string()).cast(pa.date32())
    return pa.array(values, pa.date32())


def _day(value: datetime.date | str | None) -> datetime.date | None:
    return value if value is None or isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


class Registers:
    """What statements read from the database besides the ledger, read once for a run of one
    month or many (plain SQL into columns: a large municipality has hundreds of thousands of
    decision lines, and the ORM's conversions would cost more than the pricing)."""

    def __init__(self) -> None:
        self.categories = _categories()
        line, decision = DecisionIntervention._meta.db_table, Decision._meta.db_table
        with connection.cursor() as cursor:
            # minutes have two decimals and frequencies four: both scaled are whole numbers
            # (ROUND only removes a binary floating-point remainder SQLite may keep)
            cursor.execute(f"SELECT d.provider_id, d.recipient_id, d.external_id, d.start_date, d.end_date, i.category, "
                           f"CAST(ROUND(i.minutes * 100) AS BIGINT), CAST(ROUND(i.frequency * 10000) AS BIGINT), "
                           f"i.period, i.double_staffing FROM {line} i JOIN {decision} d ON d.id = i.decision_id")
            self._lines = cursor.fetchall()
            cursor.execute(f"SELECT provider_id, recipient_id, start_date, end_date FROM {decision}")
            decisions = cursor.fetchall()
        columns = list(zip(*self._lines)) or [()] * 10
        self.decision_table = pa.table({
            "provider_id": pa.array(columns[0], pa.int64()), "recipient_id": pa.array(columns[1], pa.int64()),
            "number": pa.array(columns[2], pa.string()), "start_date": _dates(columns[3]),
            "end_date": _dates(columns[4]), "category": pa.array(columns[5], pa.string()),
            "minutes": pa.array([int(m) for m in columns[6]], pa.int64()),
            "frequency": pa.array([int(f) for f in columns[7]], pa.int64()),
            "period": pa.array(columns[8], pa.string()),
            "double_staffing": pa.array([bool(d) for d in columns[9]], pa.bool_()),
        }, schema=engine.DECISION_LINES)
        self.decisions: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = defaultdict(list)
        for provider_id, recipient_id, start, end in decisions:
            self.decisions[provider_id].append((recipient_id, _day(start), _day(end)))  # type: ignore[arg-type]
        self.zones = {pk: zone or "" for pk, zone in Recipient.objects.values_list("pk", "area__zone__code")}
        self.alarms = set(Recipient.objects.filter(alarm_customer=True).values_list("pk", flat=True))
        self.recipients = {pk: Priced(zone=zone, alarm_customer=pk in self.alarms) for pk, zone in self.zones.items()}
        self.recipient_table = engine.table([{"recipient_id": pk, "zone": zone} for pk, zone in self.zones.items()],
                                            engine.RECIPIENTS)
        self._absence_events: list[tuple] | None = None

    def active_recipients(self, provider_id: int, month: Month) -> set[int]:
        first, last = month.first_day, month.last_day
        return {r for r, start, end in self.decisions.get(provider_id, ()) if start <= last and (end is None or end >= first)}

    def new_recipients(self, provider_id: int, spans: list[VersionSpan]) -> dict[datetime.date, set[int]]:
        """Recipients whose first decision with the provider starts in a version's days."""
        first: dict[int, datetime.date] = {}
        for recipient_id, start, _end in self.decisions.get(provider_id, ()):
            first[recipient_id] = min(start, first.get(recipient_id, start))
        return {span.valid_from: {r for r, day in first.items() if span.first <= day < span.until} for span in spans}

    def absence_events(self) -> list[tuple]:
        """(provider, event, recipient, date, reference) of every hospital stay's start and end,
        in date order; read the first time a model pays absences."""
        if self._absence_events is None:
            self._absence_events = list(
                CareEvent.objects.filter(event_type__in=["absence_started", "absence_ended"]).order_by("date")
                .values_list("provider_id", "event_type", "recipient_id", "date", "reference"))
        return self._absence_events

    def absence_days(self, provider_id: int, spans: list[VersionSpan], month: Month
                     ) -> dict[tuple[int, datetime.date], list[tuple[int, str, Fraction]]]:
        """For each recipient's hospital stays with the provider: every day of the stay in the month
        (numbered from 1 = the day it started, up to the day before it ended) with the granted
        minutes of that day per category."""
        longest = max((rule.last_day for span in spans for rule in span.rules.absence), default=0)
        if not longest:
            return {}
        stays: dict[tuple[int, str], list[datetime.date | None]] = {}
        for p, kind, recipient_id, day, reference in self.absence_events():
            if p != provider_id or day > month.last_day:
                continue
            if kind == "absence_started":
                stays[(recipient_id, reference)] = [day, None]
            elif (recipient_id, reference) in stays:
                stays[(recipient_id, reference)][1] = day
        staying = {r for r, _ref in stays}
        items: dict[int, list[tuple[str, GrantedIntervention]]] = defaultdict(list)
        for p, recipient_id, _number, start, end, category, minutes, frequency, period, double in self._lines:
            if p == provider_id and recipient_id in staying:
                items[recipient_id].append((category, GrantedIntervention(
                    standard_minutes=Decimal(int(minutes)) / 100, frequency=Decimal(int(frequency)) / 10000,
                    period=period, double_staffing=bool(double), active_from=_day(start), active_to=_day(end))))
        out: dict[tuple[int, datetime.date], list[tuple[int, str, Fraction]]] = defaultdict(list)
        for (recipient_id, _reference), (start, end) in stays.items():
            for number in range(1, longest + 1):
                day = start + datetime.timedelta(days=number - 1)  # type: ignore[operator]
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
                  registers: Registers | None = None,
                  ) -> tuple[dict[int, tuple[CompensationModel, list[Line]]], str]:
    """Every provider's priced lines for the month (nothing stored); and the ledger file read.

    `models`: provider id → the model to price with, instead of each contract's (the simulator);
    `hours`, when given, gets each provider's (performed, granted) hours, whatever the model pays
    them by (performed: every performed visit with a registered end, per staff member);
    `registers`: read once for a run of several months.
    """
    models = models_in_force(month) if models is None else models
    registers = registers or Registers()
    providers = Provider.objects.in_bulk(list(models))
    spans = {pid: version_spans([(v.valid_from, v.rules) for v in model.versions.all()], month)
             for pid, model in models.items()}
    priced = {pid: recipes.Priced(regi=providers[pid].regi, spans=spans[pid]) for pid in models}
    visits = MonthVisits(month)
    try:
        progress("quantities")
        code_sets = visits.read(
            intervals=engine.table([row for pid in models for row in band_intervals(pid, spans[pid], month)],
                                   engine.INTERVALS), window_start=window(month)[0],
            versions=engine.table([row for pid in models for row in version_bounds(pid, spans[pid])], engine.VERSIONS))
        visits.quantities(code_sets=_code_sets(code_sets, registers.categories, spans),
                          recipients=registers.recipient_table, decision_lines=registers.decision_table)
        progress("pricing")
        by_provider = recipes.price(visits, priced, registers.categories)
        provider_hours = visits.hours() if hours is not None else {}
        ledger_path = visits.ledger_path
    finally:
        visits.close()
    out = {}
    for pid, model in models.items():
        provider = providers[pid]
        register_month = RegisterMonth(
            regi=provider.regi, spans=spans[pid], recipients=registers.recipients,
            alarm_recipients=registers.active_recipients(pid, month) & registers.alarms,
            new_recipients=registers.new_recipients(pid, spans[pid]),
            absence_days=registers.absence_days(pid, spans[pid], month))
        # the engine's lines are never zero; the registers' may be
        lines = by_provider.get(pid, []) + [line for line in register_lines(register_month) if line.quantity]
        lines += regi_adjustments(provider.regi, spans[pid], lines)
        for application in approved_premiums(pid, month):  # the effect premium: its own line
            lines.append(Line(recipient_id=None, component="effect_premium",
                              version_from=spans[pid][-1].valid_from if spans[pid] else month.first_day,
                              quantity=Fraction(1), unit="sum", rate=application.amount,
                              detail={"scheme": application.scheme.name, "application": application.pk}))
        out[pid] = (model, lines)
        if hours is not None:
            performed, granted = provider_hours.get(pid, (0, 0))
            hours[pid] = (Fraction(performed, 3600), Fraction(granted, engine.GRANTED_SCALE * 7 * month.days * 60))
    return out, ledger_path


def _canonical(value: Any) -> str:
    """A stored value as text that does not depend on how it was written (400, 400.00, 4E+2)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def lines_digest(rows: Iterable[tuple[Any, ...]]) -> str:
    """sha256 of a statement's lines (FIELDS of each, in any order): equal for equal lines."""
    texts = sorted("\x1f".join(_canonical(value) for value in row) for row in rows)
    return hashlib.sha256("\x1e".join(texts).encode()).hexdigest()


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
_COLUMNS = ("statement", "recipient", "component", "version_from", "category", "band", "intervention",
            "granted_minutes", "performed_minutes", "quantity", "unit", "rate", "percent", "amount", "detail")


def _row(line: Line) -> tuple[Any, ...]:
    """A line's values in the order of _COLUMNS, without the statement."""
    return (line.recipient_id, line.component, line.version_from, line.category, line.band, line.intervention,
            line.stored_minutes(granted=True), line.stored_minutes(granted=False), line.quantity_decimal, line.unit,
            line.rate, line.percent, line.amount, line.detail)


@transaction.atomic
def _store(actor: Any, month: Month, provider: Provider, model: CompensationModel, lines: list[Line],
           ledger_path: str, batches: list[int]) -> RunOutcome:
    latest = Statement.objects.select_for_update().filter(provider=provider, month=str(month)).order_by("-number").first()
    document = model_export(model)
    rows = [_row(line) for line in lines]
    digest = lines_digest((r[0], r[1], r[2], r[3], r[4], r[5], r[8], r[9], r[10], r[11], r[12]) for r in rows)
    if latest is not None and latest.model_document == document:
        stored = latest.lines_digest or lines_digest(latest.lines.values_list(*FIELDS))
        if stored == digest:
            return RunOutcome(provider, latest, False)
    candidate = Statement.objects.create(
        provider=provider, month=str(month), model=model, model_document=document, number=(latest.number + 1) if latest else 1,
        total=sum((line.amount for line in lines), Decimal("0.00")), ledger_path=ledger_path, ledger_batches=batches,
        lines_digest=digest, created_by=actor if getattr(actor, "pk", None) else None)
    insert_rows(StatementLine, _COLUMNS, ((candidate.pk, *row) for row in rows))
    audit_record(actor=actor, event_type="statement.computed", target=candidate, target_label=str(candidate),
                 organisation=provider.organisation,
                 new={"month": str(month), "version": candidate.number, "total": candidate.total,
                      "lines": len(rows), "model": model.name})
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
