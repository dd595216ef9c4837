"""tillit deliveries [list|accept ID|reject ID|report ID|purge-uploads]: see deliveries, decide on
waiting ones, write a delivery's row report (row, column, value, reason) as CSV or Excel, and
remove delivered files past their retention (TILLIT_UPLOAD_RETENTION_DAYS)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.common.errors import ApplicationError
from tillit.deliveries import reports
from tillit.deliveries.models import Delivery
from tillit.deliveries.retention import uploads_purge
from tillit.deliveries.services import delivery_accept, delivery_reject

from tillit.deliveries.cli import report_delivery

_COLUMNS = (
    "id", "kind", "file_name", "checksum", "status", "created_at", "rows_read", "rows_accepted",
    "rows_rejected", "warnings", "organisation", "delivered_by",
)


class Command(BaseCommand):
    help = "List deliveries, accept / reject one that waits for a decision, or write one's row report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", default="list", choices=["list", "accept", "reject", "report", "purge-uploads"])
        parser.add_argument("delivery_id", nargs="?", type=int)
        parser.add_argument(
            "--format", choices=["table", "json", "csv", "xlsx"], default=None,
            help="list: table (default), json or csv; report: csv (default) or xlsx",
        )
        parser.add_argument("--kind", default="")
        parser.add_argument("--reason", default="", help="why a delivery is rejected")
        parser.add_argument("--out", type=Path, help="report: the file to write (CSV goes to standard output without it)")
        parser.add_argument("--days", type=int, default=None,
                            help="purge-uploads: keep files younger than this (default TILLIT_UPLOAD_RETENTION_DAYS)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            options["format"] = options["format"] or "table"
            if options["format"] == "xlsx":
                raise CommandError("The list is printed as table, json or csv; xlsx is for 'report'.")
            self._list(options)
            return
        if action == "purge-uploads":
            days = settings.TILLIT_UPLOAD_RETENTION_DAYS if options["days"] is None else options["days"]
            if days < 0:
                raise CommandError("--days must be 0 or more.")
            purged = uploads_purge(actor=None, days=days)
            self.stdout.write(f"Removed {purged.files} delivered files older than {days} days "
                              f"({purged.deliveries} deliveries); their reports and the ledger stay.")
            return
        if options["delivery_id"] is None:
            raise CommandError(f"Say which delivery to {action}: tillit deliveries {action} ID.")
        try:
            delivery = Delivery.objects.get(pk=options["delivery_id"])
        except Delivery.DoesNotExist:
            raise CommandError(f"There is no delivery {options['delivery_id']}.") from None
        if action == "report":
            self._report(delivery, options["format"] or "csv", options["out"])
            return
        try:
            if action == "accept":
                delivery_accept(actor=None, delivery=delivery)
            else:
                delivery_reject(actor=None, delivery=delivery, reason=options["reason"])
        except ApplicationError as error:
            raise CommandError(error.message) from None
        report_delivery(self, delivery)

    def _list(self, options: dict[str, Any]) -> None:
        deliveries = Delivery.objects.select_related("organisation", "delivered_by").order_by("created_at", "id")
        if options["kind"]:
            deliveries = deliveries.filter(kind=options["kind"])
        rows = [
            {
                "id": d.pk, "kind": d.kind, "file_name": d.file_name, "checksum": d.checksum, "status": d.status,
                "created_at": d.created_at.isoformat(), "rows_read": d.rows_read, "rows_accepted": d.rows_accepted,
                "rows_rejected": d.rows_rejected, "warnings": d.warnings,
                "organisation": d.organisation.name if d.organisation else "",
                "delivered_by": d.delivered_by.email if d.delivered_by else "system",
            }
            for d in deliveries
        ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        elif options["format"] == "csv":
            buffer = io.StringIO()  # self.stdout, not sys.stdout: callers may redirect it
            writer = csv.DictWriter(buffer, fieldnames=_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
            self.stdout.write(buffer.getvalue(), ending="")
        else:
            for row in rows:
                self.stdout.write(
                    f"{row['id']:>5}  {row['created_at'][:16]}  {row['kind']:<13} {row['status']:<9} "
                    f"{row['rows_read']:>7} read {row['rows_rejected']:>5} rejected  {row['file_name']}"
                )

    def _report(self, delivery: Delivery, file_format: str, out: Path | None) -> None:
        """The whole row report, as the web page's downloads have it."""
        if file_format not in ("csv", "xlsx"):
            raise CommandError("The report is written as csv or xlsx.")
        if file_format == "xlsx" and out is None:
            raise CommandError("Excel is a binary format; say where to write it with --out FILE.")
        if out is None:
            count = reports.write_csv(_Lines(self), delivery)
        else:
            # Written whole under a temporary name, then renamed: never half a report.
            partial = out.with_name(out.name + ".part")
            if file_format == "xlsx":
                count = reports.write_xlsx(partial, delivery)
            else:
                with partial.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel in Sweden
                    count = reports.write_csv(handle, delivery)
            partial.replace(out)
        where = f" to {out}" if out else ""
        self.stderr.write(f"Delivery {delivery.pk}: {count} rows of the report written{where}.")


class _Lines:
    """The command's stdout as a file for csv.writer (callers may redirect self.stdout)."""

    def __init__(self, command: BaseCommand) -> None:
        self.command = command

    def write(self, text: str) -> None:
        self.command.stdout.write(text, ending="")
