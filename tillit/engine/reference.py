"""The reference tables the engine's SQL joins with, handed to DuckDB as Arrow tables.

They come from the system of record (Django ORM); identity numbers are never among them,
only surrogate ids and the birth dates that the age rules need.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

import duckdb
import pyarrow as pa
from django.db import connection

from tillit.care.models import CareEvent, Decision, DecisionIntervention, Intervention, Recipient
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


@dataclass(frozen=True)
class GrantedLine:
    """A granted intervention in whole numbers: minutes × 100 × frequency × 10 000 × staff a period."""

    provider_id: int
    recipient_id: int
    active_from: datetime.date
    active_to: datetime.date | None
    units: int  # minutes (2 decimals) × frequency (4 decimals) × staff, scaled to an integer by 10**6
    period: str


_SCALE = 10**6  # minutes carry two decimals and frequencies four (care.models.DecisionIntervention)


def granted_lines() -> list[GrantedLine]:
    """Every granted intervention of every decision, read once (a year's run reuses them).

    Plain SQL: the ORM's decimal conversion of a large municipality's lines costs more than the
    rest of the reading. Minutes have two decimals and frequencies four, so both scaled values
    are whole numbers (ROUND only removes a binary floating-point remainder SQLite may keep).
    """
    line, decision = DecisionIntervention._meta.db_table, Decision._meta.db_table
    sql = (f"SELECT d.provider_id, d.recipient_id, d.start_date, d.end_date, ROUND(i.minutes * 100), "
           f"ROUND(i.frequency * 10000), i.period, i.double_staffing FROM {line} i JOIN {decision} d ON d.id = i.decision_id")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return [
        GrantedLine(provider, recipient, _day(start), _day(end) if end is not None else None,
                    int(minutes) * int(frequency) * (2 if double else 1), period)
        for provider, recipient, start, end, minutes, frequency, period, double in rows
    ]


def _day(value: datetime.date | str) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def granted(month: Month, lines: list[GrantedLine] | None = None) -> pa.Table:
    """Granted seconds per provider and recipient in the month (PRODUCT.md, "Granted time").

    The same exact sum as `tillit.common.granted_time` (a test holds them equal), in integers
    for speed: every line's minutes are counted in units of 1 / (10**6 · 7 · days in the month),
    a common denominator of the day, week and month rates. The total is rounded half up to
    whole seconds, far below what any figure shows.
    """
    first, last, days = month.first_day, month.last_day, month.days
    per_period = {"day": 7 * days, "week": days, "month": 7}  # (7 · days) / days in the period
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for line in granted_lines() if lines is None else lines:
        start = max(first, line.active_from)
        end = last if line.active_to is None else min(last, line.active_to)
        if end >= start:
            totals[(line.provider_id, line.recipient_id)] += line.units * per_period[line.period] * ((end - start).days + 1)
    denominator = _SCALE * 7 * days
    rows = [{"provider_id": provider, "recipient_id": recipient,
             "granted_seconds": (2 * 60 * units + denominator) // (2 * denominator)}  # half up
            for (provider, recipient), units in totals.items()]
    return _table(rows, pa.schema([
        ("provider_id", pa.int64()), ("recipient_id", pa.int64()), ("granted_seconds", pa.int64())]))


def terms(by_provider: dict[int, Terms]) -> pa.Table:
    """Each provider's terms; providers without a declaration get the standard terms."""
    rows = [by_provider.get(pk, STANDARD_TERMS).as_row(pk) for pk in Provider.objects.values_list("pk", flat=True)]
    return _table(rows, _TERMS_SCHEMA)


class Snapshot:
    """The reference tables read once from the database, for runs of several months."""

    def __init__(self) -> None:
        # deadline items of every month, per (as_of, terms): the query reads no visits, so a
        # run of several months asks it once (engine.month._deadlines)
        self.deadlines: dict[object, dict[tuple[int, int], list[dict]]] = {}
        self.recipients = recipients()
        self.units = units()
        self.decisions = decisions()
        self.care_events = care_events()
        self.granted_lines = granted_lines()

    def tables(self, month: Month, by_provider: dict[int, Terms]) -> dict[str, pa.Table]:
        return {
            "recipients": self.recipients,
            "interventions": interventions(month),
            "units": self.units,
            "decisions": self.decisions,
            "care_events": self.care_events,
            "granted": granted(month, self.granted_lines),
            "terms": terms(by_provider),
        }


def register(connection: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Make the Arrow tables visible to the SQL under their names (no copy is made)."""
    for name, table in tables.items():
        connection.register(name, table)
