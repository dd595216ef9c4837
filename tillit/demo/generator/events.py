"""Care events (händelser): care contact, welcome call, implementation plan, complaints, absences.

Deadlines follow the quality declaration (PRODUCT.md): welcome call within 7 days, plan within
28 days and followed up every 6 months, complaints answered within 14 days. Each provider's
profile decides how often it misses them. Hospital stays (absences) are also returned per
decision so that no visits are planned while the recipient is in hospital.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from .decisions import Decision

EVENT_COLUMNS = ("event_type", "recipient_id", "provider_org_number", "date", "reference", "detail")

COMPLAINT_TOPICS = (
    "bemötande", "tider som inte hålls", "många olika personal", "städningen", "inställt besök",
    "maten", "information och kommunikation", "hygien", "läkemedelshantering",
)
HOSPITAL_PER_YEAR = 0.10  # share of recipients with a hospital stay in a year

Event = tuple[date, int, str, Decision, str, str]  # date, order, type, decision, reference, detail


def _days(rng: random.Random, lo: int, hi: int) -> timedelta:
    return timedelta(days=rng.randint(lo, hi))


def _start_events(rng: random.Random, d: Decision, stop: date, out: list[Event]) -> None:
    """Care contact, welcome call, plan and its follow-ups after a decision starts."""
    p, s, r = d.provider, d.start, rng.random

    def emit(kind: str, day: date, order: int) -> None:
        if day <= stop:
            out.append((day, order, kind, d, "", ""))

    if r() >= p.contact_never:
        emit("care_contact_assigned", s + (_days(rng, 15, 40) if r() < 0.12 else _days(rng, 0, 14)), 0)
    if d.home_care and r() >= 0.03:
        emit("welcome_call", s + (_days(rng, 8, 25) if r() < p.welcome_late else _days(rng, 1, 7)), 1)
    if r() < p.plan_missing:
        return
    plan = s + (_days(rng, *p.plan_days) if r() < p.plan_late else _days(rng, 7, 28))
    emit("plan_established", plan, 2)
    follow = plan
    while True:
        follow += _days(rng, 190, 270) if r() < p.followup_overdue else _days(rng, 140, 182)
        if follow > stop:
            break
        emit("plan_followed_up", follow, 3)


def build_events(rng: random.Random, decisions: list[Decision], first: date, last: date,
                 cutoff: date) -> tuple[list[tuple], dict[int, list[tuple[int, int]]]]:
    """Event rows, and hospital stays per decision key as (first day, day back home) indexes.

    `first`..`last` is the period of data; nothing is dated after `cutoff`.
    """
    events: list[Event] = []
    complaints: list[tuple[date, Decision, date | None, str]] = []
    stays: list[tuple[date, date | None, Decision]] = []
    period_days = (last - first).days + 1
    for d in decisions:
        stop = min(d.end or cutoff, cutoff)
        _start_events(rng, d, stop, events)
        lo = max(d.start, first)
        active = (min(stop, last) - lo).days + 1
        if active <= 0:
            continue
        # complaints: a rate per recipient and year, dated in the period
        expected = d.provider.complaints_per_year * active / 365
        count = int(expected) + (rng.random() < expected - int(expected))
        for _ in range(count):
            received = lo + timedelta(days=rng.randrange(active))
            u = rng.random()
            if u < d.provider.complaint_unanswered:
                answered = None
            elif u < d.provider.complaint_unanswered + d.provider.complaint_late:
                answered = received + _days(rng, 15, 60)
            else:
                answered = received + _days(rng, 1, 14)
            if answered and answered > cutoff:
                answered = None  # still open
            complaints.append((received, d, answered, rng.choice(COMPLAINT_TOPICS)))
        # hospital stays of 1-20 days, mostly short
        if rng.random() < HOSPITAL_PER_YEAR * active / 365:
            length = int(rng.triangular(1, 21, 3))
            start = lo + timedelta(days=rng.randrange(active))
            end = start + timedelta(days=length)
            if d.end and end > d.end:
                continue  # would outlast the decision; leave it out
            stays.append((start, end if end <= cutoff else None, d))

    absences: dict[int, list[tuple[int, int]]] = {}
    serial: dict[tuple[str, int], int] = {}

    def reference(prefix: str, day: date) -> str:
        n = serial.get((prefix, day.year), 0) + 1
        serial[(prefix, day.year)] = n
        return f"{prefix}-{day.year}-{n:05d}"

    for received, d, answered, topic in sorted(complaints, key=lambda c: (c[0], c[1].key)):
        ref = reference("K", received)
        events.append((received, 4, "complaint_received", d, ref, topic))
        if answered:
            events.append((answered, 5, "complaint_answered", d, ref, ""))
    for start, end, d in sorted(stays, key=lambda s: (s[0], s[2].key)):
        ref = reference("F", start)
        events.append((start, 6, "absence_started", d, ref, "sjukhus"))
        if end:
            events.append((end, 7, "absence_ended", d, ref, "sjukhus"))
        back = (end - first).days if end else period_days
        absences.setdefault(d.key, []).append(((start - first).days, back))

    events.sort(key=lambda e: (e[0], e[1], e[3].key))
    rows = [(kind, d.recipient.recipient_id, d.provider.org_number, day.isoformat(), ref, detail)
            for day, _o, kind, d, ref, detail in events]
    return rows, absences
