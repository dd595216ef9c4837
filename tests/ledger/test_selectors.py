"""visit_page: a month's visits scoped to the viewer, filtered and paged. A provider user
never sees another provider's visits, whatever filters they send."""

from __future__ import annotations

import datetime

import pytest

from tests.files import ORG_B
from tests.ledger.conftest import UNIT_A, UNIT_A2, UNIT_B
from tests.ledger.helpers import errors, load, visit
from tillit.accounts.access import viewer_for
from tillit.common.errors import NotFound
from tillit.common.periods import Month
from tillit.deliveries.models import Delivery
from tillit.ledger.selectors import VisitFilters, visit_page

MAY = Month.parse("2024-05")


@pytest.fixture
def may(ledger):
    """Eight visits of A and three of B in May 2024, one of A in June."""
    rows = [
        # on time, late (31 min), early (45 min), exactly 30 min late (on time)
        visit("A1", "2024-05-02 08:00", "2024-05-02 08:30", unit_code=UNIT_A, recipient_id="P:r1"),
        visit("A2", "2024-05-03 08:00", "2024-05-03 08:30", registered_start="2024-05-03 08:31",
              registered_end="2024-05-03 09:00", unit_code=UNIT_A, recipient_id="P:r2"),
        visit("A3", "2024-05-04 08:00", "2024-05-04 08:30", registered_start="2024-05-04 07:15",
              registered_end="2024-05-04 07:45", unit_code=UNIT_A2, recipient_id="P:r1"),
        visit("A4", "2024-05-05 08:00", "2024-05-05 08:30", registered_start="2024-05-05 08:30",
              registered_end="2024-05-05 08:50", recipient_id="P:r3", intervention_codes="DUSCH"),
        visit("A5", "2024-05-06 08:00", "2024-05-06 08:30", registered_end="", recipient_id="P:r1"),  # no end
        visit("A6", "2024-05-07 08:00", "2024-05-07 08:30", status="avböjd", registered_start="", registered_end="",
              recipient_id="P:r2", intervention_codes="MORG|DUSCH"),
        visit("A7", "2024-05-08 08:00", "2024-05-08 08:30", status="missad", registered_start="", registered_end="",
              recipient_id="P:r1"),
        visit("A8", "2024-05-09 08:00", "2024-05-09 08:30", staff_id="S2", recipient_id="P:r4"),
        visit("AJ", "2024-06-01 08:00", "2024-06-01 08:30"),
        visit("B1", "2024-05-02 08:00", "2024-05-02 08:30", provider_org_number=ORG_B, unit_code=UNIT_B,
              staff_id="B1", recipient_id="P:r1"),
        visit("B2", "2024-05-03 09:00", "2024-05-03 09:30", provider_org_number=ORG_B, staff_id="B1",
              registered_start="2024-05-03 10:00", registered_end="2024-05-03 10:20", recipient_id="P:r5"),
        visit("B3", "2024-05-04 08:00", "2024-05-04 08:30", provider_org_number=ORG_B, staff_id="B1",
              registered_end="", intervention_codes="DUSCH", recipient_id="P:r5"),
    ]
    delivery = load(ledger.world, rows)
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    return ledger


def ids(page) -> list[str]:
    return [row["visit_id"] for row in page.rows]


def page_of(user, **filters):
    return visit_page(viewer=viewer_for(user), filters=VisitFilters(month=MAY, **filters), per_page=100)


def test_a_provider_user_sees_only_their_own_visits(may) -> None:
    world = may.world
    assert ids(page_of(world.user_b)) == ["B1", "B2", "B3"]
    assert ids(page_of(world.user_a)) == [f"A{n}" for n in range(1, 9)]
    assert page_of(world.controller).total == 11
    # Asking for the other provider's visits by id gives nothing, not an error that reveals them.
    for filters in ({"provider_ids": (may.provider_a.pk,)}, {"recipient_id": may.recipients["P:r2"]},
                    {"unit_id": may.unit_a.pk}, {"staff_id": "S1"}, {"status": "missed"}):
        page = page_of(world.user_b, **filters)
        assert all(row["provider_id"] == may.provider_b.pk for row in page.rows), filters
        assert not any(v.startswith("A") for v in ids(page))
    assert page_of(world.user_b, provider_ids=(may.provider_a.pk,)).total == 0
    assert ids(page_of(world.user_b, provider_ids=(may.provider_a.pk, may.provider_b.pk))) == ["B1", "B2", "B3"]


