"""Reading deliveries and their row reports, scoped to the viewer."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tillit.accounts.access import REGISTRY_READERS, Viewer, get_scoped, require
from tillit.deliveries.models import Delivery, DeliveryIssue


def delivery_list(*, viewer: Viewer, kind: str = "", status: str = "") -> QuerySet[Delivery]:
    """Municipal readers see every delivery; a provider user only its organisation's."""
    if not viewer.is_provider_user:
        require(viewer, REGISTRY_READERS)
    deliveries = Delivery.objects.select_related("delivered_by", "organisation")
    if viewer.is_provider_user:
        deliveries = deliveries.filter(organisation_id__in=viewer.provider_organisation_ids)
    if kind:
        deliveries = deliveries.filter(kind=kind)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def delivery_get(*, viewer: Viewer, delivery_id: int) -> Delivery:
    return get_scoped(viewer, delivery_list(viewer=viewer), "organisation_id", pk=delivery_id)


def delivery_issues(delivery: Delivery) -> QuerySet[DeliveryIssue]:
    return delivery.issues.all()


def format_issue(delivery: Delivery, issue: DeliveryIssue) -> str:
    """One line a person can act on: file, row, column, value and reason."""
    parts = [delivery.file_name, _("row %(row)s") % {"row": issue.row} if issue.row else ""]
    if issue.column:
        parts.append(issue.column)
    if issue.value:
        parts.append(repr(issue.value))
    location = ", ".join(part for part in parts if part)
    return f"{location}: {issue.reason}"
