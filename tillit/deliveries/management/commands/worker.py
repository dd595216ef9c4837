"""tillit worker: run background jobs (large imports; later month-end runs and Kolada syncs)."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (Huey); stop it with Ctrl-C or SIGTERM."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("run_huey")
