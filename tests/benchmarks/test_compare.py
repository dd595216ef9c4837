"""Median, range and rank: the definitions docs/benchmarks.md gives."""

from __future__ import annotations

from decimal import Decimal as D

from tillit.benchmarks.compare import Point, median, rank, year_row


def test_median_of_odd_and_even_counts():
    assert median([D(3), D(1), D(2)]) == D(2)
    assert median([D(4), D(1), D(3), D(2)]) == D("2.5")
    assert median([]) is None


def test_rank_one_is_the_highest_and_ties_share_a_place():
    assert rank(D(10), [D(5), D(7)]) == 1
    assert rank(D(5), [D(10), D(7)]) == 3
    assert rank(D(7), [D(10), D(7), D(1)]) == 2


def test_a_year_row_leaves_out_members_without_a_value_and_notes_uncertain_ones():
    ours = Point("0180", D("777.7"))
    members = [Point("1280", D("432.6")), Point("1480", D("523.7"), status="B"), Point("0123", None)]
    row = year_row(2012, ours, members, member_count=7, names={"1280": "Malmö", "1480": "Göteborg"})
    assert row.median == (D("432.6") + D("523.7")) / 2
    assert (row.low, row.low_name, row.high, row.high_name) == (D("432.6"), "Malmö", D("523.7"), "Göteborg")
    assert (row.with_value, row.members, row.rank, row.ranked) == (2, 7, 1, 3)
    assert row.group_uncertain


def test_without_our_value_there_is_no_rank():
    row = year_row(2012, None, [Point("1280", D(1))], member_count=1, names={})
    assert row.rank is None and row.ranked == 1
