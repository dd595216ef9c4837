"""Template helpers for what templates cannot say themselves."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import timezone

register = template.Library()


@register.filter
def contract_status(contract: object, lead_months: int | None = None) -> str:
    """The contract's status today: not_started, ended, ending or active."""
    lead = lead_months or settings.TILLIT_CONTRACT_LEAD_MONTHS
    return contract.status_on(timezone.localdate(), int(lead))  # type: ignore[attr-defined]


@register.filter
def label_of(key: str, labels: dict[str, str]) -> str:
    """Look a key up in a dict of labels (templates cannot index by a variable)."""
    return labels.get(key, key) if isinstance(labels, dict) else key
