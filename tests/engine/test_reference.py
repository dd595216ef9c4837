"""The engine's integer granted time equals the exact definition (tillit.common.granted_time)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from fractions import Fraction

import pyarrow as pa

from tillit.common.granted_time import GrantedIntervention, granted_minutes
from tillit.common.periods import Month
from tillit.engine.reference import GRANTED_LINES, granted

MINUTES = (Decimal("15"), Decimal("7.5"), Decimal("96"), Decimal("0.01"))
FREQUENCIES = (Decimal("1"), Decimal("3"), Decimal("2.5"), Decimal("0.3333"))
SPANS = ((datetime.date(2023, 12, 20), None), (datetime.date(2024, 2, 10), datetime.date(2024, 2, 29)),
         (datetime.date(2024, 1, 31), datetime.date(2024, 3, 1)), (datetime.date(2024, 2, 29), datetime.date(2024, 2, 29)))


def test_integer_granted_seconds_equal_the_exact_definition():
    cases = list(itertools.product(MINUTES, FREQUENCIES, ("day", "week", "month"), (False, True), SPANS))
    for month in (Month(2024, 1), Month(2024, 2), Month(2024, 3), Month(2023, 2)):
        lines, exact = [], {}
        for recipient, (minutes, frequency, period, double, (start, end)) in enumerate(cases):
            item = GrantedIntervention(standard_minutes=minutes, frequency=frequency, period=period,
                                       double_staffing=double, active_from=start, active_to=end)
            units = int(minutes * 100) * int(frequency * 10_000) * (2 if double else 1)
            lines.append({"provider_id": 1, "recipient_id": recipient, "active_from": start, "active_to": end,
                          "units": units, "period": period})
            exact[recipient] = granted_minutes(item, month.year, month.month)
        table = granted(month, pa.Table.from_pylist(lines, schema=GRANTED_LINES)).to_pylist()
        got = {row["recipient_id"]: row["granted_seconds"] for row in table}
        for recipient, minutes in exact.items():
            # whole seconds, half up; a line not active in the month gives no row (0)
            assert got.get(recipient, 0) == int(minutes * 60 + Fraction(1, 2)), (month, cases[recipient])
