"""A compensation model version's rules: what is paid, for what, at which rate.

Pure data (no Django models): parsed from and written to the readable file a municipality
reviews in a diff (TOML, see `files.py`), validated with messages that name the rule. Every
real model in ../shared/data/hemtjanst/ can be written with these rules; the examples are in
docs/compensation-models/.

Amounts are exact decimals (kronor, rates per hour); minutes and percentages too.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from tillit.common.errors import ValidationFailed

BASES = ("granted", "performed", "performed_capped")
CATEGORIES = ("omvardnad", "service", "other")
REGIS = ("private", "municipal", "nonprofit")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # public holidays count as "sun"
# The most decimals an amount, rate, percentage or number of minutes may have: as many as a
# statement line stores (öre, hundredths of a percent), so that a line's rate × quantity is
# what it shows.
DECIMALS = 2


class RulesInvalid(ValidationFailed):
    code = "compensation.rules_invalid"


def _fail(where: str, message: str) -> RulesInvalid:
    return RulesInvalid(f"{where}: {message}", field=where)


def _decimal(value: Any, where: str, *, minimum: Decimal = Decimal(0), maximum: Decimal | None = None) -> Decimal:
    """An exact amount: text ("414.80"), an integer, or a TOML float read by its shortest form."""
    if isinstance(value, bool) or value is None:
        raise _fail(where, f"{value!r} is not a number")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _fail(where, f"{value!r} is not a number; write it like \"414.80\"") from None
    if not number.is_finite() or number < minimum or (maximum is not None and number > maximum):
        limit = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
        raise _fail(where, f"{value} must be {limit}")
    if number != number.quantize(Decimal(1).scaleb(-DECIMALS), rounding=ROUND_DOWN):
        raise _fail(where, f"{value} has more than {DECIMALS} decimals")
    return number


def _clock(value: Any, where: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(str(value))
    except ValueError:
        raise _fail(where, f"{value!r} is not a time of day; write it like \"07:00\"") from None


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f"{value!r} is not a whole number")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, f"{value!r} is not true or false (write it without quotes)")
    return value


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise _fail(where, f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


@dataclass(frozen=True)
class TimeBand:
    """A band of the local clock on some days, e.g. night 22:00–07:00 every day.

    A band whose end is not after its start runs over midnight; its minutes after midnight
    belong to the day the band began. A public holiday counts as a Sunday.
    """

    code: str
    start: datetime.time
    end: datetime.time
    days: tuple[str, ...] = DAYS

    @property
    def wraps(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class Match:
    """Which visits or decisions a rule applies to; an empty field matches anything.

    When several rules of a kind match, the most specific (most fields given) wins; between
    equally specific ones, the first written.
    """

    category: str = ""
    intervention: str = ""
    band: str = ""
    zone: str = ""
    regi: str = ""

    @property
    def specificity(self) -> int:
        return sum(1 for name in ("category", "intervention", "band", "zone", "regi") if getattr(self, name))

    def matches(self, **facts: str) -> bool:
        """Every field the rule names must be among the facts, and equal: a rule for one
        intervention never prices what is not that intervention."""
        return all(not getattr(self, name) or facts.get(name) == getattr(self, name)
                   for name in ("category", "intervention", "band", "zone", "regi"))


@dataclass(frozen=True)
class HourlyRate(Match):
    rate: Decimal = Decimal(0)  # kronor per hour


@dataclass(frozen=True)
class Fee(Match):
    amount: Decimal = Decimal(0)  # kronor per visit, per delivery or per month


@dataclass(frozen=True)
class MonthlyFee(Match):
    amount: Decimal = Decimal(0)
    alarm_customer: bool = False  # paid for each safety-alarm customer of the month


@dataclass(frozen=True)
class Schablon:
    """An intervention paid per performed occasion at fixed minutes, whatever the visit took."""

    intervention: str
    minutes: Decimal


@dataclass(frozen=True)
class Percent(Match):
    percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class AbsenceRule:
    """Days of an unplanned hospital stay paid at a share of what the days would have paid."""

    first_day: int
    last_day: int
    percent: Decimal
    category: str = ""


@dataclass(frozen=True)
class NewCustomer:
    """A one-off payment when a recipient starts with the provider: minutes at a category's rate."""

    minutes: Decimal
    category: str = "omvardnad"


@dataclass(frozen=True)
class Rules:
    """The rules of one model version."""

    basis: str
    cap_percent: Decimal | None = None
    time_bands: tuple[TimeBand, ...] = ()
    hourly: tuple[HourlyRate, ...] = ()
    per_visit: tuple[Fee, ...] = ()
    per_delivery: tuple[Fee, ...] = ()
    per_month: tuple[MonthlyFee, ...] = ()
    schablon: tuple[Schablon, ...] = ()
    declined: tuple[Percent, ...] = ()
    absence: tuple[AbsenceRule, ...] = ()
    new_customer: NewCustomer | None = None
    regi_adjustment: tuple[Percent, ...] = ()  # e.g. private +1.5 % (VAT compensation)
    notes: str = ""


