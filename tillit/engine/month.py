"""One month's indicators: every engine query run once, the aggregates returned for storing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import duckdb

from tillit.common.duck import connect
from tillit.common.localtime import offset_change
from tillit.common.periods import Month
from tillit.engine import queries, reference
from tillit.engine.catalogue import BY_CODE, PER_100, PERCENT
from tillit.engine.terms import Terms
from tillit.ledger import store
from tillit.ledger.models import LedgerMonth

# The ledger's columns that the indicators read, for a month that has no visits yet.
_EMPTY_LEDGER = """
    CREATE OR REPLACE TEMP TABLE ledger_visits (
        provider_id INTEGER, visit_id VARCHAR, unit_id INTEGER, recipient_id BIGINT, staff_id VARCHAR,
        planned_start TIMESTAMP, planned_end TIMESTAMP, registered_start TIMESTAMP, registered_end TIMESTAMP,
        intervention_codes VARCHAR[], codes_key VARCHAR, double_staffing BOOLEAN, status VARCHAR,
        registration_method VARCHAR, no_end BOOLEAN)
"""
# Registered times near a month's ends still get the right local clock.
_MARGIN = datetime.timedelta(days=4)
_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorValue:
    """One figure: value = numerator / denominator (× 100 for shares); a median has no numerator."""

    indicator: str
    provider_id: int
    unit_id: int | None
    numerator: Decimal | None
    denominator: Decimal
    value: Decimal | None  # None when nothing was measurable (denominator 0)

    @property
    def exact(self) -> Fraction | None:
        """The unrounded value, for comparing with a threshold."""
        if self.value is None:
            return None
        if self.numerator is None:
            return Fraction(self.value)
        scale = 100 if BY_CODE[self.indicator].unit in (PERCENT, PER_100) else 1
        return Fraction(self.numerator) * scale / Fraction(self.denominator)


@dataclass
class MonthFigures:
    """What the engine found for a month, with the records behind every figure."""

    month: Month
    ledger_path: str
    values: list[IndicatorValue] = field(default_factory=list)
    continuity: list[dict[str, Any]] = field(default_factory=list)
    recipients: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    care_contacts: list[dict[str, Any]] = field(default_factory=list)


def rounded(value: Fraction) -> Decimal:
    """Half up to two decimals, from the exact value (no binary floating point on the way)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(_PLACES, ROUND_HALF_UP)


def ratio(indicator: str, provider_id: int, unit_id: int | None, numerator: int | Decimal,
          denominator: int | Decimal, scale: int = 1) -> IndicatorValue:
    value = rounded(Fraction(numerator) * scale / Fraction(denominator)) if denominator else None
    return IndicatorValue(indicator, provider_id, unit_id, Decimal(numerator), Decimal(denominator), value)


def median(indicator: str, provider_id: int, unit_id: int | None, value: Any, count: int) -> IndicatorValue:
    exact = None if value is None or not count else rounded(Fraction(value))
    return IndicatorValue(indicator, provider_id, unit_id, None, Decimal(count), exact)


