"""tillit visits --month YYYY-MM [--provider ORGNR] --format csv|parquet [--out FILE]: export a
month of the ledger for other tools (Excel, Power BI).

The export has surrogate ids only (recipient, unit, provider), never a personal identity
number, and local Europe/Stockholm times. CSV is separated by semicolons.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.common.errors import ApplicationError
from tillit.common.org_numbers import normalize_org_number
from tillit.common.periods import Month
from tillit.ledger.selectors import export_month, month_file
from tillit.registry.models import Provider


class Command(BaseCommand):
    help = "Export one month of visits from the ledger as CSV (semicolons) or Parquet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--provider", help="organisation number: only this provider's visits")
        parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
        parser.add_argument("--out", type=Path, help="file to write (CSV goes to standard output without it)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = Month.parse(options["month"])
        except ApplicationError as error:
            raise CommandError(error.message) from None
        provider_ids = None
        if options["provider"]:
            provider_ids = [self._provider(options["provider"]).pk]
        file_format, out = options["format"], options["out"]
        if file_format == "parquet" and out is None:
            raise CommandError("Parquet is a binary format; say where to write it with --out FILE.")
        if month_file(month) is None:
            raise CommandError(f"The ledger has no visits in {month}; 'tillit ledger months' lists the months it has.")
        # DuckDB writes the file; it goes to a folder of our own first (a name we control),
        # then whole to where it was asked for.
        with tempfile.TemporaryDirectory(prefix="tillit-export-") as folder:
            target = Path(folder) / f"visits.{file_format}"
            if "'" in str(target):
                raise CommandError(f"The temporary folder {folder} has a quote in its name; set TMPDIR elsewhere.")
            count = export_month(provider_ids=provider_ids, month=month, target=str(target), file_format=file_format)
            if out is None:
                with target.open(encoding="utf-8", newline="") as handle:
                    for line in handle:
                        self.stdout.write(line, ending="")
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                partial = out.with_name(out.name + ".part")
                shutil.copyfile(target, partial)
                partial.replace(out)
        where = f" to {out}" if out else ""
        self.stderr.write(f"{count} visits of {month} written{where}.")

    def _provider(self, raw: str) -> Provider:
        try:
            number = normalize_org_number(raw)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        provider = Provider.objects.filter(org_number=number).first()
        if provider is None:
            raise CommandError(f"No provider has the organisation number {number}.")
        return provider
