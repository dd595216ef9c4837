"""Granted time, checked against sums worked out by hand (the arithmetic is in the comments).

PRODUCT.md: minutes per day = m·f / days in the period (1, 7, or the month's days); the
month's granted minutes sum this over the days the decision is active; double staffing
counts twice.
"""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from tillit.common.errors import ApplicationError
from tillit.common.granted_time import (
    PERIODS,
    GrantedIntervention,
    GrantedTimeError,
    as_decimal_minutes,
    granted_minutes,
    granted_minutes_total,
    minutes_per_day,
)

SCHABLONS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hemtjanst" / "schablontider_transcribed.csv"

d = datetime.date


def item(
    minutes: int | str,
    frequency: int | str,
    period: str,
    active_from: datetime.date,
    active_to: datetime.date | None = None,
    *,
    double: bool = False,
) -> GrantedIntervention:
    return GrantedIntervention(
        standard_minutes=Decimal(minutes),
        frequency=Decimal(frequency),
        period=period,
        double_staffing=double,
        active_from=active_from,
        active_to=active_to,
    )


def test_periods() -> None:
    assert PERIODS == ("day", "week", "month")


# --- full months ----------------------------------------------------------------------------


def test_full_month_daily() -> None:
    # 15 min × 1/day, January 2024 (31 days): 15·1/1 · 31 = 465
    assert granted_minutes(item(15, 1, "day", d(2023, 12, 1)), 2024, 1) == 465
    # 10 min × 3/day, April 2024 (30 days): 10·3/1 · 30 = 900
    assert granted_minutes(item(10, 3, "day", d(2024, 4, 1), d(2024, 4, 30)), 2024, 4) == 900


def test_full_month_weekly() -> None:
    # 30 min × 3/week, January 2024 (31 days): 30·3/7 · 31 = 2790/7 ≈ 398.57
    assert granted_minutes(item(30, 3, "week", d(2024, 1, 1)), 2024, 1) == Fraction(2790, 7)
    # the same in April (30 days): 30·3/7 · 30 = 2700/7
    assert granted_minutes(item(30, 3, "week", d(2024, 1, 1)), 2024, 4) == Fraction(2700, 7)


def test_full_month_monthly_is_the_same_whatever_the_months_length() -> None:
    # 60 min × 2/month: January 60·2/31 · 31 = 120; April 60·2/30 · 30 = 120
    weekly_cleaning = item(60, 2, "month", d(2024, 1, 1))
    assert granted_minutes(weekly_cleaning, 2024, 1) == 120
    assert granted_minutes(weekly_cleaning, 2024, 4) == 120


# --- partial months ---------------------------------------------------------------------------


def test_decision_starting_mid_month() -> None:
    # 20 min × 2/day from 11 March 2024: days 11..31 = 21 days; 20·2 · 21 = 840
    assert granted_minutes(item(20, 2, "day", d(2024, 3, 11)), 2024, 3) == 840


def test_decision_ending_mid_month_weekly() -> None:
    # 30 min × 3/week, active 1..10 March 2024 (10 days of 31): 30·3/7 · 10 = 900/7 ≈ 128.57
    granted = granted_minutes(item(30, 3, "week", d(2023, 11, 1), d(2024, 3, 10)), 2024, 3)
    assert granted == Fraction(900, 7)
    assert as_decimal_minutes(granted) == Decimal("128.57")


def test_decision_starting_and_ending_within_a_month() -> None:
    # 60 min × 4/month, 5..20 April 2024 = 16 days of 30: 60·4/30 · 16 = 8 · 16 = 128
    assert granted_minutes(item(60, 4, "month", d(2024, 4, 5), d(2024, 4, 20)), 2024, 4) == 128


