"""A statement's lines, and the components priced from the registers rather than the ledger.

Every line is exact until it is rounded to whole öre, half up; a statement's total is the sum
of its rounded lines (PRODUCT.md, "Money"). Definitions: docs/compensation.md. The lines that
come from the visits (time, per visit, per delivery, schablon, declined), the monthly fees of
safety-alarm customers and the regi adjustment are priced by the engine from the prices
recipes.py resolves, and kept as columns (`LineSet`); this module prices the rest (new
customers, absences).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tillit.compensation.bands import VersionSpan
from tillit.compensation.rules import DECIMALS, Rules, best

ORE = Decimal("0.01")
# rates, percentages and minutes have at most rules.DECIMALS decimals: the engine counts them in
# whole numbers of these units
RATE_SCALE = PERCENT_SCALE = MINUTE_SCALE = 10**DECIMALS
Exact = Fraction | tuple[int, int]  # a fraction, or its numerator and denominator not yet reduced


def round_ore(value: Fraction) -> Decimal:
    """Half up (away from zero) to whole öre from the exact value."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(ORE, ROUND_HALF_UP)


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator (denominator > 0) rounded to a whole number, half away from zero."""
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return magnitude if numerator >= 0 else -magnitude


def _rounded(value: Exact, places: int) -> Decimal:
    """An exact value to `places` decimals, half away from zero, in whole-number arithmetic."""
    numerator, denominator = value if isinstance(value, tuple) else (value.numerator, value.denominator)
    return Decimal(half_up(numerator * 10**places, denominator)).scaleb(-places)


def _fraction(value: Exact | None) -> Fraction | None:
    return Fraction(*value) if isinstance(value, tuple) else value


class Line:
    """One line of a statement: a recipient's component at one rate, with what produced it.

    Quantities and minutes may be given as (numerator, denominator) and become fractions only
    when read: a month of a large municipality has hundreds of thousands of lines, and most are
    stored, not inspected. `amount` may be given (whole öre computed exactly by the engine);
    otherwise it is the exact amount rounded.
    """

    __slots__ = ("recipient_id", "component", "version_from", "unit", "rate", "category", "band", "intervention",
                 "percent", "detail", "_quantity", "_granted", "_performed", "_amount")

    def __init__(self, *, recipient_id: int | None, component: str, version_from: datetime.date, quantity: Exact,
                 unit: str, rate: Decimal, category: str = "", band: str = "", intervention: str = "",
                 percent: Decimal | None = None, granted_minutes: Exact | None = None,
                 performed_minutes: Exact | None = None, detail: dict[str, Any] | None = None,
                 amount: Decimal | None = None) -> None:
        self.recipient_id, self.component, self.version_from = recipient_id, component, version_from
        self.unit, self.rate, self.percent = unit, rate, percent  # unit: hour, visit, delivery, month, day, sum
        self.category, self.band, self.intervention = category, band, intervention
        self.detail = detail if detail is not None else {}
        self._quantity, self._granted, self._performed, self._amount = quantity, granted_minutes, performed_minutes, amount

    @property
    def quantity(self) -> Fraction:
        if isinstance(self._quantity, tuple):
            self._quantity = Fraction(*self._quantity)
        return self._quantity

    @property
    def granted_minutes(self) -> Fraction | None:
        return _fraction(self._granted)

    @property
    def performed_minutes(self) -> Fraction | None:
        return _fraction(self._performed)

    @property
    def exact_amount(self) -> Fraction:
        amount = self.quantity * Fraction(self.rate)
        return amount * Fraction(self.percent) / 100 if self.percent is not None else amount

    @property
    def amount(self) -> Decimal:
        if self._amount is None:
            self._amount = round_ore(self.exact_amount)
        return self._amount

    @property
    def quantity_decimal(self) -> Decimal:
        """The quantity as stored: four decimals, half up."""
        return _rounded(self._quantity, 4)

    def stored_minutes(self, *, granted: bool) -> Decimal | None:
        """Granted or performed minutes as stored: two decimals, half up."""
        value = self._granted if granted else self._performed
        return None if value is None else _rounded(value, 2)

    def stored(self) -> tuple[Any, ...]:
        """The line's values as a statement stores them (statements._COLUMNS without the statement)."""
        return (self.recipient_id, self.component, self.version_from, self.category, self.band, self.intervention,
                self.stored_minutes(granted=True), self.stored_minutes(granted=False), self.quantity_decimal,
                self.unit, self.rate, self.percent, self.amount, self.detail)

    def __repr__(self) -> str:
        return (f"Line({self.recipient_id}, {self.component}, {self.version_from}, {self.category or '-'}, "
                f"{self.band or '-'}, {self.intervention or '-'}, {self.quantity} {self.unit} × {self.rate}"
                f"{f' × {self.percent} %' if self.percent is not None else ''} = {self.amount})")


