"""Small constructed months for the hand-computed indicator tests."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from tests.files import ORG_A, csv_bytes
from tests.ledger.conftest import _load
from tests.ledger.helpers import load, visit
from tillit.care.models import Recipient
from tillit.common.periods import Month
from tillit.engine.month import MonthFigures, compute_month
from tillit.engine.terms import Terms

_ids = itertools.count(1)
DECISION_HEADER = ["decision_id", "recipient_id", "provider_org_number", "start_date", "end_date",
                   "intervention_code", "category", "frequency", "period", "minutes", "double_staffing"]
EVENT_HEADER = ["event_type", "recipient_id", "provider_org_number", "date", "reference", "detail"]


def at(day: datetime.date, clock: str, minutes: int = 30, /, **fields: Any) -> dict[str, str]:
    """A performed visit on `day` at local `clock`, lasting `minutes` (planned = registered)."""
    start = datetime.datetime.combine(day, datetime.time.fromisoformat(clock))
    end = start + datetime.timedelta(minutes=minutes)
    return visit(f"v{next(_ids)}", f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}", **fields)


def days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def add_recipient(ledger, raw: str, birth_date: str) -> int:
    _load(ledger.world, "recipients", csv_bytes(["recipient_id", "birth_date"], [[raw, birth_date]]), f"{raw[2:]}.csv")
    pk = next(r.pk for r in Recipient.objects.all() if r.key.canonical == raw)
    ledger.recipients[raw] = pk
    return pk


def deliver_visits(ledger, rows: list[dict[str, str]]) -> None:
    delivery = load(ledger.world, rows)
    assert delivery.status == "loaded", list(delivery.issues.values_list("row", "column", "reason")[:5])


def deliver_decisions(ledger, rows: list[list[Any]]) -> None:
    _load(ledger.world, "decisions", csv_bytes(DECISION_HEADER, rows), f"beslut-{next(_ids)}.csv")


def deliver_events(ledger, rows: list[list[Any]]) -> None:
    _load(ledger.world, "care_events", csv_bytes(EVENT_HEADER, rows), f"handelser-{next(_ids)}.csv")


def decision(key: str, recipient: str, start: str, end: str = "", *, org: str = ORG_A, code: str = "MORG",
             frequency: str = "1", period: str = "day", minutes: str = "", double: str = "") -> list[Any]:
    return [key, recipient, org, start, end, code, "", frequency, period, minutes, double]


def event(kind: str, recipient: str, day: str, reference: str = "", *, org: str = ORG_A) -> list[Any]:
    return [kind, recipient, org, day, reference, ""]


def month_figures(month: str, *, as_of: str = "2025-01-01", terms: dict[int, Terms] | None = None) -> MonthFigures:
    return compute_month(Month.parse(month), terms or {}, as_of=datetime.date.fromisoformat(as_of))


def value(figures: MonthFigures, indicator: str, provider_id: int, unit_id: int | None = None):
    """The figure's (value, numerator, denominator) as plain strings, or None when absent."""
    for v in figures.values:
        if (v.indicator, v.provider_id, v.unit_id) == (indicator, provider_id, unit_id):
            return (None if v.value is None else str(v.value), None if v.numerator is None else str(v.numerator),
                    str(v.denominator))
    return None
