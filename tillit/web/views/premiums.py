"""Effect premiums (effektpremie): offered per contract and period, applied for by the provider with
its measured values filled in, decided by the controller. The measured values come from the
quality app's stored results (this adapter composes the two sibling apps)."""

from __future__ import annotations

import statistics
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tillit.accounts.access import PREMIUM_DECIDERS, PREMIUM_READERS, Viewer, get_scoped, scope_by_provider
from tillit.common.errors import ApplicationError, NotFound
from tillit.common.periods import Month
from tillit.compensation.models import PremiumApplication, PremiumScheme
from tillit.compensation.premiums import premium_application_decide, premium_application_submit, premium_scheme_create
from tillit.engine.catalogue import BY_CODE, INDICATORS, MEDIANS, PER_100, PERCENT
from tillit.quality.selectors import provider_indicator_values
from tillit.registry.models import Contract
from tillit.web.views.base import require_roles, viewer_of

_CRITERIA_ROWS = 4


def _may_read(viewer: Viewer) -> None:
    if not (viewer.has_any(PREMIUM_READERS) or viewer.is_provider_user):
        raise NotFound("Not found.")


def _schemes(viewer: Viewer) -> QuerySet[PremiumScheme]:
    return scope_by_provider(viewer, PremiumScheme.objects.select_related("contract__provider"),
                             "contract__provider__organisation_id")


def measured_values(scheme: PremiumScheme, provider: Any) -> list[dict[str, Any]]:
    """Each criterion with the provider's value over the scheme's period: pooled numerators over
    pooled denominators (a median: the median of the months' medians); a criterion Tillit does
    not measure has no value (the controller enters it from its source)."""
    values = provider_indicator_values(provider=provider, first=Month.parse(scheme.first_month),
                                       last=Month.parse(scheme.last_month))
    rows = []
    for criterion in scheme.criteria.all():
        value = None
        months = values.get(criterion.indicator, {})
        if criterion.indicator and months:
            results = [r for r in months.values() if r.value is not None]
            if criterion.indicator in MEDIANS and results:
                value = Decimal(statistics.median([r.value for r in results]))
            elif results and sum(r.denominator for r in results):
                scale = 100 if BY_CODE[criterion.indicator].unit in (PERCENT, PER_100) else 1
                exact = Fraction(sum(r.numerator for r in results)) * scale / Fraction(sum(r.denominator for r in results))
                value = Decimal(exact.numerator) / Decimal(exact.denominator)
        met = None if value is None else (value >= criterion.threshold if criterion.operator == "gte"
                                          else value <= criterion.threshold)
        rows.append({"criterion": criterion.pk, "label": criterion.label, "indicator": criterion.indicator,
                     "operator": criterion.operator, "threshold": str(criterion.threshold),
                     "value": None if value is None else str(value.quantize(Decimal("0.01"), ROUND_HALF_UP)),
                     "months": sorted(months), "met": met, "source": criterion.source})
    return rows


def premium_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    _may_read(viewer)
    schemes = list(_schemes(viewer).prefetch_related("applications__provider", "criteria"))
    applications = scope_by_provider(viewer, PremiumApplication.objects.select_related("scheme", "provider"),
                                     "provider__organisation_id")
    return render(request, "web/premiums/list.html", {
        "title": _("Effect premiums"), "schemes": schemes, "applications": applications,
        "can_decide": viewer.has_any(PREMIUM_DECIDERS), "is_provider": viewer.is_provider_user,
        "applied": set(applications.values_list("scheme_id", flat=True)),
    })


def premium_new(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, PREMIUM_DECIDERS)
    contracts = Contract.objects.select_related("provider").order_by("provider__name", "reference")
    if request.method == "POST":
        data = request.POST
        criteria = []
        for n in range(_CRITERIA_ROWS):
            indicator, label = data.get(f"indicator_{n}", ""), data.get(f"label_{n}", "").strip()
            if not indicator and not label:
                continue
            criteria.append({"indicator": indicator if indicator in BY_CODE else "",
                             "label": label or str(BY_CODE[indicator].name) if indicator in BY_CODE else label,
                             "operator": data.get(f"operator_{n}", ""), "threshold": data.get(f"threshold_{n}", "0"),
                             "source": data.get(f"source_{n}", "")})
        try:
            contract = contracts.get(pk=data.get("contract") or 0)
            premium_scheme_create(actor=request.user, contract=contract, name=data.get("name", ""),
                                  first=Month.parse(data.get("first", "")), last=Month.parse(data.get("last", "")),
                                  pay=Month.parse(data.get("pay", "")), max_amount=data.get("max_amount", ""),
                                  criteria=criteria)
        except Contract.DoesNotExist:
            messages.error(request, _("Choose the contract."))
        except (ApplicationError, ValueError) as error:
            messages.error(request, getattr(error, "message", str(error)))
        else:
            messages.success(request, _("The effect premium is offered; the provider can apply."))
            return redirect("premium-list")
    del viewer
    return render(request, "web/premiums/new.html", {
        "title": _("New effect premium"), "contracts": contracts, "rows": range(_CRITERIA_ROWS),
        "indicators": [(i.code, i.name) for i in INDICATORS], "values": request.POST,
    })


def premium_apply(request: HttpRequest, scheme_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    if not viewer.is_provider_user:
        raise NotFound("Not found.")
    scheme = get_scoped(viewer, PremiumScheme.objects.select_related("contract__provider"),
                        "contract__provider__organisation_id", pk=scheme_id)
    provider = scheme.contract.provider
    measured = measured_values(scheme, provider)
    if request.method == "POST":
        try:
            application = premium_application_submit(actor=request.user, scheme=scheme, provider=provider,
                                                     measured=measured, comment=request.POST.get("comment", ""),
                                                     attachment=request.FILES.get("attachment"))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The application is sent. The municipality will decide and tell you."))
            return redirect("premium-application", application_id=application.pk)
    return render(request, "web/premiums/apply.html", {"title": scheme.name, "scheme": scheme, "measured": measured})


def _application(viewer: Viewer, application_id: int) -> PremiumApplication:
    _may_read(viewer)
    return get_scoped(viewer, PremiumApplication.objects.select_related("scheme", "provider", "decided_by"),
                      "provider__organisation_id", pk=application_id)


def premium_application(request: HttpRequest, application_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    application = _application(viewer, application_id)
    if request.method == "POST":
        require_roles(request, PREMIUM_DECIDERS)
        try:
            premium_application_decide(actor=request.user, application=application,
                                       approve=request.POST.get("decision") == "approve",
                                       amount=request.POST.get("amount"), reason=request.POST.get("reason", ""))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The decision is saved and the provider is told."))
        return redirect("premium-application", application_id=application.pk)
    return render(request, "web/premiums/application.html", {
        "title": application.scheme.name, "application": application,
        "can_decide": viewer.has_any(PREMIUM_DECIDERS) and application.status == PremiumApplication.Status.SUBMITTED,
    })


def premium_attachment(request: HttpRequest, application_id: int) -> FileResponse:
    application = _application(viewer_of(request), application_id)
    if not application.attachment:
        raise NotFound("Not found.")
    return FileResponse(application.attachment.open("rb"), as_attachment=True,
                        filename=application.attachment.name.rsplit("/", 1)[-1])
