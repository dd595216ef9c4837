"""A decision's weekly visit plan: which visits happen on which day and at what time.

Each intervention is placed in a slot (morning, lunch, evening, night, service ...) at a time
that is fixed for the recipient; interventions due in the same slot on the same day become one
visit with several intervention codes (a shower on the morning visit, shopping and waste on the
service visit). The plan is a list of 35 entries indexed by weekday * 5 + week of month
(days 1-7 are week 0, ..., days 29-31 week 4), each a tuple of visits
(minute of day, planned minutes, codes, double staffing 0/1, shift).
"""

from __future__ import annotations

import random

from .catalogue import BY_CODE, ORDER
from .decisions import Item

NIGHT, DAY_SHIFT, EVENING = 0, 1, 2
WEEKDAYS = (0, 1, 2, 3, 4)

Entry = tuple[int, int, str, int, int]
Template = list[tuple[Entry, ...]]


def shift_of(minute: int) -> int:
    """Night 22-07, day 07-15, evening 15-22."""
    if minute < 420 or minute >= 1320:
        return NIGHT
    return DAY_SHIFT if minute < 900 else EVENING


def _times(rng: random.Random) -> dict[str, int]:
    """The recipient's fixed times of day (minutes after midnight) for each slot."""
    r = rng.random

    def k(lo: int, hi: int) -> int:  # rng.randint, without its overhead
        return lo + int(r() * (hi - lo + 1))

    return {
        "morning": 420 + 5 * k(0, 36),  # 07:00-10:00
        "lunch": 690 + 5 * k(0, 18),  # 11:30-13:00
        "evening": 1020 + 5 * k(0, 36),  # 17:00-20:00
        "meal": 630 + 5 * k(0, 18),  # 10:30-12:00
        "service": 540 + 15 * k(0, 20),  # 09:00-14:00
        "shower": 555 + 5 * k(0, 21),  # 09:15-11:00
        "walk": 780 + 15 * k(0, 12),  # 13:00-16:00
        "own_care": 600 + 5 * k(0, 12),  # 10:00-11:00
        "hsl_m": 450 + 5 * k(0, 12),  # 07:30-08:30
        "hsl_e": 1200 + 5 * k(0, 12),  # 20:00-21:00
        "check_a": 600 + 5 * k(0, 12),  # 10:00-11:00
        "check_b": 870 + 5 * k(0, 24),  # 14:30-16:30
        "check_c": 1230 + 5 * k(0, 8),  # 20:30-21:10
        "night_a": 1350 + 5 * k(0, 17),  # 22:30-23:55
        "night_b": 60 + 5 * k(0, 36),  # 01:00-04:00 (crosses the spring gap sometimes)
        "night_c": 300 + 5 * k(0, 11),  # 05:00-05:55
    }


def _weekdays(rng: random.Random, freq: int, used: list[int], service: bool) -> tuple[int, ...]:
    """`freq` days of the week: service on the least-used weekdays, care spread over the week."""
    if freq >= 7 or (service and freq >= 5):
        return tuple(range(7)) if freq >= 7 else WEEKDAYS
    if service:
        days = sorted(WEEKDAYS, key=lambda d: (used[d], rng.random()))[:freq]
        for d in days:
            used[d] += 1
        return tuple(days)
    first = rng.randrange(7)
    return tuple(sorted({(first + round(k * 7 / freq)) % 7 for k in range(freq)}))


def _weeks_of_month(rng: random.Random, freq: int) -> tuple[int, ...]:
    if freq >= 4:
        return (0, 1, 2, 3)
    if freq == 2:
        return rng.choice(((0, 2), (1, 3)))
    if freq == 3:
        return (0, 1, 2)
    return (rng.randrange(4),)


def build_template(rng: random.Random, items: list[Item]) -> tuple[Template | None, list[int]]:
    """The decision's visit plan and its planned minutes per shift over four weeks."""
    codes = {i[0] for i in items}
    t = _times(rng)
    used = [0] * 7
    # placements: (slot, code, minutes, double, weekdays or None, weeks of month or None)
    places: list[tuple[str, str, int, bool, tuple | None, tuple | None]] = []
    for code, freq, period, minutes, dbl in items:
        if code in ("LARM", "BOENDE"):
            continue  # no planned visits: alarm responses come unplanned, nursing homes have none
        service = BY_CODE[code].category == "service" or code in ("LEDS", "AVLOS")
        if period == "day":
            if code == "NATT":
                slots = ("night_a", "night_b", "night_c")[:freq]
            elif code == "TRYGG":
                slots = ("check_b",) if freq == 1 else ("check_a", "check_b", "check_c")[:freq]
            elif code in ("HSL", "EGENV"):
                morning = "morning" if "MORG" in codes else ("hsl_m" if code == "HSL" else "own_care")
                evening = "evening" if "KVALL" in codes else ("hsl_e" if code == "HSL" else "check_c")
                slots = (morning,) if freq == 1 else (morning, evening)
            else:
                slots = ({"MORG": "morning", "LUNCH": "lunch", "KVALL": "evening", "MAT": "meal"}[code],)
            for slot in slots:
                places.append((slot, code, minutes, dbl, None, None))
            continue
        if code == "DUSCH":
            slot = "morning" if "MORG" in codes else "shower"
        elif code in ("PROM", "LEDS", "AVLOS"):
            slot = "walk"
        else:
            slot = "service"
        if period == "week":
            places.append((slot, code, minutes, dbl, _weekdays(rng, freq, used, service), None))
        else:  # month
            places.append((slot, code, minutes, dbl, _weekdays(rng, 1, used, service),
                           _weeks_of_month(rng, freq)))
    if not places:
        return None, [0, 0, 0]

    template: Template = []
    cache: dict[tuple[int, ...], tuple[Entry, ...]] = {}
    load = [0, 0, 0]
    daily = [n for n, p in enumerate(places) if p[4] is None]
    for wd in range(7):
        weekly = daily + [n for n, p in enumerate(places) if p[4] and p[5] is None and wd in p[4]]
        monthly = [n for n, p in enumerate(places) if p[5] and wd in p[4]]
        for wom in range(5):
            due = tuple(weekly + [n for n in monthly if wom in places[n][5]]) if monthly else tuple(weekly)
            entries = cache.get(due)
            if entries is None:
                entries = cache[due] = _entries([places[n] for n in due], t)
            template.append(entries)
            if wom < 4:
                for e in entries:
                    load[e[4]] += e[1]
    return template, load


def _entries(due: list[tuple], times: dict[str, int]) -> tuple[Entry, ...]:
    """One visit per slot with the interventions due in it, in time order."""
    slots: dict[str, list] = {}
    for p in due:
        slots.setdefault(p[0], []).append(p)
    entries = []
    for slot, group in slots.items():
        minute = times[slot]
        group.sort(key=lambda p: ORDER[p[1]])
        entries.append((minute, sum(p[2] for p in group), "|".join(p[1] for p in group),
                        1 if any(p[3] for p in group) else 0, shift_of(minute)))
    return tuple(sorted(entries))
