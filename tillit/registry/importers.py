"""Delivery files for the registry: providers (DATA-FORMATS.md) and the extension files
for areas, units and contracts (docs/delivery-files.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.common.tabular import Column
from tillit.deliveries import fields
from tillit.deliveries.importers import Importer, ParsedRow, RowIssue, RowRejected, WriteSummary
from tillit.registry import services
from tillit.registry.models import Area, Contract, Provider, Regi, ServiceType, Unit, Zone

REGI_WORDS = {
    "private": Regi.PRIVATE, "privat": Regi.PRIVATE,
    "municipal": Regi.MUNICIPAL, "kommunal": Regi.MUNICIPAL, "egen regi": Regi.MUNICIPAL,
    "nonprofit": Regi.NONPROFIT, "idéburen": Regi.NONPROFIT, "ideburen": Regi.NONPROFIT,
}
SERVICE_WORDS = {
    "home_care": ServiceType.HOME_CARE, "hemtjänst": ServiceType.HOME_CARE, "hemtjanst": ServiceType.HOME_CARE,
    "nursing_home": ServiceType.NURSING_HOME, "särskilt boende": ServiceType.NURSING_HOME,
    "sarskilt boende": ServiceType.NURSING_HOME, "säbo": ServiceType.NURSING_HOME,
}
CONTRACT_WORDS = {
    "lov": Contract.Kind.LOV, "lou": Contract.Kind.LOU,
    "own": Contract.Kind.OWN, "egen regi": Contract.Kind.OWN, "egen": Contract.Kind.OWN,
}


def _service_types(values: dict[str, str], column: str = "service_types") -> list[str]:
    """One or more service types separated by |."""
    raw = fields.required(values, column)
    types = []
    for part in raw.split("|"):
        key = part.strip().lower()
        if key not in SERVICE_WORDS:
            raise RowRejected(
                column, raw, _("%(value)s is not a service type; use home_care or nursing_home, separated by |.") % {"value": part}
            )
        types.append(SERVICE_WORDS[key])
    return sorted(set(types))


def provider_from_row(providers: dict[str, Provider], values: dict[str, str]) -> Provider:
    number = fields.org_number(values, "provider_org_number")
    try:
        return providers[number]
    except KeyError:
        raise RowRejected(
            "provider_org_number", number,
            _("No provider has the organisation number %(number)s; load or register the provider first.") % {"number": number},
        ) from None


class _RegistryImporter(Importer):
    """Registry files are small: each row goes through the audited service of its record."""

    model_fields: tuple[str, ...] = ()

    def _upsert(self, existing: Any, create: Any, update: Any, data: dict[str, Any], summary: WriteSummary) -> None:
        if existing is None:
            create(actor=self.actor, **data)
            summary.created += 1
            return
        before = {name: getattr(existing, name) for name in data}
        update(data)
        if any(getattr(existing, name) != value for name, value in before.items()):
            summary.updated += 1
        else:
            summary.unchanged += 1


class ProviderImporter(_RegistryImporter):
    kind = "providers"
    label = gettext_lazy("Providers")
    columns = (
        Column("org_number", "organisationsnummer"),
        Column("name", "namn"),
        Column("regi", "regi"),
        Column("service_types", "verksamhet"),
        Column("ivo_permit", "IVO-tillstånd", required=False),
    )

    def parse(self, row: int, values: dict[str, str]) -> ParsedRow:
        return ParsedRow(
            row,
            {
                "org_number": fields.org_number(values, "org_number"),
                "name": fields.required(values, "name", max_length=fields.length_of(Provider, "name")),
                "regi": fields.choice(values, "regi", REGI_WORDS),
                "service_types": _service_types(values),
                "ivo_permit": fields.optional(values, "ivo_permit", max_length=fields.length_of(Provider, "ivo_permit")),
            },
        )

    def check_rows(self, rows: list[ParsedRow]) -> list[RowIssue]:
        return fields.duplicate_keys(rows, lambda data: data["org_number"], "org_number")

    def write(self, rows: list[ParsedRow], *, delivery: Any) -> WriteSummary:
        summary = WriteSummary()
        existing = {p.org_number: p for p in Provider.objects.select_related("organisation")}
        for row in rows:
            provider = existing.get(row.data["org_number"])
            self._upsert(
                provider,
                services.provider_create,
                lambda data, p=provider: services.provider_update(actor=self.actor, provider=p, **data),
                row.data,
                summary,
            )
        return summary


class AreaImporter(_RegistryImporter):
    kind = "areas"
    label = gettext_lazy("Areas and zones")
    columns = (
        Column("code", "kod"),
        Column("name", "namn"),
        Column("zone", "zon", required=False),
    )

    def parse(self, row: int, values: dict[str, str]) -> ParsedRow:
        return ParsedRow(
            row,
            {
                "code": fields.required(values, "code", max_length=fields.length_of(Area, "code")),
                "name": fields.required(values, "name", max_length=fields.length_of(Area, "name")),
                "zone": fields.optional(values, "zone", max_length=fields.length_of(Zone, "code")),
            },
        )

    def check_rows(self, rows: list[ParsedRow]) -> list[RowIssue]:
        return fields.duplicate_keys(rows, lambda data: data["code"], "code")

    def write(self, rows: list[ParsedRow], *, delivery: Any) -> WriteSummary:
        summary = WriteSummary()
        zones = {zone.code: zone for zone in Zone.objects.all()}
        areas = {area.code: area for area in Area.objects.all()}
        for row in rows:
            data = dict(row.data)
            zone_code = data.pop("zone")
            if zone_code and zone_code not in zones:
                zones[zone_code] = services.zone_create(actor=self.actor, code=zone_code, name=zone_code)
            data["zone"] = zones.get(zone_code) if zone_code else None
            area = areas.get(data["code"])
            self._upsert(
                area,
                services.area_create,
                lambda changes, a=area: services.area_update(actor=self.actor, area=a, **changes),
                data,
                summary,
            )
        return summary


class UnitImporter(_RegistryImporter):
    kind = "units"
    label = gettext_lazy("Units")
    columns = (
        Column("provider_org_number", "utförare orgnr"),
        Column("code", "enhetskod"),
        Column("name", "namn"),
        Column("service_type", "verksamhet"),
        Column("area", "område", required=False),
    )

    def prepare(self) -> None:
        self.providers = {p.org_number: p for p in Provider.objects.all()}
        self.areas = {a.code: a for a in Area.objects.all()}

    def parse(self, row: int, values: dict[str, str]) -> ParsedRow:
        provider = provider_from_row(self.providers, values)
        area_code = values.get("area", "").strip()
        if area_code and area_code not in self.areas:
            raise RowRejected("area", area_code, _("There is no area with the code %(code)s; load the areas first.") % {"code": area_code})
        service_type = fields.choice(values, "service_type", SERVICE_WORDS)
        if service_type not in provider.service_types:
            raise RowRejected("service_type", values["service_type"], _("%(provider)s is not registered for this service type.") % {"provider": provider.name})
        return ParsedRow(
            row,
            {
                "provider": provider,
                "code": fields.required(values, "code", max_length=fields.length_of(Unit, "code")),
                "name": fields.required(values, "name", max_length=fields.length_of(Unit, "name")),
                "service_type": service_type,
                "area": self.areas.get(area_code),
            },
        )

    def check_rows(self, rows: list[ParsedRow]) -> list[RowIssue]:
        return fields.duplicate_keys(rows, lambda data: (data["provider"].org_number, data["code"]), "code")

    def write(self, rows: list[ParsedRow], *, delivery: Any) -> WriteSummary:
        summary = WriteSummary()
        units = {(u.provider_id, u.code): u for u in Unit.objects.select_related("provider")}
        for row in rows:
            data = dict(row.data)
            provider = data.pop("provider")
            unit = units.get((provider.pk, data["code"]))
            self._upsert(
                unit,
                lambda actor, p=provider, **d: services.unit_create(actor=actor, provider=p, **d),
                lambda changes, u=unit: services.unit_update(actor=self.actor, unit=u, **changes),
                data,
                summary,
            )
        return summary


class ContractImporter(_RegistryImporter):
    kind = "contracts"
    label = gettext_lazy("Contracts")
    columns = (
        Column("provider_org_number", "utförare orgnr"),
        Column("reference", "referens"),
        Column("kind", "avtalsform"),
        Column("service_types", "verksamhet"),
        Column("start_date", "startdatum"),
        Column("end_date", "slutdatum", required=False),
        Column("latest_end_date", "senaste slutdatum", required=False),
        Column("extension_options", "förlängning", required=False),
        Column("notice_months", "uppsägningstid", required=False),
    )

    def prepare(self) -> None:
        self.providers = {p.org_number: p for p in Provider.objects.all()}

    def parse(self, row: int, values: dict[str, str]) -> ParsedRow:
        provider = provider_from_row(self.providers, values)
        start = fields.date(values, "start_date")
        end = fields.date(values, "end_date", needed=False)
        if end is not None and end < start:
            raise RowRejected("end_date", values["end_date"], _("The end date is before the start date %(start)s.") % {"start": start})
        # The same rules as contract_create: a row it would refuse must be rejected here, not
        # raise out of the load.
        latest = fields.date(values, "latest_end_date", needed=False)
        if latest is not None and end is None:
            raise RowRejected(
                "latest_end_date", values["latest_end_date"],
                _("An open-ended contract has no latest end date; give an end date or leave this empty."),
            )
        if latest is not None and end is not None and latest < end:
            raise RowRejected(
                "latest_end_date", values["latest_end_date"],
                _("The latest end date with extensions is before the end date %(end)s.") % {"end": end},
            )
        service_types = _service_types(values)
        if not set(service_types) <= set(provider.service_types):
            raise RowRejected(
                "service_types", values["service_types"],
                _("%(provider)s is not registered for every service type of this contract.") % {"provider": provider.name},
            )
        notice = fields.whole_number(values, "notice_months", needed=False) or 0
        return ParsedRow(
            row,
            {
                "provider": provider,
                "reference": fields.required(values, "reference", max_length=fields.length_of(Contract, "reference")),
                "kind": fields.choice(values, "kind", CONTRACT_WORDS),
                "service_types": service_types,
                "start_date": start,
                "end_date": end,
                "latest_end_date": latest,
                "extension_options": fields.optional(values, "extension_options", max_length=fields.length_of(Contract, "extension_options")),
                "notice_months": notice,
            },
        )

    def check_rows(self, rows: list[ParsedRow]) -> list[RowIssue]:
        return fields.duplicate_keys(rows, lambda data: data["reference"], "reference")

    def write(self, rows: list[ParsedRow], *, delivery: Any) -> WriteSummary:
        summary = WriteSummary()
        contracts = {c.reference: c for c in Contract.objects.select_related("provider")}
        for row in rows:
            data = dict(row.data)
            contract = contracts.get(data["reference"])
            provider = data.pop("provider")
            if contract is not None and contract.provider_id != provider.pk:
                data["provider"] = provider
            self._upsert(
                contract,
                lambda actor, p=provider, **d: services.contract_create(actor=actor, provider=p, **d),
                lambda changes, c=contract: services.contract_update(actor=self.actor, contract=c, **changes),
                data,
                summary,
            )
        return summary
