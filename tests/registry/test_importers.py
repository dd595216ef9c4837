"""Registry delivery files through the pipeline: providers, areas (and zones), units, contracts."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.files import ORG_A, ORG_B, csv_bytes
from tillit.accounts.models import Organisation
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import delivery_load
from tillit.registry.models import Area, Contract, Provider, Unit, Zone

# Valid (Luhn) organisation numbers that the `world` fixture does not register.
ORG_NEW_NONPROFIT = "802002-4256"
ORG_NEW_MUNICIPAL = "212000-0142"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English; the user's language decides, and Swedish is the default."""
    with translation.override("en"):
        yield


def load(world, kind: str, content: bytes, name: str = "file.csv", **kw):
    return delivery_load(actor=world.controller, kind=kind, content=content, file_name=name, **kw).delivery


def issues(delivery: Delivery) -> list[tuple[int, str, str]]:
    return [(i.row, i.column, i.value) for i in delivery.issues.filter(severity="error")]


# --- providers ---------------------------------------------------------------------------------


def test_providers_with_swedish_headers_and_swedish_values(world) -> None:
    content = csv_bytes(
        ["Organisationsnummer", "Namn", "Regi", "Verksamhet", "IVO-tillstånd"],
        [
            [ORG_NEW_NONPROFIT.replace("-", ""), "Stiftelsen Äldrevården", "idéburen", "hemtjänst", "IVO 3.5.1-1/2020"],
            [ORG_NEW_MUNICIPAL, "Testby kommun, egen regi", "kommunal", "hemtjänst|särskilt boende", ""],
            [ORG_A, "Omsorg A AB", "privat", "hemtjänst", ""],  # exactly as registered
            [ORG_B, "Omsorg B i Testby AB", "Privat", "Särskilt boende | hemtjänst", ""],  # renamed
        ],
    )
    delivery = load(world, "providers", content, "utforare.csv")

    assert delivery.status == Delivery.Status.LOADED, delivery.message
    assert delivery.outcome == {"created": 2, "updated": 1, "unchanged": 1}
    assert (delivery.rows_read, delivery.rows_accepted, delivery.rows_rejected) == (4, 4, 0)
    nonprofit = Provider.objects.get(org_number=ORG_NEW_NONPROFIT)
    assert (nonprofit.name, nonprofit.regi, nonprofit.service_types, nonprofit.ivo_permit) == (
        "Stiftelsen Äldrevården", "nonprofit", ["home_care"], "IVO 3.5.1-1/2020",
    )
    assert nonprofit.organisation.kind == Organisation.Kind.PROVIDER
    municipal = Provider.objects.get(org_number=ORG_NEW_MUNICIPAL)
    assert (municipal.regi, municipal.service_types) == ("municipal", ["home_care", "nursing_home"])
    renamed = Provider.objects.get(org_number=ORG_B)
    assert renamed.name == "Omsorg B i Testby AB"
    assert renamed.organisation.name == "Omsorg B i Testby AB"  # the users' organisation follows


def test_provider_rows_with_bad_values_are_reported_by_row_and_column(world) -> None:
    content = csv_bytes(
        ["org_number", "name", "regi", "service_types"],
        [
            ["556036-0794", "Fel kontrollsiffra AB", "private", "home_care"],  # Luhn digit off by one
            [ORG_NEW_NONPROFIT, "Okänd regi", "aktiebolag", "home_care"],
            [ORG_NEW_NONPROFIT, "Okänd verksamhet", "private", "hemtjänst|hemsjukvård"],
            [ORG_NEW_MUNICIPAL, "Kommunen", "municipal", "home_care"],
            [ORG_NEW_MUNICIPAL.replace("-", ""), "Kommunen igen", "municipal", "home_care"],
            ["", "Utan nummer", "private", "home_care"],
        ],
        delimiter=",",
    )
    delivery = load(world, "providers", content)

    assert delivery.status == Delivery.Status.PENDING
    assert issues(delivery) == [
        (2, "org_number", "556036-0794"),
        (3, "regi", "aktiebolag"),
        (4, "service_types", "hemtjänst|hemsjukvård"),
        (6, "org_number", ORG_NEW_MUNICIPAL),
        (7, "org_number", ""),
    ]
    assert "Repeats row 5" in delivery.issues.get(row=6).reason
    assert "aktiebolag" in delivery.issues.get(row=3).reason
    assert not Provider.objects.filter(org_number=ORG_NEW_MUNICIPAL).exists()  # nothing written yet


# --- areas and zones ------------------------------------------------------------------------------


def test_areas_create_their_zones_once_and_redelivery_updates_the_zone(world) -> None:
    first = load(
        world, "areas",
        csv_bytes(["kod", "namn", "zon"], [["centrum", "Testby centrum", "tatort"], ["norr", "Norra Testby", "tatort"],
                                           ["skog", "Skogsbygden", "landsbygd"], ["hamn", "Hamnen", ""]]),
        "omraden.csv",
    )
    assert first.status == Delivery.Status.LOADED
    assert first.outcome == {"created": 4, "updated": 0, "unchanged": 0}
    assert sorted(Zone.objects.values_list("code", flat=True)) == ["landsbygd", "tatort"]
    assert Area.objects.get(code="norr").zone.code == "tatort"
    assert Area.objects.get(code="hamn").zone is None

    second = load(
        world, "areas",
        csv_bytes(["code", "name", "zone"], [["norr", "Norra Testby", "landsbygd"], ["centrum", "Testby centrum", "tatort"]]),
        "areas-2.csv",
    )
    assert second.outcome == {"created": 0, "updated": 1, "unchanged": 1}
    assert Area.objects.get(code="norr").zone.code == "landsbygd"
    assert Zone.objects.count() == 2


