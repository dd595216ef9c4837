"""The ledger's test world: a small catalogue, units and recipients on top of `world`.

Recipients are pseudonymous (`P:`) with birth dates, plus one of Skatteverket's test
personnummer for the tests that prove identity numbers never reach the Parquet files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from tests.files import csv_bytes, numbers_born
from tillit.care.models import Recipient
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import delivery_load
from tillit.registry.models import Unit

CATALOGUE_HEADER = ["code", "name", "category", "minutes", "kind", "valid_from", "valid_to"]
CATALOGUE = (
    ("MORG", "Morgonhjälp", "omvardnad", "15", "regular", "2020-01-01", ""),
    ("DUSCH", "Dusch", "omvardnad", "40", "", "2020-01-01", ""),
    ("KVALL", "Kvällshjälp", "omvardnad", "15", "", "2020-01-01", ""),
    ("STAD", "Städning", "service", "90", "", "2020-01-01", "2024-06-30"),  # gone from July 2024
    ("LARM", "Trygghetslarm", "other", "0", "trygghetslarm", "2020-01-01", ""),
)
UNIT_HEADER = ["provider_org_number", "code", "name", "service_type"]
# Unit codes with å/ä/ö: a Windows-1252 file must read them right.
UNIT_A = "HT-ÅSÄ"
UNIT_A2 = "HT-NORR"
UNIT_B = "HT-BÖK"
PSEUDONYMS = ("P:r1", "P:r2", "P:r3", "P:r4", "P:r5")


@dataclass
class Ledger:
    """What the visit files of the tests refer to."""

    world: object
    provider_a: object
    provider_b: object
    unit_a: Unit
    unit_a2: Unit
    unit_b: Unit
    recipients: dict[str, int]  # delivered id -> surrogate id (Recipient.pk)
    personnummer: str | None = None  # 12 digits, a Skatteverket test number, registered when asked


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English; the user's language decides, and Swedish is the default."""
    with translation.override("en"):
        yield


def _load(world, kind: str, content: bytes, name: str) -> Delivery:
    delivery = delivery_load(actor=world.controller, kind=kind, content=content, file_name=name).delivery
    assert delivery.status == Delivery.Status.LOADED, list(delivery.issues.values_list("row", "column", "reason"))
    return delivery


@pytest.fixture
def ledger(world) -> Ledger:
    """Catalogue, three units (two of A, one of B) and five pseudonymous recipients."""
    from tests.files import ORG_A, ORG_B

    _load(world, "interventions", csv_bytes(CATALOGUE_HEADER, CATALOGUE), "insatser.csv")
    _load(world, "units", csv_bytes(UNIT_HEADER, [
        [ORG_A, UNIT_A, "Åsäng hemtjänst", "home_care"],
        [ORG_A, UNIT_A2, "Norr hemtjänst", "home_care"],
        [ORG_B, UNIT_B, "Böketorp hemtjänst", "home_care"],
    ]), "enheter.csv")
    rows = [[raw, f"19{30 + index}-0{index + 1}-1{index}", "", "", ""] for index, raw in enumerate(PSEUDONYMS)]
    _load(world, "recipients", csv_bytes(["recipient_id", "birth_date", "name", "area", "alarm_customer"], rows),
          "brukare.csv")
    by_key = {r.key.canonical: r.pk for r in Recipient.objects.all()}
    return Ledger(
        world=world, provider_a=world.provider_a, provider_b=world.provider_b,
        unit_a=Unit.objects.get(code=UNIT_A), unit_a2=Unit.objects.get(code=UNIT_A2), unit_b=Unit.objects.get(code=UNIT_B),
        recipients={raw: by_key[raw] for raw in PSEUDONYMS},
    )


@pytest.fixture
def with_personnummer(ledger) -> Ledger:
    """The ledger world plus one recipient known by a Skatteverket test personnummer
    (registered through the recipients delivery, as in production)."""
    number = numbers_born("1938")[0]
    _load(ledger.world, "recipients",
          csv_bytes(["recipient_id", "birth_date", "name", "area", "alarm_customer"], [[number, "", "", "", ""]]),
          "brukare-pnr.csv")
    ledger.personnummer = number
    ledger.recipients[number] = next(r.pk for r in Recipient.objects.all() if r.key.canonical == number)
    return ledger