def _match_fields(item: Mapping[str, Any], where: str, bands: set[str]) -> dict[str, str]:
    values = {}
    for name in ("category", "intervention", "band", "zone", "regi"):
        value = item.get(name, "")
        if value == "":
            continue
        if name == "category":
            _choice(value, CATEGORIES, f"{where}.category")
        elif name == "regi":
            _choice(value, REGIS, f"{where}.regi")
        elif name == "band" and value not in bands:
            raise _fail(f"{where}.band", f"{value!r} is not one of the time bands ({', '.join(sorted(bands)) or 'none'})")
        values[name] = str(value)
    return values


def _known(item: Any, allowed: set[str], where: str) -> None:
    if not isinstance(item, Mapping):
        raise _fail(where, f"must be a table of fields, not {item!r}")
    unknown = set(item) - allowed
    if unknown:
        raise _fail(where, f"unknown field(s) {', '.join(sorted(unknown))}")


_MATCH = {"category", "intervention", "band", "zone", "regi"}


def parse_rules(data: Mapping[str, Any], where: str = "version") -> Rules:
    """Rules from a plain mapping (the TOML of one version, without its valid_from)."""
    _known(data, {f.name for f in fields(Rules)} | {"valid_from"}, where)
    basis = _choice(data.get("basis", ""), BASES, f"{where}.basis")
    cap = data.get("cap_percent")
    if basis == "performed_capped":
        if cap is None:
            raise _fail(f"{where}.cap_percent", "performed_capped needs the cap, e.g. cap_percent = 80")
        cap = _decimal(cap, f"{where}.cap_percent", maximum=Decimal(1000))
    elif cap is not None:
        raise _fail(f"{where}.cap_percent", "a cap applies only with basis = \"performed_capped\"")

    bands = []
    for code, band in dict(data.get("time_bands", {})).items():
        spot = f"{where}.time_bands.{code}"
        _known(band, {"from", "to", "days"}, spot)
        days = tuple(_choice(day, DAYS, f"{spot}.days") for day in band.get("days", DAYS))
        bands.append(TimeBand(code=code, start=_clock(band.get("from"), f"{spot}.from"),
                              end=_clock(band.get("to"), f"{spot}.to"), days=days))
    _no_overlap(bands, f"{where}.time_bands")
    band_codes = {band.code for band in bands}

    def items(name: str) -> list[tuple[str, Mapping[str, Any]]]:
        raw = data.get(name, [])
        if not isinstance(raw, list):
            raise _fail(f"{where}.{name}", "must be a list of tables ([[...]])")
        return [(f"{where}.{name}[{n + 1}]", item) for n, item in enumerate(raw)]

    hourly = []
    for spot, item in items("hourly"):
        _known(item, _MATCH | {"rate"}, spot)
        hourly.append(HourlyRate(**_match_fields(item, spot, band_codes), rate=_decimal(item.get("rate"), f"{spot}.rate")))
    fees = {}
    for kind in ("per_visit", "per_delivery"):
        fees[kind] = []
        for spot, item in items(kind):
            _known(item, _MATCH | {"amount"}, spot)
            fees[kind].append(Fee(**_match_fields(item, spot, band_codes), amount=_decimal(item.get("amount"), f"{spot}.amount")))
    monthly = []
    for spot, item in items("per_month"):
        _known(item, _MATCH | {"amount", "alarm_customer"}, spot)
        monthly.append(MonthlyFee(**_match_fields(item, spot, band_codes), amount=_decimal(item.get("amount"), f"{spot}.amount"),
                                  alarm_customer=_flag(item.get("alarm_customer", False), f"{spot}.alarm_customer")))
    schablon = []
    for spot, item in items("schablon"):
        _known(item, {"intervention", "minutes"}, spot)
        if not item.get("intervention"):
            raise _fail(f"{spot}.intervention", "name the intervention code")
        schablon.append(Schablon(str(item["intervention"]), _decimal(item.get("minutes"), f"{spot}.minutes")))
    declined = []
    for spot, item in items("declined"):
        _known(item, _MATCH | {"percent"}, spot)
        declined.append(Percent(**_match_fields(item, spot, band_codes),
                                percent=_decimal(item.get("percent"), f"{spot}.percent", maximum=Decimal(100))))
    absence = []
    for spot, item in items("absence"):
        _known(item, {"first_day", "last_day", "percent", "category"}, spot)
        first, last = _whole(item.get("first_day"), f"{spot}.first_day"), _whole(item.get("last_day"), f"{spot}.last_day")
        if not 1 <= first <= last:
            raise _fail(spot, "days are counted from 1: first_day ≤ last_day")
        category_of = item.get("category", "")
        if any(a.category == category_of and a.first_day <= last and first <= a.last_day for a in absence):
            raise _fail(spot, "its days overlap another absence rule of the same category")
        absence.append(AbsenceRule(first, last, _decimal(item.get("percent"), f"{spot}.percent", maximum=Decimal(100)),
                                   _choice(item["category"], CATEGORIES, f"{spot}.category") if item.get("category") else ""))
    adjustments = []
    for spot, item in items("regi_adjustment"):
        _known(item, {"regi", "percent"}, spot)
        adjustments.append(Percent(regi=_choice(item.get("regi"), REGIS, f"{spot}.regi"),
                                   percent=_decimal(item.get("percent"), f"{spot}.percent", minimum=Decimal(-100),
                                                    maximum=Decimal(100))))
    new_customer = None
    if "new_customer" in data:
        item = data["new_customer"]
        _known(item, {"minutes", "category"}, f"{where}.new_customer")
        new_customer = NewCustomer(_decimal(item.get("minutes"), f"{where}.new_customer.minutes"),
                                   _choice(item.get("category", "omvardnad"), CATEGORIES, f"{where}.new_customer.category"))
    return Rules(
        basis=basis, cap_percent=cap, time_bands=tuple(bands), hourly=tuple(hourly),
        per_visit=tuple(fees["per_visit"]), per_delivery=tuple(fees["per_delivery"]), per_month=tuple(monthly),
        schablon=tuple(schablon), declined=tuple(declined), absence=tuple(absence), new_customer=new_customer,
        regi_adjustment=tuple(adjustments), notes=str(data.get("notes", "")),
    )