@dataclass(frozen=True)
class RegisterMonth:
    """What a provider's month is priced from besides the visits (the registers)."""

    regi: str
    spans: list[VersionSpan]
    zones: dict[int, str]  # recipient → zone ('' for none)
    # version valid_from → recipients who started with the provider in that version's days
    new_recipients: dict[datetime.date, set[int]] = field(default_factory=dict)
    # (recipient, version valid_from) → [(day of the stay, 1 = first; category; granted minutes that day)]
    absence_days: dict[tuple[int, datetime.date], list[tuple[int, str, Fraction]]] = field(default_factory=dict)


def visit_category(codes: Iterable[str], categories: dict[str, str]) -> str:
    """omvårdnad when any code is omvårdnad, else service when any is service, else other."""
    found = {categories.get(code, "other") for code in codes}
    return "omvardnad" if "omvardnad" in found else "service" if "service" in found else "other"


def plain_rate(rules: Rules, category: str, band: str, zone: str, regi: str) -> Decimal | None:
    """The hourly rate that names no intervention (granted time, schablons, new customers)."""
    rule = best(rules.hourly, category=category, band=band, zone=zone, regi=regi)
    return rule.rate if rule else None  # type: ignore[attr-defined]


def register_lines(month: RegisterMonth) -> list[Line]:
    """The lines priced from the registers: new customers, absences."""
    return _new_customers(month) + _absences(month)


def _new_customers(month: RegisterMonth) -> list[Line]:
    """A one-off payment for each recipient who started with the provider in the month."""
    lines = []
    for span in month.spans:
        new = span.rules.new_customer
        if new is None:
            continue
        for recipient_id in sorted(month.new_recipients.get(span.valid_from, ())):
            rate = plain_rate(span.rules, new.category, "", month.zones[recipient_id], month.regi)
            if rate is not None:
                lines.append(Line(recipient_id=recipient_id, component="new_customer", version_from=span.valid_from,
                                  quantity=Fraction(new.minutes) / 60, unit="hour", rate=rate, category=new.category))
    return lines


def _absences(month: RegisterMonth) -> list[Line]:
    """Days of an unplanned hospital stay, paid at a share of the day's granted time."""
    rules_of = {span.valid_from: span.rules for span in month.spans}
    lines = []
    for (recipient_id, version_from), days in sorted(month.absence_days.items()):
        rules = rules_of[version_from]
        for rule in rules.absence:
            minutes: dict[str, Fraction] = defaultdict(Fraction)
            for number, category, granted in days:
                if rule.first_day <= number <= rule.last_day and rule.category in ("", category):
                    minutes[category] += granted
            for category, total in sorted(minutes.items()):
                rate = plain_rate(rules, category, "", month.zones[recipient_id], month.regi)
                if rate is not None and total:
                    lines.append(Line(recipient_id=recipient_id, component="absence", version_from=version_from,
                                      quantity=total / 60, unit="hour", rate=rate, category=category,
                                      percent=rule.percent, detail={"days": f"{rule.first_day}-{rule.last_day}"}))
    return lines


