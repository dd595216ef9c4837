"""Quality: the municipality overview, a provider's page, the evidence behind each figure,
what is overdue now, and the contract's quality declaration. Pages read stored results only."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.accounts.access import (
    QUALITY_EDITORS, QUALITY_READERS, can_edit_quality, can_read_care_data, can_read_quality,
)
from tillit.common.errors import ApplicationError, NotFound, ValidationFailed
from tillit.common.periods import Month
from tillit.engine.catalogue import BY_CODE, INDICATORS, PERCENT
from tillit.quality import selectors
from tillit.quality.jobs import indicator_run_queue
from tillit.quality.models import DeadlineItem, IndicatorRun, QualityRule, QualityTerms
from tillit.quality.services import (
    quality_declaration_standard, quality_rule_delete, quality_rule_set, quality_terms_update,
)
from tillit.quality.services.compliance import contracts_in_force
from tillit.quality.services.declarations import TERM_FIELDS
from tillit.registry import selectors as registry
from tillit.registry.models import Regi, ServiceType
from tillit.web import quality_exports
from tillit.web.fragments import cached_html
from tillit.web.sparklines import trend_svg
from tillit.web.views.base import paginate, require_roles, viewer_of

_VISIT_DRILLS = {
    "punctuality": {"timing": "late"}, "late": {"timing": "late"}, "early": {"timing": "early"},
    "declined": {"status": "declined"}, "cancelled": {"status": "cancelled"}, "missed": {"status": "missed"},
    "no_end": {"no_end": "1"}, "manual": {"method": "manual"},
}


def _month(request: HttpRequest) -> Month:
    try:
        return selectors.month_or_latest(request.GET.get("month"))
    except ApplicationError:
        return selectors.month_or_latest(None)


def _months(month: Month) -> list[str]:
    months = selectors.measured_months()
    return sorted({*months, str(month)}, reverse=True)


def quality_overview(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if not can_read_quality(viewer) and viewer.is_provider_user:
        # A provider's users have their own provider's page; the overview names every provider.
        provider = registry.provider_list(viewer=viewer).first()
        if provider is None:
            raise NotFound("Not found.")
        return redirect(f"{reverse('quality-provider', args=[provider.pk])}?{request.GET.urlencode()}")
    month = _month(request)
    service_type = request.GET.get("service_type", "") if request.GET.get("service_type") in ServiceType.values else ""
    regi = request.GET.get("regi", "") if request.GET.get("regi") in Regi.values else ""
    export = request.GET.get("format")
    if export in ("xlsx", "pdf"):
        data = selectors.overview(viewer=viewer, month=month, service_type=service_type, regi=regi)
        return quality_exports.overview_response(request, data, export)
    require_roles(request, QUALITY_READERS)

    def body() -> str:
        data = selectors.overview(viewer=viewer, month=month, service_type=service_type, regi=regi)
        return render_to_string("web/quality/overview_body.html", {
            "data": data, "month": month,
            "labels": {code: BY_CODE[code].name for code in data.indicators},
            "changes": [(row.provider, before, now) for row in data.rows for before, now in row.changes],
        }, request=request)

    return render(request, "web/quality/overview.html", {
        "title": _("Quality"), "month": month, "months": _months(month), "run": selectors.month_run(month),
        "body": cached_html(("overview", selectors.results_generation(), str(month), service_type, regi), body),
        "filters": {"service_type": service_type, "regi": regi},
        "service_type_choices": ServiceType.choices, "regi_choices": Regi.choices,
        "running": IndicatorRun.objects.filter(month=str(month), status=IndicatorRun.Status.RUNNING).exists(),
        "can_run": can_edit_quality(viewer),
        "query": urlencode({"month": str(month), "service_type": service_type, "regi": regi}),
    })


def quality_provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    month = _month(request)
    export = request.GET.get("format")
    if export in ("xlsx", "pdf"):
        data = selectors.provider_quality(viewer=viewer, provider_id=provider_id, month=month)
        return quality_exports.provider_response(request, data, export)
    provider = selectors.provider_for_quality(viewer=viewer, provider_id=provider_id)  # 404 before any cache
    show_evidence = can_read_care_data(viewer)

    def body() -> str:
        data = selectors.provider_quality(viewer=viewer, provider_id=provider_id, month=month)
        return render_to_string("web/quality/provider_body.html", {
            "data": data, "month": month, "groups": _groups(data),
        }, request=request)

    return render(request, "web/quality/provider.html", {
        "title": provider.name, "provider": provider, "month": month, "months": _months(month),
        "run": selectors.month_run(month), "show_evidence": show_evidence, "municipal": can_read_quality(viewer),
        "body": cached_html(("provider", selectors.results_generation(), provider.pk, str(month), show_evidence), body),
    })


def _groups(data: selectors.ProviderQuality) -> list[dict]:
    """The provider page's indicator tables, each row with its 12-month chart."""
    groups = []
    for group, label in (("continuity", _("Staff continuity")), ("visits", _("Visits")),
                         ("time", _("Time")), ("deadlines", _("Promises with deadlines")),
                         ("control", _("Control signals"))):
        rows = [row for row in data.rows if row.indicator.group == group]
        groups.append({"label": label, "rows": [
            {"row": row, "chart": trend_svg(row.trend, percent=row.indicator.unit == PERCENT)} for row in rows]})
    return groups


