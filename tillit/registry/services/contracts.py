"""Contracts with providers."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record, audited_update, snapshot
from tillit.common.errors import ValidationFailed
from tillit.registry.models import Contract, Provider, ServiceType

CONTRACT_FIELDS = (
    "provider",
    "reference",
    "kind",
    "service_types",
    "start_date",
    "end_date",
    "extension_options",
    "latest_end_date",
    "notice_months",
    "description",
)


def _clean_contract(data: dict[str, Any], *, instance: Contract | None = None) -> dict[str, Any]:
    """Check a contract as a whole: its dates, its service types against the provider's."""
    merged = {name: getattr(instance, name) for name in CONTRACT_FIELDS} if instance else {}
    merged.update(data)
    errors: dict[str, str] = {}
    cleaned = dict(data)
    reference = str(merged.get("reference") or "").strip()
    if "reference" in data:
        cleaned["reference"] = reference
        clash = Contract.objects.filter(reference=reference)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if not reference:
            errors["reference"] = _("Enter the contract's reference (diarienummer).")
        elif clash.exists():
            errors["reference"] = _("Another contract already has the reference %(reference)s.") % {
                "reference": reference
            }
    if merged.get("kind") not in Contract.Kind.values:
        errors["kind"] = _("Choose LOV, LOU or own operation.")
    provider: Provider | None = merged.get("provider")
    types = sorted(set(merged.get("service_types") or []))
    if "service_types" in data:
        cleaned["service_types"] = types
    if not types or any(value not in ServiceType.values for value in types):
        errors["service_types"] = _("Choose home care, nursing home or both.")
    elif provider is not None and not set(types) <= set(provider.service_types):
        errors["service_types"] = _("%(provider)s is not registered for every chosen service type.") % {
            "provider": provider.name
        }
    start, end, latest = merged.get("start_date"), merged.get("end_date"), merged.get("latest_end_date")
    if start is None:
        errors["start_date"] = _("Enter the date the contract starts.")
    if start and end and end < start:
        errors["end_date"] = _("The end date %(end)s is before the start date %(start)s.") % {"end": end, "start": start}
    if latest and end and latest < end:
        errors["latest_end_date"] = _("The latest end date with extensions cannot be before the end date.")
    if latest and not end:
        errors["latest_end_date"] = _("An open-ended contract has no latest end date; enter an end date first.")
    if errors:
        raise ValidationFailed(_("The contract could not be saved; correct the marked fields."), field_errors=errors)
    return cleaned


@transaction.atomic
def contract_create(*, actor: Any, provider: Provider, **data: Any) -> Contract:
    cleaned = _clean_contract({"provider": provider, **data})
    contract = Contract.objects.create(**cleaned)
    audit_record(
        actor=actor,
        event_type="contract.created",
        target=contract,
        organisation=provider.organisation,
        new=snapshot(contract, CONTRACT_FIELDS),
    )
    return contract


@transaction.atomic
def contract_update(*, actor: Any, contract: Contract, **changes: Any) -> Contract:
    audited_update(
        actor=actor,
        instance=contract,
        changes=_clean_contract(changes, instance=contract),
        event_type="contract.updated",
        organisation=contract.provider.organisation,
    )
    return contract
