"""Providers and their units."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tillit.accounts.models import Organisation
from tillit.accounts.services import organisation_create, organisation_rename
from tillit.audit.services import audit_record, audited_update, snapshot
from tillit.common.errors import ApplicationError, ValidationFailed
from tillit.common.org_numbers import normalize_org_number
from tillit.registry.models import Area, Provider, Regi, ServiceType, Unit

PROVIDER_FIELDS = (
    "org_number",
    "name",
    "regi",
    "service_types",
    "ivo_permit",
    "contact_name",
    "contact_email",
    "contact_phone",
    "active",
)


def _clean_provider(data: dict[str, Any], *, instance: Provider | None = None) -> dict[str, Any]:
    """Validate provider fields; raise ValidationFailed naming each field that is wrong."""
    errors: dict[str, str] = {}
    cleaned = dict(data)
    if "org_number" in data:
        try:
            cleaned["org_number"] = normalize_org_number(str(data["org_number"]))
        except ApplicationError as error:
            errors["org_number"] = error.message
        else:
            clash = Provider.objects.filter(org_number=cleaned["org_number"])
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors["org_number"] = _("Another provider already has the organisation number %(number)s.") % {
                    "number": cleaned["org_number"]
                }
    if "name" in data and not str(data["name"]).strip():
        errors["name"] = _("Enter the provider's name.")
    if "regi" in data and data["regi"] not in Regi.values:
        errors["regi"] = _("Choose private, municipal or non-profit.")
    if "service_types" in data:
        types = sorted(set(data["service_types"] or []))
        if not types or any(value not in ServiceType.values for value in types):
            errors["service_types"] = _("Choose home care, nursing home or both.")
        cleaned["service_types"] = types
    if errors:
        raise ValidationFailed(_("The provider could not be saved; correct the marked fields."), field_errors=errors)
    return cleaned


@transaction.atomic
def provider_create(*, actor: Any, **data: Any) -> Provider:
    """Register a provider and the organisation its users will belong to."""
    cleaned = _clean_provider(data)
    organisation = organisation_create(actor=actor, kind=Organisation.Kind.PROVIDER, name=cleaned["name"])
    provider = Provider.objects.create(organisation=organisation, **cleaned)
    audit_record(
        actor=actor,
        event_type="provider.created",
        target=provider,
        organisation=organisation,
        new=snapshot(provider, PROVIDER_FIELDS),
    )
    return provider


@transaction.atomic
def provider_update(*, actor: Any, provider: Provider, **changes: Any) -> Provider:
    new = audited_update(
        actor=actor,
        instance=provider,
        changes=_clean_provider(changes, instance=provider),
        event_type="provider.updated",
        organisation=provider.organisation,
    )
    if "name" in new:
        organisation_rename(actor=actor, organisation=provider.organisation, name=provider.name)
    return provider


UNIT_FIELDS = ("code", "name", "service_type", "area", "address", "active")


def _clean_unit(provider: Provider, data: dict[str, Any], *, instance: Unit | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(data)
    if "code" in data:
        cleaned["code"] = str(data["code"]).strip()
        if not cleaned["code"]:
            errors["code"] = _("Enter the unit code used in the time-registration system.")
        else:
            clash = Unit.objects.filter(provider=provider, code=cleaned["code"])
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors["code"] = _("%(provider)s already has a unit with the code %(code)s.") % {
                    "provider": provider.name,
                    "code": cleaned["code"],
                }
    if "service_type" in data:
        if data["service_type"] not in ServiceType.values:
            errors["service_type"] = _("Choose home care or nursing home.")
        elif data["service_type"] not in provider.service_types:
            errors["service_type"] = _("%(provider)s is not registered for this service type.") % {
                "provider": provider.name
            }
    if "area" in data and data["area"] is not None and not isinstance(data["area"], Area):
        errors["area"] = _("Choose an area from the list.")
    if errors:
        raise ValidationFailed(_("The unit could not be saved; correct the marked fields."), field_errors=errors)
    return cleaned


@transaction.atomic
def unit_create(*, actor: Any, provider: Provider, **data: Any) -> Unit:
    cleaned = _clean_unit(provider, data)
    unit = Unit.objects.create(provider=provider, **cleaned)
    audit_record(
        actor=actor,
        event_type="unit.created",
        target=unit,
        organisation=provider.organisation,
        new=snapshot(unit, UNIT_FIELDS),
    )
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, **changes: Any) -> Unit:
    audited_update(
        actor=actor,
        instance=unit,
        changes=_clean_unit(unit.provider, changes, instance=unit),
        event_type="unit.updated",
        organisation=unit.provider.organisation,
    )
    return unit
