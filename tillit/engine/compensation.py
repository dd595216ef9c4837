"""The quantities a month's statements price: performed seconds by band, visits by kind.

The compensation app hands in what its models say (versions, time bands as UTC intervals, which
intervention sets are paid by time); the engine returns aggregates; pricing them is the
compensation app's (rates, rounding), so that every rule is in one readable place.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from tillit.common.duck import connect
from tillit.common.periods import Month
from tillit.engine import queries, reference
from tillit.ledger import store
from tillit.ledger.models import LedgerMonth

BANDS = pa.schema([("provider_id", pa.int64()), ("version_from", pa.date32()), ("band", pa.string()),
                   ("start_utc", pa.timestamp("us")), ("end_utc", pa.timestamp("us"))])
VERSIONS = pa.schema([("provider_id", pa.int64()), ("version_from", pa.date32()), ("until", pa.date32())])
CODE_SETS = pa.schema([("codes_key", pa.string()), ("category", pa.string()), ("timed", pa.bool_())])
_EMPTY_LEDGER = """
    CREATE OR REPLACE TEMP TABLE ledger_visits (
        provider_id INTEGER, visit_id VARCHAR, recipient_id BIGINT, status VARCHAR,
        planned_start TIMESTAMP, planned_end TIMESTAMP, registered_start TIMESTAMP, registered_end TIMESTAMP,
        intervention_codes VARCHAR[], double_staffing BOOLEAN)
"""


class MonthVisits:
    """A DuckDB over one month of the ledger, for the statement run; close it when done."""

    def __init__(self, month: Month) -> None:
        self.month = month
        self.connection = connect(temp_directory=store.work_dir() / "engine")
        relative = LedgerMonth.objects.filter(month=str(month)).values_list("path", flat=True).first() or ""
        self.ledger_path = relative
        if relative:
            # A path from the manifest, not from a user; quoted because a view cannot take parameters.
            path = str(store.absolute(relative)).replace("'", "''")
            self.connection.execute(f"CREATE OR REPLACE TEMP VIEW ledger_visits AS SELECT * FROM read_parquet('{path}')")
        else:
            self.connection.execute(_EMPTY_LEDGER)

    def code_sets(self) -> list[str]:
        """Every distinct set of intervention codes of the month's visits (as 'A|B')."""
        rows = self.connection.execute(
            "SELECT DISTINCT array_to_string(intervention_codes, '|') FROM ledger_visits ORDER BY 1").fetchall()
        return [row[0] for row in rows]

    def quantities(self, *, bands: list[dict[str, Any]], versions: list[dict[str, Any]],
                   code_sets: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(performed seconds per recipient, category, version and band; visits per recipient and kind)."""
        reference.register(self.connection, {
            "bands": pa.Table.from_pylist(bands, schema=BANDS),
            "versions": pa.Table.from_pylist(versions, schema=VERSIONS),
            "code_sets": pa.Table.from_pylist(code_sets, schema=CODE_SETS),
        })
        return queries.rows(self.connection, "compensation_time"), queries.rows(self.connection, "compensation_visits")

    def close(self) -> None:
        self.connection.close()
