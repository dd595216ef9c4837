"""Care delivery files through the pipeline: the intervention catalogue, recipients (every form
of identity number, samordningsnummer, pseudonyms), decisions and care events."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from tests.files import (
    ORG_A,
    ORG_B,
    birth_date_of,
    csv_bytes,
    meta_cases,
    numbers_born,
    separated,
    short,
    wrong_check_digit,
    xlsx_bytes,
)
from tillit.care.models import CareEvent, Decision, DecisionIntervention, Intervention, Recipient
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import delivery_accept, delivery_load
from tillit.registry.models import Area


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English; the user's language decides, and Swedish is the default."""
    with translation.override("en"):
        yield


def load(world, kind: str, content: bytes, name: str = "file.csv", **kw) -> Delivery:
    return delivery_load(actor=world.controller, kind=kind, content=content, file_name=name, **kw).delivery


def errors(delivery: Delivery) -> list[tuple[int, str, str]]:
    return [(i.row, i.column, i.value) for i in delivery.issues.filter(severity="error")]


def assert_not_in_clear(texts: list[str], numbers: list[str]) -> None:
    """None of `texts` holds any of `numbers` in a form that identifies the person."""
    joined = "\n".join(texts)
    for number in numbers:
        for form in (number, separated(number), number[2:], short(number), short(number, "+")):
            assert form not in joined, f"{number[:8]}-**** appears in clear"


RECIPIENT_HEADER = ["recipient_id", "birth_date", "name", "area", "alarm_customer"]
CATALOGUE_HEADER = ["code", "name", "category", "minutes", "kind", "valid_from", "valid_to"]
CATALOGUE = (
    ("MORG", "Morgonhjälp", "omvardnad", "15", "regular", "2020-01-01", ""),
    ("DUSCH", "Dusch", "omvårdnad", "40", "", "2020-01-01", ""),
    ("STAD", "Städning", "service", "96", "", "2020-01-01", "2023-12-31"),
    ("STAD", "Städning", "service", "90", "", "2024-01-01", ""),
    ("LARM", "Trygghetslarm", "övrigt", "0", "trygghetslarm", "2020-01-01", ""),
)


def load_catalogue(world) -> None:
    delivery = load(world, "interventions", csv_bytes(CATALOGUE_HEADER, CATALOGUE), "insatser.csv")
    assert delivery.status == Delivery.Status.LOADED


def register(world, *ids: str) -> list[Recipient]:
    """Register recipients by personnummer (or P:id, born 1940-01-01) through a delivery."""
    rows = [[raw, "1940-01-01" if raw.startswith("P:") else "", "", "", ""] for raw in ids]
    delivery = load(world, "recipients", csv_bytes(RECIPIENT_HEADER, rows), "brukare-register.csv")
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    return list(Recipient.objects.all())


def recipient(number: str) -> Recipient:
    return next(r for r in Recipient.objects.all() if r.key.canonical == number)


# --- the intervention catalogue --------------------------------------------------------------------


def test_catalogue_loads_versions_swedish_words_and_decimal_comma(world) -> None:
    rows = [list(row) for row in CATALOGUE] + [["KVÄLL", "Kvällshjälp", "Omvårdnad", "17,5", "vanlig", "2024-01-01", ""]]
    header = ["Insatskod", "Namn", "Kategori", "Minuter", "Typ", "Giltig från", "Giltig till"]
    delivery = load(world, "interventions", csv_bytes(header, rows), "insatskatalog.csv")

    assert delivery.outcome == {"created": 6, "updated": 0, "unchanged": 0}
    stad = list(Intervention.objects.filter(code="STAD").order_by("valid_from"))
    assert [(s.standard_minutes, s.valid_to) for s in stad] == [
        (Decimal("96"), datetime.date(2023, 12, 31)), (Decimal("90"), None),
    ]
    larm = Intervention.objects.get(code="LARM")
    assert (larm.category, larm.kind) == ("other", "safety_alarm")
    evening = Intervention.objects.get(code="KVÄLL")
    assert (evening.category, evening.kind, evening.standard_minutes) == ("omvardnad", "regular", Decimal("17.5"))

    rows[0][3] = "20"  # the morning help's schablon changes
    again = load(world, "interventions", csv_bytes(header, rows), "insatskatalog-2.csv")
    assert again.outcome == {"created": 0, "updated": 1, "unchanged": 5}
    assert Intervention.objects.get(code="MORG").standard_minutes == 20