def test_monthly_frequency_in_february_leap_and_non_leap() -> None:
    # 45 min × 1/month. Full February: 45/29 · 29 = 45 (2024) and 45/28 · 28 = 45 (2023).
    assert granted_minutes(item(45, 1, "month", d(2024, 2, 1)), 2024, 2) == 45
    assert granted_minutes(item(45, 1, "month", d(2023, 2, 1)), 2023, 2) == 45
    # Per day: 45/29 in February 2024, 45/28 in February 2023.
    assert minutes_per_day(item(45, 1, "month", d(2024, 2, 1)), d(2024, 2, 10)) == Fraction(45, 29)
    assert minutes_per_day(item(45, 1, "month", d(2023, 2, 1)), d(2023, 2, 10)) == Fraction(45, 28)
    # 1..10 February: 45·10/29 = 450/29 (2024) but 45·10/28 = 225/14 (2023).
    assert granted_minutes(item(45, 1, "month", d(2024, 2, 1), d(2024, 2, 10)), 2024, 2) == Fraction(450, 29)
    assert granted_minutes(item(45, 1, "month", d(2023, 2, 1), d(2023, 2, 10)), 2023, 2) == Fraction(225, 14)


def test_leap_day_alone() -> None:
    leap_day = d(2024, 2, 29)
    # daily 15 min × 2: 15·2 · 1 = 30
    assert granted_minutes(item(15, 2, "day", leap_day, leap_day), 2024, 2) == 30
    # weekly 40 min × 2: 40·2/7 · 1 = 80/7
    assert granted_minutes(item(40, 2, "week", leap_day, leap_day), 2024, 2) == Fraction(80, 7)
    # monthly 60 min × 1: 60·1/29 · 1 = 60/29
    assert granted_minutes(item(60, 1, "month", leap_day, leap_day), 2024, 2) == Fraction(60, 29)
    # nothing in the months around it
    assert granted_minutes(item(15, 2, "day", leap_day, leap_day), 2024, 1) == 0
    assert granted_minutes(item(15, 2, "day", leap_day, leap_day), 2024, 3) == 0


def test_decision_ending_the_day_before_the_month_gives_zero() -> None:
    assert granted_minutes(item(15, 2, "day", d(2024, 1, 1), d(2024, 2, 29)), 2024, 3) == 0


def test_decision_starting_the_day_after_the_month_gives_zero() -> None:
    assert granted_minutes(item(15, 2, "day", d(2024, 4, 1)), 2024, 3) == 0


def test_open_ended_decision_counts_every_later_month() -> None:
    # 5 min × 1/day from 2020: June 2030 (30 days) 5·30 = 150; February 2100 (not leap) 5·28 = 140
    open_ended = item(5, 1, "day", d(2020, 1, 1))
    assert granted_minutes(open_ended, 2030, 6) == 150
    assert granted_minutes(open_ended, 2100, 2) == 140
    assert granted_minutes(open_ended, 2019, 12) == 0


def test_double_staffing_counts_twice() -> None:
    # 40 min × 1/week, January 2024: single 40/7 · 31 = 1240/7, double 2480/7
    single = item(40, 1, "week", d(2024, 1, 1))
    double = item(40, 1, "week", d(2024, 1, 1), double=True)
    assert granted_minutes(single, 2024, 1) == Fraction(1240, 7)
    assert granted_minutes(double, 2024, 1) == Fraction(2480, 7)
    assert minutes_per_day(double, d(2024, 1, 5)) == Fraction(80, 7)


def test_month_boundaries_give_one_day_in_each_month() -> None:
    # Active 31 January .. 1 February 2024.
    daily = item(15, 1, "day", d(2024, 1, 31), d(2024, 2, 1))
    assert granted_minutes(daily, 2024, 1) == 15  # 15·1 · 1
    assert granted_minutes(daily, 2024, 2) == 15
    monthly = item(62, 1, "month", d(2024, 1, 31), d(2024, 2, 1))
    assert granted_minutes(monthly, 2024, 1) == 2  # 62/31 · 1
    assert granted_minutes(monthly, 2024, 2) == Fraction(62, 29)  # 62/29 · 1
    assert granted_minutes(monthly, 2023, 12) == 0 and granted_minutes(monthly, 2024, 3) == 0


