"""Delivered files: upload, list, the row report and the decision on rejected rows."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.accounts.access import Viewer, can_load, loadable_kinds
from tillit.accounts.models import Organisation
from tillit.common.errors import ApplicationError, NotFound
from tillit.deliveries import reports, selectors, services
from tillit.deliveries.importers import DECIDERS, kind_labels
from tillit.deliveries.jobs import incoming_dir, upload_job_create
from tillit.deliveries.models import Delivery
from tillit.ledger.models import VisitBatch
from tillit.web.forms.deliveries import UploadForm
from tillit.web.views.base import paginate, viewer_of


def delivery_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    # A visit delivery's batch (period, visits replaced) shows in its row: one join, not a query a row.
    deliveries = selectors.delivery_list(viewer=viewer, kind=kind, status=status).select_related("visit_batch")
    return render(
        request,
        "web/deliveries/list.html",
        {
            "title": _("Deliveries"),
            "page": paginate(request, deliveries),
            "kind": kind,
            "status": status,
            "kinds": kind_labels(),
            "statuses": Delivery.Status.choices,
            "can_upload": bool(loadable_kinds(viewer)),
        },
    )


def delivery_upload(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    kinds = [(kind, label) for kind, label in kind_labels().items() if can_load(viewer, kind)]
    if not kinds:
        raise NotFound("Not found.")
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        if kind in DECIDERS:
            job = _queue_streamed(request, viewer, kind, upload, form.cleaned_data)
            return redirect("upload-job", job_id=job.pk)
        else:
            result = services.delivery_load(
                actor=request.user,
                kind=kind,
                content=upload.read(),
                file_name=upload.name,
                accept_valid=form.cleaned_data["accept_valid"],
            )
        delivery = result.delivery
        if result.already_delivered:
            messages.warning(
                request,
                _("This file was already delivered (delivery %(id)s); nothing was changed.") % {"id": delivery.pk},
            )
        elif delivery.status == Delivery.Status.LOADED:
            messages.success(request, _("The file was loaded."))
        elif delivery.status == Delivery.Status.PENDING:
            messages.warning(request, _("Some rows were rejected. Read the report, then accept the valid rows or reject the file."))
        else:
            messages.error(request, delivery.message)
        return redirect("delivery-detail", delivery_id=delivery.pk)
    return render(request, "web/deliveries/upload.html", {"title": _("Deliver a file"), "form": form})


def _queue_streamed(request: HttpRequest, viewer: Viewer, kind: str, upload: Any, data: dict[str, Any]) -> Any:
    """Visits: the upload goes to a file that the worker reads; the page follows its progress.

    A provider user delivers for their own provider: every row must be theirs.
    """
    organisation = None
    if viewer.is_provider_user:
        organisation = Organisation.objects.get(pk=sorted(viewer.provider_organisation_ids)[0])
    path = incoming_dir() / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()[:8]}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return upload_job_create(
        actor=request.user, kind=kind, path=path, file_name=upload.name, organisation=organisation,
        options={"complete": bool(data.get("complete")), "accept_valid": bool(data["accept_valid"])},
    )


def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    delivery = selectors.delivery_get(viewer=viewer, delivery_id=delivery_id)
    return render(
        request,
        "web/deliveries/detail.html",
        {
            "title": _("Delivery %(id)s") % {"id": delivery.pk},
            "delivery": delivery,
            "kind_label": kind_labels().get(delivery.kind, delivery.kind),
            "issues": paginate(request, selectors.delivery_issues(delivery), per_page=100),
            "can_decide": delivery.status == Delivery.Status.PENDING and can_load(viewer, delivery.kind),
            "batch": VisitBatch.objects.filter(delivery=delivery).first() if delivery.kind == "visits" else None,
        },
    )


def delivery_report(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """The row report as CSV for Excel: semicolons, UTF-8 with BOM."""
    delivery = selectors.delivery_get(viewer=viewer_of(request), delivery_id=delivery_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="leverans-{delivery.pk}-rapport.csv"'
    response.write("\ufeff")
    reports.write_csv(response, delivery)
    return response


def delivery_report_xlsx(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """The row report as an Excel workbook, written row by row to a temporary file."""
    delivery = selectors.delivery_get(viewer=viewer_of(request), delivery_id=delivery_id)
    handle = tempfile.TemporaryFile()
    reports.write_xlsx(handle, delivery)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=f"leverans-{delivery.pk}-rapport.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_POST
def delivery_decide(request: HttpRequest, delivery_id: int, decision: str) -> HttpResponse:
    viewer = viewer_of(request)
    delivery = selectors.delivery_get(viewer=viewer, delivery_id=delivery_id)
    if not can_load(viewer, delivery.kind):
        raise NotFound("Not found.")
    try:
        if decision == "accept":
            services.delivery_accept(actor=request.user, delivery=delivery)
            messages.success(request, _("The valid rows were loaded."))
        else:
            services.delivery_reject(actor=request.user, delivery=delivery, reason=request.POST.get("reason", ""))
            messages.success(request, _("The delivery was rejected; nothing was loaded."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(reverse("delivery-detail", args=[delivery.pk]))
