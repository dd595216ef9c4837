"""The example compensation models in docs/compensation-models/ are the real ones, as transcribed.

Each example parses, survives write_model -> read_model unchanged, and holds exactly the amounts
of its municipality's rows in ../shared/data/hemtjanst/ (read from there, never copied): nothing
missing, nothing invented. The one row the rules cannot express (Jönköping's "Mattransport
extra") is named here and must stay out of the file. No database is needed.
"""

from __future__ import annotations

import csv
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import shared_file
from tillit.compensation.files import read_model, write_model
from tillit.compensation.rules import Rules, best

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "compensation-models"
HEMTJANST = Path(settings.BASE_DIR).parent / "shared" / "data" / "hemtjanst"

RATES = "lov_hemtjanst_ersattning_transcribed.csv"
SCHABLONS = "schablontider_transcribed.csv"
DECLINED_ABSENCE = "lov_avbojda_besok_franvaro_regler_transcribed.csv"

FILES = {
    "stockholm-2024.toml": "Stockholm",
    "solna-2024.toml": "Solna",
    "jonkoping-2016.toml": "Jönköping",
    "tyreso-2021.toml": "Tyresö",
}

REGI = {"privat regi": "private", "kommunal regi": "municipal"}
ZONE = {"områdestyp Tätort": "tatort", "områdestyp Villaområde": "villaomrade", "områdestyp Landsbygd": "landsbygd"}
# Solna's insatser -> the demo catalogue's codes (tillit/demo/generator/catalogue.py).
SOLNA_CODE = {
    "Inköp": "INK", "Apoteksärende": "APO", "Städ": "STAD", "Tvätt": "TVATT", "Sopsortering": "SOP",
    "Matdistribution": "MAT", "Utfört trygghetsbesök": "TRYGG", "Promenader": "PROM", "Ledsagning": "LEDS",
    "Avlösning i hemmet": "AVLOS",
}
# Tyresö's categories -> the match fields each is written with (LSS codes are assumed codes).
TYRESO_MATCH = {
    "Hemtjänst, omvårdnad och service": [("category", "omvardnad"), ("category", "service")],
    "Avlösning SoL": [("intervention", "AVLOS")],
    "Ledsagning SoL": [("intervention", "LEDS")],
    "Avlösning LSS": [("intervention", "AVLOS-LSS")],
    "Ledsagning LSS": [("intervention", "LEDS-LSS")],
    "Larm": [("intervention", "LARM")],
}
# Rows the rules language cannot express (see README.md, "What the rules cannot express").
NOT_EXPRESSED = {("Jönköping", "Mattransport extra")}


def rows(name: str, kommun: str) -> list[dict[str, str]]:
    """The municipality's rows of one transcribed file, read where it lies (skips when absent)."""
    shared_file("hemtjanst", name)  # skips the test, with the reason, when ../shared is not there
    with (HEMTJANST / name).open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["kommun"] == kommun]


def example(file_name: str) -> tuple[str, Rules]:
    text = (EXAMPLES / file_name).read_text(encoding="utf-8")
    document = read_model(text, file_name)
    assert len(document.versions) == 1
    return text, document.versions[0].rules


def valid_from(file_name: str) -> datetime.date:
    return read_model((EXAMPLES / file_name).read_text(encoding="utf-8"), file_name).versions[0].valid_from


def match(rule: object) -> tuple[tuple[str, str], ...]:
    return tuple((name, getattr(rule, name)) for name in ("category", "intervention", "band", "zone", "regi")
                 if getattr(rule, name))


@pytest.mark.parametrize("file_name", sorted(FILES))
def test_example_parses_and_round_trips(file_name: str) -> None:
    text = (EXAMPLES / file_name).read_text(encoding="utf-8")
    document = read_model(text, file_name)
    assert document.name and document.description and document.versions
    assert read_model(write_model(document), file_name) == document


@pytest.mark.parametrize("file_name", sorted(FILES))
def test_every_amount_has_its_source_beside_it(file_name: str) -> None:
    """Each rate, amount, minutes or percent line carries the source URL of its municipality's rows."""
    kommun = FILES[file_name]
    sources = {row["source_url"] for name in (RATES, SCHABLONS, DECLINED_ABSENCE) for row in rows(name, kommun)}
    lines = [line for line in (EXAMPLES / file_name).read_text(encoding="utf-8").splitlines()
             if re.match(r"\s*(rate|amount|minutes|percent)\s*=", line)]
    assert lines
    for line in lines:
        urls = re.findall(r"https?://\S+", line)
        assert urls and set(urls) <= sources, line


