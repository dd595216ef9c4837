"""A delivery's row report as CSV or Excel, the same from the web page and the command line.

Delivered values are data, never formulas: a cell that would start with = + - @ (or a tab or
carriage return) is prefixed with an apostrophe in CSV and stored as text in Excel.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

from tillit.common.spreadsheets import Sheet, neutralise, write_workbook
from tillit.deliveries.models import Delivery, DeliveryIssue

# Excel's last row; a longer report is cut there with a note (the CSV has it all).
XLSX_MAX_ROWS = 1_048_576


def report_header() -> list[str]:
    return [_("row"), _("column"), _("value"), _("reason"), _("severity")]


def report_rows(delivery: Delivery) -> Iterator[list[Any]]:
    """Each issue as (row, column, value, reason, severity label), streamed from the database."""
    severities = dict(DeliveryIssue.Severity.choices)
    issues = delivery.issues.order_by("row", "id").values_list("row", "column", "value", "reason", "severity")
    for row, column, value, reason, severity in issues.iterator(chunk_size=5000):
        yield [row, column, neutralise(value or ""), reason, str(severities.get(severity, severity))]


def write_csv(handle: IO[str], delivery: Delivery) -> int:
    """Semicolons, as Excel in Sweden opens them (the caller chooses UTF-8 with BOM)."""
    writer = csv.writer(handle, delimiter=";")
    writer.writerow(report_header())
    count = 0
    for row in report_rows(delivery):
        writer.writerow(row)
        count += 1
    return count


def write_xlsx(target: Any, delivery: Delivery) -> int:
    """Streaming workbook to a path or a binary file; returns the rows written."""
    written = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal written
        for row in report_rows(delivery):
            if written == XLSX_MAX_ROWS - 2:
                yield [None, None, None, _("The report goes on beyond Excel's last row; take it as CSV for all of it.")]
                return
            written += 1
            yield [row[0] or None, *row[1:]]

    write_workbook(target, [Sheet(str(_("Row report")), report_header(), rows(), widths=(8, 22, 28, 80, 12))])
    return written