class LineSet:
    """A provider's lines for a month: the engine's as Arrow columns (compensation_lines.sql),
    made into `Line`s only when someone reads them one by one, and the few priced in Python.

    A month of a large municipality has hundreds of thousands of lines; totals and storage
    need no objects for them.
    """

    def __init__(self, table: pa.Table, extra: list[Line], granted_denominator: int) -> None:
        self.table, self.extra, self.granted_denominator = table, list(extra), granted_denominator
        self._lines: list[Line] | None = None

    def __len__(self) -> int:
        return self.table.num_rows + len(self.extra)

    def __iter__(self) -> Iterator[Line]:
        return iter(self.lines())

    def append(self, line: Line) -> None:
        self.extra.append(line)
        self._lines = None

    @property
    def total(self) -> Decimal:
        ore = pc.sum(self.table.column("amount_ore")).as_py() or 0
        return Decimal(ore).scaleb(-2) + sum((line.amount for line in self.extra), Decimal("0.00"))

    def stored(self) -> Iterator[tuple[Any, ...]]:
        """Every line's values as a statement stores them (statements._COLUMNS without the
        statement), without making `Line`s of the engine's: the engine rounded the quantities
        and minutes in whole numbers (quantity_e4, granted_e2, performed_e2)."""
        if self._lines is not None:
            yield from (line.stored() for line in self._lines)
            return
        columns = {name: self.table.column(name).to_pylist() for name in _STORED}
        rate, percent = _scaled(RATE_SCALE), _scaled(PERCENT_SCALE)
        for (recipient, component, version, category, band, intervention, unit, rate_n, percent_n, granted_e2,
             performed_e2, quantity_e4, visits, occasions, decisions, share_n, share_d, minutes,
             amount_ore) in zip(*(columns[name] for name in _STORED)):
            yield (recipient, component, version, category, band, intervention,
                   None if granted_e2 is None else Decimal(granted_e2).scaleb(-2),
                   None if performed_e2 is None else Decimal(performed_e2).scaleb(-2),
                   Decimal(quantity_e4).scaleb(-4), unit, rate(rate_n), percent(percent_n),
                   Decimal(amount_ore).scaleb(-2),
                   _detail(component, visits, occasions, decisions, share_n, share_d, minutes))
        yield from (line.stored() for line in self.extra)

    def lines(self) -> list[Line]:
        if self._lines is None:
            self._lines = [Line(**fields) for fields in self._engine_fields()] + self.extra
        return self._lines

    def _engine_fields(self) -> Iterator[dict[str, Any]]:
        columns = {name: self.table.column(name).to_pylist() for name in _COLUMNS}
        for name in _WHOLE:  # HUGEINT comes as decimals: whole numbers for the fractions
            columns[name] = [None if value is None else int(value) for value in columns[name]]
        rate, percent = _scaled(RATE_SCALE), _scaled(PERCENT_SCALE)
        granted_denominator = self.granted_denominator
        for (pid, recipient, component, version, category, band, intervention, unit, rate_n, percent_n, quantity_n,
             quantity_d, granted_units, performed_seconds, visits, occasions, decisions, share_n, share_d, minutes,
             amount_ore) in zip(*(columns[name] for name in _COLUMNS)):
            yield dict(recipient_id=recipient, component=component, version_from=version,
                       quantity=(quantity_n, quantity_d), unit=unit, rate=rate(rate_n),
                       category=category, band=band, intervention=intervention, percent=percent(percent_n),
                       granted_minutes=None if granted_units is None else (granted_units, granted_denominator),
                       performed_minutes=None if performed_seconds is None else (performed_seconds, 60),
                       detail=_detail(component, visits, occasions, decisions, share_n, share_d, minutes),
                       amount=Decimal(amount_ore).scaleb(-2))


def _scaled(scale: int) -> Callable[[int | None], Decimal | None]:
    """value → value / scale as a Decimal, each distinct value converted once (rates repeat)."""
    known: dict[int, Decimal] = {}

    def convert(value: int | None) -> Decimal | None:
        if value is None:
            return None
        if value not in known:
            known[value] = Decimal(value) / scale
        return known[value]

    return convert


def _detail(component: str, visits: int | None, occasions: int | None, decisions: list[str] | None,
            share_n: Any, share_d: Any, minutes: str | None) -> dict[str, Any]:
    """What produced an engine line, as its `detail` says it (docs/compensation.md)."""
    if component == "time":
        detail: dict[str, Any] = {} if visits is None else {"visits": visits}
        if decisions is not None:
            detail["decisions"] = list(decisions)
        if share_n is not None:
            detail["paid_share"] = str(round_ore(Fraction(int(share_n), int(share_d)) * 100))
        return detail
    if component == "schablon":
        return {"minutes": minutes, "occasions": occasions}
    if component == "declined":
        return {"visits": visits}
    return {}


_WHOLE = ("quantity_n", "quantity_d", "share_n", "share_d")
_STORED = ("recipient_id", "component", "version_from", "category", "band", "intervention", "unit", "rate_n",
           "percent_n", "granted_e2", "performed_e2", "quantity_e4", "visits", "occasions", "decisions", "share_n",
           "share_d", "minutes", "amount_ore")
_COLUMNS = ("provider_id", "recipient_id", "component", "version_from", "category", "band", "intervention", "unit",
            "rate_n", "percent_n", "quantity_n", "quantity_d", "granted_units", "performed_seconds", "visits",
            "occasions", "decisions", "share_n", "share_d", "minutes", "amount_ore")
