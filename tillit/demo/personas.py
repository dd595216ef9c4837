"""The demo's people: one login for each kind of user, all with the same demo password."""

from __future__ import annotations

from dataclasses import dataclass

from tillit.accounts.models import Organisation, Role, User
from tillit.accounts.services import membership_add, user_create

# Printed by `make demo`; the demo serves 127.0.0.1 only and refuses to run in production.
DEMO_PASSWORD = "tillit-demo-2026"


@dataclass(frozen=True)
class Persona:
    email: str
    full_name: str
    role: str
    description: str


MUNICIPAL_PERSONAS = (
    Persona("admin@tillby.example", "Alva Admin", Role.ADMIN, "administrator"),
    Persona("kontroller@tillby.example", "Karin Kontroller", Role.CONTROLLER, "controller (uppföljningsenheten)"),
    Persona("ekonomi@tillby.example", "Erik Ekonom", Role.FINANCE, "finance"),
    Persona("handlaggare@tillby.example", "Hanna Handläggare", Role.CASE_OFFICER, "case officer"),
    Persona("namnd@tillby.example", "Nils Nämnd", Role.BOARD_VIEWER, "board viewer"),
)


def ensure_persona(persona: Persona, organisation: Organisation) -> User:
    """Create the persona once; a second demo run leaves it as it is."""
    user = User.objects.filter(email=persona.email).first()
    if user is None:
        user = user_create(
            actor=None, email=persona.email, full_name=persona.full_name, password=DEMO_PASSWORD
        )
    membership_add(actor=None, user=user, organisation=organisation, role=persona.role)
    return user


def provider_persona(index: int, organisation: Organisation) -> Persona:
    return Persona(
        f"utforare{index}@tillby.example",
        f"Utförare {index} ({organisation.name})",
        Role.PROVIDER_USER,
        f"provider user of {organisation.name}",
    )
