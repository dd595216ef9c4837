"""tillit indicators 2024-03 [--format table|json|csv] [--refresh]: every indicator per provider.

Prints the stored figures of the month (value, numerator, denominator), computing them first
when the month has no complete run or when --refresh asks for a new one.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.accounts.access import Viewer
from tillit.accounts.models import Role
from tillit.common.errors import ApplicationError
from tillit.common.periods import Month
from tillit.quality.selectors import export_rows, month_run
from tillit.quality.services import indicator_run

# The command runs as the operator: it reads what a controller may read.
_OPERATOR = Viewer(user_id=None, roles=frozenset({Role.CONTROLLER}), provider_organisation_ids=frozenset(),
                   label="cli")
_FIELDS = ("month", "provider", "org_number", "indicator", "value", "numerator", "denominator")


def _plain(value: Any) -> Any:
    return "" if value is None else str(value)


class Command(BaseCommand):
    help = "Print every quality indicator per provider for a month (computing it when needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument("--refresh", action="store_true", help="compute the month again first")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = Month.parse(options["month"])
            if options["refresh"] or month_run(month) is None:
                run = indicator_run(actor=None, month=month, reason="cli",
                                    progress=lambda stage: self.stderr.write(f"{month}: {stage}"))
                self.stderr.write(f"{month}: computed (run {run.pk})")
        except ApplicationError as error:
            raise CommandError(error.message) from None
        rows = export_rows(viewer=_OPERATOR, month=month)
        if options["format"] == "json":
            self.stdout.write(json.dumps([{k: _plain(v) if k in ("value", "numerator", "denominator") else v
                                           for k, v in row.items()} for row in rows], ensure_ascii=False, indent=2))
        elif options["format"] == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=_FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: _plain(v) for k, v in row.items()} for row in rows)
        else:
            for row in rows:
                self.stdout.write(f"{row['provider'][:28]:<28} {row['indicator']:<22} {_plain(row['value']):>8} "
                                  f"{_plain(row['numerator']):>12} / {_plain(row['denominator'])}")
