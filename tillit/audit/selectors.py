"""Reading the audit log. Callers check `access.can_read_audit` first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from tillit.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    event_type: str = ""
    actor: str = ""
    target_type: str = ""
    target_id: str = ""
    organisation_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def audit_event_list(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Events newest first, narrowed by the filters that are set."""
    events = AuditEvent.objects.select_related("organisation")
    if filters.event_type:
        events = events.filter(event_type__startswith=filters.event_type)
    if filters.actor:
        events = events.filter(actor_label__icontains=filters.actor)
    if filters.target_type:
        events = events.filter(target_type=filters.target_type)
    if filters.target_id:
        events = events.filter(target_id=filters.target_id)
    if filters.organisation_id:
        events = events.filter(organisation_id=filters.organisation_id)
    if filters.date_from:
        events = events.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(created_at__date__lte=filters.date_to)
    return events


def audit_event_types() -> list[str]:
    return list(AuditEvent.objects.order_by("event_type").values_list("event_type", flat=True).distinct())
