"""Delivered files: upload, list, the row report and the decision on rejected rows."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.accounts.access import can_load, loadable_kinds
from tillit.common.errors import ApplicationError, NotFound
from tillit.deliveries import selectors, services
from tillit.deliveries.importers import kind_labels
from tillit.deliveries.models import Delivery
from tillit.web.forms.deliveries import UploadForm
from tillit.web.views.base import paginate, viewer_of


def delivery_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    deliveries = selectors.delivery_list(viewer=viewer, kind=kind, status=status)
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
        result = services.delivery_load(
            actor=request.user,
            kind=form.cleaned_data["kind"],
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
        },
    )


def delivery_report(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """The row report as CSV for Excel: semicolons, UTF-8 with BOM."""
    delivery = selectors.delivery_get(viewer=viewer_of(request), delivery_id=delivery_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="leverans-{delivery.pk}-rapport.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("row"), _("column"), _("value"), _("reason"), _("severity")])
    for issue in selectors.delivery_issues(delivery):
        writer.writerow([issue.row, issue.column, _neutralise(issue.value), issue.reason, issue.get_severity_display()])
    return response


def _neutralise(value: str) -> str:
    """Stop a spreadsheet from running a delivered value as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


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
