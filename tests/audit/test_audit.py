"""The audit log: written with the change, in the same transaction, readable by the right roles."""

import pytest
from django.db import transaction

from tillit.audit.models import AuditEvent
from tillit.audit.selectors import AuditFilters, audit_event_list
from tillit.audit.services import audit_record
from tillit.common.errors import ValidationFailed
from tillit.registry import services
from tillit.registry.models import Provider


def test_audit_record_refuses_to_run_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        audit_record(actor=None, event_type="x")


def test_a_failed_service_leaves_neither_the_change_nor_its_event(world):
    before = AuditEvent.objects.count(), Provider.objects.count()
    with pytest.raises(ValidationFailed):
        services.provider_create(actor=world.controller, org_number="bad", name="X", regi="private", service_types=["home_care"])
    assert (AuditEvent.objects.count(), Provider.objects.count()) == before


def test_an_event_rolls_back_with_its_transaction(world):
    before = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        services.unit_create(actor=None, provider=world.provider_a, code="U1", name="Grupp", service_type="home_care")
        1 / 0
    assert AuditEvent.objects.count() == before


def test_creating_a_provider_records_who_and_what(world):
    event = AuditEvent.objects.filter(event_type="provider.created", target_id=str(world.provider_a.pk)).get()
    assert event.new_values["org_number"] == "556036-0793"
    assert event.organisation == world.provider_a.organisation
    assert event.actor_label == "system"


def test_filters(world):
    services.unit_create(actor=world.controller, provider=world.provider_a, code="U1", name="Grupp", service_type="home_care")
    by_actor = audit_event_list(AuditFilters(actor="controller@"))
    assert [e.event_type for e in by_actor] == ["unit.created"]
    by_org = audit_event_list(AuditFilters(organisation_id=world.provider_b.organisation_id))
    assert {e.event_type for e in by_org} >= {"provider.created", "organisation.created"}
    assert all(e.organisation_id == world.provider_b.organisation_id for e in by_org)
    assert audit_event_list(AuditFilters(event_type="unit.")).count() == 1
