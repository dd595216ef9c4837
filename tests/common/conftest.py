"""The leaf modules' tests check the English source messages; Swedish is tested in tests/web."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
