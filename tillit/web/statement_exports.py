"""A statement as PDF (for the provider), Excel (every line) and CSV (for the finance system).

Every text cell that would start with = + - @ is neutralised (formula injection); amounts are
exact decimals, written as numbers. The CSV follows Swedish conventions: semicolons, decimal
commas, UTF-8 with BOM so that Excel in Sweden opens it right.
"""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tillit.accounts.access import Viewer
from tillit.common.errors import NotFound
from tillit.common.spreadsheets import Sheet, workbook
from tillit.compensation import selectors
from tillit.compensation.models import Statement
from tillit.compensation.statement_data import LINE_COLUMNS, NUMBER_KEYS, line_headers, line_rows, write_csv

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


def _workbook(viewer: Viewer, statement: Statement) -> bytes:
    """Two sheets: the totals (per component and in all), then every line."""
    head = [statement.provider.name, statement.provider.org_number, statement.month, statement.number,
            str(statement.get_status_display())]
    totals = [[*head, str(total.label), total.lines, total.amount]
              for total in selectors.statement_component_totals(viewer=viewer, statement=statement)]
    totals.append([*head, str(_("In all")), None, statement.total])
    keys = [key for key, _header in LINE_COLUMNS]
    lines = [[row[key] if key in NUMBER_KEYS else str(row[key] or "") for key in keys]
             for row in line_rows(viewer=viewer, statement=statement)]
    return workbook([
        Sheet(_("Totals"), [_("Provider"), _("Organisation number"), _("Month"), _("Version"), _("Status"),
                            _("Component"), _("Lines"), _("Amount")], totals,
              formats={6: "0", 7: _MONEY}, bold_last_row=True),
        Sheet(_("Lines"), line_headers(), lines,
              formats={keys.index(key): number_format for key, number_format in _LINE_FORMATS.items()}),
    ])


_MONEY = "#,##0.00"
_LINE_FORMATS = {"version": "0", "granted_minutes": "0.00", "performed_minutes": "0.00", "quantity": "0.0000",
                 "rate": _MONEY, "percent": "0.00", "amount": _MONEY}


# WeasyPrint lays out about five pages a second and keeps them all in memory: every line of a
# large provider's month (8,766 recipients, 23,949 lines: some 1,450 pages) took minutes and
# gigabytes. Above this many lines the PDF carries the totals and says where the lines are.
PDF_LINE_LIMIT = 1000


def pdf_html(request: HttpRequest, viewer: Viewer, statement: Statement) -> str:
    components = selectors.statement_component_totals(viewer=viewer, statement=statement)
    line_count = sum(component.lines for component in components)
    return render_to_string("web/statements/pdf.html", {
        "statement": statement,
        "components": components,
        "line_count": line_count,
        "groups": (selectors.statement_lines(viewer=viewer, statement=statement)
                   if line_count <= PDF_LINE_LIMIT else None),
        "model_versions": selectors.model_versions_used(viewer=viewer, statement=statement),
    }, request=request)


def _pdf(request: HttpRequest, viewer: Viewer, statement: Statement) -> bytes:
    from weasyprint import HTML  # imported here: it loads system libraries, only PDFs need them

    html = pdf_html(request, viewer, statement)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
