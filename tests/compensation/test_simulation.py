"""The simulator: the same month priced with several models, side by side (konsekvensanalys)."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from tests.compensation.test_stockholm import stockholm  # noqa: F401 (fixture)
from tillit.common.errors import ValidationFailed
from tillit.common.periods import Month
from tillit.compensation.models import CompensationModel, Simulation
from tillit.compensation.services import compensation_model_import
from tillit.compensation.simulation import from_data, simulate, simulation_save

FLAT = """
name = "Utförd tid, 400 kr"
[[versions]]
valid_from = 2024-01-01
basis = "performed"
[[versions.hourly]]
rate = "400"
"""


@pytest.fixture
def models(stockholm):
    flat, _changed = compensation_model_import(actor=None, text=FLAT, file_name="flat.toml")
    return CompensationModel.objects.get(contract__isnull=False), flat


def test_two_models_side_by_side(stockholm, models):
    """Stockholm pays 2 308.00 (tests/compensation/test_stockholm.py). The flat model pays every
    performed hour 400: r1 75 min, r2 120 min, r3 one real hour across the spring change →
    4.25 h = 1 700.00. Performed hours are the same under both (4.25); granted 0 (r4's alarm
    decision grants no time)."""
    current, flat = models
    result = simulate([Month(2024, 3)], [current, flat])
    cells = result[stockholm.provider_a.pk]
    assert cells[current.pk].amount == Decimal("2308.00") and cells[flat.pk].amount == Decimal("1700.00")
    assert cells[current.pk].performed_hours == cells[flat.pk].performed_hours == Decimal("4.25")
    assert cells[flat.pk].per_performed_hour == Decimal("400.00")
    assert cells[current.pk].per_performed_hour == Decimal("543.06")  # 2 308 / 4.25


def test_a_saved_simulation_keeps_its_figures(stockholm, models):
    current, flat = models
    saved = simulation_save(actor=None, name="Utförd tid mot dagens modell", first=Month(2024, 3), last=Month(2024, 3),
                            models=[current, flat])
    assert from_data(Simulation.objects.get(pk=saved.pk).results)[stockholm.provider_a.pk][flat.pk].amount == Decimal("1700.00")
    with pytest.raises(ValidationFailed):
        simulate([Month(2024, 3)], [flat])


def test_cli_prints_the_comparison(stockholm, models):
    current, flat = models
    out = StringIO()
    call_command("simulate", "2024-03", "--model", str(current.pk), "--model", str(flat.pk), stdout=out)
    text = out.getvalue()
    assert "Omsorg A AB" in text and "2 308,00" in text and "1 700,00" in text and "−608,00" in text


def test_the_simulator_page_compares_saves_and_exports(stockholm, models):
    from django.urls import reverse

    from tests.conftest import client_for

    current, flat = models
    world = stockholm.world
    query = f"?first=2024-03&model={current.pk}&model={flat.pk}"
    page = client_for(world.controller).get(reverse("simulation-page") + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Omsorg A AB" in html and "2\xa0308,00" in html and "1\xa0700,00" in html and "-26,3 %" in html
    response = client_for(world.finance).post(reverse("simulation-page"), {
        "name": "Utförd tid mot dagens", "first": "2024-03", "last": "2024-03", "model": [current.pk, flat.pk]})
    saved = Simulation.objects.get()
    assert response["Location"] == reverse("simulation-detail", args=[saved.pk])
    assert client_for(world.board).get(reverse("simulation-detail", args=[saved.pk])).status_code == 200
    pdf = client_for(world.board).get(reverse("simulation-detail", args=[saved.pk]) + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    for user in (world.user_a, world.user_b, world.case_officer):
        assert client_for(user).get(reverse("simulation-page") + query).status_code == 404
        assert client_for(user).get(reverse("simulation-detail", args=[saved.pk])).status_code == 404
    assert client_for(world.board).get(reverse("simulation-page")).status_code == 404  # reads, does not run
