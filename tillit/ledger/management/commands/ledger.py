"""tillit ledger months | gc: what the visit ledger holds, and removing files it no longer names."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tillit.ledger.selectors import ledger_months
from tillit.ledger.services import collect_garbage


class Command(BaseCommand):
    help = "List the ledger's months and their visits, or remove files the manifest does not name (gc)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["months", "gc"])
        parser.add_argument("--format", choices=["table", "json"], default="table", help="months: how to print")
        parser.add_argument(
            "--older-than-minutes", type=int, default=60,
            help="gc: leave files younger than this (a load may be writing them right now); default 60",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "months":
            self._months(options["format"])
        else:
            self._gc(options["older_than_minutes"])

    def _months(self, file_format: str) -> None:
        months = ledger_months()
        if file_format == "json":
            rows = [{**row, "updated_at": row["updated_at"].isoformat()} for row in months]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not months:
            self.stdout.write("The ledger has no visits yet; 'tillit import visits FILE' loads them.")
            return
        self.stdout.write(f"{'month':<8} {'visits':>12} {'version':>8}  updated")
        for row in months:
            self.stdout.write(
                f"{row['month']:<8} {row['rows']:>12} {row['version']:>8}  {timezone.localtime(row['updated_at']):%Y-%m-%d %H:%M}"
            )
        self.stdout.write(f"{'total':<8} {sum(row['rows'] for row in months):>12}")

    def _gc(self, minutes: int) -> None:
        if minutes < 0:
            raise CommandError("--older-than-minutes must be 0 or more.")
        removed = collect_garbage(older_than=datetime.timedelta(minutes=minutes))
        for relative in removed:
            self.stdout.write(f"removed {relative}")
        self.stdout.write(f"{len(removed)} files removed that the ledger's manifest does not name.")
