"""Comparison groups of one's own: each user sees and changes only their own."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.accounts.access import BENCHMARK_READERS
from tillit.benchmarks import selectors, services
from tillit.web.forms.benchmarks import CustomGroupForm
from tillit.web.views.base import form_page, require_roles


def _choices(viewer) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(m.pk, f"{m.title} ({m.pk})") for m in selectors.municipality_list(viewer=viewer)]


def group_list(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, BENCHMARK_READERS)
    groups = selectors.custom_group_list(viewer=viewer)
    titles = selectors.names(m for g in groups for m in g.member_ids)
    rows = [(g, sorted(titles.get(m, m) for m in g.member_ids)) for g in groups]
    return render(request, "web/benchmarks/groups.html", {"title": _("Your comparison groups"), "rows": rows})


def group_create(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, BENCHMARK_READERS)
    return form_page(
        request,
        form=CustomGroupForm(request.POST or None, municipalities=_choices(viewer)),
        save=lambda data: services.custom_group_create(actor=request.user, name=data["name"], member_ids=data["members"]),
        success=lambda group: reverse("benchmarks") + f"?g=c:{group.pk}",
        success_message=_("The group was saved."),
        title=_("New comparison group"),
        cancel_url=reverse("benchmark-groups"),
    )


def group_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    viewer = require_roles(request, BENCHMARK_READERS)
    group = selectors.custom_group_get(viewer=viewer, group_id=group_id)
    return form_page(
        request,
        form=CustomGroupForm(request.POST or None, municipalities=_choices(viewer),
                             initial={"name": group.name, "members": group.member_ids}),
        save=lambda data: services.custom_group_update(actor=request.user, group=group, name=data["name"],
                                                       member_ids=data["members"]),
        success=lambda g: reverse("benchmark-groups"),
        success_message=_("The changes were saved."),
        title=_("Edit the group %(name)s") % {"name": group.name},
        cancel_url=reverse("benchmark-groups"),
    )


@require_POST
def group_delete(request: HttpRequest, group_id: int) -> HttpResponse:
    viewer = require_roles(request, BENCHMARK_READERS)
    group = selectors.custom_group_get(viewer=viewer, group_id=group_id)
    services.custom_group_delete(actor=request.user, group=group)
    messages.success(request, _("The group %(name)s was removed.") % {"name": group.name})
    return redirect("benchmark-groups")
