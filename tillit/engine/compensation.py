"""The quantities a month's statements price, and the arithmetic of pricing them.

The compensation app hands in what its models say (versions, the time bands as UTC intervals,
which intervention sets are paid by time) and, once it has seen which combinations occur, the
prices its rules resolve them to; the engine aggregates the ledger and multiplies, all in
DuckDB, so that a month of a large municipality never passes through Python row by row. Which
rule applies stays the compensation app's (tillit/compensation/recipes.py).
"""

from __future__ import annotations

import datetime
from typing import Any

import duckdb
import pyarrow as pa

from tillit.common.duck import connect
from tillit.common.periods import Month
from tillit.engine import queries, reference
from tillit.ledger import store
from tillit.ledger.models import LedgerMonth

GRANTED_SCALE = 10**6  # minutes carry two decimals and frequencies four: granted units are whole numbers
INTERVALS = pa.schema([("provider_id", pa.int64()), ("key_day", pa.date32()), ("band", pa.string()),
                       ("start_utc", pa.timestamp("us")), ("end_utc", pa.timestamp("us")),
                       ("seen_until", pa.timestamp("us")), ("version_before", pa.date32()),
                       ("boundary", pa.timestamp("us")), ("version_after", pa.date32())])
VERSIONS = pa.schema([("provider_id", pa.int64()), ("version_from", pa.date32()), ("first_day", pa.date32()),
                      ("until_day", pa.date32())])
CODE_SETS = pa.schema([("codes_key", pa.string()), ("category", pa.string()), ("timed", pa.bool_())])
RECIPIENTS = pa.schema([("recipient_id", pa.int64()), ("zone", pa.string())])
DECISION_LINES = pa.schema([("provider_id", pa.int64()), ("recipient_id", pa.int64()), ("number", pa.string()),
                            ("start_date", pa.date32()), ("end_date", pa.date32()), ("category", pa.string()),
                            ("period", pa.string()), ("weight", pa.int64())])
BASES = pa.schema([("provider_id", pa.int64()), ("version_from", pa.date32()), ("basis", pa.string()),
                   ("cap_n", pa.int64()), ("cap_d", pa.int64())])
TIME_PRICES = pa.schema([("provider_id", pa.int64()), ("version_from", pa.date32()), ("codes_key", pa.string()),
                         ("category", pa.string()), ("band", pa.string()), ("zone", pa.string()),
                         ("intervention", pa.string()), ("rate_n", pa.int64())])
GRANTED_PRICES = pa.schema([("provider_id", pa.int64()), ("version_from", pa.date32()), ("category", pa.string()),
                            ("zone", pa.string()), ("rate_n", pa.int64())])
VISIT_PRICES = pa.schema([("provider_id", pa.int64()), ("version_from", pa.date32()), ("status", pa.string()),
                          ("codes_key", pa.string()), ("band", pa.string()), ("zone", pa.string()),
                          ("component", pa.string()), ("intervention", pa.string()), ("category", pa.string()),
                          ("unit", pa.string()), ("rate_n", pa.int64()), ("percent_n", pa.int64()),
                          ("source", pa.string()), ("quantity_n", pa.int64()), ("quantity_d", pa.int64()),
                          ("minutes", pa.string())])
REGI_PERCENTS = pa.schema([("provider_id", pa.int64()), ("version_from", pa.date32()), ("percent_n", pa.int64())])
MONTH_FEES = pa.schema([("provider_id", pa.int64()), ("version_from", pa.date32()), ("zone", pa.string()),
                        ("rate_n", pa.int64())])
ALARM_RECIPIENTS = pa.schema([("provider_id", pa.int64()), ("recipient_id", pa.int64())])
REGISTER_AMOUNTS = pa.schema([("provider_id", pa.int64()), ("recipient_id", pa.int64()), ("version_from", pa.date32()),
                              ("amount_ore", pa.int64())])
_EMPTY_LEDGER = """
    CREATE OR REPLACE TEMP TABLE ledger_visits (
        provider_id INTEGER, visit_id VARCHAR, recipient_id BIGINT, status VARCHAR,
        planned_start TIMESTAMP, planned_end TIMESTAMP, registered_start TIMESTAMP, registered_end TIMESTAMP,
        intervention_codes VARCHAR[], codes_key VARCHAR, double_staffing BOOLEAN)
"""


def table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


