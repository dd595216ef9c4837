"""Statements as plain data: one row per line for CSV and Excel, one document per statement for JSON.

The same rows go to the web's exports and to `tillit statements`. Text that a spreadsheet would
run as a formula (starting with = + - @) is neutralised; amounts are exact decimals, written as
numbers (a negative amount is a number, never a formula).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from tillit.accounts.access import Viewer
from tillit.common.spreadsheets import neutralise
from tillit.compensation.models import Statement, StatementLine
from tillit.compensation.selectors import statement_component_totals, statement_lines

# (key, header) of a line row.
LINE_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("month", _("Month")),
    ("org_number", _("Organisation number")),
    ("provider", _("Provider")),
    ("version", _("Version")),
    ("status", _("Status")),
    ("recipient", _("Recipient")),
    ("component", _("Component")),
    ("version_from", _("Model version from")),
    ("category", _("Category")),
    ("band", _("Time band")),
    ("intervention", _("Intervention")),
    ("granted_minutes", _("Granted minutes")),
    ("performed_minutes", _("Performed minutes")),
    ("quantity", _("Quantity")),
    ("unit", _("Unit")),
    ("rate", _("Rate")),
    ("percent", _("Percent")),
    ("amount", _("Amount")),
)
NUMBER_KEYS = frozenset({"version", "granted_minutes", "performed_minutes", "quantity", "rate", "percent", "amount"})


def line_headers() -> list[str]:
    return [str(header) for _key, header in LINE_COLUMNS]


def line_rows(*, viewer: Viewer, statement: Statement) -> Iterator[dict[str, Any]]:
    """Every line of the statement, per recipient, as a flat row (text not yet neutralised)."""
    labels = dict(StatementLine.Component.choices)
    for group in statement_lines(viewer=viewer, statement=statement):
        for line in group.lines:
            yield {
                "month": statement.month, "org_number": statement.provider.org_number,
                "provider": statement.provider.name, "version": statement.number,
                "status": str(statement.get_status_display()), "recipient": group.label,
                "component": str(labels.get(line.component, line.component)),
                "version_from": line.version_from.isoformat(), "category": line.category, "band": line.band,
                "intervention": line.intervention, "granted_minutes": line.granted_minutes,
                "performed_minutes": line.performed_minutes, "quantity": line.quantity, "unit": line.unit,
                "rate": line.rate, "percent": line.percent, "amount": line.amount,
            }


def safe_text(value: Any) -> Any:
    """Text neutralised against formula injection; numbers and None as they are."""
    return neutralise(value) if isinstance(value, str) else value


def swedish_number(value: Decimal | int | None) -> str:
    """12345.50 → '12345,50' (decimal comma, no thousands separator: finance systems read it)."""
    if value is None:
        return ""
    return str(value).replace(".", ",")


def write_csv(handle: IO[str], rows: Iterable[dict[str, Any]]) -> int:
    """Swedish CSV: semicolons and decimal commas (the caller writes UTF-8 with BOM for Excel)."""
    writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(header) for header in line_headers()])
    count = 0
    for row in rows:
        writer.writerow([swedish_number(row[key]) if key in NUMBER_KEYS else safe_text(str(row[key] or ""))
                         for key, _header in LINE_COLUMNS])
        count += 1
    return count


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def statement_document(*, viewer: Viewer, statement: Statement) -> dict[str, Any]:
    """The statement as JSON-ready data: totals, each component's total and every line (amounts as text)."""
    components = statement_component_totals(viewer=viewer, statement=statement)
    return {
        "id": statement.pk, "month": statement.month, "provider": statement.provider.name,
        "org_number": statement.provider.org_number, "version": statement.number, "status": statement.status,
        "model": statement.model.name, "total": str(statement.total),
        "created_at": statement.created_at.isoformat(),
        "approved_at": statement.approved_at.isoformat() if statement.approved_at else None,
        "approved_by": statement.approved_by.email if statement.approved_by else None,
        "components": {total.component: str(total.amount) for total in components},
        "lines": [
            {"recipient": group.label, "component": line.component, "version_from": line.version_from.isoformat(),
             "category": line.category, "band": line.band, "intervention": line.intervention,
             "granted_minutes": _plain(line.granted_minutes), "performed_minutes": _plain(line.performed_minutes),
             "quantity": _plain(line.quantity), "unit": line.unit, "rate": _plain(line.rate),
             "percent": _plain(line.percent), "amount": _plain(line.amount), "detail": line.detail}
            for group in statement_lines(viewer=viewer, statement=statement) for line in group.lines
        ],
    }
