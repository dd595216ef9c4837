"""The streaming workbook writer behind every Excel export."""

import datetime
import io
from decimal import Decimal

import openpyxl

from tillit.common.spreadsheets import Sheet, workbook


def _book(*sheets: Sheet) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook(sheets)))


def test_values_keep_their_kind_and_text_is_never_a_formula() -> None:
    book = _book(Sheet("Rader", ["Namn", "Belopp", "Dag"], [
        ["=HYPERLINK(\"http://x\")", Decimal("1234.50"), datetime.date(2025, 3, 1)],
        ["-12", 7, None],
    ], formats={1: "#,##0.00"}))
    sheet = book["Rader"]
    first, second = list(sheet.iter_rows(min_row=2))
    assert first[0].value == "'=HYPERLINK(\"http://x\")" and first[0].data_type == "s"
    assert second[0].value == "'-12" and second[0].data_type == "s"  # a text that looks like a number stays text
    assert Decimal(str(first[1].value)) == Decimal("1234.50") and first[1].number_format == "#,##0.00"
    assert second[1].value == 7 and second[1].number_format == "#,##0.00"
    assert first[2].value == datetime.datetime(2025, 3, 1)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_the_header_is_bold_and_frozen_and_a_closing_total_bold() -> None:
    sheet = _book(Sheet("Summor", ["Del", "Belopp"], [["Tid", 10], ["Besök", 5], ["Totalt", 15]],
                        bold_last_row=True))["Summor"]
    assert sheet.freeze_panes == "A2"
    assert [cell.font.b for cell in sheet[1]] == [True, True]
    assert [cell.font.b for cell in sheet[2]] == [False, False]
    assert [cell.font.b for cell in sheet[4]] == [True, True]


def test_columns_are_as_wide_as_their_values_within_the_bounds() -> None:
    sheet = _book(Sheet("Bredd", ["A", "B", "C"], [["x" * 20, "y", "z" * 100]], min_width=9, max_width=40))["Bredd"]
    assert [sheet.column_dimensions[letter].width for letter in "ABC"] == [22, 9, 40]


def test_a_statement_sized_sheet_is_written_whole() -> None:
    """Tens of thousands of lines (a large provider's month): every row arrives, in order."""
    rows = [[f"r{n}", Decimal(n) / 100] for n in range(30_000)]
    sheet = _book(Sheet("Rader", ["Brukare", "Belopp"], rows))["Rader"]
    read = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(read) == 30_000
    assert read[0][0] == "r0" and read[-1][0] == "r29999" and Decimal(str(read[-1][1])) == Decimal("299.99")
