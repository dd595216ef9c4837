"""Reading visits from the ledger's current files, scoped to the viewer.

Queries read only the months they ask for, and within them DuckDB skips row groups by the
files' sort order (provider, planned start); a page fetches one page of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tillit.accounts.access import Viewer, can_read_care_data
from tillit.common.duck import connect, one
from tillit.common.errors import NotFound
from tillit.common.periods import Month
from tillit.ledger import store
from tillit.ledger.models import LedgerMonth
from tillit.registry.models import Provider

# How far from the planned start a visit may begin and still count as on time (PRODUCT.md,
# "Punctuality": the quality declaration's margin, 30 minutes unless a contract says otherwise).
DEFAULT_MARGIN_MINUTES = 30


@dataclass(frozen=True)
class VisitFilters:
    month: Month
    provider_ids: tuple[int, ...] = ()
    unit_id: int | None = None
    recipient_id: int | None = None
    staff_id: str = ""
    status: str = ""
    intervention: str = ""
    timing: str = ""  # "late", "early" or "" (beyond the margin)
    no_end: bool = False
    method: str = ""  # registration method: "manual", "app" or "nfc"
    margin_minutes: int = DEFAULT_MARGIN_MINUTES


@dataclass
class VisitPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    months_loaded: list[str] = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def visible_provider_ids(viewer: Viewer) -> list[int] | None:
    """None: every provider; otherwise the providers whose visits the viewer may see."""
    if not can_read_care_data(viewer):
        raise NotFound("Not found.")
    if viewer.is_municipal:
        return None
    return list(Provider.objects.filter(organisation_id__in=viewer.provider_organisation_ids).values_list("pk", flat=True))


def _where(filters: VisitFilters, allowed: list[int] | None) -> tuple[str, list[Any]]:
    clauses, parameters = ["true"], []
    providers = list(filters.provider_ids)
    if allowed is not None:
        providers = [p for p in providers if p in allowed] if providers else allowed
        if not providers:
            return "false", []
    if providers:
        clauses.append(f"provider_id IN ({', '.join('?' * len(providers))})")
        parameters += providers
    for column, value in (("unit_id", filters.unit_id), ("recipient_id", filters.recipient_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            parameters.append(value)
    if filters.staff_id:
        clauses.append("staff_id = ?")
        parameters.append(filters.staff_id)
    if filters.status:
        clauses.append("status = ?")
        parameters.append(filters.status)
    if filters.intervention:
        clauses.append("list_contains(intervention_codes, ?)")
        parameters.append(filters.intervention)
    if filters.no_end:
        clauses.append("no_end")
    if filters.method:
        clauses.append("registration_method = ?")
        parameters.append(filters.method)
    if filters.timing == "late":
        clauses.append("registered_start > planned_start + to_minutes(?)")
        parameters.append(filters.margin_minutes)
    elif filters.timing == "early":
        clauses.append("registered_start < planned_start - to_minutes(?)")
        parameters.append(filters.margin_minutes)
    return " AND ".join(clauses), parameters


def month_file(month: Month) -> str | None:
    row = LedgerMonth.objects.filter(month=str(month)).values_list("path", flat=True).first()
    return str(store.absolute(row)) if row else None


def visit_page(*, viewer: Viewer, filters: VisitFilters, page: int = 1, per_page: int = 50) -> VisitPage:
    """One page of a month's visits, newest planned start last, and how many match in all."""
    allowed = visible_provider_ids(viewer)
    path = month_file(filters.month)
    page = max(page, 1)
    if path is None:
        return VisitPage(rows=[], total=0, page=page, per_page=per_page)
    where, parameters = _where(filters, allowed)
    connection = connect(memory_limit="512MB")
    try:
        total = one(connection, f"SELECT count(*) FROM read_parquet(?) WHERE {where}", [path, *parameters])[0]
        result = connection.execute(
            f"""SELECT provider_id, visit_id, unit_id, recipient_id, staff_id,
                       timezone('Europe/Stockholm', planned_start::TIMESTAMPTZ) AS planned_start,
                       timezone('Europe/Stockholm', planned_end::TIMESTAMPTZ) AS planned_end,
                       timezone('Europe/Stockholm', registered_start::TIMESTAMPTZ) AS registered_start,
                       timezone('Europe/Stockholm', registered_end::TIMESTAMPTZ) AS registered_end,
                       planned_start AS planned_start_utc, planned_end AS planned_end_utc,
                       registered_start AS registered_start_utc, registered_end AS registered_end_utc,
                       date_diff('minute', planned_start, registered_start) AS start_deviation,
                       date_diff('second', registered_start, registered_end) / 60.0 AS minutes,
                       intervention_codes, double_staffing, status, registration_method,
                       no_end, ambiguous_time, overlap, batch_id, source_row
                FROM read_parquet(?) WHERE {where}
                ORDER BY provider_id, planned_start, visit_id
                LIMIT ? OFFSET ?""",
            [path, *parameters, per_page, (page - 1) * per_page],
        )
        names = [column[0] for column in result.description]
        rows = [dict(zip(names, values, strict=True)) for values in result.fetchall()]
    finally:
        connection.close()
    return VisitPage(rows=rows, total=int(total), page=page, per_page=per_page, months_loaded=[str(filters.month)])


def recipient_month(*, viewer: Viewer, recipient_id: int, month: Month) -> list[dict[str, Any]]:
    """Every visit of one recipient in a month (a page of its own: a month is a few hundred)."""
    return visit_page(
        viewer=viewer, filters=VisitFilters(month=month, recipient_id=recipient_id), per_page=5000
    ).rows


def ledger_months() -> list[dict[str, Any]]:
    """The months the ledger holds, with their visit counts."""
    return list(LedgerMonth.objects.order_by("-month").values("month", "rows", "version", "updated_at"))


def export_month(*, provider_ids: list[int] | None, month: Month, target: str, file_format: str) -> int:
    """Write a month's visits (local times, surrogate ids) to `target` as CSV or Parquet."""
    path = month_file(month)
    if path is None:
        return 0
    where = "true"
    if provider_ids:
        where = f"provider_id IN ({', '.join(str(int(p)) for p in provider_ids)})"
    options = "FORMAT parquet" if file_format == "parquet" else "FORMAT csv, HEADER, DELIMITER ';'"
    connection = connect()
    try:
        # codes_key (the ledger's own text of intervention_codes, for grouping) is not exported
        names = {row[0] for row in connection.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()}
        exclude = "EXCLUDE (codes_key) " if "codes_key" in names else ""
        connection.execute(
            f"""COPY (SELECT * {exclude}REPLACE (
                        timezone('Europe/Stockholm', planned_start::TIMESTAMPTZ) AS planned_start,
                        timezone('Europe/Stockholm', planned_end::TIMESTAMPTZ) AS planned_end,
                        timezone('Europe/Stockholm', registered_start::TIMESTAMPTZ) AS registered_start,
                        timezone('Europe/Stockholm', registered_end::TIMESTAMPTZ) AS registered_end,
                        array_to_string(intervention_codes, '|') AS intervention_codes)
                      FROM read_parquet(?) WHERE {where} ORDER BY provider_id, planned_start)
                TO '{target}' ({options})""",
            [path],
        )
        return int(one(connection, f"SELECT count(*) FROM read_parquet(?) WHERE {where}", [path])[0])
    finally:
        connection.close()


