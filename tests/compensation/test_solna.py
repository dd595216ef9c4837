"""Solna 2024 (docs/compensation-models/solna-2024.toml, from the real rules), with a made-up
indexation on 15 April (omvårdnad 480, service 395) to split the month; computed by hand.

April 2024, provider A (private); omvårdnad MORG, service STAD (Solna pays STAD 96 minutes):
  r1  a new customer: first decision 3 Apr        → 4 h × 464 (version of 1 Mar)      = 1 856.00
      10 Apr 08:00–08:30 MORG: 30 min             → 0.5 h × 464                        =   232.00
      16 Apr 08:00–08:45 MORG: 45 min, indexed    → 0.75 h × 480                       =   360.00
  r2  8 Apr cleaning 10:00–11:10 (70 min real)    → schablon 96 min: 1.6 h × 382      =   611.20
      22 Apr cleaning declined                    → 75 % × 1.6 h × 395                 =   474.00
      23 Apr MORG 08:00–08:30 declined            → 50 % × 0.5 h × 480                 =   120.00
  r3  in hospital from 5 Apr, back 12 Apr; granted MORG 2 × 15 min a day (30 min/day):
      day 1 (5 Apr)                               → 75 % × 0.5 h × 464                 =   174.00
      days 2–5 (6–9 Apr)                          → 25 % × 2 h × 464                   =   232.00
      days 6–7 pay nothing
  Total                                                                                = 4 059.20
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tests.engine.builders import decision, deliver_decisions, deliver_events, deliver_visits, event
from tests.ledger.helpers import visit
from tillit.common.periods import Month
from tillit.compensation.files import ModelDocument, VersionDocument, read_model, write_model
from tillit.compensation.services import compensation_model_import
from tillit.compensation.statements import statement_run
from tillit.registry.services import contract_create

SOLNA = Path(settings.BASE_DIR) / "docs" / "compensation-models" / "solna-2024.toml"


def _indexed(document: ModelDocument) -> ModelDocument:
    march = document.versions[0]
    raised = {"omvardnad": Decimal("480"), "service": Decimal("395")}
    hourly = tuple(dataclasses.replace(rate, rate=raised.get(rate.category, rate.rate)) for rate in march.rules.hourly)
    april = VersionDocument(datetime.date(2024, 4, 15), dataclasses.replace(march.rules, hourly=hourly))
    return dataclasses.replace(document, versions=(march, april))


@pytest.fixture
def solna(ledger):
    contract = contract_create(actor=None, provider=ledger.provider_a, reference="LOV-HT-SOLNA", kind="lov",
                               service_types=["home_care"], start_date=datetime.date(2024, 1, 1))
    text = write_model(_indexed(read_model(SOLNA.read_text(encoding="utf-8"), SOLNA.name)))
    compensation_model_import(actor=None, text=text, file_name="solna-indexed.toml", contract=contract)
    deliver_decisions(ledger, [
        decision("B1", "P:r1", "2024-04-03", minutes="15"),
        decision("B3", "P:r3", "2024-01-01", minutes="15", frequency="2"),
    ])
    deliver_events(ledger, [
        event("absence_started", "P:r3", "2024-04-05", "F1"),
        event("absence_ended", "P:r3", "2024-04-12", "F1"),
    ])
    deliver_visits(ledger, [
        visit("v1", "2024-04-10 08:00", "2024-04-10 08:30"),
        visit("v2", "2024-04-16 08:00", "2024-04-16 08:45"),
        visit("v3", "2024-04-08 10:00", "2024-04-08 11:10", recipient_id="P:r2", intervention_codes="STAD"),
        visit("v4", "2024-04-22 10:00", "2024-04-22 11:30", recipient_id="P:r2", intervention_codes="STAD",
              status="avböjd", staff_id="", registered_start="", registered_end=""),
        visit("v5", "2024-04-23 08:00", "2024-04-23 08:30", recipient_id="P:r2",
              status="avböjd", staff_id="", registered_start="", registered_end=""),
    ])
    return ledger


def test_solna_april_2024_by_hand(solna):
    outcome, = statement_run(actor=None, month=Month(2024, 4))
    names = {pk: raw for raw, pk in solna.recipients.items()}
    lines = sorted((names[l.recipient_id], l.component, str(l.version_from), l.intervention, str(l.quantity),
                    str(l.rate), None if l.percent is None else str(l.percent), str(l.amount))
                   for l in outcome.statement.lines.all())
    assert lines == sorted([
        ("P:r1", "new_customer", "2024-03-01", "", "4.0000", "464.00", None, "1856.00"),
        ("P:r1", "time", "2024-03-01", "", "0.5000", "464.00", None, "232.00"),
        ("P:r1", "time", "2024-04-15", "", "0.7500", "480.00", None, "360.00"),
        ("P:r2", "schablon", "2024-03-01", "STAD", "1.6000", "382.00", None, "611.20"),
        ("P:r2", "declined", "2024-04-15", "STAD", "1.6000", "395.00", "75.00", "474.00"),
        ("P:r2", "declined", "2024-04-15", "", "0.5000", "480.00", "50.00", "120.00"),
        ("P:r3", "absence", "2024-03-01", "", "0.5000", "464.00", "75.00", "174.00"),
        ("P:r3", "absence", "2024-03-01", "", "2.0000", "464.00", "25.00", "232.00"),
    ])
    assert outcome.statement.total == Decimal("4059.20")
