"""Small inline SVG charts drawn on the server (no script, no network).

A chart is decoration for the eye: it is aria-hidden, and every page that shows one also
shows the same figures as a table (WCAG 2.1 AA, 1.1.1).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 240, 56, 5


def trend_svg(points: list[tuple[str, Decimal | None]], *, percent: bool = False) -> SafeString:
    """A line over the months that have a value; gaps where a month has none."""
    values = [float(value) for _, value in points if value is not None]
    if not values:
        return mark_safe("")
    low, high = (0.0, 100.0) if percent else (min(0.0, min(values)), max(values))
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def xy(index: int, value: Decimal) -> tuple[float, float]:
        return PAD + index * step, HEIGHT - PAD - (float(value) - low) / span * (HEIGHT - 2 * PAD)

    segments: list[list[tuple[float, float]]] = [[]]
    for index, (_, value) in enumerate(points):
        if value is None:
            segments.append([])
        else:
            segments[-1].append(xy(index, value))
    lines = format_html_join(
        "", '<polyline points="{}" fill="none" stroke="currentColor" stroke-width="2"/>',
        ((" ".join(f"{x:.1f},{y:.1f}" for x, y in segment),) for segment in segments if len(segment) > 1),
    )
    dots = format_html_join(
        "", '<circle cx="{}" cy="{}" r="2.5" fill="currentColor"/>',
        ((f"{x:.1f}", f"{y:.1f}") for segment in segments for x, y in segment),
    )
    return format_html(
        '<svg class="trend" viewBox="0 0 {} {}" width="{}" height="{}" aria-hidden="true" focusable="false">'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="trend__axis"/>{}{}</svg>',
        WIDTH, HEIGHT, WIDTH, HEIGHT, PAD, HEIGHT - PAD, WIDTH - PAD, HEIGHT - PAD, lines, dots,
    )
