"""Providers and their units."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tillit.accounts.access import REGISTRY_EDITORS
from tillit.registry import selectors, services
from tillit.registry.models import Regi, ServiceType
from tillit.web.forms.registry import ProviderForm, UnitForm
from tillit.web.views.base import form_page, paginate, require_roles, viewer_of

_PROVIDER_FIELDS = list(ProviderForm.base_fields)
_UNIT_FIELDS = list(UnitForm.base_fields)


def provider_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    filters = {
        "search": request.GET.get("q", "").strip(),
        "regi": request.GET.get("regi", ""),
        "service_type": request.GET.get("service_type", ""),
    }
    providers = selectors.provider_list(viewer=viewer, **filters)
    return render(
        request,
        "web/providers/list.html",
        {
            "title": _("Providers"),
            "page": paginate(request, providers),
            "filters": filters,
            "regi_choices": Regi.choices,
            "service_type_choices": ServiceType.choices,
        },
    )


def provider_detail(request: HttpRequest, provider_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    provider = selectors.provider_get(viewer=viewer, provider_id=provider_id)
    return render(
        request,
        "web/providers/detail.html",
        {
            "title": provider.name,
            "provider": provider,
            "units": selectors.unit_list(viewer=viewer, provider=provider),
            "contracts": selectors.contract_list(viewer=viewer, provider=provider),
        },
    )


def provider_create(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, REGISTRY_EDITORS)
    return form_page(
        request,
        form=ProviderForm(request.POST or None),
        save=lambda data: services.provider_create(actor=request.user, **data),
        success=lambda provider: reverse("provider-detail", args=[provider.pk]),
        success_message=_("The provider was registered."),
        title=_("New provider"),
        cancel_url=reverse("provider-list"),
        context={"viewer": viewer},
    )


def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    viewer = require_roles(request, REGISTRY_EDITORS)
    provider = selectors.provider_get(viewer=viewer, provider_id=provider_id)
    initial = {name: getattr(provider, name) for name in _PROVIDER_FIELDS}
    return form_page(
        request,
        form=ProviderForm(request.POST or None, initial=initial),
        save=lambda data: services.provider_update(actor=request.user, provider=provider, **data),
        success=lambda p: reverse("provider-detail", args=[p.pk]),
        success_message=_("The changes were saved."),
        title=_("Edit %(name)s") % {"name": provider.name},
        cancel_url=reverse("provider-detail", args=[provider.pk]),
    )


def unit_create(request: HttpRequest, provider_id: int) -> HttpResponse:
    viewer = require_roles(request, REGISTRY_EDITORS)
    provider = selectors.provider_get(viewer=viewer, provider_id=provider_id)
    return form_page(
        request,
        form=UnitForm(request.POST or None),
        save=lambda data: services.unit_create(actor=request.user, provider=provider, **data),
        success=lambda unit: reverse("provider-detail", args=[provider.pk]),
        success_message=_("The unit was added."),
        title=_("New unit for %(name)s") % {"name": provider.name},
        cancel_url=reverse("provider-detail", args=[provider.pk]),
    )


def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    viewer = require_roles(request, REGISTRY_EDITORS)
    unit = selectors.unit_get(viewer=viewer, unit_id=unit_id)
    initial = {name: getattr(unit, name) for name in _UNIT_FIELDS}
    return form_page(
        request,
        form=UnitForm(request.POST or None, initial=initial),
        save=lambda data: services.unit_update(actor=request.user, unit=unit, **data),
        success=lambda u: reverse("provider-detail", args=[u.provider_id]),
        success_message=_("The changes were saved."),
        title=_("Edit unit %(name)s") % {"name": unit.name},
        cancel_url=reverse("provider-detail", args=[unit.provider_id]),
    )
