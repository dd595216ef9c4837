"""Compensation models in the UI: see each model's versions and rules, edit the readable file
(validated on save, audited with the whole file), download it, or load one from a file."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tillit.accounts.access import STATEMENT_RUNNERS, SIMULATION_USERS
from tillit.common.errors import ApplicationError
from tillit.compensation.files import read_model
from tillit.compensation.models import CompensationModel
from tillit.compensation.services import compensation_model_import, model_export
from tillit.registry.models import Contract
from tillit.web.views.base import require_roles

# Controllers and administrators change models; finance reads them (the simulator's users).
EDITORS, READERS = STATEMENT_RUNNERS, SIMULATION_USERS


def model_list(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, READERS)
    contracts = Contract.objects.select_related("provider").order_by("provider__name", "reference")
    if request.method == "POST":
        require_roles(request, EDITORS)
        upload = request.FILES.get("file")
        contract = contracts.filter(pk=request.POST.get("contract") or 0).first()
        if upload is None:
            messages.error(request, _("Choose a model file (TOML) to load."))
            return redirect("model-list")
        try:
            model, changed = compensation_model_import(actor=request.user, text=upload.read().decode("utf-8"),
                                                       file_name=upload.name, contract=contract)
        except (ApplicationError, UnicodeDecodeError) as error:
            messages.error(request, getattr(error, "message", _("The file is not UTF-8 text.")))
            return redirect("model-list")
        messages.success(request, _("The model is loaded.") if changed else _("The same model was loaded before; nothing changed."))
        return redirect("model-detail", model_id=model.pk)
    return render(request, "web/models/list.html", {
        "title": _("Compensation models"), "contracts": contracts, "can_edit": viewer.has_any(EDITORS),
        "models": CompensationModel.objects.select_related("contract__provider").prefetch_related("versions"),
    })


def model_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    viewer = require_roles(request, READERS)
    model = get_object_or_404(CompensationModel.objects.select_related("contract__provider"), pk=model_id)
    text = model_export(model)
    if request.method == "POST":
        require_roles(request, EDITORS)
        text = request.POST.get("text", "")
        try:
            document = read_model(text, f"{model.name}.toml")
            if document.name != model.name:
                raise ApplicationError(_("Keep the model's name (%(name)s); a new name is a new model: load it as a file.")
                                       % {"name": model.name})
            _model, changed = compensation_model_import(actor=request.user, text=text, file_name="(edited in Tillit)",
                                                        contract=model.contract)
        except ApplicationError as error:
            messages.error(request, error.message)  # the text stays in the editor to be corrected
        else:
            messages.success(request, _("The model is saved.") if changed else _("Nothing changed."))
            return redirect("model-detail", model_id=model.pk)
    if request.GET.get("format") == "toml":
        response = HttpResponse(text, content_type="application/toml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="model-{model.pk}.toml"'
        return response
    return render(request, "web/models/detail.html", {
        "title": model.name, "model": model, "text": text, "can_edit": viewer.has_any(EDITORS),
        "versions": model.versions.order_by("valid_from"),
    })
