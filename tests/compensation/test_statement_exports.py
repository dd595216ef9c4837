"""A statement's exports: PDF for the provider, Excel with every line, CSV for the finance system
(semicolons, decimal commas, UTF-8 with BOM) — none of them runs a provider's name as a formula,
and provider B gets none of provider A's."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from tests.compensation.statement_fixtures import computed  # noqa: F401 (fixture)
from tests.compensation.test_stockholm import stockholm  # noqa: F401 (fixture)
from tests.conftest import client_for
from tillit.registry.services import provider_update

EXPORTS = ("statement-pdf", "statement-xlsx", "statement-csv")
FORMULA = '=HYPERLINK("http://evil.example","Klicka")'


def _get(computed, role: str, name: str, statement=None):
    return client_for(getattr(computed.world, role)).get(reverse(name, args=[(statement or computed.a).pk]))


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("role", ["controller", "finance", "admin", "user_a"])
def test_every_export_is_there_for_those_who_read_the_lines(computed, name, role):
    response = _get(computed, role, name)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ersattning-omsorg-a-ab-2024-03-v1.')


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("role", ["user_b", "board", "case_officer"])
def test_no_export_of_provider_as_statement_for_others(computed, name, role):
    assert _get(computed, role, name).status_code == 404


@pytest.mark.parametrize("name", EXPORTS)
def test_provider_b_exports_its_own(computed, name):
    assert _get(computed, "user_b", name, computed.b).status_code == 200


def test_the_pdf_is_a_pdf(computed):
    response = _get(computed, "user_a", "statement-pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_the_csv_is_swedish_semicolons_decimal_commas_and_a_bom(computed):
    content = _get(computed, "finance", "statement-csv").content
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0].count(";") == 17
    rows = _csv_rows(content)
    header, lines = rows[0], rows[1:]
    assert len(lines) == 5
    amount = header.index(next(h for h in header if h in ("Amount", "Belopp")))
    quantity = header.index(next(h for h in header if h in ("Quantity", "Antal")))
    assert sorted(row[amount] for row in lines) == ["1032,00", "197,00", "260,00", "260,00", "559,00"]
    assert "1,0833" in [row[quantity] for row in lines]
    assert sum(Decimal(row[amount].replace(",", ".")) for row in lines) == Decimal("2308.00")
    assert {row[header.index(next(h for h in header if h in ("Recipient", "Brukare")))] for row in lines} == {
        "P:r1", "P:r2", "P:r3", "P:r4"}


def test_the_excel_has_the_totals_and_every_line_with_exact_numbers(computed):
    book = openpyxl.load_workbook(io.BytesIO(_get(computed, "finance", "statement-xlsx").content))
    totals, lines = book.worksheets
    rows = list(lines.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5
    header = [cell.value for cell in lines[1]]
    amount = len(header) - 1
    assert sum(Decimal(str(row[amount])) for row in rows) == Decimal("2308.00")
    last = list(totals.iter_rows(values_only=True))[-1]
    assert Decimal(str(last[-1])) == Decimal("2308.00")


def test_a_provider_named_like_a_formula_is_text_in_every_export(computed):
    provider_update(actor=None, provider=computed.world.provider_a, name=FORMULA)
    rows = _csv_rows(_get(computed, "finance", "statement-csv").content)
    names = {row[2] for row in rows[1:]}
    assert names == {"'" + FORMULA}
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)

    book = openpyxl.load_workbook(io.BytesIO(_get(computed, "finance", "statement-xlsx").content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    names = [cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert names and all(cell.value == "'" + FORMULA and cell.data_type == "s" for cell in names)
    assert not any(cell.data_type == "f" for cell in cells)

    pdf = _get(computed, "finance", "statement-pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_the_pdf_prints_every_line_up_to_its_limit_and_beyond_it_says_where_they_are(computed, monkeypatch):
    """A large provider's month has tens of thousands of lines, too many for a PDF (WeasyPrint
    took minutes and gigabytes): above the limit the PDF keeps its totals and points to the
    Excel and CSV files and the statement's page."""
    from django.test import RequestFactory

    from tillit.accounts.access import viewer_for
    from tillit.web import statement_exports

    request = RequestFactory().get("/", HTTP_HOST="localhost")
    viewer = viewer_for(computed.world.user_a)
    lines = computed.a.lines.count()
    html = statement_exports.pdf_html(request, viewer, computed.a)
    assert "P:r1" in html and "too many to print" not in html

    monkeypatch.setattr(statement_exports, "PDF_LINE_LIMIT", lines - 1)
    html = statement_exports.pdf_html(request, viewer, computed.a)
    assert "P:r1" not in html
    assert f"The statement has {lines} lines: too many to print." in html
    assert "2,308.00" in html  # the total stays (English in tests)
    pdf = statement_exports.statement_response(request, viewer, computed.a, "pdf")
    assert pdf.content.startswith(b"%PDF-")
