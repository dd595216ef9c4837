"""Building visit files and reading the ledger back, for the ledger's tests."""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings

from tests.files import ORG_A, csv_bytes
from tillit.deliveries.models import Delivery
from tillit.ledger.models import LedgerMonth, VisitBatch
from tillit.ledger.services import VisitLoadResult, visit_delivery_load

HEADER = [
    "visit_id", "provider_org_number", "unit_code", "recipient_id", "staff_id",
    "planned_start", "planned_end", "registered_start", "registered_end",
    "intervention_codes", "double_staffing", "status", "registration_method",
]
SWEDISH = {
    "visit_id": "Besöks-id", "provider_org_number": "Utförare orgnr", "unit_code": "Enhet",
    "recipient_id": "Personnummer", "staff_id": "Personal-id", "planned_start": "Planerad start",
    "planned_end": "Planerad slut", "registered_start": "Registrerad start", "registered_end": "Registrerad slut",
    "intervention_codes": "Insatskoder", "double_staffing": "Dubbelbemanning", "status": "Status",
    "registration_method": "Registreringssätt",
}
_names = itertools.count(1)


def visit(key: str, start: str = "2024-05-06 08:00", end: str = "2024-05-06 08:30", /, **fields: Any) -> dict[str, str]:
    """One visit row; registered times default to the planned ones, status to empty (performed)."""
    row = {
        "visit_id": key, "provider_org_number": ORG_A, "unit_code": "", "recipient_id": "P:r1",
        "staff_id": "S1", "planned_start": start, "planned_end": end, "registered_start": start,
        "registered_end": end, "intervention_codes": "MORG", "double_staffing": "", "status": "",
        "registration_method": "nfc",
    }
    unknown = set(fields) - set(row)
    assert not unknown, unknown
    row.update({key: "" if value is None else str(value) for key, value in fields.items()})
    return row


def visits_csv(rows: list[dict[str, str]], *, header: list[str] = HEADER, **kw: Any) -> bytes:
    return csv_bytes(header, [[row[name] for name in header] for row in rows], **kw)


def write_file(content: bytes, name: str = "besok.csv") -> Path:
    """Put a delivered file in its own folder under the test's data directory."""
    folder = Path(settings.DATA_DIR) / "incoming" / str(next(_names))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


def load_result(world, content: bytes, name: str = "besok.csv", **kw: Any) -> VisitLoadResult:
    return visit_delivery_load(actor=world.controller, path=write_file(content, name), file_name=name, **kw)


def load(world, rows_or_content: list[dict[str, str]] | bytes, name: str = "besok.csv", **kw: Any) -> Delivery:
    content = rows_or_content if isinstance(rows_or_content, bytes) else visits_csv(rows_or_content)
    return load_result(world, content, name, **kw).delivery


def errors(delivery: Delivery) -> list[tuple[int, str, str]]:
    return [(i.row, i.column, i.value) for i in delivery.issues.filter(severity="error")]


def warnings(delivery: Delivery) -> list[tuple[int, str, str]]:
    return [(i.row, i.column, i.value) for i in delivery.issues.filter(severity="warning")]


def issue_reasons(delivery: Delivery) -> list[str]:
    return [i.reason for i in delivery.issues.all()]


def current(where: str = "true", columns: str = "*", order: str = "provider_id, visit_id") -> list[dict[str, Any]]:
    """Every visit the ledger's current files (as the manifest names them) hold."""
    paths = [str(Path(settings.LEDGER_DIR) / p) for p in LedgerMonth.objects.values_list("path", flat=True)]
    if not paths:
        return []
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        result = connection.execute(f"SELECT {columns} FROM read_parquet(?) WHERE {where} ORDER BY {order}", [paths])
        names = [d[0] for d in result.description]
        return [dict(zip(names, values, strict=True)) for values in result.fetchall()]
    finally:
        connection.close()


def current_ids(where: str = "true") -> list[str]:
    return [row["visit_id"] for row in current(where, "visit_id")]


def by_id(where: str = "true") -> dict[str, dict[str, Any]]:
    rows = current(where)
    assert len({(r["provider_id"], r["visit_id"]) for r in rows}) == len(rows), "a visit id counted twice"
    return {row["visit_id"]: row for row in rows}


def month_state() -> dict[str, tuple[str, int, int]]:
    """LedgerMonth as (path, version, rows) per month: the manifest's whole state."""
    return {m.month: (m.path, m.version, m.rows) for m in LedgerMonth.objects.all()}


def batch_of(delivery: Delivery) -> VisitBatch:
    return VisitBatch.objects.get(delivery=delivery)


def utc(text: str) -> datetime.datetime:
    """A naive UTC datetime, as the ledger stores times."""
    return datetime.datetime.fromisoformat(text)


def ledger_files() -> list[Path]:
    root = Path(settings.LEDGER_DIR)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
