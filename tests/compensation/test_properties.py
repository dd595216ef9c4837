"""Properties of pricing (hypothesis): a total is the sum of its lines; a month split into two
versions with the same rules pays exactly what the whole month pays for time; pricing twice
gives the same lines. The quantities are given to the engine as tables, so the lines are priced
by the same SQL a statement run uses, and checked here with plain decimal arithmetic."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pyarrow as pa
from hypothesis import given, settings, strategies as st

from tillit.common.periods import Month
from tillit.compensation import recipes
from tillit.compensation.bands import VersionSpan
from tillit.compensation.rules import parse_rules
from tillit.engine.compensation import RECIPIENTS, Quantities

RULES = parse_rules({
    "basis": "performed",
    "time_bands": {"day": {"from": "07:00", "to": "22:00"}, "night": {"from": "22:00", "to": "07:00"}},
    "hourly": [{"band": "day", "rate": "516"}, {"band": "night", "category": "omvardnad", "rate": "611.37"},
               {"band": "night", "rate": "498.5"}],
    "per_visit": [{"band": "night", "amount": "260"}],
})
MARCH, MIDDLE, APRIL = datetime.date(2024, 3, 1), datetime.date(2024, 3, 16), datetime.date(2024, 4, 1)
CATEGORIES = {"MORG": "omvardnad", "STAD": "service"}

rows = st.lists(st.tuples(
    st.integers(1, 5),  # recipient
    st.sampled_from(["omvardnad", "service"]),
    st.sampled_from(["day", "night"]),  # the bands cover the whole day: no second is outside them
    st.integers(0, 40 * 3600),  # seconds in the first half
    st.integers(0, 40 * 3600),  # seconds in the second half
), max_size=12)


TIME_ROWS = pa.schema([("provider_id", pa.int64()), ("recipient_id", pa.int64()), ("category", pa.string()),
                       ("codes_key", pa.string()), ("version_from", pa.date32()), ("band", pa.string()),
                       ("seconds", pa.int64()), ("visits", pa.int32())])
VISIT_ROWS = pa.schema([("provider_id", pa.int64()), ("recipient_id", pa.int64()), ("status", pa.string()),
                        ("codes_key", pa.string()), ("staff", pa.int32()), ("version_from", pa.date32()),
                        ("band", pa.string()), ("visits", pa.int32()), ("planned_seconds", pa.int64()),
                        ("performed_seconds", pa.int64())])
GRANTED = pa.schema([("provider_id", pa.int64()), ("recipient_id", pa.int64()), ("category", pa.string()),
                     ("version_from", pa.date32()), ("units", pa.int64()), ("decisions", pa.list_(pa.string()))])


def price(month):
    spans, time_rows = month
    quantities = Quantities.of_tables(Month(2024, 3), {
        "time_rows": pa.Table.from_pylist([{"provider_id": 1, "visits": 1, **row} for row in time_rows], schema=TIME_ROWS),
        "visit_rows": pa.Table.from_pylist([], schema=VISIT_ROWS),
        "granted": pa.Table.from_pylist([], schema=GRANTED),
        "recipients": pa.Table.from_pylist([{"recipient_id": n, "zone": ""} for n in range(1, 6)], schema=RECIPIENTS),
    })
    try:
        return list(recipes.price(quantities, {1: recipes.Priced("private", spans)}, CATEGORIES, {})[1])
    finally:
        quantities.close()


def _month(spans, time_rows):
    return spans, time_rows


def _whole(data):
    spans = [VersionSpan(MARCH, MARCH, APRIL, RULES)]
    return _month(spans, [{"recipient_id": r, "category": c, "codes_key": "MORG" if c == "omvardnad" else "STAD",
                           "version_from": MARCH, "band": b, "seconds": s1 + s2} for r, c, b, s1, s2 in data])


def _halves(data):
    second = datetime.date(2024, 3, 16)
    spans = [VersionSpan(MARCH, MARCH, MIDDLE, RULES), VersionSpan(second, MIDDLE, APRIL, RULES)]
    time_rows = []
    for r, c, b, s1, s2 in data:
        key = "MORG" if c == "omvardnad" else "STAD"
        time_rows.append({"recipient_id": r, "category": c, "codes_key": key, "version_from": MARCH, "band": b, "seconds": s1})
        time_rows.append({"recipient_id": r, "category": c, "codes_key": key, "version_from": second, "band": b, "seconds": s2})
    return _month(spans, time_rows)


def _exact_by_recipient(lines) -> dict[int, Fraction]:
    totals: dict[int, Fraction] = {}
    for line in lines:
        totals[line.recipient_id] = totals.get(line.recipient_id, Fraction(0)) + line.exact_amount
    return {k: v for k, v in totals.items() if v}


@settings(max_examples=60, deadline=None)
@given(rows)
def test_each_line_is_its_exact_amount_rounded_half_up_and_the_total_their_sum(data):
    """Checked with plain decimal arithmetic at 50 digits (independent of the Fraction path)."""
    from decimal import ROUND_HALF_UP, localcontext

    lines = price(_whole(data))
    with localcontext() as context:
        context.prec = 50
        for line in lines:
            exact = Decimal(line.quantity.numerator) / Decimal(line.quantity.denominator) * line.rate
            assert line.amount == exact.quantize(Decimal("0.01"), ROUND_HALF_UP)
    seconds = sum(s1 + s2 for _r, _c, _b, s1, s2 in data)
    assert sum(line.quantity for line in lines) == Fraction(seconds, 3600)  # every second priced once
    total = sum((line.amount for line in lines), Decimal("0.00"))
    assert abs(Fraction(total) - sum((line.exact_amount for line in lines), Fraction(0))) <= Fraction(1, 200) * len(lines)


@settings(max_examples=60, deadline=None)
@given(rows)
def test_two_halves_pay_exactly_the_whole_month_for_time(data):
    assert _exact_by_recipient(price(_halves(data))) == _exact_by_recipient(price(_whole(data)))


@settings(max_examples=30, deadline=None)
@given(rows)
def test_pricing_twice_gives_the_same_lines(data):
    first = [(l.recipient_id, l.component, l.band, l.quantity, l.rate, l.amount) for l in price(_whole(data))]
    again = [(l.recipient_id, l.component, l.band, l.quantity, l.rate, l.amount) for l in price(_whole(data))]
    assert first == again


CAPPED = parse_rules({**{"basis": "performed_capped", "cap_percent": "80"},
                      "time_bands": {"day": {"from": "07:00", "to": "22:00"}, "night": {"from": "22:00", "to": "07:00"}},
                      "hourly": [{"band": "day", "rate": "516.33"}, {"band": "night", "rate": "611.37"}]})


@settings(max_examples=40, deadline=None)
@given(rows, st.lists(st.integers(0, 3 * 10**12), min_size=5, max_size=5))
def test_stored_values_equal_each_lines_exact_values_rounded(data, granted_units):
    """What a statement stores (the engine's whole-number rounding) equals each line's exact
    quantity and minutes rounded half up, with the cap's share biting or not."""
    spans, time_rows = _whole(data)
    quantities = Quantities.of_tables(Month(2024, 3), {
        "time_rows": pa.Table.from_pylist([{"provider_id": 1, "visits": 1, **row} for row in time_rows], schema=TIME_ROWS),
        "visit_rows": pa.Table.from_pylist([], schema=VISIT_ROWS),
        "granted": pa.Table.from_pylist([
            {"provider_id": 1, "recipient_id": r, "category": c, "version_from": MARCH, "units": units, "decisions": ["B"]}
            for r, units in enumerate(granted_units, start=1) for c in ("omvardnad", "service")], schema=GRANTED),
        "recipients": pa.Table.from_pylist([{"recipient_id": n, "zone": ""} for n in range(1, 6)], schema=RECIPIENTS),
    })
    try:
        lines = recipes.price(quantities, {1: recipes.Priced("private", [VersionSpan(MARCH, MARCH, APRIL, CAPPED)])},
                              CATEGORIES, {})[1]
        fast = list(lines.stored())
        lines.lines()  # read as Lines: stored() now rounds each line's exact fractions
        assert fast == list(lines.stored())
    finally:
        quantities.close()
