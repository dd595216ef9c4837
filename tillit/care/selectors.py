"""Reading care data through the viewer's access.

A provider user sees a recipient only while the recipient has (or had) a decision with
that provider, and then only that provider's decisions and events.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Prefetch, QuerySet

from tillit.accounts.access import Viewer, can_read_care_data, get_scoped, scope_by_provider
from tillit.care.models import CareEvent, Decision, DecisionIntervention, Intervention, Recipient
from tillit.care.protection import lookup_hash, recipient_key_or_none
from tillit.common.errors import NotFound
from tillit.common.granted_time import GrantedIntervention, granted_minutes
from tillit.common.periods import Month

_RECIPIENT_ORG = "decisions__provider__organisation_id"


def _require(viewer: Viewer) -> None:
    if not can_read_care_data(viewer):
        raise NotFound("Not found.")


def recipient_list(
    *, viewer: Viewer, search: str = "", provider_id: int | None = None, active_on: datetime.date | None = None
) -> QuerySet[Recipient]:
    """Recipients the viewer may see; `search` is an identity number or pseudonymous id."""
    _require(viewer)
    recipients = scope_by_provider(viewer, Recipient.objects.select_related("area"), _RECIPIENT_ORG)
    if search:
        key = recipient_key_or_none(search)
        if key is None:
            return recipients.none()
        recipients = recipients.filter(id_hash=lookup_hash(key))
    if provider_id:
        recipients = recipients.filter(decisions__provider_id=provider_id).distinct()
    if active_on:
        recipients = recipients.filter(decisions__start_date__lte=active_on).exclude(
            decisions__end_date__lt=active_on
        ).distinct()
    return recipients


def recipient_get(*, viewer: Viewer, recipient_id: int) -> Recipient:
    _require(viewer)
    return get_scoped(viewer, Recipient.objects.select_related("area"), _RECIPIENT_ORG, pk=recipient_id)


def decision_list(*, viewer: Viewer, recipient: Recipient | None = None) -> QuerySet[Decision]:
    _require(viewer)
    decisions = scope_by_provider(
        viewer,
        Decision.objects.select_related("provider").prefetch_related(
            Prefetch("interventions", DecisionIntervention.objects.select_related("intervention"))
        ),
        "provider__organisation_id",
    )
    if recipient is not None:
        decisions = decisions.filter(recipient=recipient)
    return decisions


def care_event_list(*, viewer: Viewer, recipient: Recipient | None = None) -> QuerySet[CareEvent]:
    _require(viewer)
    events = scope_by_provider(viewer, CareEvent.objects.select_related("provider"), "provider__organisation_id")
    if recipient is not None:
        events = events.filter(recipient=recipient)
    return events.order_by("-date", "-id")


def intervention_list(*, on: datetime.date | None = None) -> QuerySet[Intervention]:
    interventions = Intervention.objects.all()
    if on is not None:
        interventions = interventions.filter(valid_from__lte=on).exclude(valid_to__lt=on)
    return interventions


@dataclass(frozen=True)
class GrantedLine:
    """One granted intervention's minutes in one month, with what produced them."""

    decision: Decision
    line: DecisionIntervention
    minutes: Fraction


def granted_intervention(decision: Decision, line: DecisionIntervention) -> GrantedIntervention:
    """The pure calculation's input for one granted intervention of a decision."""
    return GrantedIntervention(
        standard_minutes=line.minutes,
        frequency=line.frequency,
        period=line.period,
        double_staffing=line.double_staffing,
        active_from=decision.start_date,
        active_to=decision.end_date,
    )


def granted_time(decisions: list[Decision], month: Month) -> list[GrantedLine]:
    """Granted minutes per intervention for a month, exactly as PRODUCT.md defines them."""
    lines = []
    for decision in decisions:
        for line in decision.interventions.all():
            minutes = granted_minutes(granted_intervention(decision, line), month.year, month.month)
            if minutes:
                lines.append(GrantedLine(decision=decision, line=line, minutes=minutes))
    return lines
