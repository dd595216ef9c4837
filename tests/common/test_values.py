"""Single cell values the Swedish way: dates, yes/no, numbers and local times around DST."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tillit.common.errors import ApplicationError
from tillit.common.values import (
    ParsedTime,
    ValueProblem,
    cell_text,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_local_datetime,
    resolve_ambiguous,
)

UTC = datetime.timezone.utc


def utc(text: str) -> datetime.datetime:
    """A UTC instant written "YYYY-MM-DD HH:MM"."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str) -> ParsedTime:
    return parse_local_datetime(text)


# --- booleans ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["1", "ja", "JA", "Ja", "yes", "YES", "true", "True", "TRUE", "x", "X", " x ", "sant", "SANT"]
)
def test_true_forms(text: str) -> None:
    assert parse_bool(text) is True


@pytest.mark.parametrize(
    "text", ["0", "nej", "NEJ", "Nej", "no", "No", "false", "FALSE", "", "   ", "falskt", "FALSKT"]
)
def test_false_forms(text: str) -> None:
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["kanske", "2", "y", "-", "00", "nja"])
def test_other_booleans_are_problems(text: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_bool(text)
    assert caught.value.code == "value.invalid"
    assert text.strip() in caught.value.message


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2024-02-29", " 2024-02-29 ", "20240229", "2024-02-29 00:00", "2024-02-29 00:00:00", "2024-02-29T00:00:00"],
)
def test_date_forms(text: str) -> None:
    assert parse_date(text) == datetime.date(2024, 2, 29)


def test_a_date_that_does_not_exist_says_so() -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_date("2023-02-29")
    assert caught.value.message == "The date 2023-02-29 does not exist."
    assert caught.value.code == "value.invalid"
    assert isinstance(caught.value, ApplicationError)


@pytest.mark.parametrize("text", ["2024-02-30", "2024-13-01", "2024-00-10", "20230229"])
def test_impossible_dates(text: str) -> None:
    with pytest.raises(ValueProblem, match="does not exist"):
        parse_date(text)


@pytest.mark.parametrize("text", ["29/2/2024", "2024-2-29", "2024-0229", "24-02-29", "", "igår", "2024-02-29x"])
def test_malformed_dates(text: str) -> None:
    with pytest.raises(ValueProblem, match="YYYY-MM-DD"):
        parse_date(text)


def test_a_date_with_a_time_of_day_is_refused() -> None:
    with pytest.raises(ValueProblem, match="time of day"):
        parse_date("2024-02-29 08:00")


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("-3,25", "-3.25"),
        ("\u22123,25", "-3.25"),  # the real minus sign
        ("+4", "4"),
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),  # Excel's non-breaking space
        ("12\u202f345\u202f678.9", "12345678.9"),
        (" 0 ", "0"),
        (",5", "0.5"),
        ("007", "7"),
    ],
)
def test_decimal_forms(text: str, expected: str) -> None:
    value = parse_decimal(text)
    assert value == Decimal(expected)
    assert str(value) == expected  # precision as written is kept


@pytest.mark.parametrize(
    "text", ["NaN", "nan", "Infinity", "-inf", "1,234.50", "1.234,50", "12 5", "1 23 456", "1e5", "abc", "", "-", "1,2,3", "5."]
)
def test_not_decimals(text: str) -> None:
    with pytest.raises(ValueProblem, match="not a number"):
        parse_decimal(text)


@pytest.mark.parametrize(("text", "expected"), [("42", 42), ("-7", -7), ("1 000", 1000), ("12,0", 12), ("12.00", 12)])
def test_int_forms(text: str, expected: int) -> None:
    value = parse_int(text)
    assert value == expected and type(value) is int


@pytest.mark.parametrize(("text", "reason"), [("12,5", "whole number"), ("x", "not a number"), ("", "not a number")])
def test_not_ints(text: str, reason: str) -> None:
    with pytest.raises(ValueProblem, match=reason):
        parse_int(text)


