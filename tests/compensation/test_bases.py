"""The other bases and rules, by hand: Jönköping 2016 (zones, meal deliveries), performed time
capped at 80 % of granted, granted time, and weekday / evening / weekend / night bands with a
public holiday and the spring change of clock."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tests.engine.builders import decision, deliver_decisions, deliver_visits
from tests.files import csv_bytes
from tests.ledger.conftest import CATALOGUE_HEADER, _load
from tests.ledger.helpers import visit
from tillit.common.periods import Month
from tillit.compensation.services import compensation_model_import
from tillit.compensation.statements import statement_run
from tillit.registry.services import contract_create

MODELS = Path(settings.BASE_DIR) / "docs" / "compensation-models"


def _contract(ledger, text: str, start: str = "2016-01-01"):
    contract = contract_create(actor=None, provider=ledger.provider_a, reference="LOV-1", kind="lov",
                               service_types=["home_care"], start_date=datetime.date.fromisoformat(start))
    compensation_model_import(actor=None, text=text, file_name="model.toml", contract=contract)


def _lines(ledger, month: str):
    outcome, = statement_run(actor=None, month=Month.parse(month))
    names = {pk: raw for raw, pk in ledger.recipients.items()}
    lines = sorted((names[l.recipient_id], l.component, l.band, l.intervention, str(l.quantity), str(l.rate),
                    str(l.amount)) for l in outcome.statement.lines.all())
    return lines, outcome.statement.total


def test_jonkoping_2016_pays_by_zone_and_meal_deliveries_per_delivery(ledger):
    """r1 lives in a tätort: 1 h × 414.80 + one meal delivery 50.25; r2 in landsbygd: 0.5 h × 506.70
    = 253.35 + one delivery 80.50. The delivery visits are paid per delivery, not by time."""
    _load(ledger.world, "interventions", csv_bytes(CATALOGUE_HEADER, [
        ("MAT", "Matdistribution", "service", "20", "matdistribution", "2010-01-01", "")]), "mat.csv")
    _load(ledger.world, "areas", csv_bytes(["code", "name", "zone"], [
        ["TAT", "Centrum", "tatort"], ["LAND", "Norra landsbygden", "landsbygd"]]), "omraden.csv")
    _load(ledger.world, "recipients", csv_bytes(["recipient_id", "birth_date", "area"], [
        ["P:r1", "1930-01-10", "TAT"], ["P:r2", "1931-02-11", "LAND"]]), "brukare-omraden.csv")
    _contract(ledger, (MODELS / "jonkoping-2016.toml").read_text(encoding="utf-8"))
    deliver_visits(ledger, [
        visit("j1", "2024-03-07 09:00", "2024-03-07 10:00"),
        visit("j2", "2024-03-07 12:00", "2024-03-07 12:05", intervention_codes="MAT"),
        visit("j3", "2024-03-08 09:00", "2024-03-08 09:30", recipient_id="P:r2"),
        visit("j4", "2024-03-08 12:00", "2024-03-08 12:05", recipient_id="P:r2", intervention_codes="MAT"),
    ])
    lines, total = _lines(ledger, "2024-03")  # the 2016 rules, still the version in force
    assert lines == sorted([
        ("P:r1", "time", "", "", "1.0000", "414.80", "414.80"),
        ("P:r1", "per_delivery", "", "MAT", "1.0000", "50.25", "50.25"),
        ("P:r2", "time", "", "", "0.5000", "506.70", "253.35"),
        ("P:r2", "per_delivery", "", "MAT", "1.0000", "80.50", "80.50"),
    ])
    assert total == Decimal("798.90")


CAPPED = """
name = "Utförd tid, högst 80 % av beviljad"
[[versions]]
valid_from = 2024-01-01
basis = "performed_capped"
cap_percent = 80
[[versions.hourly]]
rate = "400"
"""


def test_performed_time_capped_at_80_percent_of_granted(ledger):
    """Both granted 15 min a day: 465 min in March, cap 372 min. r1 performed 10 × 45 = 450 min →
    paid 372 min = 6.2 h × 400 = 2 480.00; r2 performed 5 × 30 = 150 min → 2.5 h = 1 000.00."""
    _contract(ledger, CAPPED, "2024-01-01")
    deliver_decisions(ledger, [decision("B1", "P:r1", "2024-01-01", minutes="15"),
                               decision("B2", "P:r2", "2024-01-01", minutes="15")])
    deliver_visits(ledger, [visit(f"c{n}", f"2024-03-{n:02d} 08:00", f"2024-03-{n:02d} 08:45") for n in range(1, 11)]
                   + [visit(f"d{n}", f"2024-03-{n:02d} 10:00", f"2024-03-{n:02d} 10:30", recipient_id="P:r2")
                      for n in range(1, 6)])
    lines, total = _lines(ledger, "2024-03")
    assert lines == [("P:r1", "time", "", "", "6.2000", "400.00", "2480.00"),
                     ("P:r2", "time", "", "", "2.5000", "400.00", "1000.00")]
    assert total == Decimal("3480.00")


GRANTED = CAPPED.replace('basis = "performed_capped"\ncap_percent = 80', 'basis = "granted"')


def test_granted_time_whatever_was_performed(ledger):
    """r1: 15 min a day × 31 = 465 min = 7.75 h × 400 = 3 100.00; r2: 15 min 3 times a week =
    3/7 × 15 × 31 = 199.2857… min = 3.3214 h → 1 328.571… → 1 328.57."""
    _contract(ledger, GRANTED, "2024-01-01")
    deliver_decisions(ledger, [decision("B1", "P:r1", "2024-01-01", minutes="15"),
                               decision("B2", "P:r2", "2024-01-01", minutes="15", frequency="3", period="week")])
    deliver_visits(ledger, [visit("g1", "2024-03-04 08:00", "2024-03-04 09:00")])
    lines, total = _lines(ledger, "2024-03")
    assert lines == [("P:r1", "time", "", "", "7.7500", "400.00", "3100.00"),
                     ("P:r2", "time", "", "", "3.3214", "400.00", "1328.57")]
    assert total == Decimal("4428.57")


BANDS = """
name = "Dag, kväll, helg och natt"
[[versions]]
valid_from = 2024-01-01
basis = "performed"
time_bands.day = { from = "07:00", to = "18:00", days = ["mon", "tue", "wed", "thu", "fri"] }
time_bands.evening = { from = "18:00", to = "22:00", days = ["mon", "tue", "wed", "thu"] }
time_bands.friday_evening = { from = "18:00", to = "22:00", days = ["fri"] }
time_bands.weekend = { from = "07:00", to = "22:00", days = ["sat", "sun"] }
time_bands.night = { from = "22:00", to = "07:00" }
[[versions.hourly]]
band = "day"
rate = "258"
[[versions.hourly]]
band = "evening"
rate = "284"
[[versions.hourly]]
band = "friday_evening"
rate = "344"
[[versions.hourly]]
band = "weekend"
rate = "344"
[[versions.hourly]]
band = "night"
rate = "400"
"""


def test_bands_holidays_and_the_spring_change(ledger):
    """Thu 28 Mar 17:30–18:30: 0.5 h day (129.00) + 0.5 h evening (142.00); Fri 8 Mar 19:00–20:00:
    Friday evening (344.00); Good Friday 29 Mar 10:00–11:00 is a holiday, so weekend (344.00);
    Sun 31 Mar 01:30–03:30 is one real hour at night (400.00)."""
    _contract(ledger, BANDS, "2024-01-01")
    deliver_visits(ledger, [
        visit("b1", "2024-03-28 17:30", "2024-03-28 18:30"),
        visit("b2", "2024-03-08 19:00", "2024-03-08 20:00"),
        visit("b3", "2024-03-29 10:00", "2024-03-29 11:00"),
        visit("b4", "2024-03-31 01:30", "2024-03-31 03:30", staff_id="S2"),
    ])
    lines, total = _lines(ledger, "2024-03")
    assert lines == sorted([
        ("P:r1", "time", "day", "", "0.5000", "258.00", "129.00"),
        ("P:r1", "time", "evening", "", "0.5000", "284.00", "142.00"),
        ("P:r1", "time", "friday_evening", "", "1.0000", "344.00", "344.00"),
        ("P:r1", "time", "weekend", "", "1.0000", "344.00", "344.00"),
        ("P:r1", "time", "night", "", "1.0000", "400.00", "400.00"),
    ])
    assert total == Decimal("1359.00")
