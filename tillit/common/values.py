"""Parse single cell values from delivery files the way Swedish systems and Excel write them.

Every parser takes the (already stripped or not) text of one cell and either returns a Python
value or raises `ValueProblem` with a short sentence; the caller adds file, row and column.
Empty text is a problem for every parser except `parse_bool`: callers decide what an empty
optional value means before calling.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext

from tillit.common.errors import ApplicationError

UTC = datetime.timezone.utc

# YYYY-MM-DD or YYYYMMDD (the same separator twice), optionally followed by a midnight time,
# which is what a date cell read from Excel looks like ("2024-05-01 00:00:00").
_DATE = re.compile(
    r"(?P<y>\d{4})(?P<sep>-?)(?P<m>\d{2})(?P=sep)(?P<d>\d{2})(?:[ T](?P<time>\d{2}:\d{2}(?::\d{2})?))?",
    re.ASCII | re.IGNORECASE,
)
_MIDNIGHT = ("00:00", "00:00:00")

_DATETIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[ T](?P<h>\d{1,2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,](?P<frac>\d+))?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII | re.IGNORECASE,
)

# Spaces that Swedish number formatting uses between thousands (Excel writes a non-breaking one).
_GROUP_SPACES = " \u00a0\u202f\u2009"
_NUMBER = re.compile(
    rf"(?P<sign>[-+]?)(?P<int>\d{{1,3}}(?:[{_GROUP_SPACES}]\d{{3}})+|\d*)(?:[.,](?P<frac>\d+))?",
    re.ASCII,
)

_TRUE = frozenset({"1", "ja", "yes", "true", "x", "sant"})  # SANT/FALSKT: Swedish Excel's TRUE/FALSE
_FALSE = frozenset({"0", "nej", "no", "false", "", "falskt"})


def _(message: str) -> str:
    """Translate when Django is set up; plain English in scripts and bare unit tests."""
    return gettext(message) if settings.configured else message


class ValueProblem(ApplicationError):
    """One cell's value could not be read; the message is the reason, callers add where."""

    code = "value.invalid"


def parse_date(text: str) -> datetime.date:
    """Read a date written YYYY-MM-DD (or YYYYMMDD, or with a midnight time from Excel)."""
    value = text.strip()
    match = _DATE.fullmatch(value)
    if match is None:
        raise ValueProblem(
            _('"%(value)s" is not a date; write dates as YYYY-MM-DD.') % {"value": value}, value=value
        )
    if match["time"] is not None and match["time"] not in _MIDNIGHT:
        raise ValueProblem(
            _('"%(value)s" has a time of day; give only the date (YYYY-MM-DD).') % {"value": value},
            value=value,
        )
    try:
        return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise ValueProblem(_("The date %(value)s does not exist.") % {"value": value}, value=value) from None


def parse_bool(text: str) -> bool:
    """Read a yes/no cell: 1/0, ja/nej, yes/no, true/false, sant/falskt, or x/empty."""
    value = text.strip()
    folded = value.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueProblem(
        _('"%(value)s" is not a yes/no value; use ja or nej, 1 or 0, or x for yes and an empty cell for no.')
        % {"value": value},
        value=value,
    )


def parse_decimal(text: str) -> decimal.Decimal:
    """Read a number with a decimal comma or point and optional spaces between thousands."""
    value = text.strip()
    # Excel and some Swedish locales write the real minus sign, not a hyphen.
    match = _NUMBER.fullmatch(value.replace("\u2212", "-"))
    if match is None or not (match["int"] or match["frac"]):
        raise ValueProblem(
            _('"%(value)s" is not a number; use digits with a decimal comma or point, for example 1 234,50.')
            % {"value": value},
            value=value,
        )
    digits = "".join(ch for ch in match["int"] if ch.isdigit()) or "0"
    fraction = f".{match['frac']}" if match["frac"] else ""
    return decimal.Decimal(f"{match['sign']}{digits}{fraction}")


def parse_int(text: str) -> int:
    """Read a whole number; "12,0" is accepted because spreadsheets like to write it that way."""
    number = parse_decimal(text)
    if number != number.to_integral_value():
        value = text.strip()
        raise ValueProblem(_('"%(value)s" is not a whole number.') % {"value": value}, value=value)
    return int(number)


@dataclass(frozen=True)
class ParsedTime:
    """A point in time read from a file, keeping both readings of an autumn repeated hour."""

    utc: datetime.datetime
    ambiguous: bool = False
    alternative_utc: datetime.datetime | None = None