def test_catalogue_rows_that_cannot_be_right_are_rejected(world) -> None:
    rows = [
        ["A", "Negativ", "service", "-5", "", "2024-01-01", ""],
        ["B", "Baklänges", "service", "10", "", "2024-01-01", "2023-01-01"],
        ["C", "Okänd kategori", "hälsa", "10", "", "2024-01-01", ""],
        ["D", "Saknar minuter", "service", "", "", "2024-01-01", ""],
        ["E", "Giltig", "service", "10", "", "2024-01-01", ""],
    ]
    delivery = load(world, "interventions", csv_bytes(CATALOGUE_HEADER, rows))
    assert delivery.status == Delivery.Status.PENDING
    assert errors(delivery) == [(2, "minutes", "-5"), (3, "valid_to", "2023-01-01"), (4, "category", "hälsa"), (5, "minutes", "")]
    assert Intervention.objects.count() == 0


# --- recipients ----------------------------------------------------------------------------------


def test_recipients_in_every_form_of_skatteverkets_numbers_and_pseudonyms(world) -> None:
    long_plain, long_dash, short_dash = numbers_born("1945", 3)
    centenarian = numbers_born("1920")[0]  # 100 or older: Skatteverket writes YYMMDD+NNNN
    coordination = [c for c in meta_cases() if c["type"] == "con" and c["valid"]]
    assert coordination
    rows = [
        [long_plain, "", "Astrid Testsson", "", "ja"],
        [separated(long_dash), "", "", "", "nej"],
        [short(short_dash), birth_date_of(short_dash).isoformat(), "", "", "1"],
        [short(centenarian, "+"), "", "", "", ""],
        *[[case["separated_format"], "", "", "", "x"] for case in coordination],
        ["P:abc-123", "1938-05-17", "Pseudonym Person", "", "0"],
    ]
    delivery = load(world, "recipients", csv_bytes(RECIPIENT_HEADER, rows), "brukare.csv")

    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    assert delivery.outcome == {"created": 5 + len(coordination), "updated": 0, "unchanged": 0}
    for number in (long_plain, long_dash, short_dash, centenarian):
        person = recipient(number)  # key.canonical round-trips to the 12 digits
        assert person.id_kind == Recipient.IdKind.PERSONNUMMER
        assert person.birth_date == birth_date_of(number)
        assert person.key.masked == f"{number[:8]}-****" == str(person)
    assert recipient(centenarian).birth_date.year == 1920
    assert recipient(long_plain).name == "Astrid Testsson"
    assert (recipient(long_plain).alarm_customer, recipient(long_dash).alarm_customer) == (True, False)
    for case in coordination:
        person = recipient(case["long_format"])
        assert person.id_kind == Recipient.IdKind.COORDINATION
        assert person.birth_date == birth_date_of(case["long_format"])
        assert person.key.masked == f"{case['long_format'][:8]}-****"
    pseudonym = recipient("P:abc-123")
    assert (pseudonym.id_kind, pseudonym.birth_date) == (Recipient.IdKind.PSEUDONYM, datetime.date(1938, 5, 17))


def test_identity_numbers_and_names_are_stored_nowhere_in_clear(world) -> None:
    numbers = numbers_born("1945", 2) + numbers_born("1920")
    rows = [[number, "", f"Namn{index} Testsson", "", ""] for index, number in enumerate(numbers)]
    load(world, "recipients", csv_bytes(RECIPIENT_HEADER, rows), "brukare.csv")

    stored = Recipient.objects.all()
    assert stored.count() == 3
    for person in stored:
        assert person.key.canonical in numbers
        assert person.key.canonical not in person.id_encrypted + person.id_hash
        assert person.key.canonical[-4:] not in person.id_hash  # a keyed hash, not a masked copy
    # Every row of every table: the numbers and names appear nowhere in clear.
    everything = [str(row) for model in apps.get_models() for row in model.objects.values()]
    assert_not_in_clear(everything, numbers)
    assert not any("Testsson" in text for text in everything)


