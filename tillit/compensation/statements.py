"""Computing, storing and approving statements (ersättningsunderlag).

`statement_run` prices every provider with a compensation model for a month: the engine gives
the quantities (ledger), the registers give the rest (decisions, recipients), pricing.py the
lines. Each run stores a new version per provider unless nothing changed; an approved version
is locked for good (a later run makes a new draft beside it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record
from tillit.engine.bulk import insert_rows
from tillit.common.errors import ApplicationError
from tillit.common.periods import Month
from tillit.compensation import recipes
from tillit.compensation.bands import VersionSpan, band_intervals, version_bounds, version_spans, window
from tillit.compensation.models import CompensationModel, Statement, StatementLine
from tillit.compensation.premiums import approved_premiums
from tillit.compensation.pricing import Line, LineSet, RegisterMonth, register_lines, visit_category
from tillit.compensation.registers import Registers
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


def _register_lines(registers: Registers, provider: Provider, spans: list[VersionSpan], month: Month) -> list[Line]:
    """A provider's lines priced from the registers: new customers, absences."""
    lines = register_lines(RegisterMonth(
        regi=provider.regi, spans=spans, zones=registers.zone_of,
        new_recipients=registers.new_recipients(provider.pk, spans),
        absence_days=registers.absence_days(provider.pk, spans, month)))
    return [line for line in lines if line.quantity]


def compute_month(month: Month, *, progress: Callable[[str], None] = lambda stage: None,
                  models: dict[int, CompensationModel] | None = None,
                  hours: dict[int, tuple[Fraction, Fraction]] | None = None,
                  registers: Registers | None = None,
                  ) -> tuple[dict[int, tuple[CompensationModel, LineSet]], str]:
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
        from_registers = {pid: _register_lines(registers, providers[pid], spans[pid], month) for pid in models}
        by_provider = recipes.price(visits, priced, registers.categories, from_registers,
                                    registers.alarm_recipients(list(models), month), registers.zones)
        provider_hours = visits.hours() if hours is not None else {}
        ledger_path = visits.ledger_path
    finally:
        visits.close()
    out = {}
    for pid, model in models.items():
        lines = by_provider[pid]
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
    texts = []
    for column in zip(*rows):
        canonical = {value: _canonical(value) for value in set(column)}  # rates, dates and kinds repeat
        texts.append([canonical[value] for value in column])
    return hashlib.sha256("\x1e".join(sorted(map("\x1f".join, zip(*texts)))).encode()).hexdigest()


def statement_run(*, actor: Any, month: Month, progress: Callable[[str], None] = lambda stage: None,
                  registers: Registers | None = None) -> list[RunOutcome]:
    """Compute the month's statements and store a new version where anything changed.
    `registers`: read once for a run of several months."""
    computed, ledger_path = compute_month(month, progress=progress, registers=registers)
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


@transaction.atomic
def _store(actor: Any, month: Month, provider: Provider, model: CompensationModel, lines: LineSet,
           ledger_path: str, batches: list[int]) -> RunOutcome:
    latest = Statement.objects.select_for_update().filter(provider=provider, month=str(month)).order_by("-number").first()
    document = model_export(model)
    rows = list(lines.stored())
    digest = lines_digest((r[0], r[1], r[2], r[3], r[4], r[5], r[8], r[9], r[10], r[11], r[12]) for r in rows)
    if latest is not None and latest.model_document == document:
        stored = latest.lines_digest or lines_digest(latest.lines.values_list(*FIELDS))
        if stored == digest:
            return RunOutcome(provider, latest, False)
    candidate = Statement.objects.create(
        provider=provider, month=str(month), model=model, model_document=document, number=(latest.number + 1) if latest else 1,
        total=lines.total, ledger_path=ledger_path, ledger_batches=batches,
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
