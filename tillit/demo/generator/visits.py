"""Visits from time registration, written as a stream: one provider-day in memory at a time.

For each day, each provider's visits are planned from the active decisions' templates, sorted by
time and given to staff: the recipient's preferred team members when on duty and free, a
substitute now and then, and when everyone is busy the earliest free one (so the visit starts
late). Staff never overlap themselves. Times are whole wall-clock minutes (see clock.py).

This is the generator's hot loop (millions of rows): it avoids datetime objects, function calls
and the csv module per row, and writes pre-quoted cells joined by commas instead.
"""

from __future__ import annotations

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


def cell(value: str) -> str:
    """A CSV cell as csv.writer (QUOTE_MINIMAL) would write it."""
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


@dataclass(eq=False, slots=True)
class Plan:
    """One home-care decision as the visit loop needs it."""

    first: int  # first day index with visits
    stop: int  # first day index without (decision ended or period over)
    absent: frozenset | None  # day indexes in hospital
    template: list
    prefs: tuple  # staff preference order per shift
    head: str  # "provider_org_number,unit_code,recipient_id" as CSV cells
    alarm: bool


def write_visits(path: Path, rng: random.Random, first: date, days: int, providers: list[Provider],
                 plans: dict[int, list[Plan]], staffing: Staffing) -> int:
    """Write visits.csv for `days` days from `first`; return the number of rows."""
    clock = Clock(first, days)
    fix, day_str, hm = clock.fix, clock.day_str, clock.hm
    rnd = rng.random
    busy = [0] * len(staffing.ids)
    staff_ids = [cell(s) for s in staffing.ids]
    by_time = itemgetter(0)
    counters = {p.index: 0 for p in providers}
    total = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(VISIT_COLUMNS) + "\n")
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
                prefix = f"V{p.index}-"
                ratio, punctual, manual, app_share = p.performed_ratio, p.punctual, p.manual, p.manual + p.app
                substitute, scattered = p.substitute, p.substitute + p.scatter
                pool = staffing.pools[p.index]
                npool = len(pool)
                n = counters[p.index]
                rows = []
                row = rows.append
                for t, e, s in batch:
                    n += 1
                    dur, prefs = e[1], s.prefs[e[4]]
                    ps = fix(t) if near else t
                    pe = ps + dur
                    if near:
                        pe = fix(pe)
                    d0, m0 = divmod(ps, DAY)
                    d1, m1 = divmod(pe, DAY)
                    planned = day_str[d0] + hm[m0] + "," + day_str[d1] + hm[m1]
                    u = rnd() if len(e) == 5 else 1.0  # alarm responses are always performed
                    if u < CANCELLED:
                        if u < DECLINED:
                            tail = "declined,"
                        else:
                            tail = "missed," if u < MISSED else "cancelled,"
                        staff = "" if u >= MISSED else staff_ids[prefs[0]]
                        row(f"{prefix}{n},{s.head},{staff},{planned},,,{e[2]},{e[3]},{tail}\n")
                        continue
                    if len(e) == 6:
                        rs = ps + int(rnd() * 4)
                    elif rnd() < punctual:
                        rs = ps + int((rnd() + rnd()) * 24) - 20
                    elif rnd() < 0.9:
                        rs = ps + 31 + int(rnd() * 70)
                    else:
                        rs = ps - 31 - int(rnd() * 20)
                    if near:
                        rs = fix(rs)
                    # who goes: a substitute now and then, else the first free preferred team member
                    st = -1
                    w = rnd()
                    if w < scattered:
                        c = pool[int(rnd() * npool)] if w < substitute else prefs[int(rnd() * len(prefs))]
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
                                    if near:
                                        rs = fix(rs)
                    length = int(dur * ratio * (0.55 + 0.9 * rnd()) + 0.5)
                    re = rs + (length if length > 0 else 1)
                    if near:
                        re = fix(re)
                    busy[st] = re
                    staff = staff_ids[st]
                    if e[3] == 1:  # double-staffed: the next free team member goes too (both ids)
                        second = next((c for c in prefs if c != st and on[c] and busy[c] <= rs), -1)
                        if second >= 0:
                            busy[second] = re
                            staff += "|" + staff_ids[second]
                    v = rnd()
                    method = "manual" if v < manual else ("app" if v < app_share else "nfc")
                    d0, m0 = divmod(rs, DAY)
                    if u < NO_END:
                        end = ""
                    else:
                        d1, m1 = divmod(re, DAY)
                        end = day_str[d1] + hm[m1]
                    row(f"{prefix}{n},{s.head},{staff},{planned},{day_str[d0]}{hm[m0]},{end},"
                        f"{e[2]},{e[3]},performed,{method}\n")
                counters[p.index] = n
                f.writelines(rows)
                total += len(rows)
    return total
