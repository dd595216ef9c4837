"""tillit statements 2024-03 [--format json|csv] [--run]: every provider's latest statement.

For other systems and auditors: each statement's totals, its total per component and every
line (JSON), or every line as Swedish CSV (semicolons, decimal commas). --run computes the month
first (a new version only where something changed).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.accounts.access import Viewer
from tillit.accounts.models import Role
from tillit.common.errors import ApplicationError
from tillit.common.periods import Month
from tillit.compensation.selectors import statement_list
from tillit.compensation.statement_data import line_rows, statement_document, write_csv
from tillit.compensation.statements import statement_run

# The command runs as the operator: it reads what finance may read.
_OPERATOR = Viewer(user_id=None, roles=frozenset({Role.FINANCE}), provider_organisation_ids=frozenset(), label="cli")


class _Lines:
    """The command's stdout as a file for csv.writer (callers may redirect self.stdout)."""

    def __init__(self, command: BaseCommand) -> None:
        self.command = command

    def write(self, text: str) -> None:
        self.command.stdout.write(text, ending="")


class Command(BaseCommand):
    help = "Print every provider's latest statement of a month (totals, components and lines) as JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--run", action="store_true", help="compute the month's statements first")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = Month.parse(options["month"])
            if options["run"]:
                outcomes = statement_run(actor=None, month=month,
                                         progress=lambda stage: self.stderr.write(f"{month}: {stage}"))
                changed = sum(1 for outcome in outcomes if outcome.changed)
                self.stderr.write(f"{month}: {len(outcomes)} statement(s), {changed} new version(s)")
        except ApplicationError as error:
            raise CommandError(error.message) from None
        statements = statement_list(viewer=_OPERATOR, month=month)
        if options["format"] == "json":
            documents = [statement_document(viewer=_OPERATOR, statement=statement) for statement in statements]
            self.stdout.write(json.dumps({"month": str(month), "statements": documents}, ensure_ascii=False, indent=2))
            return
        write_csv(_Lines(self), (row for statement in statements
                                 for row in line_rows(viewer=_OPERATOR, statement=statement)))
