"""Stockholm 2024 (private provider), computed by hand from the real rules in
../shared/data/hemtjanst/lov_hemtjanst_ersattning_transcribed.csv:

  07.00–22.00  516 kr per hour of performed time
  22.00–07.00  260 kr per visit (no hourly rate at night)
  safety-alarm customer  197 kr per month

March 2024, provider A (private):
  r1  Mon 4 Mar 06:50–07:20: starts at night → 1 night visit (260); 07:00–07:20 is day: 20 min
      Fri 8 Mar 19:00–19:45: day: 45 min                        → 65 min × 516 / 60 = 559.00
  r2  Good Friday 29 Mar 10:00–11:00 (a public holiday; Stockholm pays it as any day): 60 min
      Tue 5 Mar 10:00–10:30 double-staffed S1|S2: 30 min × 2 staff = 60 min → 120 min = 1 032.00
  r3  Sun 31 Mar 01:30–03:30, across the spring change (one real hour), at night → 1 visit = 260.00
  r4  a safety-alarm customer with a decision in March                          → 197.00
  Total 559.00 + 260.00 + 1 032.00 + 260.00 + 197.00 = 2 308.00
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tests.engine.builders import decision, deliver_decisions, deliver_visits
from tests.files import csv_bytes
from tests.ledger.conftest import _load
from tests.ledger.helpers import visit
from tillit.common.periods import Month
from tillit.compensation.models import Statement
from tillit.compensation.services import compensation_model_import
from tillit.compensation.statements import statement_run
from tillit.registry.services import contract_create

STOCKHOLM = """
name = "Stockholm hemtjänst 2024"

[[versions]]
valid_from = 2024-01-01
basis = "performed"
time_bands.day = { from = "07:00", to = "22:00" }
time_bands.night = { from = "22:00", to = "07:00" }

[[versions.hourly]]
band = "day"
regi = "private"
rate = "516"

[[versions.hourly]]
band = "day"
regi = "municipal"
rate = "485"

[[versions.per_visit]]
band = "night"
regi = "private"
amount = "260"

[[versions.per_visit]]
band = "night"
regi = "municipal"
amount = "245"

[[versions.per_month]]
alarm_customer = true
regi = "private"
amount = "197"

[[versions.per_month]]
alarm_customer = true
regi = "municipal"
amount = "185"
"""


@pytest.fixture
def stockholm(ledger):
    contract = contract_create(actor=None, provider=ledger.provider_a, reference="LOV-HT-STHLM", kind="lov",
                               service_types=["home_care"], start_date=datetime.date(2024, 1, 1))
    compensation_model_import(actor=None, text=STOCKHOLM, file_name="stockholm.toml", contract=contract)
    _load(ledger.world, "recipients", csv_bytes(["recipient_id", "birth_date", "alarm_customer"],
                                               [["P:r4", "1933-04-13", "ja"]]), "larm.csv")
    deliver_decisions(ledger, [decision("B4", "P:r4", "2024-02-01", code="LARM")])
    deliver_visits(ledger, [
        visit("v1", "2024-03-04 06:50", "2024-03-04 07:20"),
        visit("v2", "2024-03-08 19:00", "2024-03-08 19:45"),
        visit("v3", "2024-03-29 10:00", "2024-03-29 11:00", recipient_id="P:r2"),
        visit("v4", "2024-03-05 10:00", "2024-03-05 10:30", recipient_id="P:r2", staff_id="S1|S2", double_staffing="1"),
        visit("v5", "2024-03-31 01:30", "2024-03-31 03:30", recipient_id="P:r3", staff_id="S3"),
    ])
    return ledger


def _lines(statement, ledger):
    names = {pk: raw for raw, pk in ledger.recipients.items()}
    return sorted((names.get(l.recipient_id), l.component, l.band, str(l.quantity), str(l.rate), str(l.amount))
                  for l in statement.lines.all())


def test_stockholm_march_2024_by_hand(stockholm):
    outcome, = statement_run(actor=None, month=Month(2024, 3))
    statement = outcome.statement
    assert _lines(statement, stockholm) == sorted([
        ("P:r1", "time", "day", "1.0833", "516.00", "559.00"),
        ("P:r1", "per_visit", "night", "1.0000", "260.00", "260.00"),
        ("P:r2", "time", "day", "2.0000", "516.00", "1032.00"),
        ("P:r3", "per_visit", "night", "1.0000", "260.00", "260.00"),
        ("P:r4", "per_month", "", "1.0000", "197.00", "197.00"),
    ])
    assert statement.total == Decimal("2308.00")
    assert statement.total == sum(line.amount for line in statement.lines.all())


def test_a_municipal_provider_gets_its_own_rates(stockholm):
    from tillit.registry.services import provider_update

    provider_update(actor=None, provider=stockholm.provider_a, regi="municipal")
    outcome, = statement_run(actor=None, month=Month(2024, 3))
    # 65 min × 485 / 60 = 525.4166… → 525.42; 120 min = 970.00; two night visits 245; alarm 185
    assert outcome.statement.total == Decimal("525.42") + Decimal("970.00") + 2 * Decimal("245") + Decimal("185")


def test_the_same_run_twice_is_one_version_and_new_data_a_new_one(stockholm):
    first, = statement_run(actor=None, month=Month(2024, 3))
    again, = statement_run(actor=None, month=Month(2024, 3))
    assert (again.changed, again.statement.pk) == (False, first.statement.pk)
    deliver_visits(stockholm, [visit("v6", "2024-03-12 09:00", "2024-03-12 10:00", recipient_id="P:r5")])
    third, = statement_run(actor=None, month=Month(2024, 3))
    assert third.changed and third.statement.number == 2
    assert third.statement.total == Decimal("2308.00") + Decimal("516.00")
    assert Statement.objects.count() == 2


def test_each_line_says_what_produced_it(stockholm):
    """r1's day line comes from two visits; r2's from two (one double-staffed); the page says so."""
    from django.urls import reverse

    from tests.conftest import client_for

    outcome, = statement_run(actor=None, month=Month(2024, 3))
    time_lines = {l.recipient_id: l for l in outcome.statement.lines.filter(component="time")}
    assert time_lines[stockholm.recipients["P:r1"]].detail == {"visits": 2}
    assert time_lines[stockholm.recipients["P:r2"]].detail == {"visits": 2}
    page = client_for(stockholm.world.finance).get(reverse("statement-detail", args=[outcome.statement.pk]))
    assert "2 besök" in page.content.decode()
