"""The Nyckeltal page in a real browser: choose a group and KPIs, read the chart's table, export.

Skipped with the reason when no Chromium is found; screenshots go to $TILLIT_SCREENSHOT_DIR.
"""

from __future__ import annotations

import pytest

from tests.web.test_browser import _login, _shot, page  # noqa: F401  (page is a fixture)
from tillit.benchmarks.services import sync_request, sync_run

pytestmark = pytest.mark.browser


def test_a_controller_compares_stockholm_with_the_storstader(page, world, kolada_client, settings, transactional_db):  # noqa: F811
    settings.TILLIT_MUNICIPALITY_CODE = "0180"
    sync_run(sync=sync_request(actor=None, options={"kpis": ["N03702", "N00945"], "years": list(range(2012, 2020))}))
    _login(page, "controller@test.example")
    page.click("nav.main-nav >> text=Nyckeltal")
    page.wait_for_selector("h1:has-text('Nyckeltal')")
    page.select_option("#bm-g", "k:G92787")
    page.click("button:has-text('Visa')")
    page.wait_for_selector("text=Jämfört med Storstäder")
    _shot(page, "benchmarks")
    # Every chart is an image with a name and a description, and a table with the same figures.
    chart = page.locator("svg.chart").first
    assert chart.get_attribute("role") == "img"
    assert page.locator("table.benchmark-table").count() == page.locator("svg.chart").count() == 2
    assert page.locator("table.benchmark-table caption").first.inner_text().endswith("(Källa: Kolada)")
    # Searching the catalogue adds a KPI without JavaScript.
    page.click("details.kpi-picker > summary")
    page.fill("#bm-q", "N21006")
    page.click("button:has-text('Sök')")
    page.wait_for_selector("#found-N21006")
    with page.expect_download() as download:
        page.click("a:has-text('Excel')")
    assert download.value.suggested_filename == "nyckeltal-0180.xlsx"
