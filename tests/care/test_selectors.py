"""Care selectors: granted time from stored decisions, and what a provider user may see."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from tillit.accounts.access import viewer_for
from tillit.care import selectors
from tillit.care.models import Decision, DecisionIntervention, Intervention, Recipient
from tillit.care.protection import protect
from tillit.common.errors import NotFound
from tillit.common.granted_time import GrantedIntervention, granted_minutes
from tillit.common.periods import Month
from tillit.common.personal_ids import parse_recipient_id


def _recipient(pseudonym: str) -> Recipient:
    key = parse_recipient_id(pseudonym, birth_date=datetime.date(1938, 5, 2))
    id_hash, encrypted = protect(key)
    return Recipient.objects.create(id_kind=key.kind, id_hash=id_hash, id_encrypted=encrypted, birth_date=key.birth_date)


@pytest.fixture
def catalogue(db):
    return {
        code: Intervention.objects.create(
            code=code, name=code, category=category, standard_minutes=Decimal(minutes), valid_from=datetime.date(2020, 1, 1)
        )
        for code, category, minutes in [("MORG", "omvardnad", 15), ("DUSCH", "omvardnad", 40), ("STAD", "service", 96)]
    }


def _decide(recipient, provider, external_id, start, end, lines):
    decision = Decision.objects.create(
        external_id=external_id, recipient=recipient, provider=provider, start_date=start, end_date=end
    )
    for intervention, frequency, period, minutes, double in lines:
        DecisionIntervention.objects.create(
            decision=decision, intervention=intervention, category=intervention.category,
            frequency=Decimal(frequency), period=period, minutes=Decimal(minutes), double_staffing=double,
        )
    return decision


def test_granted_time_of_stored_decisions(world, catalogue):
    recipient = _recipient("P:abc123")
    _decide(recipient, world.provider_a, "B-1", datetime.date(2024, 3, 10), None, [
        (catalogue["MORG"], 1, "day", 15, False),       # 22 days × 15 = 330
        (catalogue["DUSCH"], 1, "week", 40, True),      # 40/7 × 22 × 2 = 1760/7
        (catalogue["STAD"], 2, "month", 96, False),     # 192/31 × 22 = 4224/31
    ])
    decisions = list(selectors.decision_list(viewer=viewer_for(world.controller), recipient=recipient))
    lines = selectors.granted_time(decisions, Month(2024, 3))
    assert sorted(line.minutes for line in lines) == sorted([Fraction(330), Fraction(1760, 7), Fraction(4224, 31)])
    assert selectors.granted_time(decisions, Month(2024, 2)) == []


def test_documented_examples_hold():
    """The table in docs/granted-time.md, computed by the same function."""
    def minutes(m, f, period, start, end, double, year, month):
        item = GrantedIntervention(
            standard_minutes=Decimal(m), frequency=Decimal(f), period=period, double_staffing=double,
            active_from=start, active_to=end,
        )
        return granted_minutes(item, year, month)

    d = datetime.date
    assert minutes(15, 1, "day", d(2024, 3, 1), d(2024, 3, 31), False, 2024, 3) == 465
    assert minutes(40, 1, "week", d(2024, 3, 1), None, False, 2024, 3) == Fraction(1240, 7)
    assert minutes(96, 2, "month", d(2024, 2, 10), d(2024, 2, 29), False, 2024, 2) == Fraction(3840, 29)
    assert minutes(60, 1, "week", d(2024, 4, 1), None, True, 2024, 4) == Fraction(3600, 7)
    assert minutes(60, 1, "week", d(2024, 1, 1), d(2024, 1, 31), False, 2024, 2) == 0
    assert minutes(96, 2, "month", d(2024, 1, 1), None, False, 2024, 2) == 192


def test_a_provider_user_sees_the_recipient_only_with_its_own_decisions(world, catalogue):
    shared = _recipient("P:moved")
    only_b = _recipient("P:onlyb")
    _decide(shared, world.provider_a, "B-A", datetime.date(2024, 1, 1), datetime.date(2024, 2, 29), [(catalogue["MORG"], 1, "day", 15, False)])
    _decide(shared, world.provider_b, "B-B", datetime.date(2024, 3, 1), None, [(catalogue["MORG"], 1, "day", 15, False)])
    _decide(only_b, world.provider_b, "B-B2", datetime.date(2024, 3, 1), None, [(catalogue["MORG"], 1, "day", 15, False)])
    viewer_a = viewer_for(world.user_a)
    assert list(selectors.recipient_list(viewer=viewer_a)) == [shared]
    assert [d.external_id for d in selectors.decision_list(viewer=viewer_a, recipient=shared)] == ["B-A"]
    with pytest.raises(NotFound):
        selectors.recipient_get(viewer=viewer_a, recipient_id=only_b.pk)
    with pytest.raises(NotFound):
        selectors.recipient_get(viewer=viewer_for(world.board), recipient_id=shared.pk)


def test_search_by_identity_finds_by_hash(world, catalogue):
    recipient = _recipient("P:sok-mig")
    _decide(recipient, world.provider_a, "B-S", datetime.date(2024, 1, 1), None, [(catalogue["MORG"], 1, "day", 15, False)])
    viewer = viewer_for(world.controller)
    assert list(selectors.recipient_list(viewer=viewer, search="P:SOK-MIG")) == []  # the id keeps its case
    assert list(selectors.recipient_list(viewer=viewer, search=" p:sok-mig ")) == [recipient]  # the prefix does not
    assert list(selectors.recipient_list(viewer=viewer, search="not an id")) == []
