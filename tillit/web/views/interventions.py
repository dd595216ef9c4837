"""The intervention catalogue."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tillit.accounts.access import REGISTRY_EDITORS, REGISTRY_READERS
from tillit.care import selectors, services
from tillit.care.models import Intervention
from tillit.web.forms.care import InterventionForm
from tillit.web.views.base import form_page, require_roles

_FIELDS = list(InterventionForm.base_fields)


def intervention_list(request: HttpRequest) -> HttpResponse:
    require_roles(request, REGISTRY_READERS)
    return render(
        request,
        "web/interventions/list.html",
        {"title": _("Intervention catalogue"), "interventions": selectors.intervention_list()},
    )


def intervention_create(request: HttpRequest) -> HttpResponse:
    require_roles(request, REGISTRY_EDITORS)
    return form_page(
        request,
        form=InterventionForm(request.POST or None),
        save=lambda data: services.intervention_create(actor=request.user, **data),
        success=lambda item: reverse("intervention-list"),
        success_message=_("The intervention was added to the catalogue."),
        title=_("New intervention"),
        cancel_url=reverse("intervention-list"),
    )


def intervention_edit(request: HttpRequest, intervention_id: int) -> HttpResponse:
    require_roles(request, REGISTRY_EDITORS)
    intervention = get_object_or_404(Intervention, pk=intervention_id)
    return form_page(
        request,
        form=InterventionForm(request.POST or None, initial={n: getattr(intervention, n) for n in _FIELDS}),
        save=lambda data: services.intervention_update(actor=request.user, intervention=intervention, **data),
        success=lambda item: reverse("intervention-list"),
        success_message=_("The changes were saved."),
        title=_("Edit %(code)s") % {"code": intervention.code},
        cancel_url=reverse("intervention-list"),
    )