def parse_local_datetime(text: str, *, tz: str = "Europe/Stockholm") -> ParsedTime:
    """Read a local wall time ("YYYY-MM-DD HH:MM[:SS]") or an ISO 8601 time with an offset.

    Local times are read in `tz`. A time skipped when summer time begins raises `ValueProblem`
    with code "time.nonexistent"; a time repeated when it ends comes back as the earlier
    reading with ``ambiguous=True`` and the later reading as `alternative_utc`.
    """
    value = text.strip()
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise ValueProblem(
            _('"%(value)s" is not a time; write times as YYYY-MM-DD HH:MM, local Swedish time.')
            % {"value": value},
            value=value,
        )
    naive = _naive_datetime(match, value)
    if match["tz"]:
        aware = naive.replace(tzinfo=_offset(match["tz"], value))
        return ParsedTime(utc=aware.astimezone(UTC))

    zone = ZoneInfo(tz)
    earlier = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    later = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    # A wall time inside the spring gap maps to UTC and back to a different wall time.
    if earlier.astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueProblem(
            _(
                "The local time %(value)s does not exist in %(zone)s: the clocks were put forward "
                "that night when summer time began. Check the time."
            )
            % {"value": value, "zone": tz},
            code="time.nonexistent",
            value=value,
        )
    if earlier != later:
        return ParsedTime(utc=min(earlier, later), ambiguous=True, alternative_utc=max(earlier, later))
    return ParsedTime(utc=earlier)


def _naive_datetime(match: re.Match[str], value: str) -> datetime.datetime:
    """Build the wall time from the regex groups, accepting 24:00 as the end of the day."""
    hour, minute = int(match["h"]), int(match["mi"])
    second = int(match["s"] or 0)
    # More than six fractional digits (.NET writes seven) are cut to microseconds.
    micro = int((match["frac"] or "0")[:6].ljust(6, "0"))
    try:
        day = datetime.date(int(match["y"]), int(match["mo"]), int(match["d"]))
    except ValueError:
        raise ValueProblem(
            _("The date in %(value)s does not exist.") % {"value": value}, value=value
        ) from None
    if hour == 24 and minute == second == micro == 0:
        return datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(days=1)
    try:
        return datetime.datetime.combine(day, datetime.time(hour, minute, second, micro))
    except ValueError:
        raise ValueProblem(
            _("The time of day in %(value)s does not exist.") % {"value": value}, value=value
        ) from None


def _offset(text: str, value: str) -> datetime.tzinfo:
    """Turn "Z", "+01", "+0100" or "+01:00" into a fixed offset."""
    if text.upper() == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueProblem(
            _("The UTC offset in %(value)s is not valid.") % {"value": value}, value=value
        )
    delta = datetime.timedelta(hours=hours, minutes=minutes)
    return datetime.timezone(-delta if text[0] == "-" else delta)


def resolve_ambiguous(
    start: ParsedTime, end: ParsedTime
) -> tuple[datetime.datetime, datetime.datetime, bool]:
    """Pick readings of a start and an end time so that the interval makes sense.

    The candidates are every combination of the readings of `start` and `end` (two for an
    ambiguous time, one otherwise). A combination is valid when end >= start. Of the valid
    ones, the one with the shortest duration wins; when several have that same duration,
    the one with the earlier start wins. `still_ambiguous` is True exactly when the valid
    combinations give more than one distinct duration, i.e. the choice changed how long the
    interval was and the caller may want to flag it. When no combination is valid, the first
    readings are returned unchanged (end < start, for the caller to report) with False.
    """
    starts = [start.utc] + ([start.alternative_utc] if start.alternative_utc is not None else [])
    ends = [end.utc] + ([end.alternative_utc] if end.alternative_utc is not None else [])
    valid = sorted((e - s, s, e) for s in starts for e in ends if e >= s)
    if not valid:
        return start.utc, end.utc, False
    _shortest, chosen_start, chosen_end = valid[0]
    return chosen_start, chosen_end, len({d for d, _s, _e in valid}) > 1


def cell_text(value: object) -> str:
    """Write a spreadsheet cell's value as the text the parsers above read, as a CSV would hold it.

    Dates in Excel are datetimes, so a date cell becomes "YYYY-MM-DD 00:00:00" (parse_date
    accepts it); numbers never show binary noise such as 0.30000000000000004.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: a bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # Excel shows at most 15 significant digits; the rest is binary noise (0.1 + 0.2).
        return format(decimal.Decimal(format(value, ".15g")), "f")
    if isinstance(value, datetime.datetime):
        return _whole_seconds(value.replace(tzinfo=None)).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        moment = datetime.datetime.combine(datetime.date(2000, 1, 1), value.replace(tzinfo=None))
        return _whole_seconds(moment).time().isoformat()
    if isinstance(value, datetime.timedelta):  # a duration cell, "[h]:mm"
        seconds = round(abs(value.total_seconds()))
        sign = "-" if value.total_seconds() < 0 else ""
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return str(value)


def _whole_seconds(moment: datetime.datetime) -> datetime.datetime:
    """Round to the second: Excel stores times as fractions of a day, so 08:30 may be 08:29:59.9995."""
    if moment.microsecond >= 500_000:
        moment += datetime.timedelta(seconds=1)
    return moment.replace(microsecond=0)
