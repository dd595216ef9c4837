"""TILLIT_CREATE_UNKNOWN_RECIPIENTS: visits may introduce recipients, but only when they load."""

from __future__ import annotations

import pytest

from tests.files import numbers_born
from tests.ledger.helpers import by_id, errors, issue_reasons, load, visit, warnings
from tillit.care.models import Recipient
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import delivery_accept, delivery_reject


@pytest.fixture
def creating(settings):
    settings.TILLIT_CREATE_UNKNOWN_RECIPIENTS = True


def _registered(number: str) -> Recipient | None:
    return next((r for r in Recipient.objects.all() if r.key.canonical == number), None)


def test_a_visit_of_an_unregistered_personnummer_registers_it_when_the_delivery_loads(ledger, creating) -> None:
    number = numbers_born("1941")[0]
    delivery = load(ledger.world, [visit("V1"), visit("V2", recipient_id=number, staff_id="S2")])
    assert delivery.status == Delivery.Status.LOADED and errors(delivery) == []
    assert any(column == "recipient_id" for _row, column, _value in warnings(delivery))
    assert number not in " ".join(issue_reasons(delivery))  # the report shows it masked
    recipient = _registered(number)
    assert recipient is not None and recipient.birth_date.year == 1941
    assert by_id()["V2"]["recipient_id"] == recipient.pk  # the real surrogate id, not the temporary one


def test_validating_a_file_registers_nobody_and_a_rejected_file_never_does(ledger, creating) -> None:
    number = numbers_born("1942")[0]
    delivery = load(ledger.world, [visit("V1", recipient_id=number), visit("V2", status="fel")])
    assert delivery.status == Delivery.Status.PENDING
    assert _registered(number) is None  # waiting for a decision: the registry is as it was
    delivery_reject(actor=ledger.world.controller, delivery=delivery)
    assert _registered(number) is None


def test_accepting_the_valid_rows_later_registers_the_recipient_then(ledger, creating) -> None:
    number = numbers_born("1943")[0]
    delivery = load(ledger.world, [visit("V1", recipient_id=number), visit("V2", status="fel")])
    delivery_accept(actor=ledger.world.controller, delivery=delivery)
    recipient = _registered(number)
    assert recipient is not None and by_id()["V1"]["recipient_id"] == recipient.pk


def test_a_pseudonym_cannot_be_introduced_by_a_visit(ledger, creating) -> None:
    delivery = load(ledger.world, [visit("V1", recipient_id="P:okand")])
    assert [column for _row, column, _value in errors(delivery)] == ["recipient_id"]  # no birth date to register it by


def test_without_the_setting_an_unregistered_recipient_is_an_error(ledger) -> None:
    number = numbers_born("1944")[0]
    delivery = load(ledger.world, [visit("V1", recipient_id=number)])
    assert [column for _row, column, _value in errors(delivery)] == ["recipient_id"]
    assert _registered(number) is None
