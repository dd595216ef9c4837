"""Shared fixtures for the benchmark tests: the Kolada stand-in and the shared Kolada files."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.benchmarks.kolada_mock import KoladaMock


def kolada_dir() -> Path:
    """../shared/data/kolada/ beside the project, or skip with the reason."""
    path = Path(settings.BASE_DIR).parent / "shared" / "data" / "kolada"
    if not path.is_dir():
        pytest.skip(f"{path} is not present (Kolada's public files sit beside the project in ../shared/data/kolada/)")
    return path


@pytest.fixture
def kolada() -> KoladaMock:
    return KoladaMock()


@pytest.fixture
def kolada_client(kolada, monkeypatch):
    """Every KoladaClient the services make talks to the stand-in."""
    from tillit.benchmarks import services

    client = kolada.client()
    monkeypatch.setattr(services, "KoladaClient", lambda **kwargs: client)
    return client