def test_the_same_recipients_in_other_forms_and_order_are_unchanged(world) -> None:
    numbers = numbers_born("1945", 3)
    first = load(world, "recipients", csv_bytes(RECIPIENT_HEADER, [[n, "", "", "", "1"] for n in numbers]), "a.csv")
    assert first.outcome["created"] == 3
    reordered = [[short(n), "", "", "", "ja"] for n in reversed(numbers)]
    second = load(world, "recipients", csv_bytes(["larmkund", "personnummer"], [[r[4], r[0]] for r in reordered]), "b.csv")
    assert second.status == Delivery.Status.LOADED
    assert second.outcome == {"created": 0, "updated": 0, "unchanged": 3}
    assert Recipient.objects.count() == 3


def test_a_file_without_the_optional_columns_keeps_what_was_stored(world) -> None:
    number = numbers_born("1945")[0]
    load(world, "areas", csv_bytes(["code", "name"], [["centrum", "Centrum"]]))
    load(world, "recipients", csv_bytes(RECIPIENT_HEADER, [[number, "", "Astrid Testsson", "centrum", "ja"]]), "full.csv")

    again = load(world, "recipients", csv_bytes(["personnummer"], [[number]]), "bara-nummer.csv")

    person = recipient(number)
    assert (person.name, person.area_id, person.alarm_customer) == ("Astrid Testsson", Area.objects.get().pk, True)
    assert again.outcome == {"created": 0, "updated": 0, "unchanged": 1}


def test_invalid_and_duplicate_recipient_ids_are_rejected_and_shown_masked(world) -> None:
    good, other = numbers_born("1945", 2)
    bad_luhn = wrong_check_digit(numbers_born("1950")[0])
    invalid_meta = [c for c in meta_cases() if not c["valid"] and c["long_format"].isdigit()]
    assert any(c["type"] == "con" for c in invalid_meta)
    rows = [
        [good, "", "", "", ""],
        [separated(good), "", "", "", ""],  # the same person again, another form
        [separated(bad_luhn), "", "", "", ""],
        *[[case["separated_long"], "", "", "", ""] for case in invalid_meta],
        ["P:utan-fodelsedatum", "", "", "", ""],
        [other, "1901-01-01", "", "", ""],  # the birth date does not match the number
        ["P:ok", "1940-02-30", "", "", ""],
    ]
    delivery = load(world, "recipients", csv_bytes(RECIPIENT_HEADER, rows), "brukare.csv")

    assert delivery.status == Delivery.Status.PENDING
    found = errors(delivery)
    n_meta = len(invalid_meta)
    assert [(row, column) for row, column, _value in found] == [
        (3, "recipient_id"), (4, "recipient_id"),
        *[(5 + i, "recipient_id") for i in range(n_meta)],
        (5 + n_meta, "recipient_id"), (6 + n_meta, "recipient_id"), (7 + n_meta, "birth_date"),
    ]
    duplicate = delivery.issues.get(row=3)
    assert duplicate.value == f"{good[:8]}-****"
    assert "Repeats row 2" in duplicate.reason
    assert delivery.issues.get(row=6 + n_meta).value.endswith("****")
    texts = [f"{i.value} {i.reason}" for i in delivery.issues.all()]
    assert_not_in_clear(texts, [good, other, bad_luhn, *[c["long_format"] for c in invalid_meta]])
    assert Recipient.objects.count() == 0


def test_a_recipient_in_an_unknown_area_is_rejected(world) -> None:
    number = numbers_born("1945")[0]
    delivery = load(world, "recipients", csv_bytes(RECIPIENT_HEADER, [[number, "", "", "ingenstans", ""]]))
    assert errors(delivery) == [(2, "area", "ingenstans")]


# --- decisions --------------------------------------------------------------------------------------

DECISION_HEADER = ["decision_id", "recipient_id", "provider_org_number", "start_date", "end_date",
                   "intervention_code", "category", "frequency", "period", "minutes", "double_staffing"]


@pytest.fixture
def catalogue_and_people(world) -> list[str]:
    """The catalogue and three registered recipients (Skatteverket test numbers)."""
    load_catalogue(world)
    numbers = numbers_born("1945", 3)
    register(world, *numbers)
    return numbers


