"""The time-zone rules of a year as plain data, so that SQL can turn local times into UTC.

Times in delivery files without an offset are Europe/Stockholm wall-clock time (PRODUCT.md,
"Local time"). A year has at most one hour that does not exist (spring, the gap) and one that
exists twice (autumn, the fold). `year_rules` reads them from the tz database (zoneinfo) so
the engine can join visits to their year's rule instead of converting row by row in Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_UTC = datetime.timezone.utc


@dataclass(frozen=True)
class YearRule:
    """How local wall-clock time maps to UTC in one calendar year.

    Local times before `gap_from` and from `fold_to` on are at `winter_minutes` east of UTC;
    from `gap_to` up to `fold_from` at `summer_minutes`. Local times in [gap_from, gap_to) do
    not exist; those in [fold_from, fold_to) exist twice: first at summer, then at winter time.
    A year without daylight-saving time has no gap and no fold.
    """

    year: int
    winter_minutes: int
    summer_minutes: int
    gap_from: datetime.datetime | None
    gap_to: datetime.datetime | None
    fold_from: datetime.datetime | None
    fold_to: datetime.datetime | None


def _offset_minutes(zone: ZoneInfo, instant: datetime.datetime) -> int:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def _transitions(zone: ZoneInfo, year: int) -> list[tuple[datetime.datetime, int, int]]:
    """(UTC instant, offset before, offset after) of each change in `year`.

    Looks day by day, then narrows a change down to the minute: a zone changes its offset at
    most once in a day (hour by hour took about a second for the years Tillit registers).
    """
    start = datetime.datetime(year, 1, 1, tzinfo=_UTC) - datetime.timedelta(hours=14)
    day = datetime.timedelta(days=1)
    changes = []
    previous = _offset_minutes(zone, start)
    for days in range(1, 368):
        instant = start + days * day
        current = _offset_minutes(zone, instant)
        if current != previous:
            # Bisect to the minute: transitions fall on whole minutes.
            low = instant - day
            while (instant - low) > datetime.timedelta(minutes=1):
                middle = low + (instant - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    break
                if _offset_minutes(zone, middle) == previous:
                    low = middle
                else:
                    instant = middle
            if (instant + datetime.timedelta(minutes=current)).year == year:
                changes.append((instant, previous, current))
            previous = current
    return changes


def year_rules(tz: str, first_year: int, last_year: int) -> list[YearRule]:
    """The rule of every year from `first_year` to `last_year` inclusive."""
    zone = ZoneInfo(tz)
    rules = []
    for year in range(first_year, last_year + 1):
        changes = _transitions(zone, year)
        forward = [c for c in changes if c[2] > c[1]]
        back = [c for c in changes if c[2] < c[1]]
        if len(forward) > 1 or len(back) > 1:
            raise ValueError(f"{tz} changes its offset more than twice in {year}; not supported.")
        winter = _offset_minutes(zone, datetime.datetime(year, 1, 15, 12, tzinfo=_UTC))
        summer = forward[0][2] if forward else winter
        gap_from = gap_to = fold_from = fold_to = None
        if forward:
            instant, before, after = forward[0]
            gap_from = (instant + datetime.timedelta(minutes=before)).replace(tzinfo=None)
            gap_to = (instant + datetime.timedelta(minutes=after)).replace(tzinfo=None)
        if back:
            instant, before, after = back[0]
            fold_from = (instant + datetime.timedelta(minutes=after)).replace(tzinfo=None)
            fold_to = (instant + datetime.timedelta(minutes=before)).replace(tzinfo=None)
        rules.append(YearRule(year, winter, summer, gap_from, gap_to, fold_from, fold_to))
    return rules


@dataclass(frozen=True)
class OffsetChange:
    """Around one window of time: the UTC offset before `at` (UTC, naive) and from it on.

    Without a change in the window, `at` is None and both offsets are the same.
    """

    at: datetime.datetime | None
    before_minutes: int
    after_minutes: int


def offset_change(tz: str, start: datetime.datetime, end: datetime.datetime) -> OffsetChange:
    """The one offset change between the naive UTC instants `start` and `end`, if any.

    Lets SQL turn UTC into local time with a comparison instead of a time-zone lookup per row.
    A window with two changes (never within a month in Europe) is refused.
    """
    zone = ZoneInfo(tz)
    begin, finish = start.replace(tzinfo=_UTC), end.replace(tzinfo=_UTC)
    changes = [c for year in range(start.year, end.year + 1) for c in _transitions(zone, year)
               if begin <= c[0] < finish]
    if len(changes) > 1:
        raise ValueError(f"{tz} changes its offset more than once between {start} and {end}.")
    if not changes:
        offset = _offset_minutes(zone, begin)
        return OffsetChange(None, offset, offset)
    instant, before, after = changes[0]
    return OffsetChange(instant.replace(tzinfo=None), before, after)
