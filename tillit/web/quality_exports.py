"""The quality pages as Excel (every figure, numerator and denominator) and as PDF for the board."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from tillit.common.spreadsheets import neutralise
from tillit.engine.catalogue import BY_CODE
from tillit.quality.selectors import Overview, ProviderQuality

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value: Any) -> Any:
    return neutralise(str(value)) if isinstance(value, str) else value


def _sheet(book: openpyxl.Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_text(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    sheet.freeze_panes = "A2"


def _workbook_response(book: openpyxl.Workbook, name: str) -> HttpResponse:
    del book[book.sheetnames[0]]  # the empty default sheet
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _pdf_response(request: HttpRequest, template: str, context: dict[str, Any], name: str) -> HttpResponse:
    from weasyprint import HTML  # imported here: it loads system libraries, only PDFs need them

    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _verdict(compliance: Any) -> str:
    return str(compliance.get_status_display()) if compliance else ""


def overview_response(request: HttpRequest, data: Overview, export: str) -> HttpResponse:
    name = f"kvalitet-{data.month}"
    if export == "pdf":
        labels = {code: BY_CODE[code].name for code in data.indicators}
        return _pdf_response(request, "web/quality/pdf_overview.html", {"data": data, "labels": labels}, name)
    book = openpyxl.Workbook()
    header = [_("Provider"), _("Organisation number"), _("Rules met"), _("Rules judged"),
              *[str(BY_CODE[code].name) for code in data.indicators]]
    rows = []
    for row in data.rows:
        judged = [c for c in row.compliance.values() if c.status != "not_measurable"]
        rows.append([row.provider.name, row.provider.org_number, row.met, len(judged),
                     *[_verdict(row.compliance.get(code)) for code in data.indicators]])
    _sheet(book, _("Compliance"), header, rows)
    detail = []
    for row in data.rows:
        for code in data.indicators:
            c = row.compliance.get(code)
            if c:
                detail.append([row.provider.name, str(BY_CODE[code].name), c.get_operator_display(), c.threshold,
                               c.value, _verdict(c), c.reason])
    _sheet(book, _("Rules"), [_("Provider"), _("Indicator"), _("Requirement"), _("Threshold"), _("Value"),
                              _("Verdict"), _("Why not measurable")], detail)
    return _workbook_response(book, name)


def provider_response(request: HttpRequest, data: ProviderQuality, export: str) -> HttpResponse:
    name = f"kvalitet-{slugify(data.provider.name)}-{data.month}"
    if export == "pdf":
        return _pdf_response(request, "web/quality/pdf_provider.html", {"data": data}, name)
    book = openpyxl.Workbook()
    _sheet(book, _("Indicators"), [
        _("Indicator"), _("Unit"), _("Value"), _("Numerator"), _("Denominator"), _("Last month"),
        _("Median of all providers"),
    ], [
        [str(row.indicator.name), "", row.value, row.result.numerator if row.result else None,
         row.result.denominator if row.result else None, row.previous.value if row.previous else None,
         row.municipality_median]
        for row in data.rows
    ])
    months = [month for month, _value in data.rows[0].trend] if data.rows else []
    _sheet(book, _("Trend"), [_("Indicator"), *months],
           [[str(row.indicator.name), *[value for _month, value in row.trend]] for row in data.rows])
    _sheet(book, _("Compliance"), [_("Indicator"), _("Requirement"), _("Threshold"), _("Value"), _("Verdict"),
                                   _("Why not measurable")],
           [[str(BY_CODE[c.indicator].name), c.get_operator_display(), c.threshold, c.value, _verdict(c), c.reason]
            for c in data.compliance])
    return _workbook_response(book, name)
