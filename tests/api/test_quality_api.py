"""The quality API: a month's figures and verdicts; a provider's token sees only its own."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from tests.engine.test_deadlines import march  # noqa: F401 (fixture)
from tests.ledger.conftest import _english, ledger  # noqa: F401 (fixtures)
from tillit.accounts.tokens import token_create
from tillit.common.periods import Month
from tillit.quality.services import indicator_run, quality_declaration_standard
from tillit.registry.services import contract_create


@pytest.fixture
def measured(march):
    contract = contract_create(actor=None, provider=march.provider_a, reference="LOV-1", kind="lov",
                               service_types=["home_care"], start_date=datetime.date(2023, 1, 1))
    quality_declaration_standard(actor=None, contract=contract)
    indicator_run(actor=None, month=Month(2024, 3), as_of=datetime.date(2024, 12, 1))
    return march


def _get(user, path: str):
    token = token_create(actor=None, user=user, name="system")[1]
    return Client().get(f"/api/v1/quality/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_controller_reads_every_providers_figures(measured):
    response = _get(measured.world.controller, "indicators?month=2024-03")
    assert response.status_code == 200
    welcome = next(r for r in response.json() if r["indicator"] == "welcome_call")
    assert (welcome["org_number"], welcome["value"], welcome["numerator"], welcome["denominator"]) == (
        "556036-0793", "66.67", "2.00", "3.00")
    verdicts = _get(measured.world.controller, "compliance?month=2024-03").json()
    assert {v["indicator"]: v["status"] for v in verdicts}["complaint"] == "not_met"


def test_provider_b_sees_nothing_of_provider_a(measured):
    assert _get(measured.world.user_b, "indicators?month=2024-03").json() == []
    assert _get(measured.world.user_b, "compliance?month=2024-03").json() == []
    own = _get(measured.world.user_a, "indicators?month=2024-03").json()
    assert own and {r["org_number"] for r in own} == {"556036-0793"}


def test_a_month_that_is_not_a_month_is_a_clear_error(measured):
    response = _get(measured.world.controller, "indicators?month=mars")
    assert response.status_code == 400
    assert "2024-03" in response.json()["message"]  # says how to write it (in the request's language)
