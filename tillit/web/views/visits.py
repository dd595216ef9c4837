"""Visits from the ledger: browse one month with filters, a page of 50 at a time.

The page asks the ledger for exactly the rows it shows (and their count); names of providers,
units and recipients come from the database for those rows only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.accounts.access import Viewer, can_see_personal_ids
from tillit.care import selectors as care
from tillit.care.models import Recipient
from tillit.common.errors import ApplicationError, NotFound
from tillit.common.periods import Month
from tillit.ledger.selectors import DEFAULT_MARGIN_MINUTES, VisitFilters, ledger_months, visible_provider_ids, visit_page
from tillit.registry.selectors import provider_list, unit_list
from tillit.web.views.base import viewer_of

PER_PAGE = 50

STATUS_LABELS = {
    "performed": gettext_lazy("Performed"),
    "declined": gettext_lazy("Declined by the customer"),
    "cancelled": gettext_lazy("Cancelled by the provider"),
    "missed": gettext_lazy("Missed"),
}
METHOD_LABELS = {"nfc": gettext_lazy("NFC tag"), "app": gettext_lazy("App"), "manual": gettext_lazy("Manual")}
TIMING_LABELS = {
    "late": gettext_lazy("Late (more than 30 minutes)"),
    "early": gettext_lazy("Early (more than 30 minutes)"),
}
# The GET parameters that are filters (kept by paging and by the recipient search).
FILTER_KEYS = ("month", "provider", "unit", "recipient", "staff", "status", "intervention", "timing", "no_end",
               "method", "margin")
METHODS = ("manual", "app", "nfc")


@dataclass(frozen=True)
class RecipientLabel:
    """How a visit's recipient is shown: a link when the viewer may open the recipient."""

    pk: int
    text: str
    linked: bool = True


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _month(text: str | None, months: list[str]) -> Month:
    """The asked-for month, else the latest month in the ledger, else this month."""
    if text:
        try:
            return Month.parse(text)
        except ApplicationError:
            pass
    return Month.parse(months[0]) if months else Month.of(timezone.localdate())


def _filters(params: QueryDict, month: Month) -> tuple[VisitFilters, dict[str, str]]:
    """The filters of a request, and the same as clean GET parameters for links."""
    provider, unit, recipient = _int(params.get("provider")), _int(params.get("unit")), _int(params.get("recipient"))
    staff = params.get("staff", "").strip()[:64]
    status = params.get("status", "") if params.get("status", "") in STATUS_LABELS else ""
    intervention = params.get("intervention", "").strip()[:32]
    timing = params.get("timing", "") if params.get("timing", "") in TIMING_LABELS else ""
    no_end = params.get("no_end", "") == "1"
    method = params.get("method", "") if params.get("method", "") in METHODS else ""
    # A contract's own punctuality margin, when a quality figure links here.
    margin = _int(params.get("margin"))
    margin = margin if margin and margin <= 240 else None
    filters = VisitFilters(
        month=month, provider_ids=(provider,) if provider else (), unit_id=unit, recipient_id=recipient,
        staff_id=staff, status=status, intervention=intervention, timing=timing, no_end=no_end, method=method,
        margin_minutes=margin or DEFAULT_MARGIN_MINUTES,
    )
    values = {
        "month": str(month), "provider": str(provider or ""), "unit": str(unit or ""), "recipient": str(recipient or ""),
        "staff": staff, "status": status, "intervention": intervention, "timing": timing, "no_end": "1" if no_end else "",
        "method": method, "margin": str(margin or ""),
    }
    return filters, {key: value for key, value in values.items() if value}


