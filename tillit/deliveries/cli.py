"""The command-line side of deliveries: tillit import, and the report both commands print.

Exit status 0 when the file was loaded (or had been already), 1 when rows were rejected
and the delivery waits for a decision, 2 when the file could not be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.accounts.models import Organisation
from tillit.common.errors import ApplicationError
from tillit.common.org_numbers import normalize_org_number
from tillit.common.periods import Month
from tillit.deliveries.importers import DECIDERS, IMPORTERS
from tillit.deliveries.models import Delivery
from tillit.deliveries.selectors import format_issue
from tillit.deliveries.services import delivery_load


class ImportCommand(BaseCommand):
    help = "Load a delivery file (CSV or Excel) of the given kind."
    # Django's system checks (0.2 s) guard a deployment's configuration; the server, the worker
    # and `tillit check` run them. An import run by a scheduler every night need not repeat them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted([*IMPORTERS, *DECIDERS]), help="what the file contains")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--accept-valid", action="store_true", help="load the valid rows even when some rows are rejected"
        )
        parser.add_argument("--provider", help="organisation number of the provider that delivers the file")
        parser.add_argument(
            "--complete", action="store_true",
            help="visits: the file holds all of its providers' visits in its period; others there are retired",
        )
        parser.add_argument(
            "--period", help="visits with --complete: YYYY-MM or YYYY-MM:YYYY-MM (default: the months in the file)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file.")
        organisation = None
        if options["provider"]:
            try:
                number = normalize_org_number(options["provider"])
            except ApplicationError as error:
                raise CommandError(error.message) from None
            organisation = Organisation.objects.filter(provider__org_number=number).first()
            if organisation is None:
                raise CommandError(f"No provider has the organisation number {number}.")
        if options["kind"] in DECIDERS:
            result = self._load_streamed(options, path, organisation)
        else:
            result = delivery_load(
                actor=None,
                kind=options["kind"],
                content=path.read_bytes(),
                file_name=path.name,
                accept_valid=options["accept_valid"],
                organisation=organisation,
            )
        report_delivery(self, result.delivery, already=result.already_delivered)

    def _load_streamed(self, options: dict[str, Any], path: Path, organisation: Any) -> Any:
        """Visits: read from the file in place (it may be a year of a large municipality)."""
        period = None
        if options["period"]:
            try:
                first, _sep, last = options["period"].partition(":")
                period = (Month.parse(first), Month.parse(last or first))
            except ApplicationError as error:
                raise CommandError(error.message) from None
        return DECIDERS[options["kind"]].load(
            actor=None,
            path=path,
            file_name=path.name,
            provider=organisation.provider if organisation is not None else None,
            complete=options["complete"],
            period=period,
            accept_valid=options["accept_valid"],
            progress=lambda stage: self.stderr.write(f"… {stage}"),
        )


def report_delivery(command: BaseCommand, delivery: Delivery, *, already: bool = False) -> None:
    """Print the outcome; the row report goes to stderr; the exit status says what happened."""
    if already:
        command.stdout.write(
            f"{delivery.file_name} was already delivered as delivery {delivery.pk} "
            f"({delivery.get_status_display().lower()}); nothing was changed."
        )
        if delivery.status == Delivery.Status.PENDING:
            sys.exit(1)
        return
    if delivery.status == Delivery.Status.FAILED:
        command.stderr.write(delivery.message)
        sys.exit(2)
    if delivery.status == Delivery.Status.REJECTED:
        reason = f" Reason: {delivery.message}" if delivery.message else ""
        command.stdout.write(f"Delivery {delivery.pk}: {delivery.file_name} was rejected; nothing was loaded.{reason}")
        return
    # A year of visits can have a million issues: the terminal gets the first ones, the
    # report command (CSV or Excel) all of them.
    printed = 200
    issues = list(delivery.issues.all()[:printed + 1])
    for issue in issues[:printed]:
        command.stderr.write(f"{issue.get_severity_display()}: {format_issue(delivery, issue)}")
    if len(issues) > printed:
        more = delivery.issues.count() - printed
        command.stderr.write(f"… and {more} more; the whole report: tillit deliveries report {delivery.pk}")
    summary = (
        f"Delivery {delivery.pk}: {delivery.file_name}: {delivery.rows_read} rows read, "
        f"{delivery.rows_rejected} rejected, {delivery.warnings} warnings."
    )
    if delivery.status == Delivery.Status.PENDING:
        command.stderr.write(summary)
        command.stderr.write(
            f"Nothing was loaded. Correct the file and deliver it again, or run "
            f"'tillit deliveries accept {delivery.pk}' to load the valid rows "
            f"('tillit deliveries reject {delivery.pk}' to reject it)."
        )
        sys.exit(1)
    outcome = ", ".join(f"{count} {word}" for word, count in delivery.outcome.items())
    command.stdout.write(f"{summary} Loaded: {outcome}.")
    if delivery.message:
        command.stdout.write(delivery.message)
