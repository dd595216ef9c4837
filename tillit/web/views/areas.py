"""Areas and rate zones."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tillit.accounts.access import REGISTRY_EDITORS, REGISTRY_READERS
from tillit.registry import selectors, services
from tillit.registry.models import Area, Zone
from tillit.web.forms.registry import AreaForm, ZoneForm
from tillit.web.views.base import form_page, require_roles


def area_list(request: HttpRequest) -> HttpResponse:
    require_roles(request, REGISTRY_READERS)
    return render(
        request,
        "web/areas/list.html",
        {"title": _("Areas and zones"), "areas": selectors.area_list(), "zones": selectors.zone_list()},
    )


def area_create(request: HttpRequest) -> HttpResponse:
    require_roles(request, REGISTRY_EDITORS)
    return form_page(
        request,
        form=AreaForm(request.POST or None),
        save=lambda data: services.area_create(actor=request.user, **data),
        success=lambda area: reverse("area-list"),
        success_message=_("The area was added."),
        title=_("New area"),
        cancel_url=reverse("area-list"),
    )


def area_edit(request: HttpRequest, area_id: int) -> HttpResponse:
    require_roles(request, REGISTRY_EDITORS)
    area = get_object_or_404(Area, pk=area_id)
    return form_page(
        request,
        form=AreaForm(request.POST or None, initial={"code": area.code, "name": area.name, "zone": area.zone}),
        save=lambda data: services.area_update(actor=request.user, area=area, **data),
        success=lambda a: reverse("area-list"),
        success_message=_("The changes were saved."),
        title=_("Edit area %(name)s") % {"name": area.name},
        cancel_url=reverse("area-list"),
    )


def zone_create(request: HttpRequest) -> HttpResponse:
    require_roles(request, REGISTRY_EDITORS)
    return form_page(
        request,
        form=ZoneForm(request.POST or None),
        save=lambda data: services.zone_create(actor=request.user, **data),
        success=lambda zone: reverse("area-list"),
        success_message=_("The zone was added."),
        title=_("New zone"),
        cancel_url=reverse("area-list"),
    )


def zone_edit(request: HttpRequest, zone_id: int) -> HttpResponse:
    require_roles(request, REGISTRY_EDITORS)
    zone = get_object_or_404(Zone, pk=zone_id)
    return form_page(
        request,
        form=ZoneForm(request.POST or None, initial={"code": zone.code, "name": zone.name}),
        save=lambda data: services.zone_update(actor=request.user, zone=zone, **data),
        success=lambda z: reverse("area-list"),
        success_message=_("The changes were saved."),
        title=_("Edit zone %(name)s") % {"name": zone.name},
        cancel_url=reverse("area-list"),
    )