# --- local times and DST -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-15 08:00", "2024-01-15 07:00"),  # winter, +01:00
        ("2024-06-01T12:00", "2024-06-01 10:00"),  # summer, +02:00, 'T' separator
        ("2024-06-01 12:00:30", "2024-06-01 10:00:30"),
        ("2024-06-01 8:05", "2024-06-01 06:05"),
        ("2024-06-01 24:00", "2024-06-01 22:00"),  # end of day = next midnight
    ],
)
def test_local_times(text: str, expected: str) -> None:
    parsed = local(text)
    assert parsed.utc == utc(expected)
    assert parsed.utc.tzinfo is not None and parsed.utc.utcoffset() == datetime.timedelta(0)
    assert not parsed.ambiguous and parsed.alternative_utc is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-10-27T02:30:00+02:00", "2024-10-27 00:30"),
        ("2024-10-27T02:30:00+01:00", "2024-10-27 01:30"),
        ("2024-10-27T02:30:00+0100", "2024-10-27 01:30"),
        ("2024-03-31T02:30:00Z", "2024-03-31 02:30"),  # UTC is never skipped
        ("2024-06-01T12:00:00-05:00", "2024-06-01 17:00"),
        ("2024-06-01T12:00:00.1234567z", "2024-06-01 12:00:00.123456"),
    ],
)
def test_times_with_an_offset_are_never_ambiguous(text: str, expected: str) -> None:
    parsed = local(text)
    assert parsed == ParsedTime(utc=utc(expected))


@pytest.mark.parametrize(
    "text", ["2024-03-31 02:30", "2024-03-31 02:00", "2024-03-31 02:59:59", "2025-03-30 02:30", "2025-03-30T02:15"]
)
def test_the_skipped_spring_hour_does_not_exist(text: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        local(text)
    assert caught.value.code == "time.nonexistent"
    assert text in caught.value.message and "summer time" in caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-31 01:59", "2024-03-31 00:59"),
        ("2024-03-31 03:00", "2024-03-31 01:00"),
        ("2025-03-30 03:30", "2025-03-30 01:30"),
    ],
)
def test_times_beside_the_spring_gap_exist(text: str, expected: str) -> None:
    assert local(text) == ParsedTime(utc=utc(expected))


@pytest.mark.parametrize(
    ("text", "earlier", "later"),
    [
        ("2024-10-27 02:30", "2024-10-27 00:30", "2024-10-27 01:30"),
        ("2024-10-27 02:00", "2024-10-27 00:00", "2024-10-27 01:00"),
        ("2025-10-26 02:30", "2025-10-26 00:30", "2025-10-26 01:30"),
        ("2025-10-26T02:59:59", "2025-10-26 00:59:59", "2025-10-26 01:59:59"),
    ],
)
def test_the_repeated_autumn_hour_is_ambiguous(text: str, earlier: str, later: str) -> None:
    assert local(text) == ParsedTime(utc=utc(earlier), ambiguous=True, alternative_utc=utc(later))


@pytest.mark.parametrize(
    ("text", "expected"), [("2024-10-27 01:59", "2024-10-26 23:59"), ("2024-10-27 03:00", "2024-10-27 02:00")]
)
def test_times_beside_the_autumn_overlap_are_plain(text: str, expected: str) -> None:
    assert local(text) == ParsedTime(utc=utc(expected))


def test_another_zone_can_be_asked_for() -> None:
    assert parse_local_datetime("2024-10-27 02:30", tz="UTC") == ParsedTime(utc=utc("2024-10-27 02:30"))
    with pytest.raises(ValueProblem) as caught:
        parse_local_datetime("2024-03-10 02:30", tz="America/New_York")
    assert caught.value.code == "time.nonexistent"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-06-01 25:00", "time of day"),
        ("2024-06-01 12:60", "time of day"),
        ("2024-06-01 24:30", "time of day"),
        ("2024-02-30 10:00", "date in"),
        ("2024-06-01T12:00+25:00", "offset"),
        ("2024-06-01", "not a time"),
        ("01.06.2024 12:00", "not a time"),
        ("", "not a time"),
    ],
)
def test_malformed_times(text: str, reason: str) -> None:
    with pytest.raises(ValueProblem, match=reason) as caught:
        local(text)
    assert caught.value.code == "value.invalid"


# --- durations across the changes --------------------------------------------------------


