"""Statement tests build on the ledger's test world (catalogue, units, five recipients)."""

from tests.ledger.conftest import _english, ledger  # noqa: F401 (fixtures)
