"""The start page: what needs attention today."""

from __future__ import annotations


from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.accounts.access import can_read_care_data, can_read_registry
from tillit.care.selectors import recipient_list
from tillit.deliveries.importers import kind_labels
from tillit.deliveries.selectors import delivery_list
from tillit.common.errors import NotFound
from tillit.registry.selectors import contract_alerts, provider_list
from tillit.web.views.base import viewer_of


def _lead_months(request: HttpRequest) -> int:
    """The procurement lead time: the setting, or ?lead=N months on the page."""
    try:
        value = int(request.GET.get("lead", settings.TILLIT_CONTRACT_LEAD_MONTHS))
    except ValueError:
        value = settings.TILLIT_CONTRACT_LEAD_MONTHS
    return min(max(value, 1), 60)


def start(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    today = timezone.localdate()
    lead = _lead_months(request)
    context: dict[str, object] = {"title": _("Start"), "today": today, "lead_months": lead, "kinds": kind_labels()}
    if can_read_registry(viewer):
        ending, ended = contract_alerts(viewer=viewer, today=today, lead_months=lead)
        providers = provider_list(viewer=viewer)
        context.update(
            ending=ending,
            ended=ended,
            providers=providers if viewer.is_provider_user else None,
            provider_count=providers.filter(active=True).count(),
        )
    if can_read_care_data(viewer):
        context["recipient_count"] = recipient_list(viewer=viewer, active_on=today).count()
    try:
        context["deliveries"] = delivery_list(viewer=viewer)[:6]
    except NotFound:
        context["deliveries"] = None
    return render(request, "web/start.html", context)


