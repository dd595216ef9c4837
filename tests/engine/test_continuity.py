"""Staff continuity (Socialstyrelsen's method), computed by hand on a constructed May 2024.

Periods are 1–14 and 15–28 May. Every recipient has a morning and an evening visit every day;
the exceptions below decide who is observed and how many staff each met:

period 1–14   r1 S1, S2 and S3 once (3) · r2 in hospital 5–8 May (not observed) · r3 08:00 S1 and
              21:50–22:20 S6, plus 06:55 S8 and 22:05 S9 that do not count (2) · r4 on 6 May one
              regular visit and a safety-alarm-only visit (not observed) · r5 double-staffed
              S1|S7 once (3) · young turns 65 on 5 May (not observed)
period 15–28  r2 meets 21 different staff (21); everyone else 2 (r3: S1, S6)

Month: 9 observations, 3+2+3 + 2+21+2+2+2+2 = 39 staff → mean 4.33, median 2, more than 20: 1 of 9.
"""

from __future__ import annotations

import datetime

import pytest

from tests.engine.builders import add_recipient, at, days, deliver_visits, month_figures, value
from tests.ledger.conftest import UNIT_A, UNIT_A2

MAY = datetime.date(2024, 5, 1)


def _visits(ledger) -> list[dict[str, str]]:
    rows = []
    others = [f"S{n}" for n in range(10, 31)]  # 21 staff for r2 in period 2
    for day in days(MAY, datetime.date(2024, 5, 28)):
        first = day.day <= 14
        # r1, at unit A: S1 mornings, S2 evenings, S3 on the morning of 3 May
        rows.append(at(day, "08:00", recipient_id="P:r1", unit_code=UNIT_A, staff_id="S3" if day.day == 3 else "S1"))
        rows.append(at(day, "19:00", recipient_id="P:r1", unit_code=UNIT_A, staff_id="S2"))
        # r2: in hospital 5–8 May; 21 different staff in period 2
        if not 5 <= day.day <= 8:
            morning, evening = ("S1", "S2") if first else (others[(2 * day.day) % 21], others[(2 * day.day + 1) % 21])
            rows.append(at(day, "08:00", recipient_id="P:r2", staff_id=morning))
            rows.append(at(day, "19:00", recipient_id="P:r2", staff_id=evening))
        # r3: the 21:50–22:20 visit counts (it starts before 22); 06:55 and 22:05 do not
        rows.append(at(day, "08:00", recipient_id="P:r3", staff_id="S1"))
        rows.append(at(day, "21:50", recipient_id="P:r3", staff_id="S6"))
        if first:
            rows.append(at(day, "06:55", 5, recipient_id="P:r3", staff_id="S8"))
            rows.append(at(day, "22:05", 10, recipient_id="P:r3", staff_id="S9"))
        # r4: on 6 May the evening visit holds only a safety alarm
        rows.append(at(day, "08:00", recipient_id="P:r4", staff_id="S1"))
        rows.append(at(day, "19:00", recipient_id="P:r4", staff_id="S2",
                       intervention_codes="LARM" if day.day == 6 else "KVALL|LARM"))
        # r5, at unit A2: a double-staffed visit with S1 and S7 on 10 May
        double = day.day == 10
        rows.append(at(day, "08:00", recipient_id="P:r5", unit_code=UNIT_A2, staff_id="S1|S7" if double else "S1",
                       double_staffing="ja" if double else ""))
        rows.append(at(day, "19:00", recipient_id="P:r5", unit_code=UNIT_A2, staff_id="S2"))
        # young: 65 on 5 May, so only period 2
        rows.append(at(day, "08:00", recipient_id="P:young", staff_id="S1"))
        rows.append(at(day, "19:00", recipient_id="P:young", staff_id="S2"))
    return rows


@pytest.fixture
def may(ledger):
    add_recipient(ledger, "P:young", "1959-05-05")
    deliver_visits(ledger, _visits(ledger))
    return ledger, month_figures("2024-05")