def visit_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    visible_provider_ids(viewer)  # NotFound (404) for those who may not read care data
    if request.method == "POST":
        return _find_recipient(request, viewer)
    months = [str(row["month"]) for row in ledger_months()]
    month = _month(request.GET.get("month"), months)
    filters, params = _filters(request.GET, month)
    number = _int(request.GET.get("page")) or 1
    result = visit_page(viewer=viewer, filters=filters, page=number, per_page=PER_PAGE)
    pages = max(1, math.ceil(result.total / PER_PAGE))
    if number > pages and result.total:
        result = visit_page(viewer=viewer, filters=filters, page=pages, per_page=PER_PAGE)
    providers = list(provider_list(viewer=viewer))
    all_units = list(unit_list(viewer=viewer).order_by("provider__name", "name"))
    units = [unit for unit in all_units if not filters.provider_ids or unit.provider_id in filters.provider_ids]
    show_ids = can_see_personal_ids(viewer)
    chosen = _chosen_recipient(viewer, filters.recipient_id, show_ids)
    rows = _rows(viewer, result.rows, providers, units=all_units, show_ids=show_ids)
    in_ledger = str(month) in months
    if not in_ledger:
        months = sorted([*months, str(month)], reverse=True)
    without_recipient = {key: value for key, value in params.items() if key != "recipient"}
    return render(
        request,
        "web/visits/list.html",
        {
            "title": _("Visits"),
            "months": [(value, Month.parse(value).first_day) for value in months],
            "month": month,
            "in_ledger": in_ledger,
            "params": params,
            "filtering": any(key != "month" for key in params),
            "query": urlencode(params),
            "query_without_recipient": urlencode(without_recipient),
            "hidden_filters": [(key, value) for key, value in without_recipient.items()],
            "providers": providers,
            "units": units,
            "interventions": sorted(set(care.intervention_list().values_list("code", flat=True))),
            "statuses": list(STATUS_LABELS.items()),
            "timings": list(TIMING_LABELS.items()),
            "chosen_recipient": chosen,
            "rows": rows,
            "total": result.total,
            "page_number": result.page,
            "pages": pages,
            "has_previous": result.has_previous,
            "has_next": result.has_next,
            "margin": DEFAULT_MARGIN_MINUTES,
        },
    )


def _find_recipient(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """An identity number is searched by POST, so it never lands in an address; the result
    is the recipient's surrogate id in the address of the filtered page."""
    params = {key: request.POST[key] for key in FILTER_KEYS if request.POST.get(key) and key != "recipient"}
    search = request.POST.get("q", "").strip()
    recipient = care.recipient_list(viewer=viewer, search=search).first() if search else None
    if recipient is None:
        messages.warning(
            request,
            _("No recipient that you may see has that identity number or id. Check the number and try again."),
        )
    else:
        params["recipient"] = str(recipient.pk)
    return redirect(f"{reverse('visit-list')}?{urlencode(params)}")


def _chosen_recipient(viewer: Viewer, recipient_id: int | None, show_ids: bool) -> RecipientLabel | None:
    if recipient_id is None:
        return None
    try:
        recipient = care.recipient_get(viewer=viewer, recipient_id=recipient_id)
    except NotFound:
        return RecipientLabel(pk=recipient_id, text=_("a recipient you may not open"), linked=False)
    return RecipientLabel(pk=recipient.pk, text=_label(recipient, show_ids))


def _label(recipient: Recipient, show_ids: bool) -> str:
    return recipient.key.display if show_ids else recipient.key.masked


def _rows(viewer: Viewer, visits: list[dict[str, Any]], providers: list[Any], *, units: list[Any],
          show_ids: bool) -> list[dict[str, Any]]:
    """The page's visits with names and the labels the table shows."""
    provider_names = {provider.pk: provider.name for provider in providers}
    unit_names = {unit.pk: unit.name for unit in units}
    ids = {visit["recipient_id"] for visit in visits if visit["recipient_id"] is not None}
    # Only recipients the viewer may open get a link; the query is for this page's ids only.
    recipients = {r.pk: r for r in care.recipient_list(viewer=viewer).filter(pk__in=ids)} if ids else {}
    return [
        dict(
            visit,
            provider_name=provider_names.get(visit["provider_id"], "–"),
            unit_name=unit_names.get(visit["unit_id"], ""),
            recipient=(
                RecipientLabel(pk=visit["recipient_id"], text=_label(recipients[visit["recipient_id"]], show_ids))
                if visit["recipient_id"] in recipients else None
            ),
            **visit_labels(visit),
        )
        for visit in visits
    ]


def visit_labels(visit: dict[str, Any]) -> dict[str, Any]:
    """What a visit row shows besides its own columns: timing, status and method in words."""
    deviation = visit.get("start_deviation")
    timing = ""
    if deviation is not None and deviation > DEFAULT_MARGIN_MINUTES:
        timing = "late"
    elif deviation is not None and deviation < -DEFAULT_MARGIN_MINUTES:
        timing = "early"
    planned, registered = visit.get("planned_start"), visit.get("registered_start")
    return {
        "timing": timing,
        "status_label": STATUS_LABELS.get(visit["status"], visit["status"]),
        "method_label": METHOD_LABELS.get(visit.get("registration_method") or "", ""),
        "codes": ", ".join(visit.get("intervention_codes") or []),
        "registered_other_day": bool(planned and registered and planned.date() != registered.date()),
        "ends_other_day": bool(
            visit.get("registered_end") and registered and visit["registered_end"].date() != registered.date()
        ),
    }
