"""A delivery's row report as Excel: streamed, text never a formula, cut at Excel's last row."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tillit.deliveries import reports
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import store_issues

pytestmark = pytest.mark.django_db


def _delivery(issues: int) -> Delivery:
    delivery = Delivery.objects.create(kind="visits", file_name="besok.csv", checksum="0" * 64, size=1)
    store_issues(delivery, [(n, "status", "=SUM(A1)" if n == 2 else f"fel {n}", "Okänd status.", "error")
                            for n in range(2, issues + 2)])
    return delivery


def _rows(delivery: Delivery) -> tuple[int, list[tuple]]:
    buffer = io.BytesIO()
    written = reports.write_xlsx(buffer, delivery)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    return written, list(sheet.iter_rows(values_only=True))


def test_every_issue_is_a_row_and_a_formula_stays_text() -> None:
    written, table = _rows(_delivery(5))
    assert written == 5 and len(table) == 6
    assert table[1][:3] == (2, "status", "'=SUM(A1)")
    assert [row[0] for row in table[1:]] == [2, 3, 4, 5, 6]


def test_a_report_longer_than_excel_is_cut_with_a_note(monkeypatch) -> None:
    monkeypatch.setattr(reports, "XLSX_MAX_ROWS", 5)  # header, three issues, the note
    written, table = _rows(_delivery(10))
    assert written == 3 and len(table) == 5
    assert table[-1][0] is None and "CSV" in table[-1][3]  # the note points to the CSV (in either language)
