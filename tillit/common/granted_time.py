"""Granted time (beviljad tid), exactly as PRODUCT.md defines it.

For an intervention of ``m`` schablon minutes, ``f`` times per period (day, week or month):
minutes per day = m·f / days in the period (1, 7, or the month's days); the month's granted
minutes sum this over the days the decision is active; double staffing counts twice.

Everything is a `Fraction`: 3 times a week is 3/7 of an occasion a day, which no decimal
holds exactly, and a month's sum must not depend on rounding order. Round only for display
or storage, with `as_decimal_minutes`.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.utils.translation import gettext

from tillit.common.errors import ApplicationError

PERIODS = ("day", "week", "month")
_FIXED_PERIOD_DAYS = {"day": 1, "week": 7}


def _(message: str) -> str:
    """Translate when Django is set up; plain English in scripts and bare unit tests."""
    return gettext(message) if settings.configured else message


class GrantedTimeError(ApplicationError):
    """An intervention whose numbers cannot give a granted time."""

    code = "granted_time.invalid"


def _exact_decimal(value: object, field: str) -> Decimal:
    """Accept Decimal or int only: a float has already lost the exact value."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise GrantedTimeError(
            _("The %(field)s must be an exact number (Decimal or whole number), not %(value)r.")
            % {"field": field, "value": value},
            field=field,
        )
    number = Decimal(value)
    if not number.is_finite():
        raise GrantedTimeError(
            _("The %(field)s must be a finite number, not %(value)s.") % {"field": field, "value": value},
            field=field,
        )
    return number


def _plain_date(value: object, field: str) -> datetime.date:
    """Dates only: a datetime would compare wrongly (or not at all) with dates."""
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise GrantedTimeError(
            _("The %(field)s must be a date, not %(value)r.") % {"field": field, "value": value},
            field=field,
        )
    return value


@dataclass(frozen=True)
class GrantedIntervention:
    """One intervention of a decision, with just what granted time needs."""

    standard_minutes: Decimal  # m, minutes per occasion (schablon)
    frequency: Decimal  # f, occasions per period
    period: str  # "day" | "week" | "month"
    double_staffing: bool
    active_from: datetime.date  # first active day (decision start)
    active_to: datetime.date | None  # last active day, inclusive; None = open-ended

    def __post_init__(self) -> None:
        """Refuse numbers that would give a wrong granted time rather than compute one."""
        minutes = _exact_decimal(self.standard_minutes, "standard minutes")
        frequency = _exact_decimal(self.frequency, "frequency")
        # Frozen: normalise ints to Decimal through object.__setattr__.
        object.__setattr__(self, "standard_minutes", minutes)
        object.__setattr__(self, "frequency", frequency)
        if minutes < 0:
            raise GrantedTimeError(
                _("The standard minutes must be zero or more, not %(value)s.") % {"value": minutes},
                field="standard_minutes",
            )
        if frequency <= 0:
            raise GrantedTimeError(
                _("The frequency must be more than zero, not %(value)s.") % {"value": frequency},
                field="frequency",
            )
        if self.period not in PERIODS:
            raise GrantedTimeError(
                _("The period %(value)s is unknown. Use day, week or month.") % {"value": self.period},
                field="period",
            )
        if not isinstance(self.double_staffing, bool):
            raise GrantedTimeError(
                _("Double staffing must be true or false, not %(value)r.") % {"value": self.double_staffing},
                field="double_staffing",
            )
        _plain_date(self.active_from, "start date")
        if self.active_to is not None:
            _plain_date(self.active_to, "end date")
            if self.active_to < self.active_from:
                raise GrantedTimeError(
                    _("The end date %(end)s is before the start date %(start)s.")
                    % {"end": self.active_to.isoformat(), "start": self.active_from.isoformat()},
                    field="active_to",
                )

    def is_active(self, day: datetime.date) -> bool:
        """Whether the decision grants this intervention on `day` (both ends inclusive)."""
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


def _days_in_month(year: int, month: int) -> int:
    """28–31; the divisor of a monthly frequency and the length of the summed month."""
    return calendar.monthrange(year, month)[1]


def _daily_rate(item: GrantedIntervention, year: int, month: int) -> Fraction:
    """m·f / days in the period, doubled for double staffing; the same for every day of a month."""
    days = _days_in_month(year, month) if item.period == "month" else _FIXED_PERIOD_DAYS[item.period]
    staff = 2 if item.double_staffing else 1
    return Fraction(item.standard_minutes) * Fraction(item.frequency) * staff / days


def minutes_per_day(item: GrantedIntervention, day: datetime.date) -> Fraction:
    """The granted minutes of one day: m·f / days in the period, ×2 for double staffing, 0 when
    the decision is not active that day — so that summing it over any days gives granted time."""
    if not item.is_active(day):
        return Fraction(0)
    return _daily_rate(item, day.year, day.month)


def _check_month(year: int, month: int) -> None:
    """A month that does not exist is a caller's mistake worth a clear message."""
    if not 1 <= month <= 12 or not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise GrantedTimeError(
            _("There is no month %(month)s in year %(year)s.") % {"month": month, "year": year},
        )


def granted_minutes(item: GrantedIntervention, year: int, month: int) -> Fraction:
    """The month's granted minutes: the daily rate times the decision's active days in the month.

    Equal to summing `minutes_per_day` over the month's days (the rate is constant within a
    month), without the loop: a month-end run does this for every intervention.
    """
    _check_month(year, month)
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, _days_in_month(year, month))
    start = max(first, item.active_from)
    end = last if item.active_to is None else min(last, item.active_to)
    active_days = (end - start).days + 1
    if active_days <= 0:
        return Fraction(0)
    return _daily_rate(item, year, month) * active_days


def granted_minutes_between(item: GrantedIntervention, first: datetime.date, last: datetime.date) -> Fraction:
    """Granted minutes of the days `first`..`last` (inclusive) within one month: the part of a
    month that one compensation model version governs (a version may take effect mid-month)."""
    if (first.year, first.month) != (last.year, last.month):
        raise GrantedTimeError(_("The days must lie within one month."))
    start = max(first, item.active_from)
    end = last if item.active_to is None else min(last, item.active_to)
    active_days = (end - start).days + 1
    if active_days <= 0:
        return Fraction(0)
    return _daily_rate(item, first.year, first.month) * active_days


def granted_minutes_total(items: Iterable[GrantedIntervention], year: int, month: int) -> Fraction:
    """A recipient's (or provider's) granted minutes in a month: the exact sum of its interventions."""
    _check_month(year, month)
    return sum((granted_minutes(item, year, month) for item in items), Fraction(0))


def as_decimal_minutes(value: Fraction | int, places: int = 2) -> Decimal:
    """Round exact minutes half up (away from zero) to `places` decimals, for display or storage.

    Done in integers: Decimal division would first round to its 28-digit context.
    """
    if places < 0:
        raise GrantedTimeError(
            _("The number of decimals must be zero or more, not %(value)s.") % {"value": places},
        )
    if isinstance(value, float):
        raise GrantedTimeError(
            _("Minutes to round must be exact (a fraction), not the float %(value)r.") % {"value": value},
        )
    exact = Fraction(value)
    scale = 10**places
    quotient, remainder = divmod(abs(exact.numerator) * scale, exact.denominator)
    if 2 * remainder >= exact.denominator:
        quotient += 1
    sign = -1 if exact < 0 else 1
    # From a string, so that no Decimal context rounds the digits again.
    return Decimal(f"{sign * quotient}E-{places}")
