"""The Nyckeltal page, its exports and own groups: who sees what, and what they see."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.benchmarks.kolada_mock import KoladaMock
from tests.conftest import client_for
from tillit.audit.models import AuditEvent
from tillit.benchmarks.models import CustomGroup, KoladaSync, KoladaValue, Kpi
from tillit.benchmarks.services import custom_group_create, sync_request, sync_run

pytestmark = pytest.mark.django_db

STOCKHOLM = {"m": "0180", "g": "k:G92787", "kpi": ["N03702", "N00945"]}


@pytest.fixture
def synced(kolada_client, settings):
    """Kolada's recorded figures for Stockholm and the storstäder, as a sync stores them."""
    settings.TILLIT_MUNICIPALITY_CODE = "0180"
    sync_run(sync=sync_request(actor=None, options={"kpis": ["N03702", "N00945"], "years": list(range(2012, 2020))}))


def _html(client, params=None) -> str:
    response = client.get(reverse("benchmarks"), params or {})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["controller", "finance", "board", "admin", "case_officer", "user_a"])
def test_every_role_sees_the_public_statistics(world, synced, role):
    html = _html(client_for(getattr(world, role)))
    assert "Bruttoregionprodukt" in html and "Källa: Kolada" in html
    assert 'href="/benchmarks/"' in html  # in the menu


def test_only_controllers_and_admins_may_fetch(world, synced):
    assert "Hämta från Kolada nu" in _html(client_for(world.controller))
    assert "Hämta från Kolada nu" not in _html(client_for(world.board))
    assert client_for(world.board).post(reverse("kolada-sync")).status_code == 404
    assert client_for(world.user_a).post(reverse("kolada-sync")).status_code == 404


def test_the_page_shows_our_value_the_median_range_and_rank(world, synced):
    html = _html(client_for(world.controller), STOCKHOLM)
    assert "Storstäder" in html
    # Stockholm's BRP 2019 beside Malmö's and Göteborg's (Swedish formatting, real Kolada values).
    stockholm_2019 = KoladaValue.objects.get(kpi_id="N03702", municipality_id="0180", year=2019).value
    assert f"{round(stockholm_2019):,}".replace(",", "\u00a0") in html
    assert "1 av 3" in html  # Stockholm has the highest BRP of the three
    assert "2 av 2" in html  # both other members have a value
    assert '<svg class="chart"' in html and 'role="img"' in html
    assert "Egna nyckeltal" in html
    # Our own indicators are in their own section, not under Kolada's source line.
    own = html.split('id="own-title"')[1].split("</section>")[0]
    assert "Källa: Kolada" not in own


def test_uncertain_values_are_marked(world, kolada_client, kolada, settings):
    settings.TILLIT_MUNICIPALITY_CODE = "0180"
    kolada.row("N03702", "0180", 2019)["values"][0]["status"] = "B"  # set here: the recorded rows have none
    sync_run(sync=sync_request(actor=None, options={"kpis": ["N03702"], "years": list(range(2012, 2020))}))
    html = _html(client_for(world.controller), {**STOCKHOLM, "kpi": "N03702"})
    assert "osäkert, Kolada status B" in html
    assert "chart__dot--uncertain" in html


def test_a_revision_is_listed(world, kolada_client, kolada, settings):
    settings.TILLIT_MUNICIPALITY_CODE = "0180"
    options = {"kpis": ["N03702"], "years": list(range(2012, 2020))}
    sync_run(sync=sync_request(actor=None, options=dict(options)))
    kolada.row("N03702", "1280", 2016)["values"][0]["value"] = 500.25
    sync_run(sync=sync_request(actor=None, options=dict(options)))
    html = _html(client_for(world.controller), {**STOCKHOLM, "kpi": "N03702"})
    assert "Värden som Kolada har ändrat" in html and "500,25" in html


def test_the_catalogue_can_be_searched(world, synced):
    html = _html(client_for(world.controller), {**STOCKHOLM, "q": "hemtjänsttagare"})
    assert 'id="found-N21006"' in html


