"""Shared fixtures: isolated data directories, the municipality, two providers, personas.

Every portal and API test shows that provider B gets a 404 for provider A's things; the
personas here make that one line per test.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from tillit.accounts.models import Organisation, Role, User
from tillit.accounts.services import organisation_create, user_create

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """A file from ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not present (the shared public data sits beside the project)")
    return path


@pytest.fixture(autouse=True)
def _jobs_run_at_once():
    """Background jobs run inside the test, as soon as they are queued."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path: Path) -> None:
    """Uploads and the ledger go to a per-test folder, never to ./var; passwords hash fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = tmp_path / "data"
    settings.UPLOAD_DIR = tmp_path / "data" / "uploads"
    settings.MEDIA_ROOT = tmp_path / "data" / "uploads" / "attachments"
    settings.LEDGER_DIR = tmp_path / "data" / "ledger"
    # Cached page parts (tillit.web.fragments) never outlive a test.
    cache.clear()
    # Imports re-run the quality indicators only in the tests that ask for it.
    settings.TILLIT_QUALITY_AUTORUN = False


@dataclass
class World:
    municipality: Organisation
    provider_a: object
    provider_b: object
    controller: User
    finance: User
    case_officer: User
    board: User
    admin: User
    user_a: User
    user_b: User


PASSWORD = "a-long-test-password-1"


@pytest.fixture
def world(db) -> World:
    """A municipality with two home-care providers and one user per role."""
    from tillit.registry.services import provider_create

    municipality = organisation_create(actor=None, kind=Organisation.Kind.MUNICIPALITY, name="Testby kommun")
    provider_a = provider_create(
        actor=None, org_number="556036-0793", name="Omsorg A AB", regi="private", service_types=["home_care"]
    )
    provider_b = provider_create(
        actor=None, org_number="556074-7569", name="Omsorg B AB", regi="private",
        service_types=["home_care", "nursing_home"],
    )

    def person(email: str, organisation: Organisation, role: str) -> User:
        return user_create(actor=None, email=email, password=PASSWORD, organisation=organisation, role=role)

    return World(
        municipality=municipality,
        provider_a=provider_a,
        provider_b=provider_b,
        controller=person("controller@test.example", municipality, Role.CONTROLLER),
        finance=person("finance@test.example", municipality, Role.FINANCE),
        case_officer=person("case@test.example", municipality, Role.CASE_OFFICER),
        board=person("board@test.example", municipality, Role.BOARD_VIEWER),
        admin=person("admin@test.example", municipality, Role.ADMIN),
        user_a=person("a@test.example", provider_a.organisation, Role.PROVIDER_USER),
        user_b=person("b@test.example", provider_b.organisation, Role.PROVIDER_USER),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def today() -> datetime.date:
    return datetime.date(2024, 3, 15)
