"""Template context every page gets: the viewer and the navigation it may use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tillit.accounts import access
from tillit.accounts.services import municipality_name


def viewer(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "viewer", access.ANONYMOUS)
    nav: list[tuple[str, str]] = []
    if current.user_id is not None:
        nav.append((str(_("Start")), reverse("start")))
        if access.can_read_registry(current):
            nav.append((str(_("Providers")), reverse("provider-list")))
            nav.append((str(_("Contracts")), reverse("contract-list")))
        if access.can_read_quality(current) or current.is_provider_user:
            nav.append((str(_("Quality")), reverse("quality-overview")))
        if access.can_read_statement_totals(current):
            nav.append((str(_("Compensation")), reverse("statement-month")))
        if access.can_read_care_data(current):
            nav.append((str(_("Recipients")), reverse("recipient-list")))
            nav.append((str(_("Visits")), reverse("visit-list")))
        if current.is_municipal:
            nav.append((str(_("Catalogue")), reverse("intervention-list")))
            nav.append((str(_("Areas")), reverse("area-list")))
        if access.can_read_benchmarks(current):
            nav.append((str(_("Key indicators")), reverse("benchmarks")))
        if access.loadable_kinds(current) or current.is_provider_user:
            nav.append((str(_("Deliveries")), reverse("delivery-list")))
        if access.can_read_audit(current):
            nav.append((str(_("Audit log")), reverse("audit-list")))
        if access.can_manage_users(current):
            nav.append((str(_("Users")), reverse("user-list")))
    path = request.path
    return {
        "viewer": current,
        # The section a page belongs to is marked aria-current for screen readers and the eye.
        "nav": [
            {"label": label, "url": url, "current": path == url if url == "/" else path.startswith(url)}
            for label, url in nav
        ],
        "can_edit_registry": access.can_edit_registry(current),
        # Pages may override it (the start page takes ?lead=N); badges fall back to the setting.
        "lead_months": settings.TILLIT_CONTRACT_LEAD_MONTHS,
        "municipality_name": _municipality_name() if current.user_id is not None else "",
    }


def _municipality_name() -> str:
    return settings.TILLIT_MUNICIPALITY_NAME or municipality_name()
