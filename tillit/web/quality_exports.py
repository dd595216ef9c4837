"""The quality pages as Excel (every figure, numerator and denominator) and as PDF for the board."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tillit.common.spreadsheets import Sheet, workbook
from tillit.engine.catalogue import BY_CODE
from tillit.quality.selectors import Overview, ProviderQuality

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook_response(sheets: list[Sheet], name: str) -> HttpResponse:
    response = HttpResponse(workbook(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _sheet(title: str, header: list[str], rows: list[list[Any]]) -> Sheet:
    return Sheet(title, header, rows, min_width=10, max_width=60)


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
    header = [_("Provider"), _("Organisation number"), _("Rules met"), _("Rules judged"),
              *[str(BY_CODE[code].name) for code in data.indicators]]
    rows = []
    for row in data.rows:
        judged = [c for c in row.compliance.values() if c.status != "not_measurable"]
        rows.append([row.provider.name, row.provider.org_number, row.met, len(judged),
                     *[_verdict(row.compliance.get(code)) for code in data.indicators]])
    detail = []
    for row in data.rows:
        for code in data.indicators:
            c = row.compliance.get(code)
            if c:
                detail.append([row.provider.name, str(BY_CODE[code].name), c.get_operator_display(), c.threshold,
                               c.value, _verdict(c), c.reason])
    return _workbook_response([
        _sheet(_("Compliance"), header, rows),
        _sheet(_("Rules"), [_("Provider"), _("Indicator"), _("Requirement"), _("Threshold"), _("Value"),
                            _("Verdict"), _("Why not measurable")], detail),
    ], name)


def provider_response(request: HttpRequest, data: ProviderQuality, export: str) -> HttpResponse:
    name = f"kvalitet-{slugify(data.provider.name)}-{data.month}"
    if export == "pdf":
        return _pdf_response(request, "web/quality/pdf_provider.html", {"data": data}, name)
    months = [month for month, _value in data.rows[0].trend] if data.rows else []
    indicators = _sheet(_("Indicators"), [
        _("Indicator"), _("Unit"), _("Value"), _("Numerator"), _("Denominator"), _("Last month"),
        _("Median of all providers"),
    ], [
        [str(row.indicator.name), "", row.value, row.result.numerator if row.result else None,
         row.result.denominator if row.result else None, row.previous.value if row.previous else None,
         row.municipality_median]
        for row in data.rows
    ])
    trend = _sheet(_("Trend"), [_("Indicator"), *months],
                   [[str(row.indicator.name), *[value for _month, value in row.trend]] for row in data.rows])
    compliance = _sheet(_("Compliance"), [_("Indicator"), _("Requirement"), _("Threshold"), _("Value"), _("Verdict"),
                                          _("Why not measurable")],
                        [[str(BY_CODE[c.indicator].name), c.get_operator_display(), c.threshold, c.value,
                          _verdict(c), c.reason] for c in data.compliance])
    return _workbook_response([indicators, trend, compliance], name)