def test_stockholm_2024() -> None:
    _, rules = example("stockholm-2024.toml")
    source = rows(RATES, "Stockholm")
    assert {row["valid_from"] for row in source} == {"2024"}
    assert valid_from("stockholm-2024.toml") == datetime.date(2024, 1, 1)  # the source gives the year only
    assert rules.basis == "performed"

    band_of = {}
    for row in source:
        clock = re.search(r"(\d\d)\.(\d\d)-(\d\d)\.(\d\d)", row["time_band"])
        if clock:
            start, end = datetime.time(int(clock[1]), int(clock[2])), datetime.time(int(clock[3]), int(clock[4]))
            band_of[row["time_band"]] = next(b.code for b in rules.time_bands if (b.start, b.end) == (start, end))
    assert set(band_of.values()) == {b.code for b in rules.time_bands} == {"day", "night"}

    expected = {"hourly": set(), "per_visit": set(), "per_month": set()}
    for row in source:
        amount, regi = Decimal(row["amount_sek"]), REGI[row["regi"]]
        if row["unit"] == "kr/timme":
            expected["hourly"].add(((("band", band_of[row["time_band"]]), ("regi", regi)), amount))
        elif row["unit"] == "kr/insats":
            expected["per_visit"].add(((("band", band_of[row["time_band"]]), ("regi", regi)), amount))
        else:
            assert row["unit"] == "kr/månad" and "larmkund" in row["category"]
            expected["per_month"].add(((("regi", regi),), amount))
    assert {(match(r), r.rate) for r in rules.hourly} == expected["hourly"]
    assert {(match(f), f.amount) for f in rules.per_visit} == expected["per_visit"]
    assert {(match(f), f.amount) for f in rules.per_month} == expected["per_month"]
    assert all(f.alarm_customer for f in rules.per_month)
    assert not any(r.band == "night" for r in rules.hourly)  # night pays per visit only
    assert len(rules.hourly) + len(rules.per_visit) + len(rules.per_month) == len(source)


def test_solna_2024() -> None:
    _, rules = example("solna-2024.toml")
    source = rows(RATES, "Solna")
    assert {row["valid_from"] for row in source} == {"2024-03-01"}
    assert valid_from("solna-2024.toml") == datetime.date(2024, 3, 1)

    rate = {row["category"]: Decimal(row["amount_sek"]) for row in source}
    assert {row["unit"] for row in source} == {"kr/timme"}
    service = rate["Service och fria insatser"]
    assert {(match(r), r.rate) for r in rules.hourly} == {
        ((("category", "omvardnad"),), rate["Omvårdnadsinsatser"]),
        ((("category", "service"),), service),
        # Ledsagning and Avlösning i hemmet are "other" in the demo catalogue; Solna counts them as service.
        ((("intervention", "LEDS"),), service),
        ((("intervention", "AVLOS"),), service),
    }

    schablons = rows(SCHABLONS, "Solna")
    assert all("2024-03-01" in row["purpose"] or "övrigt" in row["purpose"] for row in schablons)
    new_customer = [row for row in schablons if row["insats"] == "Ny omvårdnadskund"]
    assert len(new_customer) == 1
    assert rules.new_customer is not None
    assert (rules.new_customer.minutes, rules.new_customer.category) == (Decimal(new_customer[0]["minutes"]), "omvardnad")
    assert {(s.intervention, s.minutes) for s in rules.schablon} == {
        (SOLNA_CODE[row["insats"]], Decimal(row["minutes"])) for row in schablons if row not in new_customer
    }

    rules_rows = rows(DECLINED_ABSENCE, "Solna")
    assert {row["valid_from"] for row in rules_rows} == {"2024-03-01"}
    declined = [row for row in rules_rows if row["rule_type"] == "avböjt besök"]
    absence = [row for row in rules_rows if row["rule_type"] == "frånvaro omvårdnadsinsatser"]
    assert len(declined) + len(absence) == len(rules_rows)
    assert {(match(p), p.percent) for p in rules.declined} == {
        ((("category", "omvardnad"),) if row["insats_or_day"] == "Omvårdnadsinsatser"
         else (("intervention", SOLNA_CODE[row["insats_or_day"]]),), Decimal(row["percent_of_compensation"]))
        for row in declined
    }
    expected_absence = set()
    for row in absence:
        days = [int(n) for n in re.findall(r"\d+", row["insats_or_day"])]
        expected_absence.add((days[0], days[-1], Decimal(row["percent_of_compensation"]), "omvardnad"))
    assert {(a.first_day, a.last_day, a.percent, a.category) for a in rules.absence} == expected_absence


