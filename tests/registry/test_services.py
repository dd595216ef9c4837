"""Registry services: validation, audit, and the contract alerts on the start page."""

import datetime

import pytest

from tillit.accounts.access import viewer_for
from tillit.audit.models import AuditEvent
from tillit.common.errors import ValidationFailed
from tillit.registry import services
from tillit.registry.selectors import contract_alerts, provider_list


def _contract(provider, reference, start, end=None, **extra):
    return services.contract_create(
        actor=None, provider=provider, reference=reference, kind="lov", service_types=["home_care"],
        start_date=start, end_date=end, **extra,
    )


def test_provider_create_validates_the_organisation_number(world):
    with pytest.raises(ValidationFailed) as error:
        services.provider_create(
            actor=world.controller, org_number="556036-0794", name="Fel AB", regi="private", service_types=["home_care"]
        )
    assert "org_number" in error.value.field_errors


def test_provider_create_normalises_and_refuses_duplicates(world):
    provider = services.provider_create(
        actor=world.controller, org_number="5560160680", name="Ny AB", regi="nonprofit", service_types=["home_care"]
    )
    assert provider.org_number == "556016-0680"
    assert provider.organisation.kind == "provider"
    with pytest.raises(ValidationFailed) as error:
        services.provider_create(
            actor=world.controller, org_number="556016-0680", name="Kopia AB", regi="private", service_types=["home_care"]
        )
    assert "556016-0680" in error.value.field_errors["org_number"]


def test_provider_update_records_only_what_changed(world):
    services.provider_update(actor=world.controller, provider=world.provider_a, name="Omsorg A Nya AB", ivo_permit="")
    event = AuditEvent.objects.filter(event_type="provider.updated").get()
    assert event.old_values == {"name": "Omsorg A AB"}
    assert event.new_values == {"name": "Omsorg A Nya AB"}
    assert event.actor == world.controller
    assert event.organisation == world.provider_a.organisation
    world.provider_a.organisation.refresh_from_db()
    assert world.provider_a.organisation.name == "Omsorg A Nya AB"


def test_an_update_that_changes_nothing_writes_no_event(world):
    before = AuditEvent.objects.count()
    services.provider_update(actor=world.controller, provider=world.provider_a, name="Omsorg A AB")
    assert AuditEvent.objects.count() == before


def test_a_unit_must_fit_the_providers_service_types(world):
    with pytest.raises(ValidationFailed) as error:
        services.unit_create(actor=None, provider=world.provider_a, code="A1", name="Boendet", service_type="nursing_home")
    assert "service_type" in error.value.field_errors
    unit = services.unit_create(actor=None, provider=world.provider_a, code="A1", name="Grupp Norr", service_type="home_care")
    with pytest.raises(ValidationFailed):
        services.unit_create(actor=None, provider=world.provider_a, code="A1", name="Kopia", service_type="home_care")
    # The same code at another provider is fine: codes are per provider.
    services.unit_create(actor=None, provider=world.provider_b, code="A1", name="B:s grupp", service_type="home_care")
    assert unit.code == "A1"


def test_contract_dates_are_checked(world):
    with pytest.raises(ValidationFailed) as error:
        _contract(world.provider_a, "KS-2024/1", datetime.date(2024, 5, 1), datetime.date(2024, 4, 30))
    assert "end_date" in error.value.field_errors
    with pytest.raises(ValidationFailed) as error:
        services.contract_create(
            actor=None, provider=world.provider_a, reference="KS-2024/2", kind="lou",
            service_types=["nursing_home"], start_date=datetime.date(2024, 1, 1),
        )
    assert "service_types" in error.value.field_errors


def test_contract_alerts_list_ending_and_ended_contracts(world, today):
    ending = _contract(world.provider_a, "A-ending", datetime.date(2020, 1, 1), datetime.date(2024, 9, 1), notice_months=6)
    _contract(world.provider_a, "A-far", datetime.date(2020, 1, 1), datetime.date(2026, 1, 1))
    ended = _contract(world.provider_b, "B-ended", datetime.date(2020, 1, 1), datetime.date(2024, 3, 1))
    _contract(world.provider_b, "B-open", datetime.date(2020, 1, 1))  # open-ended: never an alert... but see below
    viewer = viewer_for(world.controller)
    soon, past = contract_alerts(viewer=viewer, today=today, lead_months=12)
    assert [alert.contract for alert in soon] == [ending]
    assert soon[0].days_left == (datetime.date(2024, 9, 1) - today).days
    assert soon[0].decide_by == datetime.date(2024, 3, 1)  # six months' notice
    # B-open covers home care today, so B's ended contract has a successor.
    assert past == []
    services.contract_update(actor=None, contract=world.provider_b.contracts.get(reference="B-open"), service_types=["nursing_home"])
    soon, past = contract_alerts(viewer=viewer, today=today, lead_months=12)
    assert [alert.contract for alert in past] == [ended]


def test_contract_alerts_respect_the_lead_time_and_the_viewer(world, today):
    _contract(world.provider_a, "A-ending", datetime.date(2020, 1, 1), datetime.date(2024, 9, 1))
    assert contract_alerts(viewer=viewer_for(world.controller), today=today, lead_months=3) == ([], [])
    assert contract_alerts(viewer=viewer_for(world.user_b), today=today, lead_months=12) == ([], [])
    assert len(contract_alerts(viewer=viewer_for(world.user_a), today=today, lead_months=12)[0]) == 1


def test_provider_list_filters(world):
    viewer = viewer_for(world.controller)
    assert list(provider_list(viewer=viewer, service_type="nursing_home")) == [world.provider_b]
    assert list(provider_list(viewer=viewer, search="556036")) == [world.provider_a]
    assert list(provider_list(viewer=viewer_for(world.user_b), search="556036")) == []
