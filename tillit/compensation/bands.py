"""Time bands turned into UTC intervals for the engine, and the versions in force in a month.

A band is local clock time on some weekdays (public holidays count as Sundays, from the
`holidays` package, Sweden); each day it occurs becomes one UTC interval, so daylight-saving
days have the right length (a night band over the spring change is one hour shorter).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from tillit.common.periods import Month
from tillit.compensation.rules import DAYS, Rules

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = datetime.timezone.utc


@dataclass(frozen=True)
class VersionSpan:
    """A model version's rules and the days of the month it governs: [first, until)."""

    valid_from: datetime.date
    first: datetime.date
    until: datetime.date
    rules: Rules


@cache
def _holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("SE", years=year))


def day_kind(day: datetime.date) -> str:
    """mon … sun; a public holiday is a Sunday."""
    return "sun" if day in _holidays(day.year) else DAYS[day.weekday()]


def _utc(day: datetime.date, clock: datetime.time) -> datetime.datetime:
    """A local wall-clock time as a naive UTC instant (a time in the spring gap moves forward)."""
    local = datetime.datetime.combine(day, clock, tzinfo=STOCKHOLM)
    return local.astimezone(UTC).replace(tzinfo=None)


def band_intervals(provider_id: int, spans: list[VersionSpan], month: Month) -> list[dict[str, Any]]:
    """Every occurrence of every band around the month, for the engine's `bands` table.

    A day one before and after the month is included: a visit late on the last day runs into
    the next, and a night band that began the day before covers the first morning.
    """
    rows = []
    for span in spans:
        day = max(span.first, month.first_day) - datetime.timedelta(days=1 if span.first == month.first_day else 0)
        last = span.until if span.until > month.last_day else span.until - datetime.timedelta(days=1)
        while day <= last:
            kind = day_kind(day)
            for band in span.rules.time_bands:
                if kind in band.days:
                    end_day = day + datetime.timedelta(days=1) if band.wraps else day
                    rows.append({"provider_id": provider_id, "version_from": span.valid_from, "band": band.code,
                                 "start_utc": _utc(day, band.start), "end_utc": _utc(end_day, band.end)})
            day += datetime.timedelta(days=1)
    return rows


def version_spans(versions: list[tuple[datetime.date, Rules]], month: Month) -> list[VersionSpan]:
    """The versions that govern days of the month, each with its days (split on valid_from)."""
    ordered = sorted(versions, key=lambda item: item[0])
    end = month.last_day + datetime.timedelta(days=1)
    spans = []
    for index, (valid_from, rules) in enumerate(ordered):
        until = ordered[index + 1][0] if index + 1 < len(ordered) else end
        first, until = max(valid_from, month.first_day), min(until, end)
        if first < until:
            spans.append(VersionSpan(valid_from, first, until, rules))
    return spans
