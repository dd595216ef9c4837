"""tillit run-month 2024-03 [2024-04 …]: the month-end run — every provider's statement and the
quality figures, for one month or several (the registers are read once for all of them).

Statements get a new version where anything changed since the last run (an approved one stays
locked beside it); the quality indicators of the month are computed again. It lives with the
web adapter because it drives two sibling domain apps (compensation and quality).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.common.errors import ApplicationError
from tillit.common.periods import Month
from tillit.compensation.registers import Registers
from tillit.compensation.statements import statement_run
from tillit.quality.services import indicator_run


class Command(BaseCommand):
    help = "The month-end run: statements for every provider with a compensation model, and the quality figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("months", nargs="+", metavar="month", help="YYYY-MM (one or more)")
        parser.add_argument("--no-quality", action="store_true", help="statements only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            months = [Month.parse(text) for text in options["months"]]
        except ApplicationError as error:
            raise CommandError(error.message) from None
        registers = Registers()
        for month in months:
            try:
                outcomes = statement_run(actor=None, month=month, registers=registers,
                                         progress=lambda stage, m=month: self.stderr.write(f"{m}: {stage}"))
                if not options["no_quality"]:
                    indicator_run(actor=None, month=month, reason="month_end")
            except ApplicationError as error:
                raise CommandError(f"{month}: {error.message}") from None
            if not outcomes:
                self.stdout.write(f"{month}: no provider has a contract with a compensation model in force.")
            for outcome in outcomes:
                s = outcome.statement
                state = f"version {s.number}" + ("" if outcome.changed else " (unchanged)")
                self.stdout.write(f"{month}  {outcome.provider.name:<40} {s.total:>14,.2f} kr  {state}  "
                                  f"[{s.get_status_display()}]")