def test_several_rows_form_one_decision_with_catalogue_defaults(world, catalogue_and_people) -> None:
    person = catalogue_and_people[0]
    rows = [
        ["B-1", person, ORG_A, "2024-03-01", "", "MORG", "", "1", "dag", "", ""],
        ["B-1", short(person), ORG_A, "2024-03-01", "", "DUSCH", "omvårdnad", "1,5", "vecka", "45,5", "ja"],
        ["B-1", separated(person), ORG_A, "2024-03-01", "", "STAD", "", "2", "månad", "", "nej"],
        ["B-2", catalogue_and_people[1], ORG_B, "2023-06-01", "2024-05-31", "STAD", "", "1", "month", "", "x"],
    ]
    delivery = load(world, "decisions", csv_bytes(DECISION_HEADER, rows), "beslut.csv")

    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    assert delivery.outcome == {"created": 2, "updated": 0, "unchanged": 0}
    decision = Decision.objects.get(external_id="B-1")
    assert (decision.recipient, decision.provider) == (recipient(person), world.provider_a)
    assert (decision.start_date, decision.end_date) == (datetime.date(2024, 3, 1), None)
    lines = {line.intervention.code: line for line in decision.interventions.select_related("intervention")}
    assert sorted(lines) == ["DUSCH", "MORG", "STAD"]
    morning = lines["MORG"]
    assert (morning.category, morning.frequency, morning.period, morning.minutes, morning.double_staffing) == (
        "omvardnad", Decimal("1"), "day", Decimal("15"), False,
    )
    shower = lines["DUSCH"]
    assert (shower.frequency, shower.period, shower.minutes, shower.double_staffing) == (
        Decimal("1.5"), "week", Decimal("45.5"), True,
    )
    cleaning = lines["STAD"]
    assert (cleaning.category, cleaning.period, cleaning.minutes) == ("service", "month", Decimal("90"))
    assert cleaning.intervention.valid_from == datetime.date(2024, 1, 1)  # the version valid on the start date
    old = Decision.objects.get(external_id="B-2").interventions.get()
    assert (old.minutes, old.double_staffing) == (Decimal("96"), True)  # the 2020 version's schablon


def test_rows_of_one_decision_that_disagree_are_rejected(world, catalogue_and_people) -> None:
    first, second, _third = catalogue_and_people
    rows = [
        ["B-1", first, ORG_A, "2024-03-01", "", "MORG", "", "1", "day", "", ""],
        ["B-1", first, ORG_A, "2024-04-01", "", "DUSCH", "", "1", "week", "", ""],  # another start date
        ["B-1", first, ORG_B, "2024-03-01", "", "LARM", "", "1", "month", "", ""],  # another provider
        ["B-1", second, ORG_A, "2024-03-01", "", "STAD", "", "1", "month", "", ""],  # another person
        ["B-1", first, ORG_A, "2024-03-01", "", "MORG", "", "2", "day", "", ""],  # MORG again
    ]
    delivery = load(world, "decisions", csv_bytes(DECISION_HEADER, rows), "beslut.csv")

    assert delivery.status == Delivery.Status.PENDING
    assert errors(delivery)[:4] == [
        (2, "decision_id", "B-1"),  # the decision is held back whole
        (3, "start_date", "2024-04-01"),
        (4, "provider_org_number", ORG_B),  # as delivered, not a database id
        (5, "recipient_id", f"{second[:8]}-****"),
    ]
    duplicate = delivery.issues.get(row=6)
    assert (duplicate.column, "MORG" in duplicate.value) == ("intervention_code", True)
    assert "Differs from row 2" in delivery.issues.get(row=3).reason
    assert "Repeats row 2" in duplicate.reason
    assert len(errors(delivery)) == 5  # every row of B-1: none of it loads
    assert_not_in_clear([f"{i.value} {i.reason}" for i in delivery.issues.all()], [first, second])
    assert Decision.objects.count() == 0