def quality_evidence(request: HttpRequest, provider_id: int, indicator: str) -> HttpResponse:
    viewer = viewer_of(request)
    if indicator not in BY_CODE:
        raise NotFound("Not found.")
    provider = selectors.provider_for_quality(viewer=viewer, provider_id=provider_id)
    month = _month(request)
    unit = request.GET.get("unit", "")
    unit_id = int(unit) if unit.isdigit() else None
    kind = selectors.evidence_kind(indicator)
    if kind == "visits":
        selectors.require_evidence(viewer)  # the visits name recipients too
        params = {"month": str(month), "provider": provider.pk, **_VISIT_DRILLS[indicator]}
        if unit_id:
            params["unit"] = unit_id
        margin = _margin(provider.pk, month)
        if margin:
            params["margin"] = margin
        return HttpResponseRedirect(f"{reverse('visit-list')}?{urlencode(params)}")
    status = request.GET.get("status", "") if request.GET.get("status") in DeadlineItem.Status.values else ""
    selectors.require_evidence(viewer)

    def body() -> str:
        if kind == "continuity":
            items = selectors.continuity_evidence(viewer=viewer, provider=provider, month=month, unit_id=unit_id)
        elif kind == "recipients":
            items = selectors.recipient_evidence(viewer=viewer, provider=provider, month=month)
        else:
            items = selectors.deadline_evidence(viewer=viewer, provider=provider, month=month, indicator=indicator,
                                                status=status)
        return render_to_string("web/quality/evidence_body.html", {
            "provider": provider, "indicator": BY_CODE[indicator], "kind": kind, "month": month,
            "page": paginate(request, items), "status": status, "statuses": DeadlineItem.Status.choices,
        }, request=request)

    parts = ("evidence", selectors.results_generation(), provider.pk, indicator, sorted(request.GET.items()))
    return render(request, "web/quality/evidence.html", {
        "title": BY_CODE[indicator].name, "body": cached_html(parts, body),
    })


def _margin(provider_id: int, month: Month) -> int | None:
    contract = contracts_in_force(month).get(provider_id)
    terms = getattr(contract, "quality_terms", None) if contract else None
    return terms.punctuality_margin_minutes if terms else None


def quality_overdue(request: HttpRequest, provider_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    provider = selectors.provider_for_quality(viewer=viewer, provider_id=provider_id)
    today = timezone.localdate()
    items = selectors.overdue_now(viewer=viewer, provider=provider, today=today)
    return render(request, "web/quality/overdue.html", {
        "title": _("Overdue now"), "provider": provider, "items": items, "today": today,
    })


@require_POST
def quality_run_start(request: HttpRequest) -> HttpResponse:
    viewer = require_roles(request, QUALITY_EDITORS)
    try:
        month = Month.parse(request.POST.get("month", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("quality-overview")
    indicator_run_queue(actor=request.user, month=month, reason="manual")
    messages.success(request, _("The indicators of %(month)s are being computed. Reload the page in a while.")
                     % {"month": month})
    return redirect(f"{reverse('quality-overview')}?month={month}")


def contract_quality(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The contract's quality declaration: its margins and deadlines, and its rules."""
    viewer = viewer_of(request)
    contract = registry.contract_get(viewer=viewer, contract_id=contract_id)
    editable = can_edit_quality(viewer)
    if request.method == "POST":
        require_roles(request, QUALITY_EDITORS)
        try:
            _save_declaration(request, contract)
        except ValidationFailed as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The quality declaration is saved."))
        return redirect("contract-quality", contract_id=contract.pk)
    terms = QualityTerms.objects.filter(contract=contract).first() or QualityTerms(contract=contract)
    term_fields = [(name, QualityTerms._meta.get_field(name).verbose_name, getattr(terms, name)) for name in TERM_FIELDS]
    return render(request, "web/quality/declaration.html", {
        "title": _("Quality declaration"), "contract": contract, "term_fields": term_fields,
        "rules": list(contract.quality_rules.all()), "editable": editable,
        "indicators": [(i.code, i.name) for i in INDICATORS], "operators": QualityRule.Operator.choices,
    })


def _save_declaration(request: HttpRequest, contract) -> None:
    action = request.POST.get("action")
    if action == "standard":
        quality_declaration_standard(actor=request.user, contract=contract)
    elif action == "terms":
        quality_terms_update(actor=request.user, contract=contract, **{
            name: request.POST.get(name, "") for name in (
                "punctuality_margin_minutes", "welcome_call_days", "plan_days", "plan_followup_months",
                "complaint_days")})
    elif action == "rule":
        quality_rule_set(actor=request.user, contract=contract, indicator=request.POST.get("indicator", ""),
                         operator=request.POST.get("operator", ""), threshold=request.POST.get("threshold", ""))
    elif action == "delete":
        rule = contract.quality_rules.filter(pk=request.POST.get("rule") or 0).first()
        if rule is None:
            raise NotFound("Not found.")
        quality_rule_delete(actor=request.user, rule=rule)
