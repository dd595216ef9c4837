"""Writing values that a spreadsheet will open: text stays text, never a formula.

`workbook` writes Excel files in openpyxl's streaming (write-only) mode: a statement of a large
provider has tens of thousands of lines, and a workbook built cell by cell in memory took
minutes for them.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TYPED = (int, float, Decimal, datetime.date)  # written as what they are (a datetime is a date)


def neutralise(value: str) -> str:
    """Stop a spreadsheet from running a text as a formula (formula injection, CWE-1236)."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


@dataclass(frozen=True)
class Sheet:
    """One sheet: a bold, frozen header row, then the rows.

    Text is neutralised and stored as text; numbers stay numbers (exact decimals included),
    shown with `formats` (column index → Excel number format). Columns are as wide as their
    longest value, between `min_width` and `max_width` characters, unless `widths` are given:
    then `rows` may be any iterable, read once as it is written (a row report of a million
    issues never sits in memory).
    """

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    formats: Mapping[int, str] = field(default_factory=dict)
    widths: Sequence[int] | None = None
    bold_last_row: bool = False  # a closing total
    min_width: int = 9
    max_width: int = 40


def workbook(sheets: Iterable[Sheet]) -> bytes:
    """The sheets as an .xlsx file."""
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    return buffer.getvalue()


def write_workbook(target: Any, sheets: Iterable[Sheet]) -> None:
    """Write the sheets as an .xlsx file to `target` (a path or a binary file)."""
    import openpyxl  # here, not at the top: every command imports this module, few write workbooks
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        out = book.create_sheet(str(sheet.title)[:31])
        # a streaming sheet takes its widths before its rows
        for index, width in enumerate(sheet.widths or _widths(sheet), start=1):
            out.column_dimensions[get_column_letter(index)].width = width
        out.freeze_panes = "A2"

        def cell(value: Any, index: int, *, strong: bool = False) -> Any:
            if isinstance(value, str):
                value = neutralise(value)
            elif value is not None and not isinstance(value, _TYPED):
                value = neutralise(str(value))  # anything else (a lazy translation) as text
            number_format = sheet.formats.get(index) if not isinstance(value, str) else None
            if not strong and number_format is None:
                # a plain value (most cells): openpyxl takes text for a formula only when it starts
                # with "=", and neutralised text never does
                return value
            written = WriteOnlyCell(out, value=value)
            if isinstance(value, str):
                written.data_type = "s"  # text, never a formula
            if number_format is not None:
                written.number_format = number_format
            if strong:
                written.font = bold
            return written

        out.append([cell(str(title), -1, strong=True) for title in sheet.header])
        rows = iter(sheet.rows)
        row = next(rows, None)
        while row is not None:
            following = next(rows, None)  # one row ahead: the last may be a bold total
            strong = sheet.bold_last_row and following is None
            out.append([cell(value, index, strong=strong) for index, value in enumerate(row)])
            row = following
    book.save(target)


def _widths(sheet: Sheet) -> list[int]:
    assert isinstance(sheet.rows, Sequence), "without widths, rows must be a sequence (read twice)"
    columns = max([len(sheet.header), *(len(row) for row in sheet.rows)], default=0)
    longest = [0] * columns
    for row in [sheet.header, *sheet.rows]:
        for index, value in enumerate(row):
            longest[index] = max(longest[index], len(str(value if value is not None else "")))
    return [min(max(width + 2, sheet.min_width), sheet.max_width) for width in longest]
