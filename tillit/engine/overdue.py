"""What a provider owes now: deadlines passed without the event, for care still going on.

Reads only the system of record's decisions and care events (never the ledger), so a
provider page can ask it on every load.
"""

from __future__ import annotations

import datetime
from typing import Any

from tillit.common.duck import connect
from tillit.engine import queries, reference
from tillit.engine.terms import Terms

_BEGINNING = datetime.date(1900, 1, 1)
# A welcome call belongs to the start of care: one missed long ago stays in its month's figure
# but is no longer something to do now.
WELCOME_CALL_HORIZON = datetime.timedelta(days=90)


def overdue_items(*, provider_id: int, terms: Terms, as_of: datetime.date) -> list[dict[str, Any]]:
    """Missing welcome calls (of the last 90 days), plans, follow-ups and answers whose deadline
    is before `as_of`, and recipients in care on `as_of` without a care contact; oldest first."""
    connection = connect()
    try:
        reference.register(connection, {
            "decisions": reference.decisions(provider_id),
            "care_events": reference.care_events(provider_id),
            "terms": reference.terms({provider_id: terms}),
        })
        queries.execute(connection, "episodes")
        items = [
            item for item in queries.rows(connection, "deadlines", {
                "as_of": as_of, "due_from": _BEGINNING, "due_to": as_of - datetime.timedelta(days=1)})
            if item["status"] == "missing" and (item["end_date"] is None or item["end_date"] >= as_of)
            and not (item["indicator"] == "welcome_call" and item["due_date"] < as_of - WELCOME_CALL_HORIZON)
        ]
        items += [
            {"indicator": "care_contact", "provider_id": row["provider_id"], "recipient_id": row["recipient_id"],
             "reference": "", "start_date": row["start_date"], "due_date": None, "end_date": None,
             "done_date": None, "status": "missing"}
            for row in queries.rows(connection, "care_contact", {"month_end": as_of})
            if row["assigned_date"] is None
        ]
    finally:
        connection.close()
    return sorted(items, key=lambda item: (item["due_date"] or item["start_date"], item["indicator"]))