def test_decision_of_one_day_over_a_year_boundary() -> None:
    # Active 31 December 2023 .. 1 January 2024, 30 min × 3/week: 90/7 in each month.
    weekly = item(30, 3, "week", d(2023, 12, 31), d(2024, 1, 1))
    assert granted_minutes(weekly, 2023, 12) == Fraction(90, 7)
    assert granted_minutes(weekly, 2024, 1) == Fraction(90, 7)


# --- per day and whole years ------------------------------------------------------------------


def _days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def test_minutes_per_day_is_zero_outside_the_decision() -> None:
    short = item(15, 2, "day", d(2024, 3, 11), d(2024, 3, 12))
    assert minutes_per_day(short, d(2024, 3, 10)) == 0
    assert minutes_per_day(short, d(2024, 3, 11)) == 30
    assert minutes_per_day(short, d(2024, 3, 12)) == 30
    assert minutes_per_day(short, d(2024, 3, 13)) == 0


def test_monthly_divisor_is_the_days_of_the_days_own_month() -> None:
    monthly = item(60, 2, "month", d(2024, 1, 1))
    assert minutes_per_day(monthly, d(2024, 1, 31)) == Fraction(120, 31)
    assert minutes_per_day(monthly, d(2024, 2, 1)) == Fraction(120, 29)
    assert minutes_per_day(monthly, d(2024, 4, 30)) == Fraction(120, 30)


@pytest.mark.parametrize(
    "intervention",
    [
        item(30, 3, "week", d(2024, 3, 17), d(2024, 10, 3)),
        item(60, 2, "month", d(2024, 3, 17), d(2024, 10, 3), double=True),
        item("7.5", "2.5", "day", d(2024, 3, 17)),
        item(45, 1, "month", d(2023, 6, 1)),
        item(70, "0.5", "week", d(2024, 2, 29), d(2024, 2, 29)),
    ],
    ids=["weekly", "monthly double", "daily fractional", "monthly open", "leap day"],
)
def test_a_year_of_monthly_sums_equals_the_sum_over_its_days(intervention: GrantedIntervention) -> None:
    by_month = sum(granted_minutes(intervention, 2024, month) for month in range(1, 13))
    by_day = sum(minutes_per_day(intervention, day) for day in _days(d(2024, 1, 1), d(2024, 12, 31)))
    assert by_month == by_day
    assert by_month > 0


def test_whole_year_by_hand() -> None:
    # 30 min × 3/week all of 2024 (366 days): 30·3/7 · 366 = 32940/7
    weekly = item(30, 3, "week", d(2024, 1, 1), d(2024, 12, 31))
    assert sum(granted_minutes(weekly, 2024, m) for m in range(1, 13)) == Fraction(32940, 7)
    # 60 min × 2/month all of 2024: 120 a month · 12 = 1440
    monthly = item(60, 2, "month", d(2024, 1, 1))
    assert sum(granted_minutes(monthly, 2024, m) for m in range(1, 13)) == 1440


def test_total_is_the_exact_sum_of_its_interventions() -> None:
    items = [
        item(15, 1, "day", d(2024, 1, 1)),  # 15 · 31 = 465
        item(30, 3, "week", d(2024, 1, 1)),  # 30·3/7 · 31 = 2790/7
        item(60, 1, "month", d(2024, 1, 16), double=True),  # 60/31 · 16 · 2 = 1920/31
    ]
    # 465 + 2790/7 + 1920/31 = (465·217 + 2790·31 + 1920·7) / 217 = (100905 + 86490 + 13440) / 217
    assert granted_minutes_total(items, 2024, 1) == Fraction(200835, 217)
    assert granted_minutes_total(iter(items), 2024, 1) == Fraction(200835, 217)  # any iterable
    assert granted_minutes_total([], 2024, 1) == 0


