"""Visits: deliver a time-registration file, follow what became of it, read the ledger.

Every read goes through a selector that takes the viewer, so a provider's token sees only its
own deliveries and visits, and another provider's delivery is "not found" (404) like a
missing one. A provider's token delivers for its own provider: rows of other providers in its
file are rejected by the ledger's validation, never loaded.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from tillit.accounts.access import Viewer, can_load
from tillit.api.auth import Forbidden, viewer_of
from tillit.common.errors import ApplicationError, NotFound
from tillit.common.org_numbers import normalize_org_number
from tillit.common.periods import Month
from tillit.deliveries import selectors as delivery_selectors
from tillit.deliveries import services as delivery_services
from tillit.deliveries.importers import DECIDERS
from tillit.deliveries.models import Delivery
from tillit.ledger.models import VisitBatch
from tillit.ledger.selectors import VisitFilters, visit_page
from tillit.registry.models import Provider, Unit
from tillit.registry.selectors import provider_list, unit_list

KIND = "visits"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
MAX_PER_PAGE = 1000

router = Router(tags=["visits"])

PerPage = Annotated[int, Field(ge=1, le=MAX_PER_PAGE)]
PageNumber = Annotated[int, Field(ge=1)]


# --- schemas ---------------------------------------------------------------------------------


class DeliveryLinks(Schema):
    self: str
    issues: str
    report_csv: str = Field(description="The row report as CSV for Excel (web session, for people).")


class DeliveryOut(Schema):
    id: int
    kind: str
    file_name: str
    status: Literal["pending", "loaded", "rejected", "failed"] = Field(
        description="pending: rows were rejected and a decision is needed (accept or reject); "
        "loaded: the valid rows are in the ledger; rejected: nothing was loaded; failed: the file could not be read."
    )
    complete: bool | None = Field(
        description="The file was delivered as complete for its providers and months: visits it lacks were retired."
    )
    provider_org_number: str | None = Field(description="The provider the file was delivered for, when one was.")
    delivered_at: datetime.datetime
    decided_at: datetime.datetime | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    warnings: int
    outcome: dict[str, Any] = Field(description="Once loaded: visits, replaced (same visit id) and retired.")
    message: str
    unknown_columns: list[str]
    already_delivered: bool = Field(
        False, description="True when this exact file had been delivered before: nothing changed."
    )
    links: DeliveryLinks


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    total: int
    page: int
    per_page: int
    has_next: bool


class IssueOut(Schema):
    row: int = Field(description="The row in the delivered file (the header is row 1).")
    column: str
    value: str
    reason: str
    severity: Literal["error", "warning"] = Field(description="error: the row was rejected; warning: it was kept.")


class IssuePage(Schema):
    delivery_id: int
    items: list[IssueOut]
    total: int
    page: int
    per_page: int
    has_next: bool


class VisitOut(Schema):
    visit_id: str
    provider_org_number: str | None
    unit_code: str | None
    recipient_id: int = Field(description="Tillit's surrogate id of the recipient; never a personal identity number.")
    staff_id: str | None
    planned_start: str | None = Field(description="ISO 8601 with the Europe/Stockholm offset.")
    planned_end: str | None
    registered_start: str | None
    registered_end: str | None
    start_deviation_minutes: int | None = Field(description="Registered start minus planned start.")
    performed_minutes: float | None
    intervention_codes: list[str]
    double_staffing: bool | None
    status: str
    registration_method: str | None
    no_end: bool
    ambiguous_time: bool
    overlap: bool
    delivery_id: int | None = Field(description="The delivery whose row this visit comes from.")
    source_row: int | None


class VisitPageOut(Schema):
    month: str
    items: list[VisitOut]
    total: int
    page: int
    per_page: int
    has_next: bool


class DecisionIn(Schema):
    reason: str = Field("", max_length=1000, description="Why the delivery is rejected (kept with it).")


# --- deliveries ------------------------------------------------------------------------------


def _delivery_out(delivery: Delivery, *, already_delivered: bool = False) -> dict[str, Any]:
    try:
        complete: bool | None = delivery.visit_batch.complete
    except VisitBatch.DoesNotExist:
        complete = None  # the file could not be read: no batch
    organisation = delivery.organisation
    provider = getattr(organisation, "provider", None) if organisation is not None else None
    return {
        "id": delivery.pk,
        "kind": delivery.kind,
        "file_name": delivery.file_name,
        "status": delivery.status,
        "complete": complete,
        "provider_org_number": provider.org_number if provider else None,
        "delivered_at": localtime(delivery.created_at),
        "decided_at": localtime(delivery.decided_at) if delivery.decided_at else None,
        "rows_read": delivery.rows_read,
        "rows_accepted": delivery.rows_accepted,
        "rows_rejected": delivery.rows_rejected,
        "warnings": delivery.warnings,
        "outcome": delivery.outcome or {},
        "message": delivery.message,
        "unknown_columns": list(delivery.unknown_columns or []),
        "already_delivered": already_delivered,
        "links": {
            "self": reverse("api:visit_delivery_detail", kwargs={"delivery_id": delivery.pk}),
            "issues": reverse("api:visit_delivery_issues", kwargs={"delivery_id": delivery.pk}),
            "report_csv": reverse("delivery-report", args=[delivery.pk]),
        },
    }


def _visit_delivery(viewer: Viewer, delivery_id: int) -> Delivery:
    """A visit delivery the viewer may see, or NotFound (missing, not theirs, or another kind)."""
    delivery = delivery_selectors.delivery_get(viewer=viewer, delivery_id=delivery_id)
    if delivery.kind != KIND:
        raise NotFound("Not found.")
    return delivery


def _require_loader(viewer: Viewer) -> None:
    if not can_load(viewer, KIND):
        raise Forbidden(_("Your account may not deliver visits."))


def _delivering_provider(viewer: Viewer, org_number: str | None) -> Provider | None:
    """The provider a file is delivered for.

    A provider's token always delivers for its own provider (the only one it can see), so
    every row of the file must be that provider's. A municipal token may name any provider,
    or none, and then each row names its provider.
    """
    number = normalize_org_number(org_number) if org_number and org_number.strip() else None
    if viewer.is_municipal:
        if number is None:
            return None
        provider = provider_list(viewer=viewer).filter(org_number=number).first()
        if provider is None:
            raise ApplicationError(
                _("No registered provider has the organisation number %(number)s; register the provider first.")
                % {"number": number},
                code="provider.unknown",
            )
        return provider
    own = list(provider_list(viewer=viewer).order_by("org_number"))
    if number is not None:
        for provider in own:
            if provider.org_number == number:
                return provider
        raise Forbidden(
            _("You may deliver visits only for your own provider, not for %(number)s.") % {"number": number}
        )
    if len(own) == 1:
        return own[0]
    if not own:
        raise Forbidden(_("Your account belongs to no registered provider, so it cannot deliver visits."))
    raise ApplicationError(
        _("You act for several providers (%(numbers)s); say which one with provider_org_number.")
        % {"numbers": ", ".join(p.org_number for p in own)},
        code="provider.ambiguous",
    )


@router.post(
    "/deliveries",
    response={200: DeliveryOut, 201: DeliveryOut},
    url_name="visit_delivery_create",
    summary="Deliver a visit file",
)
def visit_delivery_create(
    request: HttpRequest,
    file: File[UploadedFile],
    complete: Form[bool] = False,
    accept_valid: Form[bool] = False,
    provider_org_number: Form[str | None] = None,
) -> Status[dict[str, Any]]:
    """Deliver a visits file (CSV or Excel, the columns of DATA-FORMATS.md).

    Every row is checked. When all are valid, or `accept_valid` is true, the valid rows go into
    the ledger at once (`status` loaded); otherwise the delivery waits (`pending`) for
    accept or reject, and `links.issues` lists the rejected rows. `complete` says the file holds
    all of its providers' visits in the months it covers, so visits it lacks are retired.
    A provider's token delivers for its own provider. The same file twice changes nothing
    (200, `already_delivered`); a new delivery answers 201.
    """
    viewer = viewer_of(request)
    _require_loader(viewer)
    provider = _delivering_provider(viewer, provider_org_number)
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    file_name = Path(file.name or "besok.csv").name
    # The upload is read from a file, never held in memory: visit files run to millions of rows.
    with tempfile.NamedTemporaryFile(prefix="api-", suffix=Path(file_name).suffix[:8], dir=data_dir) as handle:
        for chunk in file.chunks():
            handle.write(chunk)
        handle.flush()
        result = DECIDERS[KIND].load(
            actor=request.user, path=Path(handle.name), file_name=file_name, provider=provider,
            complete=complete, period=None, accept_valid=accept_valid,
        )
    delivery = Delivery.objects.select_related("organisation__provider").get(pk=result.delivery.pk)
    body = _delivery_out(delivery, already_delivered=result.already_delivered)
    return Status(200 if result.already_delivered else 201, body)


@router.get("/deliveries", response=DeliveryPage, url_name="visit_delivery_list", summary="List visit deliveries")
def visit_delivery_list(
    request: HttpRequest,
    status: Literal["pending", "loaded", "rejected", "failed"] | None = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    """The visit deliveries the caller may see, newest first (a provider's token: its own)."""
    deliveries = delivery_selectors.delivery_list(viewer=viewer_of(request), kind=KIND, status=status or "")
    deliveries = deliveries.select_related("organisation__provider", "visit_batch")
    total = deliveries.count()
    start = (page - 1) * per_page
    return {
        "items": [_delivery_out(delivery) for delivery in deliveries[start : start + per_page]],
        "total": total,
        "page": page,
        "per_page": per_page,
        "has_next": start + per_page < total,
    }


@router.get(
    "/deliveries/{delivery_id}", response=DeliveryOut, url_name="visit_delivery_detail", summary="One visit delivery"
)
def visit_delivery_detail(request: HttpRequest, delivery_id: int) -> dict[str, Any]:
    """What became of one delivery; 404 when it does not exist or is not the caller's."""
    return _delivery_out(_visit_delivery(viewer_of(request), delivery_id))


@router.get(
    "/deliveries/{delivery_id}/issues",
    response=IssuePage,
    url_name="visit_delivery_issues",
    summary="The row report of a visit delivery",
)
def visit_delivery_issues(
    request: HttpRequest,
    delivery_id: int,
    severity: Literal["error", "warning"] | None = None,
    page: PageNumber = 1,
    per_page: PerPage = 500,
) -> dict[str, Any]:
    """Every rejected row (error) and warning: row, column, value and reason, in row order."""
    delivery = _visit_delivery(viewer_of(request), delivery_id)
    issues = delivery_selectors.delivery_issues(delivery)
    if severity:
        issues = issues.filter(severity=severity)
    total = issues.count()
    start = (page - 1) * per_page
    return {
        "delivery_id": delivery.pk,
        "items": [
            {"row": i.row, "column": i.column, "value": i.value, "reason": i.reason, "severity": i.severity}
            for i in issues[start : start + per_page]
        ],
        "total": total,
        "page": page,
        "per_page": per_page,
        "has_next": start + per_page < total,
    }


@router.post(
    "/deliveries/{delivery_id}/accept",
    response=DeliveryOut,
    url_name="visit_delivery_accept",
    summary="Load the valid rows of a waiting delivery",
)
def visit_delivery_accept(request: HttpRequest, delivery_id: int) -> dict[str, Any]:
    """Load the valid rows of a pending delivery; 409 when it is not waiting for a decision."""
    viewer = viewer_of(request)
    delivery = _visit_delivery(viewer, delivery_id)
    _require_loader(viewer)
    delivery_services.delivery_accept(actor=request.user, delivery=delivery)
    return _delivery_out(_visit_delivery(viewer, delivery_id))


@router.post(
    "/deliveries/{delivery_id}/reject",
    response=DeliveryOut,
    url_name="visit_delivery_reject",
    summary="Reject a waiting delivery",
)
def visit_delivery_reject(request: HttpRequest, delivery_id: int, body: DecisionIn | None = None) -> dict[str, Any]:
    """Reject a pending delivery: none of its rows are loaded; 409 when it is not waiting."""
    viewer = viewer_of(request)
    delivery = _visit_delivery(viewer, delivery_id)
    _require_loader(viewer)
    delivery_services.delivery_reject(actor=request.user, delivery=delivery, reason=body.reason if body else "")
    return _delivery_out(_visit_delivery(viewer, delivery_id))


# --- the ledger ------------------------------------------------------------------------------


def _iso(utc: datetime.datetime | None) -> str | None:
    """A ledger time (UTC) as ISO 8601 with its Europe/Stockholm offset.

    Converting from UTC, not from the local wall-clock time, keeps the autumn hour that
    occurs twice right: each reading gets its own offset (+02:00, then +01:00).
    """
    if utc is None:
        return None
    return utc.replace(tzinfo=datetime.timezone.utc).astimezone(STOCKHOLM).isoformat()


def _filter_provider_ids(viewer: Viewer, org_number: str | None) -> tuple[int, ...]:
    if not org_number:
        return ()
    try:
        number = normalize_org_number(org_number)
    except ApplicationError:
        raise NotFound("Not found.") from None
    provider = provider_list(viewer=viewer).filter(org_number=number).first()
    if provider is None:
        raise NotFound("Not found.")  # not registered, or not the caller's: the same answer
    return (provider.pk,)


def _filter_unit_id(viewer: Viewer, code: str | None, provider_ids: tuple[int, ...]) -> int | None:
    if not code:
        return None
    units = unit_list(viewer=viewer).filter(code=code)
    if provider_ids:
        units = units.filter(provider_id__in=provider_ids)
    found = list(units[:2])
    if not found:
        raise NotFound("Not found.")
    if len(found) > 1:
        raise ApplicationError(
            _("Several providers have a unit %(code)s; give provider_org_number too.") % {"code": code},
            code="unit.ambiguous",
        )
    return found[0].pk


@router.get("", response=VisitPageOut, url_name="visit_list", summary="Visits of a month")
def visit_list(
    request: HttpRequest,
    month: Annotated[str, Field(description="YYYY-MM", examples=["2024-05"])],
    provider_org_number: str | None = None,
    unit_code: str | None = None,
    recipient_id: int | None = None,
    staff_id: str = "",
    status: Literal["performed", "declined", "cancelled", "missed"] | None = None,
    intervention: str = "",
    timing: Literal["late", "early"] | None = None,
    no_end: bool = False,
    page: PageNumber = 1,
    per_page: PerPage = 100,
) -> dict[str, Any]:
    """One page of a month's visits as the ledger holds them now (each visit id once).

    A provider's token sees only its own provider's visits. `timing` finds visits that began
    more than the punctuality margin after (late) or before (early) the planned start.
    """
    viewer = viewer_of(request)
    provider_ids = _filter_provider_ids(viewer, provider_org_number)
    filters = VisitFilters(
        month=Month.parse(month),
        provider_ids=provider_ids,
        unit_id=_filter_unit_id(viewer, unit_code, provider_ids),
        recipient_id=recipient_id,
        staff_id=staff_id,
        status=status or "",
        intervention=intervention,
        timing=timing or "",
        no_end=no_end,
    )
    result = visit_page(viewer=viewer, filters=filters, page=page, per_page=per_page)
    # The page's rows name surrogate ids; a system wants the numbers and codes it knows.
    rows = result.rows
    org_numbers = dict(
        Provider.objects.filter(pk__in={r["provider_id"] for r in rows}).values_list("pk", "org_number")
    )
    unit_codes = dict(Unit.objects.filter(pk__in={r["unit_id"] for r in rows if r["unit_id"]}).values_list("pk", "code"))
    deliveries = dict(
        VisitBatch.objects.filter(pk__in={r["batch_id"] for r in rows if r["batch_id"]}).values_list("pk", "delivery_id")
    )
    return {
        "month": str(filters.month),
        "items": [
            {
                "visit_id": row["visit_id"],
                "provider_org_number": org_numbers.get(row["provider_id"]),
                "unit_code": unit_codes.get(row["unit_id"]),
                "recipient_id": row["recipient_id"],
                "staff_id": row["staff_id"],
                "planned_start": _iso(row["planned_start_utc"]),
                "planned_end": _iso(row["planned_end_utc"]),
                "registered_start": _iso(row["registered_start_utc"]),
                "registered_end": _iso(row["registered_end_utc"]),
                "start_deviation_minutes": row["start_deviation"],
                "performed_minutes": float(row["minutes"]) if row["minutes"] is not None else None,
                "intervention_codes": list(row["intervention_codes"] or []),
                "double_staffing": row["double_staffing"],
                "status": row["status"],
                "registration_method": row["registration_method"],
                "no_end": bool(row["no_end"]),
                "ambiguous_time": bool(row["ambiguous_time"]),
                "overlap": bool(row["overlap"]),
                "delivery_id": deliveries.get(row["batch_id"]),
                "source_row": row["source_row"],
            }
            for row in rows
        ],
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "has_next": result.has_next,
    }
