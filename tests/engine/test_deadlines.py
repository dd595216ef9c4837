"""The quality declaration's deadlines and the care contact, by hand.

Provider A, March 2024 (standard terms: welcome call 7 days, plan 28, follow-up 6 months,
complaints 14; calendar days, the deadline day itself in time):

r1  home care from 1 Mar: contact 5 Mar, welcome call 8 Mar (day 7), plan 29 Mar (day 28),
    plan followed up 29 Sep (6 months to the day); complaint K1 1 Mar answered 15 Mar (day 14)
r2  home care from 1 Mar: welcome call 9 Mar (day 8: late), no plan; complaint K2 2 Mar
    answered 17 Mar (day 15: late)
r3  home care 10–31 Mar renewed from 1 Apr (one episode: one welcome call, one plan):
    welcome call 12 Mar; plan due 7 Apr never made; complaint K3 20 Mar, never answered
r4  nursing home from 1 Mar (owes no welcome call): plan 20 Mar, never followed up

March: welcome calls 2 of 3 in time, plans 2 of 3 (r1, r4; r2 missing), complaints 1 of 2;
care contact at 31 Mar 1 of 4 episodes, 4 days to it.
"""

from __future__ import annotations

import datetime

import pytest

from tests.engine.builders import (
    decision, deliver_decisions, deliver_events, event, month_figures, value,
)
from tests.files import csv_bytes
from tests.ledger.conftest import CATALOGUE_HEADER, _load
from tillit.engine.terms import Terms


@pytest.fixture
def march(ledger):
    _load(ledger.world, "interventions", csv_bytes(CATALOGUE_HEADER, [
        ("BOENDE", "Särskilt boende", "other", "0", "särskilt boende", "2020-01-01", ""),
    ]), "boende.csv")
    deliver_decisions(ledger, [
        decision("B1", "P:r1", "2024-03-01", minutes="15"),
        decision("B2", "P:r2", "2024-03-01", minutes="15"),
        decision("B3", "P:r3", "2024-03-10", "2024-03-31", minutes="15"),
        decision("B3b", "P:r3", "2024-04-01", minutes="15"),
        decision("B4", "P:r4", "2024-03-01", code="BOENDE"),
    ])
    deliver_events(ledger, [
        event("care_contact_assigned", "P:r1", "2024-03-05"),
        event("welcome_call", "P:r1", "2024-03-08"),
        event("plan_established", "P:r1", "2024-03-29"),
        event("plan_followed_up", "P:r1", "2024-09-29"),
        event("complaint_received", "P:r1", "2024-03-01", "K1"),
        event("complaint_answered", "P:r1", "2024-03-15", "K1"),
        event("welcome_call", "P:r2", "2024-03-09"),
        event("complaint_received", "P:r2", "2024-03-02", "K2"),
        event("complaint_answered", "P:r2", "2024-03-17", "K2"),
        event("welcome_call", "P:r3", "2024-03-12"),
        event("complaint_received", "P:r3", "2024-03-20", "K3"),
        event("plan_established", "P:r4", "2024-03-20"),
    ])
    return ledger


def _items(figures, ledger, indicator):
    names = {pk: raw for raw, pk in ledger.recipients.items()}
    return sorted((names[i["recipient_id"]], str(i["due_date"]), i["status"])
                  for i in figures.deadlines if i["indicator"] == indicator)


def test_march_deadlines(march):
    figures, provider = month_figures("2024-03"), march.provider_a.pk
    assert _items(figures, march, "welcome_call") == [
        ("P:r1", "2024-03-08", "met"), ("P:r2", "2024-03-08", "late"), ("P:r3", "2024-03-17", "met")]
    assert _items(figures, march, "plan") == [
        ("P:r1", "2024-03-29", "met"), ("P:r2", "2024-03-29", "missing"), ("P:r4", "2024-03-29", "met")]
    assert _items(figures, march, "complaint") == [("P:r1", "2024-03-15", "met"), ("P:r2", "2024-03-16", "late")]
    assert value(figures, "welcome_call", provider) == ("66.67", "2", "3")
    assert value(figures, "plan", provider) == ("66.67", "2", "3")
    assert value(figures, "complaint", provider) == ("50.00", "1", "2")
    assert value(figures, "plan_follow_up", provider) is None


def test_care_contact_at_the_end_of_the_month(march):
    figures, provider = month_figures("2024-03"), march.provider_a.pk
    assert value(figures, "care_contact", provider) == ("25.00", "1", "4")
    assert value(figures, "care_contact_days", provider) == ("4.00", None, "1")


def test_the_renewed_decision_is_one_episode_and_its_plan_falls_due_in_april(march):
    assert _items(month_figures("2024-04", as_of="2024-05-01"), march, "plan") == [("P:r3", "2024-04-07", "missing")]
    assert _items(month_figures("2024-04", as_of="2024-05-01"), march, "welcome_call") == []


def test_what_is_not_yet_due_is_pending_not_missed(march):
    figures = month_figures("2024-04", as_of="2024-04-02")
    assert _items(figures, march, "complaint") == [("P:r3", "2024-04-03", "pending")]
    assert value(figures, "complaint", march.provider_a.pk) == (None, "0", "0")
    figures = month_figures("2024-04", as_of="2024-04-04")
    assert value(figures, "complaint", march.provider_a.pk) == ("0.00", "0", "1")


def test_follow_up_six_months_after_the_plan(march):
    figures = month_figures("2024-09")
    assert _items(figures, march, "plan_follow_up") == [
        ("P:r1", "2024-09-29", "met"), ("P:r4", "2024-09-20", "missing")]  # r4's plan of 20 Mar never followed up
    assert value(figures, "plan_follow_up", march.provider_a.pk) == ("50.00", "1", "2")


def test_a_contract_may_give_more_days(march):
    figures = month_figures("2024-03", terms={march.provider_a.pk: Terms(welcome_call_days=8, complaint_days=15)})
    assert value(figures, "welcome_call", march.provider_a.pk) == ("100.00", "3", "3")
    assert value(figures, "complaint", march.provider_a.pk) == ("100.00", "2", "2")


def test_a_run_of_several_months_finds_the_same_items(march):
    """Runs of several months ask the deadline query once; each month gets exactly its items."""
    from tillit.common.periods import Month
    from tillit.engine.month import compute_month
    from tillit.engine.reference import Snapshot

    snapshot, as_of = Snapshot(), datetime.date(2025, 1, 1)
    for month in ("2024-03", "2024-04", "2024-09"):
        shared = compute_month(Month.parse(month), {}, as_of=as_of, snapshot=snapshot)
        alone = compute_month(Month.parse(month), {}, as_of=as_of)
        assert shared.deadlines == alone.deadlines and shared.values == alone.values, month
    assert len(snapshot.deadlines) == 1
