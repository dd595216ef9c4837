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


WINDOW_DAYS = 3


def window(month: Month) -> tuple[datetime.datetime, datetime.datetime]:
    """The UTC instants the intervals of a month cover: local midnight WINDOW_DAYS before its
    first day to local midnight WINDOW_DAYS after the day after its last."""
    return (_utc(month.first_day - datetime.timedelta(days=WINDOW_DAYS), datetime.time()),
            _utc(month.last_day + datetime.timedelta(days=WINDOW_DAYS + 1), datetime.time()))


def band_intervals(provider_id: int, spans: list[VersionSpan], month: Month) -> list[dict[str, Any]]:
    """Every second around the month in exactly one interval, for the engine's `intervals` table:
    each occurrence of a band, and the time between occurrences as the band "".

    A few days before and after the month are included (`window`): a visit late on the last day
    runs into the next, a night band that began the day before covers the first morning, and a
    visit may be registered a little outside the month it was planned in. Where the bands
    of two versions meet at a version's date and overlap, the earlier occurrence keeps the time.
    Each interval is listed under every UTC day (`key_day`) whose visits it can touch (a visit
    lasts at most 16 hours, so it ends before the day after next): the engine joins on equality.
    `seen_until` is the end of the band's previous interval, so that the engine counts a visit
    once per band even when it passes through the band twice; `version_before`, `boundary` and
    `version_after` say which version a visit starting on the key day belongs to.
    """
    window_start, window_end = window(month)
    occurrences = []
    for index, span in enumerate(spans):
        # the first version also governs the days before the month, the last those after it
        day = span.first - datetime.timedelta(days=WINDOW_DAYS) if index == 0 else span.first
        last = (span.until + datetime.timedelta(days=WINDOW_DAYS) if index + 1 == len(spans)
                else span.until - datetime.timedelta(days=1))
        while day <= last:
            kind = day_kind(day)
            for band in span.rules.time_bands:
                if kind in band.days:
                    end_day = day + datetime.timedelta(days=1) if band.wraps else day
                    occurrences.append((_utc(day, band.start), _utc(end_day, band.end), band.code))
            day += datetime.timedelta(days=1)
    partition: list[list[Any]] = []  # [start, end, band], in time order
    reached = window_start
    for start, end, code in sorted(occurrences):
        start = max(start, reached)
        if end <= start:
            continue
        if start > reached:
            _extend(partition, reached, start, "")
        _extend(partition, start, end, code)
        reached = end
    if reached < window_end:
        _extend(partition, reached, window_end, "")
    starts = [(_utc(span.first, datetime.time()), span.valid_from) for span in spans[1:]]
    rows = []
    previous: dict[str, datetime.datetime] = {}  # band → end of its latest interval so far
    for start, end, code in partition:
        # a visit that began before this end already passed through the band: count it once
        seen_until = previous.get(code)
        previous[code] = end
        key = start.date() - datetime.timedelta(days=1)
        while key <= (end - datetime.timedelta(microseconds=1)).date():
            rows.append({"provider_id": provider_id, "key_day": key, "band": code, "start_utc": start,
                         "end_utc": end, "seen_until": seen_until, **_versions_of_day(spans, starts, key)})
            key += datetime.timedelta(days=1)
    return rows


def _versions_of_day(spans: list[VersionSpan], starts: list[tuple[datetime.datetime, datetime.date]],
                     day: datetime.date) -> dict[str, Any]:
    """For visits starting on a UTC day: the version in force at its midnight, and the instant
    (if any) that day when the next takes effect (versions start at local midnight: at most one a day)."""
    midnight = datetime.datetime.combine(day, datetime.time())
    before = spans[0].valid_from if spans else None
    boundary = after = None
    for instant, valid_from in starts:
        if instant <= midnight:
            before = valid_from
        elif instant < midnight + datetime.timedelta(days=1):
            boundary, after = instant, valid_from
    return {"version_before": before, "boundary": boundary, "version_after": after}


def _extend(partition: list[list[Any]], start: datetime.datetime, end: datetime.datetime, code: str) -> None:
    """Add an interval, joined to the one before when it continues the same band."""
    if partition and partition[-1][2] == code and partition[-1][1] == start:
        partition[-1][1] = end
    else:
        partition.append([start, end, code])


def version_bounds(provider_id: int, spans: list[VersionSpan]) -> list[dict[str, Any]]:
    """Each version's days of the month as local dates [first, until), for the engine's
    `versions` table (granted time; a visit's version comes with its band's interval)."""
    return [{"provider_id": provider_id, "version_from": span.valid_from, "first_day": span.first,
             "until_day": span.until} for span in spans]


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
