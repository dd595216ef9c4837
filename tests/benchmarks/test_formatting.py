"""Swedish numbers and the chart's axis: what the reader of the page and the PDF sees."""

from __future__ import annotations

from decimal import Decimal as D

from tillit.common.numbers import decimals_for, format_sv
from tillit.web.charts import trend_chart


def test_swedish_number_formatting():
    assert format_sv(D("12345.678"), 0) == "12\u00a0346"
    assert format_sv(D("12345.678"), 1) == "12\u00a0345,7"
    assert format_sv(D("-3.25"), 1) == "\u22123,3"  # half up, typographic minus
    assert format_sv(D("-0.04"), 1) == "0,0"
    assert format_sv(None) == "–"
    assert format_sv(D("1000000"), 0) == "1\u00a0000\u00a0000"


def test_decimals_follow_the_size_of_the_series():
    assert decimals_for([D("777.7"), D("432.1")]) == 0
    assert decimals_for([D("31.3"), None]) == 1
    assert decimals_for([D("0.42")]) == 2
    assert decimals_for([None]) == 0


def test_axis_ticks_show_the_decimals_of_their_step():
    chart = trend_chart([2019, 2020], [(D("35.8"), False), (D("40.8"), True)], [D("35.6"), D("38.3")],
                        [D("33"), D("37")], [D("37"), D("39.5")])
    labels = [tick.label for tick in chart.y_ticks]
    assert labels == ["32", "34", "36", "38", "40", "42"]
    assert [dot.hollow for dot in chart.ours_dots] == [False, True]  # the uncertain value is drawn open
    assert chart.band_path.endswith("Z") and chart.median_path.startswith("M")


def test_a_year_without_our_value_breaks_the_line():
    chart = trend_chart([2018, 2019, 2020], [(D(1), False), (None, False), (D(3), False)], [None] * 3, [None] * 3,
                        [None] * 3)
    assert chart.ours_path.count("M") == 2
    assert trend_chart([], [], [], [], []).empty
