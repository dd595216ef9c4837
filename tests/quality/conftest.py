"""Quality tests build on the engine's constructed months (the ledger's test world)."""

from tests.ledger.conftest import _english, ledger  # noqa: F401 (fixtures)
