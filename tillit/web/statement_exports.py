"""A statement as PDF (for the provider), Excel (every line) and CSV (for the finance system).

Every text cell that would start with = + - @ is neutralised (formula injection); amounts are
exact decimals, written as numbers. The CSV follows Swedish conventions: semicolons, decimal
commas, UTF-8 with BOM so that Excel in Sweden opens it right.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from tillit.accounts.access import Viewer
from tillit.common.errors import NotFound
from tillit.common.spreadsheets import neutralise
from tillit.compensation import selectors
from tillit.compensation.models import Statement
from tillit.compensation.statement_data import LINE_COLUMNS, NUMBER_KEYS, line_headers, line_rows, safe_text, write_csv

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = ("pdf", "xlsx", "csv")


def _name(statement: Statement) -> str:
    return f"ersattning-{slugify(statement.provider.name) or statement.provider_id}-{statement.month}-v{statement.number}"


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def statement_response(request: HttpRequest, viewer: Viewer, statement: Statement, export: str) -> HttpResponse:
    if export not in EXPORTS:
        raise NotFound("Not found.")
    name = _name(statement)
    if export == "csv":
        buffer = io.StringIO()
        write_csv(buffer, line_rows(viewer=viewer, statement=statement))
        return _attachment(buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", f"{name}.csv")
    if export == "xlsx":
        return _attachment(_workbook(viewer, statement), XLSX, f"{name}.xlsx")
    return _attachment(_pdf(request, viewer, statement), "application/pdf", f"{name}.pdf")


def _text_cells(sheet: Any) -> None:
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text, never a formula


def _bold_header(sheet: Any) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    sheet.freeze_panes = "A2"


def _workbook(viewer: Viewer, statement: Statement) -> bytes:
    """Two sheets: the totals (per component and in all), then every line."""
    book = openpyxl.Workbook()
    totals = book.active
    totals.title = _("Totals")[:31]
    totals.append([_("Provider"), _("Organisation number"), _("Month"), _("Version"), _("Status"),
                   _("Component"), _("Lines"), _("Amount")])
    _bold_header(totals)
    head = [neutralise(statement.provider.name), neutralise(statement.provider.org_number), statement.month,
            statement.number, str(statement.get_status_display())]
    for total in selectors.statement_component_totals(viewer=viewer, statement=statement):
        totals.append([*head, neutralise(total.label), total.lines, total.amount])
        _text_cells(totals)
    totals.append([*head, _("In all"), None, statement.total])
    _text_cells(totals)
    for cell in totals[totals.max_row]:
        cell.font = Font(bold=True)
    lines = book.create_sheet(_("Lines")[:31])
    lines.append(line_headers())
    _bold_header(lines)
    for row in line_rows(viewer=viewer, statement=statement):
        lines.append([row[key] if key in NUMBER_KEYS else safe_text(str(row[key] or "")) for key, _h in LINE_COLUMNS])
        _text_cells(lines)
    _formats(totals, {"G": "0", "H": _MONEY})
    _formats(lines, {_letter(key): _LINE_FORMATS[key] for key in _LINE_FORMATS})
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_MONEY = "#,##0.00"
_LINE_FORMATS = {"version": "0", "granted_minutes": "0.00", "performed_minutes": "0.00", "quantity": "0.0000",
                 "rate": _MONEY, "percent": "0.00", "amount": _MONEY}


def _letter(key: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter([k for k, _h in LINE_COLUMNS].index(key) + 1)


def _formats(sheet: Any, formats: dict[str, str]) -> None:
    """Readable widths, and numbers shown with the decimals they have (the values stay exact)."""
    for column in sheet.columns:
        letter = column[0].column_letter
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[letter].width = min(max(width + 2, 9), 40)
        if letter in formats:
            for cell in column[1:]:
                cell.number_format = formats[letter]


def _pdf(request: HttpRequest, viewer: Viewer, statement: Statement) -> bytes:
    from weasyprint import HTML  # imported here: it loads system libraries, only PDFs need them

    html = render_to_string("web/statements/pdf.html", {
        "statement": statement,
        "components": selectors.statement_component_totals(viewer=viewer, statement=statement),
        "groups": selectors.statement_lines(viewer=viewer, statement=statement),
        "model_versions": selectors.model_versions_used(viewer=viewer, statement=statement),
    }, request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