def test_excel_export_is_the_same_comparison_and_neutralises_formulas(world, synced):
    # Text from outside (Kolada's titles, users' group names) must never become a formula.
    Kpi.objects.filter(pk="N03702").update(title="=HYPERLINK(\"http://example.invalid\",\"BRP\")")
    group = custom_group_create(actor=world.controller, name="@SUM(A1)", member_ids=["1280", "1480"])
    response = client_for(world.controller).get(reverse("benchmarks-xlsx"), {**STOCKHOLM, "g": f"c:{group.pk}"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "Nyckeltal: Stockholm jämfört med @SUM(A1)"
    assert sheet["A2"].value == "Källa: Kolada"
    rows = list(sheet.iter_rows(min_row=6, values_only=True))
    assert len(rows) == 16  # two KPIs × eight years
    assert all(row[-1] == "Källa: Kolada" for row in rows)
    brp = [row for row in rows if row[0] == "N03702"]
    assert brp[0][1] == "'=HYPERLINK(\"http://example.invalid\",\"BRP\")"
    stockholm_2012 = next(row for row in brp if row[2] == 2012)
    assert stockholm_2012[3] == pytest.approx(777.735791)  # a number, not text
    assert not any(isinstance(v, str) and v[:1] in "=+-@" for row in sheet.iter_rows(values_only=True) for v in row)
    assert book.worksheets[1].title == "Egna nyckeltal"


def test_pdf_export(world, synced):
    response = client_for(world.board).get(reverse("benchmarks-pdf"), STOCKHOLM)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_own_groups_are_the_owners_only(world, synced):
    client = client_for(world.finance)
    response = client.post(reverse("benchmark-group-create"), {"name": "Grannar", "members": ["1280", "1480"]})
    assert response.status_code == 302
    group = CustomGroup.objects.get(name="Grannar")
    assert group.owner == world.finance and AuditEvent.objects.filter(event_type="benchmark_group.created").exists()
    html = _html(client, {**STOCKHOLM, "g": f"c:{group.pk}"})
    assert "Jämfört med Grannar" in html
    # Someone else's group is "not found", on the page, in exports and in the editor.
    other = client_for(world.controller)
    assert other.get(reverse("benchmarks"), {**STOCKHOLM, "g": f"c:{group.pk}"}).status_code == 404
    assert other.get(reverse("benchmark-group-edit", args=[group.pk])).status_code == 404
    assert other.post(reverse("benchmark-group-delete", args=[group.pk])).status_code == 404
    assert client.post(reverse("benchmark-group-delete", args=[group.pk])).status_code == 302
    assert not CustomGroup.objects.filter(pk=group.pk).exists()


def test_a_group_needs_known_municipalities(world, synced):
    response = client_for(world.controller).post(reverse("benchmark-group-create"), {"name": "", "members": ["1280"]})
    assert response.status_code == 400


def test_the_sync_button_runs_a_sync_in_the_background(world, kolada_client, settings):
    settings.TILLIT_MUNICIPALITY_CODE = "0180"
    client = client_for(world.controller)
    response = client.post(reverse("kolada-sync"), {"m": "0180"})
    sync = KoladaSync.objects.get()
    assert response.status_code == 302 and response.url == reverse("kolada-sync-detail", args=[sync.pk])
    # The worker ran it (jobs run at once in tests); its page hands over to the key indicators.
    assert sync.state == KoladaSync.State.DONE and sync.requested_by == world.controller
    followed = client.get(response.url, follow=True)
    assert "Kolada-siffrorna hämtades" in followed.content.decode()


def test_a_failed_sync_says_why_and_what_to_do(world, monkeypatch, settings):
    import httpx

    from tillit.benchmarks import services

    offline = KoladaMock()
    offline.script = [httpx.ConnectError("Name or service not known")] * 5
    client = offline.client()
    monkeypatch.setattr(services, "KoladaClient", lambda **kwargs: client)
    settings.TILLIT_MUNICIPALITY_CODE = "0180"
    response = client_for(world.admin).post(reverse("kolada-sync"), follow=True)
    html = response.content.decode()
    assert "Siffrorna kunde inte hämtas" in html
    assert "Kontrollera nätverksanslutningen" in html and "tillit kolada load DIR" in html


def test_without_any_kolada_data_the_page_says_what_to_do(world):
    html = _html(client_for(world.controller))
    assert "tillit kolada load DIR" in html
