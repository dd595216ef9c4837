"""Personal identity numbers never reach the ledger's files: only surrogate ids do
(ARCHITECTURE.md, visit ledger). The recipient is registered first through a recipients
delivery, as in production; the visit file then names them by personnummer."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from django.conf import settings

from tests.files import separated, short, xlsx_bytes
from tests.ledger.conftest import UNIT_A
from tests.ledger.helpers import HEADER, by_id, errors, ledger_files, load, visit, visits_csv, write_file
from tillit.deliveries.models import Delivery, DeliveryIssue
from tillit.deliveries.services import delivery_accept
from tillit.ledger.services import visit_delivery_load


def forms(number: str) -> list[bytes]:
    """Every way the number could be written, as bytes (and UTF-16, as Parquet never is, but cheap)."""
    texts = {number, number[2:], separated(number), short(number), short(number, "+"), f"{number[:8]} {number[8:]}"}
    return [text.encode(encoding) for text in texts for encoding in ("utf-8", "utf-16-le")]


def decoded_text(path: Path) -> str:
    """Every cell of a Parquet file as text: compression could hide a number from a byte scan."""
    connection = duckdb.connect()
    try:
        rows = connection.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        return "\n".join(" ".join(str(cell) for cell in row) for row in rows)
    finally:
        connection.close()


@pytest.mark.parametrize("kind", ["utf-8", "cp1252", "xlsx"])
def test_personal_identity_numbers_never_reach_the_parquet_files(with_personnummer, kind: str) -> None:
    """Windows-1252 and Excel files are converted before DuckDB reads them: the converted copy
    must not stay under the ledger's folder either."""
    ledger = with_personnummer
    number = ledger.personnummer
    rows = [
        visit("V1", recipient_id=number),
        visit("V2", "2024-05-07 08:00", "2024-05-07 08:30", recipient_id=separated(number)),
        visit("V3", "2024-05-08 08:00", "2024-05-08 08:30", recipient_id=short(number)),
        visit("V4", "2024-06-08 08:00", "2024-06-08 08:30", recipient_id=number[2:]),
        visit("V5", "2024-06-09 08:00", "2024-06-09 08:30", recipient_id="P:r2"),
    ]
    if kind == "xlsx":
        content, name = xlsx_bytes(HEADER, [[row[h] for h in HEADER] for row in rows]), "besok.xlsx"
    else:
        content, name = visits_csv([{**row, "unit_code": UNIT_A} for row in rows], encoding=kind), "besok.csv"
    loaded = load(ledger.world, content, name)
    assert loaded.status == Delivery.Status.LOADED, errors(loaded)
    # A second file that waits for a decision: its staged files must be as clean.
    waiting = load(ledger.world, [visit("W1", "2024-06-10 08:00", "2024-06-10 08:30", recipient_id=number),
                                  visit("W2", status="okänd", recipient_id=separated(number))], "besok-2.csv")
    assert waiting.status == Delivery.Status.PENDING

    stored = by_id()
    surrogate = ledger.recipients[number]
    assert {stored[key]["recipient_id"] for key in ("V1", "V2", "V3", "V4")} == {surrogate}
    assert stored["V5"]["recipient_id"] == ledger.recipients["P:r2"]

    files = ledger_files()
    assert any(p.suffix == ".parquet" for p in files)
    for path in files:
        content = path.read_bytes()
        for form in forms(number):
            assert form not in content, f"{path.name} holds the personnummer ({number[:8]}-****)"
        if path.suffix == ".parquet":
            text = decoded_text(path)
            assert number not in text and number[2:] not in text and separated(number) not in text


def test_a_malformed_row_with_a_personnummer_is_reported_masked(with_personnummer) -> None:
    """A row DuckDB cannot split is kept in the report as delivered text; the number in it
    must be masked there as everywhere else (DeliveryIssue is stored and shown)."""
    ledger = with_personnummer
    number = ledger.personnummer
    content = visits_csv([visit("V1", recipient_id=number)]) + f"V2;{number};too;few\r\n".encode()
    delivery = load(ledger.world, content)

    assert delivery.status == Delivery.Status.PENDING
    assert [(issue.row, issue.severity) for issue in delivery.issues.all()] == [(3, "error")]
    assert (delivery.rows_read, delivery.rows_rejected) == (2, 1)
    texts = [f"{issue.value} {issue.reason}" for issue in DeliveryIssue.objects.all()]
    for text in texts:
        assert number not in text and number[2:] not in text, text
    assert any(f"{number[:8]}-****" in text or f"{number[2:8]}-****" in text for text in texts)


def test_accepting_later_still_stores_only_surrogates(with_personnummer) -> None:
    ledger = with_personnummer
    number = ledger.personnummer
    path = write_file(visits_csv([visit("V1", recipient_id=number), visit("V2", recipient_id="P:nobody")]))
    delivery = visit_delivery_load(actor=ledger.world.controller, path=path, file_name="b.csv").delivery
    delivery_accept(actor=ledger.world.controller, delivery=delivery)
    assert by_id()["V1"]["recipient_id"] == ledger.recipients[number]
    for path in Path(settings.LEDGER_DIR).rglob("*.parquet"):
        assert number.encode() not in path.read_bytes()
        assert number not in decoded_text(path)
