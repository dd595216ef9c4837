"""tillit import KIND FILE [--accept-valid] [--provider ORGNR]."""

from tillit.deliveries.cli import ImportCommand as Command  # noqa: F401
