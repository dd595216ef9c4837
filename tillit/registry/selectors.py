"""Reading the registry, always through the viewer's access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from tillit.accounts.access import Viewer, can_read_registry, get_scoped, scope_by_provider
from tillit.common.errors import NotFound
from tillit.common.periods import Month, add_months
from tillit.registry.models import Area, Contract, Provider, Unit, Zone


def _require_reader(viewer: Viewer) -> None:
    if not can_read_registry(viewer):
        raise NotFound("Not found.")


def provider_list(
    *, viewer: Viewer, search: str = "", regi: str = "", service_type: str = "", active: bool | None = None
) -> QuerySet[Provider]:
    _require_reader(viewer)
    providers = scope_by_provider(viewer, Provider.objects.all(), "organisation_id")
    if search:
        providers = providers.filter(Q(name__icontains=search) | Q(org_number__icontains=search))
    if regi:
        providers = providers.filter(regi=regi)
    if active is not None:
        providers = providers.filter(active=active)
    providers = providers.annotate(unit_count=Count("units", distinct=True), contract_count=Count("contracts", distinct=True))
    if service_type:
        # Service types are a short JSON list; filtering a few dozen providers in Python
        # works the same on SQLite and PostgreSQL.
        ids = [p.pk for p in providers if service_type in p.service_types]
        providers = providers.filter(pk__in=ids)
    return providers.order_by("name")


def provider_get(*, viewer: Viewer, provider_id: int) -> Provider:
    _require_reader(viewer)
    return get_scoped(viewer, Provider.objects.select_related("organisation"), "organisation_id", pk=provider_id)


def unit_list(*, viewer: Viewer, provider: Provider | None = None) -> QuerySet[Unit]:
    _require_reader(viewer)
    units = scope_by_provider(viewer, Unit.objects.select_related("provider", "area"), "provider__organisation_id")
    if provider is not None:
        units = units.filter(provider=provider)
    return units


def unit_get(*, viewer: Viewer, unit_id: int) -> Unit:
    _require_reader(viewer)
    return get_scoped(viewer, Unit.objects.select_related("provider"), "provider__organisation_id", pk=unit_id)


def contract_list(
    *, viewer: Viewer, provider: Provider | None = None, kind: str = "", search: str = ""
) -> QuerySet[Contract]:
    _require_reader(viewer)
    contracts = scope_by_provider(viewer, Contract.objects.select_related("provider"), "provider__organisation_id")
    if provider is not None:
        contracts = contracts.filter(provider=provider)
    if kind:
        contracts = contracts.filter(kind=kind)
    if search:
        contracts = contracts.filter(Q(reference__icontains=search) | Q(provider__name__icontains=search))
    return contracts


def contract_get(*, viewer: Viewer, contract_id: int) -> Contract:
    _require_reader(viewer)
    return get_scoped(viewer, Contract.objects.select_related("provider"), "provider__organisation_id", pk=contract_id)


@dataclass(frozen=True)
class ContractAlert:
    """A contract that needs attention, with the dates a controller plans by."""

    contract: Contract
    days_left: int  # negative when already past its end
    decide_by: datetime.date | None  # last day to give notice or use an extension

    @property
    def can_be_extended(self) -> bool:
        end = self.contract.end_date
        return bool(self.contract.latest_end_date and end and self.contract.latest_end_date > end)


def contract_alerts(
    *, viewer: Viewer, today: datetime.date, lead_months: int
) -> tuple[list[ContractAlert], list[ContractAlert]]:
    """Contracts ending within the lead time, and contracts past their end that have no successor.

    A contract past its end stops being an alert once the provider has another contract
    in force today that covers the same service types (the new procurement is done).
    """
    contracts = list(contract_list(viewer=viewer).filter(end_date__isnull=False))
    horizon = add_months(today, lead_months)
    in_force: dict[int, set[str]] = {}
    for contract in contract_list(viewer=viewer):
        if contract.is_active_on(today):
            in_force.setdefault(contract.provider_id, set()).update(contract.service_types)
    ending: list[ContractAlert] = []
    ended: list[ContractAlert] = []
    for contract in contracts:
        end = contract.end_date
        assert end is not None
        decide_by = add_months(end, -contract.notice_months) if contract.notice_months else end
        alert = ContractAlert(contract=contract, days_left=(end - today).days, decide_by=decide_by)
        if today <= end <= horizon:
            ending.append(alert)
        elif end < today and contract.provider.active:
            if not set(contract.service_types) <= in_force.get(contract.provider_id, set()):
                ended.append(alert)
    ending.sort(key=lambda alert: alert.contract.end_date)
    ended.sort(key=lambda alert: alert.contract.end_date, reverse=True)
    return ending, ended


def area_list() -> QuerySet[Area]:
    return Area.objects.select_related("zone")


def zone_list() -> QuerySet[Zone]:
    return Zone.objects.annotate(area_count=Count("areas"))


def contracts_in_force(month: Month) -> dict[int, Contract]:
    """Each provider's contract for a month: the one in force on its first day, else the one that
    starts latest within it. Its quality declaration and compensation model govern the month.
    (A system read, not a viewer's: the month-end runs use it.)"""
    overlapping = Contract.objects.filter(start_date__lte=month.last_day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=month.first_day)).order_by("provider_id", "start_date", "id")
    chosen: dict[int, Contract] = {}
    for contract in overlapping:
        current = chosen.get(contract.provider_id)
        if current is None or not current.is_active_on(month.first_day) or contract.is_active_on(month.first_day):
            chosen[contract.provider_id] = contract
    return chosen
