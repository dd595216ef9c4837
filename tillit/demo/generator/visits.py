"""Visits from time registration, written as a stream: one provider-day in memory at a time.

For each day, each provider's visits are planned from the active decisions' templates, sorted by
time and given to staff: the recipient's preferred team members when on duty and free, a
substitute now and then, and when everyone is busy the earliest free one (so the visit starts
late). Times are whole wall-clock minutes (see clock.py). This is the hot loop of the generator:
it avoids datetime objects and per-row function calls where it can.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from pathlib import Path

from .clock import DAY, Clock
from .providers import Provider
from .schedule import shift_of
from .staffing import Staffing

VISIT_COLUMNS = (
    "visit_id", "provider_org_number", "unit_code", "recipient_id", "staff_id", "planned_start",
    "planned_end", "registered_start", "registered_end", "intervention_codes", "double_staffing",
    "status", "registration_method",
)
DECLINED, MISSED, CANCELLED, NO_END = 0.030, 0.035, 0.040, 0.045  # cumulative shares
ALARM_PER_DAY = 0.04  # unplanned alarm responses per alarm customer and day (about 1.2 a month)


@dataclass(eq=False, slots=True)
class Plan:
    """One home-care decision as the visit loop needs it."""

    first: int  # first day index with visits
    stop: int  # first day index without (decision ended or period over)
    absent: frozenset | None  # day indexes in hospital
    template: list
    prefs: tuple
    recipient_id: str
    unit: str
    alarm: bool


def write_visits(path: Path, rng: random.Random, first: date, days: int, providers: list[Provider],
                 plans: dict[int, list[Plan]], staffing: Staffing) -> int:
    """Write visits.csv for the period and return the number of rows."""
    clock = Clock(first, days)
    fmt, fix = clock.fmt, clock.fix
    day_str, hm = clock.day_str, clock.hm
    rnd = rng.random
    busy = [0] * len(staffing.ids)
    staff_ids = staffing.ids
    by_time = itemgetter(0)
    counters = {p.index: 0 for p in providers}
    total = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(VISIT_COLUMNS)
        for d in range(days):
            today = first + timedelta(days=d)
            key = today.weekday() * 5 + min((today.day - 1) // 7, 4)
            base = clock.day_minute(d)
            on = staffing.on_duty[d % 7]
            near = clock.near_gap[d]
            for p in providers:
                todays = plans.get(p.index)
                if not todays:
                    continue
                batch = []
                add = batch.append
                for s in todays:
                    if d < s.first or d >= s.stop or (s.absent is not None and d in s.absent):
                        continue
                    for e in s.template[key]:
                        add((base + e[0], e, s))
                    if s.alarm and rnd() < ALARM_PER_DAY:
                        m = int(rnd() * DAY)
                        add((base + m, (m, 20, "LARM", 0, shift_of(m), 1), s))
                batch.sort(key=by_time)
                org, prefix = p.org_number, f"V{p.index}-"
                ratio, punctual, manual, app_share = p.performed_ratio, p.punctual, p.manual, p.manual + p.app
                substitute = p.substitute
                pool = staffing.pools[p.index]
                npool = len(pool)
                n = counters[p.index]
                rows = []
                row = rows.append
                for t, e, s in batch:
                    n += 1
                    dur, prefs = e[1], s.prefs[e[4]]
                    ps = t
                    if near:
                        ps = fix(ps)
                    pe = ps + dur
                    if near:
                        pe = fix(pe)
                    dbl = "1" if e[3] else "0"
                    u = rnd() if len(e) == 5 else 1.0  # alarm responses are always performed
                    if u < CANCELLED:
                        status = "declined" if u < DECLINED else ("missed" if u < MISSED else "cancelled")
                        row((prefix + str(n), org, s.unit, s.recipient_id,
                             "" if status == "cancelled" else staff_ids[prefs[0]],
                             fmt(ps), fmt(pe), "", "", e[2], dbl, status, ""))
                        continue
                    if len(e) == 6:
                        rs = ps + int(rnd() * 4)
                    elif rnd() < punctual:
                        rs = ps + int((rnd() + rnd()) * 24) - 20
                    elif rnd() < 0.9:
                        rs = ps + 31 + int(rnd() * 70)
                    else:
                        rs = ps - 31 - int(rnd() * 20)
                    # who goes: a substitute now and then, else the first free preferred team member
                    st = -1
                    if rnd() < substitute:
                        c = pool[int(rnd() * npool)]
                        if on[c] and busy[c] <= rs:
                            st = c
                    if st < 0:
                        for c in prefs:
                            if on[c] and busy[c] <= rs:
                                st = c
                                break
                        else:
                            for _ in range(4):
                                c = pool[int(rnd() * npool)]
                                if on[c] and busy[c] <= rs:
                                    st = c
                                    break
                            else:
                                st, free = prefs[0], busy[prefs[0]]
                                for c in prefs:
                                    if on[c] and busy[c] < free:
                                        st, free = c, busy[c]
                                if free > rs:
                                    rs = free + 2 + int(rnd() * 6)
                    length = int(dur * ratio * (0.55 + 0.9 * rnd()) + 0.5)
                    re = rs + (length if length > 0 else 1)
                    busy[st] = re
                    if near:
                        rs, re = fix(rs), fix(re)
                    v = rnd()
                    method = "manual" if v < manual else ("app" if v < app_share else "nfc")
                    d0, m0 = divmod(rs, DAY)
                    if u < NO_END:
                        end = ""
                    else:
                        d1, m1 = divmod(re, DAY)
                        end = day_str[d1] + hm[m1]
                    row((prefix + str(n), org, s.unit, s.recipient_id, staff_ids[st], fmt(ps), fmt(pe),
                         day_str[d0] + hm[m0], end, e[2], dbl, "performed", method))
                counters[p.index] = n
                writer.writerows(rows)
                total += len(rows)
    return total