def test_fractional_minutes_and_frequency_stay_exact() -> None:
    # 7.5 min × 2.5/day = 18.75 a day; April 2024: 18.75 · 30 = 562.5
    assert granted_minutes(item("7.5", "2.5", "day", d(2024, 4, 1)), 2024, 4) == Fraction(1125, 2)
    # 0.1 min × 3/day over 31 days = 9.3 exactly (floats would give 9.299999...)
    assert granted_minutes(item("0.1", 3, "day", d(2024, 1, 1)), 2024, 1) == Fraction(93, 10)


def test_zero_minutes_are_allowed() -> None:
    assert granted_minutes(item(0, 1, "day", d(2024, 1, 1)), 2024, 1) == 0


def test_results_are_fractions() -> None:
    assert isinstance(granted_minutes(item(15, 1, "day", d(2024, 1, 1)), 2024, 1), Fraction)
    assert isinstance(minutes_per_day(item(15, 1, "day", d(2024, 1, 1)), d(2024, 1, 1)), Fraction)
    assert isinstance(granted_minutes_total([], 2024, 1), Fraction)


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"frequency": Decimal(0)}, "frequency"),
        ({"frequency": Decimal(-1)}, "frequency"),
        ({"standard_minutes": Decimal("-0.5")}, "standard_minutes"),
        ({"period": "year"}, "period"),
        ({"period": "Week"}, "period"),
        ({"active_to": d(2024, 3, 9)}, "active_to"),
        ({"standard_minutes": 15.0}, "standard minutes"),
        ({"frequency": 0.5}, "frequency"),
        ({"frequency": True}, "frequency"),
        ({"frequency": "3"}, "frequency"),
        ({"standard_minutes": Decimal("NaN")}, "standard minutes"),
        ({"frequency": Decimal("Infinity")}, "frequency"),
        ({"active_from": datetime.datetime(2024, 3, 10, 8, 0)}, "start date"),
        ({"active_to": "2024-03-31"}, "end date"),
        ({"double_staffing": 1}, "double_staffing"),
    ],
)
def test_invalid_interventions_are_refused(kwargs: dict, field: str) -> None:
    fields = {
        "standard_minutes": Decimal(15),
        "frequency": Decimal(1),
        "period": "day",
        "double_staffing": False,
        "active_from": d(2024, 3, 10),
        "active_to": None,
    }
    with pytest.raises(GrantedTimeError) as excinfo:
        GrantedIntervention(**{**fields, **kwargs})
    error = excinfo.value
    assert isinstance(error, ApplicationError)
    assert error.code == "granted_time.invalid"
    assert error.context["field"] == field
    assert str(error).endswith(".")  # a whole sentence


def test_whole_numbers_are_taken_as_exact_decimals() -> None:
    intervention = GrantedIntervention(
        standard_minutes=15, frequency=2, period="day", double_staffing=False,  # type: ignore[arg-type]
        active_from=d(2024, 1, 1), active_to=None,
    )
    assert intervention.standard_minutes == Decimal(15) and isinstance(intervention.standard_minutes, Decimal)
    assert granted_minutes(intervention, 2024, 1) == 930  # 15·2 · 31


def test_one_day_decision_is_valid() -> None:
    assert granted_minutes(item(15, 1, "day", d(2024, 5, 5), d(2024, 5, 5)), 2024, 5) == 15


@pytest.mark.parametrize(("year", "month"), [(2024, 0), (2024, 13), (0, 1)])
def test_a_month_that_does_not_exist_is_refused(year: int, month: int) -> None:
    with pytest.raises(GrantedTimeError):
        granted_minutes(item(15, 1, "day", d(2024, 1, 1)), year, month)
    with pytest.raises(GrantedTimeError):
        granted_minutes_total([], year, month)


