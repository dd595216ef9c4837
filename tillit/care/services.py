"""Writing care data by hand (the files go through importers) and recording reads."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record, audited_update, snapshot
from tillit.care.models import Intervention, Recipient
from tillit.common.errors import ValidationFailed

INTERVENTION_FIELDS = ("code", "name", "category", "kind", "standard_minutes", "valid_from", "valid_to")


def _clean_intervention(data: dict[str, Any], instance: Intervention | None) -> dict[str, Any]:
    merged = {name: getattr(instance, name) for name in INTERVENTION_FIELDS} if instance else {}
    merged.update(data)
    errors: dict[str, str] = {}
    if not str(merged.get("code") or "").strip():
        errors["code"] = _("Enter the intervention code used by the case system.")
    if merged.get("standard_minutes") is not None and merged["standard_minutes"] < 0:
        errors["standard_minutes"] = _("Minutes cannot be negative.")
    start, end = merged.get("valid_from"), merged.get("valid_to")
    if start and end and end < start:
        errors["valid_to"] = _("The end of validity is before its start.")
    clash = Intervention.objects.filter(code=merged.get("code"), valid_from=start)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if start and clash.exists():
        errors["valid_from"] = _("The code %(code)s already has a version valid from %(date)s.") % {
            "code": merged.get("code"),
            "date": start,
        }
    if errors:
        raise ValidationFailed(_("The intervention could not be saved; correct the marked fields."), field_errors=errors)
    return data


@transaction.atomic
def intervention_create(*, actor: Any, **data: Any) -> Intervention:
    intervention = Intervention.objects.create(**_clean_intervention(data, None))
    audit_record(
        actor=actor, event_type="intervention.created", target=intervention, new=snapshot(intervention, INTERVENTION_FIELDS)
    )
    return intervention


@transaction.atomic
def intervention_update(*, actor: Any, intervention: Intervention, **changes: Any) -> Intervention:
    audited_update(
        actor=actor,
        instance=intervention,
        changes=_clean_intervention(changes, intervention),
        event_type="intervention.updated",
    )
    return intervention


@transaction.atomic
def recipient_viewed(*, actor: Any, recipient: Recipient, organisation: Any = None) -> None:
    """Reading a person's care data is itself recorded (GDPR: special-category data)."""
    audit_record(
        actor=actor,
        event_type="recipient.viewed",
        target=recipient,
        target_label=recipient.key.masked,
        organisation=organisation,
    )