# --- units ------------------------------------------------------------------------------------------


def test_units_are_tied_to_their_provider_and_area(world) -> None:
    load(world, "areas", csv_bytes(["code", "name"], [["centrum", "Centrum"]]))
    content = csv_bytes(
        ["utförare orgnr", "enhetskod", "namn", "verksamhet", "område"],
        [
            [ORG_A, "HT-1", "Hemtjänst A centrum", "hemtjänst", "centrum"],
            [ORG_B, "SÄBO-1", "Solgården", "särskilt boende", ""],
            [ORG_B, "HT-1", "Hemtjänst B", "home_care", "centrum"],  # the same code at another provider
        ],
    )
    delivery = load(world, "units", content, "enheter.csv")

    assert delivery.status == Delivery.Status.LOADED
    assert delivery.outcome == {"created": 3, "updated": 0, "unchanged": 0}
    unit = Unit.objects.get(provider=world.provider_a, code="HT-1")
    assert (unit.name, unit.service_type, unit.area.code) == ("Hemtjänst A centrum", "home_care", "centrum")
    assert Unit.objects.get(provider=world.provider_b, code="SÄBO-1").service_type == "nursing_home"


def test_unit_rows_for_unknown_providers_areas_and_service_types_are_rejected(world) -> None:
    content = csv_bytes(
        ["provider_org_number", "code", "name", "service_type", "area"],
        [
            [ORG_NEW_NONPROFIT, "X-1", "Okänd utförare", "home_care", ""],
            [ORG_A, "A-1", "Okänt område", "home_care", "månen"],
            [ORG_A, "A-2", "A har inget särskilt boende", "nursing_home", ""],
            [ORG_A, "A-3", "Giltig", "home_care", ""],
            [ORG_A, "A-3", "Samma kod igen", "home_care", ""],
        ],
    )
    delivery = load(world, "units", content)

    assert delivery.status == Delivery.Status.PENDING
    assert issues(delivery)[:3] == [
        (2, "provider_org_number", ORG_NEW_NONPROFIT),
        (3, "area", "månen"),
        (4, "service_type", "nursing_home"),
    ]
    duplicate = delivery.issues.get(row=6)
    assert (duplicate.column, "A-3" in duplicate.value) == ("code", True)
    assert "Repeats row 5" in duplicate.reason
    assert len(issues(delivery)) == 4
    assert Unit.objects.count() == 0


# --- contracts ---------------------------------------------------------------------------------------


CONTRACT_HEADER = ["utförare orgnr", "referens", "avtalsform", "verksamhet", "startdatum", "slutdatum",
                   "senaste slutdatum", "förlängning", "uppsägningstid"]


def test_contracts_load_with_swedish_headers_and_update_on_redelivery(world) -> None:
    rows = [
        [ORG_A, "LOV-HT-2020-01", "LOV", "hemtjänst", "2020-04-01", "", "", "", "3"],
        [ORG_B, "LOU-SÄBO-2021", "lou", "särskilt boende", "2021-01-01", "2024-12-31", "2026-12-31", "2 x 1 år", "6"],
    ]
    first = load(world, "contracts", csv_bytes(CONTRACT_HEADER, rows), "avtal.csv")
    assert first.status == Delivery.Status.LOADED, list(first.issues.values_list("reason", flat=True))
    assert first.outcome == {"created": 2, "updated": 0, "unchanged": 0}
    lou = Contract.objects.get(reference="LOU-SÄBO-2021")
    assert (lou.provider, lou.kind, lou.service_types) == (world.provider_b, "lou", ["nursing_home"])
    assert (lou.end_date, lou.latest_end_date, lou.notice_months) == (
        datetime.date(2024, 12, 31), datetime.date(2026, 12, 31), 6,
    )
    assert Contract.objects.get(reference="LOV-HT-2020-01").end_date is None

    rows[0][5] = "2025-03-31"  # the LOV contract now ends
    second = load(world, "contracts", csv_bytes(CONTRACT_HEADER, rows), "avtal-2.csv")
    assert second.outcome == {"created": 0, "updated": 1, "unchanged": 1}
    assert Contract.objects.get(reference="LOV-HT-2020-01").end_date == datetime.date(2025, 3, 31)


def test_contract_rows_that_contradict_themselves_are_rejected_as_rows(world) -> None:
    rows = [
        [ORG_A, "C-1", "lov", "home_care", "2024-01-01", "2023-12-31", "", "", ""],  # ends before it starts
        [ORG_A, "C-2", "lov", "nursing_home", "2024-01-01", "", "", "", ""],  # A has no nursing home
        [ORG_A, "C-3", "hyresavtal", "home_care", "2024-01-01", "", "", "", ""],
        [ORG_A, "C-4", "lov", "home_care", "2024-01-01", "2025-12-31", "2025-06-30", "", ""],  # latest < end
        [ORG_A, "C-5", "lov", "home_care", "2024-01-01", "", "2027-12-31", "", ""],  # latest without end
        [ORG_A, "C-6", "lov", "home_care", "2024-01-01", "", "", "", ""],  # valid
    ]
    delivery = load(world, "contracts", csv_bytes(CONTRACT_HEADER, rows), accept_valid=True)

    assert delivery.status == Delivery.Status.LOADED
    assert [(row, column) for row, column, _value in issues(delivery)] == [
        (2, "end_date"), (3, "service_types"), (4, "kind"), (5, "latest_end_date"), (6, "latest_end_date"),
    ]
    assert list(Contract.objects.values_list("reference", flat=True)) == ["C-6"]