def test_decision_rows_with_bad_references_and_values_are_rejected(world, catalogue_and_people) -> None:
    person = catalogue_and_people[0]
    stranger = numbers_born("1946")[0]  # a valid test number nobody registered
    rows = [
        ["B-1", person, ORG_A, "2023-02-29", "", "MORG", "", "1", "day", "", ""],  # no such day
        ["B-2", person, ORG_A, "2024-03-01", "", "FOTVÅRD", "", "1", "day", "", ""],  # not in the catalogue
        ["B-3", stranger, ORG_A, "2024-03-01", "", "MORG", "", "1", "day", "", ""],
        ["B-4", person, "802002-4256", "2024-03-01", "", "MORG", "", "1", "day", "", ""],  # unknown provider
        ["B-5", person, ORG_A, "2024-03-01", "2024-02-01", "MORG", "", "1", "day", "", ""],
        ["B-6", person, ORG_A, "2024-03-01", "", "MORG", "", "0", "day", "", ""],
        ["B-7", person, ORG_A, "2024-03-01", "", "MORG", "", "1", "fortnight", "", ""],
        ["B-8", person, ORG_A, "2024-03-01", "", "MORG", "", "1", "day", "-5", ""],
        ["B-9", person, ORG_A, "2024-03-01", "", "MORG", "", "1", "day", "", "kanske"],
        ["B-10", person, ORG_A, "2019-03-01", "", "MORG", "", "1", "day", "", ""],  # before the catalogue
        ["B-11", person, ORG_A, "2024-03-01", "", "MORG", "", "1", "day", "", ""],  # valid
    ]
    delivery = load(world, "decisions", csv_bytes(DECISION_HEADER, rows), "beslut.csv")

    assert delivery.status == Delivery.Status.PENDING
    assert errors(delivery) == [
        (2, "start_date", "2023-02-29"),
        (3, "intervention_code", "FOTVÅRD"),
        (4, "recipient_id", f"{stranger[:8]}-****"),
        (5, "provider_org_number", "802002-4256"),
        (6, "end_date", "2024-02-01"),
        (7, "frequency", "0"),
        (8, "period", "fortnight"),
        (9, "minutes", "-5"),
        (10, "double_staffing", "kanske"),
        (11, "intervention_code", "MORG"),
    ]
    assert "does not exist" in delivery.issues.get(row=2).reason
    assert "not registered" in delivery.issues.get(row=4).reason
    assert Decision.objects.count() == 0


def test_unknown_recipients_are_created_from_decisions_when_allowed_but_never_pseudonyms(
    world, settings
) -> None:
    settings.TILLIT_CREATE_UNKNOWN_RECIPIENTS = True
    load_catalogue(world)
    stranger = numbers_born("1946")[0]
    rows = [
        ["B-1", short(stranger), ORG_A, "2024-03-01", "", "MORG", "", "1", "day", "", ""],
        ["B-1", stranger, ORG_A, "2024-03-01", "", "DUSCH", "", "1", "week", "", ""],
        ["B-2", "P:okand", ORG_A, "2024-03-01", "", "MORG", "", "1", "day", "", ""],
    ]
    delivery = load(world, "decisions", csv_bytes(DECISION_HEADER, rows), accept_valid=True)

    assert errors(delivery) == [(4, "recipient_id", "P:okand")]
    created = Recipient.objects.get()
    assert (created.key.canonical, created.id_kind, created.birth_date) == (
        stranger, Recipient.IdKind.PERSONNUMMER, birth_date_of(stranger),
    )
    assert Decision.objects.get().recipient == created
    assert DecisionIntervention.objects.count() == 2


def test_unknown_recipients_are_rejected_by_default(world, catalogue_and_people) -> None:
    stranger = numbers_born("1946")[0]
    rows = [["B-1", stranger, ORG_A, "2024-03-01", "", "MORG", "", "1", "day", "", ""]]
    delivery = load(world, "decisions", csv_bytes(DECISION_HEADER, rows), accept_valid=True)
    assert errors(delivery) == [(2, "recipient_id", f"{stranger[:8]}-****")]
    assert Recipient.objects.count() == 3


