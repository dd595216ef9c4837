"""The municipality's areas and rate zones."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record, audited_update, snapshot
from tillit.common.errors import ValidationFailed
from tillit.registry.models import Area, Zone


def _clean_code(model: type[Zone] | type[Area], data: dict[str, Any], instance: Any) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(data)
    if "code" in data:
        cleaned["code"] = str(data["code"]).strip()
        clash = model.objects.filter(code=cleaned["code"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if not cleaned["code"]:
            errors["code"] = _("Enter a code.")
        elif clash.exists():
            errors["code"] = _("The code %(code)s is already in use.") % {"code": cleaned["code"]}
    if "name" in data and not str(data["name"]).strip():
        errors["name"] = _("Enter a name.")
    if errors:
        raise ValidationFailed(_("Correct the marked fields."), field_errors=errors)
    return cleaned


@transaction.atomic
def zone_create(*, actor: Any, code: str, name: str) -> Zone:
    cleaned = _clean_code(Zone, {"code": code, "name": name}, None)
    zone = Zone.objects.create(**cleaned)
    audit_record(actor=actor, event_type="zone.created", target=zone, new=snapshot(zone, ("code", "name")))
    return zone


@transaction.atomic
def zone_update(*, actor: Any, zone: Zone, **changes: Any) -> Zone:
    audited_update(actor=actor, instance=zone, changes=_clean_code(Zone, changes, zone), event_type="zone.updated")
    return zone


@transaction.atomic
def area_create(*, actor: Any, code: str, name: str, zone: Zone | None = None) -> Area:
    cleaned = _clean_code(Area, {"code": code, "name": name}, None)
    area = Area.objects.create(zone=zone, **cleaned)
    audit_record(actor=actor, event_type="area.created", target=area, new=snapshot(area, ("code", "name", "zone")))
    return area


@transaction.atomic
def area_update(*, actor: Any, area: Area, **changes: Any) -> Area:
    audited_update(actor=actor, instance=area, changes=_clean_code(Area, changes, area), event_type="area.updated")
    return area