def _minutes_of(band: TimeBand, day: str) -> set[int]:
    """The minutes of the week (0 = Monday 00:00) a band covers when it starts on `day`."""
    start = DAYS.index(day) * 1440 + band.start.hour * 60 + band.start.minute
    length = (band.end.hour * 60 + band.end.minute) - (band.start.hour * 60 + band.start.minute)
    length += 1440 if band.wraps else 0
    return {(start + n) % (7 * 1440) for n in range(length)}


def _no_overlap(bands: list[TimeBand], where: str) -> None:
    """Two bands may not claim the same minute: a visit minute must have one rate."""
    taken: dict[int, str] = {}
    for band in bands:
        for day in band.days:
            for minute in _minutes_of(band, day):
                other = taken.setdefault(minute, band.code)
                if other != band.code:
                    weekday, clock = divmod(minute, 1440)
                    raise _fail(where, f"{other} and {band.code} both cover {DAYS[weekday]} "
                                       f"{clock // 60:02d}:{clock % 60:02d}")


def rules_as_data(rules: Rules) -> dict[str, Any]:
    """The plain mapping `parse_rules` reads (amounts as text, so nothing is lost on the way)."""
    data: dict[str, Any] = {"basis": rules.basis}
    if rules.cap_percent is not None:
        data["cap_percent"] = str(rules.cap_percent)
    if rules.notes:
        data["notes"] = rules.notes
    if rules.time_bands:
        data["time_bands"] = {
            band.code: {"from": band.start.strftime("%H:%M"), "to": band.end.strftime("%H:%M"),
                        **({} if band.days == DAYS else {"days": list(band.days)})}
            for band in rules.time_bands
        }

    def match(item: Match) -> dict[str, str]:
        return {name: getattr(item, name) for name in ("category", "intervention", "band", "zone", "regi")
                if getattr(item, name)}

    if rules.hourly:
        data["hourly"] = [{**match(r), "rate": str(r.rate)} for r in rules.hourly]
    for kind in ("per_visit", "per_delivery"):
        if getattr(rules, kind):
            data[kind] = [{**match(f), "amount": str(f.amount)} for f in getattr(rules, kind)]
    if rules.per_month:
        data["per_month"] = [{**match(f), **({"alarm_customer": True} if f.alarm_customer else {}),
                              "amount": str(f.amount)} for f in rules.per_month]
    if rules.schablon:
        data["schablon"] = [{"intervention": s.intervention, "minutes": str(s.minutes)} for s in rules.schablon]
    if rules.declined:
        data["declined"] = [{**match(d), "percent": str(d.percent)} for d in rules.declined]
    if rules.absence:
        data["absence"] = [{"first_day": a.first_day, "last_day": a.last_day, "percent": str(a.percent),
                            **({"category": a.category} if a.category else {})} for a in rules.absence]
    if rules.new_customer:
        data["new_customer"] = {"minutes": str(rules.new_customer.minutes), "category": rules.new_customer.category}
    if rules.regi_adjustment:
        data["regi_adjustment"] = [{"regi": a.regi, "percent": str(a.percent)} for a in rules.regi_adjustment]
    return data


def best(candidates: tuple[Match, ...], **facts: str) -> Match | None:
    """The most specific rule that matches the facts; the first written on a tie."""
    found = [c for c in candidates if c.matches(**facts)]
    return max(found, key=lambda c: c.specificity, default=None) if found else None


__all__ = [
    "BASES", "CATEGORIES", "DAYS", "REGIS", "AbsenceRule", "Fee", "HourlyRate", "Match", "MonthlyFee",
    "NewCustomer", "Percent", "Rules", "RulesInvalid", "Schablon", "TimeBand", "best", "parse_rules",
    "rules_as_data",
]
