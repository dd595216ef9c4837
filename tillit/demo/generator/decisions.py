"""Decisions (biståndsbeslut): who gets which interventions, from which provider, when.

A home-care recipient gets a care level (service only ... very heavy omvårdnad) that decides the
interventions; the granted time then lands at a median of about 25-30 hours a month with a long
tail past 150 hours, as in real municipalities.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from .catalogue import BY_CODE, ZONE_OF
from .people import Recipient
from .providers import Provider

DECISION_COLUMNS = (
    "decision_id", "recipient_id", "provider_org_number", "start_date", "end_date",
    "intervention_code", "category", "frequency", "period", "minutes", "double_staffing",
)

# (code, frequency, period, minutes, double staffing)
Item = tuple[str, int, str, int, bool]

LEVELS = ("service", "light", "medium", "heavy", "very_heavy")
LEVEL_WEIGHTS = (0.32, 0.32, 0.21, 0.11, 0.04)
ALARM_SHARE = {"service": 0.25, "light": 0.42, "medium": 0.55, "heavy": 0.60, "very_heavy": 0.50}


@dataclass
class Decision:
    key: int  # creation order, for stable sorting
    recipient: Recipient
    provider: Provider
    start: date
    end: date | None
    items: list[Item]
    decision_id: str = ""

    @property
    def home_care(self) -> bool:
        return self.items[0][0] != "BOENDE"


def _service(rng: random.Random, scale: float) -> list[Item]:
    """Service interventions; `scale` lowers the chance of each for heavier levels."""
    r = rng.random
    items: list[Item] = []
    if r() < 0.85:
        items.append(("STAD", 2, "month", 96, False))
    else:
        items.append(("LSTAD", 1, "week", 30, False))
    if r() < 0.75 * scale:
        items.append(("INK", 1, "week", 60, False))
    if r() < 0.45 * scale:
        items.append(("TVATT", 2, "month", 86, False))
    if r() < 0.25 * scale:
        items.append(("SOP", 1, "week", 30, False))
    if r() < 0.30 * scale:
        items.append(("APO", 1, "month", 45, False))
    return items


def _items(rng: random.Random, level: str) -> list[Item]:
    """The interventions of one decision at a care level."""
    r, c = rng.random, rng.choice
    items: list[Item] = []
    if level == "service":
        items += _service(rng, 1.0)
        if r() < 0.20:
            items.append(("MAT", 1, "day", 20, False))
        if r() < 0.05:
            items.append(("LEDS", 2, "month", c((60, 120)), False))
    elif level == "light":
        items.append(("MORG", 1, "day", c((15, 15, 20, 25)), False))
        if r() < 0.45:
            items.append(("KVALL", 1, "day", c((15, 15, 20)), False))
        if r() < 0.25:
            items.append(("TRYGG", 1, "day", 15, False))
        if r() < 0.15:
            items.append(("EGENV", 1, "day", 10, False))
        if r() < 0.85:
            items.append(("DUSCH", 1 if r() < 0.8 else 2, "week", 40, False))
        if r() < 0.25:
            items.append(("MAT", 1, "day", 20, False))
        if r() < 0.10:
            items.append(("PROM", 1, "week", 45, False))
        items += _service(rng, 0.9)
    elif level == "medium":
        items.append(("MORG", 1, "day", c((20, 25, 30, 35)), r() < 0.03))
        if r() < 0.7:
            items.append(("LUNCH", 1, "day", c((15, 20, 25)), False))
        else:
            items.append(("MAT", 1, "day", 20, False))
        items.append(("KVALL", 1, "day", c((15, 20, 25, 30)), r() < 0.03))
        if r() < 0.4:
            items.append(("TRYGG", c((1, 2)), "day", 15, False))
        if r() < 0.25:
            items.append(("NATT", 1, "day", 5, False))
        if r() < 0.4:
            items.append(("HSL", 2, "day", 5, False))
        if r() < 0.2:
            items.append(("EGENV", 1, "day", 10, False))
        items.append(("DUSCH", 2 if r() < 0.6 else 1, "week", 40, False))
        if r() < 0.15:
            items.append(("PROM", 1, "week", 45, False))
        if r() < 0.05:
            items.append(("AVLOS", 1, "week", c((120, 180)), False))
        items += _service(rng, 0.8)
    else:
        heavy = level == "heavy"
        dbl = 0.10 if heavy else 0.65
        items.append(("MORG", 1, "day", c((35, 40, 45, 50)) if heavy else c((45, 50, 60)), r() < dbl))
        items.append(("LUNCH", 1, "day", c((20, 25, 30)), r() < dbl / 2))
        items.append(("TRYGG", 2, "day", 15 if heavy else 20, False))
        items.append(("KVALL", 1, "day", c((25, 30, 40)) if heavy else c((40, 45)), r() < dbl))
        items.append(("NATT", 2 if heavy else 3, "day", c((5, 10)) if heavy else 10, r() < dbl / 3))
        items.append(("HSL", 2, "day", 5, False))
        items.append(("DUSCH", 2, "week", c((40, 45, 50)) if heavy else 60, r() < dbl))
        if r() < 0.10:
            items.append(("AVLOS", 1, "week", 180, False))
        items += _service(rng, 0.7)
    if r() < ALARM_SHARE[level]:
        items.append(("LARM", 1, "month", 0, False))
    return items


def _pick(rng: random.Random, providers: list[Provider], weights: list[float]) -> Provider:
    return rng.choices(providers, weights)[0]


def _home_provider(rng: random.Random, home: list[Provider], area: str, exclude=None) -> Provider:
    zone = ZONE_OF[area]
    weights = [p.home_share if zone in p.zones and p is not exclude else 0.0 for p in home]
    return _pick(rng, home, weights)


def build_decisions(rng: random.Random, people: list[Recipient], providers: list[Provider],
                    first: date, last: date) -> list[Decision]:
    """Decisions for everyone; the period of data runs from `first` to `last` (inclusive)."""
    home = [p for p in providers if p.home_care]
    nursing = [p for p in providers if p.nursing_home]
    nursing_weights = [p.nursing_share for p in nursing]
    days = (last - first).days + 1
    out: list[Decision] = []

    def add(person, provider, start, end, items):
        out.append(Decision(len(out), person, provider, start, end, items))

    def before(max_years: float) -> date:
        return first - timedelta(days=rng.randint(20, int(365 * max_years)))

    def during(lo: date) -> date:
        span = max(1, (last - lo).days - 6)
        return lo + timedelta(days=rng.randrange(span))

    for person in people:
        if person.nursing_home:
            start = during(first) if rng.random() < 0.2 else before(4)
            end = during(max(first, start + timedelta(days=10))) if rng.random() < 0.22 else None
            add(person, _pick(rng, nursing, nursing_weights), start, end, [("BOENDE", 1, "day", 0, False)])
            continue
        level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
        items = _items(rng, level)
        provider = _home_provider(rng, home, person.area)
        start = during(first) if rng.random() < 0.15 else before(4)
        u = rng.random()
        if u < 0.10:  # ends during the period: died, moved, or no longer needs help
            end = during(max(first, start + timedelta(days=14)))
            add(person, provider, start, end, items)
            if rng.random() < 0.35 and (last - end).days > 21:  # moves to a nursing home
                add(person, _pick(rng, nursing, nursing_weights),
                    end + timedelta(days=rng.randint(1, 21)), None, [("BOENDE", 1, "day", 0, False)])
        elif u < 0.16 and (last - max(first, start)).days > 60:  # changes provider once
            change = during(max(first, start) + timedelta(days=30))
            add(person, provider, start, change, items)
            other = _home_provider(rng, home, person.area, exclude=provider)
            add(person, other, change + timedelta(days=1), None, items)
        else:
            end = None
            if rng.random() < 0.12:  # time-limited decision, reviewed after the period
                end = last + timedelta(days=rng.randint(30, 365))
            add(person, provider, start, end, items)
        person.alarm = any(i[0] == "LARM" for i in items)
    _number(rng, out)
    return out


def _number(rng: random.Random, decisions: list[Decision]) -> None:
    """Case-system style ids, B-<year>-<serial>, increasing with the start date within a year."""
    counters: dict[int, int] = {}
    for d in sorted(decisions, key=lambda d: (d.start, d.key)):
        year = d.start.year
        n = counters.get(year, rng.randint(40, 400)) + rng.randint(1, 6)
        counters[year] = n
        d.decision_id = f"B-{year}-{n:06d}"


def decision_rows(decisions: list[Decision]) -> list[tuple]:
    rows = []
    for d in sorted(decisions, key=lambda d: d.decision_id):
        end = d.end.isoformat() if d.end else ""
        head = (d.decision_id, d.recipient.recipient_id, d.provider.org_number, d.start.isoformat(), end)
        for code, freq, period, minutes, double in d.items:
            rows.append((*head, code, BY_CODE[code].category, freq, period, minutes, 1 if double else 0))
    return rows


def granted_minutes(items: list[Item], days_in_month: int = 30) -> float:
    """Granted minutes in a month of `days_in_month` days (PRODUCT.md's definition)."""
    per = {"day": 1, "week": 7, "month": days_in_month}
    return sum(m * f / per[p] * (2 if dbl else 1) for _c, f, p, m, dbl in items) * days_in_month
