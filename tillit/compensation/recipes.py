"""Which rule prices what: the model's rules resolved for each combination the month holds.

The engine reports the distinct combinations of a month's quantities (a provider's version, a
set of interventions, a band, a zone); for each, this module asks the rules which rate, fee,
schablon or percentage applies — once per combination, however many recipients share it —
and hands the engine tables of whole numbers to multiply (engine/sql/compensation_lines.sql).
docs/compensation.md says the same in words.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pyarrow as pa

from tillit.common.errors import ApplicationError
from tillit.compensation.bands import VersionSpan
from tillit.compensation.pricing import (
    MINUTE_SCALE, PERCENT_SCALE, RATE_SCALE, Line, LineSet, plain_rate, visit_category,
)
from tillit.compensation.rules import Match, Rules, best
from tillit.engine.compensation import (
    ALARM_RECIPIENTS, BASES, GRANTED_PRICES, GRANTED_SCALE, MONTH_FEES, REGI_PERCENTS, REGISTER_AMOUNTS, TIME_PRICES,
    VISIT_PRICES, Quantities, table,
)



class PriceInvalid(ApplicationError):
    code = "compensation.price_invalid"


def _scaled(value: Decimal, scale: int, what: str) -> int:
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        raise PriceInvalid(f"{what} {value} has more decimals than a statement can carry ({len(str(scale)) - 1}).")
    return int(scaled)


def best_for_codes(rules: tuple[Match, ...], codes: list[str], **facts: str) -> tuple[Match | None, str]:
    """The most specific rule for a visit with several codes: a rule naming an intervention
    matches when the visit holds that code. Returns (rule, the code it named)."""
    chosen, chosen_code = best(tuple(r for r in rules if not r.intervention), **facts), ""
    for code in codes:
        candidate = best(tuple(r for r in rules if r.intervention == code), intervention=code, **facts)
        # naming the intervention is more specific than its category: a tie goes to the named one
        if candidate is not None and (chosen is None or candidate.specificity >= chosen.specificity):
            chosen, chosen_code = candidate, code
    return chosen, chosen_code


@dataclass(frozen=True)
class Priced:
    """A provider's model for the month, as the recipes need it."""

    regi: str
    spans: list[VersionSpan]

    def rules(self, version_from: datetime.date) -> Rules:
        return next(span.rules for span in self.spans if span.valid_from == version_from)


def bases(priced: dict[int, Priced]) -> pa.Table:
    rows = []
    for pid, provider in priced.items():
        for span in provider.spans:
            cap = Fraction(span.rules.cap_percent) if span.rules.cap_percent is not None else Fraction(100)
            rows.append({"provider_id": pid, "version_from": span.valid_from, "basis": span.rules.basis,
                         "cap_n": cap.numerator, "cap_d": cap.denominator})
    return table(rows, BASES)


def time_prices(priced: dict[int, Priced], keys: list[tuple]) -> pa.Table:
    """For performed time: each (provider, version, set of codes, category, band, zone) → the
    hourly rate and the intervention it names (no row: that time is not paid by the hour)."""
    rows = []
    for pid, version_from, codes_key, category, band, zone in keys:
        provider = priced[pid]
        rules = provider.rules(version_from)
        if rules.basis == "granted":
            continue
        rule, code = best_for_codes(rules.hourly, codes_key.split("|") if codes_key else [], category=category,
                                    band=band, zone=zone, regi=provider.regi)
        if rule is not None:
            rows.append({"provider_id": pid, "version_from": version_from, "codes_key": codes_key, "category": category,
                         "band": band, "zone": zone, "intervention": code,
                         "rate_n": _scaled(rule.rate, RATE_SCALE, "The rate")})  # type: ignore[attr-defined]
    return table(rows, TIME_PRICES)


def granted_prices(priced: dict[int, Priced], keys: list[tuple]) -> pa.Table:
    """For granted time: each (provider, version, category, zone) → the category's hourly rate."""
    rows = []
    for pid, version_from, category, zone in keys:
        provider = priced[pid]
        rules = provider.rules(version_from)
        rate = plain_rate(rules, category, "", zone, provider.regi) if rules.basis == "granted" else None
        if rate is not None:
            rows.append({"provider_id": pid, "version_from": version_from, "category": category, "zone": zone,
                         "rate_n": _scaled(rate, RATE_SCALE, "The rate")})
    return table(rows, GRANTED_PRICES)