def month_connection(month: Month, terms: dict[int, Terms],
                     snapshot: reference.Snapshot | None = None) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A DuckDB with the month's ledger file and the reference tables; and the file's ledger path."""
    connection = connect(temp_directory=store.work_dir() / "engine")
    reference.register(connection, (snapshot or reference.Snapshot()).tables(month, terms))
    relative = LedgerMonth.objects.filter(month=str(month)).values_list("path", flat=True).first() or ""
    if relative:
        # A path from the manifest, not from a user; quoted because a view cannot take parameters.
        source = f"read_parquet('{str(store.absolute(relative)).replace(chr(39), chr(39) * 2)}')"
        connection.execute(f"CREATE OR REPLACE TEMP VIEW ledger_visits AS "
                           f"SELECT {store.with_codes_key(connection, source)} FROM {source}")
    else:
        connection.execute(_EMPTY_LEDGER)
    change = offset_change("Europe/Stockholm", datetime.datetime.combine(month.first_day, datetime.time()) - _MARGIN,
                           datetime.datetime.combine(month.last_day, datetime.time()) + _MARGIN)
    connection.execute("CREATE OR REPLACE TEMP TABLE clock AS SELECT $at::TIMESTAMP AS change_at, "
                       "$before::INTEGER AS before_minutes, $after::INTEGER AS after_minutes",
                       {"at": change.at, "before": change.before_minutes, "after": change.after_minutes})
    queries.materialise(connection, "granted", "granted_month", reference.granted_parameters(month))
    queries.execute(connection, "visit_facts")
    queries.materialise(connection, "care_sets", "care_sets", {})
    queries.execute(connection, "episodes")
    return connection, relative


def compute_month(month: Month, terms: dict[int, Terms], *, as_of: datetime.date,
                  progress: Callable[[str], None] = lambda stage: None,
                  snapshot: reference.Snapshot | None = None) -> MonthFigures:
    """Every indicator of `month` for every provider (and unit, where visits say which).

    `snapshot`: reference tables already read (a run of several months reads them once).
    """
    connection, path = month_connection(month, terms, snapshot)
    figures = MonthFigures(month=month, ledger_path=path)
    try:
        progress("continuity")
        _continuity(connection, month, figures)
        progress("visits")
        _visit_counts(connection, figures)
        progress("recipients")
        _recipient_month(connection, figures)
        progress("deadlines")
        _deadlines(connection, month, as_of, figures, terms, snapshot)
    finally:
        connection.close()
    return figures


def _continuity(connection: duckdb.DuckDBPyConnection, month: Month, figures: MonthFigures) -> None:
    queries.materialise(connection, "continuity_observations", "continuity", {"month_start": month.first_day})
    figures.continuity = queries.table_rows(connection, "continuity_observations")
    for row in queries.rows(connection, "continuity_summary"):
        if row["by_unit"] and row["unit_id"] is None:
            continue  # visits without a unit count in the provider's figure only
        provider, unit, count = row["provider_id"], row["unit_id"] if row["by_unit"] else None, row["observations"]
        figures.values += [
            ratio("continuity_mean", provider, unit, row["staff_total"], count),
            median("continuity_median", provider, unit, row["staff_median"], count),
            ratio("continuity_over_20", provider, unit, row["over_20"], count, 100),
        ]


def _visit_counts(connection: duckdb.DuckDBPyConnection, figures: MonthFigures) -> None:
    for row in queries.rows(connection, "visit_counts"):
        if row["by_unit"] and row["unit_id"] is None:
            continue
        provider, unit = row["provider_id"], row["unit_id"] if row["by_unit"] else None
        figures.values += [
            ratio("punctuality", provider, unit, row["on_time"], row["timed"], 100),
            ratio("late", provider, unit, row["late"], row["timed"], 100),
            ratio("early", provider, unit, row["early"], row["timed"], 100),
            ratio("declined", provider, unit, row["declined"], row["planned"], 100),
            ratio("cancelled", provider, unit, row["cancelled"], row["planned"], 100),
            ratio("missed", provider, unit, row["missed"], row["planned"], 100),
            ratio("no_end", provider, unit, row["no_end"], row["performed"], 100),
            ratio("manual", provider, unit, row["manual"], row["performed"], 100),
        ]


def _recipient_month(connection: duckdb.DuckDBPyConnection, figures: MonthFigures) -> None:
    figures.recipients = queries.rows(connection, "recipient_month")
    by_provider: dict[int, list[dict[str, Any]]] = {}
    for row in figures.recipients:
        by_provider.setdefault(row["provider_id"], []).append(row)
    for provider, rows in sorted(by_provider.items()):
        served = [row for row in rows if row["performed_visits"]]
        figures.values.append(ratio("staff_per_recipient", provider, None, sum(r["staff"] for r in served), len(served)))
        performed = Fraction(sum(row["performed_seconds"] for row in rows), 60)
        granted = Fraction(sum(row["granted_seconds"] for row in rows), 60)
        figures.values.append(ratio("performed_granted", provider, None, rounded(performed), rounded(granted), 100))


def _deadlines(connection: duckdb.DuckDBPyConnection, month: Month, as_of: datetime.date,
               figures: MonthFigures, terms: dict[int, Terms], snapshot: reference.Snapshot | None) -> None:
    if snapshot is None:
        figures.deadlines = queries.rows(connection, "deadlines", {
            "as_of": as_of, "due_from": month.first_day, "due_to": month.last_day,
        })
    else:
        key = (as_of, tuple(sorted(terms.items())))
        if key not in snapshot.deadlines:
            by_month: dict[tuple[int, int], list[dict[str, Any]]] = {}
            for item in queries.rows(connection, "deadlines", {
                    "as_of": as_of, "due_from": datetime.date(1, 1, 1), "due_to": datetime.date(9999, 12, 31)}):
                by_month.setdefault((item["due_date"].year, item["due_date"].month), []).append(item)
            snapshot.deadlines[key] = by_month
        figures.deadlines = snapshot.deadlines[key].get((month.year, month.month), [])
    counts: dict[tuple[str, int], list[int]] = {}
    for item in figures.deadlines:
        tally = counts.setdefault((item["indicator"], item["provider_id"]), [0, 0])
        if item["status"] != "pending":
            tally[1] += 1
            tally[0] += item["status"] == "met"
    for (indicator, provider), (met, measured) in sorted(counts.items()):
        figures.values.append(ratio(indicator, provider, None, met, measured, 100))

    figures.care_contacts = queries.rows(connection, "care_contact", {"month_end": month.last_day})
    contacts: dict[int, list[dict[str, Any]]] = {}
    for item in figures.care_contacts:
        contacts.setdefault(item["provider_id"], []).append(item)
    for provider, items in sorted(contacts.items()):
        assigned = [item for item in items if item["assigned_date"] is not None]
        figures.values.append(ratio("care_contact", provider, None, len(assigned), len(items), 100))
        in_month = sorted(item["days_to_assignment"] for item in assigned
                          if item["assigned_date"] >= month.first_day)
        figures.values.append(median("care_contact_days", provider, None, _median(in_month), len(in_month)))


def _median(values: list[int]) -> Fraction | None:
    if not values:
        return None
    middle = len(values) // 2
    return Fraction(values[middle]) if len(values) % 2 else Fraction(values[middle - 1] + values[middle], 2)
