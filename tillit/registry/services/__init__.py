"""Writing the registry. Every function is a transaction that records its audit event."""

from tillit.registry.services.areas import area_create, area_update, zone_create, zone_update
from tillit.registry.services.contracts import contract_create, contract_update
from tillit.registry.services.providers import provider_create, provider_update, unit_create, unit_update

__all__ = [
    "area_create",
    "area_update",
    "contract_create",
    "contract_update",
    "provider_create",
    "provider_update",
    "unit_create",
    "unit_update",
    "zone_create",
    "zone_update",
]
