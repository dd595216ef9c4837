"""The model simulator (konsekvensanalys): pick a period and models, compare, save, export for the board."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tillit.accounts.access import SIMULATION_READERS, SIMULATION_USERS
from tillit.common.errors import ApplicationError
from tillit.common.periods import Month
from tillit.compensation.models import CompensationModel, Simulation
from tillit.compensation.simulation import Cell, from_data, period_months, provider_names, simulate, simulation_save
from tillit.web.views.base import require_roles, viewer_of


@dataclass
class Row:
    provider: str
    cells: list[tuple[CompensationModel, Cell, Decimal | None, Decimal | None]]  # model, cell, diff kr, diff %


def _rows(result: dict[int, dict[int, Cell]], models: list[CompensationModel]) -> list[Row]:
    names = provider_names(result)
    rows = []
    for pid in sorted(result, key=lambda p: names.get(p, "")):
        base = result[pid][models[0].pk].amount
        cells = []
        for model in models:
            cell = result[pid][model.pk]
            diff = None if model == models[0] else cell.amount - base
            percent = (diff * 100 / base).quantize(Decimal("0.1"), ROUND_HALF_UP) if diff is not None and base else None
            cells.append((model, cell, diff, percent))
        rows.append(Row(names.get(pid, str(pid)), cells))
    return rows


def _totals(rows: list[Row], models: list[CompensationModel]) -> list[Decimal]:
    return [sum((row.cells[n][1].amount for row in rows), Decimal("0.00")) for n in range(len(models))]


def _bars(rows: list[Row], models: list[CompensationModel]) -> list[dict]:
    """Bar geometry per provider and model (the table beside it is the accessible version)."""
    top = max((cell.amount for row in rows for _m, cell, _d, _p in row.cells), default=Decimal(1)) or Decimal(1)
    return [{"provider": row.provider, "bars": [{"model": n, "width": float(cell.amount / top * 100)}
                                                for n, (_m, cell, _d, _p) in enumerate(row.cells)]} for row in rows]


def simulation_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    require_roles(request, SIMULATION_USERS)
    models = list(CompensationModel.objects.select_related("contract").order_by("name"))
    chosen = [m for m in models if str(m.pk) in request.GET.getlist("model")]
    first, last = request.GET.get("first", ""), request.GET.get("last", "") or request.GET.get("first", "")
    context = {"title": _("Model simulator"), "models": models, "chosen": chosen, "first": first, "last": last,
               "saved": Simulation.objects.prefetch_related("compared")[:20]}
    if request.method == "POST":
        try:
            chosen = [m for m in models if str(m.pk) in request.POST.getlist("model")]
            simulation = simulation_save(actor=request.user, name=request.POST.get("name", ""),
                                         first=Month.parse(request.POST.get("first", "")),
                                         last=Month.parse(request.POST.get("last", "") or request.POST.get("first", "")),
                                         models=chosen)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("simulation-page")
        messages.success(request, _("The simulation is saved."))
        return redirect("simulation-detail", simulation_id=simulation.pk)
    if first and len(chosen) >= 2:
        try:
            result = simulate(period_months(Month.parse(first), Month.parse(last)), chosen)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            rows = _rows(result, chosen)
            context.update(rows=rows, model_totals=list(zip(chosen, _totals(rows, chosen))), bars=_bars(rows, chosen))
    del viewer
    return render(request, "web/simulations/page.html", context)


def simulation_detail(request: HttpRequest, simulation_id: int) -> HttpResponse:
    require_roles(request, SIMULATION_READERS)
    simulation = get_object_or_404(Simulation, pk=simulation_id)
    models = list(simulation.compared.order_by("pk"))
    rows = _rows(from_data(simulation.results), models)
    context = {"title": simulation.name, "simulation": simulation, "chosen": models, "rows": rows,
               "model_totals": list(zip(models, _totals(rows, models))), "bars": _bars(rows, models)}
    if request.GET.get("format") == "pdf":
        from weasyprint import HTML  # loads system libraries; only PDFs need them

        html = render_to_string("web/simulations/pdf.html", context, request=request)
        response = HttpResponse(HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(),
                                content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="konsekvensanalys-{simulation.pk}.pdf"'
        return response
    return render(request, "web/simulations/detail.html", context)
