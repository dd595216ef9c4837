"""Edges of splitting time by version and band, by hand: a version taking effect mid-month
(a visit belongs wholly to the version in force at its start, night fees on the first night of
the new version), and a visit that passes through the same band twice (counted once)."""

from __future__ import annotations

from decimal import Decimal

from tests.compensation.test_bases import _contract, _lines
from tests.engine.builders import deliver_visits
from tests.ledger.helpers import visit

INDEXED = """
name = "Natt per besök, indexering den 15 mars"
[[versions]]
valid_from = 2024-01-01
basis = "performed"
[versions.time_bands]
day = { from = "07:00", to = "22:00" }
night = { from = "22:00", to = "07:00" }
[[versions.hourly]]
rate = "400"
[[versions.per_visit]]
band = "night"
amount = "200"
[[versions]]
valid_from = 2024-03-15
basis = "performed"
[versions.time_bands]
day = { from = "07:00", to = "22:00" }
night = { from = "22:00", to = "07:00" }
[[versions.hourly]]
rate = "410"
[[versions.per_visit]]
band = "night"
amount = "210"
"""


def test_a_visit_belongs_to_the_version_in_force_at_its_start(ledger):
    """n1 23:30 on the 14th – 00:30 on the 15th: 1 h at the old rate 400 and the old night fee
    200, though half of it falls after the new version's date. n2 02:00–02:30 on the 15th, under
    the night band that began on the 14th: the new version, 0.5 h × 410 = 205 and the new fee
    210. d1 06:30–07:30 on the 15th: 1 h × 410, night at its start: 210."""
    _contract(ledger, INDEXED, "2024-01-01")
    deliver_visits(ledger, [
        visit("n1", "2024-03-14 23:30", "2024-03-15 00:30"),
        visit("n2", "2024-03-15 02:00", "2024-03-15 02:30"),
        visit("d1", "2024-03-15 06:30", "2024-03-15 07:30"),
    ])
    lines, total = _lines(ledger, "2024-03")
    assert lines == sorted([
        ("P:r1", "time", "night", "", "1.0000", "400.00", "400.00"),
        ("P:r1", "per_visit", "night", "", "1.0000", "200.00", "200.00"),
        ("P:r1", "time", "night", "", "1.0000", "410.00", "410.00"),  # n2 30 min + d1 30 min of night
        ("P:r1", "time", "day", "", "0.5000", "410.00", "205.00"),
        ("P:r1", "per_visit", "night", "", "2.0000", "210.00", "420.00"),
    ])
    assert total == Decimal("1635.00")


LUNCH = """
name = "Lunchband"
[[versions]]
valid_from = 2024-01-01
basis = "performed"
[versions.time_bands]
lunch = { from = "11:00", to = "13:00" }
[[versions.hourly]]
band = "lunch"
rate = "500"
[[versions.hourly]]
rate = "400"
"""


def test_a_visit_through_a_band_twice_is_one_visit_of_it(ledger):
    """l1 10:30–13:30: 2 h of lunch at 500 and 30 + 30 min outside every band at 400, one visit
    in each; l2 14:00–15:00: 1 h outside, a second visit there."""
    _contract(ledger, LUNCH, "2024-01-01")
    deliver_visits(ledger, [visit("l1", "2024-03-05 10:30", "2024-03-05 13:30"),
                            visit("l2", "2024-03-05 14:00", "2024-03-05 15:00")])
    lines, total = _lines(ledger, "2024-03")
    assert lines == sorted([
        ("P:r1", "time", "lunch", "", "2.0000", "500.00", "1000.00"),
        ("P:r1", "time", "", "", "2.0000", "400.00", "800.00"),
    ])
    from tillit.compensation.models import StatementLine
    visits = {line.band: line.detail["visits"] for line in StatementLine.objects.filter(component="time")}
    assert visits == {"lunch": 1, "": 2}
    assert total == Decimal("1800.00")
