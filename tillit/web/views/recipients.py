"""Recipients: search, and one recipient's decisions, granted time and care events."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.accounts.access import can_see_personal_ids
from tillit.care import selectors
from tillit.care.services import recipient_viewed
from tillit.common.errors import ApplicationError
from tillit.common.granted_time import as_decimal_minutes
from tillit.common.periods import Month
from tillit.ledger.selectors import DEFAULT_MARGIN_MINUTES, recipient_month
from tillit.registry.selectors import provider_list, unit_list
from tillit.web.views.base import paginate, viewer_of
from tillit.web.views.visits import visit_labels


def recipient_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    # An identity number is searched by POST so that it never lands in an address, a server
    # log, the browser's history or a Referer header.
    form = request.POST if request.method == "POST" else request.GET
    search = request.POST.get("q", "").strip() if request.method == "POST" else ""
    provider_id = form.get("provider") or None
    recipients = selectors.recipient_list(
        viewer=viewer, search=search, provider_id=int(provider_id) if provider_id and provider_id.isdigit() else None
    )
    return render(
        request,
        "web/recipients/list.html",
        {
            "title": _("Recipients"),
            "page": paginate(request, recipients),
            "search": search,
            "provider_id": provider_id,
            "providers": provider_list(viewer=viewer),
            "show_ids": can_see_personal_ids(viewer),
        },
    )


def recipient_detail(request: HttpRequest, recipient_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    recipient = selectors.recipient_get(viewer=viewer, recipient_id=recipient_id)
    try:
        month = Month.parse(request.GET["month"]) if request.GET.get("month") else Month.of(timezone.localdate())
    except ApplicationError:
        month = Month.of(timezone.localdate())
    decisions = list(selectors.decision_list(viewer=viewer, recipient=recipient))
    granted = selectors.granted_time(decisions, month)
    total = sum((line.minutes for line in granted), Fraction(0))
    organisation = None
    if viewer.is_provider_user and len(viewer.provider_organisation_ids) == 1:
        organisation_id = next(iter(viewer.provider_organisation_ids))
        organisation = next((d.provider.organisation for d in decisions if d.provider.organisation_id == organisation_id), None)
    recipient_viewed(actor=request.user, recipient=recipient, organisation=organisation)
    show_ids = can_see_personal_ids(viewer)
    visits = _visits(viewer, recipient.pk, month)
    performed = sum(
        (Fraction(round(visit["minutes"] * 60)) / 60 * (2 if visit["double_staffing"] else 1)
         for visit in visits if visit["status"] == "performed" and visit["minutes"] is not None),
        Fraction(0),
    )
    return render(
        request,
        "web/recipients/detail.html",
        {
            "title": recipient.key.display if show_ids else recipient.key.masked,
            "recipient": recipient,
            "show_ids": show_ids,
            "decisions": decisions,
            "month": month,
            "previous_month": month.shift(-1),
            "next_month": month.shift(1),
            "granted": [(line, as_decimal_minutes(line.minutes)) for line in granted],
            "granted_total": as_decimal_minutes(total),
            "granted_hours": as_decimal_minutes(total / 60),
            "events": selectors.care_event_list(viewer=viewer, recipient=recipient),
            "visits": visits,
            "performed_total": as_decimal_minutes(performed),
            "performed_share": round(100 * performed / total) if total else None,
            "visit_counts": {
                "off_time": sum(1 for v in visits if v["status"] == "performed" and v["timing"]),
                "not_performed": sum(1 for v in visits if v["status"] != "performed"),
                "no_end": sum(1 for v in visits if v["no_end"]),
            },
            "margin": DEFAULT_MARGIN_MINUTES,
            "today": timezone.localdate(),
        },
    )


def _visits(viewer: Any, recipient_id: int, month: Month) -> list[dict[str, Any]]:
    """The recipient's visits in the month that the viewer may see, labelled for the table."""
    visits = recipient_month(viewer=viewer, recipient_id=recipient_id, month=month)
    providers = {p.pk: p.name for p in provider_list(viewer=viewer)}
    ids = {visit["unit_id"] for visit in visits if visit["unit_id"]}
    units = dict(unit_list(viewer=viewer).filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return [
        dict(visit, provider_name=providers.get(visit["provider_id"], "–"), unit_name=units.get(visit["unit_id"], ""),
             **visit_labels(visit))
        for visit in visits
    ]