def visit_prices(priced: dict[int, Priced], keys: list[tuple], categories: dict[str, str]) -> pa.Table:
    """For counted visits: each (provider, version, status, set of codes, band, zone) → the
    lines it pays: a fee per visit, a fee per delivery, a schablon per occasion, a declined visit.

    A row's quantity is its `source` (visits, occasions = visits × staff, or planned seconds)
    times quantity_n / quantity_d; hours are counted in 1 / (3600 · MINUTE_SCALE) of an hour.
    """
    hour = 3600 * MINUTE_SCALE
    rows: list[dict[str, Any]] = []
    for pid, version_from, status, codes_key, band, zone in keys:
        provider = priced[pid]
        rules = provider.rules(version_from)
        codes = codes_key.split("|") if codes_key else []
        category = visit_category(codes, categories)
        facts = dict(category=category, band=band, zone=zone, regi=provider.regi)
        schablon = {s.intervention: s.minutes for s in rules.schablon}
        key = {"provider_id": pid, "version_from": version_from, "status": status, "codes_key": codes_key,
               "band": band, "zone": zone, "percent_n": None, "minutes": None}

        def add(component: str, intervention: str, line_category: str, unit: str, rate: Decimal, source: str,
                quantity_n: int, quantity_d: int, **extra: Any) -> None:
            rows.append({**key, "component": component, "intervention": intervention, "category": line_category,
                         "unit": unit, "rate_n": _scaled(rate, RATE_SCALE, "The amount"), "source": source,
                         "quantity_n": quantity_n, "quantity_d": quantity_d, **extra})

        if status == "performed":
            fee, code = best_for_codes(rules.per_visit, codes, **facts)
            if fee is not None:
                add("per_visit", code, category, "visit", fee.amount, "occasions", 1, 1)  # type: ignore[attr-defined]
            for code in codes:
                delivery = best(tuple(r for r in rules.per_delivery if r.intervention in ("", code)),
                                intervention=code, zone=zone, regi=provider.regi)
                if delivery is not None and delivery.intervention == code:
                    add("per_delivery", code, "", "delivery", delivery.amount, "visits", 1, 1)  # type: ignore[attr-defined]
                if code in schablon:
                    code_category = categories.get(code, "other")
                    rate = plain_rate(rules, code_category, band, zone, provider.regi)
                    if rate is not None:
                        add("schablon", code, code_category, "hour", rate, "occasions",
                            _scaled(schablon[code], MINUTE_SCALE, "The schablon minutes") * 60, hour,
                            minutes=str(schablon[code]))
        elif status == "declined" and rules.declined:
            share, code = best_for_codes(rules.declined, codes, **facts)
            rate = plain_rate(rules, category, band, zone, provider.regi)
            if share is None or rate is None:
                continue
            percent = _scaled(share.percent, PERCENT_SCALE, "The percentage")  # type: ignore[attr-defined]
            if any(c not in schablon for c in codes):  # what the visit would have taken: its planned time
                add("declined", code, category, "hour", rate, "planned_seconds", MINUTE_SCALE, hour, percent_n=percent)
            else:  # all schablon-paid: their minutes
                minutes = sum((schablon[c] for c in codes), Decimal(0))
                add("declined", code, category, "hour", rate, "visits",
                    _scaled(minutes, MINUTE_SCALE, "The schablon minutes") * 60, hour, percent_n=percent)
    return table(rows, VISIT_PRICES)


def month_fees(priced: dict[int, Priced], zones: set[str]) -> pa.Table:
    """For safety-alarm customers: each (provider, zone) → the monthly fee of the version in
    force on the month's last day (no row: no fee there)."""
    rows = []
    for pid, provider in priced.items():
        if not provider.spans:
            continue
        last = provider.spans[-1]
        fees = tuple(f for f in last.rules.per_month if f.alarm_customer)
        for zone in sorted(zones) if fees else ():
            fee = best(fees, zone=zone, regi=provider.regi)
            if fee is not None:
                rows.append({"provider_id": pid, "version_from": last.valid_from, "zone": zone,
                             "rate_n": _scaled(fee.amount, RATE_SCALE, "The amount")})  # type: ignore[attr-defined]
    return table(rows, MONTH_FEES)


def regi_percents(priced: dict[int, Priced]) -> pa.Table:
    """Each provider's version that adjusts its regi's lines (e.g. private +1.5 %) → the percentage."""
    rows = []
    for pid, provider in priced.items():
        for span in provider.spans:
            adjustment = best(span.rules.regi_adjustment, regi=provider.regi)
            if adjustment is not None and adjustment.regi == provider.regi:
                rows.append({"provider_id": pid, "version_from": span.valid_from,
                             "percent_n": _scaled(adjustment.percent, PERCENT_SCALE, "The percentage")})  # type: ignore[attr-defined]
    return table(rows, REGI_PERCENTS)


def price(quantities: Quantities, priced: dict[int, Priced], categories: dict[str, str],
          register_lines: dict[int, list[Line]], alarm_recipients: pa.Table | None = None,
          zones: set[str] | frozenset[str] = frozenset()) -> dict[int, LineSet]:
    """Every provider's lines priced from the month's time and visits and its safety-alarm
    customers (`alarm_recipients`: provider_id, recipient_id; the engine multiplies), with the
    regi adjustment on them and on the lines priced from the registers."""
    keys = quantities.price_keys()
    result = quantities.lines(prices={
        "alarm_recipients": table([], ALARM_RECIPIENTS) if alarm_recipients is None else alarm_recipients,
        "month_fees": month_fees(priced, zones),
        "bases": bases(priced),
        "time_prices": time_prices(priced, keys["time"]),
        "granted_prices": granted_prices(priced, keys["granted"]),
        "visit_prices": visit_prices(priced, keys["visits"], categories),
        "regi_percents": regi_percents(priced),
        "register_amounts": table([{"provider_id": pid, "recipient_id": line.recipient_id,
                                    "version_from": line.version_from, "amount_ore": int(line.amount * 100)}
                                   for pid, lines in register_lines.items() for line in lines], REGISTER_AMOUNTS),
    }, rate_scale=RATE_SCALE, percent_scale=PERCENT_SCALE)
    denominator = GRANTED_SCALE * 7 * quantities.month.days
    providers = result.column("provider_id").to_pylist()
    out = {}
    for pid in priced:
        # the result is ordered by provider: each provider's lines are one slice
        first = bisect_left(providers, pid)
        last = bisect_right(providers, pid)
        out[pid] = LineSet(result.slice(first, last - first), register_lines.get(pid, []), denominator)
    return out