def duration(start: str, end: str) -> tuple[datetime.timedelta, bool]:
    first, last, still_ambiguous = resolve_ambiguous(local(start), local(end))
    return last - first, still_ambiguous


HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-03-31 01:30", "2024-03-31 03:30", HOUR),  # spring 2024: an hour is skipped
        ("2025-03-30 01:45", "2025-03-30 03:15", 30 * MINUTE),
        ("2024-10-27 01:30", "2024-10-27 03:30", 3 * HOUR),  # autumn 2024: an hour is repeated
        ("2025-10-26 01:00", "2025-10-26 04:00", 4 * HOUR),
        ("2024-06-01 08:00", "2024-06-01 08:00", 0 * HOUR),
    ],
)
def test_durations_without_ambiguity(start: str, end: str, expected: datetime.timedelta) -> None:
    assert duration(start, end) == (expected, False)


def test_ending_in_the_repeated_hour_takes_the_shortest_and_says_it_guessed() -> None:
    start, end = local("2024-10-27 01:30"), local("2024-10-27 02:30")
    first, last, still_ambiguous = resolve_ambiguous(start, end)
    assert (first, last, still_ambiguous) == (utc("2024-10-26 23:30"), utc("2024-10-27 00:30"), True)
    assert last - first == HOUR
    # Resolved the other way (the second 02:30), the same visit lasted two hours.
    assert end.alternative_utc is not None and end.alternative_utc - start.utc == 2 * HOUR


def test_starting_in_the_repeated_hour() -> None:
    first, last, still_ambiguous = resolve_ambiguous(local("2025-10-26 02:30"), local("2025-10-26 03:30"))
    assert (first, last) == (utc("2025-10-26 01:30"), utc("2025-10-26 02:30"))  # the second 02:30
    assert still_ambiguous


def test_an_end_that_reads_earlier_is_resolved_into_the_second_hour() -> None:
    # 02:40 then 02:10: only "first 02:40 → second 02:10" is non-negative, so it is certain.
    first, last, still_ambiguous = resolve_ambiguous(local("2024-10-27 02:40"), local("2024-10-27 02:10"))
    assert (first, last, still_ambiguous) == (utc("2024-10-27 00:40"), utc("2024-10-27 01:10"), False)


def test_both_in_the_repeated_hour_take_the_earlier_shortest_reading() -> None:
    first, last, still_ambiguous = resolve_ambiguous(local("2025-10-26 02:10"), local("2025-10-26 02:40"))
    assert (first, last) == (utc("2025-10-26 00:10"), utc("2025-10-26 00:40"))
    assert still_ambiguous  # first 02:10 to second 02:40 (90 minutes) is possible too


def test_no_valid_reading_returns_the_first_readings_for_the_caller_to_report() -> None:
    first, last, still_ambiguous = resolve_ambiguous(local("2024-10-27 02:30"), local("2024-10-27 01:00"))
    assert (first, last, still_ambiguous) == (utc("2024-10-27 00:30"), utc("2024-10-26 23:00"), False)
    assert last < first


def test_times_with_offsets_pass_through_unchanged() -> None:
    start, end = local("2024-10-27T02:30+01:00"), local("2024-10-27T02:45+01:00")
    assert resolve_ambiguous(start, end) == (utc("2024-10-27 01:30"), utc("2024-10-27 01:45"), False)


# --- spreadsheet cells as text -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  Åsa ", "  Åsa "),
        (True, "true"),
        (False, "false"),
        (5560000001, "5560000001"),
        (30.0, "30"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.3"),
        (12.5, "12.5"),
        (1e-7, "0.0000001"),
        (datetime.datetime(2024, 2, 29), "2024-02-29 00:00:00"),
        (datetime.datetime(2024, 1, 1, 8, 29, 59, 999500), "2024-01-01 08:30:00"),
        (datetime.date(2024, 1, 2), "2024-01-02"),
        (datetime.time(8, 15), "08:15:00"),
        (datetime.timedelta(hours=26, minutes=5), "26:05:00"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_cell_text_of_a_date_cell_is_read_by_parse_date() -> None:
    assert parse_date(cell_text(datetime.datetime(2024, 2, 29))) == datetime.date(2024, 2, 29)