def test_users_without_care_data_access_get_not_found(may) -> None:
    with pytest.raises(NotFound):
        page_of(may.world.board)


FILTERS = [
    ({"status": "declined"}, ["A6"]),
    ({"status": "missed"}, ["A7"]),
    ({"timing": "late"}, ["A2", "B2"]),
    ({"timing": "early"}, ["A3"]),
    ({"timing": "late", "margin_minutes": 29}, ["A2", "A4", "B2"]),
    ({"no_end": True}, ["A5", "B3"]),
    ({"intervention": "DUSCH"}, ["A4", "A6", "B3"]),
    ({"staff_id": "S2"}, ["A8"]),
    ({"status": "performed", "intervention": "DUSCH", "no_end": False}, ["A4", "B3"]),
]


def test_filters(may) -> None:
    for filters, expected in FILTERS:
        page = page_of(may.world.controller, **filters)
        assert (sorted(ids(page)), page.total) == (expected, len(expected)), filters
    # The same filters for a provider user: only their own part of each answer.
    for filters, expected in FILTERS:
        page = page_of(may.world.user_b, **filters)
        assert sorted(ids(page)) == [key for key in expected if key.startswith("B")], filters


def test_recipient_and_unit_filters(may) -> None:
    controller = may.world.controller
    assert ids(page_of(controller, recipient_id=may.recipients["P:r1"])) == ["A1", "A3", "A5", "A7", "B1"]
    assert ids(page_of(controller, unit_id=may.unit_a.pk)) == ["A1", "A2"]
    assert ids(page_of(may.world.user_a, recipient_id=may.recipients["P:r1"])) == ["A1", "A3", "A5", "A7"]


def test_rows_carry_local_times_and_minutes(may) -> None:
    row = next(r for r in page_of(may.world.controller).rows if r["visit_id"] == "A2")
    assert row["planned_start"].replace(tzinfo=None) == datetime.datetime(2024, 5, 3, 8, 0)
    assert row["registered_start"].replace(tzinfo=None) == datetime.datetime(2024, 5, 3, 8, 31)
    assert (row["start_deviation"], row["minutes"]) == (31, 29)


def test_paging(may) -> None:
    viewer = viewer_for(may.world.user_a)
    pages = [visit_page(viewer=viewer, filters=VisitFilters(month=MAY), page=n, per_page=3) for n in (1, 2, 3, 4)]
    assert [ids(p) for p in pages] == [["A1", "A2", "A3"], ["A4", "A5", "A6"], ["A7", "A8"], []]
    assert [p.total for p in pages] == [8, 8, 8, 8]
    assert [(p.has_previous, p.has_next) for p in pages[:3]] == [(False, True), (True, True), (True, False)]
    assert visit_page(viewer=viewer, filters=VisitFilters(month=MAY), page=0, per_page=3).page == 1


def test_a_month_without_visits_is_an_empty_page(may) -> None:
    page = visit_page(viewer=viewer_for(may.world.controller), filters=VisitFilters(month=Month.parse("2023-01")))
    assert (page.rows, page.total) == ([], 0)
    june = visit_page(viewer=viewer_for(may.world.user_b), filters=VisitFilters(month=Month.parse("2024-06")))
    assert (june.rows, june.total) == ([], 0)
    assert ids(visit_page(viewer=viewer_for(may.world.user_a), filters=VisitFilters(month=Month.parse("2024-06")))) == ["AJ"]
