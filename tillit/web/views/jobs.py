"""The page a person watches while a large file is read in the background."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.common.errors import NotFound
from tillit.deliveries.models import UploadJob
from tillit.web.views.base import viewer_of

STAGES = {
    "": gettext_lazy("Waiting for the worker"),
    "reading": gettext_lazy("Reading the file"),
    "checking": gettext_lazy("Checking every row"),
    "staging": gettext_lazy("Writing the valid visits"),
    "activating": gettext_lazy("Adding the visits to the ledger"),
}


def upload_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Only the person who delivered the file sees its job; then its delivery takes over."""
    viewer = viewer_of(request)
    job = UploadJob.objects.filter(pk=job_id, requested_by_id=viewer.user_id).first()
    if job is None:
        raise NotFound("Not found.")
    if job.state == UploadJob.State.DONE and job.delivery_id:
        if job.already_delivered:
            messages.warning(request, _("This file was already delivered (delivery %(id)s); nothing was changed.")
                             % {"id": job.delivery_id})
        return redirect("delivery-detail", delivery_id=job.delivery_id)
    order = list(STAGES)
    return render(
        request,
        "web/deliveries/job.html",
        {
            "title": _("Reading %(file)s") % {"file": job.file_name},
            "job": job,
            "stage_label": STAGES.get(job.stage, job.stage),
            "steps": [(label, order.index(key) < order.index(job.stage) if job.stage in order else False,
                       key == job.stage) for key, label in STAGES.items() if key],
            "running": job.state in (UploadJob.State.QUEUED, UploadJob.State.RUNNING),
        },
    )