# --- rounding for display ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(900, 7), 2, "128.57"),  # 128.5714...
        (Fraction(2790, 7), 2, "398.57"),  # 398.5714...
        (Fraction(2400, 7), 2, "342.86"),  # 342.8571...
        (Fraction(1, 8), 2, "0.13"),  # 0.125: half up, not to even (0.12)
        (Fraction(3, 8), 2, "0.38"),  # 0.375
        (Fraction(5, 2), 0, "3"),  # 2.5 -> 3
        (Fraction(-5, 2), 0, "-3"),  # half away from zero
        (Fraction(-1, 300), 2, "0.00"),
        (Fraction(465), 2, "465.00"),
        (465, 2, "465.00"),
        (Fraction(2, 3), 4, "0.6667"),
        (Fraction(10**30 + 1, 2), 1, "500000000000000000000000000000.5"),  # beyond 28 digits
    ],
)
def test_as_decimal_minutes(value: Fraction, places: int, expected: str) -> None:
    result = as_decimal_minutes(value, places)
    assert isinstance(result, Decimal)
    assert str(result) == expected  # the exponent too: always `places` decimals


def test_as_decimal_minutes_refuses_floats_and_negative_places() -> None:
    with pytest.raises(GrantedTimeError):
        as_decimal_minutes(0.1)  # type: ignore[arg-type]
    with pytest.raises(GrantedTimeError):
        as_decimal_minutes(Fraction(1, 3), -1)


# --- Kristianstad's assessment schablons (../shared/data/hemtjanst) ---------------------------


@pytest.fixture(scope="module")
def kristianstad() -> dict[tuple[str, str], Decimal]:
    """(insats, condition) -> minutes per occasion, from the transcribed public page."""
    if not SCHABLONS.is_file():
        pytest.skip(f"test data {SCHABLONS} is absent (the shared data folder is not next to the project)")
    with SCHABLONS.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["kommun"] == "Kristianstad"]
    return {(row["insats"], row["condition"]): Decimal(row["minutes"]) for row in rows}


def test_kristianstad_values_are_the_ones_the_hand_sums_assume(kristianstad: dict) -> None:
    assert kristianstad[("Dusch", "")] == 40
    assert kristianstad[("Morgonhjälp", "")] == 15
    assert kristianstad[("Städning", "kund har omvårdnad och service")] == 70


def test_kristianstad_morning_help_every_day(kristianstad: dict) -> None:
    morning = item(kristianstad[("Morgonhjälp", "")], 1, "day", d(2024, 1, 1))
    # 15 min × 1/day, January 2024: 15 · 31 = 465
    assert granted_minutes(morning, 2024, 1) == 465


def test_kristianstad_shower_weekly_with_two_staff_in_a_leap_february(kristianstad: dict) -> None:
    shower = item(kristianstad[("Dusch", "")], 1, "week", d(2024, 1, 1), double=True)
    # 40 min × 1/week, February 2024 (29 days), two staff: 40/7 · 29 · 2 = 2320/7 ≈ 331.43
    assert granted_minutes(shower, 2024, 2) == Fraction(2320, 7)
    assert as_decimal_minutes(granted_minutes(shower, 2024, 2)) == Decimal("331.43")


def test_kristianstad_recipient_starting_mid_month(kristianstad: dict) -> None:
    start = d(2024, 4, 16)  # 16..30 April = 15 days
    items = [
        item(kristianstad[("Morgonhjälp", "")], 1, "day", start),  # 15 · 15 = 225
        item(kristianstad[("Dusch", "")], 2, "week", start),  # 40·2/7 · 15 = 1200/7
    ]
    # 225 + 1200/7 = (1575 + 1200)/7 = 2775/7 ≈ 396.43
    assert granted_minutes_total(items, 2024, 4) == Fraction(2775, 7)
    assert as_decimal_minutes(granted_minutes_total(items, 2024, 4)) == Decimal("396.43")


def test_kristianstad_cleaning_every_other_week(kristianstad: dict) -> None:
    cleaning = item(kristianstad[("Städning", "kund har omvårdnad och service")], "0.5", "week", d(2024, 1, 1))
    # 70 min × 0.5/week: 70·0.5/7 = 5 min a day; January 2024: 5 · 31 = 155
    assert granted_minutes(cleaning, 2024, 1) == 155
