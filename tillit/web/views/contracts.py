"""Contracts with providers."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.accounts.access import REGISTRY_EDITORS
from tillit.registry import selectors, services
from tillit.registry.models import Contract
from tillit.web.forms.registry import ContractForm
from tillit.web.views.base import form_page, paginate, require_roles, viewer_of

_FIELDS = list(ContractForm.base_fields)


def contract_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    filters = {"search": request.GET.get("q", "").strip(), "kind": request.GET.get("kind", "")}
    contracts = selectors.contract_list(viewer=viewer, **filters)
    return render(
        request,
        "web/contracts/list.html",
        {
            "title": _("Contracts"),
            "page": paginate(request, contracts),
            "filters": filters,
            "kind_choices": Contract.Kind.choices,
            "today": timezone.localdate(),
            "lead_months": settings.TILLIT_CONTRACT_LEAD_MONTHS,
        },
    )


def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get(viewer=viewer_of(request), contract_id=contract_id)
    return render(
        request,
        "web/contracts/detail.html",
        {"title": contract.reference, "contract": contract, "today": timezone.localdate()},
    )


def contract_create(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, REGISTRY_EDITORS)
    initial = {}
    if request.GET.get("provider"):
        initial["provider"] = request.GET["provider"]

    def save(data: dict) -> Contract:
        provider = data.pop("provider")
        return services.contract_create(actor=request.user, provider=provider, **data)

    return form_page(
        request,
        form=_form(request, viewer, initial),
        save=save,
        success=lambda contract: reverse("contract-detail", args=[contract.pk]),
        success_message=_("The contract was registered."),
        title=_("New contract"),
        cancel_url=reverse("contract-list"),
    )


def contract_edit(request: HttpRequest, contract_id: int) -> HttpResponse:
    viewer = require_roles(request, REGISTRY_EDITORS)
    contract = selectors.contract_get(viewer=viewer, contract_id=contract_id)
    initial = {name: getattr(contract, name) for name in _FIELDS}
    return form_page(
        request,
        form=_form(request, viewer, initial),
        save=lambda data: services.contract_update(actor=request.user, contract=contract, **data),
        success=lambda c: reverse("contract-detail", args=[c.pk]),
        success_message=_("The changes were saved."),
        title=_("Edit contract %(reference)s") % {"reference": contract.reference},
        cancel_url=reverse("contract-detail", args=[contract.pk]),
    )


def _form(request: HttpRequest, viewer: object, initial: dict) -> ContractForm:
    form = ContractForm(request.POST or None, initial=initial)
    form.fields["provider"].queryset = selectors.provider_list(viewer=viewer)  # type: ignore[attr-defined]
    return form
