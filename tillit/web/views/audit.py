"""The audit log, for administrators and controllers."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tillit.accounts.access import AUDIT_READERS
from tillit.accounts.models import Organisation
from tillit.audit.selectors import AuditFilters, audit_event_list, audit_event_types
from tillit.web.views.base import paginate, require_roles


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def audit_list(request: HttpRequest) -> HttpResponse:
    require_roles(request, AUDIT_READERS)
    organisation = request.GET.get("organisation", "")
    filters = AuditFilters(
        event_type=request.GET.get("event_type", ""),
        actor=request.GET.get("actor", "").strip(),
        target_type=request.GET.get("target_type", ""),
        target_id=request.GET.get("target_id", "").strip(),
        organisation_id=int(organisation) if organisation.isdigit() else None,
        date_from=_date(request.GET.get("from", "")),
        date_to=_date(request.GET.get("to", "")),
    )
    return render(
        request,
        "web/audit/list.html",
        {
            "title": _("Audit log"),
            "page": paginate(request, audit_event_list(filters)),
            "filters": filters,
            "event_types": audit_event_types(),
            "organisations": Organisation.objects.all(),
            "query": request.GET.urlencode(),
        },
    )
