"""A large municipality's month in one file: 1,000,000 visit rows load in bounded time and
every row is counted: loaded, rejected (with its row number) or warned about."""

from __future__ import annotations

from pathlib import Path

import duckdb
from django.conf import settings

from tests.files import ORG_A, ORG_B
from tests.ledger.conftest import UNIT_A, UNIT_B
from tests.ledger.helpers import HEADER, current
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import delivery_accept
from tillit.ledger.models import LedgerMonth
from tillit.ledger.services import visit_delivery_load

ROWS = 1_000_000
BAD_EVERY = 100_000  # rows 100000, 200000, ... carry an unknown status


def write_million(path: Path) -> None:
    """1M visits in May 2024 (no DST change), generated in DuckDB: 2,000 staff, each with a
    visit every 45 minutes lasting 30, alternating providers A and B, five recipients."""
    connection = duckdb.connect()
    try:
        connection.execute(f"""
            COPY (
                SELECT
                    'M' || i AS visit_id,
                    CASE WHEN i % 2 = 0 THEN '{ORG_A}' ELSE '{ORG_B}' END AS provider_org_number,
                    CASE WHEN i % 2 = 0 THEN '{UNIT_A}' ELSE '{UNIT_B}' END AS unit_code,
                    'P:r' || (1 + i % 5) AS recipient_id,
                    'S' || (i % 2000) AS staff_id,
                    strftime(TIMESTAMP '2024-05-01 00:00' + to_minutes((i // 2000) * 45), '%Y-%m-%d %H:%M') AS planned_start,
                    strftime(TIMESTAMP '2024-05-01 00:30' + to_minutes((i // 2000) * 45), '%Y-%m-%d %H:%M') AS planned_end,
                    strftime(TIMESTAMP '2024-05-01 00:02' + to_minutes((i // 2000) * 45), '%Y-%m-%d %H:%M') AS registered_start,
                    strftime(TIMESTAMP '2024-05-01 00:29' + to_minutes((i // 2000) * 45), '%Y-%m-%d %H:%M') AS registered_end,
                    CASE WHEN i % 3 = 0 THEN 'MORG|DUSCH' ELSE 'KVALL' END AS intervention_codes,
                    CASE WHEN i % 20 = 0 THEN 'ja' ELSE '' END AS double_staffing,
                    CASE WHEN i > 0 AND i % {BAD_EVERY} = 0 THEN 'okänd' ELSE 'utförd' END AS status,
                    CASE WHEN i % 7 = 0 THEN 'manuell' ELSE 'nfc' END AS registration_method
                FROM range({ROWS}) t(i)
            ) TO '{path}' (FORMAT csv, HEADER, DELIMITER ';')
        """)
    finally:
        connection.close()


def test_one_million_visit_rows_load_and_every_row_is_counted(ledger) -> None:
    path = Path(settings.DATA_DIR) / "million.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_million(path)
    assert path.read_text(encoding="utf-8")[:200].startswith(";".join(HEADER))

    delivery = visit_delivery_load(actor=ledger.world.controller, path=path, file_name="million.csv").delivery
    bad = ROWS // BAD_EVERY - 1
    assert delivery.status == Delivery.Status.PENDING
    assert (delivery.rows_read, delivery.rows_rejected, delivery.warnings) == (ROWS, bad, 0)
    # Row i of the generator is file row i + 2 (after the header).
    assert sorted(delivery.issues.values_list("row", flat=True)) == [n * BAD_EVERY + 2 for n in range(1, bad + 1)]

    delivery_accept(actor=ledger.world.controller, delivery=delivery)

    assert delivery.rows_accepted == ROWS - bad
    assert list(LedgerMonth.objects.values_list("month", "rows")) == [("2024-05", ROWS - bad)]
    counts = current(columns="provider_id, count(*) AS n, count(DISTINCT visit_id) AS d, "
                             "sum(date_diff('minute', registered_start, registered_end)) AS minutes",
                     where="true GROUP BY provider_id", order="provider_id")
    assert [(row["n"], row["d"]) for row in counts] == [(ROWS // 2 - bad, ROWS // 2 - bad), (ROWS // 2, ROWS // 2)]
    assert sum(row["minutes"] for row in counts) == 27 * (ROWS - bad)
    # How fast: bench/import_visits.py (timings belong in benchmarks, not in tests).