def _observed(figures, ledger) -> dict[tuple[str, int], int]:
    names = {pk: raw for raw, pk in ledger.recipients.items()}
    return {(names[o["recipient_id"]], o["period_start"].day): o["staff"] for o in figures.continuity}


def test_who_is_observed_and_how_many_staff_each_met(may):
    ledger, figures = may
    assert _observed(figures, ledger) == {
        ("P:r1", 1): 3, ("P:r3", 1): 2, ("P:r5", 1): 3,
        ("P:r1", 15): 2, ("P:r2", 15): 21, ("P:r3", 15): 2, ("P:r4", 15): 2, ("P:r5", 15): 2, ("P:young", 15): 2,
    }


def test_provider_figures(may):
    ledger, figures = may
    provider = ledger.provider_a.pk
    assert value(figures, "continuity_mean", provider) == ("4.33", "39", "9")
    assert value(figures, "continuity_median", provider) == ("2.00", None, "9")
    assert value(figures, "continuity_over_20", provider) == ("11.11", "1", "9")


def test_unit_figures_follow_the_unit_that_made_the_visits(may):
    ledger, figures = may
    assert value(figures, "continuity_mean", ledger.provider_a.pk, ledger.unit_a.pk) == ("2.50", "5", "2")
    assert value(figures, "continuity_mean", ledger.provider_a.pk, ledger.unit_a2.pk) == ("2.50", "5", "2")
    assert value(figures, "continuity_mean", ledger.provider_b.pk) is None


def test_staff_per_recipient_and_month_counts_every_performed_visit(may):
    ledger, figures = may
    by_recipient = {r["recipient_id"]: r["staff"] for r in figures.recipients}
    assert by_recipient[ledger.recipients["P:r3"]] == 4  # S1, S6 and the uncounted S8 and S9
    assert by_recipient[ledger.recipients["P:r2"]] == 23  # S1, S2 and the 21 others
    # r1 3, r2 23, r3 4, r4 2, r5 3, young 2 → 37 / 6
    assert value(figures, "staff_per_recipient", ledger.provider_a.pk) == ("6.17", "37", "6")


def test_local_clock_decides_the_07_to_22_window_in_summer_time(ledger):
    """07:30 local is 05:30 UTC and counts; 22:30 local is 20:30 UTC and does not."""
    rows = []
    for day in days(datetime.date(2024, 6, 1), datetime.date(2024, 6, 14)):
        rows.append(at(day, "07:30", recipient_id="P:r1", staff_id="S1"))
        rows.append(at(day, "12:00", recipient_id="P:r1", staff_id="S2"))
        rows.append(at(day, "22:30", recipient_id="P:r1", staff_id="S3"))
    deliver_visits(ledger, rows)
    figures = month_figures("2024-06")
    assert [(o["period_start"].day, o["staff"]) for o in figures.continuity] == [(1, 2)]


def test_visits_at_a_nursing_home_unit_are_not_home_care(ledger):
    """r1's visits at a nursing-home unit do not count; r2's at a home-care unit and without a unit do."""
    from tillit.registry.models import Unit

    Unit.objects.create(provider=ledger.provider_a, code="SÄ-ROS", name="Rosengården", service_type="nursing_home")
    rows = []
    for day in days(datetime.date(2024, 6, 1), datetime.date(2024, 6, 14)):
        rows.append(at(day, "08:00", recipient_id="P:r1", unit_code="SÄ-ROS", staff_id="S1"))
        rows.append(at(day, "19:00", recipient_id="P:r1", unit_code="SÄ-ROS", staff_id="S2"))
        rows.append(at(day, "08:00", recipient_id="P:r2", unit_code=UNIT_A, staff_id="S1"))
        rows.append(at(day, "19:00", recipient_id="P:r2", staff_id="S3"))
    deliver_visits(ledger, rows)
    figures = month_figures("2024-06")
    assert _observed(figures, ledger) == {("P:r2", 1): 2}
