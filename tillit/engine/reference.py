"""The reference tables the engine's SQL joins with, handed to DuckDB as Arrow tables.

They come from the system of record (the Django database); identity numbers are never among
them, only surrogate ids and the birth dates that the age rules need.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
from django.db import connection

from tillit.care.models import CareEvent, Decision, DecisionIntervention, Intervention, Recipient
from tillit.common.collection import collection_paused
from tillit.common.duck import connect
from tillit.common.periods import Month
from tillit.engine import queries
from tillit.engine.terms import STANDARD_TERMS, Terms
from tillit.registry.models import Provider, Unit

_TERMS_SCHEMA = pa.schema([
    ("provider_id", pa.int64()), ("punctuality_margin_minutes", pa.int32()), ("welcome_call_days", pa.int32()),
    ("plan_days", pa.int32()), ("plan_followup_months", pa.int32()), ("complaint_days", pa.int32()),
])


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def select(sql: str, schema: pa.Schema) -> pa.Table:
    """The rows of a plain SQL query on the system of record as an Arrow table of `schema`.

    For the large registers (a large municipality has hundreds of thousands of decision lines
    and care events) the ORM's per-value conversions cost more than everything the engine
    then does with them. The query hands dates as ISO text (CAST AS TEXT; SQLite and
    PostgreSQL alike) and booleans as 0 / 1, and Arrow converts each column at once.
    """
    with collection_paused(), connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
        columns = list(zip(*rows)) if rows else [()] * len(schema)
        del rows
        arrays = []
        for values, column in zip(columns, schema):
            if pa.types.is_date32(column.type):
                arrays.append(pa.array(values, pa.string()).cast(pa.date32()))
            elif pa.types.is_boolean(column.type):
                arrays.append(pa.array(values, pa.int8()).cast(pa.bool_()))
            else:
                arrays.append(pa.array(values, column.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def recipients() -> pa.Table:
    return select(f"SELECT id, CAST(birth_date AS TEXT) FROM {Recipient._meta.db_table}",
                  pa.schema([("id", pa.int64()), ("birth_date", pa.date32())]))


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


def _of_provider(column: str, provider_id: int | None) -> str:
    return "" if provider_id is None else f" WHERE {column} = {int(provider_id)}"


def decisions(provider_id: int | None = None) -> pa.Table:
    """Every decision (or one provider's) with whether it is nursing-home care (it grants a place)."""
    decision, line, catalogue = (Decision._meta.db_table, DecisionIntervention._meta.db_table,
                                 Intervention._meta.db_table)
    nursing = (f"SELECT i.decision_id FROM {line} i JOIN {catalogue} c ON c.id = i.intervention_id "
               f"WHERE c.kind = '{Intervention.Kind.NURSING_HOME.value}'")
    return select(
        f"SELECT d.id, d.recipient_id, d.provider_id, CAST(d.start_date AS TEXT), CAST(d.end_date AS TEXT), "
        f"CASE WHEN d.id IN ({nursing}) THEN 1 ELSE 0 END FROM {decision} d{_of_provider('d.provider_id', provider_id)}",
        pa.schema([("id", pa.int64()), ("recipient_id", pa.int64()), ("provider_id", pa.int64()),
                   ("start_date", pa.date32()), ("end_date", pa.date32()), ("nursing_home", pa.bool_())]))


def care_events(provider_id: int | None = None) -> pa.Table:
    return select(
        f"SELECT id, event_type, recipient_id, provider_id, CAST(date AS TEXT), reference "
        f"FROM {CareEvent._meta.db_table}{_of_provider('provider_id', provider_id)}",
        pa.schema([("id", pa.int64()), ("event_type", pa.string()), ("recipient_id", pa.int64()),
                   ("provider_id", pa.int64()), ("date", pa.date32()), ("reference", pa.string())]))


# A decision's granted intervention in whole numbers: `units` = minutes × 100 × frequency ×
# 10 000 × staff a `period` (minutes carry two decimals and frequencies four:
# care.models.DecisionIntervention); `number` is the case system's decision number.
GRANTED_LINES = pa.schema([("decision", pa.int64()), ("provider_id", pa.int64()), ("recipient_id", pa.int64()),
                           ("number", pa.string()), ("active_from", pa.date32()), ("active_to", pa.date32()),
                           ("category", pa.string()), ("period", pa.string()), ("units", pa.int64())])


def granted_lines() -> pa.Table:
    """Every granted intervention of every decision (GRANTED_LINES), read once for a run of
    several months (the indicators' granted time, the statements' registers). ROUND only
    removes a binary floating-point remainder SQLite may keep."""
    line, decision = DecisionIntervention._meta.db_table, Decision._meta.db_table
    return select(
        f"SELECT d.id, d.provider_id, d.recipient_id, d.external_id, CAST(d.start_date AS TEXT), "
        f"CAST(d.end_date AS TEXT), i.category, i.period, CAST(ROUND(i.minutes * 100) * ROUND(i.frequency * 10000) "
        f"* CASE WHEN i.double_staffing THEN 2 ELSE 1 END AS BIGINT) "
        f"FROM {line} i JOIN {decision} d ON d.id = i.decision_id", GRANTED_LINES)


def granted_parameters(month: Month) -> dict[str, object]:
    """The parameters of granted_month.sql for `month`."""
    return {"first_day": month.first_day, "last_day": month.last_day, "days": month.days}


def granted(month: Month, lines: pa.Table) -> pa.Table:
    """Granted seconds per provider and recipient in the month (granted_month.sql) from
    GRANTED_LINES, on a connection of its own."""
    with connect() as duck:
        duck.register("granted_lines", lines)
        return duck.sql(queries.sql("granted_month"), params=granted_parameters(month)).to_arrow_table()


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
            "granted_lines": self.granted_lines,
            "terms": terms(by_provider),
        }


def register(connection: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Make the Arrow tables visible to the SQL under their names (no copy is made)."""
    for name, table in tables.items():
        connection.register(name, table)
