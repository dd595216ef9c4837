"""The reference tables the engine's SQL joins with, handed to DuckDB as Arrow tables.

They come from the system of record (Django ORM); identity numbers are never among them,
only surrogate ids and the birth dates that the age rules need.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import duckdb
import pyarrow as pa

from tillit.care.models import CareEvent, Decision, DecisionIntervention, Intervention, Recipient
from tillit.care.selectors import granted_intervention
from tillit.common.granted_time import granted_minutes
from tillit.common.periods import Month
from tillit.engine.terms import STANDARD_TERMS, Terms
from tillit.registry.models import Provider, Unit

_TERMS_SCHEMA = pa.schema([
    ("provider_id", pa.int64()), ("punctuality_margin_minutes", pa.int32()), ("welcome_call_days", pa.int32()),
    ("plan_days", pa.int32()), ("plan_followup_months", pa.int32()), ("complaint_days", pa.int32()),
])


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def recipients() -> pa.Table:
    rows = [{"id": pk, "birth_date": born} for pk, born in Recipient.objects.values_list("pk", "birth_date")]
    return _table(rows, pa.schema([("id", pa.int64()), ("birth_date", pa.date32())]))


def interventions(month: Month) -> pa.Table:
    """Each code's kind as the catalogue has it in the month (the latest version valid in it)."""
    kinds: dict[str, str] = {}
    for code, kind, valid_from, valid_to in Intervention.objects.order_by("code", "valid_from").values_list(
        "code", "kind", "valid_from", "valid_to"
    ):
        if valid_from <= month.last_day and (valid_to is None or valid_to >= month.first_day):
            kinds[code] = kind
        else:
            kinds.setdefault(code, kind)
    rows = [{"code": code, "kind": kind} for code, kind in kinds.items()]
    return _table(rows, pa.schema([("code", pa.string()), ("kind", pa.string())]))


def units() -> pa.Table:
    rows = [{"id": pk, "provider_id": provider, "service_type": kind}
            for pk, provider, kind in Unit.objects.values_list("pk", "provider_id", "service_type")]
    return _table(rows, pa.schema([("id", pa.int64()), ("provider_id", pa.int64()), ("service_type", pa.string())]))


def decisions(provider_id: int | None = None) -> pa.Table:
    """Every decision (or one provider's) with whether it is nursing-home care (it grants a place)."""
    chosen = Decision.objects.all() if provider_id is None else Decision.objects.filter(provider_id=provider_id)
    nursing = set(DecisionIntervention.objects.filter(
        decision__in=chosen, intervention__kind=Intervention.Kind.NURSING_HOME).values_list("decision_id", flat=True))
    rows = [
        {"id": pk, "recipient_id": recipient, "provider_id": provider, "start_date": start, "end_date": end,
         "nursing_home": pk in nursing}
        for pk, recipient, provider, start, end in chosen.values_list(
            "pk", "recipient_id", "provider_id", "start_date", "end_date")
    ]
    return _table(rows, pa.schema([
        ("id", pa.int64()), ("recipient_id", pa.int64()), ("provider_id", pa.int64()),
        ("start_date", pa.date32()), ("end_date", pa.date32()), ("nursing_home", pa.bool_()),
    ]))


def care_events(provider_id: int | None = None) -> pa.Table:
    events = CareEvent.objects.all() if provider_id is None else CareEvent.objects.filter(provider_id=provider_id)
    rows = [
        {"id": pk, "event_type": kind, "recipient_id": recipient, "provider_id": provider, "date": day,
         "reference": reference}
        for pk, kind, recipient, provider, day, reference in events.values_list(
            "pk", "event_type", "recipient_id", "provider_id", "date", "reference")
    ]
    return _table(rows, pa.schema([
        ("id", pa.int64()), ("event_type", pa.string()), ("recipient_id", pa.int64()),
        ("provider_id", pa.int64()), ("date", pa.date32()), ("reference", pa.string()),
    ]))


def granted(month: Month) -> pa.Table:
    """Granted seconds per provider and recipient in the month (PRODUCT.md, "Granted time").

    Seconds keep the exact minutes of whole-minute schablons whole; a fraction of a second
    (3 times a week of 15 minutes) is rounded half up here, far below what any figure shows.
    """
    totals: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
    decisions_in_month = Decision.objects.filter(start_date__lte=month.last_day).exclude(
        end_date__lt=month.first_day).prefetch_related("interventions")
    for decision in decisions_in_month:
        for line in decision.interventions.all():
            minutes = granted_minutes(granted_intervention(decision, line), month.year, month.month)
            totals[(decision.provider_id, decision.recipient_id)] += minutes
    rows = [{"provider_id": provider, "recipient_id": recipient, "granted_seconds": int(minutes * 60 + Fraction(1, 2))}
            for (provider, recipient), minutes in totals.items()]
    return _table(rows, pa.schema([
        ("provider_id", pa.int64()), ("recipient_id", pa.int64()), ("granted_seconds", pa.int64())]))


def terms(by_provider: dict[int, Terms]) -> pa.Table:
    """Each provider's terms; providers without a declaration get the standard terms."""
    rows = [by_provider.get(pk, STANDARD_TERMS).as_row(pk) for pk in Provider.objects.values_list("pk", flat=True)]
    return _table(rows, _TERMS_SCHEMA)


def register(connection: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Make the Arrow tables visible to the SQL under their names (no copy is made)."""
    for name, table in tables.items():
        connection.register(name, table)
