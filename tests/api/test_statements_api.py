"""The statements API: a provider's system reads its own statements with every line; never another's."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from tests.compensation.test_stockholm import stockholm  # noqa: F401 (fixture)
from tests.ledger.conftest import _english, ledger  # noqa: F401 (fixtures)
from tillit.accounts.tokens import token_create
from tillit.common.periods import Month
from tillit.compensation.statements import statement_run


def _get(user, path: str):
    token = token_create(actor=None, user=user, name="ekonomisystem")[1]
    return Client().get(f"/api/v1/statements{path}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_provider_reads_its_statement_and_provider_b_nothing(stockholm):
    outcome, = statement_run(actor=None, month=Month(2024, 3))
    world = stockholm.world
    own = _get(world.user_a, "?month=2024-03")
    assert own.status_code == 200
    statement, = own.json()
    assert statement["total"] == "2308.00" and statement["org_number"] == "556036-0793"
    assert sum(Decimal(line["amount"]) for line in statement["lines"]) == Decimal("2308.00")
    assert _get(world.user_b, "?month=2024-03").json() == []
    assert _get(world.user_b, f"/{outcome.statement.pk}").status_code == 404
    assert _get(world.finance, f"/{outcome.statement.pk}").json()["version"] == 1
    assert _get(world.case_officer, "?month=2024-03").status_code == 404