def test_a_redelivered_decision_replaces_its_interventions(world, catalogue_and_people) -> None:
    person = catalogue_and_people[0]
    rows = [
        ["B-1", person, ORG_A, "2024-03-01", "", "MORG", "", "1", "day", "", ""],
        ["B-1", person, ORG_A, "2024-03-01", "", "DUSCH", "", "2", "week", "", ""],
        ["B-2", person, ORG_B, "2024-03-01", "", "STAD", "", "2", "month", "", ""],
    ]
    load(world, "decisions", csv_bytes(DECISION_HEADER, rows), "beslut-mars.csv")

    changed = [
        ["B-1", person, ORG_A, "2024-03-01", "", "MORG", "", "2", "day", "", ""],  # twice a day now
        ["B-1", person, ORG_A, "2024-03-01", "", "LARM", "", "1", "month", "", ""],  # DUSCH dropped, LARM added
        ["B-2", person, ORG_B, "2024-03-01", "", "STAD", "", "2", "month", "", ""],  # as before
    ]
    delivery = load(world, "decisions", csv_bytes(DECISION_HEADER, changed), "beslut-april.csv")

    assert delivery.outcome == {"created": 0, "updated": 1, "unchanged": 1}
    decision = Decision.objects.get(external_id="B-1")
    assert {(line.intervention.code, line.frequency) for line in decision.interventions.all()} == {
        ("MORG", Decimal("2")), ("LARM", Decimal("1")),
    }
    assert decision.source_delivery == delivery
    assert DecisionIntervention.objects.count() == 3


def test_values_finer_than_stored_are_rounded_so_a_redelivery_is_unchanged(world, catalogue_and_people) -> None:
    person = catalogue_and_people[0]
    rows = [["B-1", person, ORG_A, "2024-03-01", "", "MORG", "", "0,33333", "dag", "12,345", ""]]
    first = load(world, "decisions", csv_bytes(DECISION_HEADER, rows), "beslut.csv")
    line = DecisionIntervention.objects.get()
    assert (line.frequency, line.minutes) == (Decimal("0.3333"), Decimal("12.35"))

    rows[0][9] = "12,3450"  # the same value, written differently: a new file, nothing changed
    second = load(world, "decisions", csv_bytes(DECISION_HEADER, rows), "beslut-2.csv")
    assert first.outcome["created"] == 1
    assert second.outcome == {"created": 0, "updated": 0, "unchanged": 1}
    assert DecisionIntervention.objects.get().pk == line.pk

    catalogue = csv_bytes(CATALOGUE_HEADER, [["KVÄLL", "Kvällshjälp", "omvardnad", "7,555", "", "2020-01-01", ""]])
    load(world, "interventions", catalogue, "katalog-1.csv")
    again = load(world, "interventions", catalogue.replace(b"7,555", b"7,5550"), "katalog-2.csv")
    assert again.outcome == {"created": 0, "updated": 0, "unchanged": 1}
    assert Intervention.objects.get(code="KVÄLL").standard_minutes == Decimal("7.56")


def test_values_too_large_for_the_register_are_rejected_as_rows(world, catalogue_and_people) -> None:
    person = catalogue_and_people[0]
    rows = [
        ["B-1", person, ORG_A, "2024-03-01", "", "MORG", "", "1", "dag", "150000", ""],  # minutes: 5 digits at most
        ["B-2", person, ORG_A, "2024-03-01", "", "MORG", "", "1" + "0" * 40, "dag", "", ""],
        ["B-3", person, ORG_A, "2024-03-01", "", "MORG", "", "1", "dag", "99999,99", ""],  # the largest that fits
    ]
    delivery = load(world, "decisions", csv_bytes(DECISION_HEADER, rows), accept_valid=True)
    assert [(row, column) for row, column, _value in errors(delivery)] == [(2, "minutes"), (3, "frequency")]
    assert "too large" in delivery.issues.get(row=2).reason
    assert Decision.objects.get().external_id == "B-3"


