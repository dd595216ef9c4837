"""Punctuality, visit outcomes, control signals and performed/granted time, by hand.

March 2024, recipient r1, provider A; summer time starts 31 March at 02:00 (clocks to 03:00):

visit  planned  registered       outcome
v1     01:45    03:10–03:40      on time: 01:45 CET is 00:45 UTC, 03:10 CEST 01:10 UTC: 25 min
v2     08:00    08:31–09:01      late (31 min)
v3     08:00    07:29–07:59      early (31 min)
v4     09:00    09:30–10:00      on time (exactly 30 min)
v5     10:00    10:00–(none)     on time, without registered end
v6     12:00    —                declined by the recipient
v7     13:00    —                cancelled by the provider
v8     14:00    —                missed
v9     11:00    11:00–11:30      on time, registered manually
v10    01:30    01:30–03:30      on time, double-staffed: one real hour × 2 staff

Timed 7, on time 5 (71.43 %), late 1 and early 1 (14.29 %); planned 10: 1 declined, 1 cancelled,
1 missed (10 per 100 each); performed 7: 1 without end, 1 manual (14.29 %).
Performed minutes 30 × 5 + 60 × 2 = 270; granted MORG 15 min a day × 31 days = 465 → 58.06 %.
"""

from __future__ import annotations

import pytest

from tests.engine.builders import decision, deliver_decisions, deliver_visits, month_figures, value
from tests.ledger.helpers import visit
from tillit.engine.terms import Terms

DAY = "2024-03-31"


def _v(key, planned, start="", end="", planned_end="", **fields):
    planned_end = f"{DAY} {planned_end or f'{int(planned[:2]) + 1:02d}{planned[2:]}'}"
    return visit(key, f"{DAY} {planned}", planned_end, registered_start=f"{DAY} {start}" if start else "",
                 registered_end=f"{DAY} {end}" if end else "", **fields)


@pytest.fixture
def march(ledger):
    deliver_visits(ledger, [
        _v("v1", "01:45", "03:10", "03:40", "03:45", staff_id="S1"),
        _v("v2", "08:00", "08:31", "09:01", staff_id="S2"),
        _v("v3", "08:00", "07:29", "07:59", staff_id="S3"),
        _v("v4", "09:00", "09:30", "10:00", staff_id="S4"),
        _v("v5", "10:00", "10:00", "", staff_id="S5"),
        _v("v6", "12:00", status="avböjd", staff_id=""),
        _v("v7", "13:00", status="inställd", staff_id=""),
        _v("v8", "14:00", status="missad", staff_id=""),
        _v("v9", "11:00", "11:00", "11:30", staff_id="S6", registration_method="manuell"),
        _v("v10", "01:30", "01:30", "03:30", "03:30", staff_id="S7|S8", double_staffing="1"),
    ])
    deliver_decisions(ledger, [decision("B1", "P:r1", "2024-03-01", minutes="15")])
    return ledger


def test_punctuality_late_and_early(march):
    figures, provider = month_figures("2024-03"), march.provider_a.pk
    assert value(figures, "punctuality", provider) == ("71.43", "5", "7")
    assert value(figures, "late", provider) == ("14.29", "1", "7")
    assert value(figures, "early", provider) == ("14.29", "1", "7")


def test_the_contracts_margin_decides(march):
    figures = month_figures("2024-03", terms={march.provider_a.pk: Terms(punctuality_margin_minutes=31)})
    assert value(figures, "punctuality", march.provider_a.pk) == ("100.00", "7", "7")
    figures = month_figures("2024-03", terms={march.provider_a.pk: Terms(punctuality_margin_minutes=29)})
    assert value(figures, "punctuality", march.provider_a.pk) == ("57.14", "4", "7")  # v4 is now late


def test_outcomes_per_100_planned_and_control_signals(march):
    figures, provider = month_figures("2024-03"), march.provider_a.pk
    for indicator in ("declined", "cancelled", "missed"):
        assert value(figures, indicator, provider) == ("10.00", "1", "10"), indicator
    assert value(figures, "no_end", provider) == ("14.29", "1", "7")
    assert value(figures, "manual", provider) == ("14.29", "1", "7")


def test_performed_of_granted_time_across_the_spring_change(march):
    figures = month_figures("2024-03")
    row = next(r for r in figures.recipients if r["recipient_id"] == march.recipients["P:r1"])
    assert (row["performed_seconds"], row["granted_seconds"]) == (270 * 60, 465 * 60)
    assert (row["planned_visits"], row["performed_visits"], row["staff"]) == (10, 7, 8)
    assert value(figures, "performed_granted", march.provider_a.pk) == ("58.06", "270.00", "465.00")


def test_performed_time_across_the_autumn_change(ledger):
    """27 October 2024 01:30–03:30 local is three real hours (02:00–03:00 happens twice)."""
    deliver_visits(ledger, [visit("a1", "2024-10-27 01:30", "2024-10-27 03:30", staff_id="S1")])
    figures = month_figures("2024-10")
    assert figures.recipients[0]["performed_seconds"] == 3 * 3600


def test_nothing_measured_is_not_zero(ledger):
    figures = month_figures("2024-03")
    assert figures.values == []
