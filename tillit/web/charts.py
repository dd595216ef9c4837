"""Trend charts drawn on the server as SVG: no JavaScript, no network, the same in the PDF.

Only geometry is computed here; templates/web/benchmarks/chart.html draws it. Every chart has
a data table beside it on the page (the accessible alternative; WCAG 1.1.1 and 1.4.1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from tillit.common.numbers import format_sv

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 14, 30


@dataclass
class Dot:
    x: float
    y: float
    hollow: bool  # an uncertain value: drawn open, and marked in the table


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    ours_path: str = ""
    ours_dots: list[Dot] = field(default_factory=list)
    median_path: str = ""
    band_path: str = ""
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not (self.ours_path or self.median_path or self.band_path or self.ours_dots)


def _nice_step(span: float, count: int = 4) -> float:
    """A step of 1, 2, 2.5 or 5 × 10^k that cuts `span` into about `count` parts."""
    raw = span / count if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _path(points: list[tuple[float, float] | None]) -> str:
    """A polyline that breaks where a year has no value."""
    parts, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point[0]:.1f},{point[1]:.1f}")
        pen_down = True
    return " ".join(parts)


def trend_chart(
    years: list[int],
    ours: list[tuple[Decimal | None, bool]],
    median: list[Decimal | None],
    low: list[Decimal | None],
    high: list[Decimal | None],
) -> Chart:
    """Our line (dots; open when uncertain), the group's median (dashed) and range (a band)."""
    chart = Chart()
    values = [float(v) for v in [*(o[0] for o in ours), *median, *low, *high] if v is not None]
    if not years or not values:
        return chart
    lowest, highest = min(values), max(values)
    if lowest == highest:
        lowest, highest = lowest - 1, highest + 1
    step = _nice_step(highest - lowest)
    start = math.floor(lowest / step) * step
    stop = math.ceil(highest / step) * step
    if lowest >= 0 and start < 0:
        start = 0.0
    width = chart.plot_right - chart.plot_left
    height = chart.plot_bottom - chart.plot_top

    def x(index: int) -> float:
        return chart.plot_left + (width * (index + 0.5) / len(years))

    def y(value: Decimal | float) -> float:
        return chart.plot_bottom - height * (float(value) - start) / (stop - start)

    chart.x_ticks = [Tick(x(i), str(year)) for i, year in enumerate(years)]
    # A tick shows as many decimals as its step has (2.5 → one), or 37.5 would read "38".
    step_decimals = max(0, -Decimal(str(step)).normalize().as_tuple().exponent)  # type: ignore[operator]
    ticks, value = [], start
    while value <= stop + step / 1000:
        ticks.append(Tick(y(value), format_sv(Decimal(str(round(value, 6))), step_decimals)))
        value += step
    chart.y_ticks = ticks
    chart.ours_path = _path([(x(i), y(v)) if v is not None else None for i, (v, _u) in enumerate(ours)])
    chart.ours_dots = [Dot(x(i), y(v), uncertain) for i, (v, uncertain) in enumerate(ours) if v is not None]
    chart.median_path = _path([(x(i), y(v)) if v is not None else None for i, v in enumerate(median)])
    upper = [(x(i), y(h)) for i, h in enumerate(high) if h is not None and low[i] is not None]
    lower = [(x(i), y(lo)) for i, lo in enumerate(low) if lo is not None and high[i] is not None]
    if len(upper) >= 2:
        chart.band_path = _path(upper + lower[::-1]) + " Z"
    return chart
