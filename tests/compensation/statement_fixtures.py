"""A computed March 2024 for the statement pages, exports and command: provider A priced by the
Stockholm model (tests/compensation/test_stockholm.py, 2 308.00 kr in five lines), provider B
by the same model with nothing to pay (a statement of its own, for the 404 tests)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from tests.compensation.test_stockholm import STOCKHOLM, stockholm  # noqa: F401 (fixture)
from tillit.common.periods import Month
from tillit.compensation.models import Statement
from tillit.compensation.services import compensation_model_import
from tillit.compensation.statements import statement_run
from tillit.registry.services import contract_create

MARCH = Month(2024, 3)


@dataclass
class Computed:
    ledger: object
    world: object
    a: Statement
    b: Statement


@pytest.fixture
def computed(stockholm) -> Computed:  # noqa: F811 (the imported fixture)
    contract = contract_create(actor=None, provider=stockholm.provider_b, reference="LOV-HT-B", kind="lov",
                               service_types=["home_care"], start_date=datetime.date(2024, 1, 1))
    compensation_model_import(actor=None, text=STOCKHOLM, file_name="stockholm.toml", contract=contract)
    outcomes = {o.provider.pk: o.statement for o in statement_run(actor=None, month=MARCH)}
    return Computed(ledger=stockholm, world=stockholm.world, a=outcomes[stockholm.provider_a.pk],
                    b=outcomes[stockholm.provider_b.pk])
