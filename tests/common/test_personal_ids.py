"""Recipient keys from Skatteverket's forms, samordningsnummer and pseudonyms.

Only Skatteverket's test personnummer appear here, read from ../shared/data/personnummer/
(never written into this file). Samordningsnummer and interim cases come from the
personnummer/meta test-case file in the same folder. Invalid numbers are derived from the
test numbers (a changed check digit or date), so they identify nobody.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tillit.common.errors import ApplicationError
from tillit.common.personal_ids import (
    COORDINATION,
    PERSONNUMMER,
    PSEUDONYM,
    RecipientIdError,
    RecipientKey,
    age_on,
    mask_raw,
    parse_recipient_id,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "personnummer"
OLD_FILE = "skatteverket_testpersonnummer_born_1890-1959.csv"
YOUNG_FILE = "skatteverket_Testpersonnummer_2000-2009.csv"
META_FILE = "personnummer-meta_testcases_list.json"
INTERIM_FILE = "personnummer-meta_testcases_interim.json"

# A fixed "today", so that the century of short forms does not change with the run date.
TODAY = datetime.date(2026, 3, 15)


def _data_file(name: str) -> Path:
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"test data {path} is absent (the shared data folder is not next to the project)")
    return path


def _read_test_numbers(name: str) -> list[str]:
    with _data_file(name).open(newline="", encoding="ascii") as handle:
        rows = [row["Testpersonnummer"].strip() for row in csv.DictReader(handle)]
    numbers = [row for row in rows if row]
    assert numbers and all(len(n) == 12 and n.isdigit() for n in numbers)
    return numbers


def _date_of(number: str) -> datetime.date:
    return datetime.date(int(number[:4]), int(number[4:6]), int(number[6:8]))


def _first(numbers: list[str], predicate: Callable[[str], bool], what: str) -> str:
    for number in numbers:
        if predicate(number):
            return number
    pytest.fail(f"the test data has no number {what}")


def _with_wrong_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def _meta_cases(name: str) -> list[dict]:
    return json.loads(_data_file(name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def old_numbers() -> list[str]:
    return _read_test_numbers(OLD_FILE)


@pytest.fixture(scope="module")
def young_numbers() -> list[str]:
    return _read_test_numbers(YOUNG_FILE)


@pytest.fixture(scope="module")
def all_numbers(old_numbers: list[str], young_numbers: list[str]) -> list[str]:
    return old_numbers + young_numbers


@pytest.fixture(scope="module")
def number(old_numbers: list[str]) -> str:
    """One ordinary test number of an elderly person (born 1940s)."""
    return _first(old_numbers, lambda n: n.startswith("1945"), "born in 1945")


def _reason(excinfo: pytest.ExceptionInfo[RecipientIdError]) -> str:
    return excinfo.value.context["reason"]


# --- valid numbers in every accepted form -------------------------------------------------


def test_every_test_number_parses_in_both_long_forms(all_numbers: list[str]) -> None:
    for n in all_numbers:
        key = parse_recipient_id(n, today=TODAY)
        assert key == RecipientKey(kind=PERSONNUMMER, canonical=n, birth_date=_date_of(n)), n
        assert parse_recipient_id(f"{n[:8]}-{n[8:]}", today=TODAY) == key


def test_every_test_number_parses_in_short_form_with_skatteverkets_separator(all_numbers: list[str]) -> None:
    # Skatteverket writes "+" from the year the person turns 100: born 1926 or earlier in 2026.
    for n in all_numbers:
        separator = "+" if int(n[:4]) <= TODAY.year - 100 else "-"
        short = f"{n[2:8]}{separator}{n[8:]}"
        assert parse_recipient_id(short, today=TODAY).canonical == n, short


def test_ten_digits_without_separator_mean_younger_than_100(all_numbers: list[str]) -> None:
    younger = [n for n in all_numbers if age_on(_date_of(n), TODAY) < 100]
    assert len(younger) > 1000  # both files contribute
    for n in younger:
        assert parse_recipient_id(n[2:], today=TODAY).canonical == n, n


def test_surrounding_whitespace_is_ignored(number: str) -> None:
    assert parse_recipient_id(f"  {number[2:8]}-{number[8:]}\t\n", today=TODAY).canonical == number


def test_plus_means_born_at_least_100_years_before_this_year(old_numbers: list[str]) -> None:
    n = _first(old_numbers, lambda n: n.startswith("1912"), "born in 1912")
    short_plus = f"{n[2:8]}+{n[8:]}"
    assert parse_recipient_id(short_plus, today=TODAY).birth_date == _date_of(n)
    # The same digits with "-" are a child born in 2012.
    assert parse_recipient_id(f"{n[2:8]}-{n[8:]}", today=TODAY).canonical == "20" + n[2:]


def test_plus_applies_from_the_start_of_the_year_the_person_turns_100(old_numbers: list[str]) -> None:
    # Born in December 1926: 99 years old on 2026-03-15 but written with "+" all of 2026.
    n = _first(old_numbers, lambda n: n.startswith("192612"), "born in December 1926")
    assert age_on(_date_of(n), TODAY) == 99
    assert parse_recipient_id(f"{n[2:8]}+{n[8:]}", today=TODAY).canonical == n
    # A "-" written before the switch still finds the person (0–99 years old today).
    assert parse_recipient_id(f"{n[2:8]}-{n[8:]}", today=TODAY).canonical == n
    # On the last day of 2025, "+" means born in 1826 or earlier: 1826 has these digits.
    assert parse_recipient_id(f"{n[2:8]}+{n[8:]}", today=datetime.date(2025, 12, 31)).canonical == "18" + n[2:]


def test_short_form_of_this_years_digits_later_in_the_year_is_a_person_of_99(young_numbers: list[str]) -> None:
    n = _first(young_numbers, lambda n: n.startswith("200512"), "born in December 2005")
    today = datetime.date(2005, 6, 1)
    # 2005-12-xx is not born yet on 2005-06-01, so the short form means 1905 (age 99).
    assert parse_recipient_id(f"{n[2:8]}-{n[8:]}", today=today).canonical == "19" + n[2:]
    assert parse_recipient_id(n[2:], today=today).canonical == "19" + n[2:]


def test_short_form_of_a_birthday_today_is_a_newborn(young_numbers: list[str]) -> None:
    n = _first(young_numbers, lambda n: n.startswith("20050601"), "born on 2005-06-01")
    key = parse_recipient_id(f"{n[2:8]}-{n[8:]}", today=datetime.date(2005, 6, 1))
    assert key.canonical == n
    assert age_on(key.birth_date, datetime.date(2005, 6, 1)) == 0


def test_leap_day_births(old_numbers: list[str], young_numbers: list[str]) -> None:
    y2000 = _first(young_numbers, lambda n: n.startswith("20000229"), "born on 2000-02-29")
    assert parse_recipient_id(f"{y2000[2:8]}-{y2000[8:]}", today=TODAY).birth_date == datetime.date(2000, 2, 29)
    # With "+" the same digits would be 1900-02-29, and 1900 was not a leap year.
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id(f"{y2000[2:8]}+{y2000[8:]}", today=TODAY)
    assert _reason(excinfo) == "date"
    assert "19000229-****" in str(excinfo.value)
    # 1896 was a leap year: "+" in 2026 reaches back to it.
    y1896 = _first(old_numbers, lambda n: n.startswith("18960229"), "born on 1896-02-29")
    assert parse_recipient_id(f"{y1896[2:8]}+{y1896[8:]}", today=TODAY).birth_date == datetime.date(1896, 2, 29)


def test_key_shows_itself_masked(number: str) -> None:
    key = parse_recipient_id(number, today=TODAY)
    assert key.masked == f"{number[:8]}-****"
    assert key.display == f"{number[:8]}-{number[8:]}"
    for text in (repr(key), str(key)):
        assert number not in text and key.display not in text and key.masked in text


def test_key_is_frozen(number: str) -> None:
    key = parse_recipient_id(number, today=TODAY)
    with pytest.raises(AttributeError):
        key.canonical = "x"  # type: ignore[misc]


def test_parse_without_today_uses_the_real_date(old_numbers: list[str]) -> None:
    n = old_numbers[0]
    assert parse_recipient_id(n).canonical == n


# --- samordningsnummer (personnummer/meta cases) ------------------------------------------


def _coordination_cases(valid: bool) -> list[dict]:
    cases = [c for c in _meta_cases(META_FILE) if c["type"] == "con" and c["valid"] is valid]
    assert cases
    return cases


def test_valid_coordination_numbers() -> None:
    for case in _coordination_cases(valid=True):
        long = case["long_format"]
        key = parse_recipient_id(long, today=TODAY)
        assert key.kind == COORDINATION
        assert key.canonical == long
        assert int(long[6:8]) > 60
        assert key.birth_date == datetime.date(int(long[:4]), int(long[4:6]), int(long[6:8]) - 60)
        assert key.masked == f"{long[:8]}-****"  # the number's own day digits
        assert key.display == case["separated_long"]
        assert parse_recipient_id(case["separated_format"], today=TODAY) == key
        assert parse_recipient_id(case["short_format"], today=TODAY) == key


def test_invalid_coordination_numbers_are_rejected() -> None:
    for case in _coordination_cases(valid=False):
        for form in ("long_format", "separated_format", "short_format"):
            with pytest.raises(RecipientIdError) as excinfo:
                parse_recipient_id(case[form], today=TODAY)
            assert case["long_format"] not in str(excinfo.value)
            assert case["long_format"][8:] not in str(excinfo.value)


def test_interim_numbers_are_not_an_accepted_form() -> None:
    cases = _meta_cases(INTERIM_FILE)
    assert cases
    for case in cases:
        for form in ("long_format", "separated_long", "short_format", "separated_format"):
            with pytest.raises(RecipientIdError) as excinfo:
                parse_recipient_id(case[form], today=TODAY)
            assert _reason(excinfo) == "format"


# --- invalid numbers -----------------------------------------------------------------------


def test_wrong_check_digit_is_rejected_in_every_form(all_numbers: list[str]) -> None:
    for n in all_numbers[::250]:
        bad = _with_wrong_check_digit(n)
        separator = "+" if int(n[:4]) <= TODAY.year - 100 else "-"
        for form in (bad, f"{bad[:8]}-{bad[8:]}", f"{bad[2:8]}{separator}{bad[8:]}"):
            with pytest.raises(RecipientIdError) as excinfo:
                parse_recipient_id(form, today=TODAY)
            assert _reason(excinfo) == "check_digit"


def test_error_message_is_masked_and_names_the_accepted_forms(number: str) -> None:
    bad = _with_wrong_check_digit(number)
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id(f"{bad[:8]}-{bad[8:]}", today=TODAY)
    error = excinfo.value
    message = str(error)
    assert f"{number[:8]}-****" in message
    assert bad[8:] not in message and bad[8:] not in repr(error.context)
    for form in ("YYYYMMDDNNNN", "YYYYMMDD-NNNN", "YYMMDD-NNNN", "YYMMDD+NNNN", "YYMMDDNNNN", "P:<id>"):
        assert form in message
    assert error.code == "personal_id.invalid"
    assert isinstance(error, ApplicationError)
    assert error.__cause__ is None and error.__suppress_context__  # no package message echoing it


@pytest.mark.parametrize(
    "replace",
    [
        pytest.param(lambda n: n[:4] + "13" + n[6:], id="month 13"),
        pytest.param(lambda n: n[:4] + "00" + n[6:], id="month 00"),
        pytest.param(lambda n: n[:6] + "00" + n[8:], id="day 00"),
        pytest.param(lambda n: n[:6] + "32" + n[8:], id="day 32"),
        pytest.param(lambda n: n[:6] + "60" + n[8:], id="day 60"),
        pytest.param(lambda n: n[:6] + "92" + n[8:], id="coordination day 92"),
        pytest.param(lambda n: n[:4] + "0230" + n[8:], id="30 February"),
        pytest.param(lambda n: n[:4] + "0431" + n[8:], id="31 April"),
    ],
)
def test_impossible_dates_are_rejected(number: str, replace: Callable[[str], str]) -> None:
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id(replace(number), today=TODAY)
    assert _reason(excinfo) == "date"


def test_29_february_in_a_non_leap_year_is_rejected(old_numbers: list[str]) -> None:
    n = _first(old_numbers, lambda n: n[4:8] == "0229", "born on 29 February")
    non_leap = str(int(n[:4]) + 1) + n[4:]  # the year after a leap year is never one
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id(non_leap, today=TODAY)
    assert _reason(excinfo) == "date"


def test_birth_date_in_the_future_is_rejected(young_numbers: list[str]) -> None:
    n = _first(young_numbers, lambda n: n.startswith("2009"), "born in 2009")
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id(n, today=datetime.date(2008, 12, 31))
    assert _reason(excinfo) == "future"
    assert parse_recipient_id(n, today=_date_of(n)).canonical == n  # born today is fine


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda n: "", id="empty"),
        pytest.param(lambda n: "   ", id="blank"),
        pytest.param(lambda n: "not a number", id="words"),
        pytest.param(lambda n: f"{n[:8]} {n[8:]}", id="space inside"),
        pytest.param(lambda n: f"{n[:8]}+{n[8:]}", id="long form with plus"),
        pytest.param(lambda n: f"{n[2:8]}--{n[8:]}", id="two separators"),
        pytest.param(lambda n: n[:-1], id="eleven digits"),
        pytest.param(lambda n: n + "0", id="thirteen digits"),
        pytest.param(lambda n: n[1:], id="eleven digits from the front"),
        pytest.param(lambda n: f"{n[:4]}-{n[4:6]}-{n[6:8]}-{n[8:]}", id="ISO date style"),
        pytest.param(lambda n: "".join(chr(0x0660 + int(d)) for d in n), id="Arabic-Indic digits"),
        pytest.param(lambda n: f"X:{n}", id="unknown prefix"),
    ],
)
def test_malformed_ids_are_rejected_without_echoing_the_number(number: str, make: Callable[[str], str]) -> None:
    raw = make(number)
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id(raw, today=TODAY)
    assert _reason(excinfo) in {"format", "empty"}
    assert number[8:] not in str(excinfo.value)
    assert "YYMMDD+NNNN" in str(excinfo.value)


def test_mask_raw_hides_the_last_four_digits_and_keeps_at_most_the_date(number: str) -> None:
    assert mask_raw(number) == number[:8] + "****"
    assert mask_raw(f"{number[2:8]}-{number[8:]}") == f"{number[2:8]}-****"
    assert mask_raw(number + "12") == number[:8] + "******"
    assert mask_raw("P:abc") == "P:abc"
    assert mask_raw("P:a\x00b") == "P:a\ufffdb"


def test_matching_birth_date_is_accepted_and_a_different_one_refused(number: str) -> None:
    born = _date_of(number)
    assert parse_recipient_id(number, birth_date=born, today=TODAY).birth_date == born
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id(number, birth_date=born + datetime.timedelta(days=1), today=TODAY)
    assert _reason(excinfo) == "birth_date_mismatch"
    assert f"{number[:8]}-****" in str(excinfo.value) and number[8:] not in str(excinfo.value)


def test_coordination_number_birth_date_is_the_day_minus_60() -> None:
    case = _coordination_cases(valid=True)[0]
    long = case["long_format"]
    real = datetime.date(int(long[:4]), int(long[4:6]), int(long[6:8]) - 60)
    assert parse_recipient_id(long, birth_date=real, today=TODAY).kind == COORDINATION
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id(long, birth_date=real + datetime.timedelta(days=1), today=TODAY)
    assert _reason(excinfo) == "birth_date_mismatch"
    assert f"{long[:8]}-****" in str(excinfo.value)


# --- pseudonyms ------------------------------------------------------------------------------

BORN = datetime.date(1938, 5, 17)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("P:ab12-X", "P:ab12-X"),
        ("p:Ab12", "P:Ab12"),  # the prefix is case-insensitive, the id keeps its case
        ("  P:  q-7  ", "P:q-7"),
        ("P:" + "z" * 64, "P:" + "z" * 64),
        ("P:ÅÄÖ-åäö", "P:ÅÄÖ-åäö"),
    ],
)
def test_pseudonyms(raw: str, canonical: str) -> None:
    key = parse_recipient_id(raw, birth_date=BORN, today=TODAY)
    assert key == RecipientKey(kind=PSEUDONYM, canonical=canonical, birth_date=BORN)
    assert key.masked == canonical and key.display == canonical


def test_pseudonyms_differ_by_case() -> None:
    lower = parse_recipient_id("P:abc", birth_date=BORN, today=TODAY)
    upper = parse_recipient_id("P:ABC", birth_date=BORN, today=TODAY)
    assert lower != upper


@pytest.mark.parametrize(
    "raw",
    ["P:", "P:   ", "P:" + "z" * 65, "P:a b", "P:a\tb", "P:a\x00b", "P:a\u200bb"],
    ids=["empty", "blank", "65 chars", "space", "tab", "NUL", "zero-width space"],
)
def test_bad_pseudonyms_are_rejected(raw: str) -> None:
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id(raw, birth_date=BORN, today=TODAY)
    assert _reason(excinfo) == "pseudonym"
    assert "P:<id>" in str(excinfo.value)


def test_pseudonym_needs_a_birth_date() -> None:
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id("P:abc", today=TODAY)
    assert _reason(excinfo) == "birth_date_missing"
    assert "P:abc" in str(excinfo.value) and "birth date" in str(excinfo.value)


def test_pseudonym_birth_date_in_the_future_is_rejected() -> None:
    with pytest.raises(RecipientIdError) as excinfo:
        parse_recipient_id("P:abc", birth_date=TODAY + datetime.timedelta(days=1), today=TODAY)
    assert _reason(excinfo) == "future"


# --- age_on -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (datetime.date(1945, 6, 10), datetime.date(2010, 6, 9), 64),  # the day before the 65th birthday
        (datetime.date(1945, 6, 10), datetime.date(2010, 6, 10), 65),  # on the birthday
        (datetime.date(1945, 6, 10), datetime.date(2010, 12, 31), 65),
        (datetime.date(1945, 6, 10), datetime.date(1945, 6, 10), 0),
        (datetime.date(1926, 12, 31), datetime.date(2026, 12, 30), 99),
        (datetime.date(1926, 12, 31), datetime.date(2026, 12, 31), 100),
        # Born 29 February: a year older on 1 March in non-leap years ...
        (datetime.date(1960, 2, 29), datetime.date(2025, 2, 28), 64),
        (datetime.date(1960, 2, 29), datetime.date(2025, 3, 1), 65),
        # ... and on 29 February in leap years.
        (datetime.date(1960, 2, 29), datetime.date(2024, 2, 28), 63),
        (datetime.date(1960, 2, 29), datetime.date(2024, 2, 29), 64),
    ],
)
def test_age_on(born: datetime.date, day: datetime.date, age: int) -> None:
    assert age_on(born, day) == age


def test_age_before_birth_is_an_error() -> None:
    with pytest.raises(ApplicationError) as excinfo:
        age_on(datetime.date(1945, 6, 10), datetime.date(1945, 6, 9))
    assert excinfo.value.code == "personal_id.age_before_birth"
