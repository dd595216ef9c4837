"""tillit run-month 2024-03: the month-end run — every provider's statement and the quality figures.

Statements get a new version where anything changed since the last run (an approved one stays
locked beside it); the quality indicators of the month are computed again. It lives with the
web adapter because it drives two sibling domain apps (compensation and quality).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.common.errors import ApplicationError
from tillit.common.periods import Month
from tillit.compensation.statements import statement_run
from tillit.quality.services import indicator_run


class Command(BaseCommand):
    help = "The month-end run: statements for every provider with a compensation model, and the quality figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--no-quality", action="store_true", help="statements only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = Month.parse(options["month"])
            outcomes = statement_run(actor=None, month=month, progress=lambda stage: self.stderr.write(f"{month}: {stage}"))
            if not options["no_quality"]:
                indicator_run(actor=None, month=month, reason="month_end")
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if not outcomes:
            self.stdout.write(f"{month}: no provider has a contract with a compensation model in force.")
        for outcome in outcomes:
            s = outcome.statement
            state = f"version {s.number}" + ("" if outcome.changed else " (unchanged)")
            self.stdout.write(f"{outcome.provider.name:<40} {s.total:>14,.2f} kr  {state}  [{s.get_status_display()}]")