class Quantities:
    """A month's quantities in DuckDB (`time_rows`, `visit_rows`, `granted`, `recipients`): the
    combinations the rules must price (`price_keys`), and the priced lines (`lines`). Close it
    when done."""

    def __init__(self, month: Month, connection: duckdb.DuckDBPyConnection) -> None:
        self.month, self.connection = month, connection

    @classmethod
    def of_tables(cls, month: Month, tables: dict[str, pa.Table]) -> Quantities:
        """Quantities given as tables (tests of the pricing on constructed figures)."""
        quantities = cls(month, connect())
        for name, value in tables.items():
            quantities.connection.register(f"given_{name}", value)
            quantities.connection.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM given_{name}")
        return quantities

    def price_keys(self) -> dict[str, list[tuple]]:
        """The distinct combinations the month's rules must price, by kind of price."""
        zone = "coalesce(r.zone, '')"
        return {
            "time": self.connection.execute(
                f"SELECT DISTINCT t.provider_id, t.version_from, t.codes_key, t.category, t.band, {zone} "
                "FROM time_rows t LEFT JOIN recipients r USING (recipient_id)").fetchall(),
            "granted": self.connection.execute(
                f"SELECT DISTINCT g.provider_id, g.version_from, g.category, {zone} "
                "FROM granted g LEFT JOIN recipients r USING (recipient_id)").fetchall(),
            "visits": self.connection.execute(
                f"SELECT DISTINCT v.provider_id, v.version_from, v.status, v.codes_key, v.band, {zone} "
                "FROM visit_rows v LEFT JOIN recipients r USING (recipient_id)").fetchall(),
        }

    def hours(self) -> dict[int, tuple[int, int]]:
        """Per provider: performed seconds (every performed visit with a registered end, per
        staff member) and granted units (see compensation_granted.sql)."""
        performed = dict(self.connection.execute(
            "SELECT provider_id, sum(performed_seconds) FROM visit_rows GROUP BY ALL").fetchall())
        granted = dict(self.connection.execute("SELECT provider_id, sum(units) FROM granted GROUP BY ALL").fetchall())
        return {pid: (int(performed.get(pid) or 0), int(granted.get(pid) or 0)) for pid in set(performed) | set(granted)}

    def lines(self, *, prices: dict[str, pa.Table], rate_scale: int, percent_scale: int) -> pa.Table:
        """Every priced line of every provider, ordered by provider (columns: compensation_lines.sql)."""
        reference.register(self.connection, prices)
        return self.connection.sql(queries.sql("compensation_lines"), params={
            "rate_scale": rate_scale, "percent_scale": percent_scale,
            "granted_den": GRANTED_SCALE * 7 * self.month.days}).to_arrow_table()

    def close(self) -> None:
        self.connection.close()



class MonthVisits(Quantities):
    """The quantities of one month of the ledger: `read(...)`, then `quantities(...)`."""

    def __init__(self, month: Month) -> None:
        super().__init__(month, connect(temp_directory=store.work_dir() / "engine"))
        relative = LedgerMonth.objects.filter(month=str(month)).values_list("path", flat=True).first() or ""
        self.ledger_path = relative
        if relative:
            # A path from the manifest, not from a user; quoted because a view cannot take parameters.
            source = f"read_parquet('{str(store.absolute(relative)).replace(chr(39), chr(39) * 2)}')"
            self.connection.execute(f"CREATE OR REPLACE TEMP VIEW ledger_visits AS "
                                    f"SELECT {store.with_codes_key(self.connection, source)} FROM {source}")
        else:
            self.connection.execute(_EMPTY_LEDGER)

    def read(self, *, intervals: pa.Table, window_start: datetime.datetime, versions: pa.Table) -> list[str]:
        """Read the month's visits in one pass (`month_visits`, see compensation_month.sql);
        returns every distinct set of intervention codes among them (as 'A|B')."""
        reference.register(self.connection, {"intervals": intervals, "versions": versions})
        queries.materialise(self.connection, "month_visits", "compensation_month", {"window_start": window_start})
        return [row[0] for row in self.connection.execute(
            "SELECT DISTINCT codes_key FROM month_visits ORDER BY 1").fetchall()]

    def quantities(self, *, code_sets: pa.Table, recipients: pa.Table, decision_lines: pa.Table) -> None:
        """From `month_visits`: performed seconds per recipient, set of interventions, version
        and band (`time_rows`); visits per recipient and kind (`visit_rows`); and granted time
        per recipient, category and version (`granted`)."""
        reference.register(self.connection, {"code_sets": code_sets, "recipients": recipients,
                                             "decision_lines": decision_lines})
        queries.materialise(self.connection, "time_rows", "compensation_time", {})
        queries.materialise(self.connection, "visit_rows", "compensation_visits", {})
        queries.materialise(self.connection, "granted", "compensation_granted", {"days": self.month.days})
