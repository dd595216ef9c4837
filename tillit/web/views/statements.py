"""Compensation statements (ersättningsunderlag): a month's statements per provider, one
statement line by line with its difference to the version before, approval, the drill-down to
the visits behind a recipient's lines, and the exports (PDF, Excel, CSV).

Every read goes through tillit.compensation.selectors, so provider B gets a 404 for provider A's
statements, lines, drill-downs and exports alike.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tillit.accounts.access import (
    SIMULATION_USERS,
    STATEMENT_APPROVERS, STATEMENT_RUNNERS, can_approve_statements, can_read_statement_lines,
    can_read_statement_totals, can_run_statements,
)
from tillit.common.errors import ApplicationError, NotFound
from tillit.common.periods import Month
from tillit.compensation import selectors
from tillit.compensation.jobs import statement_run_progress, statement_run_queue
from tillit.compensation.models import Statement
from tillit.compensation.statements import statement_approve
from tillit.web import statement_exports
from tillit.web.views.base import require_roles, viewer_of

STAGES = {
    "": gettext_lazy("Waiting for the worker"),
    "quantities": gettext_lazy("Reading the month's visits"),
    "pricing": gettext_lazy("Pricing every line"),
    "storing": gettext_lazy("Storing the statements"),
}


def _month(text: str | None, months: list[str]) -> Month:
    """The asked-for month, else the latest month with statements, else last month."""
    if text:
        try:
            return Month.parse(text)
        except ApplicationError:
            pass
    return Month.parse(months[0]) if months else Month.of(timezone.localdate()).shift(-1)


def _when(progress: dict | None) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(progress["at"]) if progress else None
    except (KeyError, TypeError, ValueError):
        return None


def statement_month(request: HttpRequest) -> HttpResponse:
    """The month's latest statement per provider: total, version, status and when it was computed."""
    viewer = viewer_of(request)
    if not can_read_statement_totals(viewer):
        raise NotFound("Not found.")
    months = selectors.statement_months(viewer=viewer)
    month = _month(request.GET.get("month"), months)
    statements = selectors.statement_list(viewer=viewer, month=month)
    can_run = can_run_statements(viewer)
    progress = statement_run_progress(month) if can_run else None
    return render(request, "web/statements/month.html", {
        "title": _("Compensation"),
        "month": month,
        "months": sorted({*months, str(month)}, reverse=True),
        "statements": statements,
        "total": sum((s.total for s in statements), selectors.ZERO),
        "can_run": can_run,
        "can_simulate": viewer.has_any(SIMULATION_USERS),
        "progress": progress,
        "progress_at": _when(progress),
        "stage_label": STAGES.get(progress.get("stage", ""), progress.get("stage", "")) if progress else "",
        "running": bool(progress and progress.get("state") in ("queued", "running")),
    })


@require_POST
def statement_run_start(request: HttpRequest) -> HttpResponse:
    require_roles(request, STATEMENT_RUNNERS)
    try:
        month = Month.parse(request.POST.get("month", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("statement-month")
    statement_run_queue(actor=request.user, month=month)
    messages.success(request, _("The statements of %(month)s are being computed. Reload the page in a while.")
                     % {"month": month})
    return redirect(f"{reverse('statement-month')}?month={month}")


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def statement_detail(request: HttpRequest, statement_id: int) -> HttpResponse:
    """Totals per component; with line access also the lines per recipient and the difference."""
    viewer = viewer_of(request)
    statement = selectors.statement_get(viewer=viewer, statement_id=statement_id)
    lines_visible = can_read_statement_lines(viewer)
    versions = selectors.statement_versions(viewer=viewer, statement=statement)
    return render(request, "web/statements/detail.html", {
        "title": _("Statement %(provider)s %(month)s") % {"provider": statement.provider.name,
                                                          "month": statement.month},
        "statement": statement,
        "month": Month.parse(statement.month),
        "components": selectors.statement_component_totals(viewer=viewer, statement=statement),
        "lines": selectors.statement_lines_page(
            viewer=viewer, statement=statement, page=request.GET.get("page"), query=request.GET.get("q", ""),
            recipient_id=_int(request.GET.get("recipient"))) if lines_visible else None,
        "difference": selectors.statement_difference(viewer=viewer, statement=statement) if lines_visible else None,
        "model_versions": selectors.model_versions_used(viewer=viewer, statement=statement),
        "versions": versions,
        "latest": versions[0] if versions else statement,
        "lines_visible": lines_visible,
        "can_approve": (can_approve_statements(viewer) and statement.status == Statement.Status.DRAFT
                        and versions and versions[0].pk == statement.pk),
    })


@require_POST
def statement_approve_view(request: HttpRequest, statement_id: int) -> HttpResponse:
    viewer = require_roles(request, STATEMENT_APPROVERS)
    statement = selectors.statement_get(viewer=viewer, statement_id=statement_id)
    try:
        statement_approve(actor=request.user, statement=statement)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The statement is approved and locked."))
    return redirect("statement-detail", statement_id=statement.pk)


def statement_recipient_visits(request: HttpRequest, statement_id: int, recipient_id: int) -> HttpResponse:
    """The visits behind a recipient's lines: the visit list of the statement's month, provider
    and recipient — only for a recipient on a statement the viewer may read line by line."""
    viewer = viewer_of(request)
    statement = selectors.statement_get(viewer=viewer, statement_id=statement_id)
    if recipient_id not in selectors.statement_recipient_ids(viewer=viewer, statement=statement):
        raise NotFound("Not found.")
    params = {"month": statement.month, "provider": statement.provider_id, "recipient": recipient_id}
    return HttpResponseRedirect(f"{reverse('visit-list')}?{urlencode(params)}")


def statement_export(request: HttpRequest, statement_id: int, export: str) -> HttpResponse:
    viewer = viewer_of(request)
    statement = selectors.statement_get(viewer=viewer, statement_id=statement_id)
    if not can_read_statement_lines(viewer):  # every export has the lines
        raise NotFound("Not found.")
    return statement_exports.statement_response(request, viewer, statement, export)