def test_accepting_valid_rows_never_deletes_an_intervention_whose_row_was_rejected(world, catalogue_and_people) -> None:
    person = catalogue_and_people[0]
    rows = [
        ["B-1", person, ORG_A, "2024-03-01", "", "MORG", "", "1", "day", "", ""],
        ["B-1", person, ORG_A, "2024-03-01", "", "DUSCH", "", "2", "week", "", ""],
    ]
    load(world, "decisions", csv_bytes(DECISION_HEADER, rows), "beslut-mars.csv")
    rows[1][7] = "två"  # the shower row is now broken; the decision still grants it
    delivery = load(world, "decisions", csv_bytes(DECISION_HEADER, rows), "beslut-april.csv")
    # The decision's other row is held back too: a decision loads whole or not at all.
    assert errors(delivery) == [(2, "decision_id", "B-1"), (3, "frequency", "två")]

    delivery_accept(actor=world.controller, delivery=delivery)

    codes = set(Decision.objects.get(external_id="B-1").interventions.values_list("intervention__code", flat=True))
    assert "DUSCH" in codes


def test_decisions_from_an_excel_workbook_with_swedish_headers(world, catalogue_and_people) -> None:
    person = catalogue_and_people[0]
    header = ["Beslutsnummer", "Personnummer", "Utförare orgnr", "Startdatum", "Slutdatum", "Insatskod",
              "Frekvens", "Period", "Minuter", "Dubbelbemanning"]
    rows = [
        ["B-1", int(person), ORG_A, datetime.datetime(2024, 3, 1), None, "MORG", 1, "dag", None, "nej"],
        ["B-1", separated(person), ORG_A, datetime.date(2024, 3, 1), None, "DUSCH", 0.5, "Vecka", 45.5, True],
    ]
    delivery = load(world, "decisions", xlsx_bytes(header, rows), "beslut.xlsx")

    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    assert delivery.outcome == {"created": 1, "updated": 0, "unchanged": 0}
    lines = {line.intervention.code: line for line in Decision.objects.get().interventions.all()}
    assert (lines["DUSCH"].frequency, lines["DUSCH"].minutes, lines["DUSCH"].double_staffing) == (
        Decimal("0.5"), Decimal("45.5"), True,
    )
    assert lines["MORG"].minutes == Decimal("15")


# --- care events ----------------------------------------------------------------------------------

EVENT_HEADER = ["event_type", "recipient_id", "provider_org_number", "date", "reference", "detail"]


def test_care_events_load_and_complaints_and_absences_need_a_reference(world) -> None:
    first, second = numbers_born("1945", 2)
    register(world, first, second, "P:h-1")
    rows = [
        ["welcome_call", first, ORG_A, "2024-03-02", "", ""],
        ["Välkomstsamtal", second, ORG_A, "2024-03-03", "", ""],
        ["complaint_received", first, ORG_A, "2024-03-05", "K-1", "Sen ankomst"],
        ["complaint_answered", first, ORG_A, "2024-03-08", "K-1", ""],
        ["absence_started", "P:h-1", ORG_B, "2024-03-10", "F-1", "hospital"],
        ["complaint_received", second, ORG_A, "2024-03-05", "", ""],  # no reference
        ["absence_ended", "P:h-1", ORG_B, "2024-03-12", "", ""],  # no reference
        ["welcome_call", first, ORG_A, "2024-03-02", "", ""],  # the same event again
        ["birthday", first, ORG_A, "2024-03-02", "", ""],
    ]
    delivery = load(world, "care_events", csv_bytes(EVENT_HEADER, rows), "handelser.csv", accept_valid=True)

    assert delivery.status == Delivery.Status.LOADED
    assert errors(delivery) == [(7, "reference", ""), (8, "reference", ""), (9, "event_type", ""), (10, "event_type", "birthday")]
    assert "Repeats row 2" in delivery.issues.get(row=9).reason
    assert delivery.outcome == {"created": 5, "updated": 0, "unchanged": 0}
    absence = CareEvent.objects.get(event_type="absence_started")
    assert (absence.recipient, absence.provider, absence.reference, absence.detail) == (
        recipient("P:h-1"), world.provider_b, "F-1", "hospital",
    )
    assert CareEvent.objects.filter(recipient=recipient(second), event_type="welcome_call").exists()

    rows[2][5] = "Sen ankomst, två gånger"
    again = load(world, "care_events", csv_bytes(EVENT_HEADER, rows[:5]), "handelser-2.csv")
    assert again.outcome == {"created": 0, "updated": 1, "unchanged": 4}
    assert CareEvent.objects.get(event_type="complaint_received").detail == "Sen ankomst, två gånger"
