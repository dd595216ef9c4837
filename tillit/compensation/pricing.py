"""Pricing a provider's month: the engine's quantities times the model's rates, line by line.

Every line is exact until it is rounded to whole öre, half up; a statement's total is the sum
of its rounded lines (PRODUCT.md, "Money"). Definitions: docs/compensation.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from tillit.compensation.bands import VersionSpan
from tillit.compensation.rules import Match, Rules, best

ORE = Decimal("0.01")


def round_ore(value: Fraction) -> Decimal:
    """Half up (away from zero) to whole öre from the exact value."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(ORE, ROUND_HALF_UP)


def _quantity(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass
class Line:
    """One line of a statement: a recipient's component at one rate, with what produced it."""

    recipient_id: int | None
    component: str
    version_from: datetime.date
    quantity: Fraction
    unit: str  # "hour", "visit", "delivery", "month", "day"
    rate: Decimal
    category: str = ""
    band: str = ""
    intervention: str = ""
    percent: Decimal | None = None
    granted_minutes: Fraction | None = None
    performed_minutes: Fraction | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def exact_amount(self) -> Fraction:
        amount = self.quantity * Fraction(self.rate)
        return amount * Fraction(self.percent) / 100 if self.percent is not None else amount

    @property
    def amount(self) -> Decimal:
        return round_ore(self.exact_amount)

    @property
    def quantity_decimal(self) -> Decimal:
        return _quantity(self.quantity)


@dataclass(frozen=True)
class Recipient:
    zone: str
    alarm_customer: bool


@dataclass(frozen=True)
class ProviderMonth:
    """Everything a provider's month is priced from (the engine's aggregates and the registers)."""

    regi: str
    spans: list[VersionSpan]
    recipients: dict[int, Recipient]
    categories: dict[str, str]  # intervention code → category
    time_rows: list[dict[str, Any]]  # recipient_id, category, version_from, band, seconds
    visit_rows: list[dict[str, Any]]  # recipient_id, status, codes_key, staff, version_from, band, visits, planned_seconds
    granted: dict[tuple[int, str, datetime.date], Fraction]  # (recipient, category, version_from) → minutes
    alarm_recipients: set[int] = field(default_factory=set)
    # version valid_from → recipients who started with the provider in that version's days
    new_recipients: dict[datetime.date, set[int]] = field(default_factory=dict)
    # (recipient, category, version valid_from) → the decisions (numbers) granting that time
    decisions: dict[tuple[int, str, datetime.date], list[str]] = field(default_factory=dict)
    # (recipient, version valid_from) → [(day of the stay, 1 = first; category; granted minutes that day)]
    absence_days: dict[tuple[int, datetime.date], list[tuple[int, str, Fraction]]] = field(default_factory=dict)


def visit_category(codes: Iterable[str], categories: dict[str, str]) -> str:
    """omvårdnad when any code is omvårdnad, else service when any is service, else other."""
    found = {categories.get(code, "other") for code in codes}
    return "omvardnad" if "omvardnad" in found else "service" if "service" in found else "other"


@lru_cache(maxsize=65536)
def _best_cached(rules: tuple[Match, ...], codes: tuple[str, ...], facts: tuple[tuple[str, str], ...]
                 ) -> tuple[Match | None, str]:
    return _best_for_codes_uncached(rules, list(codes), **dict(facts))


def _best_for_codes(rules: tuple[Match, ...], codes: list[str], **facts: str) -> tuple[Match | None, str]:
    """The most specific rule for a visit with several codes: a rule naming an intervention
    matches when the visit holds that code. Returns (rule, the code it named). Memoised: a
    month asks the same question for thousands of recipients."""
    return _best_cached(rules, tuple(codes), tuple(sorted(facts.items())))


def _best_for_codes_uncached(rules: tuple[Match, ...], codes: list[str], **facts: str) -> tuple[Match | None, str]:
    chosen, chosen_code = best(tuple(r for r in rules if not r.intervention), **facts), ""
    for code in codes:
        candidate = best(tuple(r for r in rules if r.intervention == code), intervention=code, **facts)
        # naming the intervention is more specific than its category: a tie goes to the named one
        if candidate is not None and (chosen is None or candidate.specificity >= chosen.specificity):
            chosen, chosen_code = candidate, code
    return chosen, chosen_code


def price(month: ProviderMonth) -> list[Line]:
    """Every line of the provider's month, in a stable order."""
    rules_of = {span.valid_from: span.rules for span in month.spans}
    lines: list[Line] = []
    lines += _time(month, rules_of)
    lines += _visits(month, rules_of)
    lines += _monthly(month, rules_of)
    lines += _new_customers(month, rules_of)
    lines += _absences(month, rules_of)
    lines += _regi_adjustments(month, lines)
    return [line for line in lines if line.quantity]


def _rate(rules: Rules, month: ProviderMonth, recipient_id: int, category: str, band: str = "") -> Decimal | None:
    """The hourly rate that names no intervention (granted time, schablons, new customers)."""
    rate = _plain_rate(rules.hourly, category, band, month.recipients[recipient_id].zone, month.regi)
    return rate.rate if rate else None  # type: ignore[attr-defined]


@lru_cache(maxsize=65536)
def _plain_rate(hourly: tuple[Match, ...], category: str, band: str, zone: str, regi: str) -> Match | None:
    return best(hourly, category=category, band=band, zone=zone, regi=regi)


def _time(month: ProviderMonth, rules_of: dict[datetime.date, Rules]) -> list[Line]:
    """Time: performed seconds by band, granted minutes, or performed capped at a share of granted.

    Performed time is priced per set of interventions (a rate may name an intervention, e.g.
    relief or escort), and summed into one line per recipient, category, version, band and rate.
    """
    performed: dict[tuple[int, str, datetime.date], list[dict[str, Any]]] = defaultdict(list)
    for row in month.time_rows:
        performed[(row["recipient_id"], row["category"], row["version_from"])].append(row)
    keys = set(performed) | set(month.granted)
    lines = []
    for recipient_id, category, version_from in sorted(keys):
        rules = rules_of[version_from]
        rows = performed.get((recipient_id, category, version_from), [])
        performed_minutes = Fraction(sum(row["seconds"] for row in rows), 60)
        granted_minutes = month.granted.get((recipient_id, category, version_from), Fraction(0))
        common = dict(recipient_id=recipient_id, component="time", version_from=version_from, unit="hour",
                      category=category, granted_minutes=granted_minutes, performed_minutes=performed_minutes)
        decisions = month.decisions.get((recipient_id, category, version_from), [])
        if rules.basis == "granted":
            rate = _rate(rules, month, recipient_id, category)
            if rate is not None and granted_minutes:
                lines.append(Line(quantity=granted_minutes / 60, rate=rate, detail={"decisions": decisions}, **common))
            continue
        factor = Fraction(1)
        if rules.basis == "performed_capped" and performed_minutes:
            cap = granted_minutes * Fraction(rules.cap_percent) / 100
            factor = min(Fraction(1), cap / performed_minutes)
        priced: dict[tuple[str, str, Decimal], Fraction] = defaultdict(Fraction)
        visits: dict[tuple[str, str, Decimal], int] = defaultdict(int)
        zone = month.recipients[recipient_id].zone
        for row in rows:
            codes = row["codes_key"].split("|") if row["codes_key"] else []
            rule, code = _best_for_codes(rules.hourly, codes, category=category, band=row["band"], zone=zone,
                                         regi=month.regi)
            if rule is None:
                continue  # no hourly rate for this time (e.g. nights paid per visit)
            key = (row["band"], code, rule.rate)  # type: ignore[attr-defined]
            priced[key] += Fraction(row["seconds"], 3600) * factor
            visits[key] += row.get("visits", 0)
        for (band, code, rate), hours in sorted(priced.items()):
            detail: dict[str, Any] = {"visits": visits[(band, code, rate)]}
            if rules.basis == "performed_capped":
                detail.update(decisions=decisions, paid_share=str(round_ore(factor * 100)))
            lines.append(Line(quantity=hours, rate=rate, band=band, intervention=code, detail=detail, **common))
    return lines


def _visits(month: ProviderMonth, rules_of: dict[datetime.date, Rules]) -> list[Line]:
    """Per-visit and per-delivery fees, schablon-paid interventions, declined visits."""
    lines = []
    for row in month.visit_rows:
        rules, recipient_id = rules_of[row["version_from"]], row["recipient_id"]
        codes = row["codes_key"].split("|") if row["codes_key"] else []
        category = visit_category(codes, month.categories)
        facts = dict(category=category, band=row["band"], zone=month.recipients[recipient_id].zone, regi=month.regi)
        common = dict(recipient_id=recipient_id, version_from=row["version_from"], band=row["band"])
        visits, staff = row["visits"], row["staff"]
        schablon = {s.intervention: s.minutes for s in rules.schablon}
        if row["status"] == "performed":
            fee, code = _best_for_codes(rules.per_visit, codes, **facts)
            if fee is not None:
                lines.append(Line(component="per_visit", quantity=Fraction(visits * staff), unit="visit",
                                  rate=fee.amount, category=category, intervention=code, **common))  # type: ignore[attr-defined]
            for code in codes:
                delivery = best(tuple(r for r in rules.per_delivery if r.intervention in ("", code)),
                                intervention=code, zone=facts["zone"], regi=month.regi)
                if delivery is not None and delivery.intervention == code:
                    lines.append(Line(component="per_delivery", quantity=Fraction(visits), unit="delivery",
                                      rate=delivery.amount, intervention=code, **common))  # type: ignore[attr-defined]
                if code in schablon:
                    code_category = month.categories.get(code, "other")
                    rate = _rate(rules, month, recipient_id, code_category, row["band"])
                    if rate is not None:
                        lines.append(Line(component="schablon", quantity=Fraction(schablon[code]) / 60 * visits * staff,
                                          unit="hour", rate=rate, category=code_category, intervention=code,
                                          detail={"minutes": str(schablon[code]), "occasions": visits * staff}, **common))
        elif row["status"] == "declined" and rules.declined:
            share, code = _best_for_codes(rules.declined, codes, **facts)
            if share is None:
                continue
            timed = [c for c in codes if c not in schablon]
            minutes = (Fraction(row["planned_seconds"], 60) if timed
                       else sum((Fraction(schablon[c]) * visits for c in codes), Fraction(0)))
            rate = _rate(rules, month, recipient_id, category, row["band"])
            if rate is not None:
                lines.append(Line(component="declined", quantity=minutes / 60, unit="hour", rate=rate,
                                  category=category, intervention=code, percent=share.percent,  # type: ignore[attr-defined]
                                  detail={"visits": visits}, **common))
    return lines


def _monthly(month: ProviderMonth, rules_of: dict[datetime.date, Rules]) -> list[Line]:
    """Fees per month: safety-alarm customers (the version in force on the month's last day)."""
    if not month.spans:
        return []
    last = month.spans[-1]
    lines = []
    for recipient_id in sorted(month.alarm_recipients):
        fee = best(tuple(f for f in last.rules.per_month if f.alarm_customer),
                   zone=month.recipients[recipient_id].zone, regi=month.regi)
        if fee is not None:
            lines.append(Line(recipient_id=recipient_id, component="per_month", version_from=last.valid_from,
                              quantity=Fraction(1), unit="month", rate=fee.amount))  # type: ignore[attr-defined]
    return lines


def _new_customers(month: ProviderMonth, rules_of: dict[datetime.date, Rules]) -> list[Line]:
    """A one-off payment for each recipient who started with the provider in the month."""
    lines = []
    for span in month.spans:
        new = span.rules.new_customer
        if new is None:
            continue
        for recipient_id in sorted(month.new_recipients.get(span.valid_from, ())):
            rate = _rate(span.rules, month, recipient_id, new.category)
            if rate is not None:
                lines.append(Line(recipient_id=recipient_id, component="new_customer", version_from=span.valid_from,
                                  quantity=Fraction(new.minutes) / 60, unit="hour", rate=rate, category=new.category))
    return lines


def _absences(month: ProviderMonth, rules_of: dict[datetime.date, Rules]) -> list[Line]:
    """Days of an unplanned hospital stay, paid at a share of the day's granted time."""
    lines = []
    for (recipient_id, version_from), days in sorted(month.absence_days.items()):
        rules = rules_of[version_from]
        for rule in rules.absence:
            minutes: dict[str, Fraction] = defaultdict(Fraction)
            for number, category, granted in days:
                if rule.first_day <= number <= rule.last_day and rule.category in ("", category):
                    minutes[category] += granted
            for category, total in sorted(minutes.items()):
                rate = _rate(rules, month, recipient_id, category)
                if rate is not None and total:
                    lines.append(Line(recipient_id=recipient_id, component="absence", version_from=version_from,
                                      quantity=total / 60, unit="hour", rate=rate, category=category,
                                      percent=rule.percent, detail={"days": f"{rule.first_day}-{rule.last_day}"}))
    return lines


def _regi_adjustments(month: ProviderMonth, lines: list[Line]) -> list[Line]:
    """A share of each recipient's rounded lines for the provider's regi (e.g. private +1.5 %)."""
    out = []
    by_version: dict[tuple[int | None, datetime.date], Decimal] = defaultdict(Decimal)
    for line in lines:
        by_version[(line.recipient_id, line.version_from)] += line.amount
    rules_of = {span.valid_from: span.rules for span in month.spans}
    for (recipient_id, version_from), subtotal in sorted(by_version.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])):
        adjustment = best(rules_of[version_from].regi_adjustment, regi=month.regi)
        if adjustment is not None and adjustment.regi == month.regi and subtotal:
            out.append(Line(recipient_id=recipient_id, component="regi_adjustment", version_from=version_from,
                            quantity=Fraction(1), unit="sum", rate=subtotal,
                            percent=adjustment.percent))  # type: ignore[attr-defined]
    return out
