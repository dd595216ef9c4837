"""The quality pages: the overview, a provider's page with its evidence, overdue lists, exports
and the contract's declaration — and that provider B never sees provider A's figures or records."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import client_for
from tests.engine.test_continuity import may  # noqa: F401 (fixture)
from tests.engine.test_deadlines import march  # noqa: F401 (fixture)
from tests.ledger.conftest import _english, ledger  # noqa: F401 (fixtures)
from tillit.common.periods import Month
from tillit.engine.catalogue import BY_CODE
from tillit.quality.models import QualityRule, QualityTerms
from tillit.quality.services import indicator_run, quality_declaration_standard, quality_rule_set
from tillit.registry.services import contract_create, provider_update


@pytest.fixture
def measured(march):
    contract = contract_create(actor=None, provider=march.provider_a, reference="=LOV-HT-1", kind="lov",
                               service_types=["home_care"], start_date=datetime.date(2023, 1, 1))
    quality_declaration_standard(actor=None, contract=contract)
    indicator_run(actor=None, month=Month(2024, 3), as_of=datetime.date(2024, 12, 1))
    march.contract = contract
    return march


def _provider_url(world, name="quality-provider", *args):
    return reverse(name, args=[world.provider_a.pk, *args]) + "?month=2024-03"


def test_overview_shows_every_provider_against_its_rules(measured):
    page = client_for(measured.world.controller).get(reverse("quality-overview") + "?month=2024-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Omsorg A AB" in html and "Omsorg B AB" in html
    assert "0 / 7" in html  # provider A met none of its seven rules in March
    with translation.override("sv"):
        assert gettext("No declaration") in html  # provider B has no contract


def test_provider_users_get_their_own_page_instead_of_the_overview(measured):
    response = client_for(measured.world.user_a).get(reverse("quality-overview") + "?month=2024-03")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("quality-provider", args=[measured.provider_a.pk]))


@pytest.mark.parametrize("role", ["controller", "user_a", "board"])
def test_the_provider_page_shows_figures_and_the_median_of_all(measured, role):
    page = client_for(getattr(measured.world, role)).get(_provider_url(measured.world))
    assert page.status_code == 200
    html = page.content.decode()
    with translation.override("sv"):  # the users' language
        name = str(BY_CODE["welcome_call"].name)
    assert name in html and "66,7 %" in html
    assert "Omsorg B AB" not in html


def test_provider_b_gets_404_for_every_page_of_provider_a(measured):
    client = client_for(measured.world.user_b)
    urls = [
        _provider_url(measured.world),
        _provider_url(measured.world) + "&format=xlsx",
        _provider_url(measured.world) + "&format=pdf",
        _provider_url(measured.world, "quality-evidence", "welcome_call"),
        _provider_url(measured.world, "quality-evidence", "continuity_mean"),
        _provider_url(measured.world, "quality-evidence", "performed_granted"),
        _provider_url(measured.world, "quality-evidence", "punctuality"),
        reverse("quality-overdue", args=[measured.provider_a.pk]),
        reverse("contract-quality", args=[measured.contract.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_evidence_lists_the_records_behind_a_figure(measured):
    client = client_for(measured.world.user_a)
    page = client.get(_provider_url(measured.world, "quality-evidence", "plan") + "&status=missing")
    assert page.status_code == 200
    assert "2024-03-29" in page.content.decode() and page.context["page"].paginator.count == 1
    page = client.get(_provider_url(measured.world, "quality-evidence", "performed_granted"))
    assert page.status_code == 200


def test_a_visit_figure_leads_to_the_visits_behind_it(measured):
    response = client_for(measured.world.controller).get(
        _provider_url(measured.world, "quality-evidence", "manual"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("visit-list"))
    assert "method=manual" in response["Location"] and f"provider={measured.provider_a.pk}" in response["Location"]


def test_the_board_reads_figures_but_not_the_records_behind_them(measured):
    client = client_for(measured.world.board)
    assert client.get(_provider_url(measured.world, "quality-evidence", "plan")).status_code == 404
    assert client.get(reverse("quality-overdue", args=[measured.provider_a.pk])).status_code == 404


def test_overdue_now(measured):
    page = client_for(measured.world.user_a).get(reverse("quality-overdue", args=[measured.provider_a.pk]))
    assert page.status_code == 200
    kinds = sorted(item.indicator.code for item in page.context["items"])
    # r2's plan (due 29 Mar), r3's plan (7 Apr), K3 unanswered, r4's and r1's follow-ups past
    # their six months, and r2, r3, r4 without a care contact
    assert kinds.count("plan") == 2 and kinds.count("complaint") == 1 and kinds.count("care_contact") == 3


def test_excel_export_keeps_text_as_text(measured):
    provider_update(actor=None, provider=measured.provider_a, name="=HYPERLINK(\"x\") Omsorg A")
    response = client_for(measured.world.controller).get(reverse("quality-overview") + "?month=2024-03&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book[book.sheetnames[0]].values)
    assert rows[1][0] == "'=HYPERLINK(\"x\") Omsorg A"  # neutralised: text, never a formula
    assert rows[1][2:4] == (0, 4)  # rules met, rules judged
    response = client_for(measured.world.controller).get(_provider_url(measured.world) + "&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 3  # indicators, trend, compliance


def test_pdf_exports(measured):
    client = client_for(measured.world.controller)
    for url in (reverse("quality-overview") + "?month=2024-03&format=pdf", _provider_url(measured.world) + "&format=pdf"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_controllers_edit_the_declaration_and_providers_may_only_read_it(measured):
    url = reverse("contract-quality", args=[measured.contract.pk])
    controller = client_for(measured.world.controller)
    controller.post(url, {"action": "rule", "indicator": "punctuality", "operator": "gte", "threshold": "85"})
    assert QualityRule.objects.get(contract=measured.contract, indicator="punctuality").threshold == 85
    controller.post(url, {"action": "terms", "punctuality_margin_minutes": "20", "welcome_call_days": "7",
                          "plan_days": "28", "plan_followup_months": "6", "complaint_days": "14"})
    assert QualityTerms.objects.get(contract=measured.contract).punctuality_margin_minutes == 20
    provider = client_for(measured.world.user_a)
    assert provider.get(url).status_code == 200
    assert provider.post(url, {"action": "rule", "indicator": "punctuality", "operator": "gte",
                               "threshold": "1"}).status_code == 404
    assert QualityRule.objects.get(contract=measured.contract, indicator="punctuality").threshold == 85


def test_a_controller_starts_a_run_from_the_overview(measured, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(measured.world.controller).post(reverse("quality-run"), {"month": "2024-04"})
    assert response.status_code == 302
    from tillit.quality.selectors import month_run
    assert month_run(Month(2024, 4)) is not None
    assert client_for(measured.world.user_a).post(reverse("quality-run"), {"month": "2024-04"}).status_code == 404


def test_the_definitions_are_one_click_from_every_figure(world):
    page = client_for(world.board).get(reverse("docs-indicators"))
    assert page.status_code == 200
    html = page.content.decode()
    for code in BY_CODE:
        assert f'id="{code}"' in html, code


def test_own_indicators_beside_kolada_are_pooled_over_providers_and_months(measured):
    from tillit.web.own_indicators import own_indicators

    assert own_indicators(None, [2023]) == []
    # March 2024 of the deadline world has no visits: no continuity or punctuality to pool
    assert own_indicators(None, [2024]) == []


def test_own_indicators_from_the_may_continuity_world(may):
    """May 2024 of tests/engine/test_continuity.py: 39 staff over 9 observations, 1 over 20."""
    from tillit.web.own_indicators import own_indicators

    indicator_run(actor=None, month=Month(2024, 5), as_of=datetime.date(2024, 12, 1))
    rows = {row.kolada_kpi or row.unit: row.values[2024] for row in own_indicators(None, [2024])}
    assert rows == {"U21401": Decimal("4.3"), "U21436": Decimal("11.1"), "%": Decimal("100.0")}


def test_cached_pages_follow_new_runs_and_never_cross_viewers(measured):
    """The rendered parts are cached per results generation: a new run shows at once, and the
    board (no evidence links) never gets the controller's cached part, nor provider B A's."""
    controller, board = client_for(measured.world.controller), client_for(measured.world.board)
    url = _provider_url(measured.world)
    evidence = reverse("quality-evidence", args=[measured.provider_a.pk, "welcome_call"])
    assert evidence in controller.get(url).content.decode()
    assert evidence not in board.get(url).content.decode()
    assert client_for(measured.world.user_b).get(url).status_code == 404
    before = controller.get(reverse("quality-overview") + "?month=2024-03").content.decode()
    quality_rule_set(actor=None, contract=measured.contract, indicator="complaint", operator="gte", threshold="50")
    indicator_run(actor=None, month=Month(2024, 3), as_of=datetime.date(2024, 12, 1))
    after = controller.get(reverse("quality-overview") + "?month=2024-03").content.decode()
    assert "0 / 7" in before and "1 / 7" in after


def test_the_results_generation_changes_with_runs_providers_and_contracts(measured):
    """The key the cached parts of the quality pages are kept under."""
    from tillit.quality.selectors import results_generation

    keys = [results_generation()]
    assert results_generation() == keys[0]  # nothing changed
    measured.provider_a.save()
    keys.append(results_generation())
    measured.contract.save()
    keys.append(results_generation())
    indicator_run(actor=None, month=Month(2024, 3), as_of=datetime.date(2024, 12, 1))
    keys.append(results_generation())
    assert len(set(keys)) == 4, keys
