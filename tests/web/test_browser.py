"""A person's path through the UI in a real browser: log in, find a recipient, add a provider.

Drives Debian's Chromium with Playwright; skipped with the reason when no Chromium is found.
Screenshots go to $TILLIT_SCREENSHOT_DIR when it is set (used to look at the pages).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

from tests.conftest import PASSWORD
from tests.web.fixtures import populate

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("TILLIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


@pytest.fixture
def page(live_server, monkeypatch):
    if not CHROMIUM:
        pytest.skip("no Chromium found (apt-get install chromium); browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    # The live server runs in a thread; Django refuses sync DB calls from Playwright's event loop otherwise.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
        page = context.new_page()
        page.base_url = live_server.url  # type: ignore[attr-defined]
        yield page
        browser.close()
        # the test's own queries ran while Playwright's loop was current: close that connection
        # here, or PostgreSQL refuses to drop the test database at the end of the run
        connections.close_all()


def _shot(page, name: str) -> None:
    folder = os.environ.get("TILLIT_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _login(page, email: str) -> None:
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(page.base_url + "/")


def test_controller_logs_in_and_registers_a_provider(page, world, transactional_db):
    populate(world)
    _login(page, "controller@test.example")
    _shot(page, "start")
    assert page.locator("h1").first.is_visible()
    page.goto(page.base_url + "/providers/")
    _shot(page, "providers")
    assert page.get_by_text("Omsorg A AB").is_visible()
    page.goto(page.base_url + "/providers/new/")
    page.fill("#id_name", "Webbläsaromsorgen AB")
    page.fill("#id_org_number", "5560160680")
    page.check("#id_service_types_0")
    page.click("main form.form button[type=submit]")
    page.wait_for_selector("h1:has-text('Webbläsaromsorgen AB')")
    _shot(page, "provider")


def test_form_errors_are_announced_and_linked(page, world, transactional_db):
    _login(page, "controller@test.example")
    page.goto(page.base_url + "/contracts/new/")
    page.click("main form.form button[type=submit]")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    # Each error links to its field, and the field says it is invalid.
    assert page.locator("#id_reference[aria-invalid=true]").count() == 1
    _shot(page, "contract-form-errors")


def test_a_provider_user_sees_only_its_own_recipients(page, world, transactional_db):
    populate(world)
    _login(page, "a@test.example")
    page.goto(page.base_url + "/recipients/")
    assert page.get_by_text("P:a-kund").count() >= 1
    assert page.get_by_text("P:b-kund").count() == 0
    page.get_by_text("P:a-kund").first.click()
    page.wait_for_selector("h1")
    _shot(page, "recipient")
