"""Wall-clock arithmetic for visits: times as whole minutes counted from a base, written fast.

Visits are generated as naive Europe/Stockholm wall-clock minutes. A time is the number of
minutes since midnight of the day *before* the first day of data (so early registrations on the
first day stay positive). The hour skipped in spring does not exist as a wall time; `Clock.fix`
moves a time in that gap forward one hour, which is what a device clock shows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DAY = 1440


def add_months(d: date, months: int) -> date:
    """The first day of the month `months` after `d`'s month."""
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def _exists(day: date, minute: int) -> bool:
    """Whether a local wall time exists (round trip through UTC gives it back)."""
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=STOCKHOLM)
    back = local.astimezone(ZoneInfo("UTC")).astimezone(STOCKHOLM)
    return (back.hour, back.minute) == (local.hour, local.minute)


def spring_gaps(first: date, days: int) -> list[tuple[date, int, int]]:
    """(day, first missing minute of day, first minute after the gap) for each spring change."""
    gaps = []
    for n in range(days):
        day = first + timedelta(days=n)
        if day.month != 3 or day.weekday() != 6:
            continue
        offsets = [datetime(day.year, day.month, day.day, h, tzinfo=STOCKHOLM).utcoffset() for h in (0, 5)]
        if offsets[0] < offsets[1]:
            missing = [m for m in range(0, 6 * 60) if not _exists(day, m)]
            gaps.append((day, missing[0], missing[-1] + 1))
    return gaps


class Clock:
    """Formats minute counts as `YYYY-MM-DD HH:MM` and knows the spring gaps of the period."""

    def __init__(self, first: date, days: int) -> None:
        base = first - timedelta(days=1)
        self.days = days
        # day strings for the day before the period up to two days after it
        self.day_str = [(base + timedelta(days=n)).isoformat() + " " for n in range(days + 4)]
        self.hm = [f"{m // 60:02d}:{m % 60:02d}" for m in range(DAY)]
        self.gaps = [((n := (g[0] - base).days) * DAY + g[1], n * DAY + g[2])
                     for g in spring_gaps(first, days)]
        # days (index from `first`) on which a time might touch a gap: the gap day and the day before
        self.near_gap = bytearray(days)
        for lo, _hi in self.gaps:
            d = lo // DAY - 1
            for k in (d - 1, d):
                if 0 <= k < days:
                    self.near_gap[k] = 1

    def day_minute(self, day_index: int) -> int:
        """Minute count of midnight starting day `day_index` (0 = first day of data)."""
        return (day_index + 1) * DAY

    def fix(self, t: int) -> int:
        """Move a time that falls in a spring gap forward by the gap's length."""
        for lo, hi in self.gaps:
            if lo <= t < hi:
                return t + (hi - lo)
        return t

    def fmt(self, t: int) -> str:
        d, m = divmod(t, DAY)
        return self.day_str[d] + self.hm[m]
