"""tillit kolada sync|load DIR: Kolada's key indicators from the API, or from files offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.benchmarks.models import KoladaSync
from tillit.benchmarks.services import load_directory, sync_fail, sync_request, sync_run
from tillit.common.errors import ApplicationError


def _years(text: str) -> list[int]:
    """2015:2024 or 2019,2020,2021."""
    try:
        if ":" in text:
            first, last = (int(part) for part in text.split(":", 1))
            return list(range(first, last + 1))
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--years {text!r}: write years as 2015:2024 or 2019,2020,2021.") from None


class Command(BaseCommand):
    help = "Fetch Kolada's key indicators (sync) or load them from files (load DIR)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="sync|load")
        sync = commands.add_parser("sync", help="fetch the catalogue, groups and values from Kolada's v3 API")
        sync.add_argument("--municipality", default="", help="Kolada id of ours (default TILLIT_MUNICIPALITY_CODE)")
        sync.add_argument("--kpi", action="append", default=[], help="a KPI id (repeat; default the curated list)")
        sync.add_argument("--group", action="append", default=[],
                          help="a Kolada group id to compare with (repeat; default our elderly-care peers and SKR group)")
        sync.add_argument("--years", default="", help="2015:2024 or 2019,2020 (default the last TILLIT_KOLADA_YEARS)")
        load = commands.add_parser("load", help="load Kolada CSV files (as rKolada writes them) or v3 JSON from a folder")
        load.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options["directory"])
        else:
            self._sync(options)

    def _report(self, sync: KoladaSync) -> None:
        self.stdout.write(
            f"{sync.values_new} new values, {sync.values_changed} revised, {sync.values_unchanged} unchanged, "
            f"{sync.values_withdrawn} withdrawn (sync {sync.pk})."
        )
        if sync.values_changed or sync.values_withdrawn:
            self.stdout.write("Kolada revised values since the last sync: see the Nyckeltal page or the revisions table.")

    def _load(self, directory: Path) -> None:
        try:
            sync = load_directory(actor=None, directory=directory)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Loaded {', '.join(sync.options.get('files', []))} from {directory}.")
        if sync.options.get("skipped"):
            self.stdout.write(f"Not Kolada files, left alone: {', '.join(sync.options['skipped'])}.")
        self._report(sync)

    def _sync(self, options: dict[str, Any]) -> None:
        wanted = {
            key: value for key, value in {
                "municipality": options["municipality"], "kpis": options["kpi"], "groups": options["group"],
                "years": _years(options["years"]) if options["years"] else [],
            }.items() if value
        }
        sync = sync_request(actor=None, options=wanted)
        try:
            sync = sync_run(sync=sync, progress=lambda stage: self.stdout.write(f"  {stage} …"))
        except ApplicationError as error:
            sync_fail(sync=sync, message=error.message)
            raise CommandError(error.message) from None
        self._report(sync)