def test_solna_declined_rules_resolve_as_the_source_says() -> None:
    """Promenader is omvårdnad in the demo catalogue but 55 % in Solna: the intervention rule wins."""
    _, rules = example("solna-2024.toml")
    declined = {row["insats_or_day"]: Decimal(row["percent_of_compensation"])
                for row in rows(DECLINED_ABSENCE, "Solna") if row["rule_type"] == "avböjt besök"}
    assert best(rules.declined, category="omvardnad", intervention="PROM").percent == declined["Promenader"]
    assert best(rules.declined, category="omvardnad", intervention="MORG").percent == declined["Omvårdnadsinsatser"]
    assert best(rules.declined, category="service", intervention="STAD").percent == declined["Städ"]
    assert best(rules.declined, category="service", intervention="MAT") is None  # not in Solna's list


def test_jonkoping_2016() -> None:
    text, rules = example("jonkoping-2016.toml")
    source = rows(RATES, "Jönköping")
    assert {row["valid_from"] for row in source} == {"2016"}
    assert valid_from("jonkoping-2016.toml") == datetime.date(2016, 1, 1)  # the source gives the year only
    assert {row["basis"] for row in source if row["unit"] == "kr/timme"} == {"utförd tid"}
    assert rules.basis == "performed"

    expected_hourly, expected_delivery, left_out = set(), set(), []
    for row in source:
        amount = Decimal(row["amount_sek"])
        if ("Jönköping", row["category"]) in NOT_EXPRESSED:
            left_out.append(amount)
        elif row["unit"] == "kr/timme":
            expected_hourly.add(((("zone", ZONE[row["time_band"]]),), amount))
        else:
            assert (row["category"], row["unit"]) == ("Mattransport", "kr/antal")
            expected_delivery.add(((("intervention", "MAT"), ("zone", ZONE[row["time_band"]])), amount))
    assert {(match(r), r.rate) for r in rules.hourly} == expected_hourly
    assert {(match(f), f.amount) for f in rules.per_delivery} == expected_delivery
    # "Mattransport extra" is not expressible: it is named in a comment, never paid by a rule.
    assert left_out == [Decimal("25.15")]
    assert all(f.amount not in left_out for f in rules.per_delivery + rules.per_visit + rules.per_month)
    assert "Mattransport extra" in text
    # Amounts keep their written öre ("414.80", not 414.8) so the file reads like the source.
    for row in source:
        if ("Jönköping", row["category"]) not in NOT_EXPRESSED:
            assert f'"{row["amount_sek"]}"' in text


def test_tyreso_2021() -> None:
    _, rules = example("tyreso-2021.toml")
    source = [row for row in rows(RATES, "Tyresö") if row["valid_from"] == "2021-02-01"]
    assert source
    assert valid_from("tyreso-2021.toml") == datetime.date(2021, 2, 1)
    assert {row["unit"] for row in source} == {"kr/timme"}
    assert not rules.time_bands  # "samma för dag, kväll och helg"
    assert not rules.regi_adjustment  # the published rates already include the ±1.5 %

    expected = set()
    for row in source:
        for field in TYRESO_MATCH[row["category"]]:
            # match() lists fields in the order category, intervention, band, zone, regi.
            expected.add(((field, ("regi", REGI[row["regi"]])), Decimal(row["amount_sek"])))
    assert {(match(r), r.rate) for r in rules.hourly} == expected
    assert best(rules.hourly, category="other", intervention="LEDS", regi="private").rate == Decimal("293")
    assert best(rules.hourly, category="service", intervention="STAD", regi="municipal").rate == Decimal("377")
