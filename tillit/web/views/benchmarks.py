"""Nyckeltal: Kolada's key indicators for us beside a comparison group, with exports and syncs."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tillit.accounts.access import BENCHMARK_READERS, BENCHMARK_SYNCERS, can_sync_benchmarks
from tillit.benchmarks import selectors
from tillit.benchmarks.jobs import sync_queue
from tillit.benchmarks.models import KoladaSync
from tillit.web import benchmark_exports
from tillit.web.benchmark_page import build
from tillit.web.views.base import require_roles

SYNC_STAGES = {
    "": gettext_lazy("Waiting for the worker"),
    "catalogue": gettext_lazy("Fetching the KPI catalogue"),
    "municipalities": gettext_lazy("Fetching the municipalities"),
    "groups": gettext_lazy("Fetching the municipality groups"),
    "values": gettext_lazy("Fetching the values"),
    "storing": gettext_lazy("Storing and looking for revisions"),
}


def benchmark_page(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, BENCHMARK_READERS)
    view = build(viewer, request.GET)
    everyone = [view.municipality.pk, *(view.group.member_ids if view.group else ())] if view.municipality else []
    return render(
        request,
        "web/benchmarks/page.html",
        {
            "title": _("Key indicators"),
            "view": view,
            "municipalities": selectors.municipality_list(viewer=viewer),
            "last_sync": selectors.last_sync(viewer=viewer),
            "revisions": selectors.revision_list(viewer=viewer, municipality_ids=everyone,
                                                 kpis=[k.pk for k in view.kpis], limit=20),
            "names": selectors.names(everyone),
            "can_sync": can_sync_benchmarks(viewer),
        },
    )


def benchmark_xlsx(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, BENCHMARK_READERS)
    view = build(viewer, request.GET)
    response = HttpResponse(
        benchmark_exports.workbook(view),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="nyckeltal-{_slug(view)}.xlsx"'
    return response


def benchmark_pdf(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, BENCHMARK_READERS)
    view = build(viewer, request.GET)
    response = HttpResponse(benchmark_exports.pdf(view), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="nyckeltal-{_slug(view)}.pdf"'
    return response


def _slug(view) -> str:  # type: ignore[no-untyped-def]
    return view.municipality.pk if view.municipality else "tillit"


@require_POST
def kolada_sync(request: HttpRequest) -> HttpResponse:
    """Queue a sync from Kolada; the worker runs it and the job page follows it."""
    viewer = require_roles(request, BENCHMARK_SYNCERS)
    options = {}
    municipality = request.POST.get("m", "").strip()
    if municipality.isdigit() and len(municipality) == 4:  # Kolada's ids; the sync checks it against Kolada
        options["municipality"] = municipality
    sync = sync_queue(actor=request.user, options=options)
    return redirect("kolada-sync-detail", sync_id=sync.pk)


def kolada_sync_detail(request: HttpRequest, sync_id: int) -> HttpResponse:
    viewer = require_roles(request, BENCHMARK_SYNCERS)
    sync = selectors.sync_get(viewer=viewer, sync_id=sync_id)
    order = list(SYNC_STAGES)
    running = sync.state in (KoladaSync.State.QUEUED, KoladaSync.State.RUNNING)
    if sync.state == KoladaSync.State.DONE and request.GET.get("back") != "0":
        messages.success(
            request,
            _("Kolada's figures were fetched: %(new)s new values, %(changed)s revised by Kolada, %(unchanged)s "
              "unchanged.") % {"new": sync.values_new, "changed": sync.values_changed, "unchanged": sync.values_unchanged},
        )
        return redirect("benchmarks")
    return render(
        request,
        "web/benchmarks/sync.html",
        {
            "title": _("Fetching from Kolada"),
            "sync": sync,
            "running": running,
            "stage_label": SYNC_STAGES.get(sync.stage, sync.stage),
            "steps": [(label, order.index(key) < order.index(sync.stage) if sync.stage in order else False,
                       key == sync.stage) for key, label in SYNC_STAGES.items() if key],
        },
    )
