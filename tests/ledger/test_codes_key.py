"""The ledger keeps each visit's interventions also as text (`codes_key`, 'A|B'), which the
statements and the quality engine group by. Files written before it was kept have only the
list: reading them gives the text, and merging them into a new file writes it for every row."""

from __future__ import annotations

from pathlib import Path

import duckdb
from django.conf import settings

from tests.ledger.helpers import current, load, visit
from tillit.ledger import store
from tillit.ledger.models import LedgerMonth


def _without_codes_key(relative: str) -> None:
    """Rewrite a ledger file as the ledger wrote it before it kept `codes_key`."""
    path = Path(settings.LEDGER_DIR) / relative
    connection = duckdb.connect()
    try:
        connection.execute(f"COPY (SELECT * EXCLUDE (codes_key) FROM read_parquet('{path}')) TO '{path}.old' (FORMAT parquet)")
    finally:
        connection.close()
    Path(f"{path}.old").replace(path)


def test_an_older_file_merged_with_a_new_delivery_gets_the_text_for_every_row(ledger) -> None:
    assert load(ledger.world, [visit("v1", intervention_codes="MORG|KVALL"), visit("v2", "2024-05-07 08:00", "2024-05-07 08:30")],
                "besok-1.csv").status == "loaded"
    _without_codes_key(LedgerMonth.objects.get(month="2024-05").path)
    assert "codes_key" not in current()[0]

    assert load(ledger.world, [visit("v3", "2024-05-08 08:00", "2024-05-08 08:30", intervention_codes="DUSCH")],
                "besok-2.csv").status == "loaded"
    rows = current(columns="visit_id, intervention_codes, codes_key")
    assert [(r["visit_id"], r["codes_key"]) for r in rows] == [("v1", "MORG|KVALL"), ("v2", "MORG"), ("v3", "DUSCH")]
    assert all(r["codes_key"] == "|".join(r["intervention_codes"]) for r in rows)


def test_reading_an_older_file_gives_the_text(ledger) -> None:
    assert load(ledger.world, [visit("v1", intervention_codes="MORG|KVALL")]).status == "loaded"
    relative = LedgerMonth.objects.get(month="2024-05").path
    _without_codes_key(relative)
    source = f"read_parquet('{Path(settings.LEDGER_DIR) / relative}')"
    connection = duckdb.connect()
    try:
        rows = connection.execute(f"SELECT visit_id, codes_key FROM (SELECT {store.with_codes_key(connection, source)} "
                                  f"FROM {source})").fetchall()
    finally:
        connection.close()
    assert rows == [("v1", "MORG|KVALL")]
