"""What every view shares: the viewer, the form round trip through a service, paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tillit.accounts.access import Viewer, require
from tillit.common.errors import ValidationFailed
from tillit.web.forms.base import ServiceForm


def viewer_of(request: HttpRequest) -> Viewer:
    return request.viewer  # type: ignore[attr-defined,no-any-return]


def form_page(
    request: HttpRequest,
    *,
    form: ServiceForm,
    save: Callable[[dict[str, Any]], Any],
    success: Callable[[Any], str],
    success_message: str,
    title: str,
    cancel_url: str,
    template: str = "web/form.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Show a form; on a valid POST hand its data to `save` (a service call) and redirect."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationFailed as error:
            form.add_service_errors(error)
        else:
            messages.success(request, success_message)
            return redirect(success(result))
    return render(
        request,
        template,
        {"form": form, "title": title, "cancel_url": cancel_url, **(context or {})},
        status=400 if request.method == "POST" else 200,
    )


def paginate(request: HttpRequest, items: QuerySet[Any] | list[Any], per_page: int = 50) -> Page:
    """A page of items; a page number out of range gives the last page, not an error."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def require_roles(request: HttpRequest, roles: frozenset[str]) -> Viewer:
    viewer = viewer_of(request)
    require(viewer, roles)
    return viewer
