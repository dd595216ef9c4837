"""The benchmark comparison as an Excel workbook and as a PDF for the board.

Both carry "Källa: Kolada" on everything from Kolada and keep our own indicators apart. Text in
the workbook is data, never a formula: a cell that would start with = + - @ is neutralised.
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.deliveries.reports import neutralise
from tillit.web.benchmark_page import BenchmarkView, describe_group

SOURCE = "Källa: Kolada"  # Kolada's required attribution, in Swedish whatever the UI language


def _text(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def workbook(view: BenchmarkView) -> bytes:
    """One sheet for Kolada's figures (a row per KPI and year), one for our own indicators."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = str(_("Kolada"))[:31]
    municipality = view.municipality.title if view.municipality else ""
    bold = Font(bold=True)
    sheet.append([_text(_("Key indicators: %(municipality)s compared with %(group)s")
                        % {"municipality": municipality, "group": describe_group(view)})])
    sheet["A1"].font = bold
    sheet.append([SOURCE])
    sheet.append([_text(_("Group members: %(members)s") % {"members": ", ".join(view.group_members)})])
    sheet.append([])
    header = [_("KPI"), _("Title"), _("Year"), municipality, _("Uncertain (Kolada status)"), _("Group median"),
              _("Lowest"), _("Lowest in"), _("Highest"), _("Highest in"), _("Rank (1 = highest)"), _("Ranked"),
              _("Members with a value"), _("Members"), _("Source")]
    sheet.append([_text(str(h)) for h in header])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for block in view.blocks:
        for row in block.rows:
            sheet.append([
                _text(block.kpi), _text(block.title), row.year, row.ours.value, _text(row.ours.status),
                row.median.value, row.low.value, _text(row.low_name), row.high.value, _text(row.high_name),
                row.rank, row.ranked, row.with_value, row.members, SOURCE,
            ])
    for column, width in zip("ABCDEFGHIJKLMNO", (9, 60, 6, 14, 12, 14, 12, 16, 12, 16, 10, 8, 10, 8, 14), strict=True):
        sheet.column_dimensions[column].width = width
    own = book.create_sheet(str(_("Own indicators"))[:31])
    own.append([str(_("Own indicators, computed by Tillit from the municipality's own data (not from Kolada)."))])
    own.append([str(_("Indicator")), str(_("Unit")), *view.years])
    for block in view.own:
        own.append([_text(block.title), _text(block.unit), *[_text(text) for _year, text in block.cells]])
    if not view.own:
        own.append([str(_("No own indicators yet."))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _no_network(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint may fetch nothing: the PDF is made offline from the template alone."""
    raise ValueError(f"The PDF may not fetch {url}: Tillit works offline.")


def pdf(view: BenchmarkView) -> bytes:
    from weasyprint import HTML

    html = render_to_string("web/benchmarks/pdf.html", {"view": view, "source": SOURCE, "made": timezone.localtime()})
    return HTML(string=html, url_fetcher=_no_network).write_pdf()
