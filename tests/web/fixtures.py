"""A small but complete world for page tests: each provider with a unit, a contract, a recipient."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from tillit.care.models import CareEvent, Decision, DecisionIntervention, Intervention, Recipient
from tillit.care.protection import encrypt, protect
from tillit.common.personal_ids import parse_recipient_id
from tillit.deliveries.services import delivery_load
from tillit.registry import services
from tillit.registry.models import Area, Contract, Unit, Zone


@dataclass
class ProviderThings:
    unit: Unit
    contract: Contract
    recipient: Recipient
    delivery_id: int


def _recipient(pseudonym: str, name: str) -> Recipient:
    key = parse_recipient_id(pseudonym, birth_date=datetime.date(1936, 4, 12))
    id_hash, encrypted = protect(key)
    return Recipient.objects.create(
        id_kind=key.kind, id_hash=id_hash, id_encrypted=encrypted, birth_date=key.birth_date, name_encrypted=encrypt(name)
    )


def populate(world) -> dict[str, ProviderThings]:
    """Registry and care data for providers A and B; a delivery delivered by each provider."""
    zone = Zone.objects.create(code="tatort", name="Tätort")
    Area.objects.create(code="centrum", name="Centrum", zone=zone)
    morning = Intervention.objects.create(
        code="MORG", name="Morgonhjälp", category="omvardnad", standard_minutes=Decimal(15), valid_from=datetime.date(2020, 1, 1)
    )
    things = {}
    for label, provider in (("a", world.provider_a), ("b", world.provider_b)):
        unit = services.unit_create(actor=None, provider=provider, code=f"U-{label}", name=f"Grupp {label}", service_type="home_care")
        contract = services.contract_create(
            actor=None, provider=provider, reference=f"LOV-{label}", kind="lov", service_types=["home_care"],
            start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2099, 12, 31),
        )
        recipient = _recipient(f"P:{label}-kund", f"Kund {label.upper()}")
        decision = Decision.objects.create(
            external_id=f"B-{label}", recipient=recipient, provider=provider, start_date=datetime.date(2024, 1, 1)
        )
        DecisionIntervention.objects.create(
            decision=decision, intervention=morning, category="omvardnad", frequency=Decimal(1), period="day",
            minutes=Decimal(15), double_staffing=False,
        )
        CareEvent.objects.create(
            event_type="welcome_call", recipient=recipient, provider=provider, date=datetime.date(2024, 1, 5)
        )
        delivery = delivery_load(
            actor=None, kind="areas", content=f"code,name\nx{label},Område {label}\n".encode(),
            file_name=f"{label}.csv", organisation=provider.organisation,
        ).delivery
        things[label] = ProviderThings(unit=unit, contract=contract, recipient=recipient, delivery_id=delivery.pk)
    return things
